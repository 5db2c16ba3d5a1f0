"""A debate's rows <-> its read model, and the author's writes to a debate.

Loading a content file is idempotent and keeps votes: votes and counters are
keyed by item keys, which loading never rewrites. Every function runs in the
caller's transaction, so a failure leaves nothing half-written; whoever
commits an author's write then invalidates the cache (cache/store.py).
"""

from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.orm import selectinload

from ..core.debate import WINDOW, Claim, Debate, Exclusion, Option, Side
from .db import DbSession, utcnow
from .models import (
    AnalysisRow,
    ClaimRow,
    DebateReader,
    DebateRow,
    OptionRow,
    ResetRecord,
    SideRow,
    Tally,
    Vote,
)
from .models import Exclusion as ExclusionRow

# The records of a debate that its dashboard lists (_records_of).
Record = TypeVar("Record", ResetRecord, ExclusionRow)


def debate_slugs(session: DbSession) -> frozenset[str]:
    """The slug of every stored debate."""
    return frozenset(session.scalars(select(DebateRow.slug)))


def load_debate(session: DbSession, slug: str) -> Debate | None:
    """The read model of the stored debate with this slug, or None."""
    row = session.execute(
        select(DebateRow)
        .filter_by(slug=slug)
        .options(
            selectinload(DebateRow.sides),
            selectinload(DebateRow.claims),
            selectinload(DebateRow.options),
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    in_force = session.scalars(
        select(ExclusionRow)
        .where(ExclusionRow.debate_id == row.id, ExclusionRow.lifted_at.is_(None))
        .order_by(ExclusionRow.id)
    )
    return read_model(row, tuple(_exclusion(e) for e in in_force))


def _exclusion(row: ExclusionRow) -> Exclusion:
    return Exclusion(row.id, row.kind, row.value, row.starts_at, row.ends_at)


def read_model(row: DebateRow, exclusions: tuple[Exclusion, ...] = ()) -> Debate:
    return Debate(
        slug=row.slug,
        title=row.title,
        lede=row.lede,
        context_html=row.context_html,
        sides=tuple(Side(s.side, s.title, s.intro_html) for s in row.sides),
        claims=tuple(Claim(c.key, c.side, c.title, c.text_html) for c in row.claims),
        conclusion_html=row.conclusion_html,
        question_text=row.question_text,
        options=tuple(Option(o.key, o.label) for o in row.options),
        embed_any_site=row.embed_any_site,
        embed_allowed_sites=tuple(row.embed_allowed_sites.split()),
        author=row.author,
        published=row.published,
        canonical_url=row.canonical_url,
        description=row.description,
        id=row.id,
        voting_open=row.voting_open,
        results_visibility=row.results_visibility,
        owner_id=row.owner_id,
        exclusions=exclusions,
    )


def save_debate(session: DbSession, debate: Debate) -> tuple[DebateRow, bool]:
    """Store a parsed debate: create it, or update the one with its slug in place.
    Return its row and whether it is new. Voting and visibility are left as they are,
    and so are the embedding sites unless the file lists some (then only those)."""
    row = session.scalars(select(DebateRow).where(DebateRow.slug == debate.slug)).one_or_none()
    created = row is None
    if row is None:
        row = DebateRow(slug=debate.slug)
        session.add(row)
    row.title = debate.title
    row.lede = debate.lede
    row.context_html = debate.context_html
    row.conclusion_html = debate.conclusion_html
    row.question_text = debate.question_text
    if not debate.embed_any_site:  # the file lists the only sites that may embed it
        row.embed_any_site, row.embed_allowed_sites = False, " ".join(debate.embed_allowed_sites)
    row.author, row.published = debate.author, debate.published
    row.canonical_url, row.description = debate.canonical_url, debate.description
    _sync(
        row.sides,
        SideRow,
        "side",
        [{"side": s.side, "title": s.title, "intro_html": s.intro_html} for s in debate.sides],
    )
    _sync(
        row.claims,
        ClaimRow,
        "key",
        [
            {"key": c.key, "side": c.side, "title": c.title, "text_html": c.text_html}
            for c in debate.claims
        ],
    )
    _sync(row.options, OptionRow, "key", [{"key": o.key, "label": o.label} for o in debate.options])
    session.flush()
    return row, created


def _sync(rows: list, model, key_field: str, wanted: list[dict]) -> None:
    """Make `rows` match `wanted` by key: update, add, drop; positions follow the file."""
    existing = {getattr(row, key_field): row for row in rows}
    rows.clear()
    for position, values in enumerate(wanted):
        row = existing.get(values[key_field]) or model()
        for name, value in values.items():
            setattr(row, name, value)
        row.position = position
        rows.append(row)


def owned_debates(
    session: DbSession, owner_id: int
) -> list[tuple[DebateRow, int, int, datetime | None]]:
    """An author's debates by title, each with its readers, its votes and its last vote:
    one statement whose counts the database groups by debate, however many there are."""
    owned = select(DebateRow.id).where(DebateRow.owner_id == owner_id)
    votes = (
        select(
            Vote.debate_id,
            func.count().label("votes"),
            func.max(Vote.updated_at).label("last_vote"),
        )
        .where(Vote.debate_id.in_(owned))
        .group_by(Vote.debate_id)
        .subquery()
    )
    readers = (
        select(DebateReader.debate_id, func.count().label("readers"))
        .where(DebateReader.debate_id.in_(owned))
        .group_by(DebateReader.debate_id)
        .subquery()
    )
    rows = session.execute(
        select(
            DebateRow,
            func.coalesce(readers.c.readers, 0),
            func.coalesce(votes.c.votes, 0),
            votes.c.last_vote,
        )
        .outerjoin(readers, readers.c.debate_id == DebateRow.id)
        .outerjoin(votes, votes.c.debate_id == DebateRow.id)
        .where(DebateRow.owner_id == owner_id)
        .order_by(DebateRow.title)
    )
    return [(row, n_readers, n_votes, last) for row, n_readers, n_votes, last in rows]


def count_votes(session: DbSession, debate_id: int) -> int:
    count = session.scalar(
        select(func.count()).select_from(Vote).where(Vote.debate_id == debate_id)
    )
    return cast(int, count)  # COUNT(*) always answers a row


def reset_votes(session: DbSession, debate_id: int, author_email: str) -> int:
    """Delete a debate's votes and record who did it; return how many went."""
    deleted = delete_all_votes(session, debate_id)
    session.add(ResetRecord(debate_id=debate_id, author_email=author_email, votes_deleted=deleted))
    return deleted


def resets_of(session: DbSession, debate_id: int, limit: int = 10) -> list[ResetRecord]:
    """The debate's latest resets, newest first."""
    order = (ResetRecord.at.desc(), ResetRecord.id.desc())
    return _records_of(session, ResetRecord, debate_id, order, limit)


def delete_all_votes(session: DbSession, debate_id: int) -> int:
    """Delete a debate's votes, readers, counters and analysis in one transaction; return
    how many votes went. The caller commits, so a failure deletes nothing.

    The debate's row is taken first, exclusively: a vote holds it shared for its
    whole transaction (store/votes.py), so a reset waits for votes under way and
    votes wait for the reset, and the counters always equal a recount."""
    session.execute(select(DebateRow.id).where(DebateRow.id == debate_id).with_for_update())
    # A DELETE's result is a CursorResult, which has the rowcount.
    result = cast(
        CursorResult[Any], session.execute(delete(Vote).where(Vote.debate_id == debate_id))
    )
    deleted = result.rowcount
    for model in (DebateReader, Tally, AnalysisRow):
        session.execute(delete(model).where(model.debate_id == debate_id))
    return deleted


def set_voting_open(session: DbSession, debate_id: int, voting_open: bool) -> None:
    session.execute(
        update(DebateRow).where(DebateRow.id == debate_id).values(voting_open=voting_open)
    )


def set_results_visibility(session: DbSession, debate_id: int, visibility: str) -> None:
    session.execute(
        update(DebateRow).where(DebateRow.id == debate_id).values(results_visibility=visibility)
    )


def set_embedding_sites(
    session: DbSession, debate_id: int, any_site: bool, sites: tuple[str, ...]
) -> None:
    """Any site may frame the embeds, or only `sites` (core/embedding.py checked them).
    With any site, a list given is kept for when the author limits the embeds again."""
    values: dict[str, Any] = {"embed_any_site": any_site}
    if sites or not any_site:
        values["embed_allowed_sites"] = " ".join(sites)
    session.execute(update(DebateRow).where(DebateRow.id == debate_id).values(**values))


def add_exclusion(
    session: DbSession,
    debate_id: int,
    author_email: str,
    kind: str,
    value: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> ExclusionRow:
    """Set aside a debate's votes from a site or a network, or cast in a window;
    the same exclusion twice is one. The votes stay: counts leave them out."""
    if kind == WINDOW:
        value = ""
    else:
        starts_at = ends_at = None
    existing = session.scalars(
        select(ExclusionRow).where(
            ExclusionRow.debate_id == debate_id,
            ExclusionRow.lifted_at.is_(None),
            ExclusionRow.kind == kind,
            ExclusionRow.value == value,
            ExclusionRow.starts_at.is_not_distinct_from(starts_at),
            ExclusionRow.ends_at.is_not_distinct_from(ends_at),
        )
    ).first()
    if existing is not None:
        return existing
    row = ExclusionRow(
        debate_id=debate_id,
        kind=kind,
        value=value,
        starts_at=starts_at,
        ends_at=ends_at,
        set_by=author_email,
    )
    session.add(row)
    session.flush()
    return row


def include_again(session: DbSession, debate_id: int, exclusion_id: int, author_email: str) -> bool:
    """Lift an exclusion in force (it stays on record); False if the debate has none by that id."""
    row = session.scalars(
        select(ExclusionRow).where(
            ExclusionRow.id == exclusion_id,
            ExclusionRow.debate_id == debate_id,
            ExclusionRow.lifted_at.is_(None),
        )
    ).first()
    if row is None:
        return False
    row.lifted_by, row.lifted_at = author_email, utcnow()
    return True


def exclusions_of(session: DbSession, debate_id: int, limit: int = 50) -> list[ExclusionRow]:
    """The debate's exclusions, those in force first, then the latest lifted."""
    order = (ExclusionRow.lifted_at.is_not(None), ExclusionRow.id.desc())
    return _records_of(session, ExclusionRow, debate_id, order, limit)


def _records_of(
    session: DbSession, model: type[Record], debate_id: int, order: tuple[Any, ...], limit: int
) -> list[Record]:
    """A debate's records that the dashboard lists: in this order, `limit` at most."""
    return list(
        session.scalars(
            select(model).where(model.debate_id == debate_id).order_by(*order).limit(limit)
        )
    )
