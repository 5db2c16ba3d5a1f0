"""indexes that hold what the segments count, in the order they are grouped

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 15:45:00

"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SEGMENTED = ("kind", "choice", "item_key")


def upgrade():
    op.create_index(
        "ix_votes_by_site", "votes", ["debate_id", "site", "cast_hour", *SEGMENTED], unique=False
    )
    op.create_index(
        "ix_votes_by_network",
        "votes",
        ["debate_id", "network", "cast_hour", *SEGMENTED],
        unique=False,
    )
    # A planner with statistics of the other indexes and none of these would walk
    # them, reading every row through them, for the counts that scan the table.
    op.execute("ANALYZE votes")


def downgrade():
    op.drop_index("ix_votes_by_network", table_name="votes")
    op.drop_index("ix_votes_by_site", table_name="votes")
