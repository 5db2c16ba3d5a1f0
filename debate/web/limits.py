"""Rate limits, on the `limits` library: votes per client network and per
reader, new readers per client network (NEW_READERS_PER_NETWORK) and the
proofs of work that admit one past it, spent once (readers/proof.py); failed
sign-ins per client network and per account.

Counters live in RATELIMIT_STORAGE_URI: memory for one process, Redis as soon
as there are several workers or hosts (gunicorn.conf.py refuses several
workers on memory). Windows slide, so a burst at a window's edge cannot pass
twice the limit. A vote is counted only once it passed its checks (origin,
token, input), so refused requests use up nobody's budget.

When the store fails, votes are limited per process instead (logged at most
once a minute), and sign-ins are refused: a guesser must not get unlimited
tries because Redis is down.
"""

import hashlib
import hmac
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import cast

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from werkzeug.exceptions import ServiceUnavailable, TooManyRequests

from .security import client_address

log = logging.getLogger(__name__)
DOWN_SECONDS = 5


def client_network() -> str:
    """Who a client is, for a limit: its IPv4 address, or its IPv6 /64 (what one
    subscriber holds)."""
    parsed = client_address(request.remote_addr)
    if parsed is None:
        return request.remote_addr or ""
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


# The network bucket: a /24 or a /48 (a neighbourhood of addresses, not a subscriber),
# keyed by the day so that buckets cannot be followed from one day to the next.
BUCKET_PREFIX = {4: 24, 6: 48}
BUCKET_HEX_DIGITS = 16


@lru_cache(maxsize=4096)
def network_bucket(address: str | None, secret_key: str, day: date) -> str:
    """The network a vote came from, as the author may see it: an HMAC of the
    address's /24 (IPv4) or /48 (IPv6) under a key derived from the secret key and
    the UTC day. The same within a network and a day, different across either;
    the address is never stored. "" when there is no address to speak of.
    Remembered for the addresses seen last: working it out (the network, then the
    HMAC) takes tens of microseconds, which every vote would pay."""
    parsed = client_address(address)
    if parsed is None:
        return ""
    network = ipaddress.ip_network(f"{parsed}/{BUCKET_PREFIX[parsed.version]}", strict=False)
    return hmac.new(
        _bucket_key(secret_key, day), str(network).encode(), hashlib.sha256
    ).hexdigest()[:BUCKET_HEX_DIGITS]


@lru_cache(maxsize=4)
def _bucket_key(secret_key: str, day: date) -> bytes:
    """Today's key, derived (never stored): yesterday's cannot be worked out from it."""
    return hmac.new(
        secret_key.encode(), f"network bucket {day.isoformat()}".encode(), hashlib.sha256
    ).digest()


def _account() -> str:
    """The account a sign-in tries, as typed (normalised), known or not."""
    return request.form.get("email", "").strip().lower()


@dataclass(frozen=True)
class Limit:
    scope: str
    item: RateLimitItem
    key: Callable[[], str]

    def identifiers(self) -> tuple[str, str]:
        return self.scope, self.key()


class Limits:
    """The app's limits and where their counters live."""

    def __init__(self, app: Flask, reader_key: Callable[[], str]):
        config = app.config
        uri, prefix = config["RATELIMIT_STORAGE_URI"], config["RATELIMIT_KEY_PREFIX"]
        options = (
            {"socket_timeout": 1, "socket_connect_timeout": 1} if uri.startswith("redis") else {}
        )
        self.storage = cast(
            Storage,
            storage_from_string(uri, key_prefix=prefix, wrap_exceptions=True, **options),
        )
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.fallback_storage = MemoryStorage()
        self.fallback = SlidingWindowCounterRateLimiter(self.fallback_storage)
        self.last_complaint = 0.0
        self.down_until = 0.0  # after a failure the store is left alone a moment
        self.votes = [
            Limit("votes-by-network", parse(config["VOTE_LIMIT_PER_ADDRESS"]), client_network),
            Limit("votes-by-reader", parse(config["VOTE_LIMIT_PER_READER"]), reader_key),
        ]
        self.new_readers = Limit(
            "new-readers-by-network", parse(config["NEW_READERS_PER_NETWORK"]), client_network
        )
        self.author_actions = parse(config["AUTHOR_ACTIONS_PER_AUTHOR"])
        # A stranger's failures for an account stop the stranger's network, not the
        # author's: the per-account limit is kept per network, and only a much larger
        # one holds the account as a whole, against a guesser spread over many networks.
        self.sign_ins = [
            Limit(
                "sign-ins-by-network", parse(config["SIGN_IN_LIMIT_PER_ADDRESS"]), client_network
            ),
            Limit(
                "sign-ins-by-account-and-network",
                parse(config["SIGN_IN_LIMIT_PER_ACCOUNT"]),
                lambda: f"{_account()} {client_network()}",
            ),
            Limit(
                "sign-ins-by-account",
                parse(config["SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE"]),
                _account,
            ),
        ]

    def _hit(self, item: RateLimitItem, *ids: str) -> bool:
        """Count one hit in the shared store or, while it fails, in this process's."""
        if time.monotonic() >= self.down_until:
            try:
                return self.limiter.hit(item, *ids)
            except StorageError as error:
                self._complain(error)
        return self.fallback.hit(item, *ids)

    def count_vote(self) -> None:
        """Count a vote about to be recorded; 429 if it is one too many."""
        for limit in self.votes:
            ids = limit.identifiers()
            allowed = self._hit(limit.item, *ids)
            if not allowed:
                raise _too_many(
                    f"Too many votes in a short time (the limit is {limit.item}). "
                    "Please wait a minute and try again.",
                    self._retry_after(limit, ids),
                )

    def admit_new_reader(self) -> bool:
        """Count a reader's first vote against their network's budget of new readers;
        False past it (the vote is then not recorded). Existing readers never ask."""
        return self._hit(self.new_readers.item, *self.new_readers.identifiers())

    def new_reader_budget_left(self) -> bool:
        """Whether the network may bring in one more new reader now, without using
        the budget up (a page asks, to know whether its reader needs a proof)."""
        ids = self.new_readers.identifiers()
        if time.monotonic() >= self.down_until:
            try:
                return self.limiter.test(self.new_readers.item, *ids)
            except StorageError as error:
                self._complain(error)
        return self.fallback.test(self.new_readers.item, *ids)

    def spend_once(self, key: str, seconds: int) -> bool:
        """True the first time `key` is spent within `seconds`, False ever after
        (a proof of work admits one reader). Atomic in Redis and in memory."""
        if time.monotonic() >= self.down_until:
            try:
                return self.storage.incr(f"spent:{key}", seconds) == 1
            except StorageError as error:
                self._complain(error)
        return self.fallback_storage.incr(f"spent:{key}", seconds) == 1

    def count_author_action(self, author_id: str) -> None:
        """An author's change on the dashboard (voting, visibility, a reset); 429
        past AUTHOR_ACTIONS_PER_AUTHOR."""
        if not self._hit(self.author_actions, "author-actions", author_id):
            raise _too_many(
                f"Too many changes in a short time (the limit is {self.author_actions}). "
                "Please wait a minute and try again.",
                60,
            )

    def check_sign_in(self) -> None:
        """Before a sign-in is tried: 429 when its address or account has failed
        too often, 503 when that cannot be known."""
        if time.monotonic() < self.down_until:
            raise _unavailable()
        for limit in self.sign_ins:
            ids = limit.identifiers()
            try:
                allowed = self.limiter.test(limit.item, *ids)
            except StorageError as error:
                self.down_until = time.monotonic() + DOWN_SECONDS
                log.error("sign-in limits cannot be checked, refusing sign-ins: %s", error)
                raise _unavailable() from None
            if not allowed:
                raise _too_many(
                    f"Too many failed sign-ins for this account or from this address (the "
                    f"limit is {limit.item}). Please wait a few minutes before trying again.",
                    self._retry_after(limit, ids),
                )

    def count_failed_sign_in(self) -> None:
        for limit in self.sign_ins:
            try:
                self.limiter.hit(limit.item, *limit.identifiers())
            except StorageError as error:
                log.error("a failed sign-in could not be counted: %s", error)

    def _retry_after(self, limit: Limit, ids: tuple[str, str]) -> int:
        try:
            reset = self.limiter.get_window_stats(limit.item, *ids).reset_time
        except StorageError:
            reset = time.time() + limit.item.get_expiry()
        return max(1, int(reset - time.time()) + 1)

    def _complain(self, error: Exception) -> None:
        now = time.monotonic()
        self.down_until = now + DOWN_SECONDS
        if now - self.last_complaint >= 60:
            self.last_complaint = now
            log.error("the rate-limit store failed; limiting votes per process: %s", error)


def _too_many(message: str, retry_after: int) -> TooManyRequests:
    error = TooManyRequests(message)
    error.retry_after = retry_after
    return error


def _unavailable() -> ServiceUnavailable:
    error = ServiceUnavailable(
        "Signing in is unavailable for a moment, because failed attempts cannot be counted "
        "right now. Please try again in a minute."
    )
    error.retry_after = 60
    return error


def init_limits(app: Flask, reader_key: Callable[[], str]) -> Limits:
    limits = app.extensions["debate_limits"] = Limits(app, reader_key)
    return limits


def limits() -> Limits:
    limits_: Limits = current_app.extensions["debate_limits"]
    return limits_
