"""Reader pages: the debate itself and its live results panel."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy.exc import OperationalError

from .caching import cached_render
from .content import DebateContent, bundled_content
from .db import db
from .htmx import wants_fragment
from .models import Debate
from .readers import current_reader_id
from .snippets import embeds_for
from .tally import results_for, results_from_sums
from .votes import reader_choices

bp = Blueprint("pages", __name__)


def get_debate_or_404(slug: str) -> Debate:
    debate = db.session.execute(db.select(Debate).filter_by(slug=slug)).scalar_one_or_none()
    if debate is None:
        abort(404, description="There is no debate at this address.")
    return debate


def reader_context(debate: Debate) -> dict:
    """What every voting partial needs: the debate, its results, this reader's votes."""
    reader_id = current_reader_id()
    return {
        "debate": debate,
        "results": results_for(db.session, debate),
        "my_votes": reader_choices(db.session, debate.id, reader_id) if reader_id else {},
        "poll_seconds": current_app.config["RESULTS_POLL_SECONDS"],
    }


@bp.get("/")
def index():
    return redirect(url_for("pages.debate", slug=current_app.config["BUNDLED_DEBATE"]))


@bp.get("/debates/<slug>")
def debate(slug: str):
    try:
        debate_ = get_debate_or_404(slug)
        return render_template("debates/page.html", **reader_context(debate_),
                               embeds=embeds_for(debate_))
    except OperationalError:
        content = bundled_content(slug)
        if content is None:
            raise
        return essay_without_database(content)


def essay_without_database(content: DebateContent):
    """The database is out of reach: show the bundled essay itself, votes disabled."""
    db.session.rollback()
    context = {"debate": content, "results": results_from_sums(content, {}), "my_votes": {},
               "poll_seconds": current_app.config["RESULTS_POLL_SECONDS"], "offline": True}
    return render_template("debates/page.html", **context), 503, {"Retry-After": "5"}


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
    debate = get_debate_or_404(slug)
    return {
        "debate": debate,
        "results": results_for(db.session, debate),
        "poll_seconds": current_app.config["RESULTS_POLL_SECONDS"],
    }
