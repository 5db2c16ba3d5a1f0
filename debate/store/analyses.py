"""A debate's analysis, computed once for every process and host.

At a million votes the analysis costs a second or two of a core, and an open
dashboard polls every few seconds, reaching whichever process (or host) the
load balancer picks. So the last result is kept in the database beside the
votes, one row per debate: every process serves it, and when it is older than
it may be, one process at a time (a lease on the row) recomputes it while the
others go on serving the last one. A reset deletes it with the votes; any
change to the debate itself (its read model) voids it.

The figures are pickled: they are the app's own frozen values, and the database
is as trusted as the code that reads it. A row this code cannot read (written
by another version) counts as no row.
"""

import hashlib
import logging
import pickle
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult

from ..core.analysis import DebateAnalysis, analyse
from ..core.debate import Debate
from ..core.segments import SegmentRule, find_segments
from .db import DbSession, utcnow
from .models import AnalysisRow
from .votes import has_stale_votes, segment_counts, vote_counts

log = logging.getLogger(__name__)


# Recomputing a debate's figures may take at most this share of a core: at a
# million votes on SQLite (1.2-1.5 s) they are then kept longer than a poll
# interval. Under a tenth, so the polls and the page's own requests fit beside it.
ANALYSIS_CORE_SHARE = 0.08


def kept_seconds(computation_seconds: float, poll_seconds: float) -> float:
    """How long figures that took `computation_seconds` to compute are served before
    they are recomputed: a poll interval, or longer when recomputing them that often
    would take more than ANALYSIS_CORE_SHARE of a core."""
    return max(poll_seconds, computation_seconds / ANALYSIS_CORE_SHARE)


@dataclass(frozen=True)
class Stamp:
    """All of a stored analysis but its figures: what a poll needs to answer 304,
    and to tell whether the figures are due to be recomputed, without reading them
    (unpickling them was most of a poll's cost at a million votes)."""

    computed_at: datetime
    seconds: float  # how long computing it took
    fingerprint: str  # of the figures alone: unchanged figures keep the dashboard's ETag
    refreshing_until: datetime | None = None  # while a process holds the lease to recompute

    def due(self, now: datetime, poll_seconds: float) -> bool:
        """Kept as long as `kept_seconds` says, and no process is recomputing them."""
        if self.refreshing_until is not None and self.refreshing_until > now:
            return False
        return now - self.computed_at >= timedelta(seconds=kept_seconds(self.seconds, poll_seconds))


@dataclass(frozen=True)
class StoredAnalysis:
    stamp: Stamp
    analysis: DebateAnalysis


def _digest(value: object, size: int) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=size).hexdigest()


def basis_of(debate: Debate) -> str:
    """What the analysis was computed for: the debate as it stood (content, poll settings)."""
    return _digest(debate, 16)


def compute(session: DbSession, debate: Debate, rule: SegmentRule) -> StoredAnalysis:
    """The analysis from the votes as they are now (those not set aside), counted by
    the database, with the segments they come in (flagged by `rule`, whose minimum
    group is the analysis's too)."""
    started = time.perf_counter()
    claims, options, exclusions = (
        [c.key for c in debate.claims],
        debate.option_keys,
        debate.exclusions,
    )
    stale = has_stale_votes(session, debate.id, claims, options)
    counts = vote_counts(session, debate.id, claims, options, exclusions, stale)
    found = segment_counts(
        session, debate.id, claims, options, exclusions, rule.networks_shown, stale
    )
    analysis = analyse(debate, counts, rule.min_n, find_segments(found, rule))
    seconds = time.perf_counter() - started
    return StoredAnalysis(Stamp(utcnow(), seconds, _digest(analysis, 12)), analysis)


_STAMP_COLUMNS = (
    AnalysisRow.computed_at,
    AnalysisRow.seconds,
    AnalysisRow.fingerprint,
    AnalysisRow.refreshing_until,
)


def _of_debate_as_it_is(debate: Debate):
    """The debate's row, if its figures were computed for the debate as it is (a
    row whose first computation is under way has no fingerprint yet)."""
    return (
        AnalysisRow.debate_id == debate.id,
        AnalysisRow.basis == basis_of(debate),
        AnalysisRow.fingerprint != "",
    )


def stamp(session: DbSession, debate: Debate) -> Stamp | None:
    """The stamp of the debate's last analysis, without reading its figures."""
    row = session.execute(select(*_STAMP_COLUMNS).where(*_of_debate_as_it_is(debate))).first()
    return None if row is None else Stamp(*row)


def latest(session: DbSession, debate: Debate) -> StoredAnalysis | None:
    """The debate's last analysis, if it was computed for the debate as it is."""
    row = session.execute(
        select(*_STAMP_COLUMNS, AnalysisRow.payload).where(*_of_debate_as_it_is(debate))
    ).first()
    if row is None:
        return None
    try:
        analysis = pickle.loads(row.payload)
    except Exception:  # written by another version of the code: compute it anew
        log.info("the stored analysis of %s is unreadable; computing it anew", debate.slug)
        return None
    return StoredAnalysis(Stamp(*row[:4]), analysis)


def save(session: DbSession, debate: Debate, stored: StoredAnalysis) -> None:
    """Keep `stored` as the debate's analysis and free its lease; the caller commits."""
    values = {
        "basis": basis_of(debate),
        "computed_at": stored.stamp.computed_at,
        "seconds": stored.stamp.seconds,
        "fingerprint": stored.stamp.fingerprint,
        "payload": pickle.dumps(stored.analysis, protocol=pickle.HIGHEST_PROTOCOL),
        "refreshing_until": None,
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(AnalysisRow)
        .values(debate_id=debate.id, **values)
        .on_conflict_do_update(index_elements=[AnalysisRow.debate_id], set_=values)
    )


def take_refresh(session: DbSession, debate_id: int, seconds: float) -> bool:
    """Lease the recomputation of a debate's analysis to this process for
    `seconds`, unless another holds it; the caller commits. A process that dies
    while computing frees it when the lease runs out."""
    now = utcnow()
    result = session.execute(
        update(AnalysisRow)
        .where(
            AnalysisRow.debate_id == debate_id,
            or_(AnalysisRow.refreshing_until.is_(None), AnalysisRow.refreshing_until < now),
        )
        .values(refreshing_until=now + timedelta(seconds=seconds))
    )
    return cast(CursorResult[Any], result).rowcount == 1


def take_first(session: DbSession, debate: Debate, seconds: float, unreadable: str = "") -> bool:
    """Lease the first computation of the debate's analysis as it is (none stored,
    one of the debate as it was, or the figures fingerprinted `unreadable`, which
    this process could not read) to this process for `seconds`, unless another
    holds it; the caller commits. The row holds no figures until it is saved."""
    now = utcnow()
    placeholder = {
        "basis": basis_of(debate),
        "computed_at": now,
        "seconds": 0.0,
        "fingerprint": "",
        "payload": b"",
        "refreshing_until": now + timedelta(seconds=seconds),
    }
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    inserted = session.execute(
        dialect.insert(AnalysisRow)
        .values(debate_id=debate.id, **placeholder)
        .on_conflict_do_nothing(index_elements=[AnalysisRow.debate_id])
        .returning(AnalysisRow.debate_id)  # an ORM insert's rowcount is not told
    )
    if inserted.first() is not None:
        return True
    voided = session.execute(
        update(AnalysisRow)
        .where(
            AnalysisRow.debate_id == debate.id,
            or_(AnalysisRow.refreshing_until.is_(None), AnalysisRow.refreshing_until < now),
            or_(
                AnalysisRow.basis != placeholder["basis"],
                AnalysisRow.fingerprint.in_(("", unreadable)),
            ),
        )
        .values(**placeholder)
    )
    return cast(CursorResult[Any], voided).rowcount == 1
