"""debates, claims, options, votes and counters

Revision ID: 0001
Revises:
Create Date: 2026-11-29 17:30:39.790124

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "debates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("lede", sa.Text(), nullable=False),
        sa.Column("context_html", sa.Text(), nullable=False),
        sa.Column("conclusion_html", sa.Text(), nullable=False),
        sa.Column("question_text", sa.Text(), nullable=False),
        sa.Column("voting_open", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debates")),
        sa.UniqueConstraint("slug", name=op.f("uq_debates_slug")),
    )
    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("text_html", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_claims_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("debate_id", "key", name=op.f("uq_claims_debate_id_key")),
    )
    op.create_table(
        "debate_readers",
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("reader_id", sa.String(length=64), nullable=False),
        sa.Column("first_vote_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_debate_readers_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("debate_id", "reader_id", name=op.f("pk_debate_readers")),
    )
    op.create_table(
        "debate_sides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("intro_html", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_debate_sides_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_debate_sides")),
        sa.UniqueConstraint("debate_id", "side", name=op.f("uq_debate_sides_debate_id_side")),
    )
    op.create_table(
        "question_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_question_options_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_options")),
        sa.UniqueConstraint("debate_id", "key", name=op.f("uq_question_options_debate_id_key")),
    )
    op.create_table(
        "tallies",
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_key", sa.String(length=80), nullable=False),
        sa.Column("choice", sa.String(length=80), nullable=False),
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_tallies_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "debate_id", "kind", "item_key", "choice", "shard", name=op.f("pk_tallies")
        ),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("debate_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("item_key", sa.String(length=80), nullable=False),
        sa.Column("reader_id", sa.String(length=64), nullable=False),
        sa.Column("choice", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debate_id"],
            ["debates.id"],
            name=op.f("fk_votes_debate_id_debates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint(
            "debate_id",
            "kind",
            "item_key",
            "reader_id",
            name=op.f("uq_votes_debate_id_kind_item_key_reader_id"),
        ),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_votes_reader_id"), ["reader_id"], unique=False)


def downgrade():
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_votes_reader_id"))

    op.drop_table("votes")
    op.drop_table("tallies")
    op.drop_table("question_options")
    op.drop_table("debate_sides")
    op.drop_table("debate_readers")
    op.drop_table("claims")
    op.drop_table("debates")
