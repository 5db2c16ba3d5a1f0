"""Past its network's budget of new readers, a new reader proves work before
their first vote counts: ALTCHA's proof of work, self-hosted.

The server issues a challenge (PoW v2, PBKDF2/SHA-256) signed with keys
derived from SECRET_KEY and good for NEW_READER_PROOF_SECONDS. It is
deterministic: the server picks the counter the solver must reach, about
NEW_READER_PROOF_ATTEMPTS derivations of NEW_READER_PROOF_COST iterations
each, so every reader pays about the same, and checking a solution is one HMAC.
The browser solves it in a worker while the reader reads
(static/new-reader-proof.js) and sends the solution with the vote, in the
field `altcha`. A solution admits one reader: its challenge's nonce is spent in
the limits' store (web/limits.py), the store that keeps the budget it extends.
"""

import hashlib
import hmac
import logging
import secrets
import time
from typing import cast

import altcha
from flask import current_app, g, request

from ..web.limits import limits

PROOF_FIELD = "altcha"
ALGORITHM = "PBKDF2/SHA-256"
log = logging.getLogger(__name__)


def _key(purpose: bytes) -> str:
    """A key of its own for each use of the app's secret."""
    secret = cast(str, current_app.secret_key).encode()
    return hmac.new(secret, b"new-reader proof " + purpose, hashlib.sha256).hexdigest()


def new_challenge() -> dict:
    """A signed challenge that costs about NEW_READER_PROOF_ATTEMPTS derivations."""
    config = current_app.config
    attempts = max(1, int(config["NEW_READER_PROOF_ATTEMPTS"]))
    # Uniform around the mean, never 0: the work is hard to predict, and even.
    counter = attempts // 2 + secrets.randbelow(attempts) + 1
    challenge = altcha.create_challenge(
        ALGORITHM,
        int(config["NEW_READER_PROOF_COST"]),
        counter=counter,
        expires_at=int(time.time()) + int(config["NEW_READER_PROOF_SECONDS"]),
        hmac_secret=_key(b"challenge"),
        hmac_key_secret=_key(b"derived key"),
    )
    return challenge.to_dict()


def proven() -> bool:
    """Whether this request carries a genuine, current, solved challenge that no
    other reader has used; it is spent by asking (once per request, so a vote
    retried on a lost connection keeps it)."""
    if "proven" not in g:
        g.proven = _spend_proof()
    return bool(g.proven)


def _spend_proof() -> bool:
    payload = request.form.get(PROOF_FIELD, "")
    if not payload:
        return False
    try:
        result = altcha.verify_solution(
            payload, _key(b"challenge"), hmac_key_secret=_key(b"derived key")
        )
        nonce = altcha.Payload.from_base64(payload).challenge.parameters.nonce
    except Exception:  # whatever a made-up payload breaks, it proves nothing
        log.info("a malformed proof of work was refused")
        return False
    if not result.verified or not isinstance(nonce, str):
        return False
    lifetime = int(current_app.config["NEW_READER_PROOF_SECONDS"]) + 60
    return limits().spend_once(f"proof:{nonce}", lifetime)
