"""Authors signing in and out (Flask-Login), and who may see the dashboard.

A sign-in starts a fresh session (cleared, new CSRF token), so nothing set
before it, by anyone, survives into the signed-in session. Failed sign-ins
are limited per address and per account in limits.py.
"""

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from ..cache.responses import wants_fragment
from ..store.accounts import authenticate
from ..store.db import db
from ..store.models import Author
from ..web.extensions import login_manager
from ..web.limits import limits
from .forms import SignInForm

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_author(session_id: str) -> Author | None:
    """The author a session names, if that session has not been ended since."""
    author_id, _, version = session_id.partition(":")
    if not (author_id.isdigit() and version.isdigit()):
        return None
    author = db.session.get(Author, int(author_id))
    return author if author is not None and author.session_version == int(version) else None


@login_manager.unauthorized_handler
def send_to_sign_in():
    """Anonymous requests never get data: a page goes to the sign-in page, and an
    htmx fragment (a poll after the session ended) makes the browser go there."""
    target = url_for("auth.sign_in", next=request.full_path.rstrip("?"))
    if wants_fragment():
        return "", 401, {"HX-Redirect": target}
    return redirect(target)


def safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, a scheme, or a control
    character (CR and LF would split the Location header) after signing in."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and "\\" not in target
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("dashboard.index")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm()
    if form.is_submitted():
        limits().check_sign_in()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("auth/sign_in.html", form=form), status
    author = authenticate(db.session, form.email.data, form.password.data)
    if author is None:
        current_app.logger.info(
            "failed sign-in for %s from %s", form.email.data.strip().lower(), request.remote_addr
        )
        limits().count_failed_sign_in()
        form.form_errors.append("That email and password do not match an author.")
        return render_template("auth/sign_in.html", form=form), 401
    destination = safe_next(request.args.get("next"))
    session.clear()
    g.pop("csrf_token", None)
    login_user(author, remember=False)
    generate_csrf()
    return redirect(destination, 303)


@bp.post("/sign-out")
def sign_out():
    """Ends every session of this author, wherever it was copied to."""
    if current_user.is_authenticated:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    session.clear()
    return redirect(url_for("auth.sign_in"), 303)
