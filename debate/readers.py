"""Anonymous readers: a random id, kept in a cookie once the reader votes.

A page carries its reader's id as a signed token in every vote form, so
votes cast before the first answer has set the cookie, or where the browser
keeps no cookie at all (a blocked third-party iframe), still belong to one
reader for the life of the page.
"""

import re
import secrets

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response

COOKIE_NAME = "debate_reader"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep
TOKEN_FIELD = "reader_token"
_VALID_ID = re.compile(r"^[0-9a-f]{32}$")


def cookie_name() -> str:
    """Over HTTPS the __Host- prefix pins the cookie to this host and path /."""
    return f"__Host-{COOKIE_NAME}" if request.is_secure else COOKIE_NAME


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="debate-reader")


def _from_cookie() -> str | None:
    value = request.cookies.get(cookie_name(), "")
    return value if _VALID_ID.match(value) else None


def _from_token() -> str | None:
    token = request.form.get(TOKEN_FIELD) or request.headers.get("X-Reader-Token")
    if not token:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) and _VALID_ID.match(value) else None


def current_reader_id() -> str | None:
    """The reader's id, or None for a reader who has not voted yet."""
    return g.get("new_reader_id") or _from_cookie()


def reader_token() -> str:
    """For templates: the signed id this page's votes are cast as.

    A reader without a cookie gets an id minted now; it becomes theirs
    (and their cookie) with their first vote.
    """
    if "page_reader_id" not in g:
        g.page_reader_id = current_reader_id() or secrets.token_hex(16)
    return _serializer().dumps(g.page_reader_id)


def reader_id_for_vote() -> str:
    """Who is voting: the cookie, else the page's token, else a new reader."""
    reader_id = current_reader_id()
    if reader_id is None:
        reader_id = g.new_reader_id = _from_token() or secrets.token_hex(16)
    return reader_id


def remember_new_reader(response: Response) -> Response:
    """after_request: send the cookie when this request gave a reader an id and
    recorded a vote (a refused vote leaves no cookie behind)."""
    if "new_reader_id" in g and response.status_code < 400:
        response.set_cookie(
            cookie_name(), g.new_reader_id, max_age=COOKIE_MAX_AGE, path="/",
            secure=request.is_secure, httponly=True,
            samesite=current_app.config.get("READER_COOKIE_SAMESITE", "Lax"),
        )
    return response
