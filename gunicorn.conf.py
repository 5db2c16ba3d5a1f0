"""gunicorn settings for debate; environment variables override the defaults.

Several workers share rate-limit counters only through Redis: without
RATELIMIT_STORAGE_URI the server runs one worker (with threads), and it
refuses to start several workers on per-process memory.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:5000")
_shared_limits = os.environ.get("RATELIMIT_STORAGE_URI", "memory://") != "memory://"
workers = int(os.environ.get("WEB_CONCURRENCY", 4 if _shared_limits else 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4 if _shared_limits else 8))
worker_class = "gthread"
timeout = 30
graceful_timeout = 20
keepalive = 5
# Load the app once in the master: every worker shares one secret key, and a
# broken configuration stops the server before it takes traffic.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# gunicorn's control socket is one path per user: several servers on one host
# (tests, benchmarks, blue/green) would take it from each other.
control_socket_disable = True
# Only a proxy on this host may say the request came over HTTPS.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """Refuse configurations that would make limits or errors wrong in production."""
    app = server.app.wsgi()
    if "RATELIMIT_STORAGE_URI" not in getattr(app, "config", {}):
        return  # not this project's app (the benchmark's hello-worlds)
    if app.debug:
        server.log.error("debug mode is on (FLASK_DEBUG?): refusing to serve under gunicorn")
        raise SystemExit(1)
    if server.cfg.workers > 1 and app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        server.log.error(
            "%d workers would each keep their own rate limits: set RATELIMIT_STORAGE_URI=redis://…",
            server.cfg.workers,
        )
        raise SystemExit(1)
