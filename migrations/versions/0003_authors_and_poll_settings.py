"""authors, debate owners and when readers see results

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 18:31:56.637238

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("email", name=op.f("uq_authors_email")),
    )
    # Existing debates keep today's behaviour: a card shows results after the reader's vote.
    with op.batch_alter_table("debates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "results_visibility",
                sa.String(length=16),
                server_default="after_vote",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_debates_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_debates_owner_id_authors"),
            "authors",
            ["owner_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            "results_visibility", "results_visibility IN ('always', 'after_vote', 'after_close')"
        )


def downgrade():
    with op.batch_alter_table("debates", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_debates_results_visibility"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_debates_owner_id_authors"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_debates_owner_id"))
        batch_op.drop_column("owner_id")
        batch_op.drop_column("results_visibility")

    op.drop_table("authors")
