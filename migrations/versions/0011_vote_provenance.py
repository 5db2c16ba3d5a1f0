"""where each vote came from (site, network bucket, hour), and the authors' exclusions

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 12:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("votes") as table:
        table.add_column(
            sa.Column("site", sa.String(length=300), server_default="", nullable=False)
        )
        table.add_column(
            sa.Column("network", sa.String(length=32), server_default="", nullable=False)
        )
        table.add_column(sa.Column("cast_hour", sa.DateTime(), nullable=True))
    # Votes cast before provenance was kept: unknown site and network, the hour of
    # their last change.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE votes SET cast_hour = date_trunc('hour', updated_at)")
    else:
        op.execute("UPDATE votes SET cast_hour = strftime('%Y-%m-%d %H:00:00.000000', updated_at)")
    with op.batch_alter_table("votes") as table:
        table.alter_column("cast_hour", existing_type=sa.DateTime(), nullable=False)
    op.create_table(
        "exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=300), server_default="", nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=True),
        sa.Column("ends_at", sa.DateTime(), nullable=True),
        sa.Column("set_by", sa.String(length=254), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_by", sa.String(length=254), nullable=True),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('site', 'network', 'window')", name=op.f("ck_exclusions_exclusion_kind")
        ),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_exclusions_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exclusions")),
    )
    op.create_index(op.f("ix_exclusions_debate_id"), "exclusions", ["debate_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_exclusions_debate_id"), table_name="exclusions")
    op.drop_table("exclusions")
    with op.batch_alter_table("votes") as table:
        for name in ("cast_hour", "network", "site"):
            table.drop_column(name)
