"""Fixtures in the flaskr shape: app, client, runner; a fresh database per test.

Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set
(`DATABASE_URL=postgresql://... make test`); an unreachable PostgreSQL fails
the run rather than skipping it. What tests call is in helpers.py.
"""

import os
import tempfile
import uuid

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("DEBATE_INSTANCE_PATH", tempfile.mkdtemp(prefix="debate-instance-"))

from helpers import (  # noqa: E402
    AUTHOR_EMAIL,
    POSTGRES_URL,
    Reader,
    add_author,
    close_apps,
    make_app,
    reset_database,
    sign_in,
)


def pytest_report_header(config):
    return f"database: {POSTGRES_URL or 'SQLite, a file per test'}"


@pytest.fixture(scope="session")
def postgres_schema():
    """On PostgreSQL, a database of this run's own with the tables; None on SQLite.

    The server at DATABASE_URL only hosts it, so two runs never share tables.
    """
    if not POSTGRES_URL:
        yield None
        return
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"debate_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # the run must fail, not skip, without its database
        pytest.exit(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}", returncode=3)
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    close_apps()


@pytest.fixture
def database_uri(tmp_path, postgres_schema):
    return postgres_schema or f"sqlite:///{tmp_path / 'test.sqlite'}"


@pytest.fixture
def app(database_uri):
    app = make_app(database_uri)
    reset_database(app)
    return app


@pytest.fixture
def app_caching_for(database_uri):
    """Apps whose responses are kept for the given seconds (the other tests keep
    none), on this test's database with the debate loaded."""

    def make(seconds: int, **overrides):
        app = make_app(database_uri, CACHE_RESULTS_SECONDS=seconds, **overrides)
        reset_database(app)
        return app

    return make


@pytest.fixture
def live_server(app):
    """The app on a loopback port for a browser; the panel refreshes every second so
    tests see other readers' votes arrive quickly."""
    from browser import LiveServer

    app.config["RESULTS_POLL_SECONDS"] = 1
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, one per test module (Playwright downloads no browser).

    Module scope: a module that launches Chromium with flags of its own starts
    Playwright itself, which it may only do while no other instance runs."""
    from playwright.sync_api import sync_playwright

    from browser import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS

    assert AXE_SCRIPT.exists(), "run `npm ci` (make test does) to install axe-core"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def reader(client):
    return Reader(client)


@pytest.fixture
def new_reader(app):
    """A factory of independent readers, each with its own cookie jar."""
    return lambda: Reader(app.test_client())


@pytest.fixture
def author(app):
    add_author(app)
    return AUTHOR_EMAIL


@pytest.fixture
def author_client(app, author):
    """A client signed in as the bundled debate's owner."""
    client = app.test_client()
    assert sign_in(client).status_code == 303
    return client
