"""Where each vote came from: the embedding site, a network bucket and the hour,
stored with the vote and exported, and never the reader's address."""

import csv
import io
import re
from datetime import date

from sqlalchemy import text

from debate.readers.ballots import embedding_site
from debate.store.db import db, this_hour, utcnow
from debate.store.models import Vote
from debate.web.limits import network_bucket
from helpers import SLUG, Reader

ADDRESS = "203.0.113.77"
FROM_ADDRESS = {"environ_base": {"REMOTE_ADDR": ADDRESS}}
EMBED_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def embed_vote(client, site: str | None, choice: str = "agree"):
    """A vote from the embedded debate, with the site its frame's script sends."""
    page = client.get(f"/embed/{SLUG}", **FROM_ADDRESS).get_data(as_text=True)
    form = {"csrf_token": EMBED_TOKEN.search(page).group(1), "view": "debate", "choice": choice}
    if site is not None:
        form["embedding_site"] = site
    return client.post(
        f"/embed/{SLUG}/claims/customization/vote",
        data=form,
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
        **FROM_ADDRESS,
    )


def stored_provenance(app) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(Vote.site, Vote.network, Vote.cast_hour).order_by(Vote.id)
        )
        return [tuple(row) for row in rows]


def test_a_page_vote_records_the_debates_own_site_the_bucket_and_the_hour(app, reader):
    assert reader.vote_claim("customization", "agree", **FROM_ADDRESS).status_code == 303
    expected = network_bucket(ADDRESS, app.secret_key, utcnow().date())
    [(site, network, hour)] = stored_provenance(app)
    assert site == "http://localhost"
    assert network == expected and re.fullmatch(r"[0-9a-f]{16}", network)
    assert hour == this_hour()


def test_an_embed_vote_records_the_site_its_frame_names(app):
    assert embed_vote(app.test_client(), "https://blog.example.org").status_code == 303
    assert stored_provenance(app)[0][0] == "https://blog.example.org"


def test_a_site_that_is_not_an_origin_is_recorded_as_unknown(app):
    for bad in ("https://blog.example.org/post", "javascript:alert(1)", "x" * 400, None):
        assert embed_vote(app.test_client(), bad).status_code == 303
    assert [site for site, _network, _hour in stored_provenance(app)] == [""] * 4


def test_a_changed_vote_takes_the_provenance_of_its_change(app, reader):
    reader.vote_claim("customization", "agree")
    reader.vote_claim("customization", "disagree", **FROM_ADDRESS)
    [(_site, network, _hour)] = stored_provenance(app)
    assert network == network_bucket(ADDRESS, app.secret_key, utcnow().date())


def test_the_bucket_holds_within_a_network_and_a_day_and_no_further():
    day, key = date(2026, 11, 30), "k"
    bucket = network_bucket("198.51.100.7", key, day)
    assert network_bucket("198.51.100.250", key, day) == bucket  # the same /24
    assert network_bucket("198.51.101.7", key, day) != bucket  # the next /24
    assert network_bucket("198.51.100.7", key, date(2026, 12, 1)) != bucket  # the next day
    assert network_bucket("198.51.100.7", "other key", day) != bucket
    v6 = network_bucket("2001:db8:1:2::1", key, day)
    assert network_bucket("2001:db8:1:ffff::9", key, day) == v6  # the same /48
    assert network_bucket("2001:db8:2::1", key, day) != v6
    assert network_bucket(None, key, day) == network_bucket("not an address", key, day) == ""


def test_embedding_sites_are_origins_or_unknown():
    assert embedding_site("https://blog.example.org:8443") == "https://blog.example.org:8443"
    assert embedding_site("http://[2001:db8::1]") == "http://[2001:db8::1]"
    for bad in ("https://x.org/", "https://x.org\n", "ftp://x.org", "null", "HTTPS://X.ORG", ""):
        assert embedding_site(bad) == ""


def test_the_database_never_holds_the_readers_address(app, new_reader):
    reader: Reader = new_reader()
    reader.stance("before", "open", **FROM_ADDRESS)
    reader.vote_claim("customization", "agree", **FROM_ADDRESS)
    embed_vote(app.test_client(), "https://blog.example.org")
    with app.app_context():
        dump = []
        for table in db.metadata.sorted_tables:
            dump += [
                repr(tuple(row)) for row in db.session.execute(text(f"SELECT * FROM {table.name}"))
            ]
    assert len(dump) > 10
    assert not [row for row in dump if "203.0.113" in row]


def test_exports_carry_each_votes_provenance(app, reader, author_client):
    reader.vote_claim("customization", "agree", **FROM_ADDRESS)
    embed_vote(app.test_client(), "https://blog.example.org", choice="unsure")
    exported = author_client.get(f"/dashboard/debates/{SLUG}/votes.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    bucket = network_bucket(ADDRESS, app.secret_key, utcnow().date())
    hour = this_hour().isoformat() + "Z"
    assert [(r["site"], r["network"], r["hour"]) for r in rows] == [
        ("http://localhost", bucket, hour),
        ("https://blog.example.org", bucket, hour),
    ]
    json_rows = author_client.get(f"/dashboard/debates/{SLUG}/votes.json").get_json()
    assert [(r["site"], r["network"], r["hour"]) for r in json_rows] == [
        (r["site"], r["network"], r["hour"]) for r in rows
    ]
