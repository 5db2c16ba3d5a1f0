"""Reader pages: the debate itself and its live results panel."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy.exc import OperationalError

from .caching import cached_render
from .content import DebateContent, bundled_content
from .db import db
from .debates import debate_snapshot, get_debate_or_404
from .htmx import wants_fragment
from .models import Debate
from .readers import vote_token
from .shells import reader_page
from .snippets import embeds_for
from .tally import results_for, results_from_sums

bp = Blueprint("pages", __name__)


def shared_context(debate: Debate, **extra) -> dict:
    """What a reader page shows the same to everyone: the debate and its results."""
    return {"debate": debate, "results": results_for(db.session, debate),
            "poll_seconds": current_app.config["RESULTS_POLL_SECONDS"], **extra}


def private_page(html: str):
    """A reader page carries its reader's vote token: no shared cache may keep it."""
    return html, 200, {"Cache-Control": "private, no-cache"}


@bp.get("/")
def index():
    return redirect(url_for("pages.debate", slug=current_app.config["BUNDLED_DEBATE"]))


@bp.get("/debates/<slug>")
def debate(slug: str):
    try:
        _shell, html = reader_page(f"page:{slug}", "debates/page.html", lambda: page_context(slug))
        return private_page(html)
    except OperationalError:
        content = bundled_content(slug)
        if content is None:
            raise
        return essay_without_database(content)


def page_context(slug: str) -> dict:
    # A snapshot, not this request's object: the shell outlives the request and is
    # read by others, so its debate must be detached (debates.py).
    debate = debate_snapshot(slug)
    return shared_context(debate, embeds=embeds_for(debate))


def essay_without_database(content: DebateContent):
    """The database is out of reach: show the bundled essay itself, votes disabled."""
    db.session.rollback()
    context = {"debate": content, "results": results_from_sums(content, {}), "my_votes": {},
               "poll_seconds": current_app.config["RESULTS_POLL_SECONDS"], "offline": True,
               "vote_token": vote_token()}
    return render_template("debates/page.html", **context), 503, {
        "Retry-After": "5", "Cache-Control": "private, no-cache"}


@bp.get("/debates/<slug>/results")
def results(slug: str):
    """The panel readers poll: the same for every reader, so caches may share it.

    It reads no cookie and no session, answers 304 when nothing changed, and
    lets a shared cache serve it for a couple of seconds.
    """
    if not wants_fragment():
        return render_template("debates/results.html", **results_context(slug))
    etag, body = cached_render(
        f"results:{slug}", lambda: render_template("debates/_results.html", **results_context(slug))
    )
    response = current_app.make_response(body)
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 0
    response.cache_control.s_maxage = max(1, current_app.config["RESULTS_CACHE_SECONDS"])
    return response.make_conditional(request)


def results_context(slug: str) -> dict:
    return shared_context(get_debate_or_404(slug))
