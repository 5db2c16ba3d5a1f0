"""Who the reader is: one answer per request, `current_reader()`.

A reader is anonymous: a random id that the server made and signed. It is
kept in a cookie, signed too, once they vote: a cookie the server did not sign
is a new visitor's. Every page carries its reader's id as a signed, dated token
(its vote token) in each vote form and htmx request, so votes cast before the
first answer has set the cookie, or where the browser keeps no cookie at all (a
blocked third-party iframe), still belong to one reader for the life of the
page. A vote's cookie and token must name the same reader (readers/ballots.py).
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from flask import current_app, g, request
from itsdangerous import BadSignature, Signer, TimestampSigner
from werkzeug.wrappers import Response

from ..cache.responses import FILL

COOKIE_NAME = "debate_reader"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest lifetime browsers keep
TOKEN_FIELD, TOKEN_HEADER, TOKEN_QUERY = "csrf_token", "X-CSRFToken", "reader"
# A page left open longer than this asks its reader to reload before voting.
TOKEN_MAX_AGE = 7 * 24 * 3600
_VALID_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Reader:
    """This request's reader.

    `known_by` says how: "cookie", "token" (the page's token names them; their
    cookie is set with their first vote) or "new" (neither: an id made now).
    `token_id` is the reader the request's token names, if it carries a
    genuine one: a vote must (readers/ballots.py).
    """

    id: str
    known_by: str
    token_id: str | None
    voted: bool = False
    _token: str | None = None

    @property
    def token(self) -> str:
        """The reader's id, signed and dated, for forms, htmx and an embed's redirect."""
        if self._token is None:
            self._token = _signer(current_app.secret_key).sign(self.id).decode("ascii")
        return self._token

    @property
    def has_cookie(self) -> bool:
        return self.known_by == "cookie"


def current_reader() -> Reader:
    """The reader of this request, worked out once."""
    if "reader" not in g:
        g.reader = _identify()
    return g.reader


def _identify() -> Reader:
    if request.environ.get(FILL):
        # The page for nobody, which the response layer fills in per first visit.
        return Reader("", "new", None, _token=token_mark(cast(str, current_app.secret_key)))
    token_id = _from_token()
    cookie_id = _from_cookie()
    if cookie_id:
        return Reader(cookie_id, "cookie", token_id)
    if token_id:
        return Reader(token_id, "token", token_id)
    return Reader(secrets.token_hex(16), "new", None)


def cookie_name() -> str:
    """Over HTTPS the __Host- prefix pins the cookie to this host and path /."""
    return f"__Host-{COOKIE_NAME}" if request.is_secure else COOKIE_NAME


def _from_cookie() -> str | None:
    """The reader the cookie names, if the server signed it."""
    value = request.cookies.get(cookie_name())
    if not value:
        return None
    try:
        reader_id = _cookie_signer(current_app.secret_key).unsign(value).decode("ascii")
    except (BadSignature, UnicodeDecodeError):
        return None
    return reader_id if _VALID_ID.match(reader_id) else None


def _from_token() -> str | None:
    """The id a page's forms and htmx requests carry; in an embed also the one
    its redirect carries, so a reader whose browser keeps no cookie there still
    sees their votes."""
    token = request.form.get(TOKEN_FIELD) or request.headers.get(TOKEN_HEADER)
    if not token and request.blueprint == "embed":
        token = request.args.get(TOKEN_QUERY)
    if not token:
        return None
    try:
        value = _signer(current_app.secret_key).unsign(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:  # forged, or expired (SignatureExpired is a BadSignature)
        return None
    reader_id = value.decode("ascii", "replace")
    return reader_id if _VALID_ID.match(reader_id) else None


@lru_cache(maxsize=8)
def _cookie_signer(secret_key: str) -> Signer:
    """The cookie lives as long as the browser keeps it: signed, not dated."""
    return Signer(secret_key, salt="debate-reader-cookie")


def reader_cookie(secret_key: str, reader_id: str) -> str:
    """The cookie value of a reader: their id, signed."""
    return _cookie_signer(secret_key).sign(reader_id).decode("ascii")


def reader_token(secret_key: str, reader_id: str) -> str:
    """The vote token of a reader: their id, signed and dated."""
    return _signer(secret_key).sign(reader_id).decode("ascii")


@lru_cache(maxsize=8)
def _signer(secret_key: str) -> TimestampSigner:
    """Signs the id itself (hex, URL-safe already): a first visit pays for an HMAC,
    not for a JSON payload compressed and encoded. One signer per key."""
    return TimestampSigner(secret_key, salt="debate-vote-token")


def new_reader_token(secret_key: str) -> str:
    """A vote token for a reader not seen before (the response layer's first visits)."""
    return _signer(secret_key).sign(secrets.token_hex(16)).decode("ascii")


def token_mark(secret_key: str) -> str:
    """Where a page drawn for nobody has its token: the same in every process
    that shares the key (so a kept page can be shared), and never in content."""
    digest = hmac.new(secret_key.encode(), b"vote token mark", hashlib.sha256).hexdigest()
    return f"vote-token-{digest[:24]}"


def limit_key() -> str:
    """The per-reader vote limit's key. A client without a cookie or token is a
    new reader each time, so the per-address limit is what holds it."""
    return f"reader:{current_reader().id}"


def remember_reader(response: Response) -> Response:
    """after_request: give a reader who just voted for the first time their cookie
    (a refused vote leaves none behind)."""
    reader = g.get("reader")
    if reader is None or not reader.voted or reader.has_cookie or response.status_code >= 400:
        return response
    attributes: dict[str, Any]
    if request.blueprint == "embed":
        # Inside another site's iframe: a partitioned cookie, kept per embedding
        # site, is what browsers that block third-party cookies still allow.
        attributes = {"secure": True, "samesite": "None", "partitioned": True}
    else:
        attributes = {"secure": request.is_secure, "samesite": "Lax"}
    response.set_cookie(
        cookie_name(),
        reader_cookie(cast(str, current_app.secret_key), reader.id),
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        **attributes,
    )
    return response
