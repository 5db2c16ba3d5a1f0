"""Configuration layers: defaults, then instance/config.py, then the environment.

The secret key is never a known default: it comes from SECRET_KEY, from
instance/config.py, or is generated once into instance/secret_key.
"""

import os
import secrets
from pathlib import Path

from flask import Flask

from ..core.stats import MIN_N


def load(app: Flask, test_config: dict | None = None) -> None:
    """Defaults, then instance/config.py and the environment (or a test's mapping),
    then the secret key and the database's connection options."""
    app.config.from_mapping(default_config(app))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        apply_environment(app)
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    ensure_secret_key(app)
    check_server_connections(app)


def default_config(app: Flask) -> dict:
    """Settings that suit one host with SQLite in the instance folder."""
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(app.instance_path, "debate.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {},  # see check_server_connections
        "MAX_CONTENT_LENGTH": 16 * 1024,
        "MAX_FORM_MEMORY_SIZE": 16 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "RESULTS_POLL_SECONDS": 5,
        # The cache (cache/store.py): responses that show counts are kept this long;
        # a debate's read model until an author changes it, and at most this long.
        "CACHE_RESULTS_SECONDS": 1,
        "CACHE_DEBATE_SECONDS": 300,
        # The share card (a PNG drawn from the results) is redrawn at most this often.
        "CACHE_CARD_SECONDS": 300,
        "CACHE_MAX_ENTRIES": 1024,
        "CACHE_MAX_BYTES": 32 * 1024 * 1024,
        "CACHE_REDIS_URL": None,
        # Host names this app answers for; any other Host is a 400 before any cache.
        "TRUSTED_HOSTS": ["localhost", "127.0.0.1"],
        # The proxies in front (addresses or networks) whose X-Forwarded-For, -Proto
        # and -Port are believed; X-Forwarded-Host only with TRUSTED_PROXY_HOST.
        "TRUSTED_PROXIES": [],
        "TRUSTED_PROXY_HOST": False,
        # SQLite's write-ahead log is copied back into the database this often, by a
        # thread of each process rather than by the vote that fills it (store/db.py).
        "SQLITE_CHECKPOINT_SECONDS": 0.5,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_KEY_PREFIX": "debate",
        # No X-RateLimit-* headers: they cost a round trip to Redis per limit on every
        # vote. A refused request still says when to come back (errors.py).
        "RATELIMIT_HEADERS_ENABLED": False,
        # A rate-limit store that is down must not stop votes; limits resume with it.
        "RATELIMIT_SWALLOW_ERRORS": True,
        "VOTE_LIMIT_PER_ADDRESS": "600 per minute",
        "VOTE_LIMIT_PER_READER": "60 per minute",
        # Readers an IPv4 address or IPv6 /64 may bring in, whatever their votes.
        "NEW_READERS_PER_NETWORK": "30 per hour",
        # Past that, a new reader's browser proves work first (readers/proof.py): this
        # many PBKDF2 derivations on average, of this many iterations each (about a
        # second of one core, in Python or a browser), for a challenge good this long.
        "NEW_READER_PROOF_ATTEMPTS": 1000,
        "NEW_READER_PROOF_COST": 5000,
        "NEW_READER_PROOF_SECONDS": 3600,
        # Failed sign-ins only: a guesser is slowed to a crawl, an author who mistypes is not.
        "SIGN_IN_LIMIT_PER_ADDRESS": "20 per 15 minutes",
        "SIGN_IN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",  # from one network
        "SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE": "30 per hour",
        "AUTHOR_ACTIONS_PER_AUTHOR": "30 per minute",
        "DASHBOARD_POLL_SECONDS": 10,
        # How long a dashboard waits for another process's first computation of the
        # figures before it computes them itself.
        "DASHBOARD_FIRST_WAIT_SECONDS": 10,
        "DASHBOARD_MIN_N": MIN_N,
        # The dashboard's flags on segments of votes (core/segments.py, docs/statistics.md):
        # one-sided past this many points with p below the level (Bonferroni), fast past
        # this many times the median hour with at least this many votes in an hour.
        "SEGMENT_ONE_SIDED_POINTS": 25,
        "SEGMENT_ALPHA": 0.01,
        "SEGMENT_BURST_FACTOR": 5,
        "SEGMENT_BURST_MIN_VOTES": 20,
        "SEGMENT_NETWORKS_SHOWN": 10,
        "SEGMENT_HOURS_SHOWN": 24,
        "BUNDLED_DEBATE": "open-vs-closed-ai",
    }


def apply_environment(app: Flask) -> None:
    """Let the environment override the database and the secret key."""
    url = os.environ.get("DATABASE_URL")
    if url:
        app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    for name in ("SECRET_KEY", "RATELIMIT_STORAGE_URI", "CACHE_REDIS_URL"):
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    app.config.from_prefixed_env("DEBATE")


def check_server_connections(app: Flask) -> None:
    """A server that does not answer holds no thread for long: connecting gives up
    after 3 s and waiting for a pooled connection after 5 s; a statement's deadline
    and each pooled connection's check before use are in store/db.py."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
        options.setdefault("pool_timeout", 5)
        options.setdefault(
            "connect_args", {"connect_timeout": 3, "options": "-c statement_timeout=10000"}
        )


def normalise_database_url(url: str) -> str:
    """Send plain postgresql:// URLs to psycopg 3, the driver this project ships."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def ensure_secret_key(app: Flask) -> None:
    """Read or create instance/secret_key so no process runs on a guessable key.

    Several gunicorn workers may start at once: the key is written to a
    temporary file and linked into place, so every worker ends up with the
    same key whoever wins.
    """
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        tmp.write_text(secrets.token_hex(32))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()
