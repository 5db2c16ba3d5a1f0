"""Authors: the command line, signing in and out, and who may see the dashboard."""

import re

import pytest
from werkzeug.security import check_password_hash

from debate.store.db import db
from debate.store.models import Author, DebateRow
from helpers import (
    AUTHOR_EMAIL,
    AUTHOR_PASSWORD,
    SLUG,
    add_author,
    csrf_of,
    make_app,
    reset_database,
    sign_in,
)

DASHBOARD = f"/dashboard/debates/{SLUG}"
PASSWORD_TWICE = "secret-password\nsecret-password\n"


def authors(app) -> dict[str, Author]:
    with app.app_context():
        return {a.email: a for a in db.session.scalars(db.select(Author))}


def owner_of(app, slug: str = SLUG) -> str | None:
    with app.app_context():
        debate = db.session.execute(db.select(DebateRow).filter_by(slug=slug)).scalar_one()
        owner = db.session.get(Author, debate.owner_id) if debate.owner_id else None
        return owner.email if owner else None


# The command line


def test_create_asks_twice_and_stores_a_scrypt_hash(app, runner):
    result = runner.invoke(args=["authors", "create", "Ada@Example.org"], input=PASSWORD_TWICE)
    assert result.exit_code == 0, result.output
    assert "Created author ada@example.org." in result.output
    stored = authors(app)["ada@example.org"]
    assert stored.password_hash.startswith("scrypt:")
    assert "secret-password" not in stored.password_hash
    assert check_password_hash(stored.password_hash, "secret-password")


def test_create_refuses_a_short_password_a_mismatch_and_a_duplicate(app, runner):
    short = runner.invoke(args=["authors", "create", "a@example.org"], input="short\nshort\n")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    mismatch = runner.invoke(
        args=["authors", "create", "a@example.org"], input="secret-password\nother-password!\n" * 2
    )
    assert mismatch.exit_code == 1 and "do not match" in mismatch.output
    assert authors(app) == {}
    runner.invoke(args=["authors", "create", "a@example.org"], input=PASSWORD_TWICE)
    again = runner.invoke(args=["authors", "create", "A@example.org"], input=PASSWORD_TWICE)
    assert again.exit_code == 1 and "already exists" in again.output


def test_list_reset_password_and_remove(app, runner):
    runner.invoke(args=["authors", "create", "a@example.org"], input=PASSWORD_TWICE)
    assert runner.invoke(args=["debates", "load", "--owner", "a@example.org"]).exit_code == 0
    listed = runner.invoke(args=["authors", "list"])
    assert re.search(r"a@example.org\t1 debate\tsince \d{4}-\d\d-\d\d", listed.output)

    reset = runner.invoke(
        args=["authors", "reset-password", "a@example.org"],
        input="a-new-password\na-new-password\n",
    )
    assert reset.exit_code == 0, reset.output
    client = app.test_client()
    assert sign_in(client, "a@example.org", "secret-password").status_code == 401
    assert sign_in(client, "a@example.org", "a-new-password").status_code == 303

    removed = runner.invoke(args=["authors", "remove", "a@example.org", "--yes"])
    assert removed.exit_code == 0, removed.output
    assert authors(app) == {} and owner_of(app) is None
    assert runner.invoke(args=["debates", "list"]).output.startswith(f"{SLUG}\topen\t-\t")


def test_load_with_an_owner(app, runner):
    runner.invoke(args=["authors", "create", "a@example.org"], input=PASSWORD_TWICE)
    result = runner.invoke(args=["debates", "load", "--owner", "A@example.org"])
    assert "Owner: a@example.org." in result.output
    assert owner_of(app) == "a@example.org"
    unknown = runner.invoke(args=["debates", "load", "--owner", "nobody@example.org"])
    assert unknown.exit_code == 1 and "no author with the email" in unknown.output
    assert owner_of(app) == "a@example.org"


# Signing in and out


def test_sign_in_starts_a_fresh_session_and_reaches_the_dashboard(app, author):
    client = app.test_client()
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
        token_before = session["csrf_token"]
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"] == "/dashboard/"
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["csrf_token"] != token_before
        assert "_user_id" in session
    assert "Open Source vs. Closed Source AI" in client.get("/dashboard/").get_data(as_text=True)


def test_sign_in_cookie_is_secure_over_https(app, author):
    client = app.test_client()
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/sign-in"}}
    assert sign_in(client, **https).status_code == 303
    cookie = client.get_cookie("__Host-session", domain="localhost")
    assert cookie is not None and cookie.secure and cookie.http_only


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_site(app, author):
    client = app.test_client()
    asked = client.get(DASHBOARD)
    assert asked.status_code == 302
    assert asked.headers["Location"] == f"/sign-in?next=/dashboard/debates/{SLUG}"
    token = csrf_of(client, "/sign-in")
    for target, expected in (
        (DASHBOARD, DASHBOARD),
        ("//evil.example/x", "/dashboard/"),
        ("https://evil.example/", "/dashboard/"),
    ):
        client.post("/sign-out", data={"csrf_token": token})
        token = csrf_of(client, "/sign-in")
        response = client.post(
            "/sign-in",
            query_string={"next": target},
            data={"email": AUTHOR_EMAIL, "password": AUTHOR_PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == expected
        token = csrf_of(client, "/dashboard/")


def test_wrong_password_or_unknown_email_says_so_without_telling_which(app, author):
    client = app.test_client()
    for email, password in ((AUTHOR_EMAIL, "wrong password!"), ("who@example.org", "whatever")):
        response = sign_in(client, email, password)
        assert response.status_code == 401
        assert "That email and password do not match an author." in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302


def test_sign_in_needs_the_csrf_token(app, author):
    response = app.test_client().post(
        "/sign-in", data={"email": AUTHOR_EMAIL, "password": AUTHOR_PASSWORD}
    )
    assert response.status_code == 400
    assert "session has expired" in response.get_data(as_text=True)


def test_sign_out_is_a_post_and_ends_the_session(author_client):
    assert author_client.get("/sign-out").status_code == 405
    token = csrf_of(author_client, "/dashboard/")
    response = author_client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    assert author_client.get("/dashboard/").status_code == 302


# Who may see what


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/",
        DASHBOARD,
        f"{DASHBOARD}/votes.csv",
        f"{DASHBOARD}/votes.json",
        f"{DASHBOARD}/reset",
    ],
)
def test_anonymous_requests_go_to_sign_in_and_see_no_data(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")
    assert b"agree" not in response.data


def test_an_anonymous_htmx_poll_is_sent_to_sign_in_not_given_a_fragment(client):
    response = client.get(DASHBOARD, headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.data == b""
    assert response.headers["HX-Redirect"].startswith("/sign-in?next=")


def test_anonymous_posts_change_nothing(client, app):
    token = csrf_of(client, "/sign-in")
    response = client.post(f"{DASHBOARD}/voting", data={"voting": "closed", "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.execute(db.select(DebateRow.voting_open)).scalar_one() is True


def test_another_authors_debate_is_a_404(app, author):
    add_author(app, "other@example.org", "another long password", owns=None)
    client = app.test_client()
    sign_in(client, "other@example.org", "another long password")
    assert "You have no debate here yet" in client.get("/dashboard/").get_data(as_text=True)
    for path in (
        DASHBOARD,
        f"{DASHBOARD}/votes.csv",
        f"{DASHBOARD}/votes.json",
        f"{DASHBOARD}/reset",
    ):
        assert client.get(path).status_code == 404
    token = csrf_of(client, "/dashboard/")
    for path, data in (
        (f"{DASHBOARD}/voting", {"voting": "closed"}),
        (f"{DASHBOARD}/visibility", {"visibility": "always"}),
        (f"{DASHBOARD}/reset", {"confirm": SLUG}),
    ):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404


# Brute force


@pytest.fixture
def limited_app(database_uri):
    app = make_app(
        database_uri,
        SIGN_IN_LIMIT_PER_ACCOUNT="3 per minute",
        SIGN_IN_LIMIT_PER_ADDRESS="5 per minute",
    )
    reset_database(app)
    add_author(app)
    return app


def test_failed_sign_ins_per_account_are_refused_with_a_readable_message(limited_app):
    client = limited_app.test_client()
    assert [sign_in(client, password="guess number 1").status_code for _ in range(3)] == [401] * 3
    refused = sign_in(client)  # even the right password, until the window passes
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    text = refused.get_data(as_text=True)
    assert "Too many failed sign-ins for this account or from this address" in text
    assert "votes" not in text
    # Another account from the same address is not locked yet.
    add_author(limited_app, "b@example.org", "b long password", owns=None)
    assert sign_in(client, "b@example.org", "b long password").status_code == 303


def test_failed_sign_ins_per_address_hold_across_accounts(limited_app):
    client = limited_app.test_client()
    statuses = [
        sign_in(client, f"guess{i}@example.org", "guess password").status_code for i in range(6)
    ]
    assert statuses == [401] * 5 + [429]


def test_a_stranger_cannot_lock_the_author_out(limited_app):
    """Wrong passwords for the author's email, in any case or spacing, from the
    stranger's network stop that network; the author, elsewhere, signs in."""
    stranger = limited_app.test_client()
    for email in (AUTHOR_EMAIL, AUTHOR_EMAIL.upper(), f"  {AUTHOR_EMAIL} "):
        assert sign_in(stranger, email, "not the password").status_code == 401
    assert sign_in(stranger, AUTHOR_EMAIL, "not the password").status_code == 429
    author = limited_app.test_client()
    author.environ_base["REMOTE_ADDR"] = "198.51.100.20"
    assert sign_in(author).status_code == 303


def test_a_guesser_spread_over_networks_is_held_for_the_account(database_uri):
    app = make_app(database_uri, SIGN_IN_LIMIT_PER_ACCOUNT_EVERYWHERE="4 per hour")
    reset_database(app)
    add_author(app)
    statuses = []
    for number in range(6):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{number}"
        statuses.append(sign_in(client, password=f"guess {number}").status_code)
    assert statuses == [401] * 4 + [429] * 2


def test_successful_sign_ins_do_not_count(limited_app):
    client = limited_app.test_client()
    for _ in range(6):
        assert sign_in(client).status_code == 303
        client.post("/sign-out", data={"csrf_token": csrf_of(client, "/dashboard/")})


@pytest.mark.parametrize("target", ["/dashboard/%0d%0aX-Evil:%201", "/dashboard/%0aX", "/%09x"])
def test_an_unsafe_next_with_control_characters_is_ignored(client, author, target):
    html = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/sign-in?next={target}",
        data={"email": AUTHOR_EMAIL, "password": AUTHOR_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard/")


def test_sign_out_ends_every_session_of_the_author(app, author):
    signed_in, copy = app.test_client(), app.test_client()
    assert sign_in(signed_in).status_code == 303
    cookie = signed_in.get_cookie("session")
    copy.set_cookie("session", cookie.value)
    assert copy.get("/dashboard/").status_code == 200
    token = csrf_of(signed_in, "/dashboard/")
    assert signed_in.post("/sign-out", data={"csrf_token": token}).status_code == 303
    assert copy.get("/dashboard/").status_code == 302
    assert copy.get(f"/dashboard/debates/{SLUG}/votes.csv").status_code == 302


def test_a_new_password_ends_every_session_of_the_author(app, author, runner):
    client = app.test_client()
    assert sign_in(client).status_code == 303
    assert client.get("/dashboard/").status_code == 200
    result = runner.invoke(
        args=["authors", "reset-password", AUTHOR_EMAIL],
        input="a brand new password\na brand new password\n",
    )
    assert result.exit_code == 0, result.output
    assert client.get("/dashboard/").status_code == 302
    assert sign_in(client, password="a brand new password").status_code == 303
