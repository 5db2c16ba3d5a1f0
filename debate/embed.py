"""Embeds: the debate, its closing question or one claim, inside another site's iframe.

There, browsers block or partition cookies, so nothing here depends on an
unpartitioned third-party cookie. The reader is the page's signed reader token
(kept in a partitioned cookie where the browser allows one), and a vote proves
it came from the embed's own page with Sec-Fetch-Site / Origin plus a signed,
expiring token bound to that reader, not to a session.
"""

from flask import Blueprint, abort, current_app, g, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .ballots import Ballot, answer, claim_ballot, question_ballot, stance_ballot
from .limits import counts_as_vote
from .pages import get_debate_or_404, reader_context
from .readers import current_reader_id, page_reader_id, reader_token, token_reader_id
from .security import content_security_policy

bp = Blueprint("embed", __name__, url_prefix="/embed/<slug>")
TOKEN_MAX_AGE = 24 * 3600
_REFUSED = "This vote did not come from the poll's own page. Reload the poll and try again."


@bp.before_request
def mark_embed() -> None:
    g.embed = True


@bp.after_request
def allow_framing(response):
    """Embeds may be framed by the debate's allowed sites (any site by default)."""
    response.headers["Content-Security-Policy"] = content_security_policy(
        g.get("frame_ancestors", "*"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("")
def debate(slug: str):
    return _show(slug, "embed/debate.html", "debate")


@bp.get("/question")
def question(slug: str):
    return _show(slug, "embed/question.html", "question")


@bp.get("/claims/<claim_key>")
def claim(slug: str, claim_key: str):
    debate_ = _framed_debate(slug)
    found = next((c for c in debate_.claims if c.key == claim_key), None)
    if found is None:
        abort(404, description="This debate has no such claim.")
    return _show(slug, "embed/claim.html", f"claim:{claim_key}", claim=found)


@bp.post("/claims/<claim_key>/vote")
@counts_as_vote
def claim_vote(slug: str, claim_key: str):
    check_vote_origin()
    return _back_to_view(claim_ballot(slug, claim_key))


@bp.post("/question/vote")
@counts_as_vote
def question_vote(slug: str):
    check_vote_origin()
    return _back_to_view(question_ballot(slug))


@bp.post("/stance")
@counts_as_vote
def stance(slug: str):
    check_vote_origin()
    return _back_to_view(stance_ballot(slug))


def embed_csrf_token() -> str:
    """For templates: a token bound to the page's reader, valid for a day."""
    return _serializer().dumps(page_reader_id())


def check_vote_origin() -> None:
    """Refuse a vote that a browser says came from another site, or without a
    genuine token minted for the reader the page votes as."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if fetch_site is not None and fetch_site != "same-origin":
        abort(400, description=_REFUSED)
    if origin is not None and origin != request.host_url.rstrip("/"):
        abort(400, description=_REFUSED)
    token = request.form.get("csrf_token") or request.headers.get("X-CSRFToken", "")
    try:
        reader_id = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        abort(400, description=_REFUSED)
    if reader_id not in (token_reader_id(), current_reader_id()):
        abort(400, description=_REFUSED)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="debate-embed-csrf")


def _framed_debate(slug: str):
    debate_ = get_debate_or_404(slug)
    g.frame_ancestors = debate_.frame_ancestors
    return debate_


def _show(slug: str, template: str, view: str, **extra):
    context = reader_context(_framed_debate(slug))
    return render_template(template, embed_view=view, **context, **extra)


def _back_to_view(ballot: Ballot):
    """A plain POST goes back to the embed it came from, carrying the reader's
    token so that a browser without cookies still shows the reader's vote."""
    g.frame_ancestors = ballot.debate.frame_ancestors
    view = request.form.get("view", "debate")
    slug, token = ballot.debate.slug, reader_token(current_reader_id())
    if view == "question":
        url = url_for("embed.question", slug=slug, reader=token, _anchor=ballot.anchor)
    elif view.startswith("claim:") and view[6:] in {c.key for c in ballot.debate.claims}:
        url = url_for("embed.claim", slug=slug, claim_key=view[6:], reader=token,
                      _anchor=ballot.anchor)
    else:
        view = "debate"
        url = url_for("embed.debate", slug=slug, reader=token, _anchor=ballot.anchor)
    return answer(ballot, url, embed_view=view)
