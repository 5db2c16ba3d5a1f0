"""The public JSON API: a debate's aggregated results.

Every answer carries `results_visibility` and `results_hidden`. When the
debate's rule hides totals from this caller (core/debate.py), the counts
are left out: no `readers`, no `stance`, and claims and options without their
counts. The debate's owner, signed in, always gets the counts. Counts leave out
the votes the author set aside; `set_aside` says how many.
"""

from typing import Any

from flask import Blueprint
from flask_login import current_user

from ..cache.store import debate_or_404
from ..core.debate import STANCE_SIDES, Debate
from ..core.tally import Swing
from .pages import current_results

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
    results = current_results(debate)
    return body | {
        "readers": results.readers,
        "set_aside": results.set_aside,
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
        "swing": swing_json(results.swing),
    }


def swing_json(swing: Swing) -> dict[str, Any]:
    """The paired swing: shares in whole percent, changes and their 95% interval
    in percentage points (docs/statistics.md), and the flows between stances."""
    before, after = swing.before.percentages, swing.after.percentages
    return {
        "paired": swing.paired,
        "winner": swing.winner,
        "sides": {
            side: {
                "before": before[side],
                "after": after[side],
                "change": round(100 * change.change, 1),
                "low": round(100 * change.low, 1),
                "high": round(100 * change.high, 1),
            }
            for side, change in swing.sides.items()
        },
        "flows": {b: {a: swing.flows.get((b, a), 0) for a in STANCE_SIDES} for b in STANCE_SIDES},
    }
