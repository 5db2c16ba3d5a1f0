"""Anonymous readers: a random id, kept in a cookie once the reader votes.

A page carries its reader's id as a signed, dated token (its vote token) in
every vote form and htmx request, so votes cast before the first answer has
set the cookie, or where the browser keeps no cookie at all (a blocked
third-party iframe), still belong to one reader for the life of the page.
The same token proves a vote came from the poll's own page (see ballots.py),
so readers need no session.
"""

import re
import secrets
from functools import lru_cache

from flask import current_app, g, request
from itsdangerous import BadSignature, TimestampSigner
from werkzeug.wrappers import Response

COOKIE_NAME = "debate_reader"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep
TOKEN_FIELD, TOKEN_HEADER = "csrf_token", "X-CSRFToken"
# A page left open longer than this asks its reader to reload before voting.
TOKEN_MAX_AGE = 7 * 24 * 3600
_VALID_ID = re.compile(r"^[0-9a-f]{32}$")


def cookie_name() -> str:
    """Over HTTPS the __Host- prefix pins the cookie to this host and path /."""
    return f"__Host-{COOKIE_NAME}" if request.is_secure else COOKIE_NAME


@lru_cache(maxsize=8)
def signer_for(secret_key: str) -> TimestampSigner:
    """Signs the id itself (hex, URL-safe already): a first visit pays for an HMAC,
    not for a JSON payload compressed and encoded. One signer per key."""
    return TimestampSigner(secret_key, salt="debate-vote-token")


def _signer() -> TimestampSigner:
    return signer_for(current_app.secret_key)


def new_reader_token(secret_key: str) -> str:
    """A vote token for a reader not seen before, outside any request (first_visits.py)."""
    return signer_for(secret_key).sign(secrets.token_hex(16)).decode("ascii")


def _from_cookie() -> str | None:
    value = request.cookies.get(cookie_name(), "")
    return value if _VALID_ID.match(value) else None


def _from_token() -> str | None:
    """The id a page's forms carry; in an embed also the one its redirect carries,
    so a reader whose browser keeps no cookie there still sees their votes."""
    token = request.form.get(TOKEN_FIELD) or request.headers.get(TOKEN_HEADER)
    if not token and g.get("embed"):
        token = request.args.get("reader")
    if not token:
        return None
    try:
        value = _signer().unsign(token, max_age=TOKEN_MAX_AGE).decode("ascii", "replace")
    except BadSignature:  # forged, or expired (SignatureExpired is a BadSignature)
        return None
    return value if _VALID_ID.match(value) else None


def current_reader_id() -> str | None:
    """The reader's id, or None for a reader who has not voted yet."""
    return g.get("new_reader_id") or _from_cookie() or (_from_token() if g.get("embed") else None)


def page_reader_id() -> str:
    """The id this page's votes are cast as: a reader without one gets it minted
    now, and it becomes theirs (and their cookie) with their first vote."""
    if "page_reader_id" not in g:
        g.page_reader_id = current_reader_id() or secrets.token_hex(16)
    return g.page_reader_id


def vote_token(reader_id: str | None = None) -> str:
    """The signed, dated form of a reader id (by default the page's reader), for
    vote forms, htmx requests and an embed's redirect."""
    return _signer().sign(reader_id or page_reader_id()).decode("ascii")


def cookie_reader_id() -> str | None:
    """The reader the browser's cookie names, if any."""
    return _from_cookie()


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
