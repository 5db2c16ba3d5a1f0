"""Dependencies that stop answering (SIGSTOP: connections stay open, nothing comes
back): a paused PostgreSQL gives the 503 with the bundled essay within about five
seconds; with a paused Redis, votes go on limited per process, sign-ins are refused
and the panel renders, each within about two seconds. Only private servers of the
test's own are paused, never the machine's."""

import os
import re
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from helpers import AUTHOR_EMAIL, AUTHOR_PASSWORD, SLUG, add_author, make_app, reset_database
from live import CSRF_META, Gunicorn, PrivatePostgres, free_port, wait_for

pytestmark = pytest.mark.live


def processes_of(postmaster: int) -> list[int]:
    children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True)
    return [postmaster, *(int(pid) for pid in children.stdout.split())]


@contextmanager
def paused(pids: list[int]):
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGCONT)


def timed(call):
    start = time.monotonic()
    response = call()
    return response, time.monotonic() - start


def vote(server, session, token, side="open"):
    return session.post(
        f"{server.url}/debates/{SLUG}/stance",
        data={"phase": "before", "side": side, "csrf_token": token},
        headers={"HX-Request": "true", "Sec-Fetch-Site": "same-origin"},
        timeout=30,
    )


def test_a_paused_postgresql_is_a_503_with_the_essay_within_seconds():
    with PrivatePostgres() as postgres:
        reset_database(make_app(postgres.url))
        with Gunicorn(postgres.url, workers=1) as server:
            session = requests.Session()
            page = session.get(f"{server.url}/debates/{SLUG}", timeout=10)
            token = CSRF_META.search(page.text).group(1)
            assert vote(server, session, token).status_code == 200
            postmaster = int((Path(postgres.data) / "postmaster.pid").read_text().split()[0])
            with paused(processes_of(postmaster)):
                time.sleep(1.5)  # past the kept page's second
                answers = {
                    "page": timed(lambda: requests.get(f"{server.url}/debates/{SLUG}", timeout=30)),
                    "api": timed(
                        lambda: requests.get(f"{server.url}/api/debates/{SLUG}/results", timeout=30)
                    ),
                    "vote": timed(lambda: vote(server, session, token, "closed")),
                }
            wait_for(
                lambda: (
                    requests.get(f"{server.url}/api/debates/{SLUG}/results", timeout=10).status_code
                    == 200
                ),
                what="recovery",
            )
    for name, (response, seconds) in answers.items():
        assert response.status_code == 503, name
        assert seconds < 7, (name, seconds)
    assert "cannot reach its database" in answers["page"][0].text
    assert "Transparency and trust" in answers["page"][0].text


@pytest.fixture
def private_redis():
    port = free_port()
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(
        lambda: (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode
            == 0
        ),
        what="redis",
    )
    yield process, f"redis://127.0.0.1:{port}"
    process.kill()
    process.wait()


@contextmanager
def serving_with_redis(database_uri, url):
    """One gunicorn worker with its limits and its cache in the private Redis at url,
    and an author."""
    app = make_app(database_uri)
    reset_database(app)
    add_author(app)
    with Gunicorn(
        database_uri, workers=1, RATELIMIT_STORAGE_URI=f"{url}/0", CACHE_REDIS_URL=f"{url}/1"
    ) as server:
        yield server


def reader_who_voted(server) -> tuple[requests.Session, str]:
    """A reader's session and vote token, after a first vote (200)."""
    session = requests.Session()
    page = session.get(f"{server.url}/debates/{SLUG}", timeout=10).text
    token = CSRF_META.search(page).group(1)
    assert vote(server, session, token).status_code == 200
    return session, token


def sign_in_form(server) -> tuple[requests.Session, str]:
    """An author's session on the sign-in page, and the form's CSRF token."""
    author = requests.Session()
    form = author.get(f"{server.url}/sign-in", timeout=10).text
    return author, re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)


def test_a_paused_redis_slows_nothing_for_long(database_uri, private_redis):
    process, url = private_redis
    with serving_with_redis(database_uri, url) as server:
        session, token = reader_who_voted(server)
        author, csrf = sign_in_form(server)
        with paused([process.pid]):
            first, first_seconds = timed(lambda: vote(server, session, token, "closed"))
            later = [
                timed(lambda side=side: vote(server, session, token, side))
                for side in ("undecided", "open", "closed")
            ]
            panel, panel_seconds = timed(
                lambda: requests.get(
                    f"{server.url}/debates/{SLUG}/results",
                    headers={"HX-Request": "true"},
                    timeout=30,
                )
            )
            sign_in, sign_in_seconds = timed(
                lambda: author.post(
                    f"{server.url}/sign-in",
                    timeout=30,
                    data={"email": "author@example.org", "password": "wrong", "csrf_token": csrf},
                )
            )
    assert first.status_code == 200 and first_seconds < 3.5
    assert all(response.status_code == 200 and seconds < 1 for response, seconds in later)
    assert panel.status_code == 200 and panel_seconds < 2.5
    assert sign_in.status_code == 503 and sign_in_seconds < 2.5
    assert "failed attempts cannot be counted" in sign_in.text


def test_closing_voting_while_redis_hangs_holds_once_redis_answers(database_uri, private_redis):
    """The author's close reaches Redis when Redis comes back: the kept read model,
    which says voting is open, is never served again."""
    process, url = private_redis
    with serving_with_redis(database_uri, url) as server:
        reader, token = reader_who_voted(server)  # the read model is kept
        author, csrf = sign_in_form(server)
        signed_in = author.post(
            f"{server.url}/sign-in",
            data={"email": AUTHOR_EMAIL, "password": AUTHOR_PASSWORD, "csrf_token": csrf},
            timeout=10,
        )
        assert signed_in.ok
        csrf = CSRF_META.search(signed_in.text).group(1)
        with paused([process.pid]):
            closed = author.post(
                f"{server.url}/dashboard/debates/{SLUG}/voting",
                data={"voting": "closed", "csrf_token": csrf},
                timeout=30,
            )
            assert closed.ok
            assert vote(server, reader, token, "closed").status_code == 403
        # Votes for eight seconds once Redis answers again: past the five in which a
        # process leaves a Redis that just failed alone.
        refused = []
        for _ in range(40):
            refused.append(vote(server, reader, token, "undecided").status_code)
            time.sleep(0.2)
    assert refused == [403] * 40
