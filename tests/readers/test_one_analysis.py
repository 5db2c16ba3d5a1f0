"""One account of who persuaded whom: the panel, the API, the dashboard and the
exports say the same, to the digit, about one set of votes."""

import csv
import io
import random
import re

import pytest

from debate.cache.store import debate_or_404
from debate.core.analysis import analyse
from debate.core.debate import STANCE_SIDES
from debate.readers.pages import current_results
from debate.store.db import db
from debate.store.votes import vote_counts
from helpers import SLUG, Reader, add_author, api_results, sign_in


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
