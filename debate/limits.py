"""Rate limits on votes, per client address and per reader (Flask-Limiter).

Counters live in RATELIMIT_STORAGE_URI: memory for one process, Redis as
soon as there are several workers or hosts (gunicorn.conf.py refuses to
start several workers on per-process memory, where each would count alone).
Each app gets its own Limiter, so no limiter state outlives an app.
"""

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .readers import reader_id_for_vote


def counts_as_vote(view):
    """Mark a view as a vote: it gets the vote limits, wherever it is served."""
    view.counts_as_vote = True
    return view


def _reader_key() -> str:
    """The reader this vote is from; a client without a cookie is a new reader
    each time, so the per-address limit is what holds it."""
    return f"reader:{reader_id_for_vote()}"


def init_limits(app: Flask) -> Limiter:
    """Create the app's limiter and put both vote limits on every vote view."""
    limiter = Limiter(key_func=get_remote_address, app=app)
    per_address = limiter.shared_limit(
        lambda: current_app.config["VOTE_LIMIT_PER_ADDRESS"], scope="votes-by-address",
        key_func=get_remote_address,
    )
    per_reader = limiter.shared_limit(
        lambda: current_app.config["VOTE_LIMIT_PER_READER"], scope="votes-by-reader",
        key_func=_reader_key,
    )
    for endpoint, view in list(app.view_functions.items()):
        if getattr(view, "counts_as_vote", False):
            app.view_functions[endpoint] = per_address(per_reader(view))
    return limiter
