"""Casting one vote from a form: prove its origin, find the item, check the
input, record it, answer.

The debate page and the embeds share all of this; they differ only in where
a plain form POST is redirected. A vote proves it came from the poll's own
page without a session: the browser says where the request comes from
(Sec-Fetch-Site, Origin, or at least Referer), and it carries a genuine,
current vote token, which names the reader the page votes as (readers.py).
Anyone can get a token for a reader of their own by loading a page, so the
token alone is not the proof: the origin is.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue

from .db import db, retry_on_lost_connection, write_turn
from .debates import debate_snapshot, voting_is_open
from .forms import ClaimVoteForm, QuestionVoteForm, StanceForm
from .htmx import wants_fragment
from .limits import counts_as_vote
from .models import CLAIM, QUESTION, QUESTION_KEY, STANCE, Debate
from .readers import cookie_reader_id, reader_id_for_vote, token_reader_id, vote_token
from .shells import item_partial
from .tally import counter_sums, results_from_sums
from .votes import cast_vote


@dataclass
class Ballot:
    """A recorded vote, and the anchor of its item on the page."""

    debate: Debate
    kind: str
    key: str
    choice: str
    anchor: str
    counts: dict = field(default_factory=dict)  # the item's counters, this vote included


REFUSED = "This vote did not come from the poll's own page. Reload the page and try again."


def check_vote_origin() -> None:
    """Refuse a vote that does not show it comes from this site, or that has no
    genuine, current vote token.

    Browsers send Sec-Fetch-Site or Origin with every POST; a very old one that
    sends neither must send a Referer of this site and, if it has a reader
    cookie, the token of that reader.
    """
    site = request.host_url.rstrip("/")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None and fetch_site != "same-origin":
        abort(400, description=REFUSED)
    if origin is not None and origin != site:
        abort(400, description=REFUSED)
    token_reader = token_reader_id()
    if token_reader is None:
        abort(400, description=REFUSED)
    if fetch_site is None and origin is None:
        referer = request.headers.get("Referer", "")
        if not referer.startswith(site + "/") or cookie_reader_id() not in (None, token_reader):
            abort(400, description=REFUSED)


def claim_ballot(slug: str, claim_key: str) -> Ballot:
    debate = _open_debate(slug)
    claim = next((c for c in debate.claims if c.key == claim_key), None)
    if claim is None:
        abort(404, description="This debate has no such claim.")
    form = _validated(ClaimVoteForm())
    return _cast(Ballot(debate, CLAIM, claim.key, form.choice.data, f"claim-{claim.key}"))


def question_ballot(slug: str) -> Ballot:
    debate = _open_debate(slug)
    keys = [option.key for option in debate.options]
    form = _validated(QuestionVoteForm(keys))
    if form.option.data not in keys:
        abort(404, description="The closing question has no such option.")
    return _cast(Ballot(debate, QUESTION, QUESTION_KEY, form.option.data, "question"))


def stance_ballot(slug: str) -> Ballot:
    debate = _open_debate(slug)
    form = _validated(StanceForm())
    phase = form.phase.data
    return _cast(Ballot(debate, STANCE, phase, form.side.data, f"stance-{phase}"))


def add_vote_routes(bp: Blueprint, back: Callable[[Ballot], ResponseReturnValue]) -> None:
    """The three vote endpoints, on the debate page's blueprint or the embeds':
    each casts its ballot and lets `back` answer it (a partial or a redirect)."""

    @bp.post("/claims/<claim_key>/vote")
    @counts_as_vote
    def claim_vote(slug: str, claim_key: str):
        return back(claim_ballot(slug, claim_key))

    @bp.post("/question/vote")
    @counts_as_vote
    def question_vote(slug: str):
        return back(question_ballot(slug))

    @bp.post("/stance")
    @counts_as_vote
    def stance(slug: str):
        return back(stance_ballot(slug))


def answer(ballot: Ballot, redirect_url: str, **context):
    """The item's partial for htmx (and a signal for the results panel), else a 303.

    The partial shows one item, so only that item's counters are read, and the
    reader's choice there is the one just cast.
    """
    if not wants_fragment():
        return redirect(redirect_url, 303)
    item = (ballot.kind, ballot.key)
    template, extra = item_partial(ballot.debate, item)
    html = render_template(
        template, debate=ballot.debate, my_votes={item: ballot.choice},
        vote_token=vote_token(reader_id_for_vote()),
        results=results_from_sums(ballot.debate, ballot.counts), **extra, **context,
    )
    return html, 200, {"HX-Trigger": "vote-recorded"}


def _open_debate(slug: str) -> Debate:
    """The debate's snapshot, once the vote's origin is proven and voting is
    open (asked afresh: an author may have closed it a moment ago)."""
    check_vote_origin()
    debate = debate_snapshot(slug)
    if not voting_is_open(debate.id):
        abort(403, description="Voting on this debate is closed.")
    return debate


def _validated(form):
    if not form.validate():
        abort(400, description=form.first_error())
    return form


def _cast(ballot: Ballot) -> Ballot:
    """Record the vote and, for an htmx answer, read the item's counters in the
    same transaction (one round trip less than reading them after the commit)."""
    reader_id = reader_id_for_vote()
    item = (ballot.kind, ballot.key)
    answer_needs_counts = wants_fragment()

    def record() -> dict:
        cast_vote(db.session, ballot.debate.id, *item, reader_id, ballot.choice, commit=False)
        counts = counter_sums(db.session, ballot.debate.id, item) if answer_needs_counts else {}
        db.session.commit()
        return counts

    with write_turn():
        ballot.counts = retry_on_lost_connection(record)
    return ballot
