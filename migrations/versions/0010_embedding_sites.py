"""who may embed a debate: any site, or only the listed ones, chosen on the dashboard

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 12:30:00

A debate whose content file listed sites keeps that list; every other one lets
any site embed it, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _debates():
    return sa.table(
        "debates", sa.column("embed_any_site", sa.Boolean), sa.column("embed_allowed_sites")
    )


def upgrade():
    with op.batch_alter_table("debates") as table:
        table.add_column(
            sa.Column("embed_any_site", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    debates = _debates()
    op.execute(
        debates.update().where(debates.c.embed_allowed_sites != "").values(embed_any_site=False)
    )


def downgrade():
    # Before this revision a list meant "only these sites": a list kept while any
    # site is chosen must go, or it would start to limit the embeds.
    debates = _debates()
    op.execute(debates.update().where(debates.c.embed_any_site).values(embed_allowed_sites=""))
    with op.batch_alter_table("debates") as table:
        table.drop_column("embed_any_site")
