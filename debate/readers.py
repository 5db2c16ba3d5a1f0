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
    """The id a page's forms carry; in an embed also the one its redirect carries,
    so a reader whose browser keeps no cookie there still sees their votes."""
    token = request.form.get(TOKEN_FIELD) or request.headers.get("X-Reader-Token")
    if not token and g.get("embed"):
        token = request.args.get("reader")
    if not token:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, str) and _VALID_ID.match(value) else None


def current_reader_id() -> str | None:
    """The reader's id, or None for a reader who has not voted yet."""
    return g.get("new_reader_id") or _from_cookie() or (_from_token() if g.get("embed") else None)


def page_reader_id() -> str:
    """The id this page's votes are cast as: a reader without one gets it minted
    now, and it becomes theirs (and their cookie) with their first vote."""
    if "page_reader_id" not in g:
        g.page_reader_id = current_reader_id() or secrets.token_hex(16)
    return g.page_reader_id


def reader_token(reader_id: str | None = None) -> str:
    """For templates and redirects: the signed form of a reader id."""
    return _serializer().dumps(reader_id or page_reader_id())


def token_reader_id() -> str | None:
    """The reader id the request's page token names, if it is genuine."""
    return _from_token()


def reader_id_for_vote() -> str:
    """Who is voting: the cookie, else the page's token, else a new reader
    (the last two get their cookie with this vote)."""
    if "new_reader_id" in g:
        return g.new_reader_id
    reader_id = _from_cookie()
    if reader_id is None:
        reader_id = g.new_reader_id = _from_token() or secrets.token_hex(16)
    return reader_id


def remember_new_reader(response: Response) -> Response:
    """after_request: send the cookie when this request gave a reader an id and
    recorded a vote (a refused vote leaves no cookie behind)."""
    if "new_reader_id" in g and response.status_code < 400:
        if g.get("embed"):
            # Inside another site's iframe: a partitioned cookie, kept per embedding
            # site, is what browsers that block third-party cookies still allow.
            attributes = {"secure": True, "samesite": "None", "partitioned": True}
        else:
            attributes = {"secure": request.is_secure, "samesite": "Lax"}
        response.set_cookie(cookie_name(), g.new_reader_id, max_age=COOKIE_MAX_AGE, path="/",
                            httponly=True, **attributes)
    return response
