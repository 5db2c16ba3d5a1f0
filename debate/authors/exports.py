"""Every vote of a debate as CSV or JSON, streamed a batch at a time.

Rows are read with yield_per and written out batch by batch, so a million
votes never sit in memory at once. Readers appear under a pseudonym: an HMAC
of their id under a key drawn for this export alone and then forgotten. The
same reader has the same pseudonym throughout one export, and nothing links
it to their cookie or to their pseudonym in any other export. Each vote says
where its current choice came from: the embedding site (empty when unknown),
the network bucket (a day's pseudonym of a /24 or /48; empty when unknown) and
the UTC hour. Every vote is exported, with `set_aside` true for those the
author's exclusions leave out of the counts (the other outlets count the rest).
"""

import csv
import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import cast

from sqlalchemy import Table, case, false, select

from ..core.debate import Debate
from ..store.db import DbSession
from ..store.models import Vote
from ..store.votes import set_aside

FIELDS = (
    "debate",
    "item_kind",
    "item_key",
    "choice",
    "first_cast_at",
    "last_changed_at",
    "reader",
    "site",
    "network",
    "hour",
    "set_aside",
)
BATCH_SIZE = 1000
PSEUDONYM_HEX_DIGITS = 16  # 64 bits: no collisions among any realistic number of readers


def pseudonymiser() -> Callable[[str], str]:
    """A function from reader id to pseudonym, stable only for this one export."""
    key = secrets.token_bytes(32)
    return lambda reader_id: hmac.new(key, reader_id.encode(), hashlib.sha256).hexdigest()[
        :PSEUDONYM_HEX_DIGITS
    ]


def _timestamp(moment: datetime) -> str:
    """Stored times are UTC without a zone: say so in the file."""
    return moment.isoformat(timespec="seconds") + "Z"


def vote_rows(session: DbSession, debate: Debate, batch_size: int = BATCH_SIZE) -> Iterator[dict]:
    """One dict per vote, in the order votes were first cast."""
    pseudonym = pseudonymiser()
    covered = set_aside(cast(Table, Vote.__table__), debate.exclusions)
    result = session.execute(
        select(
            Vote.kind,
            Vote.item_key,
            Vote.choice,
            Vote.created_at,
            Vote.updated_at,
            Vote.reader_id,
            Vote.site,
            Vote.network,
            Vote.cast_hour,
            false() if covered is None else case((covered, True), else_=False),
        )
        .where(Vote.debate_id == debate.id)
        .order_by(Vote.id)
        .execution_options(yield_per=batch_size)
    )
    for kind, key, choice, created_at, updated_at, reader_id, site, network, hour, aside in result:
        yield {
            "debate": debate.slug,
            "item_kind": kind,
            "item_key": key,
            "choice": choice,
            "first_cast_at": _timestamp(created_at),
            "last_changed_at": _timestamp(updated_at),
            "reader": pseudonym(reader_id),
            "site": site,
            "network": network,
            "hour": _timestamp(hour),
            "set_aside": bool(aside),
        }


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def csv_chunks(rows: Iterable[dict], batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """The header, then one chunk of CSV text per batch of rows."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\r\n")
    writer.writeheader()
    yield buffer.getvalue()
    for batch in _batches(rows, batch_size):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        yield buffer.getvalue()


def json_chunks(rows: Iterable[dict], batch_size: int = BATCH_SIZE) -> Iterator[str]:
    """A JSON array of row objects, one chunk per batch of rows."""
    yield "["
    separator = "\n"
    for batch in _batches(rows, batch_size):
        yield separator + ",\n".join(json.dumps(row) for row in batch)
        separator = ",\n"
    yield "\n]\n"


def export_filename(debate: Debate, day: datetime, extension: str) -> str:
    return f"{debate.slug}-votes-{day:%Y-%m-%d}.{extension}"
