"""What one vote costs by itself: `python -m bench.vote_cpu`.

The vote row (run.py) measures throughput under gunicorn, with every core busy.
This measures a vote's CPU time in one process, through the app's WSGI callable
with no HTTP and no other load, so that a change to the vote path can be judged
in a minute, and the row's figure split into the vote's own work and what
running it on busy cores adds. As in the row, fresh readers vote on 3 claims
each with the vote token and signed cookie the app would have issued, and the
answer is the htmx partial; the rate limits are kept in Redis, as production
keeps them, or in memory (`--limits memory`), to tell what their round trips cost.
CPU time is what the vote's own process spends; PostgreSQL's and Redis's are not
in it. On a shared virtual machine the same run varies by up to a third from one
minute to the next: compare medians of several runs taken back to back.
"""

import argparse
import io
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from debate import create_app
from debate.store.db import db

from .readers import Voter, new_voter
from .run import VOTES_PER_READER
from .servers import REDIS_URL, SLUG, Database, add_postgres_argument, raised_limits

WARM_UP_VOTES = 300


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.vote_cpu", description=__doc__)
    parser.add_argument("--votes", type=int, default=2000, help="votes per measurement")
    parser.add_argument("--runs", type=int, default=3, help="measurements to take the median of")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--limits", default="redis,memory", help="where the limits count")
    add_postgres_argument(parser)
    parser.add_argument(
        "--redis", default=REDIS_URL, help="the Redis of the limits (env BENCH_REDIS_URL)"
    )
    return parser.parse_args(argv)


def vote_environ(voter: Voter, claim: str, choice: str) -> dict:
    """The WSGI environ of the row's vote request (bench/lua/vote.lua)."""
    body = f"choice={choice}&csrf_token={voter.token}".encode()
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/debates/{SLUG}/claims/{claim}/vote",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "5000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:5000",
        "HTTP_HX_REQUEST": "true",
        "HTTP_SEC_FETCH_SITE": "same-origin",
        "HTTP_COOKIE": f"debate_reader={voter.cookie}",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def cast_votes(app, secret_key: str, claims: list[str], count: int) -> tuple[float, float]:
    """CPU and wall seconds per vote over `count` votes by fresh readers."""
    voters = [new_voter(secret_key) for _ in range(count // VOTES_PER_READER + 1)]
    statuses: set[str] = set()

    def start_response(status, headers, exc_info=None):
        statuses.add(status)

    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(count):
        voter = voters[n // VOTES_PER_READER]
        claim = claims[n % VOTES_PER_READER]
        environ = vote_environ(voter, claim, ("agree", "disagree", "unsure")[n % 3])
        b"".join(app(environ, start_response))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if statuses != {"200 OK"}:
        raise SystemExit(f"votes were answered {sorted(statuses)}, not only 200 OK")
    return cpu / count, wall / count


def measure(kind: str, limits: str, args, work: Path) -> tuple[float, float]:
    secret_key = secrets.token_hex(32)
    database = Database(kind, work, args.postgres, f"cpu_{kind}_{limits}")
    try:
        env = {
            "SECRET_KEY": secret_key,
            "DEBATE_INSTANCE_PATH": str(work),
            "DATABASE_URL": database.url,
            **raised_limits(args.redis if limits == "redis" else "memory://"),
        }
        database.prepare({**os.environ, **env})
        os.environ.update(env)
        app = create_app()  # reads the environment, as production does
        results = app.test_client().get(f"/api/debates/{SLUG}/results").get_json()
        claims = [claim["key"] for claim in results["claims"]][:VOTES_PER_READER]
        cast_votes(app, secret_key, claims, WARM_UP_VOTES)
        runs = sorted(cast_votes(app, secret_key, claims, args.votes) for _ in range(args.runs))
        with app.app_context():
            db.engine.dispose()
        return runs[len(runs) // 2]  # the median run, by CPU
    finally:
        database.drop()


def main(argv=None) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="debate-vote-cpu-"))
    try:
        print(f"the median of {args.runs} runs of {args.votes} votes, one process, no HTTP")
        print("| database | limits | CPU ms per vote | wall ms per vote |")
        print("|---|---|---|---|")
        for kind in args.databases.split(","):
            for limits in args.limits.split(","):
                cpu, wall = measure(kind, limits, args, work)
                print(f"| {kind} | {limits} | {1000 * cpu:.2f} | {1000 * wall:.2f} |", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
