"""What tests call: apps on a test database, a browser-like reader, authors.

Fixtures that wrap these are in conftest.py.
"""

import os
import re
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

import altcha
import redis
from flask import Flask
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import event, text

from debate import create_app
from debate.authors.dashboard import REFRESH_THREAD
from debate.cache.store import invalidate
from debate.core.content import bundled_path, parse_file
from debate.store.accounts import create_author
from debate.store.db import db
from debate.store.debates import save_debate
from debate.store.models import AnalysisRow, DebateRow
from debate.web.config import normalise_database_url

SLUG = "open-vs-closed-ai"
# The bundled essay's claims and closing answers, in the essay's order.
CLAIM_KEYS = [
    "compounding-innovation",
    "transparency-and-trust",
    "cost-and-accessibility",
    "customization",
    "safety-and-alignment",
    "quality-and-reliability",
    "accountability",
]
OPTION_KEYS = ["open-matches", "closed-keeps-edge", "coexistence", "not-sure"]
REDIS_URL = "redis://127.0.0.1:6379/0"
POSTGRES_URL = (
    normalise_database_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else None
)

_apps_made = []


def make_app(database_uri: str, **overrides):
    """An app on this database; its connections are closed after the test."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "CACHE_RESULTS_SECONDS": 0,  # tests of the response layer turn it on
        # Every test reader comes from one address; the budget has tests of its own.
        "NEW_READERS_PER_NETWORK": "100000 per hour",
        **overrides,
    }
    app = create_app(config)
    app.jinja_env.bytecode_cache = _COMPILED_TEMPLATES
    _apps_made.append(app)
    return app


class CompiledTemplates(BytecodeCache):
    """Templates compiled once per test run rather than once per app: half of the
    fast tests' time went to compiling them again (Jinja checks each template's
    source against what was compiled, so an edited template is compiled anew)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED_TEMPLATES = CompiledTemplates()


def close_apps() -> None:
    """Dispose of the test's apps, once their background work is done (a thread
    still holding a connection would leave its socket to the garbage collector)."""
    finish_recomputations()
    while _apps_made:
        with _apps_made.pop().app_context():
            db.engine.dispose()


def count_queries(app) -> list[str]:
    """A list that fills with the SQL the app runs from now on."""
    queries = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
    return queries


def reset_database(app) -> None:
    """An empty schema with the bundled debate loaded. A SQLite file nobody has
    opened yet becomes a copy of one built once per run (a fifth of a test's time
    went to building it again)."""
    with app.app_context():
        path = db.engine.url.database if db.engine.dialect.name == "sqlite" else None
        if path and path != ":memory:" and not os.path.exists(path):
            with open(path, "wb") as fresh:
                fresh.write(_loaded_sqlite())
        else:
            _load_schema_and_debate()
        invalidate(SLUG, created=True)


def _load_schema_and_debate() -> None:
    """In the app's context: the tables, emptied, and the bundled debate in them."""
    db.create_all()
    if db.engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    save_debate(db.session, parse_file(bundled_path(SLUG)))
    db.session.commit()


@cache
def _loaded_sqlite() -> bytes:
    """The bytes of a SQLite database with the schema and the bundled debate."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "loaded.sqlite")
        with make_app(f"sqlite:///{path}").app_context():
            _load_schema_and_debate()
            db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.session.remove()
            db.engine.dispose()
        with open(path, "rb") as loaded:
            return loaded.read()


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

    def post(
        self,
        path: str,
        data: dict,
        htmx: bool = False,
        csrf: bool = True,
        token: str | None = None,
        headers: dict | None = None,
        **kwargs,
    ):
        if self.csrf is None and csrf:
            self.open()
        data = {**data, "csrf_token": token or self.csrf} if csrf else data
        headers = {
            **self.says_origin,
            **({"HX-Request": "true"} if htmx else {}),
            **(headers or {}),
        }
        return self.client.post(f"/debates/{self.slug}{path}", data=data, headers=headers, **kwargs)

    def vote_claim(self, key: str, choice: str, **kwargs):
        return self.post(f"/claims/{key}/vote", {"choice": choice}, **kwargs)

    def answer(self, option: str, **kwargs):
        return self.post("/question/vote", {"option": option}, **kwargs)

    def stance(self, phase: str, side: str, **kwargs):
        return self.post("/stance", {"phase": phase, "side": side}, **kwargs)


def api_results(client, slug: str = SLUG) -> dict:
    response = client.get(f"/api/debates/{slug}/results")
    assert response.status_code == 200
    return response.get_json()


AUTHOR_EMAIL, AUTHOR_PASSWORD = "author@example.org", "correct horse battery"


def add_author(
    app, email: str = AUTHOR_EMAIL, password: str = AUTHOR_PASSWORD, owns: str | None = SLUG
) -> None:
    """An author account, owning the debate `owns` (None: owning nothing)."""
    with app.app_context():
        author = create_author(db.session, email, password)
        if owns:
            db.session.execute(
                db.select(DebateRow).filter_by(slug=owns)
            ).scalar_one().owner_id = author.id
        db.session.commit()
        if owns:
            invalidate(owns)


def sign_in(client, email: str = AUTHOR_EMAIL, password: str = AUTHOR_PASSWORD, **kwargs):
    """Sign in through the form, as a browser would; return the POST's response."""
    base_url = {"base_url": kwargs["base_url"]} if "base_url" in kwargs else {}
    html = client.get("/sign-in", **base_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}, **kwargs
    )


def csrf_of(client, path: str) -> str:
    """The CSRF token of the page at path (for a signed-in client)."""
    return CSRF_META.search(client.get(path).get_data(as_text=True)).group(1)


def make_debate(claims=(), options=(), **fields):
    """A read model for unit tests: `claims` as (key, side, title), `options` as keys."""
    from debate.core.debate import Claim, Debate, Option

    values = {
        "slug": "d",
        "title": "D",
        "lede": "",
        "context_html": "",
        "sides": (),
        "conclusion_html": "",
        "question_text": "?",
        **fields,
    }
    return Debate(
        claims=tuple(Claim(key, side, title, "") for key, side, title in claims),
        options=tuple(Option(key, key) for key in options),
        **values,
    )


def stored_debate(slug: str = SLUG):
    """The read model of a stored debate, straight from the database (in an app context)."""
    from debate.store.debates import load_debate

    return load_debate(db.session, slug)


def update_debate(app, slug: str = SLUG, **values) -> None:
    """Change a stored debate's row as an author's write would, cache included."""
    with app.app_context():
        db.session.execute(db.update(DebateRow).filter_by(slug=slug).values(**values))
        db.session.commit()
        invalidate(slug)


def age_the_figures(app, seconds: float) -> None:
    """Make every stored analysis `seconds` older, as if that much time had passed."""
    with app.app_context():
        for row in db.session.scalars(db.select(AnalysisRow)):
            row.computed_at -= timedelta(seconds=seconds)
        db.session.commit()


def finish_recomputations(timeout: float = 30) -> None:
    """Wait for the dashboards' recomputations running in the background."""
    for thread in threading.enumerate():
        if thread.name.startswith(REFRESH_THREAD):
            thread.join(timeout)


def solved_proof(client, slug: str = SLUG, **environ) -> str | None:
    """Ask for a new reader's proof of work as a page does and solve it, as a script
    would (ALTCHA's own Python solver); None when the server asks for none."""
    response = client.get(f"/debates/{slug}/new-reader-challenge", **environ)
    if response.status_code == 204:
        return None
    assert response.status_code == 200
    challenge = altcha.Challenge.from_dict(response.get_json())
    solution = altcha.solve_challenge(challenge)
    assert solution is not None
    return altcha.Payload(challenge, solution).to_base64()


@dataclass
class Workers:
    """Two apps on one database, as two gunicorn workers (or two hosts) would be, whose
    limits live in the real Redis under a key prefix of their own."""

    first: Flask
    second: Flask
    client: redis.Redis
    prefix: str

    def keys(self, pattern: str = "*") -> list[bytes]:
        """Their keys in Redis that match `pattern` after the prefix."""
        return self.client.keys(f"*{self.prefix}{pattern}")


@contextmanager
def workers_sharing_redis(database_uri: str, **config) -> Iterator[Workers]:
    """Two workers sharing limits through Redis, the debate loaded; their keys go afterwards."""
    prefix = f"debate-test-{uuid.uuid4().hex}"
    config = {"RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix, **config}
    first, second = make_app(database_uri, **config), make_app(database_uri, **config)
    reset_database(first)
    client = redis.Redis.from_url(REDIS_URL)
    try:
        yield Workers(first, second, client, prefix)
    finally:
        if keys := client.keys(f"*{prefix}*"):
            client.delete(*keys)
        client.close()
