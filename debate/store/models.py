"""The store's rows: debates and their items, every vote as an auditable row,
and sharded counters so results never need a recount of the votes.

Pages never read these rows directly: store/debates.py turns a debate's rows
into the read model (core/debate.py) that the cache keeps.
"""

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from ..core.debate import AFTER_VOTE
from .db import db, this_hour, utcnow

if TYPE_CHECKING:
    # db.Model is made at run time from Base (model_class); mypy cannot see it as a class.
    from .db import Base as Model
else:
    Model = db.Model


class Author(UserMixin, Model):
    """Someone who signs in to run debates; created on the command line only."""

    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every session's id: raising it (sign-out, a new password) ends them all.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        """What a session keeps of its author (Flask-Login): id and session version."""
        return f"{self.id}:{self.session_version}"

    def end_sessions(self) -> None:
        self.session_version += 1


class DebateRow(Model):
    __tablename__ = "debates"
    __table_args__ = (
        CheckConstraint(
            "results_visibility IN ('always', 'after_vote', 'after_close')",
            name="results_visibility",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    lede: Mapped[str] = mapped_column(Text)
    context_html: Mapped[str] = mapped_column(Text)
    conclusion_html: Mapped[str] = mapped_column(Text)
    question_text: Mapped[str] = mapped_column(Text)
    voting_open: Mapped[bool] = mapped_column(default=True)
    # Who may frame the embeds: any site, or only the listed ones (CSP frame-ancestors
    # sources, space-separated; kept while any site is chosen).
    embed_any_site: Mapped[bool] = mapped_column(default=True, server_default=true())
    embed_allowed_sites: Mapped[str] = mapped_column(Text, default="", server_default="")
    author: Mapped[str] = mapped_column(String(200), default="", server_default="")
    published: Mapped[str] = mapped_column(String(10), default="", server_default="")
    canonical_url: Mapped[str] = mapped_column(String(500), default="", server_default="")
    description: Mapped[str] = mapped_column(String(300), default="", server_default="")
    results_visibility: Mapped[str] = mapped_column(
        String(16), default=AFTER_VOTE, server_default=AFTER_VOTE
    )
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("authors.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    sides: Mapped[list["SideRow"]] = relationship(
        back_populates="debate", order_by="SideRow.position", cascade="all, delete-orphan"
    )
    claims: Mapped[list["ClaimRow"]] = relationship(
        back_populates="debate", order_by="ClaimRow.position", cascade="all, delete-orphan"
    )
    options: Mapped[list["OptionRow"]] = relationship(
        back_populates="debate", order_by="OptionRow.position", cascade="all, delete-orphan"
    )


class _PartOfDebate:
    """Columns every part of a debate's text has: its row, its debate, its place."""

    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)


class SideRow(_PartOfDebate, Model):
    """One of the essay's two cases: its heading and the prose before its claims."""

    __tablename__ = "debate_sides"
    __table_args__ = (UniqueConstraint("debate_id", "side"),)

    side: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    intro_html: Mapped[str] = mapped_column(Text, default="")

    debate: Mapped[DebateRow] = relationship(back_populates="sides")


class _VotedItem(_PartOfDebate):
    """A part of a debate that readers vote on, known by a key unique in its debate:
    votes name the key (Vote.item_key), so a reload that renumbers the rows keeps them."""

    key: Mapped[str] = mapped_column(String(80))

    @declared_attr.directive
    def __table_args__(cls) -> tuple[UniqueConstraint]:
        return (UniqueConstraint("debate_id", "key"),)


class ClaimRow(_VotedItem, Model):
    __tablename__ = "claims"

    side: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    text_html: Mapped[str] = mapped_column(Text)

    debate: Mapped[DebateRow] = relationship(back_populates="claims")


class OptionRow(_VotedItem, Model):
    __tablename__ = "question_options"

    label: Mapped[str] = mapped_column(String(300))

    debate: Mapped[DebateRow] = relationship(back_populates="options")


class Vote(Model):
    """A reader's current choice on one item; changing it updates this row.

    Votes are keyed by the item's key, not by a claim's row, so reloading the
    content file (which may renumber rows) keeps every vote.
    """

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("debate_id", "kind", "item_key", "reader_id"),
        # The segments' counts (store/votes.py segment_counts) read these alone, in
        # the order they group by: SQLite then neither reads the rows nor sorts them.
        Index("ix_votes_by_site", "debate_id", "site", "cast_hour", "kind", "choice", "item_key"),
        Index(
            "ix_votes_by_network", "debate_id", "network", "cast_hour", "kind", "choice", "item_key"
        ),
        # The analysis's votes by stance and per minute (store/votes.py vote_counts),
        # read from these alone, without a row or a reader's row per vote.
        Index(
            "ix_votes_by_stance",
            "debate_id",
            "kind",
            "item_key",
            "choice",
            "stance_before",
            "stance_after",
        ),
        Index(
            "ix_votes_by_minute",
            "debate_id",
            "created_at",
            "kind",
            "item_key",
            "choice",
            "updated_at",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    item_key: Mapped[str] = mapped_column(String(80))
    reader_id: Mapped[str] = mapped_column(String(64), index=True)
    choice: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Where the current choice came from, without personal data (store/votes.py
    # Provenance): the embedding site's origin ("" unknown), a network bucket that
    # changes every day ("" unknown), and the UTC hour.
    site: Mapped[str] = mapped_column(String(300), default="", server_default="")
    network: Mapped[str] = mapped_column(String(32), default="", server_default="")
    cast_hour: Mapped[datetime] = mapped_column(default=this_hour)
    # The reader's stance answers (their DebateReader row's), copied onto each of
    # their votes by cast_vote, so the analysis groups a million votes by stance
    # without looking up a reader per vote.
    stance_before: Mapped[str | None] = mapped_column(String(16))
    stance_after: Mapped[str | None] = mapped_column(String(16))


class Tally(Model):
    """One shard of one counter: votes for `choice` on an item.

    A vote adds to a random shard, so concurrent votes on one claim rarely
    wait on the same row; a result is the sum of a handful of shards.
    """

    __tablename__ = "tallies"

    debate_id: Mapped[int] = mapped_column(
        ForeignKey("debates.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    choice: Mapped[str] = mapped_column(String(80), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer, default=0)


class DebateReader(Model):
    """A reader of a debate from their first vote on: the exact count of readers, and
    their answers to the stance question, kept beside their votes so the analysis
    groups votes by stance without a join per vote."""

    __tablename__ = "debate_readers"

    debate_id: Mapped[int] = mapped_column(
        ForeignKey("debates.id", ondelete="CASCADE"), primary_key=True
    )
    reader_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_vote_at: Mapped[datetime] = mapped_column(default=utcnow)
    stance_before: Mapped[str | None] = mapped_column(String(16))
    stance_after: Mapped[str | None] = mapped_column(String(16))


class ResetRecord(Model):
    """A reset of a debate's votes: who, when, and how many votes went."""

    __tablename__ = "resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"), index=True)
    author_email: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    votes_deleted: Mapped[int] = mapped_column(Integer)


class AnalysisRow(Model):
    """A debate's last computed analysis, which every process serves
    (store/analyses.py); at most one process at a time recomputes it."""

    __tablename__ = "analyses"

    debate_id: Mapped[int] = mapped_column(
        ForeignKey("debates.id", ondelete="CASCADE"), primary_key=True
    )
    # Of the read model the analysis was computed for: any change to the debate voids it.
    basis: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime]
    seconds: Mapped[float] = mapped_column(Float)  # how long the computation took
    fingerprint: Mapped[str] = mapped_column(String(32))  # of the figures: the dashboard's ETag
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    # A process recomputing it holds it until then (a lease, so a crash frees it).
    refreshing_until: Mapped[datetime | None]


class Exclusion(Model):
    """Votes an author set aside: those from one embedding site, from one network
    bucket, or cast in a window of hours. Votes stay; every count leaves out the
    votes an active exclusion covers. Including them again lifts the exclusion,
    which stays on record."""

    __tablename__ = "exclusions"
    __table_args__ = (
        CheckConstraint("kind IN ('site', 'network', 'window')", name="exclusion_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    debate_id: Mapped[int] = mapped_column(ForeignKey("debates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(300), default="", server_default="")
    starts_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    set_by: Mapped[str] = mapped_column(String(254))
    set_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_by: Mapped[str | None] = mapped_column(String(254))
    lifted_at: Mapped[datetime | None]
