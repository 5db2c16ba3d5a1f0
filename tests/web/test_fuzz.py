"""Property-based bad input (Hypothesis) against every route: never a 500, a readable
message with every 4xx (a fragment for htmx), and no count changes without a 2xx/3xx."""

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import SLUG, Reader, api_results

ROUTES = [
    "/",
    f"/debates/{SLUG}",
    f"/debates/{SLUG}/results",
    f"/api/debates/{SLUG}/results",
    f"/debates/{SLUG}/claims/customization/vote",
    f"/debates/{SLUG}/question/vote",
    f"/debates/{SLUG}/stance",
    f"/embed/{SLUG}",
    f"/embed/{SLUG}/question",
    f"/embed/{SLUG}/claims/accountability",
    f"/embed/{SLUG}/stance",
    f"/embed/{SLUG}/claims/customization/vote",
    f"/embed/{SLUG}/question/vote",
    "/oembed",
    "/static/debate.css",
    "/nope",
    "/debates/",
    "/embed/",
]
FIELD_NAMES = [
    "choice",
    "option",
    "phase",
    "side",
    "csrf_token",
    "reader_token",
    "view",
    "url",
    "format",
]
VALUES = st.one_of(
    st.sampled_from(
        [
            "agree",
            "disagree",
            "unsure",
            "open",
            "closed",
            "undecided",
            "before",
            "after",
            "coexistence",
            "",
            "claim:customization",
            "json",
            "xml",
        ]
    ),
    st.text(max_size=40),
    st.text(alphabet=string.printable, min_size=1000, max_size=3000),
)
PATH_NOISE = st.text(alphabet=string.ascii_letters + string.digits + "-_.%/~?&=#:", max_size=30)
HEADER_VALUES = st.text(alphabet=string.printable.replace("\n", "").replace("\r", ""), max_size=60)


def readable(response) -> bool:
    body = response.get_data(as_text=True)
    return len(body.strip()) > 20 and "Traceback" not in body


@pytest.fixture
def fuzz_client(app):
    return app.test_client()


@settings(
    max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    route=st.sampled_from(ROUTES),
    noise=st.one_of(st.just(""), PATH_NOISE),
    fields=st.dictionaries(st.sampled_from(FIELD_NAMES), VALUES, max_size=5),
    headers=st.dictionaries(
        st.sampled_from(
            [
                "HX-Request",
                "HX-History-Restore-Request",
                "Origin",
                "Sec-Fetch-Site",
                "X-CSRFToken",
                "If-None-Match",
                "X-Forwarded-For",
                "Content-Type",
                "Accept",
            ]
        ),
        HEADER_VALUES,
        max_size=4,
    ),
    encoding=st.sampled_from(["form", "json", "raw", "utf16", "none"]),
    use_token=st.booleans(),
)
def test_no_input_gives_a_500_or_changes_a_count_unless_accepted(
    app, fuzz_client, method, route, noise, fields, headers, encoding, use_token
):
    before = api_results(app.test_client())
    if use_token:
        reader = Reader(fuzz_client)
        reader.open()
        fields.setdefault("csrf_token", reader.csrf)
    kwargs = {}
    if encoding == "form":
        kwargs["data"] = fields
    elif encoding == "json":
        kwargs["json"] = fields
    elif encoding == "raw":
        kwargs["data"] = "&".join(f"{k}={v}" for k, v in fields.items()).encode(
            "latin-1", "replace"
        )
    elif encoding == "utf16":
        kwargs["data"] = str(fields).encode("utf-16")
        kwargs["content_type"] = "application/x-www-form-urlencoded; charset=utf-16"
    safe_headers = {k: v for k, v in headers.items() if k != "Content-Type" or encoding == "none"}
    response = fuzz_client.open(route + noise, method=method, headers=safe_headers, **kwargs)
    response.close()
    assert response.status_code < 500
    if 400 <= response.status_code < 500 and method != "HEAD":
        assert readable(response), response.get_data(as_text=True)[:200]
        wants_fragment = headers.get("HX-Request") == "true" and not headers.get(
            "HX-History-Restore-Request"
        )
        if wants_fragment and not route.startswith(("/api/", "/oembed")):
            assert "<html" not in response.get_data(as_text=True)
    if response.status_code >= 400 or method not in ("POST",):
        assert api_results(app.test_client()) == before


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    size=st.integers(min_value=16_385, max_value=400_000),
    route=st.sampled_from([r for r in ROUTES if "vote" in r or "stance" in r]),
)
def test_bodies_over_the_limit_are_413(app, fuzz_client, size, route):
    response = fuzz_client.post(route, data={"choice": "x" * size})
    assert response.status_code == 413
    assert "at most 16,384 bytes" in response.get_data(as_text=True)
    assert api_results(app.test_client())["readers"] == 0
