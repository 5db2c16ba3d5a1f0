"""The authors' dashboard: one debate's analysis, running its poll, its data.

Every view needs a signed-in author, and an author only ever reaches the
debates they own (another's is a 404, as if it did not exist). Views stay
thin: the figures come from core/analysis.py, the files from exports.py, and
every write ends with the cache's invalidation, so readers see it at once.
"""

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from ..cache.responses import wants_fragment
from ..cache.store import cached_debate, debate_or_404, invalidate
from ..core import charts
from ..core.debate import VISIBILITY_LABELS, Debate
from ..core.segments import SegmentRule
from ..embeds.snippets import embeds_for
from ..store import analyses, debates
from ..store.analyses import Stamp, StoredAnalysis
from ..store.db import db, utcnow, write_turn
from ..store.votes import votes_covered
from ..web.limits import limits
from . import exports
from .forms import EmbeddingForm, ExclusionForm, ResetForm, VisibilityForm, VotingForm

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
log = logging.getLogger(__name__)
T = TypeVar("T")


@bp.before_request
@login_required
def require_author() -> None:
    """login_required answers anonymous requests before any view runs; an
    author's changes are limited, as every write of a browser is."""
    if request.method == "POST":
        limits().count_author_action(str(current_user.id))


def owned_debate_or_404(slug: str) -> Debate:
    debate = cached_debate(slug)
    if debate is None or debate.owner_id != current_user.id:
        abort(404, description="You have no debate at this address.")
    return debate


@bp.get("/")
def index():
    owned = debates.owned_debates(db.session, current_user.id)
    return render_template("dashboard/index.html", debates=owned)


@bp.get("/debates/<slug>")
def debate(slug: str):
    """The page, or (for the page's own polling) its figures alone, with an ETag."""
    debate = owned_debate_or_404(slug)
    if not wants_fragment():
        return _page(debate)
    # The figures' own fingerprint, not the page's: a poll that finds them unchanged
    # gets its 304 from their stamp alone, before they are read or drawn, whichever
    # process computed them when.
    stamp = analyses.stamp(db.session, debate)
    if stamp is not None and request.if_none_match.contains_weak(stamp.fingerprint):
        refresh_when_due(debate, stamp)
        return "", 304, _poll_headers(stamp)
    stored = current_analysis(debate)
    return (
        render_template("dashboard/_figures.html", **_figures_context(debate, stored)),
        200,
        _poll_headers(stored.stamp),
    )


def _poll_headers(stamp: Stamp) -> dict[str, str]:
    # Weak: the same figures whatever the encoding (compression leaves it as it is).
    return {"Cache-Control": "private, no-cache", "ETag": f'W/"{stamp.fingerprint}"'}


def _figures_context(debate: Debate, stored: StoredAnalysis) -> dict:
    return {
        "debate": debate,
        "analysis": stored.analysis,
        "computed_at": stored.stamp.computed_at,
        "charts": charts,
        "visibility_labels": VISIBILITY_LABELS,
        "poll_seconds": current_app.config["DASHBOARD_POLL_SECONDS"],
    }


def _page(debate: Debate, **context) -> str:
    """The whole dashboard page (with a form's errors, when one was refused)."""
    stored = current_analysis(debate)
    resets = debates.resets_of(db.session, debate.id)
    return render_template(
        "dashboard/debate.html",
        resets=resets,
        embeds=embeds_for(debate),
        **exclusions_context(debate),
        **_figures_context(debate, stored),
        **context,
    )


REFRESH_THREAD = "analysis refresh"
FIRST_LEASE_SECONDS = 120.0  # the first computation's lease, should its process die


def segment_rule() -> SegmentRule:
    """The segments' flags as configured (SEGMENT_*), with the dashboard's minimum group."""
    config = current_app.config
    return SegmentRule(
        one_sided_points=float(config["SEGMENT_ONE_SIDED_POINTS"]),
        alpha=float(config["SEGMENT_ALPHA"]),
        burst_factor=float(config["SEGMENT_BURST_FACTOR"]),
        burst_min_votes=int(config["SEGMENT_BURST_MIN_VOTES"]),
        min_n=int(config["DASHBOARD_MIN_N"]),
        networks_shown=int(config["SEGMENT_NETWORKS_SHOWN"]),
        hours_shown=int(config["SEGMENT_HOURS_SHOWN"]),
    )


def current_analysis(debate: Debate) -> StoredAnalysis:
    """The debate's last analysis, shared by every process through the database
    (store/analyses.py). Only the first sight of a debate (or of a debate an author
    just changed or reset) waits for the computation; after that, every request is
    served the last figures with the time they were computed, while those that are
    due are recomputed off the request (`refresh_when_due`)."""
    stored = analyses.latest(db.session, debate)
    if stored is None:
        return first_analysis(debate)
    refresh_when_due(debate, stored.stamp)
    return stored


def refresh_when_due(debate: Debate, stamp: Stamp) -> None:
    """Figures kept as long as they may be (`analyses.kept_seconds`) are recomputed
    in a thread by the one process that takes the lease on them; while one holds
    it, nobody tries to take it."""
    if stamp.due(utcnow(), current_app.config["DASHBOARD_POLL_SECONDS"]):
        # A process that dies while computing frees the lease when it runs out.
        lease = max(60.0, 10 * stamp.seconds)
        if _write(lambda: analyses.take_refresh(db.session, debate.id, lease)):
            recompute_in_background(debate)


def first_analysis(debate: Debate) -> StoredAnalysis:
    """The first figures of a debate as it is: one process computes them (a lease on
    the row) while the others wait for them, DASHBOARD_FIRST_WAIT_SECONDS at most,
    so a million votes are not counted once per process at the same time. A process
    that waited that long in vain (the one computing died or is slow) computes them
    itself. Figures this process cannot read (another version of the code wrote
    them) are no figures: it replaces them at once rather than wait for them."""
    rule = segment_rule()
    stamp = analyses.stamp(db.session, debate)
    unreadable = "" if stamp is None else stamp.fingerprint
    if _write(lambda: analyses.take_first(db.session, debate, FIRST_LEASE_SECONDS, unreadable)):
        stored = analyses.compute(db.session, debate, rule)
        _write(lambda: analyses.save(db.session, debate, stored))
        return stored
    deadline = time.monotonic() + current_app.config["DASHBOARD_FIRST_WAIT_SECONDS"]
    while time.monotonic() < deadline:
        time.sleep(0.2)
        db.session.commit()  # a new snapshot, in which the other's figures may be
        found = analyses.latest(db.session, debate)
        if found is not None:
            return found
    stored = analyses.compute(db.session, debate, rule)
    _write(lambda: analyses.save(db.session, debate, stored))
    return stored


def recompute_in_background(debate: Debate) -> threading.Thread:
    """Recompute the analysis in a thread of this process, with its own session."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def recompute() -> None:
        with app.app_context():
            try:
                stored = analyses.compute(db.session, debate, segment_rule())
                _write(lambda: analyses.save(db.session, debate, stored))
            except Exception:  # logged; the lease runs out and another process tries
                log.exception("recomputing the analysis of %s failed", debate.slug)
            finally:
                db.session.remove()

    thread = threading.Thread(target=recompute, name=f"{REFRESH_THREAD} {debate.slug}")
    thread.start()
    return thread


def _write(work: Callable[[], T]) -> T:
    """A write after reads: the reads' transaction ends first, since SQLite refuses
    to turn a read whose snapshot another writer has since moved on into a write."""
    db.session.commit()
    with write_turn():
        result = work()
        db.session.commit()
    return result


@bp.post("/debates/<slug>/voting")
def set_voting(slug: str):
    debate = owned_debate_or_404(slug)
    voting_open = _validated(VotingForm()).voting.data == "open"
    debates.set_voting_open(db.session, debate.id, voting_open)
    db.session.commit()
    invalidate(slug)
    log.info("%s %s voting on %s", current_user.email, "opened" if voting_open else "closed", slug)
    return _controls_answer(slug)


@bp.post("/debates/<slug>/visibility")
def set_visibility(slug: str):
    debate = owned_debate_or_404(slug)
    visibility = _validated(VisibilityForm()).visibility.data
    debates.set_results_visibility(db.session, debate.id, visibility)
    db.session.commit()
    invalidate(slug)
    return _controls_answer(slug, visibility_saved=True)


@bp.post("/debates/<slug>/embedding")
def set_embedding(slug: str):
    """Any site may embed the poll, or only the sites listed; refused entries change
    nothing and come back with the author's text and what is wrong with it."""
    debate = owned_debate_or_404(slug)
    form = EmbeddingForm()
    if not form.validate():
        if wants_fragment():
            html = render_template("dashboard/_embedding.html", debate=debate, embedding_form=form)
            return html, 400
        return _page(debate, embedding_form=form), 400
    debates.set_embedding_sites(db.session, debate.id, form.any_site, form.parsed_sites)
    db.session.commit()
    invalidate(slug)
    log.info(
        "%s let %s embed %s",
        current_user.email,
        "any site" if form.any_site else " ".join(form.parsed_sites),
        slug,
    )
    if not wants_fragment():
        return redirect(url_for("dashboard.debate", slug=slug, _anchor="embedding"), 303)
    return render_template("dashboard/_embedding.html", debate=debate_or_404(slug), saved=True)


@bp.route("/debates/<slug>/reset", methods=["GET", "POST"])
def reset(slug: str):
    """A confirmation naming the debate and the votes at stake; the POST must repeat the slug."""
    debate = owned_debate_or_404(slug)
    form = ResetForm()
    votes = debates.count_votes(db.session, debate.id)
    if not form.validate_on_submit():
        return render_template("dashboard/reset.html", debate=debate, votes=votes, form=form)
    if form.confirm.data.strip() != debate.slug:
        form.confirm.errors = [f"Type {debate.slug} exactly to confirm."]
        return render_template("dashboard/reset.html", debate=debate, votes=votes, form=form), 400
    deleted = debates.reset_votes(db.session, debate.id, current_user.email)
    db.session.commit()
    invalidate(slug)
    log.warning(
        "%s reset the votes of %s: %d votes deleted", current_user.email, debate.slug, deleted
    )
    flash(f"Deleted all {deleted} votes of “{debate.title}”.")
    return redirect(url_for("dashboard.debate", slug=debate.slug), 303)


@bp.post("/debates/<slug>/exclusions")
def exclude(slug: str):
    """Set aside the votes of a site, a network bucket or a window of hours."""
    debate = owned_debate_or_404(slug)
    form = _validated(ExclusionForm())
    kind, value = form.kind.data, form.value.data or ""
    debates.add_exclusion(db.session, debate.id, current_user.email, kind, value, *form.window())
    db.session.commit()
    invalidate(slug)
    log.info("%s set aside votes of %s: %s %s", current_user.email, slug, kind, value)
    return _exclusions_answer(slug)


@bp.post("/debates/<slug>/exclusions/<int:exclusion_id>/include")
def include_again(slug: str, exclusion_id: int):
    """Count the votes of an exclusion again; it stays on record, lifted."""
    debate = owned_debate_or_404(slug)
    if not debates.include_again(db.session, debate.id, exclusion_id, current_user.email):
        abort(404, description="This debate has no such exclusion in force.")
    db.session.commit()
    invalidate(slug)
    log.info(
        "%s included again the votes of exclusion %d of %s", current_user.email, exclusion_id, slug
    )
    return _exclusions_answer(slug)


def exclusions_context(debate: Debate) -> dict:
    """The debate's exclusions, in force first, and how many votes each covers."""
    return {
        "exclusions": debates.exclusions_of(db.session, debate.id),
        "covered": votes_covered(db.session, debate.id, debate.exclusions),
    }


def _exclusions_answer(slug: str):
    """The exclusions partial for htmx (and a signal to refresh the figures), else a 303."""
    if not wants_fragment():
        return redirect(url_for("dashboard.debate", slug=slug, _anchor="exclusions"), 303)
    debate = debate_or_404(slug)
    html = render_template(
        "dashboard/_exclusions.html", debate=debate, **exclusions_context(debate)
    )
    return html, 200, {"HX-Trigger": "poll-settings-changed"}


@bp.get("/debates/<slug>/votes.csv")
def export_csv(slug: str):
    debate = owned_debate_or_404(slug)
    chunks = exports.csv_chunks(exports.vote_rows(db.session, debate))
    return _download(debate, chunks, "csv", "text/csv; charset=utf-8")


@bp.get("/debates/<slug>/votes.json")
def export_json(slug: str):
    debate = owned_debate_or_404(slug)
    chunks = exports.json_chunks(exports.vote_rows(db.session, debate))
    return _download(debate, chunks, "json", "application/json")


def _download(debate: Debate, chunks, extension: str, mimetype: str) -> Response:
    filename = exports.export_filename(debate, datetime.now(UTC), extension)
    response = Response(stream_with_context(chunks), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _validated(form):
    if not form.validate():
        abort(400, description=form.first_error())
    return form


def _controls_answer(slug: str, **context):
    """The controls partial for htmx (and a signal to refresh the figures), else a 303."""
    if not wants_fragment():
        return redirect(url_for("dashboard.debate", slug=slug, _anchor="controls"), 303)
    html = render_template(
        "dashboard/_controls.html",
        debate=debate_or_404(slug),
        visibility_labels=VISIBILITY_LABELS,
        **context,
    )
    return html, 200, {"HX-Trigger": "poll-settings-changed"}
