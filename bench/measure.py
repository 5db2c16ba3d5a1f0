"""One measurement: a row's figures, from wrk or from the fixed-rate client."""

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).resolve().parent / "lua"
CONNECTIONS = 32
THREADS = 2


@dataclass(frozen=True)
class Sample:
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # responses with another status than expected, plus socket errors
    locked: int = 0  # "database is locked" lines the server logged meanwhile
    rss_growth_mib: float = 0.0  # a worker's memory growth (the junk row only)


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
