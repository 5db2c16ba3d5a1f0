"""debate: an embeddable debate poll for essays."""

import os
import re
from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from . import config
from .caching import cache
from .db import db, end_session_even_if_connection_died
from .edge_cache import EdgeCache
from .first_visits import FirstVisits
from .limits import init_limits

PROJECT_ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()
migrate = Migrate()


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("DEBATE_INSTANCE_PATH", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.from_mapping(config.default_config(app))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        config.apply_environment(app)
    else:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config.ensure_secret_key(app)
    config.check_server_connections(app)

    db.init_app(app)
    app.teardown_appcontext(end_session_even_if_connection_died)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    cache.init_app(app)

    from . import (
        api,
        auth,
        cli,
        dashboard,
        embed,
        errors,
        htmx,
        oembed,
        pages,
        readers,
        security,
        visibility,
        voting,
    )

    # Flask-Login's context processor reads the session for every template, which
    # would make the shared results panel vary on Cookie; a lazy global does not.
    auth.login_manager.init_app(app, add_context_processor=False)
    app.register_blueprint(pages.bp)
    app.register_blueprint(voting.bp)
    app.register_blueprint(embed.bp)
    app.register_blueprint(oembed.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(dashboard.bp)
    # Votes prove their origin with the page's vote token, without a session: ballots.py.
    csrf.exempt(voting.bp)
    csrf.exempt(embed.bp)
    init_limits(app)
    if app.config["RESULTS_CACHE_SECONDS"] > 0:
        # The results panel every reader polls is served from here while it is fresh,
        # and so is the page for a reader's first visit, with a token of their own.
        app.wsgi_app = EdgeCache(app.wsgi_app, re.compile(r"^/debates/[^/]+/results$"))
        app.wsgi_app = FirstVisits(app.wsgi_app, app.secret_key,
                                   app.config["RESULTS_CACHE_SECONDS"],
                                   re.compile(r"^/debates/[^/]+$"))
    errors.register(app)
    security.register(app)
    cli.register(app)
    app.after_request(readers.remember_new_reader)
    app.jinja_env.globals.update(
        current_user=auth.current_user,
        item_results_visible=visibility.item_results_visible,
        totals_visible=visibility.totals_visible,
        hidden_results_note=visibility.hidden_results_note,
    )
    app.after_request(htmx.vary_on_htmx)
    return app
