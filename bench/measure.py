"""One measurement: a row's figures, from wrk or from the fixed-rate client."""

import json
import os
import subprocess
from dataclasses import dataclass, fields
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
CONNECTIONS = 32
THREADS = 2


@dataclass(frozen=True)
class CpuSplit:
    """CPU time by who spent it: the server under load (its gunicorn master and
    workers), PostgreSQL (every process of it on this host) and Redis (likewise).
    The load's client is not in it. A row's figure per request says what a
    request costs the machine, where its ratio to the hello-worlds only says
    how fast it goes."""

    app: float = 0.0
    database: float = 0.0
    redis: float = 0.0

    def per_request(self, requests: float) -> "CpuSplit":
        """Seconds spent over `requests` -> milliseconds per request."""
        scale = 1000 / requests if requests else 0.0
        return CpuSplit(*(getattr(self, part) * scale for part in CPU_PARTS))


CPU_PARTS = tuple(part.name for part in fields(CpuSplit))  # app, database, redis


@dataclass(frozen=True)
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # responses with another status than expected, plus socket errors
    locked: int = 0  # "database is locked" lines the server logged meanwhile
    rss_growth_mib: float = 0.0  # a worker's memory growth (the junk row only)
    cpu_ms: CpuSplit | None = None  # CPU per request, by who spent it (run.py measured)


_TICKS = os.sysconf("SC_CLK_TCK")  # /proc counts CPU time in these


def process_cpu(server_pid: int) -> dict[tuple[str, int], float]:
    """CPU seconds so far of each process that a CpuSplit counts, keyed by its
    group and pid (from /proc: on another system, nothing)."""
    spent: dict[tuple[str, int], float] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it exited meanwhile
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        pid, parent = int(entry.name), int(fields[1])
        if server_pid in (pid, parent):
            group = "app"
        elif name.startswith("postgres"):
            group = "database"
        elif name == "redis-server":
            group = "redis"
        else:
            continue
        spent[group, pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    return spent


def cpu_between(
    before: dict[tuple[str, int], float], after: dict[tuple[str, int], float]
) -> CpuSplit:
    """What the processes spent between two `process_cpu` readings (a process
    that started meanwhile counts whole; one that exited is lost)."""
    totals = dict.fromkeys(CPU_PARTS, 0.0)
    for (group, pid), seconds in after.items():
        totals[group] += seconds - before.get((group, pid), 0.0)
    return CpuSplit(**totals)


def wrk(
    url: str,
    seconds: float,
    script: str = "get.lua",
    args=(),
    headers=(),
    connections: int = CONNECTIONS,
) -> Sample:
    """Closed-loop load: `connections` keep-alive connections, as fast as they go."""
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds:g}s",  # wrk takes no "8.0s"
        "--timeout",
        "10s",
        "-s",
        str(LUA / script),
    ]
    for header in headers:
        command += ["-H", header]
    command += [url, "--", *map(str, args)]
    done = subprocess.run(command, capture_output=True, text=True)
    line = next((line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON ")), None)
    if done.returncode or line is None:
        raise RuntimeError(f"wrk failed on {url}: {done.stderr.strip() or done.stdout.strip()}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    return Sample(
        rps=figures["requests"] / (figures["duration_us"] / 1e6),
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        bad=figures["unexpected"] + figures["socket_errors"],
    )
