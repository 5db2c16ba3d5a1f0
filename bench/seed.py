"""Store many votes fast, straight into the tables, for the scale rows.

Going through HTTP would take hours for a million votes; this writes the
rows a real vote would leave (votes, debate_readers, and the sharded tallies
that agree with them exactly, see debate/votes.py) with executemany on SQLite
and COPY on PostgreSQL. It refuses a debate that already has votes, so the
counters it writes are always the whole truth.

    python -m bench.seed DATABASE_URL VOTES [SLUG]
"""

import random
import sys
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import create_engine, text

from debate.core.debate import CLAIM, CLAIM_CHOICES, QUESTION, QUESTION_KEY, STANCE, STANCE_SIDES
from debate.core.tally import FLOW, READERS_KIND
from debate.store.votes import TALLY_SHARDS
from debate.web.config import normalise_database_url

VOTE_COLUMNS = (
    *("debate_id", "kind", "item_key", "reader_id", "choice", "created_at", "updated_at"),
    *("site", "network", "cast_hour", "stance_before", "stance_after"),
)
# Where seeded votes come from: the debate page and a few blogs, and many networks.
SITES = ("http://127.0.0.1", "https://blog.example.com", "https://news.example.org", "")
NETWORKS = 5000
SEEDED_SPAN = timedelta(days=7)  # the votes' times spread over it, as a week of a popular essay
READER_COLUMNS = ("debate_id", "reader_id", "first_vote_at", "stance_before", "stance_after")
TALLY_COLUMNS = ("debate_id", "kind", "item_key", "choice", "shard", "count")


def ballot(connection, debate_id: int) -> list[tuple[str, str, tuple[str, ...]]]:
    """Every item a reader can vote on, as (kind, item_key, allowed choices)."""
    claims = connection.execute(
        text("SELECT key FROM claims WHERE debate_id = :d ORDER BY position"), {"d": debate_id}
    )
    options = connection.execute(
        text("SELECT key FROM question_options WHERE debate_id = :d ORDER BY position"),
        {"d": debate_id},
    )
    items = [(CLAIM, key, CLAIM_CHOICES) for (key,) in claims]
    items.append((QUESTION, QUESTION_KEY, tuple(key for (key,) in options)))
    items += [(STANCE, phase, STANCE_SIDES) for phase in ("before", "after")]
    return items


class Voters:
    """Readers who vote on every item in turn; remembers what the counters must say."""

    def __init__(self, debate_id: int, items, seed: int):
        self.debate_id, self.items, self.rng = debate_id, items, random.Random(seed)
        self.readers: list[tuple[str, str | None, str | None]] = []  # id, stances
        self.counts: Counter = Counter()

    def votes(self, total: int):
        """Yield `total` vote rows, recording readers and counts as they go: readers
        arrive one after another over the last week, each casting their votes at once."""
        readers = -(-total // len(self.items))
        end = datetime.now()
        while total > 0:
            at = end - SEEDED_SPAN * (1 - len(self.readers) / readers)
            hour = at.replace(minute=0, second=0, microsecond=0)
            reader = f"{self.rng.getrandbits(128):032x}"
            site = self.rng.choice(SITES)
            network = f"{self.rng.randrange(NETWORKS):016x}"
            cast = [(kind, key, self.rng.choice(choices)) for kind, key, choices in self.items]
            cast = cast[:total]
            stances = {key: choice for kind, key, choice in cast if kind == STANCE}
            before, after = stances.get("before"), stances.get("after")
            for kind, key, choice in cast:
                self.counts[kind, key, choice] += 1
                yield (
                    *(self.debate_id, kind, key, reader, choice, at, at),
                    *(site, network, hour, before, after),
                )
            self.readers.append((reader, before, after))
            if len(stances) == 2:  # the flow counter a reader who answered both moves
                self.counts[FLOW, before, after] += 1
            total -= len(self.items)

    def reader_rows(self) -> list[tuple]:
        now = datetime.now()
        return [(self.debate_id, reader, now, *stances) for reader, *stances in self.readers]

    def tally_rows(self) -> list[tuple]:
        """Each counter spread over the shards, as many random votes would leave it."""
        rows = []
        totals = {**self.counts, (READERS_KIND, "all", "all"): len(self.readers)}
        for (kind, key, choice), count in totals.items():
            for shard in range(TALLY_SHARDS):
                part = count // TALLY_SHARDS + (1 if shard < count % TALLY_SHARDS else 0)
                if part:
                    rows.append((self.debate_id, kind, key, choice, shard, part))
        return rows


def seed(database_url: str, votes: int, slug: str = "open-vs-closed-ai", seed: int = 1) -> None:
    engine = create_engine(normalise_database_url(database_url))
    with engine.connect() as connection:
        debate_id = connection.execute(
            text("SELECT id FROM debates WHERE slug = :s"), {"s": slug}
        ).scalar_one()
        if connection.execute(
            text("SELECT count(*) FROM votes WHERE debate_id = :d"), {"d": debate_id}
        ).scalar_one():
            raise SystemExit(f"{slug} already has votes; seed only a fresh database")
        items = ballot(connection, debate_id)
    voters = Voters(debate_id, items, seed)
    raw = engine.raw_connection()
    try:
        store = _copy_postgresql if engine.dialect.name == "postgresql" else _insert_sqlite
        store(raw.cursor(), voters, votes)
        raw.commit()
    finally:
        raw.close()
    engine.dispose()
    maintain(database_url)


def maintain(database_url: str) -> None:
    """Do now the maintenance a bulk load or a burst of votes calls for (statistics;
    on PostgreSQL dead row versions, the visibility map and a checkpoint), so that
    autovacuum and the checkpointer do not do it during the next measured row."""
    # Autocommit from the first connect: the app's pool check (store/db.py), which
    # this process has imported, leaves a checked-out connection in a transaction.
    engine = create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")
    maintenance = (
        ["VACUUM (ANALYZE)", "CHECKPOINT"]
        if engine.dialect.name == "postgresql"
        else ["ANALYZE", "PRAGMA wal_checkpoint(TRUNCATE)"]
    )
    with engine.connect() as connection:
        for statement in maintenance:
            connection.execute(text(statement))
    engine.dispose()


def _insert_sqlite(cursor, voters: Voters, votes: int) -> None:
    marks = ", ".join("?" * len(VOTE_COLUMNS))
    cursor.executemany(
        f"INSERT INTO votes ({', '.join(VOTE_COLUMNS)}) VALUES ({marks})", voters.votes(votes)
    )
    cursor.executemany(
        f"INSERT INTO debate_readers ({', '.join(READER_COLUMNS)}) VALUES (?, ?, ?, ?, ?)",
        voters.reader_rows(),
    )
    cursor.executemany(
        f"INSERT INTO tallies ({', '.join(TALLY_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)",
        voters.tally_rows(),
    )


def _copy_postgresql(cursor, voters: Voters, votes: int) -> None:
    def copy_rows(table: str, columns, rows) -> None:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    copy_rows("votes", VOTE_COLUMNS, voters.votes(votes))
    copy_rows("debate_readers", READER_COLUMNS, voters.reader_rows())
    copy_rows("tallies", TALLY_COLUMNS, voters.tally_rows())


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        raise SystemExit(__doc__)
    seed(sys.argv[1], int(sys.argv[2]), *sys.argv[3:])
