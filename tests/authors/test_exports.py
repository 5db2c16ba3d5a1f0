"""Vote exports: header, rows, content and pseudonyms, on SQLite and PostgreSQL."""

import csv
import io
import json
import re

from debate.authors.exports import FIELDS, csv_chunks, json_chunks, pseudonymiser
from helpers import SLUG

DASHBOARD = f"/dashboard/debates/{SLUG}"


def cast_three_readers(new_reader) -> list:
    alice, bob, carol = new_reader(), new_reader(), new_reader()
    alice.stance("before", "open")
    alice.vote_claim("customization", "agree")
    alice.vote_claim("customization", "disagree")  # a change: still one row
    bob.answer("coexistence")
    carol.stance("after", "closed")
    return [alice, bob, carol]


def test_csv_export_has_the_header_one_row_per_vote_and_the_content(author_client, new_reader):
    readers = cast_three_readers(new_reader)
    response = author_client.get(f"{DASHBOARD}/votes.csv")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert re.fullmatch(
        rf'attachment; filename="{SLUG}-votes-\d{{4}}-\d\d-\d\d\.csv"',
        response.headers["Content-Disposition"],
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == FIELDS
    assert len(rows) == 4
    assert [(r["item_kind"], r["item_key"], r["choice"]) for r in rows] == [
        ("stance", "before", "open"),
        ("claim", "customization", "disagree"),
        ("question", "closing", "coexistence"),
        ("stance", "after", "closed"),
    ]
    assert {r["debate"] for r in rows} == {SLUG}
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["first_cast_at"])
        assert row["last_changed_at"] >= row["first_cast_at"]
    # One reader, one pseudonym within the export; it reveals nothing of the cookie.
    assert rows[0]["reader"] == rows[1]["reader"] != rows[2]["reader"] != rows[3]["reader"]
    cookies = {r.client.get_cookie("debate_reader").value for r in readers}
    for row in rows:
        assert re.fullmatch(r"[0-9a-f]{16}", row["reader"])
        assert not any(row["reader"] in cookie for cookie in cookies)


def test_json_export_is_an_array_of_the_same_rows(author_client, new_reader):
    cast_three_readers(new_reader)
    response = author_client.get(f"{DASHBOARD}/votes.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].endswith('.json"')
    rows = json.loads(response.get_data(as_text=True))
    assert len(rows) == 4 and all(tuple(row) == FIELDS for row in rows)
    unpredictable = {"first_cast_at": None, "last_changed_at": None, "reader": None}
    assert rows[1] | unpredictable | {"network": None, "hour": None} == {
        "debate": SLUG,
        "item_kind": "claim",
        "item_key": "customization",
        "choice": "disagree",
        "first_cast_at": None,
        "last_changed_at": None,
        "reader": None,
        "site": "http://localhost",
        "network": None,
        "hour": None,
        "set_aside": False,
    }


def test_pseudonyms_differ_between_exports(author_client, new_reader):
    cast_three_readers(new_reader)
    first = author_client.get(f"{DASHBOARD}/votes.json").get_json()
    second = author_client.get(f"{DASHBOARD}/votes.json").get_json()
    assert {r["reader"] for r in first}.isdisjoint({r["reader"] for r in second})


def test_an_empty_debate_exports_a_header_and_an_empty_array(author_client):
    csv_text = author_client.get(f"{DASHBOARD}/votes.csv").get_data(as_text=True)
    assert csv_text == ",".join(FIELDS) + "\r\n"
    assert author_client.get(f"{DASHBOARD}/votes.json").get_json() == []


def test_writers_stream_a_chunk_per_batch():
    rows = (
        {
            "debate": "d",
            "item_kind": "claim",
            "item_key": "k",
            "choice": "agree",
            "first_cast_at": "t",
            "last_changed_at": "t",
            "reader": str(i),
        }
        for i in range(5)
    )
    chunks = list(csv_chunks(rows, batch_size=2))
    assert len(chunks) == 1 + 3  # the header, then batches of 2, 2 and 1
    assert sum(chunk.count("\r\n") for chunk in chunks) == 6
    rows = ({"n": i} for i in range(5))
    chunks = list(json_chunks(rows, batch_size=2))
    assert len(chunks) == 2 + 3
    assert json.loads("".join(chunks)) == [{"n": i} for i in range(5)]


def test_a_pseudonymiser_is_stable_and_another_is_not_the_same():
    first, second = pseudonymiser(), pseudonymiser()
    assert first("a" * 32) == first("a" * 32) != first("b" * 32)
    assert first("a" * 32) != second("a" * 32)
