"""The public JSON results API."""

from helpers import CLAIM_KEYS, SLUG, api_results


def test_results_json_has_the_documented_shape(client, new_reader):
    alice, bob = new_reader(), new_reader()
    alice.vote_claim("customization", "agree")
    bob.vote_claim("customization", "unsure")
    alice.answer("coexistence")
    alice.stance("before", "undecided")
    alice.stance("after", "open")
    results = api_results(client)
    assert set(results) == {
        "slug",
        "title",
        "voting_open",
        "results_visibility",
        "results_hidden",
        "readers",
        "set_aside",
        "claims",
        "question",
        "stance",
        "swing",
    }
    assert results["slug"] == SLUG
    assert results["voting_open"] is True
    assert (results["results_visibility"], results["results_hidden"]) == ("after_vote", False)
    assert results["readers"] == 2
    assert results["set_aside"] == 0
    assert [c["key"] for c in results["claims"]] == CLAIM_KEYS
    customization = results["claims"][3]
    assert customization == {
        "key": "customization",
        "side": "open",
        "title": "Customization",
        "agree": 1,
        "disagree": 0,
        "unsure": 1,
        "total": 2,
    }
    assert results["question"]["text"].startswith("Do you think open source AI")
    assert results["question"]["options"][2] == {
        "key": "coexistence",
        "label": results["question"]["options"][2]["label"],
        "votes": 1,
    }
    assert results["question"]["total"] == 1
    assert results["stance"] == {
        "before": {"open": 0, "closed": 0, "undecided": 1},
        "after": {"open": 1, "closed": 0, "undecided": 0},
    }
    swing = results["swing"]
    assert (swing["paired"], swing["winner"]) == (1, None)
    assert swing["flows"]["undecided"] == {"open": 1, "closed": 0, "undecided": 0}
    assert swing["sides"]["open"]["before"] == 0 and swing["sides"]["open"]["after"] == 100
    assert swing["sides"]["open"]["change"] == 100.0
    assert swing["sides"]["open"]["low"] < 100.0 <= swing["sides"]["open"]["high"]


def test_unknown_debate_is_404(client):
    response = client.get("/api/debates/nope/results")
    assert response.status_code == 404
    assert response.get_json()["message"] == "There is no debate at this address."
