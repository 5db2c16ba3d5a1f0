"""Junk requests and a worker's memory, for the bench's "memory under junk requests"
row and tests/test_live_memory.py, which send the same mix and read RSS the same way.

The mix is what crawlers and scanners send: debates and claims that do not exist, and
real pages asked for under Host names nobody has used before. Every per-key structure
a process keeps (locks, cached pages per host) must stay bounded under it, so a
worker's memory is measured only over HTTP and /proc, never through the app.
"""

import http.client
import random
import statistics
import subprocess
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SLUG = "open-vs-closed-ai"
REQUESTS, LIMIT_MIB = 50_000, 10  # the target: at most 10 MiB over 50,000
CLIENTS = 8  # keep-alive connections, one per client thread


def junk_requests(count: int, seed: int) -> list[tuple[str, dict[str, str]]]:
    """`count` (path, headers) pairs: unknown slugs and claim keys, and the real page
    and results panel, as a page and as htmx fragments, under random Host names."""
    rng = random.Random(seed)
    fragment = {"HX-Request": "true"}
    kinds = [  # (path, random Host?, headers)
        ("/debates/{word}", False, {}),
        ("/embed/{word}", False, {}),
        (f"/embed/{SLUG}/claims/{{word}}", False, {}),
        (f"/debates/{SLUG}/results", True, fragment),
        (f"/debates/{SLUG}", True, {}),
        (f"/debates/{SLUG}", True, fragment),
    ]
    # A whole page under a new Host is a full render (about 4 ms against 1 to 2 for
    # the rest), so pages are a twentieth of the mix: still 2,500 hosts in 50,000,
    # many times what any bounded cache should keep.
    weights = [20, 20, 30, 25, 2.5, 2.5]
    mix = []
    for path, random_host, headers in rng.choices(kinds, weights, k=count):
        if random_host:
            headers = {**headers, "Host": f"h{rng.getrandbits(48):x}.example"}
        mix.append((path.format(word=f"x{rng.getrandbits(64):016x}"), headers))
    return mix


@dataclass
class Run:
    """What the clients saw: the status of every answer (or "connection error")."""

    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list, repr=False)
    seconds: float = 0.0

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    @property
    def rps(self) -> float:
        return self.sent / self.seconds

    @property
    def failures(self) -> int:
        """Answers no junk request deserves: 5xx, or none at all."""
        return sum(
            n for status, n in self.statuses.items() if not isinstance(status, int) or status >= 500
        )

    def percentile_ms(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[p - 1] * 1000


def _get(connection: http.client.HTTPConnection, path: str, headers: dict) -> int | str:
    """One GET on a kept-alive connection, once more on a fresh one if it was closed."""
    for _ in range(2):
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            connection.close()  # the next request opens a new connection
    return "connection error"


def send(
    url: str, requests: list[tuple[str, dict]], clients: int = CLIENTS, timeout: float = 300.0
) -> Run:
    """Send `requests` over `clients` keep-alive connections at once, as fast as the
    server answers; stop early after `timeout` seconds (run.sent tells)."""
    parts = urlsplit(url)
    run, lock = Run(), threading.Lock()
    deadline = time.monotonic() + timeout

    def client(share):
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        statuses, latencies = Counter(), []
        for path, headers in share:
            if time.monotonic() > deadline:
                break
            start = time.perf_counter()
            statuses[_get(connection, path, headers)] += 1
            latencies.append(time.perf_counter() - start)
        connection.close()
        with lock:
            run.statuses.update(statuses)
            run.latencies.extend(latencies)

    threads = [
        threading.Thread(target=client, args=(requests[i::clients],)) for i in range(clients)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - start
    return run


def worker_pids(master_pid: int) -> list[int]:
    """The gunicorn master's workers (its child processes)."""
    out = subprocess.run(["pgrep", "-P", str(master_pid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def rss_mib(pid: int) -> float:
    """The process's resident memory now (VmRSS), in MiB."""
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@dataclass
class Growth:
    """A worker's RSS after the warm-up and after the junk, and the junk's run."""

    before_mib: float
    after_mib: float
    run: Run

    @property
    def mib(self) -> float:
        return self.after_mib - self.before_mib

    def __str__(self) -> str:
        return (
            f"worker RSS {self.before_mib:.1f} -> {self.after_mib:.1f} MiB "
            f"({self.mib:+.1f}) over {self.run.sent} junk requests in "
            f"{self.run.seconds:.1f} s ({self.run.rps:.0f} req/s); "
            f"statuses {dict(sorted(self.run.statuses.items(), key=str))}"
        )


def memory_growth(
    url: str, worker: int, count: int, warm_up: int, seed: int = 1, timeout: float = 300.0
) -> Growth:
    """Send `warm_up` junk requests, read the worker's RSS, send `count` more (fresh
    names, none seen in the warm-up), read it again."""
    send(url, junk_requests(warm_up, seed), timeout=timeout)
    before = rss_mib(worker)
    run = send(url, junk_requests(count, seed + 1), timeout=timeout)
    return Growth(before, rss_mib(worker), run)
