"""The three vote endpoints. Each is a plain form POST answered with a 303
back to the item's anchor, or, for htmx, with the item's partial alone."""

from flask import Blueprint, abort, redirect, render_template, url_for

from .db import db, retry_on_lost_connection
from .forms import ClaimVoteForm, QuestionVoteForm, StanceForm
from .htmx import wants_fragment
from .limits import counts_as_vote
from .models import CLAIM, QUESTION, QUESTION_KEY, STANCE, Debate
from .pages import get_debate_or_404
from .tally import counter_sums, results_from_sums
from .readers import reader_id_for_vote
from .votes import cast_vote

bp = Blueprint("voting", __name__, url_prefix="/debates/<slug>")


@bp.post("/claims/<claim_key>/vote")
@counts_as_vote
def claim_vote(slug: str, claim_key: str):
    debate = _open_debate(slug)
    claim = next((c for c in debate.claims if c.key == claim_key), None)
    if claim is None:
        abort(404, description="This debate has no such claim.")
    form = _validated(ClaimVoteForm())
    _cast(debate, CLAIM, claim.key, form.choice.data)
    return _answer(debate, (CLAIM, claim.key), form.choice.data, "debates/_claim.html",
                   f"claim-{claim.key}", claim=claim)


@bp.post("/question/vote")
@counts_as_vote
def question_vote(slug: str):
    debate = _open_debate(slug)
    keys = [option.key for option in debate.options]
    form = _validated(QuestionVoteForm(keys))
    if form.option.data not in keys:
        abort(404, description="The closing question has no such option.")
    _cast(debate, QUESTION, QUESTION_KEY, form.option.data)
    return _answer(debate, (QUESTION, QUESTION_KEY), form.option.data,
                   "debates/_question.html", "question")


@bp.post("/stance")
@counts_as_vote
def stance(slug: str):
    debate = _open_debate(slug)
    form = _validated(StanceForm())
    _cast(debate, STANCE, form.phase.data, form.side.data)
    return _answer(debate, (STANCE, form.phase.data), form.side.data, "debates/_stance.html",
                   f"stance-{form.phase.data}", phase=form.phase.data)


def _open_debate(slug: str) -> Debate:
    debate = get_debate_or_404(slug)
    if not debate.voting_open:
        abort(403, description="Voting on this debate is closed.")
    return debate


def _validated(form):
    if not form.validate():
        abort(400, description=form.first_error())
    return form


def _cast(debate: Debate, kind: str, item_key: str, choice: str) -> None:
    reader_id = reader_id_for_vote()
    retry_on_lost_connection(
        lambda: cast_vote(db.session, debate.id, kind, item_key, reader_id, choice))


def _answer(debate: Debate, item: tuple[str, str], choice: str, template: str, anchor: str,
            **extra):
    """The item's partial for htmx (and a signal for the results panel), else a 303.

    The partial shows one item, so only that item's counters are read, and the
    reader's choice there is the one just cast.
    """
    if not wants_fragment():
        return redirect(url_for("pages.debate", slug=debate.slug, _anchor=anchor), 303)
    context = {
        "debate": debate,
        "results": results_from_sums(debate, counter_sums(db.session, debate.id, item)),
        "my_votes": {item: choice},
    }
    html = render_template(template, **context, **extra)
    return html, 200, {"HX-Trigger": "vote-recorded"}
