"""The public JSON API: a debate's aggregated results."""

from flask import Blueprint

from .db import db
from .pages import get_debate_or_404
from .tally import results_for

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/debates/<slug>/results")
def results(slug: str):
    debate = get_debate_or_404(slug)
    results = results_for(db.session, debate)
    return {
        "slug": debate.slug,
        "title": debate.title,
        "voting_open": debate.voting_open,
        "readers": results.readers,
        "claims": [
            {"key": claim.key, "side": claim.side, "title": claim.title,
             **results.claims[claim.key].counts, "total": results.claims[claim.key].total}
            for claim in debate.claims
        ],
        "question": {
            "text": debate.question_text,
            "options": [
                {"key": option.key, "label": option.label,
                 "votes": results.question.counts[option.key]}
                for option in debate.options
            ],
            "total": results.question.total,
        },
        "stance": {phase: dist.counts for phase, dist in results.stance.items()},
    }
