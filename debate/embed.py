"""Embeds: the debate, its closing question or one claim, inside another site's iframe.

There, browsers block or partition cookies, so nothing here depends on an
unpartitioned third-party cookie: the reader is the page's vote token (kept in
a partitioned cookie where the browser allows one), and votes prove their
origin as the debate page's do (ballots.py), without a session.
"""

from flask import Blueprint, abort, g, request, url_for

from .ballots import Ballot, add_vote_routes, answer
from .debates import debate_snapshot
from .pages import shared_context
from .readers import current_reader_id, vote_token
from .security import content_security_policy
from .shells import reader_page

bp = Blueprint("embed", __name__, url_prefix="/embed/<slug>")


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
    return _show(slug, "debate", "embed/debate.html", lambda: shared_context(_debate(slug)))


@bp.get("/question")
def question(slug: str):
    return _show(slug, "question", "embed/question.html",
                 lambda: shared_context(_debate(slug)))


@bp.get("/claims/<claim_key>")
def claim(slug: str, claim_key: str):
    def context():
        debate_ = _debate(slug)
        found = next((c for c in debate_.claims if c.key == claim_key), None)
        if found is None:
            abort(404, description="This debate has no such claim.")
        return shared_context(debate_, claim=found)

    return _show(slug, f"claim:{claim_key}", "embed/claim.html", context)


def _debate(slug: str):
    debate_ = debate_snapshot(slug)  # detached, as the shell that keeps it must be
    g.frame_ancestors = debate_.frame_ancestors
    return debate_


def _show(slug: str, view: str, template: str, context):
    shell, html = reader_page(f"embed:{view}:{slug}", template,
                              lambda: {**context(), "embed_view": view})
    g.frame_ancestors = shell.debate.frame_ancestors
    return html


def _back_to_view(ballot: Ballot):
    """A plain POST goes back to the embed it came from, carrying the reader's
    token so that a browser without cookies still shows the reader's vote."""
    g.frame_ancestors = ballot.debate.frame_ancestors
    view = request.form.get("view", "debate")
    slug, token = ballot.debate.slug, vote_token(current_reader_id())
    if view == "question":
        url = url_for("embed.question", slug=slug, reader=token, _anchor=ballot.anchor)
    elif view.startswith("claim:") and view[6:] in {c.key for c in ballot.debate.claims}:
        url = url_for("embed.claim", slug=slug, claim_key=view[6:], reader=token,
                      _anchor=ballot.anchor)
    else:
        view = "debate"
        url = url_for("embed.debate", slug=slug, reader=token, _anchor=ballot.anchor)
    return answer(ballot, url, embed_view=view)


add_vote_routes(bp, _back_to_view)
