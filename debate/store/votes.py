"""Votes: the one place that writes them and moves the counters, and the
reads of votes and counters.

Each vote is one row per reader and item (a unique constraint guarantees it);
the counters move in the same transaction, so a count always equals a recount
of the rows. Two racing requests of one reader are serialised on the vote row
(PostgreSQL's row lock) or on the database write lock (SQLite: the first
statement is a write, so the lock is held from the start).
"""

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import cast

from sqlalchemy import (
    ClauseElement,
    ColumnElement,
    DateTime,
    FromClause,
    String,
    Table,
    Update,
    and_,
    bindparam,
    case,
    distinct,
    exists,
    func,
    not_,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from ..core.analysis import CountedChoice, Stances, VoteCounts, VoteRecord, is_current
from ..core.debate import (
    CLAIM,
    CLAIM_CHOICES,
    NETWORK,
    QUESTION,
    QUESTION_KEY,
    SITE,
    STANCE,
    STANCE_PHASES,
    STANCE_SIDES,
    Exclusion,
    Item,
)
from ..core.segments import BY_HOUR, BY_NETWORK, BY_SITE, SegmentCounts
from ..core.tally import FLOW, READERS_KIND, SET_ASIDE, Sums
from .db import DbSession, driver_cursor, utcnow
from .models import DebateReader, DebateRow, Tally, Vote

TALLY_SHARDS = 8


class NewReaderRefused(Exception):
    """A reader's first vote that the caller's admission refused; roll back."""


class VoteVanished(Exception):
    """The vote's row went while it was changed: a reset won the race."""


@dataclass(frozen=True)
class Provenance:
    """Where a vote came from, without personal data: the origin of the site that
    embedded the poll (or the debate's own site; "" when unknown) and the network
    bucket (web/limits.py network_bucket; "" when unknown). The hour is the write's.
    For the author's segments and exclusions only: nothing else trusts it."""

    site: str = ""
    network: str = ""


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
    admit_new_reader: Callable[[], bool] | None = None,
    provenance: Provenance | None = None,
) -> CastResult:
    """Record `choice` as the reader's vote on the item and commit (or leave the
    commit to a caller who reads in the same transaction first).

    The caller has validated the item and the choice; this only keeps the
    rows and counters exact. A reader's first vote is first put to
    `admit_new_reader` (the new readers' budget), which may refuse it. The vote's
    provenance is that of the request that set its current choice. A vote is a
    handful of short statements, built once per dialect and run on the driver's
    cursor (store/db.py `driver_cursor`) in the session's transaction.
    """
    now = utcnow()
    provenance = provenance or Provenance()
    origin = {
        "site": provenance.site,
        "network": provenance.network,
        "cast_hour": now.replace(minute=0, second=0, microsecond=0),
    }
    dialect = session.get_bind().dialect.name
    sql = _statements(dialect)
    with driver_cursor(session) as cursor:
        reader = {"debate_id": debate_id, "reader_id": reader_id}
        is_new_reader = cursor.first(sql.add_reader, {**reader, "first_vote_at": now}) is not None
        if is_new_reader and admit_new_reader is not None and not admit_new_reader():
            raise NewReaderRefused(debate_id)
        other_stance = None
        if kind == STANCE:
            # The answer goes on the reader's row too, which also gives the other
            # phase's answer; the row's lock makes two racing answers of one reader
            # take turns, so each sees the other's.
            row = cursor.first(
                sql.set_stance[item_key],
                {"in_debate": debate_id, "by_reader": reader_id, "choice": choice},
            )
            other_stance = row[0] if row else None
            cursor.first(
                sql.stance_onto_votes[item_key],
                {"in_debate": debate_id, "by_reader": reader_id, "stance": choice},
            )
        vote = {
            "debate_id": debate_id,
            "kind": kind,
            "item_key": item_key,
            "reader_id": reader_id,
            "choice": choice,
            "created_at": now,
            "updated_at": now,
            **origin,
        }
        inserted = cursor.first(sql.add_vote, vote) is not None
        previous = None
        if not inserted:
            item = {
                "in_debate": debate_id,
                "of_kind": kind,
                "on_item": item_key,
                "by_reader": reader_id,
            }
            row = cursor.first(sql.current_choice, item)
            if row is None:
                raise VoteVanished(debate_id)
            previous = row[0]
            if previous != choice:
                cursor.first(
                    sql.change_vote, {**item, "choice": choice, "updated_at": now, **origin}
                )
        moves = []
        if previous != choice:
            moves.append((kind, item_key, choice, +1))
            if previous is not None:
                moves.append((kind, item_key, previous, -1))
            if kind == STANCE and other_stance is not None:
                moves += _flow_moves(item_key, other_stance, previous, choice)
        if is_new_reader:
            moves.append((READERS_KIND, "all", "all", +1))
        if moves:
            # One statement for all the counters a vote moves, locked in one global
            # order (sorted), so two voters never deadlock.
            shards: dict[str, object] = {}
            for i, (move_kind, move_key, move_choice, delta) in enumerate(sorted(moves)):
                shards |= {
                    f"debate_id_{i}": debate_id,
                    f"kind_{i}": move_kind,
                    f"item_key_{i}": move_key,
                    f"choice_{i}": move_choice,
                    f"shard_{i}": random.randrange(TALLY_SHARDS),
                    f"count_{i}": delta,
                }
            cursor.first(_add_to_tallies(dialect, len(moves)), shards)
    if commit:
        session.commit()
    return CastResult(choice=choice, previous=previous)


def _flow_moves(
    phase: str, other: str, previous: str | None, choice: str
) -> list[tuple[str, str, str, int]]:
    """The flow counters a changed stance answer moves for a reader who answered
    both phases: kind FLOW, key the stance before, choice the stance after."""

    def flow(mine: str) -> tuple[str, str]:
        return (mine, other) if phase == "before" else (other, mine)

    moves = [(FLOW, *flow(choice), +1)]
    if previous is not None:
        moves.append((FLOW, *flow(previous), -1))
    return moves


@dataclass(frozen=True)
class _VoteStatements:
    add_reader: ClauseElement
    add_vote: ClauseElement
    current_choice: ClauseElement
    change_vote: ClauseElement
    set_stance: dict[str, ClauseElement]  # per phase; returns the other phase's answer
    stance_onto_votes: dict[str, ClauseElement]  # per phase: onto the reader's votes


def _reader_stance_update(table: Table, phase: str, value: str) -> Update:
    """Set one reader's stance answer of `phase` to the parameter `value` on their
    rows of `table`: their reader's row, or every vote of theirs."""
    return (
        update(table)
        .where(
            table.c.debate_id == bindparam("in_debate"),
            table.c.reader_id == bindparam("by_reader"),
        )
        .values({f"stance_{phase}": bindparam(value)})
    )


@cache
def _statements(dialect: str) -> _VoteStatements:
    """The statements of a vote for one dialect, with bound parameters.

    INSERT ... ON CONFLICT DO NOTHING RETURNING answers whether a row went in
    (rowcount is not reliable across drivers); a counter shard is created or
    added to in one upsert.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    votes, readers = cast(Table, Vote.__table__), cast(Table, DebateReader.__table__)
    debates = cast(Table, DebateRow.__table__)
    # Parameters named apart from the columns, which UPDATE ... SET reserves.
    same_item = [
        votes.c.debate_id == bindparam("in_debate"),
        votes.c.kind == bindparam("of_kind"),
        votes.c.item_key == bindparam("on_item"),
        votes.c.reader_id == bindparam("by_reader"),
    ]
    # The reader's row is added from the debate's row, held in share mode (on
    # PostgreSQL; SQLite's one writer needs no lock): a reset takes it exclusively
    # (store/debates.py), so votes and resets of one debate exclude each other, and
    # the hold costs the vote no statement of its own.
    held_debate = (
        select(
            debates.c.id,
            bindparam("reader_id", type_=String()),
            bindparam("first_vote_at", type_=DateTime()),
        )
        .where(debates.c.id == bindparam("debate_id"))
        .with_for_update(read=True)
    )
    add_reader = (
        insert(readers)
        .from_select(["debate_id", "reader_id", "first_vote_at"], held_debate)
        .on_conflict_do_nothing()
        .returning(readers.c.reader_id)
    )
    # A new vote carries the reader's stances, read from their row, which it holds
    # in share mode (on PostgreSQL) until it commits: a stance answer of the same
    # reader racing it updates that row first and their votes after, so each of
    # the two sees the other's (SQLite has one writer at a time).
    given = {
        column: bindparam(column, type_=votes.c[column].type)
        for column in (
            *("debate_id", "kind", "item_key", "reader_id", "choice"),
            *("created_at", "updated_at", "site", "network", "cast_hour"),
        )
    }
    with_stances = (
        select(*given.values(), readers.c.stance_before, readers.c.stance_after)
        .where(
            readers.c.debate_id == given["debate_id"],
            readers.c.reader_id == given["reader_id"],
        )
        .with_for_update(read=True)
    )
    add_vote = (
        insert(votes)
        .from_select([*given, "stance_before", "stance_after"], with_stances)
        .on_conflict_do_nothing()
        .returning(votes.c.id)
    )
    return _VoteStatements(
        add_reader=add_reader,
        add_vote=add_vote,
        current_choice=select(votes.c.choice).where(*same_item).with_for_update(),
        change_vote=update(votes)
        .where(*same_item)
        .values(
            choice=bindparam("choice"),
            updated_at=bindparam("updated_at"),
            site=bindparam("site"),
            network=bindparam("network"),
            cast_hour=bindparam("cast_hour"),
        ),
        set_stance={
            phase: _reader_stance_update(readers, phase, "choice").returning(
                readers.c[f"stance_{other}"]
            )
            for phase, other in (("before", "after"), ("after", "before"))
        },
        # Only the votes that do not carry the answer yet: answering the same again
        # rewrites no vote (nor its entries in the indexes by stance).
        stance_onto_votes={
            phase: _reader_stance_update(votes, phase, "stance").where(
                votes.c[f"stance_{phase}"].is_distinct_from(bindparam("stance"))
            )
            for phase in STANCE_PHASES
        },
    )


@cache
def _add_to_tallies(dialect: str, rows: int) -> ClauseElement:
    """Add to `rows` counter shards in one upsert (each created, or added to), in the
    order of its parameters `<column>_<row>`."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    tallies = cast(Table, Tally.__table__)
    columns = ("debate_id", "kind", "item_key", "choice", "shard", "count")
    statement = insert(tallies).values(
        [{column: bindparam(f"{column}_{row}") for column in columns} for row in range(rows)]
    )
    return statement.on_conflict_do_update(
        index_elements=list(tallies.primary_key.columns),
        set_={"count": tallies.c.count + statement.excluded.count},
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


def counter_sums(
    session: DbSession,
    debate_id: int,
    item: Item | None = None,
    exclusions: Iterable[Exclusion] = (),
) -> Sums:
    """Sum the shards of every counter of a debate, or of one (kind, key) item:
    one indexed query, built once. With exclusions in force, the votes they cover
    are counted (grouped, as the counters count them) and taken off, and the sums
    of the whole debate say how many were set aside (SET_ASIDE)."""
    with driver_cursor(session) as cursor:
        if item is None:
            rows = cursor.all(_DEBATE_SUMS, {"debate_id": debate_id})
        else:
            rows = cursor.all(
                _ITEM_SUMS, {"debate_id": debate_id, "kind": item[0], "item_key": item[1]}
            )
    sums = {(kind, key, choice): int(total) for kind, key, choice, total in rows}
    covered = set_aside(_votes(), exclusions)
    if covered is None:
        return sums
    for key, n in _set_aside_sums(session, debate_id, exclusions, covered, item).items():
        sums[key] = sums.get(key, 0) - n if key != SET_ASIDE else n
    return sums


def _votes() -> Table:
    return cast(Table, Vote.__table__)


def set_aside(votes: FromClause, exclusions: Iterable[Exclusion]) -> ColumnElement[bool] | None:
    """Whether a vote (a row of `votes`, the table or an alias) is covered by one of
    the author's exclusions in force; None when there are none. Every count that
    leaves out set-aside votes uses this one condition."""
    conditions: list[ColumnElement[bool]] = []
    for exclusion in exclusions:
        if exclusion.kind == SITE:
            conditions.append(votes.c.site == exclusion.value)
        elif exclusion.kind == NETWORK:
            conditions.append(votes.c.network == exclusion.value)
        elif exclusion.starts_at is not None and exclusion.ends_at is not None:
            conditions.append(
                and_(
                    votes.c.cast_hour >= exclusion.starts_at, votes.c.cast_hour < exclusion.ends_at
                )
            )
    return or_(*conditions) if conditions else None


def _same_reader(rows: FromClause, others: FromClause) -> ColumnElement[bool]:
    """Rows of one debate's reader, in two tables (or aliases) that name both."""
    return and_(rows.c.debate_id == others.c.debate_id, rows.c.reader_id == others.c.reader_id)


def _stands(votes: FromClause, exclusions: Iterable[Exclusion]) -> ColumnElement[bool]:
    """Whether a vote is not set aside (every vote, without exclusions)."""
    covered = set_aside(votes, exclusions)
    return true() if covered is None else not_(covered)


def _set_aside_sums(
    session: DbSession,
    debate_id: int,
    exclusions: Iterable[Exclusion],
    covered: ColumnElement[bool],
    item: Item | None,
) -> Sums:
    """What the counters hold for the votes set aside: their items' counts; for the
    whole debate also the flows of readers one of whose two stance answers is set
    aside, the readers all of whose votes are, and how many votes that is."""
    run = session.connection().execute
    votes = _votes()
    in_debate = votes.c.debate_id == debate_id
    of_item = [] if item is None else [votes.c.kind == item[0], votes.c.item_key == item[1]]
    sums: Sums = {
        (kind, key, choice): n
        for kind, key, choice, n in run(
            select(votes.c.kind, votes.c.item_key, votes.c.choice, func.count())
            .where(in_debate, covered, *of_item)
            .group_by(votes.c.kind, votes.c.item_key, votes.c.choice)
        )
    }
    if item is not None:
        return sums
    sums[SET_ASIDE] = sum(sums.values())
    before, after = votes.alias("stance_before"), votes.alias("stance_after")
    either_set_aside = not_(and_(_stands(before, exclusions), _stands(after, exclusions)))
    for b, a, n in run(
        select(before.c.choice, after.c.choice, func.count())
        .select_from(before.join(after, _same_reader(after, before)))
        .where(
            before.c.debate_id == debate_id,
            before.c.kind == STANCE,
            before.c.item_key == "before",
            after.c.kind == STANCE,
            after.c.item_key == "after",
            either_set_aside,
        )
        .group_by(before.c.choice, after.c.choice)
    ):
        sums[FLOW, b, a] = n
    other = votes.alias("kept")  # an alias: the subquery must not correlate to `votes`
    kept = select(other.c.reader_id).where(
        other.c.debate_id == debate_id, _stands(other, exclusions)
    )
    sums[READERS_KIND, "all", "all"] = run(
        select(func.count(distinct(votes.c.reader_id))).where(
            in_debate, covered, votes.c.reader_id.not_in(kept)
        )
    ).scalar_one()
    return sums


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


def vote_counts(
    session: DbSession,
    debate_id: int,
    claim_keys: Iterable[str],
    option_keys: Iterable[str],
    exclusions: Iterable[Exclusion] = (),
    stale: bool | None = None,
) -> VoteCounts:
    """A debate's current votes counted for the analysis by three grouped queries:
    what count_votes counts from records, without reading every vote into Python.
    A reader's stances are on their row (debate_readers) and on each of their
    votes, so votes are grouped by stance from an index alone.

    With exclusions in force, set-aside votes are not counted: a reader's stances
    are then their stance votes that stand (looked up per reader), and a reader
    counts only with a vote that stands. `stale`: has_stale_votes, if known."""
    exclusions, claim_keys, option_keys = tuple(exclusions), tuple(claim_keys), tuple(option_keys)
    if stale is None:
        stale = has_stale_votes(session, debate_id, claim_keys, option_keys)
    votes, readers = _votes(), cast(Table, DebateReader.__table__)
    current = _current(votes, claim_keys, option_keys, stale)
    run = session.connection().execute
    reader_rows: FromClause = readers
    before, after = readers.c.stance_before, readers.c.stance_after
    with_a_vote: list[ColumnElement[bool]] = []
    covered = set_aside(votes, exclusions)
    set_aside_votes = 0
    if covered is not None:
        current = and_(current, not_(covered))
        stance_before, stance_after = votes.alias("stance_before"), votes.alias("stance_after")
        for alias, phase in ((stance_before, "before"), (stance_after, "after")):
            reader_rows = reader_rows.outerjoin(
                alias,
                and_(
                    _same_reader(alias, readers),
                    alias.c.kind == STANCE,
                    alias.c.item_key == phase,
                    _stands(alias, exclusions),
                ),
            )
        before, after = stance_before.c.choice, stance_after.c.choice
        standing = votes.alias("standing")
        with_a_vote.append(
            exists().where(_same_reader(standing, readers), _stands(standing, exclusions))
        )
        set_aside_votes = run(
            select(func.count()).where(votes.c.debate_id == debate_id, covered)
        ).scalar_one()
    stances: dict[Stances, int] = {
        (b, a): n
        for b, a, n in run(
            select(before, after, func.count())
            .select_from(reader_rows)
            .where(readers.c.debate_id == debate_id, *with_a_vote)
            .group_by(before, after)
        )
    }
    voted: FromClause
    among: list[ColumnElement[bool]]
    if covered is None:  # each vote carries its reader's stances (ix_votes_by_stance)
        voted, before, after = votes, votes.c.stance_before, votes.c.stance_after
        among = [votes.c.debate_id == debate_id]
    else:
        voted = reader_rows.join(votes, _same_reader(votes, readers))
        among = [readers.c.debate_id == debate_id]
    choices: dict[CountedChoice, int] = {
        (kind, key, choice, (b, a)): n
        for kind, key, choice, b, a, n in run(
            select(votes.c.kind, votes.c.item_key, votes.c.choice, before, after, func.count())
            .select_from(voted)
            .where(*among, votes.c.kind != STANCE, current)
            .group_by(votes.c.kind, votes.c.item_key, votes.c.choice, before, after)
        )
    }
    minute = (
        func.date_trunc("minute", votes.c.created_at)
        if session.get_bind().dialect.name == "postgresql"
        else func.substr(votes.c.created_at, 1, 16)  # SQLite's text: "YYYY-MM-DD HH:MM"
    )
    per_minute: dict[datetime, int] = {}
    first = last = None
    for at, n, earliest, latest in run(
        select(minute, func.count(), func.min(votes.c.created_at), func.max(votes.c.updated_at))
        .where(votes.c.debate_id == debate_id, current)
        .group_by(minute)
    ):
        per_minute[_as_datetime(at)] = n
        earliest, latest = _as_datetime(earliest), _as_datetime(latest)
        first = earliest if first is None else min(first, earliest)
        last = latest if last is None else max(last, latest)
    return VoteCounts(
        sum(stances.values()),
        sum(per_minute.values()),
        first,
        last,
        stances,
        choices,
        per_minute,
        set_aside_votes,
    )


def has_stale_votes(
    session: DbSession, debate_id: int, claim_keys: Iterable[str], option_keys: Iterable[str]
) -> bool:
    """Whether the debate keeps votes on a claim, option or choice it no longer has
    (its content file dropped one), which its counts leave out: the counters say,
    so counting the votes need not test each one."""
    claims, options = set(claim_keys), set(option_keys)
    return not all(
        is_current(kind, key, choice, claims, options)
        for (kind, key, choice), n in counter_sums(session, debate_id).items()
        if n and kind in (CLAIM, QUESTION, STANCE)
    )


def _current(
    votes: Table, claim_keys: Iterable[str], option_keys: Iterable[str], stale: bool
) -> ColumnElement[bool]:
    """A vote the debate still has an item and a choice for (core.analysis.is_current):
    every vote, unless the debate has `stale` votes, since at a million votes a
    test on each vote costs a count about half its time."""
    if not stale:
        return true()
    return or_(
        and_(
            votes.c.kind == CLAIM,
            votes.c.item_key.in_(sorted(claim_keys)),
            votes.c.choice.in_(CLAIM_CHOICES),
        ),
        and_(
            votes.c.kind == QUESTION,
            votes.c.item_key == QUESTION_KEY,
            votes.c.choice.in_(sorted(option_keys)),
        ),
        and_(
            votes.c.kind == STANCE,
            votes.c.item_key.in_(STANCE_PHASES),
            votes.c.choice.in_(STANCE_SIDES),
        ),
    )


def segment_counts(
    session: DbSession,
    debate_id: int,
    claim_keys: Iterable[str],
    option_keys: Iterable[str],
    exclusions: Iterable[Exclusion] = (),
    networks: int = 10,
    stale: bool | None = None,
) -> SegmentCounts:
    """The current votes not set aside, per embedding site, per hour and per network
    bucket (the `networks` busiest), each by hour and by closing answer. Two grouped
    queries: sites by hour (the hours' segments are their sums, so one scan serves
    both) and the busiest networks by hour. Each groups by columns only, in the
    order of an index that holds them (ix_votes_by_site, ix_votes_by_network), so
    SQLite reads the index alone and sorts nothing; a vote's closing answer is its
    choice when it is on the question. `stale`: has_stale_votes, if known."""
    claim_keys, option_keys = tuple(claim_keys), tuple(option_keys)
    if stale is None:
        stale = has_stale_votes(session, debate_id, claim_keys, option_keys)
    votes = _votes()
    counted = [
        votes.c.debate_id == debate_id,
        _current(votes, claim_keys, option_keys, stale),
        _stands(votes, exclusions),
    ]
    busiest = (
        select(votes.c.network)
        .where(*counted)
        .group_by(votes.c.network)
        .order_by(func.count().desc(), votes.c.network)
        .limit(networks)
    )
    found = SegmentCounts()

    def add(kind: str, segment: str, hour: datetime, option: str | None, n: int) -> None:
        found.votes[kind, segment, hour] = found.votes.get((kind, segment, hour), 0) + n
        if option is not None:
            found.answers[kind, segment, option] = found.answers.get((kind, segment, option), 0) + n

    for column, among, kinds in (
        (votes.c.site, [], (BY_SITE, BY_HOUR)),
        (votes.c.network, [votes.c.network.in_(busiest.scalar_subquery())], (BY_NETWORK,)),
    ):
        rows = session.connection().execute(
            select(column, votes.c.cast_hour, votes.c.kind, votes.c.choice, func.count())
            .where(*counted, *among)
            .group_by(column, votes.c.cast_hour, votes.c.kind, votes.c.choice)
        )
        for value, cast_hour, kind_voted, choice, n in rows:
            hour = _as_datetime(cast_hour)
            option = choice if kind_voted == QUESTION else None
            for kind in kinds:
                add(
                    kind,
                    hour.isoformat(timespec="minutes") if kind == BY_HOUR else value,
                    hour,
                    option,
                    n,
                )
    return found


def votes_covered(
    session: DbSession, debate_id: int, exclusions: Iterable[Exclusion]
) -> dict[int, int]:
    """How many of a debate's votes each exclusion covers (a vote may be covered
    by several), in one pass over its votes."""
    exclusions = tuple(exclusions)
    if not exclusions:
        return {}
    votes = _votes()
    sums = [
        func.sum(case((cast(ColumnElement[bool], set_aside(votes, [e])), 1), else_=0))
        for e in exclusions
    ]
    row = session.connection().execute(select(*sums).where(votes.c.debate_id == debate_id)).one()
    return {e.id: int(n or 0) for e, n in zip(exclusions, row, strict=True)}


def _as_datetime(value: datetime | str) -> datetime:
    """SQLite hands aggregates of datetimes back as text."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
