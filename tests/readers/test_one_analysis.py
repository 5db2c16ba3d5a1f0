"""One account of who persuaded whom: the panel, the API, the dashboard and the
exports say the same, to the digit, about one set of votes, and again once the
author sets some aside and includes them again."""

import csv
import io
import random
import re
from datetime import datetime

import pytest

from debate.authors.dashboard import current_analysis
from debate.cache.store import debate_or_404
from debate.core.analysis import analyse
from debate.core.debate import STANCE_SIDES
from debate.readers.pages import current_results
from debate.store.db import db, utcnow
from debate.store.models import Exclusion, Vote
from debate.store.votes import vote_counts
from debate.web.limits import network_bucket
from helpers import OPTION_KEYS, SLUG, Reader, add_author, api_results, csrf_of, sign_in


@pytest.fixture
def voted_app(app):
    """Forty readers: most answer both stance questions, some change their answer."""
    rng = random.Random(11)
    for _ in range(40):
        reader = Reader(app.test_client())
        before = rng.choice(STANCE_SIDES)
        reader.stance("before", before)
        if rng.random() < 0.8:
            reader.stance("after", rng.choice(STANCE_SIDES))
            if rng.random() < 0.2:
                reader.stance("after", rng.choice(STANCE_SIDES))  # a change of mind
        if rng.random() < 0.2:
            reader.stance("before", rng.choice(STANCE_SIDES))
        reader.vote_claim("customization", rng.choice(("agree", "disagree", "unsure")))
    add_author(app)
    return app


def test_panel_api_dashboard_and_exports_agree(voted_app):
    with voted_app.test_request_context():
        debate = debate_or_404(SLUG)
        public = current_results(debate).swing
        counts = vote_counts(
            db.session, debate.id, [c.key for c in debate.claims], debate.option_keys
        )
        dashboard = analyse(debate, counts, voted_app.config["DASHBOARD_MIN_N"]).persuasion.swing
    assert public == dashboard
    assert public.paired > 0

    api = api_results(voted_app.test_client())["swing"]
    assert api["paired"] == public.paired and api["winner"] == public.winner
    flows = {(b, a): n for b, row in api["flows"].items() for a, n in row.items() if n}
    assert flows == public.flows
    for side, change in public.sides.items():
        assert api["sides"][side]["change"] == round(100 * change.change, 1)

    author = voted_app.test_client()
    assert sign_in(author).status_code == 303
    exported = csv.DictReader(
        io.StringIO(author.get(f"/dashboard/debates/{SLUG}/votes.csv").get_data(as_text=True))
    )
    stances: dict[str, dict[str, str]] = {}
    for row in exported:
        if row["item_kind"] == "stance":
            stances.setdefault(row["reader"], {})[row["item_key"]] = row["choice"]
    from_export: dict[tuple[str, str], int] = {}
    for answers in stances.values():
        if len(answers) == 2:
            key = (answers["before"], answers["after"])
            from_export[key] = from_export.get(key, 0) + 1
    assert from_export == public.flows

    panel = (
        voted_app.test_client()
        .get(f"/debates/{SLUG}/results", headers={"HX-Request": "true"})
        .get_data(as_text=True)
    )
    page = author.get(f"/dashboard/debates/{SLUG}").get_data(as_text=True)
    verdict = re.compile(r'<p class="verdict"[^>]*>(.*?)</p>', re.S)
    assert " ".join(verdict.search(panel).group(1).split()) == " ".join(
        verdict.search(page).group(1).split()
    )


NETWORKS = ["198.51.100.", "203.0.113.", "192.0.2."]


@pytest.fixture
def spread_app(app):
    """Forty readers from three networks, as in voted_app, each also answering the
    closing question."""
    rng = random.Random(5)
    for index in range(40):
        reader = Reader(app.test_client())
        address = {"environ_base": {"REMOTE_ADDR": NETWORKS[index % 3] + str(index + 1)}}
        reader.stance("before", rng.choice(STANCE_SIDES), **address)
        if rng.random() < 0.8:
            reader.stance("after", rng.choice(STANCE_SIDES), **address)
        reader.vote_claim("customization", rng.choice(("agree", "disagree")), **address)
        reader.answer(rng.choice(OPTION_KEYS), **address)
    add_author(app)
    return app


def every_outlet(app, author) -> dict:
    """What the panel, the API, the dashboard and the export say, checked equal to
    the digit; returns the figures they agree on."""
    with app.test_request_context():
        debate = debate_or_404(SLUG)
        public = current_results(debate)
    api = api_results(app.test_client())
    figures = {
        "readers": public.readers,
        "votes": public.votes,
        "set_aside": public.set_aside,
        "claim": public.claims["customization"].counts,
        "question": public.question.counts,
        "stance": {phase: dist.counts for phase, dist in public.stance.items()},
        "flows": public.flows,
    }
    assert api["readers"] == figures["readers"] and api["set_aside"] == figures["set_aside"]
    [claim] = [c for c in api["claims"] if c["key"] == "customization"]
    assert {choice: claim[choice] for choice in figures["claim"]} == figures["claim"]
    assert {o["key"]: o["votes"] for o in api["question"]["options"]} == figures["question"]
    assert api["stance"] == figures["stance"]
    api_flows = {(b, a): n for b, row in api["swing"]["flows"].items() for a, n in row.items()}
    assert {flow: n for flow, n in api_flows.items() if n} == figures["flows"]

    page = author.get(f"/dashboard/debates/{SLUG}").get_data(as_text=True)
    assert f'id="headline-readers">{figures["readers"]}<' in page
    assert f'id="headline-votes">{figures["votes"]}<' in page
    with app.test_request_context():
        analysis = current_analysis(debate_or_404(SLUG)).analysis
    assert analysis.persuasion.swing == public.swing
    assert analysis.set_aside == figures["set_aside"]
    overall = analysis.question.overall
    assert {key: share.count for key, share in overall.items()} == figures["question"]

    exported = list(
        csv.DictReader(
            io.StringIO(author.get(f"/dashboard/debates/{SLUG}/votes.csv").get_data(as_text=True))
        )
    )
    standing = [row for row in exported if row["set_aside"] == "False"]
    assert len(exported) - len(standing) == figures["set_aside"]
    assert len({row["reader"] for row in standing}) == figures["readers"]
    assert len(standing) == figures["votes"]
    stances: dict[str, dict[str, str]] = {}
    question: dict[str, int] = dict.fromkeys(OPTION_KEYS, 0)
    for row in standing:
        if row["item_kind"] == "stance":
            stances.setdefault(row["reader"], {})[row["item_key"]] = row["choice"]
        if row["item_kind"] == "question":
            question[row["choice"]] += 1
    assert question == figures["question"]
    flows: dict[tuple[str, str], int] = {}
    for answers in stances.values():
        if len(answers) == 2:
            key = (answers["before"], answers["after"])
            flows[key] = flows.get(key, 0) + 1
    assert flows == figures["flows"]
    return figures


def test_setting_aside_and_including_again_recomputes_every_outlet(spread_app):
    author = spread_app.test_client()
    assert sign_in(author).status_code == 303
    before = every_outlet(spread_app, author)
    assert before["set_aside"] == 0 and before["readers"] == 40

    dashboard = f"/dashboard/debates/{SLUG}"
    bucket = network_bucket(NETWORKS[1] + "1", spread_app.secret_key, utcnow().date())
    token = csrf_of(author, dashboard)
    form = {"kind": "network", "value": bucket, "csrf_token": token}
    assert author.post(f"{dashboard}/exclusions", data=form).status_code == 303
    aside = every_outlet(spread_app, author)
    # A third of the readers (13 of 40), every vote of theirs, and only theirs.
    assert aside["readers"] == 40 - 13
    assert aside["set_aside"] == before["votes"] - aside["votes"] > 0
    assert aside["flows"] != before["flows"]
    panel = spread_app.test_client().get(f"/debates/{SLUG}/results", headers={"HX-Request": "true"})
    assert f"{aside['set_aside']} votes set aside by the author." in panel.get_data(as_text=True)

    with spread_app.app_context():
        [exclusion_id] = db.session.scalars(db.select(Exclusion.id)).all()
    include = f"{dashboard}/exclusions/{exclusion_id}/include"
    assert author.post(include, data={"csrf_token": token}).status_code == 303
    assert every_outlet(spread_app, author) == before
    panel = spread_app.test_client().get(f"/debates/{SLUG}/results", headers={"HX-Request": "true"})
    assert "set aside" not in panel.get_data(as_text=True)


def test_a_window_or_a_site_set_aside_leaves_a_readers_other_votes_counted(spread_app):
    """A reader one of whose stance answers is set aside counts, but not in the flows."""
    author = spread_app.test_client()
    assert sign_in(author).status_code == 303
    before = every_outlet(spread_app, author)
    with spread_app.app_context():
        # Every closing answer and every "after" stance, as if cast in another hour.
        db.session.execute(
            db.update(Vote)
            .where((Vote.kind == "question") | (Vote.item_key == "after"))
            .values(cast_hour=datetime(2026, 1, 1, 10))
        )
        db.session.commit()
    token = csrf_of(author, f"/dashboard/debates/{SLUG}")
    window = {"kind": "window", "starts": "2026-01-01T10:00", "ends": "2026-01-01T11:00"}
    response = author.post(
        f"/dashboard/debates/{SLUG}/exclusions", data={**window, "csrf_token": token}
    )
    assert response.status_code == 303
    aside = every_outlet(spread_app, author)
    assert aside["readers"] == before["readers"]
    assert aside["flows"] == {} and sum(aside["question"].values()) == 0
    assert aside["stance"]["before"] == before["stance"]["before"]
    assert aside["claim"] == before["claim"]
