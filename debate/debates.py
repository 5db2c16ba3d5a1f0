"""Finding a debate by its slug, and a snapshot of it for the hot paths.

A vote reads the debate's claims and options to check its input and to draw
its answer; loading them for every vote cost more than casting it. A
snapshot is the debate with its sides, claims and options loaded, detached
from any session and only ever read, kept per process for
RESULTS_CACHE_SECONDS (a reloaded content file shows within that time). What
must be exact, whether voting is open, is read afresh by whoever needs it.
"""

from flask import abort
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, selectinload

from .caching import process_cache
from .db import db
from .models import Debate


def get_debate_or_404(slug: str) -> Debate:
    debate = db.session.execute(db.select(Debate).filter_by(slug=slug)).scalar_one_or_none()
    if debate is None:
        abort(404, description="There is no debate at this address.")
    return debate


_VOTING_OPEN = select(Debate.voting_open).where(Debate.id == bindparam("debate_id"))


def voting_is_open(debate_id: int) -> bool:
    """Whether the debate takes votes now, not as of its snapshot."""
    row = db.session.connection().execute(_VOTING_OPEN, {"debate_id": debate_id}).first()
    return bool(row and row[0])


def debate_snapshot(slug: str) -> Debate:
    """The debate with everything a page or a vote reads already loaded."""
    return process_cache("snapshots").get((slug,), lambda: _load_snapshot(slug))


def _load_snapshot(slug: str) -> Debate:
    """Load in a session of its own, so the snapshot is never an object the
    request's session holds (and might change or expire)."""
    with Session(db.engine) as session:
        debate = session.execute(
            select(Debate).filter_by(slug=slug)
            .options(selectinload(Debate.sides), selectinload(Debate.claims),
                     selectinload(Debate.options))
        ).scalar_one_or_none()
        session.expunge_all()
    if debate is None:
        abort(404, description="There is no debate at this address.")
    return debate
