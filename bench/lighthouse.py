"""Lighthouse scores: `make lighthouse`, or `python -m bench.lighthouse`.

Starts the app under gunicorn on a free loopback port with the bundled essay
loaded into a temporary instance (SQLite, an author who owns the debate),
runs npm's `lighthouse` in Debian's Chromium on the debate page, an embed, the
results page and the author's dashboard (signed in: the session cookie is
sent as an extra header), with the mobile and the desktop preset, prints a
table of scores and fails under 100 in accessibility, best practices and SEO
or under 95 in performance (its simulated throttling moves a point or two on
a busy machine: a slow run is repeated, see `measure`). Chromium resolves no
host but loopback: nothing leaves the machine.

It lives beside the benchmark because it is a measurement of a real server,
started the production way with the benchmark's own helpers, not a test of
the code in a process.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import dashboard
from .servers import ROOT, SLUG, Database, Server

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
PAGES = {
    "debate page": f"/debates/{SLUG}",
    "embed": f"/embed/{SLUG}",
    "results page": f"/debates/{SLUG}/results",
    "dashboard": f"/dashboard/debates/{SLUG}",
}
SIGNED_IN = {"dashboard"}
PRESETS = ("mobile", "desktop")
RUNS = 5  # at most, for performance (see measure)
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    # Any name but loopback fails to resolve: a run can never reach the internet.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__)
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated page names")
    parser.add_argument("--presets", default=",".join(PRESETS), help="mobile,desktop")
    parser.add_argument("--keep", action="store_true", help="keep the reports and logs")
    return parser.parse_args(argv)


def chromium() -> str:
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not path:
        sys.exit("Debian's chromium is needed: apt-get install chromium")
    return path


def run_lighthouse(url: str, preset: str, report: Path, headers: Path | None, chrome: str):
    """One Lighthouse run; its JSON report."""
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if headers:
        command.append(f"--extra-headers={headers}")
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chrome}, cwd=ROOT)
    return json.loads(report.read_text())


def measure(url: str, preset: str, reports: Path, headers: Path | None, chrome: str):
    """The run that decides, and how many were made.

    Performance is repeated until a run reaches the bar, RUNS at most, and the
    best run decides: other processes on the machine only ever add time to a
    simulated phone's CPU, never take it away, so the fastest run is the best
    estimate of an idle machine (as with timeit's minimum). The other
    categories do not vary between runs.
    """
    results: list[dict] = []
    while len(results) < RUNS and not any(fast_enough(result) for result in results):
        print(f"lighthouse: {url}, {preset}", file=sys.stderr, flush=True)
        report = reports.with_name(f"{reports.name}-{len(results) + 1}.json")
        results.append(run_lighthouse(url, preset, report, headers, chrome))
    return max(results, key=lambda result: scores_of(result)["performance"]), len(results)


def fast_enough(result: dict) -> bool:
    return scores_of(result)["performance"] >= CATEGORIES["performance"]


def scores_of(result: dict) -> dict[str, int]:
    return {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}


def failed_audits(result: dict, category: str) -> list[str]:
    """What cost the category points, for the table's footnotes."""
    scores = {name: audit["score"] for name, audit in result["audits"].items()}
    return [
        f"{ref['id']} ({scores[ref['id']]})"
        for ref in result["categories"][category]["auditRefs"]
        if ref["weight"] and scores[ref["id"]] is not None and scores[ref["id"]] < 1
    ]


def main(argv=None) -> int:
    args = parse_args(argv)
    if not LIGHTHOUSE.exists():
        sys.exit("npm's lighthouse is not installed: npm ci")
    chrome = chromium()
    work = Path(tempfile.mkdtemp(prefix="debate-lighthouse-"))
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),
        "DEBATE_INSTANCE_PATH": str(work),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    env.pop("DATABASE_URL", None)
    database = Database("sqlite", work, "", "lighthouse")
    database.prepare(env)
    server = Server(
        "lighthouse", "app:app", {**env, "DATABASE_URL": database.url}, work, f"/debates/{SLUG}"
    )
    failures, rows, finished = [], [], False
    try:
        headers = work / "signed-in.json"
        headers.write_text(json.dumps({"Cookie": dashboard.session_cookie(server.url)}))
        for page in args.pages.split(","):
            for preset in args.presets.split(","):
                result, runs = measure(
                    server.url + PAGES[page],
                    preset,
                    work / f"{page.replace(' ', '-')}-{preset}",
                    headers if page in SIGNED_IN else None,
                    chrome,
                )
                if result.get("finalDisplayedUrl", "").split("?")[0] != server.url + PAGES[page]:
                    failures.append(f"{page}, {preset}: ended at {result['finalDisplayedUrl']}")
                scores = scores_of(result)
                rows.append((page, preset, scores, runs))
                for category, least in CATEGORIES.items():
                    if scores[category] < least:
                        lost = ", ".join(failed_audits(result, category))
                        failures.append(f"{page}, {preset}: {category} {scores[category]}: {lost}")
        finished = True
    finally:
        server.stop()
        if args.keep or failures or not finished:
            print(f"reports and the server's log are in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


def table(rows) -> str:
    names = ["page", "preset", *CATEGORIES, "runs"]
    lines = [
        "| " + " | ".join(names) + " |",
        "|" + "---|" * len(names),
        *(
            "| " + " | ".join([page, preset, *(str(s[c]) for c in CATEGORIES), str(runs)]) + " |"
            for page, preset, s, runs in rows
        ),
    ]
    least = ", ".join(f"{c} {n}" for c, n in CATEGORIES.items())
    return "\n".join(
        [*lines, f"\nleast accepted: {least}; performance: the best of up to {RUNS} runs"]
    )


if __name__ == "__main__":
    sys.exit(main())
