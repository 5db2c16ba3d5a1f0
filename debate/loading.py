"""Store a parsed DebateContent: create the debate or update it in place.

Loading is idempotent and keeps votes: votes and tallies are keyed by item
keys, which loading never rewrites. It runs in the caller's transaction, so a
failure leaves nothing half-loaded.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from .content import DebateContent
from .models import Claim, Debate, DebateSide, QuestionOption


def save_debate(session: Session, content: DebateContent) -> tuple[Debate, bool]:
    """Upsert the debate with this slug; return it and whether it is new."""
    debate = session.scalars(select(Debate).where(Debate.slug == content.slug)).one_or_none()
    created = debate is None
    if created:
        debate = Debate(slug=content.slug)
        session.add(debate)
    debate.title = content.title
    debate.lede = content.lede
    debate.context_html = content.context_html
    debate.conclusion_html = content.conclusion_html
    debate.question_text = content.question_text
    debate.embed_allowed_sites = " ".join(content.embed_allowed_sites)

    _sync(debate.sides, DebateSide, "side", [
        {"side": side.side, "title": side.title, "intro_html": side.intro_html}
        for side in content.sides
    ])
    _sync(debate.claims, Claim, "key", [
        {"key": c.key, "side": c.side, "title": c.title, "text_html": c.text_html}
        for c in content.claims
    ])
    _sync(debate.options, QuestionOption, "key", [
        {"key": o.key, "label": o.label} for o in content.options
    ])
    session.flush()
    return debate, created


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
