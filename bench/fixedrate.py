"""Open-loop requests at a fixed rate: votes for the "p99 at half the max rate"
target, and reads for comparing p99 at 1K and 1M stored votes at one load.

wrk is closed-loop: a slow response delays the next request, so stalls hide
themselves (coordinated omission). Debian packages no open-loop generator
that reports percentiles and sends a different cookie and body per request
(wrk2 and vegeta are not packaged; hey and siege are closed-loop; httperf
reports no percentiles), so this small client does it: request i is due at
start + i/rate whatever happened before, and its latency counts from that
due time, not from when a connection was free to send it. At the rates used
here (a few hundred per second) it needs a few percent of one core.
"""

import asyncio
import random
import statistics
from urllib.parse import urlsplit

from .measure import Sample
from .readers import new_voter

CHOICES = ("agree", "disagree", "unsure")


class VotePlan:
    """What vote.lua sends: new readers voting, and every `change_every`th a change."""

    def __init__(self, secret_key: str, slug: str, claims: list[str], change_every: int = 10):
        self.secret_key, self.slug, self.claims = secret_key, slug, claims
        self.change_every, self.turn, self.voted = change_every, 0, []

    def next(self, host: str) -> bytes:
        self.turn += 1
        if self.turn % self.change_every == 0 and self.voted:
            vote = random.choice(self.voted)
            vote[2] = random.choice([c for c in CHOICES if c != vote[2]])
        else:
            vote = [new_voter(self.secret_key), random.choice(self.claims), random.choice(CHOICES)]
            self.voted.append(vote)
        voter, claim, choice = vote
        body = f"choice={choice}&csrf_token={voter.token}".encode()
        return (
            f"POST /debates/{self.slug}/claims/{claim}/vote HTTP/1.1\r\n"
            f"Host: {host}\r\nHX-Request: true\r\nSec-Fetch-Site: same-origin\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\n"
            f"Cookie: debate_reader={voter.cookie}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body


async def _exchange(reader, writer, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next(
        (
            int(line.split(":", 1)[1])
            for line in lines
            if line.lower().startswith("content-length:")
        ),
        0,
    )
    await reader.readexactly(length)
    return int(lines[0].split()[1])


async def _run(url: str, plan: VotePlan, rate: float, seconds: float) -> Sample:
    parts = urlsplit(url)
    idle: list = []
    latencies: list[float] = []
    bad = 0
    loop = asyncio.get_running_loop()

    async def one(due: float, request: bytes) -> None:
        nonlocal bad
        for attempt in range(2):  # a kept-alive connection the server closed: once more
            conn = (
                idle.pop()
                if idle and attempt == 0
                else await asyncio.open_connection(parts.hostname, parts.port)
            )
            try:
                status = await _exchange(*conn, request)
            except (OSError, asyncio.IncompleteReadError):
                conn[1].close()
                continue
            idle.append(conn)
            latencies.append(loop.time() - due)
            bad += status != 200
            return
        bad += 1

    start = loop.time() + 0.05
    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - loop.time()))
        tasks.append(asyncio.create_task(one(due, plan.next(parts.netloc))))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    cuts = statistics.quantiles(latencies, n=100)
    return Sample(
        rps=len(latencies) / (loop.time() - start),
        p50_ms=cuts[49] * 1000,
        p99_ms=cuts[98] * 1000,
        bad=bad,
    )


class GetPlan:
    """The same GET every time, with `headers` (a page's first visit, a poll)."""

    def __init__(self, path: str, headers: dict[str, str] | None = None):
        self.path, self.headers = path, headers or {}

    def next(self, host: str) -> bytes:
        extra = "".join(f"{name}: {value}\r\n" for name, value in self.headers.items())
        return f"GET {self.path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode()


def at_rate(url: str, plan, rate: float, seconds: float) -> Sample:
    """Send the plan's requests to the server at `url` at `rate` per second for `seconds`."""
    return asyncio.run(_run(url, plan, rate, seconds))
