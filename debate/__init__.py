"""debate: an embeddable debate poll for essays."""

import os
from pathlib import Path
from typing import cast

from flask import Flask
from flask_login import current_user

from . import cli
from .authors import auth, dashboard
from .cache import store as cache_store
from .cache.responses import ResponseCache, vary_on_fragments
from .core.debate import long_date
from .core.stats import signed_points
from .embeds import oembed
from .embeds import views as embed_views
from .readers import api, ballots, identity, pages
from .web import config, errors, security
from .web.extensions import csrf, init_extensions
from .web.limits import init_limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("DEBATE_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    config.load(app, test_config)
    init_extensions(app)
    blueprints = (pages, ballots, embed_views, oembed, api, auth, dashboard)
    for module in blueprints:
        app.register_blueprint(module.bp)
    # Votes prove their origin with the page's vote token, without a session.
    csrf.exempt(ballots.bp)
    csrf.exempt(embed_views.bp)
    init_limits(app, reader_key=identity.limit_key)
    errors.register(app)
    security.register(app)
    cli.register(app)
    # after_request hooks run last registered first: the reader's cookie, then
    # Vary, then the security headers (security.register) on every answer.
    app.after_request(vary_on_fragments)
    app.after_request(identity.remember_reader)
    app.jinja_env.globals["current_user"] = current_user
    app.jinja_env.filters["points"] = signed_points
    app.jinja_env.filters["long_date"] = long_date
    # Middleware, innermost first (Flask's documented hook, which mypy calls a
    # method): chunked bodies given a length, the response cache in front of that,
    # and the proxy fix outside it, so the cache keys on the client's scheme and host.
    # The key is always a str: config.py sets it from SECRET_KEY or a file.
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.wsgi_app = security.ChunkedBodyLimit(app.wsgi_app, limit)  # type: ignore[method-assign]
    app.wsgi_app = ResponseCache(  # type: ignore[method-assign]  # Flask's documented middleware hook
        app,
        cache_store.store(app),
        identity.token_mark(cast(str, app.secret_key)),
        lambda: identity.new_reader_token(cast(str, app.secret_key)),
    )
    security.trust_proxies(app)
    return app
