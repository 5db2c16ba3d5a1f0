"""Rate limits on votes, in process memory and in the real Redis."""

from datetime import date

import pytest

from debate.web.limits import network_bucket
from helpers import SLUG, Reader, api_results, make_app, reset_database, workers_sharing_redis


@pytest.fixture
def limited_app(database_uri):
    app = make_app(
        database_uri, VOTE_LIMIT_PER_READER="3 per minute", VOTE_LIMIT_PER_ADDRESS="5 per minute"
    )
    reset_database(app)
    return app


@pytest.mark.parametrize("htmx", [False, True])
def test_a_reader_over_the_limit_gets_429_with_retry_after(limited_app, htmx):
    reader = Reader(limited_app.test_client())
    for choice in ("agree", "disagree", "unsure"):
        assert reader.vote_claim("customization", choice, htmx=htmx).status_code in (200, 303)
    refused = reader.vote_claim("customization", "agree", htmx=htmx)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many votes in a short time" in refused.get_data(as_text=True)
    claim = next(c for c in api_results(reader.client)["claims"] if c["key"] == "customization")
    assert (claim["unsure"], claim["agree"]) == (1, 0)


def test_the_address_limit_holds_across_readers(limited_app):
    statuses = [
        Reader(limited_app.test_client()).stance("before", "open").status_code for _ in range(7)
    ]
    assert statuses == [303] * 5 + [429] * 2
    assert api_results(limited_app.test_client())["stance"]["before"]["open"] == 5


def app_behind_a_proxy(database_uri):
    """An app behind a proxy on 127.0.0.1 that lets each address vote twice a minute."""
    app = make_app(
        database_uri, TRUSTED_PROXIES=["127.0.0.1"], VOTE_LIMIT_PER_ADDRESS="2 per minute"
    )
    reset_database(app)
    return app


def first_stances_from(app, addresses) -> list[int]:
    """The status of a new reader's stance from each address, as the proxy names it."""
    statuses = []
    for address in addresses:
        reader = Reader(app.test_client())
        reader.client.environ_base["HTTP_X_FORWARDED_FOR"] = address
        statuses.append(reader.stance("before", "open").status_code)
    return statuses


def test_readers_behind_a_trusted_proxy_are_limited_by_their_own_address(database_uri):
    app = app_behind_a_proxy(database_uri)
    statuses = first_stances_from(
        app, ("198.51.100.1", "198.51.100.1", "198.51.100.1", "198.51.100.2")
    )
    assert statuses == [303, 303, 429, 303]


def test_processes_share_limits_through_redis(database_uri):
    """Two app instances (as two gunicorn workers would be) count against one limit."""
    with workers_sharing_redis(database_uri, VOTE_LIMIT_PER_ADDRESS="4 per minute") as workers:
        statuses = []
        for app in (workers.first, workers.second) * 3:
            statuses.append(Reader(app.test_client()).stance("after", "closed").status_code)
        assert statuses == [303, 303, 303, 303, 429, 429]
        assert workers.keys(), "the limit counters live in Redis"


def test_votes_go_on_when_the_limit_store_is_down(database_uri):
    app = make_app(database_uri, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    reset_database(app)
    assert Reader(app.test_client()).stance("before", "open").status_code == 303
    assert api_results(app.test_client(), SLUG)["readers"] == 1


def test_refused_requests_use_up_nobodys_budget(limited_app):
    """A client behind the same address sending requests without a token (all
    400) must not silence the genuine readers who share that address."""
    client = limited_app.test_client()
    for _ in range(20):
        refused = client.post(
            f"/debates/{SLUG}/stance",
            data={"phase": "before", "side": "open"},
            headers={"Sec-Fetch-Site": "same-origin"},
        )
        assert refused.status_code == 400
    assert Reader(limited_app.test_client()).stance("before", "open").status_code == 303


def test_an_ipv6_subscriber_is_one_network_whatever_address_of_its_64(database_uri):
    app = app_behind_a_proxy(database_uri)
    statuses = first_stances_from(
        app, ("2001:db8:1:2::1", "2001:db8:1:2::ffff", "2001:db8:1:2:abcd::9", "2001:db8:1:3::1")
    )
    assert statuses == [303, 303, 429, 303]


def test_ipv4_clients_of_a_dual_stack_listener_are_each_their_own_network(database_uri):
    """Behind a listener on [::] an IPv4 client arrives as ::ffff:a.b.c.d: it is the
    IPv4 address, not one /64 shared by every IPv4 client."""
    app = app_behind_a_proxy(database_uri)
    statuses = first_stances_from(
        app, ("::ffff:198.51.100.7", "::ffff:203.0.113.9", "198.51.100.7", "::ffff:8.8.8.8")
    )
    assert statuses == [303, 303, 303, 303]
    # its third, as 198.51.100.7
    assert first_stances_from(app, ("::ffff:198.51.100.7",)) == [429]
    # And the author's segments see it in its IPv4 /24.
    day = date(2026, 12, 1)
    assert network_bucket("::ffff:198.51.100.7", "k", day) == network_bucket(
        "198.51.100.250", "k", day
    )


def test_sign_ins_are_refused_when_failures_cannot_be_counted(database_uri):
    from helpers import add_author, sign_in

    app = make_app(database_uri, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    reset_database(app)
    add_author(app)
    response = sign_in(app.test_client())
    assert response.status_code == 503
    assert "cannot be counted right now" in response.get_data(as_text=True)


def test_a_network_brings_in_at_most_its_budget_of_new_readers(database_uri):
    """Readers who vote for the first time use up their network's budget; readers
    already counted vote and change their votes as before; refusals count nothing."""
    app = make_app(database_uri, NEW_READERS_PER_NETWORK="3 per hour")
    reset_database(app)
    readers = [Reader(app.test_client()) for _ in range(5)]
    statuses = [reader.stance("before", "open").status_code for reader in readers]
    assert statuses == [303, 303, 303, 429, 429]
    refused = readers[4].stance("before", "open")
    assert "new readers have voted from your network" in refused.get_data(as_text=True)
    assert readers[0].stance("before", "closed").status_code == 303
    assert readers[1].vote_claim("customization", "agree").status_code == 303
    results = api_results(app.test_client())
    assert results["readers"] == 3
    assert results["stance"]["before"] == {"open": 2, "closed": 1, "undecided": 0}
    other_network = Reader(app.test_client())
    other_network.client.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other_network.stance("before", "open").status_code == 303
