"""Rate limits (Flask-Limiter): on votes, per client address and per reader;
on failed sign-ins, per client address and per account.

Counters live in RATELIMIT_STORAGE_URI: memory for one process, Redis as
soon as there are several workers or hosts (gunicorn.conf.py refuses to
start several workers on per-process memory, where each would count alone).
Each app gets its own Limiter, so no limiter state outlives an app.
"""

from collections.abc import Callable

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# The status a failed sign-in answers with: only these count against its limits.
FAILED_SIGN_IN = 401


def counts_as_vote(view):
    """Mark a view as a vote: it gets the vote limits, wherever it is served."""
    view.counts_as_vote = True
    return view


def limits_sign_in(view):
    """Mark the sign-in view: its failed attempts are limited."""
    view.limits_sign_in = True
    return view


def _account_key() -> str:
    """The account a sign-in tries, as typed (normalised), known or not."""
    return f"account:{request.form.get('email', '').strip().lower()}"


def _failed_sign_in(response) -> bool:
    return response.status_code == FAILED_SIGN_IN


def init_limits(app: Flask, reader_key: Callable[[], str]) -> Limiter:
    """Create the app's limiter; put both vote limits (per address, and per
    reader as `reader_key` names them) on every vote view and both
    failed-sign-in limits on the sign-in view."""
    limiter = Limiter(key_func=get_remote_address, app=app)
    # Read once: a limit given as a function would be parsed again on every vote.
    per_address = limiter.shared_limit(
        app.config["VOTE_LIMIT_PER_ADDRESS"],
        scope="votes-by-address",
        key_func=get_remote_address,
    )
    per_reader = limiter.shared_limit(
        app.config["VOTE_LIMIT_PER_READER"],
        scope="votes-by-reader",
        key_func=reader_key,
    )
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "counts_as_vote", False):
            # Flask-Limiter types a decorated view as possibly async.
            app.view_functions[endpoint] = per_address(per_reader(view))  # type: ignore[assignment]
    sign_in_limits = [
        limiter.limit(
            app.config[setting],
            scope=scope,
            key_func=key,
            methods=["POST"],
            deduct_when=_failed_sign_in,
        )
        for setting, scope, key in (
            ("SIGN_IN_LIMIT_PER_ADDRESS", "sign-in-by-address", get_remote_address),
            ("SIGN_IN_LIMIT_PER_ACCOUNT", "sign-in-by-account", _account_key),
        )
    ]
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "limits_sign_in", False):
            for limit in sign_in_limits:
                view = limit(view)  # type: ignore[assignment]  # Flask-Limiter: possibly async
            app.view_functions[endpoint] = view
    return limiter
