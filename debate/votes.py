"""Casting a vote: the one place that writes votes and moves the counters.

Each vote is one row per reader and item (a unique constraint guarantees it);
the counters move in the same transaction, so a count always equals a recount
of the rows. Two racing requests of one reader are serialised on the vote row
(PostgreSQL's row lock) or on the database write lock (SQLite: the first
statement is a write, so the lock is held from the start).
"""

import random
from dataclasses import dataclass

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .models import DebateReader, Tally, Vote, utcnow

TALLY_SHARDS = 8
READERS_KIND = "readers"


@dataclass(frozen=True)
class CastResult:
    choice: str
    previous: str | None

    @property
    def changed(self) -> bool:
        return self.previous != self.choice


def cast_vote(
    session: Session, debate_id: int, kind: str, item_key: str, reader_id: str, choice: str
) -> CastResult:
    """Record `choice` as the reader's vote on the item and commit.

    The caller has validated the item and the choice; this only keeps the
    rows and counters exact.
    """
    now = utcnow()
    is_new_reader = _insert_ignoring_conflict(session, DebateReader, {
        "debate_id": debate_id, "reader_id": reader_id, "first_vote_at": now,
    })
    inserted = _insert_ignoring_conflict(session, Vote, {
        "debate_id": debate_id, "kind": kind, "item_key": item_key, "reader_id": reader_id,
        "choice": choice, "created_at": now, "updated_at": now,
    })
    if inserted:
        previous = None
    else:
        previous = session.execute(
            select(Vote.choice)
            .where(Vote.debate_id == debate_id, Vote.kind == kind,
                   Vote.item_key == item_key, Vote.reader_id == reader_id)
            .with_for_update()
        ).scalar_one()
        if previous != choice:
            session.execute(
                update(Vote)
                .where(Vote.debate_id == debate_id, Vote.kind == kind,
                       Vote.item_key == item_key, Vote.reader_id == reader_id)
                .values(choice=choice, updated_at=now)
            )
    moves = []
    if previous != choice:
        moves.append((kind, item_key, choice, +1))
        if previous is not None:
            moves.append((kind, item_key, previous, -1))
    if is_new_reader:
        moves.append((READERS_KIND, "all", "all", +1))
    # Counters are locked in one global order, so two voters never deadlock.
    for move in sorted(moves):
        _add_to_tally(session, debate_id, *move)
    session.commit()
    return CastResult(choice=choice, previous=previous)


def _dialect_insert(session: Session, model):
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(model)


def _insert_ignoring_conflict(session: Session, model, values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True when the row is new."""
    statement = _dialect_insert(session, model).values(**values).on_conflict_do_nothing()
    # RETURNING answers whether a row went in; rowcount is not reliable across drivers.
    key = next(iter(model.__table__.primary_key.columns))
    return session.execute(statement.returning(key)).first() is not None


def _add_to_tally(
    session: Session, debate_id: int, kind: str, item_key: str, choice: str, delta: int
) -> None:
    """Add delta to a random shard of the counter, creating the shard if needed."""
    insert = _dialect_insert(session, Tally).values(
        debate_id=debate_id, kind=kind, item_key=item_key, choice=choice,
        shard=random.randrange(TALLY_SHARDS), count=delta,
    )
    session.execute(insert.on_conflict_do_update(
        index_elements=[Tally.debate_id, Tally.kind, Tally.item_key, Tally.choice, Tally.shard],
        set_={"count": Tally.count + insert.excluded.count},
    ))


def reader_choices(session: Session, debate_id: int, reader_id: str) -> dict[tuple[str, str], str]:
    """This reader's current choices in a debate, keyed by (kind, item_key)."""
    rows = session.execute(
        select(Vote.kind, Vote.item_key, Vote.choice)
        .where(Vote.debate_id == debate_id, Vote.reader_id == reader_id)
    )
    return {(kind, key): choice for kind, key, choice in rows}


def count_votes(session: Session, debate_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Vote).where(Vote.debate_id == debate_id))


def delete_all_votes(session: Session, debate_id: int) -> int:
    """Delete a debate's votes, readers and counters in one transaction; return
    how many votes went. The caller commits, so a failure deletes nothing."""
    deleted = session.execute(delete(Vote).where(Vote.debate_id == debate_id)).rowcount
    for model in (DebateReader, Tally):
        session.execute(delete(model).where(model.debate_id == debate_id))
    return deleted
