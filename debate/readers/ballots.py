"""Votes from a form: prove the origin, find the item, check the input, record,
answer. The debate page and the embeds share all of it; they differ only in
where a plain form POST is redirected.

A vote proves it came from the poll's own page without a session: the browser
says where the request comes from (Sec-Fetch-Site, Origin, or at least
Referer), and it carries a genuine, current vote token, which names the
reader the page votes as (identity.py). Anyone can get a token for a reader
of their own by loading a page, so the token alone is not the proof: the
origin is.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

from ..cache.responses import wants_fragment
from ..cache.store import debate_or_404
from ..core.debate import (
    CLAIM,
    CLAIM_CHOICES,
    QUESTION,
    QUESTION_KEY,
    STANCE,
    STANCE_PHASES,
    STANCE_SIDES,
    Debate,
    Item,
)
from ..core.tally import results_from_sums
from ..store.db import db, retry_on_lost_connection, utcnow, write_turn
from ..store.votes import NewReaderRefused, Provenance, VoteVanished, cast_vote, counter_sums
from ..web.forms import FieldsForm
from ..web.limits import limits, network_bucket
from .identity import current_reader
from .proof import new_challenge, proven

bp = Blueprint("voting", __name__, url_prefix="/debates/<slug>")
REFUSED = "This vote did not come from the poll's own page. Reload the page and try again."
NEW_READERS_REFUSED = (
    "Many new readers have voted from your network in the last hour, so a new reader's vote "
    "cannot be counted from it right now. Please try again later."
)
# The field a frame's vote may carry: the origin of the page that frames it.
EMBEDDING_SITE_FIELD = "embedding_site"
UNLISTED_SITE = (
    "The poll's author has not allowed {site} to show this poll, so a vote from it is not "
    "counted. Open the poll on its own page to vote."
)
OTHER_READER = (
    "This page was opened before you voted elsewhere on this site, so it speaks for someone "
    "else. Reload the page to vote."
)


def _one_of(name: str, allowed) -> list:
    rule = f"{name} must be one of: {', '.join(allowed)}."
    return [InputRequired(message=rule), AnyOf(list(allowed), message=rule)]


class ClaimVoteForm(FieldsForm):
    choice = StringField(validators=_one_of("choice", CLAIM_CHOICES))


class StanceForm(FieldsForm):
    phase = StringField(validators=_one_of("phase", STANCE_PHASES))
    side = StringField(validators=_one_of("side", STANCE_SIDES))


class QuestionVoteForm(FieldsForm):
    """Only presence is checked here: an option that does not exist is a 404."""

    option = StringField()

    def __init__(self, option_keys: tuple[str, ...], *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = f"option must be one of: {', '.join(option_keys)}."
        self.option.validators = [InputRequired(message=rule)]


@dataclass
class Ballot:
    """A recorded vote, and the anchor of its item on the page."""

    debate: Debate
    item: Item
    choice: str
    anchor: str
    counts: dict = field(default_factory=dict)  # the item's counters, this vote included


def check_vote_origin() -> None:
    """Refuse a vote that does not show it comes from this site, that has no
    genuine, current vote token, or whose reader cookie names another reader than
    its token (a cookie is signed by the server, so a made-up one names nobody).

    Browsers send Sec-Fetch-Site or Origin with every POST; a very old one that
    sends neither must send a Referer of this site. An embed that a blog framed in
    a sandbox (WordPress does) has no origin of its own: its votes say `Origin:
    null`, which only the embeds' vote endpoints take, and only with a genuine
    token, under the same limits as every vote.
    """
    site = request.host_url.rstrip("/")
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    sandboxed = origin == "null" and request.blueprint == "embed"
    if fetch_site is not None and fetch_site != "same-origin" and not sandboxed:
        abort(400, description=REFUSED)
    if origin is not None and origin != site and not sandboxed:
        abort(400, description=REFUSED)
    reader = current_reader()
    if reader.token_id is None:
        abort(400, description=REFUSED)
    if reader.id != reader.token_id:
        abort(400, description=OTHER_READER)
    referer = request.headers.get("Referer", "")
    if fetch_site is None and origin is None and not referer.startswith(site + "/"):
        abort(400, description=REFUSED)


# An origin as browsers serialise it: http(s), a host name or address, a port.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_ORIGIN = re.compile(
    rf"https?://(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]{{2,45}}\])(?::[0-9]{{1,5}})?"
)


def embedding_site(value: str) -> str:
    """The site an embed says frames it, if it is an origin (scheme://host[:port]);
    "" (unknown) for anything else. Only the author's segments read it."""
    return value if len(value) <= 300 and _ORIGIN.fullmatch(value) else ""


def vote_provenance() -> Provenance:
    """Where this vote comes from: the page that framed the embed (embed-frame.js
    sends its origin), or the debate's own site; and the client's network bucket."""
    if request.blueprint == "embed":
        site = embedding_site(request.form.get(EMBEDDING_SITE_FIELD, ""))
    else:
        site = request.host_url.rstrip("/")
    secret = cast(str, current_app.secret_key)
    return Provenance(site, network_bucket(request.remote_addr, secret, utcnow().date()))


def claim_ballot(slug: str, claim_key: str) -> Ballot:
    debate = _open_debate(slug)
    if claim_key not in debate.claims_by_key:
        abort(404, description="This debate has no such claim.")
    choice = _validated(ClaimVoteForm()).choice.data
    return _cast(Ballot(debate, (CLAIM, claim_key), choice, f"claim-{claim_key}"))


def question_ballot(slug: str) -> Ballot:
    debate = _open_debate(slug)
    option = _validated(QuestionVoteForm(debate.option_keys)).option.data
    if option not in debate.option_keys:
        abort(404, description="The closing question has no such option.")
    return _cast(Ballot(debate, (QUESTION, QUESTION_KEY), option, "question"))


def stance_ballot(slug: str) -> Ballot:
    debate = _open_debate(slug)
    form = _validated(StanceForm())
    phase = form.phase.data
    return _cast(Ballot(debate, (STANCE, phase), form.side.data, f"stance-{phase}"))


def add_vote_routes(bp: Blueprint, back: Callable[[Ballot], ResponseReturnValue]) -> None:
    """The three vote endpoints, on the debate page's blueprint or the embeds':
    each casts its ballot and lets `back` answer it (a partial or a redirect)."""

    @bp.post("/claims/<claim_key>/vote")
    def claim_vote(slug: str, claim_key: str):
        return back(claim_ballot(slug, claim_key))

    @bp.post("/question/vote")
    def question_vote(slug: str):
        return back(question_ballot(slug))

    @bp.post("/stance")
    def stance(slug: str):
        return back(stance_ballot(slug))

    @bp.get("/new-reader-challenge")
    def new_reader_challenge(slug: str):
        """A proof of work for a new reader whose network is past its budget of new
        readers (readers/proof.py); 204 for anyone else, who needs none."""
        debate_or_404(slug)
        if current_reader().has_cookie or limits().new_reader_budget_left():
            return "", 204, {"Cache-Control": "no-store"}
        return new_challenge(), 200, {"Cache-Control": "no-store"}


def answer(ballot: Ballot, redirect_url: Callable[[], str], **context):
    """The item's partial for htmx (and a signal for the results panel), else a 303
    to `redirect_url()` (built only then: building a URL is a twentieth of a vote).

    The partial shows one item, so only that item's counters are read, and the
    reader's choice there is the one just cast.
    """
    if not wants_fragment():
        return redirect(redirect_url(), 303)
    template, extra = item_partial(ballot.debate, ballot.item)
    html = render_template(
        template,
        debate=ballot.debate,
        my_votes={ballot.item: ballot.choice},
        vote_token=current_reader().token,
        results=results_from_sums(ballot.debate, ballot.counts),
        **extra,
        **context,
    )
    return html, 200, {"HX-Trigger": "vote-recorded"}


def item_partial(debate: Debate, item: Item) -> tuple[str, dict]:
    """The partial that draws one voting item, and what it needs besides the page's context."""
    kind, key = item
    if kind == STANCE:
        return "debates/_stance.html", {"phase": key}
    if kind == CLAIM:
        return "debates/_claim.html", {"claim": debate.claims_by_key.get(key)}
    return "debates/_question.html", {}


def _back_to_page(ballot: Ballot):
    return answer(
        ballot, lambda: url_for("pages.debate", slug=ballot.debate.slug, _anchor=ballot.anchor)
    )


add_vote_routes(bp, _back_to_page)


def _open_debate(slug: str) -> Debate:
    """The debate, once the vote's origin is proven and voting is open (the read
    model is dropped from the cache the moment an author closes voting)."""
    check_vote_origin()
    debate = debate_or_404(slug)
    if not debate.voting_open:
        abort(403, description="Voting on this debate is closed.")
    if request.blueprint == "embed":
        refuse_unlisted_site(debate)
    return debate


def refuse_unlisted_site(debate: Debate) -> None:
    """A vote from a frame that says it is embedded on a site the author did not
    list (its own site always may). The browser already refuses to show the frame
    there (frame-ancestors);
    this holds when a frame says where it is, and a frame that says nothing is
    left to that header."""
    site = request.form.get(EMBEDDING_SITE_FIELD, "").strip()
    own_site = site == request.host_url.rstrip("/")
    if site and not own_site and not debate.allows_embedding_site(site):
        shown = site if len(site) <= 80 else site[:77] + "..."
        abort(403, description=UNLISTED_SITE.format(site=shown))


def _validated(form: FieldsForm) -> FieldsForm:
    if not form.validate():
        abort(400, description=form.first_error())
    return form


def _admit_new_reader() -> bool:
    """Within its network's budget, or past it with a proof of work never used before."""
    return limits().admit_new_reader() or proven()


def _cast(ballot: Ballot) -> Ballot:
    """Record the vote and, for an htmx answer, read the item's counters in the
    same transaction (one round trip less than reading them after the commit)."""
    reader = current_reader()
    answer_needs_counts = wants_fragment()
    limits().count_vote()  # only now: a refused request uses up nobody's budget
    provenance = vote_provenance()

    def record() -> dict:
        cast_vote(
            db.session,
            ballot.debate.id,
            *ballot.item,
            reader.id,
            ballot.choice,
            commit=False,
            admit_new_reader=_admit_new_reader,
            provenance=provenance,
        )
        counts = (
            counter_sums(db.session, ballot.debate.id, ballot.item, ballot.debate.exclusions)
            if answer_needs_counts
            else {}
        )
        db.session.commit()
        return counts

    with write_turn():
        try:
            ballot.counts = retry_on_lost_connection(record)
        except VoteVanished:
            db.session.rollback()
            abort(409, description="The poll's votes were just reset. Please vote again.")
        except NewReaderRefused:
            db.session.rollback()
            abort(429, description=NEW_READERS_REFUSED)
    reader.voted = True
    return ballot
