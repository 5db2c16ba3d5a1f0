"""Anonymous readers: a random id in a cookie, minted on a reader's first vote."""

import re
import secrets

from flask import current_app, g, request
from werkzeug.wrappers import Response

COOKIE_NAME = "debate_reader"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep
_VALID_ID = re.compile(r"^[0-9a-f]{32}$")


def cookie_name() -> str:
    """Over HTTPS the __Host- prefix pins the cookie to this host and path /."""
    return f"__Host-{COOKIE_NAME}" if request.is_secure else COOKIE_NAME


def current_reader_id() -> str | None:
    """The reader's id, or None for a reader who has not voted yet."""
    if "new_reader_id" in g:
        return g.new_reader_id
    value = request.cookies.get(cookie_name(), "")
    return value if _VALID_ID.match(value) else None


def reader_id_for_vote() -> str:
    """The reader's id, minting one (sent back as a cookie) on a first vote."""
    reader_id = current_reader_id()
    if reader_id is None:
        reader_id = g.new_reader_id = secrets.token_hex(16)
    return reader_id


def remember_new_reader(response: Response) -> Response:
    """after_request: send the cookie when this request minted a reader id and
    recorded a vote (a refused vote leaves no cookie behind)."""
    if "new_reader_id" in g and response.status_code < 400:
        response.set_cookie(
            cookie_name(), g.new_reader_id, max_age=COOKIE_MAX_AGE, path="/",
            secure=request.is_secure, httponly=True,
            samesite=current_app.config.get("READER_COOKIE_SAMESITE", "Lax"),
        )
    return response
