"""Embeds: the debate, its closing question or one claim, inside another site's iframe.

There, browsers block or partition cookies, so nothing here depends on an
unpartitioned third-party cookie: the reader is the page's vote token (kept in
a partitioned cookie where the browser allows one), and votes prove their
origin as the debate page's do (readers/ballots.py), without a session.
"""

from typing import Any

from flask import Blueprint, abort, g, request, url_for

from ..cache.responses import cached
from ..cache.store import debate_or_404
from ..readers.ballots import Ballot, add_vote_routes, answer
from ..readers.identity import TOKEN_QUERY, current_reader
from ..readers.pages import private, reader_page
from ..web.cors import SANDBOXED, allow_sandboxed_frames
from ..web.security import content_security_policy

bp = Blueprint("embed", __name__, url_prefix="/embed/<slug>")
_VIEWS = {"debate": "embed/debate.html", "question": "embed/question.html"}


@bp.after_request
def allow_framing(response):
    """Embeds may be framed by the debate's allowed sites (any site by default).
    A frame sandboxed without its own origin (WordPress's) may call its votes
    and ask for its new reader's proof of work:
    CORS answered for `Origin: null` alone, with credentials (web/cors.py says why
    that is safe here)."""
    response.headers["Content-Security-Policy"] = content_security_policy(
        g.get("frame_ancestors", "*")
    )
    response.headers["Cache-Control"] = "private, no-store"
    calls = (
        request.method in ("POST", "OPTIONS") or request.endpoint == "embed.new_reader_challenge"
    )
    if calls and request.headers.get("Origin") == SANDBOXED:
        response.vary.add("Origin")
        allow_sandboxed_frames(response, "GET, POST", credentials=True)
    return response


THEMES = ("light", "dark")


def _theme() -> str | None:
    """theme=light|dark forces the embed's colours, for sites that set their own;
    anything else follows the reader's system (prefers-color-scheme)."""
    theme = request.args.get("theme")
    return theme if theme in THEMES else None


@bp.get("")
@cached(personal=True, query=("theme",))
def debate(slug: str):
    return _show(slug, "debate")


@bp.get("/question")
@cached(personal=True, query=("theme",))
def question(slug: str):
    return _show(slug, "question")


@bp.get("/claims/<claim_key>")
@cached(personal=True, query=("theme",))
def claim(slug: str, claim_key: str):
    debate_ = debate_or_404(slug)
    found = debate_.claims_by_key.get(claim_key)
    if found is None:
        abort(404, description="This debate has no such claim.")
    g.frame_ancestors = debate_.frame_ancestors
    return private(
        reader_page(
            "embed/claim.html",
            debate_,
            claim=found,
            embed_view=f"claim:{claim_key}",
            theme=_theme(),
        )
    )


def _show(slug: str, view: str):
    debate_ = debate_or_404(slug)
    g.frame_ancestors = debate_.frame_ancestors
    return private(reader_page(_VIEWS[view], debate_, embed_view=view, theme=_theme()))


def _back_to_view(ballot: Ballot):
    """A plain POST goes back to the embed it came from, carrying the reader's
    token so that a browser without cookies still shows the reader's vote."""
    g.frame_ancestors = ballot.debate.frame_ancestors
    view = request.form.get("view", "debate")
    claim_view = view.startswith("claim:") and view[6:] in ballot.debate.claims_by_key
    if view != "question" and not claim_view:
        view = "debate"

    def back() -> str:
        token: dict[str, Any] = {TOKEN_QUERY: current_reader().token, "_anchor": ballot.anchor}
        slug = ballot.debate.slug
        if view == "question":
            return url_for("embed.question", slug=slug, **token)
        if claim_view:
            return url_for("embed.claim", slug=slug, claim_key=view[6:], **token)
        return url_for("embed.debate", slug=slug, **token)

    return answer(ballot, back, embed_view=view)


add_vote_routes(bp, _back_to_view)
