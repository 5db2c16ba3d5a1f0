"""The debate page's three vote endpoints: a plain form POST is answered with a
303 back to the item's anchor, an htmx one with the item's partial alone."""

from flask import Blueprint, url_for

from .ballots import Ballot, answer, claim_ballot, question_ballot, stance_ballot
from .limits import counts_as_vote

bp = Blueprint("voting", __name__, url_prefix="/debates/<slug>")


@bp.post("/claims/<claim_key>/vote")
@counts_as_vote
def claim_vote(slug: str, claim_key: str):
    return _back_to_page(claim_ballot(slug, claim_key))


@bp.post("/question/vote")
@counts_as_vote
def question_vote(slug: str):
    return _back_to_page(question_ballot(slug))


@bp.post("/stance")
@counts_as_vote
def stance(slug: str):
    return _back_to_page(stance_ballot(slug))


def _back_to_page(ballot: Ballot):
    return answer(ballot, url_for("pages.debate", slug=ballot.debate.slug, _anchor=ballot.anchor))
