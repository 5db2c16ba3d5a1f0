"""The public JSON API: a debate's aggregated results.

Every answer carries `results_visibility` and `results_hidden`. When the
debate's rule hides totals from this caller (core/debate.py), the counts
are left out: no `readers`, no `stance`, and claims and options without their
counts. The debate's owner, signed in, always gets the counts.
"""

from flask import Blueprint
from flask_login import current_user

from ..cache.store import debate_or_404
from ..core.debate import Debate
from ..core.tally import results_from_sums
from ..store.db import db
from ..store.votes import counter_sums

bp = Blueprint("api", __name__, url_prefix="/api")


def _is_owner(debate: Debate) -> bool:
    return current_user.is_authenticated and debate.owner_id == current_user.id


@bp.get("/debates/<slug>/results")
def results(slug: str):
    debate = debate_or_404(slug)
    hidden = not (debate.totals_visible or _is_owner(debate))
    body = {
        "slug": debate.slug,
        "title": debate.title,
        "voting_open": debate.voting_open,
        "results_visibility": debate.results_visibility,
        "results_hidden": hidden,
    }
    if hidden:
        return body | {
            "claims": [{"key": c.key, "side": c.side, "title": c.title} for c in debate.claims],
            "question": {
                "text": debate.question_text,
                "options": [{"key": o.key, "label": o.label} for o in debate.options],
            },
        }
    results = results_from_sums(debate, counter_sums(db.session, debate.id))
    return body | {
        "readers": results.readers,
        "claims": [
            {
                "key": claim.key,
                "side": claim.side,
                "title": claim.title,
                **results.claims[claim.key].counts,
                "total": results.claims[claim.key].total,
            }
            for claim in debate.claims
        ],
        "question": {
            "text": debate.question_text,
            "options": [
                {
                    "key": option.key,
                    "label": option.label,
                    "votes": results.question.counts[option.key],
                }
                for option in debate.options
            ],
            "total": results.question.total,
        },
        "stance": {phase: dist.counts for phase, dist in results.stance.items()},
    }
