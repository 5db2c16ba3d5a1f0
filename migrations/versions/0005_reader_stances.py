"""each reader's stance answers on their row, from the votes already cast

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 10:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE debate_readers SET
  stance_before = (SELECT choice FROM votes WHERE votes.debate_id = debate_readers.debate_id
                   AND votes.kind = 'stance' AND votes.item_key = 'before'
                   AND votes.reader_id = debate_readers.reader_id),
  stance_after = (SELECT choice FROM votes WHERE votes.debate_id = debate_readers.debate_id
                  AND votes.kind = 'stance' AND votes.item_key = 'after'
                  AND votes.reader_id = debate_readers.reader_id)
"""


def upgrade():
    with op.batch_alter_table("debate_readers") as table:
        table.add_column(sa.Column("stance_before", sa.String(length=16), nullable=True))
        table.add_column(sa.Column("stance_after", sa.String(length=16), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table("debate_readers") as table:
        table.drop_column("stance_after")
        table.drop_column("stance_before")
