"""the sites allowed to embed a debate

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("debates") as batch_op:
        batch_op.add_column(
            sa.Column("embed_allowed_sites", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("debates") as batch_op:
        batch_op.drop_column("embed_allowed_sites")
