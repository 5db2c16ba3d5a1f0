"""From per-run samples to the one table: medians, ratios, targets.

Every ratio is taken inside one run (a row against the hello-worlds, or 1M
against 1K, served in the same run) and only then is the median taken over
runs, because the machines are noisy and figures from different runs do not
compare.
"""

from dataclasses import dataclass, field
from statistics import median

from debate.store.analyses import kept_seconds

from .measure import CPU_PARTS, CpuSplit, Sample


def cpu_cell(cpu: CpuSplit | None) -> str:
    """CPU ms per request of the app, PostgreSQL and Redis: "1.75 + 0.63 + 0.09"."""
    if cpu is None:
        return ""
    return " + ".join(f"{getattr(cpu, part):.2f}" for part in CPU_PARTS)


@dataclass
class Row:
    label: str
    database: str
    samples: list[Sample] = field(default_factory=list)
    target: str = ""
    met: bool | None = None

    def median(self, attribute: str) -> float:
        return median(getattr(s, attribute) for s in self.samples)

    def median_cpu(self) -> CpuSplit | None:
        """The median CPU per request of each part, over the runs that measured it."""
        measured = [s.cpu_ms for s in self.samples if s.cpu_ms is not None]
        if not measured:
            return None
        return CpuSplit(*(median(getattr(c, part) for c in measured) for part in CPU_PARTS))

    @property
    def bad(self) -> int:
        return sum(s.bad for s in self.samples)

    @property
    def locked(self) -> int:
        return sum(s.locked for s in self.samples)


def ratio(row: Row, base: Row, attribute: str = "rps") -> float:
    """Median over runs of row/base, each pair measured in the same run."""
    pairs = zip(row.samples, base.samples, strict=True)
    return median(getattr(a, attribute) / getattr(b, attribute) for a, b in pairs)


def at_least_hello(row: Row, flask: Row, share: float, clean: bool = False) -> None:
    """Target: throughput at least `share` of Flask hello's (and no errors, when `clean`)."""
    got = ratio(row, flask)
    row.target = f">= {share:.2f}x Flask hello"
    row.met = got >= share
    if clean:
        row.target += ", 0 non-2xx, 0 locked"
        row.met = row.met and row.bad == 0 and row.locked == 0


def scales(big: Row, small: Row, big_fixed: Row, small_fixed: Row) -> None:
    """Target: with 1M votes, >= 0.9x the throughput of 1K (at full speed) and
    <= 1.2x its p99 (at one fixed rate: a saturated closed loop's p99 is queueing
    noise, which swings several-fold between back-to-back runs)."""
    speed, tail = ratio(big, small), ratio(big_fixed, small_fixed, "p99_ms")
    big.target = f"vs 1K: req/s {speed:.2f}x (>= 0.9), fixed-rate p99 {tail:.2f}x (<= 1.2)"
    big.met = speed >= 0.9 and tail <= 1.2


def hot_vs_spread(hot: Row, spread: Row) -> None:
    got = ratio(hot, spread)
    hot.target = f"vs spread: {got:.2f}x (>= 0.7)"
    hot.met = got >= 0.7


def steady_tail(row: Row) -> None:
    """Target: at a fixed rate, p99 <= 4x p50 (median of per-run p99/p50)."""
    got = median(s.p99_ms / s.p50_ms for s in row.samples)
    row.target = f"p99/p50 {got:.1f} (<= 4)"
    row.met = got <= 4


def flat_memory(row: Row, sent: int, requests: int, limit_mib: float) -> None:
    """Target: over `requests` junk requests a worker's RSS grows at most `limit_mib`
    in every run, and none is answered 5xx (or not at all). Fewer requests sent
    (--quick) are not judged: a leak may take longer to show."""
    got = max(s.rss_growth_mib for s in row.samples)
    row.target = (
        f"worker RSS {got:+.1f} MiB over {sent:,} junk requests "
        f"(<= {limit_mib} MiB over {requests:,}), 0 5xx"
    )
    if sent < requests:
        row.target += ": too few to judge"
    else:
        row.met = got <= limit_mib and row.bad == 0


def dashboard(row: Row) -> None:
    """Targets at a million votes: the page's median under 1 s, its poll's under
    100 ms, a full recomputation under 2 s and under 10% of a core for one open
    dashboard (figures are kept as long as store/analyses.py `kept_seconds` says at
    the default 10 s poll, and one process computes them for all)."""
    if "1M" not in row.label:
        return
    p50 = row.median("p50_ms")
    answered = all(sample.rps > 0 for sample in row.samples) and row.bad == 0
    if not answered:
        row.target, row.met = "every request answered", False
    elif row.label.startswith("dashboard recomputation"):
        share = 100 * (p50 / 1000) / kept_seconds(p50 / 1000, poll_seconds=10)
        row.target = f"{p50 / 1000:.2f} s (<= 2 s), {share:.1f}% of a core per open dashboard"
        row.met = p50 <= 2000 and share < 10
    elif row.label.startswith("dashboard poll"):
        row.target = "p50 <= 100 ms"
        row.met = p50 <= 100
    else:
        row.target = "p50 <= 1000 ms"
        row.met = p50 <= 1000


def table(rows: list[Row], wsgi: Row, flask: Row, weight_kb: float, weight_limit: float) -> str:
    """The Markdown table run.py prints and BENCHMARKS.md carries."""
    head = [
        "row",
        "database",
        "req/s",
        "p50 ms",
        "p99 ms",
        "non-2xx",
        "x WSGI hello",
        "x Flask hello",
        "CPU ms/req: app + PostgreSQL + Redis",
        "target",
        "met?",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in [wsgi, flask, *rows]:
        met = "" if row.met is None else ("met" if row.met else "MISSED")
        bad = f"{row.bad}" + (f" ({row.locked} locked)" if row.locked else "")
        cells = [
            row.label,
            row.database,
            f"{row.median('rps'):.0f}",
            f"{row.median('p50_ms'):.1f}",
            f"{row.median('p99_ms'):.1f}",
            bad,
            f"{ratio(row, wsgi):.3f}",
            f"{ratio(row, flask):.3f}",
            cpu_cell(row.median_cpu()),
            row.target,
            met,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    met = "met" if weight_kb <= weight_limit else "MISSED"
    lines.append(
        f"| page first load, gzip | - | {weight_kb:.1f} kB | | | | | | | "
        f"<= {weight_limit:.0f} kB | {met} |"
    )
    return "\n".join(lines)
