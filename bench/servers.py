"""Fresh databases and gunicorn servers for one bench run.

Every server is started the production way, `gunicorn --config
gunicorn.conf.py` from the checkout, with the same environment, so the
hello-worlds and the app differ only in the WSGI callable they serve.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from debate.web.config import normalise_database_url

from . import dashboard

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SLUG = "open-vs-closed-ai"
# gunicorn.conf.py turns GUNICORN_ACCESSLOG="" into a file name and refuses
# to start, so the access log goes to /dev/null: formatted, never written to
# a terminal, and the same cost for every server in the run.
ACCESSLOG = os.devnull
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def add_postgres_argument(parser) -> None:
    """--postgres: where the bench may create and drop its databases."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL URL allowed to CREATE and DROP DATABASE (env BENCH_POSTGRES_URL)",
    )


def raised_limits(storage_uri: str) -> dict[str, str]:
    """The app's environment for limits kept in `storage_uri` (production with several
    workers keeps them in Redis). All the load comes from one address, so the limits
    are raised, not removed: their cost stays in every vote."""
    return {
        "RATELIMIT_STORAGE_URI": storage_uri,
        "DEBATE_RATELIMIT_KEY_PREFIX": f"bench-{secrets.token_hex(4)}",
        "DEBATE_VOTE_LIMIT_PER_ADDRESS": "100000000 per minute",
        "DEBATE_VOTE_LIMIT_PER_READER": "100000000 per minute",
        "DEBATE_NEW_READERS_PER_NETWORK": "100000000 per hour",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Database:
    """A database of its own for one server: a SQLite file or a PostgreSQL database."""

    def __init__(self, kind: str, workdir: Path, admin_url: str, label: str):
        self.kind, self.admin_url = kind, admin_url
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / label}.sqlite"
            self.name = None
        else:
            self.name = f"bench_{label}_{uuid.uuid4().hex[:8]}"
            self.url = admin_url.rsplit("/", 1)[0] + "/" + self.name
            self._admin(f'CREATE DATABASE "{self.name}"')

    def _admin(self, statement: str) -> None:
        engine = create_engine(normalise_database_url(self.admin_url), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def prepare(self, env: dict) -> None:
        """Migrate and load the bundled essay, as an operator would."""
        env = {**env, "DATABASE_URL": self.url}
        for command in (["db", "upgrade"], *dashboard.PREPARE):
            subprocess.run(
                [BIN / "flask", "--app", "app", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )

    def drop(self) -> None:
        if self.name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Server:
    """One gunicorn master with the production config; its log is kept for grepping."""

    def __init__(self, name: str, app: str, env: dict, workdir: Path, ready_path: str = "/"):
        self.name, self.port = name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / f"{name}.log"
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_ACCESSLOG": ACCESSLOG}
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                # Several masters run at once: none may take the shared control socket.
                [BIN / "gunicorn", "--config", "gunicorn.conf.py", "--no-control-socket", app],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_ready(ready_path)

    def _wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} did not start; see {self.log}")
            time.sleep(0.2)

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            tail = "\n".join(self.log_text().splitlines()[-20:])
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{tail}")

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
