"""Reader pages: the debate itself and its live results panel.

Both are served from the response layer while kept (cache/responses.py):
the panel to everyone, the page to first visits. What reaches Flask is
drawn here for its reader, with their votes.
"""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from sqlalchemy.exc import OperationalError

from ..cache.responses import cached, wants_fragment
from ..cache.store import debate_or_404
from ..core.card import draw_card
from ..core.content import bundled_debate
from ..core.debate import Debate
from ..core.tally import DebateResults, results_from_sums
from ..embeds.snippets import embeds_for
from ..store.db import db
from ..store.votes import counter_sums, reader_choices
from ..web.cors import allow_sandboxed_frames
from .identity import current_reader

bp = Blueprint("pages", __name__)


def reader_page(template: str, debate: Debate, **context) -> str:
    """A page of `debate` for this request's reader: their token and their votes,
    and the results as of now."""
    reader = current_reader()
    my_votes = {} if reader.known_by == "new" else reader_choices(db.session, debate.id, reader.id)
    return render_template(
        template,
        debate=debate,
        my_votes=my_votes,
        vote_token=reader.token,
        results=current_results(debate),
        poll_seconds=current_app.config["RESULTS_POLL_SECONDS"],
        **context,
    )


def current_results(debate: Debate) -> DebateResults:
    """The debate's results as of now, judged by the one minimum group size,
    without the votes the author set aside."""
    sums = counter_sums(db.session, debate.id, exclusions=debate.exclusions)
    return results_from_sums(debate, sums, current_app.config["DASHBOARD_MIN_N"])


def private(html: str, status: int = 200, **headers):
    """A reader page carries its reader's vote token: no shared cache may keep it."""
    return html, status, {"Cache-Control": "private, no-cache", **headers}


@bp.get("/")
def index():
    return redirect(url_for("pages.debate", slug=current_app.config["BUNDLED_DEBATE"]))


@bp.get("/debates/<slug>")
@cached(personal=True)
def debate(slug: str):
    try:
        debate = debate_or_404(slug)
        return private(reader_page("debates/page.html", debate, embeds=embeds_for(debate)))
    except OperationalError:
        bundled = bundled_debate(slug)
        if bundled is None:
            raise
        return essay_without_database(bundled)


def essay_without_database(debate: Debate):
    """The database is out of reach: show the bundled essay itself, votes disabled."""
    db.session.rollback()
    html = render_template(
        "debates/page.html",
        debate=debate,
        my_votes={},
        offline=True,
        results=results_from_sums(debate, {}),
        vote_token=current_reader().token,
        poll_seconds=current_app.config["RESULTS_POLL_SECONDS"],
    )
    return private(html, 503, **{"Retry-After": "5"})


@bp.route("/debates/<slug>/results", methods=["GET", "OPTIONS"])
@cached()
def results(slug: str):
    """The panel readers poll: the same for every reader, so caches may share it.

    It reads no cookie and no session, answers 304 when nothing changed, and
    lets a shared cache serve it for a moment. The poll in WordPress's sandbox
    polls it too: its fragment allows that opaque origin always (not only when
    asked), so a kept copy serves every caller alike.
    """
    if request.method == "OPTIONS":
        return allow_sandboxed_frames(current_app.make_response(("", 204)), "GET")
    debate = debate_or_404(slug)
    context = {
        "debate": debate,
        "poll_seconds": current_app.config["RESULTS_POLL_SECONDS"],
        "results": current_results(debate),
    }
    if not wants_fragment():
        return render_template("debates/results.html", **context)
    response = current_app.make_response(render_template("debates/_results.html", **context))
    allow_sandboxed_frames(response, "GET")
    # Weak: the same panel whatever the encoding, so a 304 is decided before encoding.
    response.add_etag(weak=True)
    response.cache_control.public = True
    response.cache_control.max_age = 0
    response.cache_control.s_maxage = max(1, current_app.config["CACHE_RESULTS_SECONDS"])
    return response.make_conditional(request)


@bp.get("/debates/<slug>/card.png")
@cached(seconds="CACHE_CARD_SECONDS")
def card(slug: str):
    """The share card (og:image), drawn from the results as the panel shows them.

    The response layer keeps it for CACHE_CARD_SECONDS and drops it on an author's
    write; clients revalidate with its ETag, so a change the author makes (results
    hidden, say) reaches them at once.
    """
    if request.args:  # it reads none: to the address the response layer keeps
        return redirect(url_for("pages.card", slug=slug), 301)
    debate = debate_or_404(slug)
    png = draw_card(debate, current_results(debate))
    response = current_app.response_class(png, mimetype="image/png")
    response.add_etag()
    response.cache_control.public = True
    response.cache_control.no_cache = True
    return response.make_conditional(request)
