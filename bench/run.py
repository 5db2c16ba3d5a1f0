"""The benchmark: `make bench`, or `python -m bench.run [--quick]`.

Starts a bare WSGI hello-world, a bare Flask hello-world and the app, all
under gunicorn with the production config, on fresh databases; drives each
row with wrk over loopback; repeats the whole set a few times; prints one
table of medians with every figure as a ratio against both hello-worlds.
One more row sends junk (unknown debates and claims, random Host names) to a
one-worker server and reports how much the worker's memory grew.
"""

import argparse
import json
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path

from . import dashboard, fixedrate, junk, readers, report, seed, weight
from .measure import CONNECTIONS, THREADS, Sample, cpu_between, process_cpu, wrk
from .servers import REDIS_URL, SLUG, Database, Server, add_postgres_argument, raised_limits

SMALL, BIG = 1_000, 1_000_000
GROUPS = ("reads", "dashboard", "writes", "memory")
VOTES_PER_READER = 3
CHANGE_EVERY = 10  # every tenth vote changes an earlier one
# Reads at a fixed rate (for the 1M vs 1K p99) go at a quarter of the 1K row's
# throughput, and at most this many a second, which the Python client sends
# without becoming the bottleneck itself.
FIXED_READ_RATE_CAP = 400
# Votes a second that keep arriving while the dashboard rows run: a popular essay's
# (1.7 million a day), so the figures change and polls see new ones now and then.
ARRIVING_VOTES = 20
WEIGHT_LIMIT_KB = 60


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="one run of 2-second rows, for working on the bench itself",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs to take medians of")
    parser.add_argument("--seconds", type=float, default=8, help="load per row and run")
    parser.add_argument("--workers", type=int, default=4, help="WEB_CONCURRENCY")
    parser.add_argument("--databases", default="sqlite,postgresql")
    add_postgres_argument(parser)
    parser.add_argument(
        "--junk", type=int, default=junk.REQUESTS, help="junk requests per run for the memory row"
    )
    parser.add_argument(
        "--check", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument(
        "--only",
        default=",".join(GROUPS),
        help=f"the groups of rows to run, of {','.join(GROUPS)} (the hellos always run)",
    )
    args = parser.parse_args(argv)
    args.only = [group for group in args.only.split(",") if group]
    if unknown := set(args.only) - set(GROUPS):
        parser.error(f"no such group of rows: {', '.join(sorted(unknown))}")
    if args.quick:
        args.runs, args.seconds, args.junk = 1, 2, 10_000
    return args


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Family:
    """One database engine: a server on 1K votes, one on 1M, one that takes the votes."""

    def __init__(self, kind: str, args, env: dict, work: Path, stack: ExitStack):
        self.kind = kind
        self.servers, self.databases = {}, {}
        for label, votes in (("small", SMALL), ("big", BIG), ("votes", 0)):
            database = Database(kind, work, args.postgres, f"{kind}_{label}")
            stack.callback(database.drop)
            say(f"{kind}: preparing the {label} database")
            database.prepare(env)
            self.databases[label] = database
            if votes:
                seed.seed(database.url, votes)
            server = Server(
                f"{kind}-{label}",
                "app:app",
                {**env, "DATABASE_URL": database.url},
                work,
                ready_path=f"/debates/{SLUG}",
            )
            stack.callback(server.stop)
            self.servers[label] = server

    def page(self, label: str) -> str:
        return f"{self.servers[label].url}/debates/{SLUG}"


def measured(server: Server, load, *args, **kwargs) -> Sample:
    """Run one load; add the "database is locked" lines the server logged meanwhile,
    and the CPU that the server, PostgreSQL and Redis spent per request."""
    before = server.log_text().count("database is locked")
    cpu, start = process_cpu(server.process.pid), time.monotonic()
    sample = load(*args, **kwargs)
    spent = cpu_between(cpu, process_cpu(server.process.pid))
    requests = sample.rps * (time.monotonic() - start)
    server.check_alive()
    return replace(
        sample,
        locked=server.log_text().count("database is locked") - before,
        cpu_ms=spent.per_request(requests),
    )


def etag(url: str) -> str:
    request = urllib.request.Request(url, headers={"HX-Request": "true"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers["ETag"]


def claim_keys(page_url: str) -> list[str]:
    api = page_url.replace("/debates/", "/api/debates/") + "/results"
    with urllib.request.urlopen(api, timeout=10) as response:
        return [claim["key"] for claim in json.load(response)["claims"]]


class Bench:
    """The servers of one `make bench`, and the rows measured on them."""

    def __init__(self, args, stack: ExitStack):
        self.args, self.seconds = args, args.seconds
        self.work = Path(tempfile.mkdtemp(prefix="debate-bench-"))
        stack.push(self._remove_work)
        env = {
            **os.environ,
            "WEB_CONCURRENCY": str(args.workers),
            "SECRET_KEY": secrets.token_hex(32),
            "DEBATE_INSTANCE_PATH": str(self.work),
            **raised_limits(REDIS_URL),
        }
        env.pop("DATABASE_URL", None)
        self.env = env
        self.hellos = {}
        for name, app in (
            ("WSGI hello", "bench.hello_wsgi:app"),
            ("Flask hello", "bench.hello_flask:app"),
        ):
            self.hellos[name] = Server(name.replace(" ", "-").lower(), app, env, self.work)
            stack.callback(self.hellos[name].stop)
        self.families = [
            Family(kind, args, env, self.work, stack) for kind in args.databases.split(",")
        ]
        first_page = self.families[0].page("small")
        self.secret_key = env["SECRET_KEY"]
        self.claims = claim_keys(first_page)
        self.first_load = weight.first_load(first_page)
        self.rows: dict[tuple[str, str], report.Row] = {}

    def _remove_work(self, error_type, error, traceback) -> None:
        """Delete databases and logs, but keep the logs of a run that failed."""
        if error_type is None:
            shutil.rmtree(self.work, ignore_errors=True)
        else:
            say(f"the run failed; server logs are kept in {self.work}")

    def warm_up(self) -> None:
        say("warming up")
        for server in self.hellos.values():
            wrk(server.url + "/", 2)
        for family in self.families:
            for label in family.servers:
                wrk(family.page(label), 2)

    def row(self, label: str, database: str, sample: Sample) -> Sample:
        self.rows.setdefault((label, database), report.Row(label, database)).samples.append(sample)
        cpu = sample.cpu_ms
        say(
            f"  {label:32} {database:10} {sample.rps:8.0f} req/s  p50 {sample.p50_ms:7.1f} ms"
            f"  p99 {sample.p99_ms:7.1f} ms  bad {sample.bad}  locked {sample.locked}"
            + (f"  CPU ms/req {report.cpu_cell(cpu)}" if cpu is not None else "")
        )
        return sample

    def run_once(self) -> None:
        for name, server in self.hellos.items():
            self.row(name, "-", measured(server, wrk, server.url + "/", self.seconds))
        for family in self.families:
            for group in GROUPS:
                if group in self.args.only:
                    getattr(self, group)(family)

    def reads(self, family: Family) -> None:
        """Page and partial on 1K then 1M votes, back to back so the pair compares:
        at full speed (wrk), then at one fixed rate for both, for their p99."""
        db, seconds = family.kind, self.seconds
        fragment = ["HX-Request: true"]
        for name, path, headers in (
            ("debate page", "", []),
            ("results partial", "/results", fragment),
        ):
            for size, votes in (("small", "1K votes"), ("big", "1M votes")):
                url = family.page(size) + path
                sample = self.row(
                    f"{name}, {votes}",
                    db,
                    measured(family.servers[size], wrk, url, seconds, headers=headers),
                )
                if size == "small":
                    rate = min(sample.rps / 4, FIXED_READ_RATE_CAP)
            plan = fixedrate.GetPlan(
                f"/debates/{SLUG}{path}", dict(h.split(": ", 1) for h in headers)
            )
            for size, votes in (("small", "1K votes"), ("big", "1M votes")):
                server = family.servers[size]
                self.row(
                    f"{name}, {votes}, fixed rate",
                    db,
                    measured(server, fixedrate.at_rate, server.url, plan, rate, seconds),
                )
        server, results = family.servers["small"], family.page("small") + "/results"
        revalidate = [*fragment, f"If-None-Match: {etag(results)}"]
        self.row(
            "results partial 304",
            db,
            measured(server, wrk, results, seconds, args=[304], headers=revalidate),
        )
        api = results.replace("/debates/", "/api/debates/")
        self.row("results JSON", db, measured(server, wrk, api, seconds))

    def writes(self, family: Family) -> None:
        db, server = family.kind, family.servers["votes"]
        spread = self.row(
            "vote POST, spread over claims", db, self.votes(family, self.claims, VOTES_PER_READER)
        )
        if db == "postgresql":
            self.row("vote POST, one hot claim", db, self.votes(family, self.claims[:1], 1))
        plan = fixedrate.VotePlan(self.secret_key, SLUG, self.claims, CHANGE_EVERY)
        self.row(
            "vote POST at half max rate",
            db,
            measured(server, fixedrate.at_rate, server.url, plan, spread.rps / 2, self.seconds),
        )
        # The next rows are reads on other databases of the same server (PostgreSQL):
        # clean up after the votes now rather than in the middle of those rows.
        seed.maintain(family.databases["votes"].url)

    def memory(self, family: Family) -> None:
        """Junk requests to a one-worker server of their own, started for this run so
        the growth is this run's, on the 1K database."""
        env = {**self.env, "DATABASE_URL": family.databases["small"].url, "WEB_CONCURRENCY": "1"}
        server = Server(
            f"{family.kind}-memory", "app:app", env, self.work, ready_path=f"/debates/{SLUG}"
        )
        try:
            [worker] = junk.worker_pids(server.process.pid)
            growth = junk.memory_growth(
                server.url, worker, self.args.junk, warm_up=self.args.junk // 10
            )
            server.check_alive()
        finally:
            server.stop()
        say(f"    {growth}")
        run = growth.run
        self.row(
            "memory under junk requests",
            family.kind,
            Sample(
                rps=run.rps,
                p50_ms=run.percentile_ms(50),
                p99_ms=run.percentile_ms(99),
                # 404s are the right answer to junk: only 5xx, no answer, or too slow is bad.
                bad=run.failures + self.args.junk - run.sent,
                rss_growth_mib=growth.mib,
            ),
        )

    def votes(self, family: Family, claims: list[str], per_reader: int) -> Sample:
        """wrk with vote.lua: fresh readers, `per_reader` claims each, some changes."""
        voters = readers.write_readers(self.work / "readers.tsv", self.secret_key, 20_000)
        lua_args = [
            voters,
            THREADS,
            CONNECTIONS // THREADS,
            SLUG,
            ",".join(claims),
            per_reader,
            CHANGE_EVERY,
        ]
        return measured(
            family.servers["votes"], wrk, family.page("votes"), self.seconds, "vote.lua", lua_args
        )

    def dashboard(self, family: Family) -> None:
        """The dashboard page and its poll (revalidated with the last ETag, mostly
        304) on 1K and 1M votes, with the author's session, while readers' votes
        still arrive (ARRIVING_VOTES a second); and a full recomputation of the
        analysis, in process."""
        db = family.kind
        for size, votes in (("small", "1K votes"), ("big", "1M votes")):
            server = family.servers[size]
            url = f"{server.url}/dashboard/debates/{SLUG}"
            cookie = dashboard.session_cookie(server.url)
            # An author's dashboard is open for a while: its figures are stored before
            # the row (the first computation is its own row below).
            wrk(url, 8, headers=[f"Cookie: {cookie}"])
            with self.votes_arriving(server, 2 * self.seconds + 1):
                self.row(
                    f"dashboard, {votes}",
                    db,
                    measured(server, wrk, url, self.seconds, headers=[f"Cookie: {cookie}"]),
                )
                poll = [
                    "HX-Request: true",
                    f"Cookie: {cookie}",
                    f"If-None-Match: {dashboard.etag(url, cookie)}",
                ]
                self.row(
                    f"dashboard poll, {votes}",
                    db,
                    measured(server, wrk, url, self.seconds, "poll.lua", headers=poll),
                )
            seconds = dashboard.recomputation_seconds(family.databases[size].url, SLUG)
            self.row(
                f"dashboard recomputation, {votes}",
                db,
                Sample(1 / seconds, 1000 * seconds, 1000 * seconds, 0),
            )

    @contextmanager
    def votes_arriving(self, server: Server, seconds: float) -> Iterator[None]:
        """Readers vote on `server` at ARRIVING_VOTES a second for `seconds` (or
        until the block ends, whichever is later); a refused vote fails the run."""
        plan = fixedrate.VotePlan(self.secret_key, SLUG, self.claims, CHANGE_EVERY)
        result: list[Sample] = []
        voting = threading.Thread(
            target=lambda: result.append(
                fixedrate.at_rate(server.url, plan, ARRIVING_VOTES, seconds)
            )
        )
        voting.start()
        try:
            yield
        finally:
            voting.join()
        if not result or result[0].bad:
            raise RuntimeError(f"votes arriving during the dashboard rows failed: {result}")

    def judge(self) -> tuple[report.Row, report.Row]:
        """Attach each row's target; return the two hello rows."""
        rows = self.rows
        wsgi, flask = rows.pop(("WSGI hello", "-")), rows.pop(("Flask hello", "-"))
        for (label, db), row in rows.items():
            if label.startswith("vote POST, spread"):
                report.at_least_hello(row, flask, 0.30, clean=True)
            elif label.startswith("vote POST, one hot"):
                report.hot_vs_spread(row, rows["vote POST, spread over claims", db])
            elif label.startswith("vote POST at half"):
                report.steady_tail(row)
            elif label.startswith("dashboard"):
                report.dashboard(row)
            elif label == "memory under junk requests":
                report.flat_memory(row, self.args.junk, junk.REQUESTS, junk.LIMIT_MIB)
            elif label.endswith("fixed rate"):
                continue  # judged with the 1M row below
            elif label.endswith("1M votes"):
                small = label.replace("1M", "1K")
                report.scales(
                    row,
                    rows[small, db],
                    rows[f"{label}, fixed rate", db],
                    rows[f"{small}, fixed rate", db],
                )
            elif label.startswith("results partial"):
                report.at_least_hello(row, flask, 0.80)
            elif label.startswith("debate page"):
                report.at_least_hello(row, flask, 0.50)
        return wsgi, flask


def main(argv=None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    with ExitStack() as stack:
        bench = Bench(args, stack)
        bench.warm_up()
        for run in range(args.runs):
            say(f"run {run + 1} of {args.runs}")
            bench.run_once()
    wsgi, flask = bench.judge()
    kb = sum(bench.first_load.values()) / 1000
    print(
        f"debate bench, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{args.workers} workers x {os.environ.get('GUNICORN_THREADS', 4)} threads, "
        f"{CONNECTIONS} connections, {args.runs} runs of {args.seconds:g} s per row, medians\n"
    )
    print(report.table(list(bench.rows.values()), wsgi, flask, kb, WEIGHT_LIMIT_KB))
    missed = any(row.met is False for row in bench.rows.values()) or kb > WEIGHT_LIMIT_KB
    return 1 if missed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
