"""Fixtures in the flaskr shape: app, client, runner; a fresh database per test.

Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set
(`DATABASE_URL=postgresql://... make test`); an unreachable PostgreSQL fails
the run rather than skipping it.
"""

import os
import re
import tempfile
import uuid

import pytest
from sqlalchemy import create_engine, event, text

os.environ.setdefault("DEBATE_INSTANCE_PATH", tempfile.mkdtemp(prefix="debate-instance-"))

from debate import create_app  # noqa: E402
from debate.config import normalise_database_url  # noqa: E402
from debate.content import bundled_path, parse_file  # noqa: E402
from debate.db import db  # noqa: E402
from debate.loading import save_debate  # noqa: E402

SLUG = "open-vs-closed-ai"
POSTGRES_URL = normalise_database_url(os.environ["DATABASE_URL"]) if os.environ.get(
    "DATABASE_URL") else None


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


_apps_made = []


def make_app(database_uri: str, **overrides):
    """An app on this database; its connections are closed after the test."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "RESULTS_CACHE_SECONDS": 0,  # tests of the cache turn it on
        **overrides,
    }
    app = create_app(config)
    _apps_made.append(app)
    return app


@pytest.fixture(autouse=True)
def _close_connections():
    yield
    while _apps_made:
        with _apps_made.pop().app_context():
            db.engine.dispose()


def count_queries(app) -> list[str]:
    """A list that fills with the SQL the app runs from now on."""
    queries = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda *args: queries.append(args[2]))
    return queries


def reset_database(app) -> None:
    """An empty schema with the bundled debate loaded."""
    with app.app_context():
        db.create_all()
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        save_debate(db.session, parse_file(bundled_path(SLUG)))
        db.session.commit()


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
    """Apps whose short caches keep things for the given seconds (the other tests
    turn them off), on this test's database with the debate loaded."""
    def make(seconds: int):
        app = make_app(database_uri, RESULTS_CACHE_SECONDS=seconds)
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
    from browser import AXE_SCRIPT, CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    assert AXE_SCRIPT.exists(), "run `npm ci` (make test does) to install axe-core"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
VOTE_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


class Reader:
    """A browser-like reader: keeps cookies, sends the vote token the page's forms
    carry, and says where its requests come from, as browsers do (an old browser
    that does not: `reader.says_origin = {}`)."""

    def __init__(self, client, slug: str = SLUG):
        self.client, self.slug = client, slug
        self.csrf = None
        self.says_origin = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}

    def open(self):
        response = self.client.get(f"/debates/{self.slug}")
        self.csrf = VOTE_TOKEN.search(response.get_data(as_text=True)).group(1)
        return response

    def post(self, path: str, data: dict, htmx: bool = False, csrf: bool = True,
             token: str | None = None, headers: dict | None = None, **kwargs):
        if self.csrf is None and csrf:
            self.open()
        data = {**data, "csrf_token": token or self.csrf} if csrf else data
        headers = {**self.says_origin, **({"HX-Request": "true"} if htmx else {}),
                   **(headers or {})}
        return self.client.post(f"/debates/{self.slug}{path}", data=data, headers=headers,
                                **kwargs)

    def vote_claim(self, key: str, choice: str, **kwargs):
        return self.post(f"/claims/{key}/vote", {"choice": choice}, **kwargs)

    def answer(self, option: str, **kwargs):
        return self.post("/question/vote", {"option": option}, **kwargs)

    def stance(self, phase: str, side: str, **kwargs):
        return self.post("/stance", {"phase": phase, "side": side}, **kwargs)


@pytest.fixture
def reader(client):
    return Reader(client)


@pytest.fixture
def new_reader(app):
    """A factory of independent readers, each with its own cookie jar."""
    return lambda: Reader(app.test_client())


def api_results(client, slug: str = SLUG) -> dict:
    response = client.get(f"/api/debates/{slug}/results")
    assert response.status_code == 200
    return response.get_json()


AUTHOR_EMAIL, AUTHOR_PASSWORD = "author@example.org", "correct horse battery"


def add_author(app, email: str = AUTHOR_EMAIL, password: str = AUTHOR_PASSWORD,
               owns: str | None = SLUG) -> None:
    """An author account, owning the debate `owns` (None: owning nothing)."""
    from debate.accounts import create_author
    from debate.models import Debate

    with app.app_context():
        author = create_author(db.session, email, password)
        if owns:
            db.session.execute(db.select(Debate).filter_by(slug=owns)).scalar_one().owner_id = (
                author.id)
        db.session.commit()


def sign_in(client, email: str = AUTHOR_EMAIL, password: str = AUTHOR_PASSWORD, **kwargs):
    """Sign in through the form, as a browser would; return the POST's response."""
    base_url = {"base_url": kwargs["base_url"]} if "base_url" in kwargs else {}
    html = client.get("/sign-in", **base_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token}, **kwargs)


def csrf_of(client, path: str) -> str:
    """The CSRF token of the page at path (for a signed-in client)."""
    return CSRF_META.search(client.get(path).get_data(as_text=True)).group(1)


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
