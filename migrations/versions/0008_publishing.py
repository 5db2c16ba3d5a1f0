"""what a publication wraps around an essay: author, date, canonical address, description

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COLUMNS = (("author", 200), ("published", 10), ("canonical_url", 500), ("description", 300))


def upgrade():
    with op.batch_alter_table("debates") as table:
        for name, length in COLUMNS:
            table.add_column(
                sa.Column(name, sa.String(length=length), server_default="", nullable=False)
            )


def downgrade():
    with op.batch_alter_table("debates") as table:
        for name, _length in reversed(COLUMNS):
            table.drop_column(name)
