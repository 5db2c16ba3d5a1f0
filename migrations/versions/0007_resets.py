"""resets recorded: who deleted a debate's votes, when, and how many

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 11:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "resets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("author_email", sa.String(length=254), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("votes_deleted", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_resets_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resets")),
    )
    op.create_index(op.f("ix_resets_debate_id"), "resets", ["debate_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_resets_debate_id"), table_name="resets")
    op.drop_table("resets")
