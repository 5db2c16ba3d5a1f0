"""Past its network's budget of new readers, a new reader proves work (ALTCHA)
before their first vote counts; within it, and for readers already counted,
nothing changes. The attacker's minute from one address is here too."""

import base64
import json
import secrets

import altcha
import pytest

from debate.readers.proof import new_challenge
from helpers import (
    SLUG,
    Reader,
    api_results,
    make_app,
    reset_database,
    solved_proof,
    workers_sharing_redis,
)

BUDGET = 5
CHALLENGE = f"/debates/{SLUG}/new-reader-challenge"
ENOUGH_WORK_FOR_A_TEST = {"NEW_READER_PROOF_ATTEMPTS": 40, "NEW_READER_PROOF_COST": 200}


@pytest.fixture
def budget_app(database_uri):
    """Five new readers per network, and proofs cheap enough for a test to solve."""
    app = make_app(
        database_uri, NEW_READERS_PER_NETWORK=f"{BUDGET} per hour", **ENOUGH_WORK_FOR_A_TEST
    )
    reset_database(app)
    return app


def readers_counted(app) -> int:
    return api_results(app.test_client())["readers"]


def use_up_the_budget(app) -> list[Reader]:
    readers = [Reader(app.test_client()) for _ in range(BUDGET)]
    assert [r.stance("before", "open").status_code for r in readers] == [303] * BUDGET
    return readers


def test_within_the_budget_no_proof_is_asked_and_votes_are_as_before(budget_app):
    reader = Reader(budget_app.test_client())
    page = reader.open().get_data(as_text=True)
    assert 'name="altcha"' not in page  # a page without JavaScript posts what it always did
    assert reader.client.get(CHALLENGE).status_code == 204
    assert reader.vote_claim("customization", "agree").status_code == 303
    assert readers_counted(budget_app) == 1


def test_past_the_budget_a_new_reader_is_asked_for_a_proof_and_others_are_not(budget_app):
    first, *_ = use_up_the_budget(budget_app)
    newcomer = Reader(budget_app.test_client())
    response = newcomer.client.get(CHALLENGE)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    parameters = response.get_json()["parameters"]
    assert parameters["algorithm"] == "PBKDF2/SHA-256" and parameters["cost"] == 200
    assert first.client.get(CHALLENGE).status_code == 204  # a counted reader needs none
    assert first.vote_claim("customization", "agree").status_code == 303


def test_without_javascript_a_reader_past_the_budget_is_told_to_try_again_later(budget_app):
    use_up_the_budget(budget_app)
    refused = Reader(budget_app.test_client()).stance("before", "open")
    assert refused.status_code == 429
    assert "Please try again later." in refused.get_data(as_text=True)
    assert readers_counted(budget_app) == BUDGET


def test_a_solved_proof_admits_exactly_one_reader_once(budget_app):
    use_up_the_budget(budget_app)
    solver = Reader(budget_app.test_client())
    proof = solved_proof(solver.client)
    assert solver.post("/stance", {"phase": "before", "side": "open", "altcha": proof}).status_code
    assert readers_counted(budget_app) == BUDGET + 1
    # The same solution, sent for another reader (a replay), is spent.
    other = Reader(budget_app.test_client())
    replay = other.post("/stance", {"phase": "before", "side": "open", "altcha": proof})
    assert replay.status_code == 429
    assert readers_counted(budget_app) == BUDGET + 1
    # The reader it admitted votes on as a counted reader, proof or none.
    assert solver.vote_claim("customization", "agree").status_code == 303


def _tampered(proof: str, change) -> str:
    payload = json.loads(base64.b64decode(proof))
    change(payload)
    return base64.b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "forge",
    [
        lambda proof: "not base64 at all %%%",
        lambda proof: base64.b64encode(b'{"challenge": 1}').decode(),
        lambda proof: _tampered(proof, lambda p: p["challenge"]["parameters"].update(cost=1)),
        lambda proof: _tampered(proof, lambda p: p["solution"].update(derivedKey="00" * 32)),
        lambda proof: _tampered(proof, lambda p: p["challenge"].update(signature="ab" * 32)),
    ],
    ids=["garbage", "no-parameters", "cheaper-cost", "wrong-key", "made-up-signature"],
)
def test_a_forged_proof_admits_nobody_and_is_a_clear_refusal(budget_app, forge):
    use_up_the_budget(budget_app)
    reader = Reader(budget_app.test_client())
    forged = forge(solved_proof(reader.client))
    refused = reader.post("/stance", {"phase": "before", "side": "open", "altcha": forged})
    assert refused.status_code == 429
    assert "Please try again later." in refused.get_data(as_text=True)
    assert readers_counted(budget_app) == BUDGET


def test_an_expired_proof_admits_nobody(database_uri):
    app = make_app(
        database_uri,
        NEW_READERS_PER_NETWORK="1 per hour",
        NEW_READER_PROOF_SECONDS=-1,
        **ENOUGH_WORK_FOR_A_TEST,
    )
    reset_database(app)
    assert Reader(app.test_client()).stance("before", "open").status_code == 303
    late = Reader(app.test_client())
    proof = solved_proof(late.client)
    assert late.post("/stance", {"phase": "before", "side": "open", "altcha": proof}).status_code
    assert readers_counted(app) == 1


def test_the_default_proof_costs_about_a_thousand_derivations_of_5000_iterations(
    database_uri,
):
    """The work a script pays per new reader past the budget (about a second of one
    core: README, Integrity); a solver must walk every counter up to the one the
    server chose."""
    app = make_app(database_uri)
    with app.test_request_context():
        challenge = altcha.Challenge.from_dict(new_challenge())
    assert challenge.parameters.cost == 5000
    solution = altcha.solve_challenge(challenge)
    assert solution is not None and 501 <= solution.counter <= 1500


def test_the_attacker_s_minute_from_one_address_counts_the_budget_plus_one_per_proof(
    budget_app,
):
    """One address (and one IPv6 /64) tries every trick for its minute: dropping the
    cookie, made-up cookies, one token replayed, floods of refused requests, a made-up
    X-Forwarded-For, every address of its /64, forged and replayed proofs. The budget's
    window is an hour, so the minute's requests are sent as fast as the test client
    goes: what counts is how many, not how slowly. At most the budget of new readers
    per network is counted, plus exactly one per proof the attacker actually solved."""
    v4 = {"REMOTE_ADDR": "203.0.113.7"}
    statuses: list[int] = []

    def attacker(environ: dict) -> Reader:
        reader = Reader(budget_app.test_client())
        reader.client.environ_base.update(environ)
        return reader

    def v6() -> dict:
        return {"REMOTE_ADDR": f"2001:db8:1:2:{secrets.randbelow(65536):x}::{secrets.randbelow(9)}"}

    replayed = attacker(v4)
    replayed.open()
    for round_ in range(40):
        # A fresh browser each time, from the address and from its /64.
        statuses.append(attacker(v4).stance("before", "open").status_code)
        statuses.append(attacker(v6()).stance("before", "closed").status_code)
        # A genuine token with a cookie the server never signed: the cookie names nobody.
        forged = attacker(v4)
        forged.client.set_cookie("debate_reader", secrets.token_hex(16))
        statuses.append(forged.vote_claim("customization", "agree").status_code)
        # One token replayed by cookieless clients: one reader, whatever the count.
        replay = attacker(v4)
        statuses.append(
            replay.vote_claim("accountability", "agree", token=replayed.csrf).status_code
        )
        # Refused requests: no token, and a made-up forwarded address.
        for _ in range(5):
            statuses.append(
                attacker(v4).vote_claim("customization", "agree", csrf=False).status_code
            )
        spoofed = attacker(v4)
        xff = {"X-Forwarded-For": f"198.51.100.{round_}"}
        statuses.append(spoofed.stance("before", "open", headers=xff).status_code)
        # Asking for challenges and sending them unsolved, or solved by someone else.
        unsolved = attacker(v4)
        challenge = unsolved.client.get(CHALLENGE).get_json()
        fake = {"challenge": challenge, "solution": {"counter": 1, "derivedKey": "00" * 32}}
        payload = base64.b64encode(json.dumps(fake).encode()).decode()
        vote = {"phase": "before", "side": "open", "altcha": payload}
        statuses.append(unsolved.post("/stance", vote).status_code)
    assert readers_counted(budget_app) == 2 * BUDGET  # the address's and the /64's budgets
    assert statuses.count(500) == 0
    assert {400, 429} <= set(statuses)

    # Proofs actually solved: each admits exactly one reader, and only once.
    for solved in range(1, 4):
        solver = attacker(v4)
        proof = solved_proof(solver.client)
        vote = {"phase": "before", "side": "open", "altcha": proof}
        assert solver.post("/stance", vote).status_code == 303
        assert readers_counted(budget_app) == 2 * BUDGET + solved
        for _ in range(3):
            assert attacker(v4).post("/stance", vote).status_code == 429
            assert attacker(v6()).post("/stance", vote).status_code == 429
        assert readers_counted(budget_app) == 2 * BUDGET + solved


def test_a_proof_spent_in_one_worker_is_spent_in_every_other(database_uri):
    """With Redis, two app instances (two gunicorn workers, or two hosts) share the
    budget and the spent proofs: a solution used in one is refused by the other."""
    config = {"NEW_READERS_PER_NETWORK": "1 per hour", **ENOUGH_WORK_FOR_A_TEST}
    with workers_sharing_redis(database_uri, **config) as workers:
        first, second = workers.first, workers.second
        assert Reader(first.test_client()).stance("before", "open").status_code == 303
        solver = Reader(second.test_client())
        vote = {"phase": "before", "side": "open", "altcha": solved_proof(solver.client)}
        assert solver.post("/stance", vote).status_code == 303
        assert Reader(first.test_client()).post("/stance", vote).status_code == 429
        assert readers_counted(first) == 2
        assert len(workers.keys("*spent:proof:*")) == 1
