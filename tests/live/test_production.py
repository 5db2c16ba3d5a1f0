"""The production recipe on loopback: nginx (deploy/nginx.conf) in front of two gunicorn
hosts on one PostgreSQL and Redis. 200 slow sockets held for 30 s (one byte and stall,
slow headers, slow bodies) while 50 readers vote: every reader is answered, a vote's
p99 stays under a second, and the counts are exact."""

import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from helpers import CLAIM_KEYS, POSTGRES_URL, SLUG, make_app, reset_database
from live import CSRF_META, ROOT, Gunicorn, free_port, wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not POSTGRES_URL, reason="the recipe runs on PostgreSQL"),
    pytest.mark.skipif(not shutil.which("nginx"), reason="Debian's nginx is not installed"),
]
NGINX = shutil.which("nginx") or "nginx"
HOLD_SECONDS, SLOW_SOCKETS, READERS = 30, 200, 50


class Nginx:
    """deploy/nginx.conf as shipped, with only its addresses and paths replaced."""

    def __init__(self, upstreams: list[int]):
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="debate-nginx-"))
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = site.replace("server 127.0.0.1:8001", f"server 127.0.0.1:{upstreams[0]}")
        site = site.replace("server 127.0.0.1:8002", f"server 127.0.0.1:{upstreams[1]}")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("/srv/debate/static/", f"{ROOT}/static/")
        site = site.replace("/var/cache/nginx/debate", str(self.dir / "cache"))
        (self.dir / "debate.conf").write_text(site)
        temp = "\n".join(
            f"    {name}_temp_path {self.dir / name};"
            for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As root (CI), the workers keep root's rights over this private folder.
        user = "user root;" if os.geteuid() == 0 else ""
        (self.dir / "nginx.conf").write_text(f"""
{user}
worker_processes 2;
daemon off;
pid {self.dir / "nginx.pid"};
error_log {self.dir / "error.log"} warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
{temp}
    include {self.dir / "debate.conf"};
}}
""")
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.process = subprocess.Popen(
            [NGINX, "-p", str(self.dir), "-c", str(self.dir / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: requests.get(f"{self.url}/static/debate.css", timeout=2).ok, what="nginx")
        return self

    def __exit__(self, *_exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def slow_socket(port: int, kind: int, stop: threading.Event) -> None:
    """One attacker's connection: one byte and stall, headers a line at a time, or a
    body a byte at a time; whatever nginx does with it, it holds on until told."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(1)
        try:
            if kind == 0:
                sock.sendall(b"P")
            elif kind == 1:
                sock.sendall(f"GET /debates/{SLUG} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
            else:
                sock.sendall(
                    f"POST /debates/{SLUG}/stance HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    "Content-Length: 10000\r\n\r\n".encode()
                )
            while not stop.wait(2):
                sock.sendall(b"X-Slow: 1\r\n" if kind == 1 else b"a")
        except OSError:
            pass  # nginx gave up on it: what it should do


def reader(url: str, rng: random.Random, expected: Counter, latencies: list, lock):
    session = requests.Session()
    token = CSRF_META.search(session.get(f"{url}/debates/{SLUG}", timeout=10).text).group(1)
    headers = {"HX-Request": "true", "Sec-Fetch-Site": "same-origin", "Origin": url}
    votes = [
        (
            f"/claims/{key}/vote",
            {"choice": rng.choice(("agree", "disagree", "unsure"))},
            ("claim", key),
        )
        for key in CLAIM_KEYS
    ]
    side = rng.choice(("open", "closed", "undecided"))
    votes.append(("/stance", {"phase": "before", "side": side}, ("stance", "before")))
    for path, data, (kind, key) in votes:
        start = time.perf_counter()
        response = session.post(
            f"{url}/debates/{SLUG}{path}",
            data={**data, "csrf_token": token},
            headers=headers,
            timeout=10,
        )
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append((elapsed, response.status_code))
            if response.status_code == 200:
                expected[kind, key, data.get("choice") or data["side"]] += 1


def test_the_recipe_survives_slow_clients_while_readers_vote(database_uri):
    reset_database(make_app(database_uri))
    shared = {
        "CACHE_REDIS_URL": "redis://127.0.0.1:6379/3",
        "DEBATE_RATELIMIT_KEY_PREFIX": f"recipe-{time.time_ns()}",
        "DEBATE_TRUSTED_PROXIES": '["127.0.0.1"]',
        "WEB_CONCURRENCY": "2",
    }
    with (
        Gunicorn(database_uri, workers=2, **shared) as first,
        Gunicorn(database_uri, workers=2, **shared) as second,
        Nginx([first.port, second.port]) as nginx,
    ):
        stop = threading.Event()
        attackers = [
            threading.Thread(target=slow_socket, args=(nginx.port, n % 3, stop))
            for n in range(SLOW_SOCKETS)
        ]
        for thread in attackers:
            thread.start()
        time.sleep(2)
        expected, latencies, lock = Counter(), [], threading.Lock()
        voters = [
            threading.Thread(
                target=reader, args=(nginx.url, random.Random(n), expected, latencies, lock)
            )
            for n in range(READERS)
        ]
        started = time.monotonic()
        for thread in voters:
            thread.start()
        for thread in voters:
            thread.join(timeout=60)
        voting = time.monotonic() - started
        time.sleep(max(0, HOLD_SECONDS - 2 - voting))
        stop.set()
        for thread in attackers:
            thread.join(timeout=10)
        results = requests.get(f"{nginx.url}/api/debates/{SLUG}/results", timeout=10).json()
        panel = requests.get(
            f"{nginx.url}/debates/{SLUG}/results", headers={"HX-Request": "true"}, timeout=10
        )
        again = requests.get(
            f"{nginx.url}/debates/{SLUG}/results", headers={"HX-Request": "true"}, timeout=10
        )
    statuses = Counter(status for _, status in latencies)
    p99 = statistics.quantiles([elapsed for elapsed, _ in latencies], n=100)[98]
    print(f"\n{len(latencies)} votes in {voting:.1f} s, p99 {1000 * p99:.0f} ms, {statuses}")
    assert statuses == {200: READERS * (len(CLAIM_KEYS) + 1)}
    assert p99 < 1.0
    counted = Counter()
    for claim in results["claims"]:
        for choice in ("agree", "disagree", "unsure"):
            counted["claim", claim["key"], choice] = claim[choice]
    for side, n in results["stance"]["before"].items():
        counted["stance", "before", side] = n
    assert +counted == expected
    assert results["readers"] == READERS
    assert panel.status_code == 200
    assert again.headers.get("X-Cache-Status") in ("HIT", "UPDATING", "REVALIDATED"), (
        "nginx keeps the panel the app marks public, s-maxage"
    )
