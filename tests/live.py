"""Live servers for tests that need real processes: gunicorn, a private PostgreSQL,
and a crowd of readers voting over loopback."""

import contextlib
import glob
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from bench.junk import worker_pids
from helpers import CLAIM_KEYS, OPTION_KEYS

ROOT = Path(__file__).resolve().parent.parent
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SLUG = "open-vs-closed-ai"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float = 20.0, what: str = "server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (OSError, requests.RequestException):
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not come up within {timeout} s")


class Gunicorn:
    """gunicorn with the project's config, on a free port, in its own process group."""

    def __init__(self, database_url: str, workers: int = 4, **env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instance = tempfile.mkdtemp(prefix="debate-live-")
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBATE_INSTANCE_PATH": self.instance,
            "SECRET_KEY": "live-test-secret",
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_ACCESSLOG": "",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "DEBATE_NEW_READERS_PER_NETWORK": "100000 per hour",
            "DEBATE_RATELIMIT_KEY_PREFIX": f"live-{self.port}-{time.time_ns()}",
            "DEBATE_VOTE_LIMIT_PER_ADDRESS": "1000000 per minute",
            "DEBATE_VOTE_LIMIT_PER_READER": "1000000 per minute",
            **env,
        }
        self.log = open(Path(self.instance) / "gunicorn.log", "w+")  # noqa: SIM115

    def __enter__(self):
        self.process = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "--config", "gunicorn.conf.py", "app:app"],
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: (
                requests.get(f"{self.url}/api/debates/{SLUG}/results", timeout=2).status_code == 200
            ),
            what="gunicorn",
        )
        return self

    def worker_pids(self) -> list[int]:
        return worker_pids(self.process.pid)

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def __exit__(self, *_exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.instance, ignore_errors=True)


class PrivatePostgres:
    """A PostgreSQL of the test's own (initdb into a temporary folder, its own port),
    so a test may stop and start it without touching the machine's server."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            raise RuntimeError("PostgreSQL server binaries are not installed")
        self.bin = Path(bins[-1])
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="debate-pg-"))
        self.data = self.dir / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *args, **kwargs):
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            check=True,
            capture_output=True,
            text=True,
            **kwargs,
        )

    def __enter__(self):
        shutil.chown(self.dir, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )
        self.start()
        return self

    def start(self):
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-w",
            "-l",
            str(self.dir / "log"),
            "-o",
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        )

    def stop(self):
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop"
        )

    def __exit__(self, *_exc):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


CLAIMS, OPTIONS = CLAIM_KEYS, OPTION_KEYS
CHOICES = {
    "claim": ["agree", "disagree", "unsure"],
    "question": OPTIONS,
    "stance": ["open", "closed", "undecided"],
}


@dataclass
class CrowdRecord:
    """What the readers themselves know: every vote they sent, in order, per item,
    with the answer it got (racing votes are marked: their order is unknown)."""

    history: dict[tuple[str, str, str], list[tuple[str, object, bool]]] = field(
        default_factory=dict
    )
    statuses: Counter = field(default_factory=Counter)
    racing_pairs: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def votes_sent(self) -> int:
        return sum(self.statuses.values())

    def add(self, item, choice: str, status, racing: bool) -> None:
        with self.lock:
            self.statuses[status] += 1
            self.history.setdefault(item, []).append((choice, status, racing))

    def last_acknowledged(self, item) -> str | None:
        """The reader's known last choice: the last vote answered 200, if not a racer."""
        for choice, status, racing in reversed(self.history[item]):
            if status == 200:
                return None if racing else choice
        return None

    def possible_stored(self, item) -> set[str]:
        """Choices the database may hold for the item: the last acknowledged one (or
        both racers), and any later vote whose fate the reader cannot know (no answer,
        or a 5xx: the commit may have landed just before the connection died)."""
        entries = self.history[item]
        acked = [i for i, (_, status, _) in enumerate(entries) if status == 200]
        start = acked[-1] if acked else 0
        while start > 0 and entries[start][2] and entries[start - 1][2]:
            start -= 1
        return {
            choice
            for choice, status, _ in entries[start:]
            if status == 200 or not isinstance(status, int) or status >= 500
        }

    def expected_counts(self) -> Counter:
        counts = Counter()
        for item in self.history:
            choice = self.last_acknowledged(item)
            if choice is not None:
                counts[(item[1], item[2], choice)] += 1
        return counts


def browser_session() -> requests.Session:
    """A session that, as a browser does, sends a request again once when the server
    closed the connection before any answer: a keep-alive connection the server
    timed out just as the request went (gunicorn's keepalive, 5 s), or a worker
    that died. A vote sent twice is the same vote."""
    session = requests.Session()
    again = Retry(
        total=1,
        connect=1,
        read=1,
        status=0,
        other=0,
        allowed_methods=None,
        respect_retry_after_header=False,  # a 503 is an answer, kept as it came
        raise_on_status=False,
    )
    session.mount("http://", HTTPAdapter(max_retries=again))
    return session


class CrowdReader:
    """One reader with a browser-like session: page first, then form posts."""

    def __init__(self, url: str, record: CrowdRecord, rng: random.Random):
        self.url, self.record, self.rng = url, record, rng
        self.session = browser_session()
        page = self._page()
        # The page's vote token: CSRF proof and, signed inside, the reader's id.
        self.token = self.csrf = CSRF_META.search(page).group(1)

    def _page(self, attempts: int = 5) -> str:
        """The debate page, retried: a worker may be restarting under the test."""
        for attempt in range(attempts):
            try:
                response = self.session.get(f"{self.url}/debates/{SLUG}", timeout=30)
                if response.status_code == 200:
                    return response.text
            except requests.RequestException:
                if attempt == attempts - 1:
                    raise
            time.sleep(0.2)
        raise RuntimeError(f"the debate page answered {response.status_code}")

    def vote(self, kind: str, key: str, choice: str, session=None):
        path, field_name = {
            "claim": (f"/claims/{key}/vote", "choice"),
            "question": ("/question/vote", "option"),
            "stance": ("/stance", "side"),
        }[kind]
        data = {field_name: choice, "csrf_token": self.csrf}
        if kind == "stance":
            data["phase"] = key
        try:
            response = (session or self.session).post(
                f"{self.url}/debates/{SLUG}{path}",
                data=data,
                headers={"HX-Request": "true", "Sec-Fetch-Site": "same-origin", "Origin": self.url},
                timeout=60,
            )
            status = response.status_code
        except requests.RequestException:
            status = "connection error"
        self.record.add((self.token, kind, key), choice, status, racing=session is not None)
        return status

    def race(self, votes: list[tuple[str, str, str]]):
        """Requests of this reader at once, one per (kind, key, choice): one item with
        different choices, or both stance answers together."""
        twins = [browser_session() for _ in votes]
        for twin in twins:
            twin.cookies.update(self.session.cookies)
        barrier = threading.Barrier(len(votes))

        def send(vote, session):
            barrier.wait()
            self.vote(*vote, session)

        threads = [
            threading.Thread(target=send, args=pair) for pair in zip(votes, twins, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with self.record.lock:
            self.record.racing_pairs += 1


def crowd_votes(
    urls: list[str], readers: int, seed: int = 7, stop: threading.Event | None = None
) -> CrowdRecord:
    """`readers` readers at once, spread over the servers, each voting on random claims,
    the question and both stances, changing about a third of their votes, some of the
    changes in two racing requests."""
    record = CrowdRecord()
    start = threading.Barrier(readers)

    def one_reader(index: int):
        rng = random.Random(seed * 100_003 + index)
        try:
            reader = CrowdReader(urls[index % len(urls)], record, rng)
        finally:
            start.wait(timeout=120)  # all readers start voting together
        items = [("claim", key) for key in rng.sample(CLAIMS, rng.randint(2, len(CLAIMS)))]
        items += [("question", "closing"), ("stance", "before"), ("stance", "after")]
        if index % 4 == 0:  # both stance answers at once, before any other vote
            reader.race(
                [("stance", phase, rng.choice(CHOICES["stance"])) for phase in ("before", "after")]
            )
        for kind, key in items:
            if stop and stop.is_set():
                return
            reader.vote(kind, key, rng.choice(CHOICES[kind]))
        for kind, key in rng.sample(items, max(1, len(items) // 3)):
            if stop and stop.is_set():
                return
            first, second = rng.sample(CHOICES[kind], 2)
            if rng.random() < 0.3:
                reader.race([(kind, key, first), (kind, key, second)])
                # One plain vote after the race makes the reader's last choice known.
                reader.vote(kind, key, rng.choice(CHOICES[kind]))
            else:
                reader.vote(kind, key, first)

    threads = [threading.Thread(target=one_reader, args=(i,)) for i in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return record


def api_counts(url: str) -> tuple[Counter, int]:
    """The JSON results as (kind, key, choice) counts, and the readers figure."""
    results = requests.get(f"{url}/api/debates/{SLUG}/results", timeout=30).json()
    counts = Counter()
    for claim in results["claims"]:
        for choice in CHOICES["claim"]:
            counts[("claim", claim["key"], choice)] += claim[choice]
    for option in results["question"]["options"]:
        counts[("question", "closing", option["key"])] += option["votes"]
    for phase, sides in results["stance"].items():
        for side, n in sides.items():
            counts[("stance", phase, side)] += n
    return +counts, results["readers"]
