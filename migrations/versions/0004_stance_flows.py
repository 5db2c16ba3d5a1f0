"""counters of readers' flows between stances, from the votes already cast

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:30:00

"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Each reader who answered both stance questions counts once under kind 'flow',
# key the stance before reading, choice the stance after (shard 0).
BACKFILL = """
INSERT INTO tallies (debate_id, kind, item_key, choice, shard, count)
SELECT before.debate_id, 'flow', before.choice, after.choice, 0, COUNT(*)
FROM votes AS before
JOIN votes AS after
  ON after.debate_id = before.debate_id AND after.reader_id = before.reader_id
 AND after.kind = 'stance' AND after.item_key = 'after'
WHERE before.kind = 'stance' AND before.item_key = 'before'
GROUP BY before.debate_id, before.choice, after.choice
"""


def upgrade():
    op.execute(BACKFILL)


def downgrade():
    op.execute("DELETE FROM tallies WHERE kind = 'flow'")
