"""Votes: the one place that writes them and moves the counters, and the
reads of votes and counters.

Each vote is one row per reader and item (a unique constraint guarantees it);
the counters move in the same transaction, so a count always equals a recount
of the rows. Two racing requests of one reader are serialised on the vote row
(PostgreSQL's row lock) or on the database write lock (SQLite: the first
statement is a write, so the lock is held from the start).
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import cast

from sqlalchemy import Executable, Table, bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..core.analysis import VoteRecord
from ..core.debate import Item
from ..core.tally import READERS_KIND, Sums
from .db import DbSession, utcnow
from .models import DebateReader, Tally, Vote

TALLY_SHARDS = 8


@dataclass(frozen=True)
class CastResult:
    choice: str
    previous: str | None

    @property
    def changed(self) -> bool:
        return self.previous != self.choice


def cast_vote(
    session: DbSession,
    debate_id: int,
    kind: str,
    item_key: str,
    reader_id: str,
    choice: str,
    commit: bool = True,
) -> CastResult:
    """Record `choice` as the reader's vote on the item and commit (or leave the
    commit to a caller who reads in the same transaction first).

    The caller has validated the item and the choice; this only keeps the
    rows and counters exact. Statements are built once per dialect and run on
    the session's connection: a vote is a handful of short statements.
    """
    now = utcnow()
    run = session.connection().execute
    sql = _statements(session.get_bind().dialect.name)
    is_new_reader = (
        run(
            sql.add_reader, {"debate_id": debate_id, "reader_id": reader_id, "first_vote_at": now}
        ).first()
        is not None
    )
    inserted = (
        run(
            sql.add_vote,
            {
                "debate_id": debate_id,
                "kind": kind,
                "item_key": item_key,
                "reader_id": reader_id,
                "choice": choice,
                "created_at": now,
                "updated_at": now,
            },
        ).first()
        is not None
    )
    previous = None
    if not inserted:
        item = {
            "in_debate": debate_id,
            "of_kind": kind,
            "on_item": item_key,
            "by_reader": reader_id,
        }
        previous = run(sql.current_choice, item).scalar_one()
        if previous != choice:
            run(sql.change_vote, {**item, "choice": choice, "updated_at": now})
    moves = []
    if previous != choice:
        moves.append((kind, item_key, choice, +1))
        if previous is not None:
            moves.append((kind, item_key, previous, -1))
    if is_new_reader:
        moves.append((READERS_KIND, "all", "all", +1))
    # Counters are locked in one global order, so two voters never deadlock.
    for move_kind, move_key, move_choice, delta in sorted(moves):
        run(
            sql.add_to_tally,
            {
                "debate_id": debate_id,
                "kind": move_kind,
                "item_key": move_key,
                "choice": move_choice,
                "shard": random.randrange(TALLY_SHARDS),
                "count": delta,
            },
        )
    if commit:
        session.commit()
    return CastResult(choice=choice, previous=previous)


@dataclass(frozen=True)
class _VoteStatements:
    add_reader: Executable
    add_vote: Executable
    current_choice: Executable
    change_vote: Executable
    add_to_tally: Executable


@cache
def _statements(dialect: str) -> _VoteStatements:
    """The statements of a vote for one dialect, with bound parameters.

    INSERT ... ON CONFLICT DO NOTHING RETURNING answers whether a row went in
    (rowcount is not reliable across drivers); a counter shard is created or
    added to in one upsert.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    votes, tallies = cast(Table, Vote.__table__), cast(Table, Tally.__table__)
    readers = cast(Table, DebateReader.__table__)
    # Parameters named apart from the columns, which UPDATE ... SET reserves.
    same_item = [
        votes.c.debate_id == bindparam("in_debate"),
        votes.c.kind == bindparam("of_kind"),
        votes.c.item_key == bindparam("on_item"),
        votes.c.reader_id == bindparam("by_reader"),
    ]
    add_to_tally = insert(tallies)
    add_to_tally = add_to_tally.on_conflict_do_update(
        index_elements=list(tallies.primary_key.columns),
        set_={"count": tallies.c.count + add_to_tally.excluded.count},
    )
    return _VoteStatements(
        add_reader=insert(readers).on_conflict_do_nothing().returning(readers.c.reader_id),
        add_vote=insert(votes).on_conflict_do_nothing().returning(votes.c.id),
        current_choice=select(votes.c.choice).where(*same_item).with_for_update(),
        change_vote=update(votes)
        .where(*same_item)
        .values(choice=bindparam("choice"), updated_at=bindparam("updated_at")),
        add_to_tally=add_to_tally,
    )


def reader_choices(session: DbSession, debate_id: int, reader_id: str) -> dict[Item, str]:
    """This reader's current choices in a debate, keyed by (kind, item_key)."""
    rows = session.execute(
        select(Vote.kind, Vote.item_key, Vote.choice).where(
            Vote.debate_id == debate_id, Vote.reader_id == reader_id
        )
    )
    return {(kind, key): choice for kind, key, choice in rows}


_DEBATE_SUMS = (
    select(Tally.kind, Tally.item_key, Tally.choice, func.sum(Tally.count))
    .where(Tally.debate_id == bindparam("debate_id"))
    .group_by(Tally.kind, Tally.item_key, Tally.choice)
)
_ITEM_SUMS = _DEBATE_SUMS.where(
    Tally.kind == bindparam("kind"), Tally.item_key == bindparam("item_key")
)


def counter_sums(session: DbSession, debate_id: int, item: Item | None = None) -> Sums:
    """Sum the shards of every counter of a debate, or of one (kind, key) item:
    one indexed query, built once."""
    if item is None:
        rows = session.connection().execute(_DEBATE_SUMS, {"debate_id": debate_id})
    else:
        rows = session.connection().execute(
            _ITEM_SUMS, {"debate_id": debate_id, "kind": item[0], "item_key": item[1]}
        )
    return {(kind, key, choice): int(total) for kind, key, choice, total in rows}


def vote_records(
    session: DbSession, debate_id: int, batch_size: int = 1000
) -> Iterator[VoteRecord]:
    """Stream a debate's votes in batches, so memory does not grow with the debate.

    Consume it while the session is open (inside the request).
    """
    result = session.execute(
        select(
            Vote.reader_id, Vote.kind, Vote.item_key, Vote.choice, Vote.created_at, Vote.updated_at
        )
        .where(Vote.debate_id == debate_id)
        .execution_options(yield_per=batch_size)
    )
    for row in result:
        yield VoteRecord(*row)
