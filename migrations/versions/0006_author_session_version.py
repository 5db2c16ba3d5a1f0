"""a session version per author, so sign-out and a new password end every session

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 11:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("authors") as table:
        table.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("authors") as table:
        table.drop_column("session_version")
