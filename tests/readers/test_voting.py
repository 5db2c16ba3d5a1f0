"""The three vote endpoints on both paths, and every bad input."""

import pytest

from helpers import CSRF_META, SLUG, VOTE_TOKEN, Reader, api_results, update_debate

VOTES = [
    (
        "claim",
        lambda r, **kw: r.vote_claim("customization", "agree", **kw),
        "#claim-customization",
        '<article id="claim-customization"',
    ),
    (
        "question",
        lambda r, **kw: r.answer("coexistence", **kw),
        "#question",
        '<section id="question"',
    ),
    (
        "stance",
        lambda r, **kw: r.stance("before", "open", **kw),
        "#stance-before",
        '<section id="stance-before"',
    ),
]


@pytest.mark.parametrize(("kind", "vote", "anchor", "root"), VOTES)
def test_plain_post_redirects_back_to_the_item(reader, kind, vote, anchor, root):
    response = vote(reader)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/debates/{SLUG}{anchor}"
    page = reader.client.get(f"/debates/{SLUG}").get_data(as_text=True)
    item = page[page.index(root) :]
    assert 'aria-pressed="true"' in item[: item.index("</form>")]
    assert "You chose" in item or "Your answer is recorded" in item


@pytest.mark.parametrize(("kind", "vote", "anchor", "root"), VOTES)
def test_htmx_post_answers_with_the_items_partial_alone(reader, kind, vote, anchor, root):
    response = vote(reader, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(root)
    assert response.headers["HX-Trigger"] == "vote-recorded"
    assert "1 vote" in html


def test_claim_card_shows_counts_percentages_and_own_choice(new_reader):
    for choice in ("agree", "agree", "disagree"):
        new_reader().vote_claim("accountability", choice)
    html = new_reader().vote_claim("accountability", "unsure", htmx=True).get_data(as_text=True)
    assert "You chose <strong>not sure</strong>" in html
    assert "50% of 4 votes agree" in html
    assert '50% <span class="bar-count">(2)</span>' in html
    assert html.count('aria-pressed="true"') == 1


def test_reader_cookie_is_http_only_and_secure_over_https(client, reader):
    response = reader.vote_claim("customization", "agree")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("debate_reader=") and "HttpOnly" in cookie
    assert "Secure" not in cookie
    https = {"base_url": "https://localhost", "headers": {"Referer": "https://localhost/"}}
    page = client.get(f"/debates/{SLUG}", **https)
    assert "Set-Cookie" not in page.headers
    token = CSRF_META.search(page.get_data(as_text=True)).group(1)
    secure = client.post(
        f"/debates/{SLUG}/claims/customization/vote",
        data={"choice": "agree", "csrf_token": token},
        **https,
    )
    assert secure.status_code == 303
    cookie = secure.headers["Set-Cookie"]
    assert cookie.startswith("__Host-debate_reader=") and "Secure" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie


def test_voting_again_changes_the_vote_and_counts_stay_exact(reader, new_reader):
    reader.vote_claim("customization", "agree")
    reader.vote_claim("customization", "disagree")
    reader.vote_claim("customization", "disagree")
    new_reader().vote_claim("customization", "agree")
    reader.stance("before", "open")
    reader.stance("before", "closed")
    reader.stance("after", "closed")
    reader.answer("open-matches")
    reader.answer("not-sure")
    results = api_results(reader.client)
    claim = next(c for c in results["claims"] if c["key"] == "customization")
    assert (claim["agree"], claim["disagree"], claim["unsure"], claim["total"]) == (1, 1, 0, 2)
    assert results["stance"] == {
        "before": {"open": 0, "closed": 1, "undecided": 0},
        "after": {"open": 0, "closed": 1, "undecided": 0},
    }
    assert {o["key"]: o["votes"] for o in results["question"]["options"]}["not-sure"] == 1
    assert results["question"]["total"] == 1
    assert results["readers"] == 2


BAD_INPUT = [
    ("/claims/no-such-claim/vote", {"choice": "agree"}, 404, "no such claim"),
    ("/claims/customization/vote", {"choice": "love"}, 400, "agree, disagree, unsure"),
    ("/claims/customization/vote", {}, 400, "agree, disagree, unsure"),
    ("/question/vote", {"option": "no-such-option"}, 404, "no such option"),
    ("/question/vote", {}, 400, "open-matches, closed-keeps-edge, coexistence, not-sure"),
    ("/stance", {"phase": "during", "side": "open"}, 400, "before, after"),
    ("/stance", {"phase": "before", "side": "both"}, 400, "open, closed, undecided"),
    ("/stance", {"side": "open"}, 400, "before, after"),
]


@pytest.mark.parametrize(("path", "data", "status", "message"), BAD_INPUT)
@pytest.mark.parametrize("htmx", [False, True])
def test_bad_input_is_refused_with_a_message_and_counts_nothing(
    reader, path, data, status, message, htmx
):
    before = api_results(reader.client)
    response = reader.post(path, data, htmx=htmx)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    if htmx:
        assert "<html" not in html
        assert response.headers["HX-Retarget"] == "#flash"
    else:
        assert "<html" in html
    assert api_results(reader.client) == before
    assert (
        "Set-Cookie" not in response.headers
        or "debate_reader" not in response.headers["Set-Cookie"]
    )


def test_unknown_debate_vote_is_404(reader):
    reader.open()
    response = reader.client.post(
        "/debates/nope/stance",
        headers=reader.says_origin,
        data={"phase": "before", "side": "open", "csrf_token": reader.csrf},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("htmx", [False, True])
def test_missing_or_wrong_csrf_token_is_a_readable_400(reader, htmx):
    reader.open()
    missing = reader.post("/stance", {"phase": "before", "side": "open"}, htmx=htmx, csrf=False)
    reader.csrf = "not-a-token"
    wrong = reader.post("/stance", {"phase": "before", "side": "open"}, htmx=htmx)
    for response in (missing, wrong):
        assert response.status_code == 400
        assert "Reload the page and try again" in response.get_data(as_text=True)
    assert api_results(reader.client)["stance"]["before"]["open"] == 0


def test_csrf_token_in_the_header_is_accepted(reader):
    reader.open()
    response = reader.client.post(
        f"/debates/{SLUG}/stance",
        data={"phase": "after", "side": "closed"},
        headers={**reader.says_origin, "HX-Request": "true", "X-CSRFToken": reader.csrf},
    )
    assert response.status_code == 200


@pytest.mark.parametrize("htmx", [False, True])
def test_voting_on_a_closed_debate_is_403(app, reader, htmx):
    update_debate(app, voting_open=False)
    page = reader.open().get_data(as_text=True)
    assert page.count("Voting on this debate is closed") == 1, "one banner, at the top"
    assert page.count('<fieldset disabled aria-describedby="voting-closed">') == 10
    response = reader.vote_claim("customization", "agree", htmx=htmx)
    assert response.status_code == 403
    assert "Voting on this debate is closed" in response.get_data(as_text=True)
    assert api_results(reader.client)["readers"] == 0


def test_get_on_a_vote_url_is_405_with_a_page(client):
    response = client.get(f"/debates/{SLUG}/stance")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "<html" in response.get_data(as_text=True)


def test_votes_sent_before_the_cookie_arrives_belong_to_the_pages_reader(reader):
    page = reader.open().get_data(as_text=True)
    tokens = set(VOTE_TOKEN.findall(page)) | set(CSRF_META.findall(page))
    assert len(tokens) == 1, "every form on a page votes as one reader"
    first = reader.vote_claim("customization", "agree")
    cookie = first.headers["Set-Cookie"]
    reader.client.delete_cookie("debate_reader")  # the second click left before the answer
    second = reader.vote_claim("accountability", "agree", token=tokens.pop())
    assert second.headers["Set-Cookie"].split(";")[0] == cookie.split(";")[0]
    assert api_results(reader.client)["readers"] == 1


def test_a_page_needs_no_session(client):
    response = client.get(f"/debates/{SLUG}")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" not in response.headers.get("Vary", "")


def test_a_tab_opened_before_the_first_vote_elsewhere_must_be_reloaded(client):
    """Two tabs opened before the first vote carry different readers' tokens; once
    the first vote set the cookie, the second tab's token names another reader than
    the cookie: its vote is refused, readably, until it is reloaded."""
    first_tab, second_tab = Reader(client), Reader(client)
    first_tab.open(), second_tab.open()
    assert first_tab.vote_claim("customization", "agree").status_code == 303
    refused = second_tab.vote_claim("accountability", "agree")
    assert refused.status_code == 400
    assert "Reload the page to vote" in refused.get_data(as_text=True)
    second_tab.open()
    assert second_tab.vote_claim("accountability", "agree").status_code == 303
    assert api_results(client)["readers"] == 1


def test_made_up_cookies_name_nobody(app):
    """One genuine token and a made-up reader cookie per request: the cookies are
    not the server's, so every vote is the token's reader's."""
    token_holder = Reader(app.test_client())
    token_holder.open()
    for number in range(20):
        client = app.test_client()
        client.set_cookie("debate_reader", f"{number:032x}")
        response = client.post(
            f"/debates/{SLUG}/claims/customization/vote",
            data={"choice": "agree", "csrf_token": token_holder.csrf},
            headers=token_holder.says_origin,
        )
        assert response.status_code == 303
    assert api_results(app.test_client())["readers"] == 1


def test_an_old_browser_must_send_a_referer_of_this_site(client):
    """A browser that sends neither Sec-Fetch-Site nor Origin: a Referer of this
    site will do; without one, or with another site's, the vote is refused."""
    reader = Reader(client)
    reader.says_origin = {}
    assert reader.vote_claim("customization", "agree").status_code == 400
    elsewhere = {"Referer": "http://evil.example/page"}
    assert reader.vote_claim("customization", "agree", headers=elsewhere).status_code == 400
    here = {"Referer": f"http://localhost/debates/{SLUG}"}
    assert reader.vote_claim("customization", "agree", headers=here).status_code == 303
    assert api_results(client)["readers"] == 1


def test_an_old_browser_cannot_vote_with_another_readers_token(app, client):
    """Without fetch metadata, another reader's token cannot vote in the name of
    the reader this browser's cookie names."""
    me, stranger = Reader(client), Reader(app.test_client())
    me.vote_claim("customization", "agree")
    stranger.open()
    me.says_origin = {"Referer": f"http://localhost/debates/{SLUG}"}
    response = me.vote_claim("accountability", "agree", token=stranger.csrf)
    assert response.status_code == 400
    claims = {claim["key"]: claim for claim in api_results(client)["claims"]}
    assert claims["accountability"]["agree"] == 0
