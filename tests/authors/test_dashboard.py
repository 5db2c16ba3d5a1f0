"""The dashboard over HTTP: the figures after real votes, running the poll, resetting."""

import logging
import re
from dataclasses import replace
from html import unescape

from debate.cache.store import invalidate
from debate.core.content import bundled_path, parse_file
from debate.store.db import db
from debate.store.debates import save_debate
from debate.store.models import DebateReader, DebateRow, Tally, Vote
from helpers import (
    SLUG,
    add_author,
    age_the_figures,
    api_results,
    count_queries,
    csrf_of,
    finish_recomputations,
    sign_in,
)

DASHBOARD = f"/dashboard/debates/{SLUG}"


def cast_room(new_reader, count: int = 12) -> None:
    """count readers: all start closed; the first half move to open and agree with
    transparency-and-trust; everyone agrees with accountability; all answer coexistence."""
    for index in range(count):
        reader = new_reader()
        moved = index < count // 2
        reader.stance("before", "closed")
        reader.stance("after", "open" if moved else "closed")
        reader.vote_claim("transparency-and-trust", "agree" if moved else "disagree")
        reader.vote_claim("accountability", "agree")
        reader.answer("coexistence")


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_shows_headline_persuasion_and_claims(author_client, new_reader):
    cast_room(new_reader)
    html = author_client.get(DASHBOARD).get_data(as_text=True)
    text = text_of(html)
    assert "Readers 12" in text and "Votes 60" in text and "Voting Open" in text
    assert re.search(
        r"Open source wins the room : \+50 points among the 12 readers who "
        r"answered both before and after reading \(95% interval \+\d+ to \+\d+\)",
        text,
    ), text
    # Claims that changed minds: ranked first, 100% of movers against 0% of stayers.
    changed = text[text.index("Claims that changed minds") : text.index("Claims both camps")]
    # Groups of 6 are below the minimum of 10: shown, with n and interval, but not ranked.
    unranked = changed[changed.index("Not compared: fewer than 10 readers in a group") :]
    assert re.search(
        r"Transparency and trust 100% 6 of 6 95% interval 61–100% "
        r"0% 0 of 6 95% interval 0–39% \+100 pts",
        unranked,
    )
    # Each share shows its n and interval; the minimum n is on the page.
    assert "fewer than 10 readers" in text
    assert 'role="img"' in html and "<title" in html and "<desc" in html
    assert "style=" not in html and "<script>" not in html


def test_findings_are_ranked_once_groups_reach_the_minimum(app, author_client, new_reader):
    app.config["DASHBOARD_MIN_N"] = 5
    cast_room(new_reader)
    text = text_of(author_client.get(DASHBOARD).get_data(as_text=True))
    changed = text[text.index("Claims that changed minds") : text.index("Claims both camps")]
    assert re.search(
        r"Difference Findings 1 Transparency and trust 100% 6 of 6 95% interval 61–100% "
        r"0% 0 of 6 95% interval 0–39% \+100 pts",
        changed,
    )
    common = text[text.index("Claims both camps") : text.index("The closing question")]
    assert re.search(r"Accountability Common ground", common)
    assert "Transparency and trust Common ground" not in common


def test_the_figures_fragment_alone_for_htmx_with_an_etag(app, author_client, new_reader):
    new_reader().stance("before", "open")
    response = author_client.get(DASHBOARD, headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="figures"')
    assert "private" in response.headers["Cache-Control"]
    again = author_client.get(
        DASHBOARD, headers={"HX-Request": "true", "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    new_reader().stance("before", "closed")
    queries = count_queries(app)
    within_the_interval = author_client.get(
        DASHBOARD, headers={"HX-Request": "true", "If-None-Match": response.headers["ETag"]}
    )
    assert within_the_interval.status_code == 304, "figures are recomputed once per interval"
    assert not any("GROUP BY" in query for query in queries), "and not for this poll"
    age_the_figures(app, seconds=60)  # as if the poll interval had passed
    served_at_once = author_client.get(
        DASHBOARD, headers={"HX-Request": "true", "If-None-Match": response.headers["ETag"]}
    )
    assert served_at_once.status_code == 304, "the last figures, while new ones are computed"
    finish_recomputations()
    changed = author_client.get(
        DASHBOARD, headers={"HX-Request": "true", "If-None-Match": response.headers["ETag"]}
    )
    assert changed.status_code == 200 and 'id="headline-readers">2<' in changed.get_data(
        as_text=True
    )


def test_closing_and_opening_voting(app, author_client, new_reader):
    token = csrf_of(author_client, DASHBOARD)
    closed = author_client.post(
        f"{DASHBOARD}/voting", data={"voting": "closed", "csrf_token": token}
    )
    assert closed.status_code == 303 and closed.headers["Location"].endswith("#controls")
    assert api_results(app.test_client())["voting_open"] is False
    assert new_reader().stance("before", "open").status_code == 403
    reopened = author_client.post(
        f"{DASHBOARD}/voting",
        headers={"HX-Request": "true"},
        data={"voting": "open", "csrf_token": token},
    )
    html = reopened.get_data(as_text=True)
    assert reopened.headers["HX-Trigger"] == "poll-settings-changed"
    assert html.lstrip().startswith('<section id="controls"') and "Close voting" in html
    assert new_reader().stance("before", "open").status_code == 303


def test_bad_control_values_are_400s_that_change_nothing(app, author_client):
    token = csrf_of(author_client, DASHBOARD)
    assert (
        author_client.post(
            f"{DASHBOARD}/voting", data={"voting": "maybe", "csrf_token": token}
        ).status_code
        == 400
    )
    response = author_client.post(
        f"{DASHBOARD}/visibility", data={"visibility": "never", "csrf_token": token}
    )
    assert response.status_code == 400
    assert "visibility must be one of: always, after_vote, after_close" in response.get_data(
        as_text=True
    )
    assert author_client.post(f"{DASHBOARD}/voting", data={"voting": "closed"}).status_code == 400
    results = api_results(app.test_client())
    assert (results["voting_open"], results["results_visibility"]) == (True, "after_vote")


def test_choosing_when_readers_see_results(app, author_client):
    token = csrf_of(author_client, DASHBOARD)
    response = author_client.post(
        f"{DASHBOARD}/visibility",
        headers={"HX-Request": "true"},
        data={"visibility": "after_close", "csrf_token": token},
    )
    assert response.status_code == 200
    assert re.search(r'value="after_close"\s+checked', response.get_data(as_text=True))
    assert api_results(app.test_client())["results_hidden"] is True


def test_reset_confirms_with_the_debate_and_the_count_then_deletes_and_logs(
    app, author_client, new_reader, caplog
):
    cast_room(new_reader, 3)
    page = text_of(author_client.get(f"{DASHBOARD}/reset").get_data(as_text=True))
    assert "Reset the votes of “Open Source vs. Closed Source AI" in page
    assert "all 15 votes" in page and "Delete 15 votes" in page
    token = csrf_of(author_client, f"{DASHBOARD}/reset")
    wrong = author_client.post(f"{DASHBOARD}/reset", data={"confirm": "yes", "csrf_token": token})
    assert wrong.status_code == 400 and f"Type {SLUG} exactly" in wrong.get_data(as_text=True)
    assert api_results(app.test_client())["readers"] == 3

    with caplog.at_level(logging.WARNING, logger="debate.dashboard"):
        done = author_client.post(f"{DASHBOARD}/reset", data={"confirm": SLUG, "csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"] == DASHBOARD
    assert f"author@example.org reset the votes of {SLUG}: 15 votes deleted" in caplog.text
    assert "Deleted all 15 votes" in author_client.get(DASHBOARD).get_data(as_text=True)
    with app.app_context():
        for model in (Vote, DebateReader, Tally):
            assert db.session.scalar(db.select(db.func.count()).select_from(model)) == 0
        assert db.session.scalar(db.select(db.func.count()).select_from(DebateRow)) == 1
    results = api_results(app.test_client())
    assert results["readers"] == 0 and results["stance"]["before"]["closed"] == 0


def test_the_index_lists_the_authors_debates(author_client, new_reader):
    new_reader().stance("before", "open")
    text = text_of(author_client.get("/dashboard/").get_data(as_text=True))
    assert "Open Source vs. Closed Source AI" in text and "1 vote · voting open" in text


def test_done_when_an_author_from_the_command_line_runs_the_bundled_debate(app, runner, new_reader):
    """The issue's end to end: create, own, sign in, read, export, close."""
    from helpers import sign_in

    created = runner.invoke(
        args=["authors", "create", "essayist@example.org"],
        input="secret-password\nsecret-password\n",
    )
    assert created.exit_code == 0, created.output
    assert runner.invoke(args=["debates", "load", "--owner", "essayist@example.org"]).exit_code == 0
    cast_room(new_reader, 4)
    client = app.test_client()
    assert sign_in(client, "essayist@example.org", "secret-password").status_code == 303

    text = text_of(client.get(DASHBOARD).get_data(as_text=True))
    assert (
        "Too early to call : 4 readers answered both before and after reading; "
        "a winner is named from 10."
    ) in text
    assert re.search(
        r"Open source 0% 0 of 4 95% interval 0–49% 50% 2 of 4 95% interval "
        r"15–85% \+50 pts",
        text,
    )
    assert "Claims that changed minds" in text and "Claims both camps accept" in text

    exported = client.get(f"{DASHBOARD}/votes.csv").get_data(as_text=True)
    assert exported.count("\r\n") == 1 + 4 * 5

    token = csrf_of(client, DASHBOARD)
    client.post(f"{DASHBOARD}/voting", data={"voting": "closed", "csrf_token": token})
    assert api_results(app.test_client())["voting_open"] is False


def test_resets_are_recorded_and_listed(author_client, new_reader):
    new_reader().stance("before", "open")
    token = csrf_of(author_client, DASHBOARD)
    response = author_client.post(f"{DASHBOARD}/reset", data={"confirm": SLUG, "csrf_token": token})
    assert response.status_code == 303
    text = text_of(author_client.get(DASHBOARD).get_data(as_text=True))
    assert re.search(r"Resets [^:]+:\d\d UTC : author@example.org deleted 1 vote", text)


def test_an_authors_changes_are_rate_limited(app, author_client):
    app.extensions["debate_limits"].author_actions = __import__("limits").parse("3 per minute")
    token = csrf_of(author_client, DASHBOARD)
    statuses = [
        author_client.post(
            f"{DASHBOARD}/voting", data={"voting": "open", "csrf_token": token}
        ).status_code
        for _ in range(4)
    ]
    assert statuses == [303, 303, 303, 429]


def test_the_index_lists_readers_votes_state_and_the_last_vote(author_client, new_reader):
    reader = new_reader()
    reader.stance("before", "open")
    reader.vote_claim("customization", "agree")
    html = author_client.get("/dashboard/").get_data(as_text=True)
    assert re.search(
        r"1 reader · 2 votes · voting open · last vote \d+ \w+ \d{4}, \d\d:\d\d UTC", text_of(html)
    )
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', html)


def own_more_debates(app, *titles: str) -> None:
    """More debates for the author, copies of the bundled one under other slugs."""
    with app.app_context():
        owner = db.session.execute(db.select(DebateRow.owner_id).filter_by(slug=SLUG)).scalar()
        bundled = parse_file(bundled_path(SLUG))
        for title in titles:
            slug = title.lower().replace(" ", "-")
            save_debate(db.session, replace(bundled, slug=slug, title=title))
            db.session.execute(db.update(DebateRow).filter_by(slug=slug).values(owner_id=owner))
        db.session.commit()
        for title in titles:
            invalidate(title.lower().replace(" ", "-"), created=True)


def test_the_index_counts_every_debate_in_the_same_few_queries(app, author_client, new_reader):
    reader = new_reader()
    reader.stance("before", "open")
    author_client.get("/dashboard/")
    queries = count_queries(app)
    author_client.get("/dashboard/")
    with_one = len(queries)
    own_more_debates(app, "A quiet debate", "Another debate")
    with app.app_context():
        db.session.execute(
            db.update(DebateRow).filter_by(slug="a-quiet-debate").values(voting_open=False)
        )
        db.session.commit()
    queries.clear()
    text = text_of(author_client.get("/dashboard/").get_data(as_text=True))
    assert len(queries) == with_one, "the counts are grouped, not asked per debate"
    assert "A quiet debate 0 readers · 0 votes · voting closed · no votes yet" in text
    assert "Another debate 0 readers · 0 votes · voting open · no votes yet" in text
    assert re.search(r"Define the Next Decade 1 reader · 1 vote · voting open · last vote", text)
    assert any("GROUP BY" in query for query in queries)


def test_an_author_with_no_debate_is_told_what_to_do_not_a_server_command(app):
    add_author(app, "new@example.org", "a long enough password", owns=None)
    client = app.test_client()
    sign_in(client, "new@example.org", "a long enough password")
    text = text_of(client.get("/dashboard/").get_data(as_text=True))
    assert "You have no debate here yet" in text and "new@example.org" in text
    assert "flask" not in text and "--owner" not in text


def test_the_dashboard_pages_have_a_meta_description(author_client):
    index = author_client.get("/dashboard/").get_data(as_text=True).split("</head>")[0]
    assert '<meta name="description" content="Your debates: readers, votes' in index
    page = author_client.get(DASHBOARD).get_data(as_text=True).split("</head>")[0]
    assert re.search(r'<meta name="description" content="Readers, votes .*Open Source', page)
