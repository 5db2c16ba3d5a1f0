"""each vote carries its reader's stance answers; indexes for the analysis's counts

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 00:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE votes SET
  stance_before = (SELECT stance_before FROM debate_readers
                   WHERE debate_readers.debate_id = votes.debate_id
                   AND debate_readers.reader_id = votes.reader_id),
  stance_after = (SELECT stance_after FROM debate_readers
                  WHERE debate_readers.debate_id = votes.debate_id
                  AND debate_readers.reader_id = votes.reader_id)
"""


def upgrade():
    with op.batch_alter_table("votes") as table:
        table.add_column(sa.Column("stance_before", sa.String(length=16), nullable=True))
        table.add_column(sa.Column("stance_after", sa.String(length=16), nullable=True))
    op.execute(BACKFILL)
    op.create_index(
        "ix_votes_by_stance",
        "votes",
        ["debate_id", "kind", "item_key", "choice", "stance_before", "stance_after"],
        unique=False,
    )
    op.create_index(
        "ix_votes_by_minute",
        "votes",
        ["debate_id", "created_at", "kind", "item_key", "choice", "updated_at"],
        unique=False,
    )
    op.execute("ANALYZE votes")


def downgrade():
    op.drop_index("ix_votes_by_minute", table_name="votes")
    op.drop_index("ix_votes_by_stance", table_name="votes")
    with op.batch_alter_table("votes") as table:
        table.drop_column("stance_after")
        table.drop_column("stance_before")
