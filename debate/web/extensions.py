"""The Flask extensions, unbound until create_app initialises them, in one place."""

from pathlib import Path

from flask import Flask
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from ..cache.responses import init_compression
from ..cache.store import init_store
from ..store.db import db, end_session_even_if_connection_died
from .security import SessionRespectingLoginManager

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


csrf = CSRFProtect()
migrate = Migrate()
login_manager = SessionRespectingLoginManager()
login_manager.login_view = "auth.sign_in"
login_manager.login_message = "Please sign in to see the dashboard."
login_manager.session_protection = "basic"


def init_extensions(app: Flask) -> None:
    # First registered, so its after_request hook runs last, on the finished response.
    init_compression(app)
    db.init_app(app)
    app.teardown_appcontext(end_session_even_if_connection_died)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    # Flask-Login's context processor reads the session for every template, which
    # would make the shared results panel vary on Cookie; a lazy global does not.
    login_manager.init_app(app, add_context_processor=False)
    init_store(app)
