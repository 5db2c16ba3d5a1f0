"""Who may embed a debate: the entries an author may list, and what they match."""

import pytest

from debate.core.content import ContentError, bundled_path, parse_text
from debate.core.embedding import MAX_SITES, SiteError, parse_site, parse_sites, site_allows
from helpers import make_debate


def test_sites_are_read_normalised_and_without_repeats():
    text = "https://Blog.Example.com/\nhttps://*.example.org, https://blog.example.com  http://127.0.0.2:8080"
    assert parse_sites(text) == (
        "https://blog.example.com",
        "https://*.example.org",
        "http://127.0.0.2:8080",
    )


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("*", "choose any site"),
        ("'self'", "choose any site"),
        ("blog.example.com", "start it with https://"),
        ("https://blog.example.com/essays", "list the site alone, as https://blog.example.com"),
        ("https://blog.example.com?x=1", "list the site alone, as https://blog.example.com"),
        ("http://blog.example.com", "use https://"),
        ("https://*.com", "too broad"),
        ("https://blog.example.com:0", "between 1 and 65535"),
        ("https://blog.example.com:99999", "between 1 and 65535"),
        ("https://blog.exa mple.com", "without a path"),
        ("https://-bad-.example.com", "without a path"),
        ("https://user@blog.example.com", "without a path"),
        ("javascript:alert(1)", "start it with https://"),
        ("https://blög.example.com", "xn-- "),
    ],
)
def test_anything_but_a_site_is_refused_with_the_reason(entry, reason):
    with pytest.raises(SiteError, match=reason) as refused:
        parse_site(entry)
    assert entry[:20] in str(refused.value)


def test_an_empty_list_or_too_many_sites_are_refused():
    with pytest.raises(SiteError, match="at least one site"):
        parse_sites(" \n ,")
    many = " ".join(f"https://s{n}.example.com" for n in range(MAX_SITES + 1))
    with pytest.raises(SiteError, match=f"at most {MAX_SITES}"):
        parse_sites(many)


BLOG = "https://blog.example.com"


@pytest.mark.parametrize(
    ("listed", "origin", "allowed"),
    [
        *[(BLOG, origin, True) for origin in (BLOG, BLOG + ":443", "https://BLOG.example.com")],
        *[
            (BLOG, origin, False)
            for origin in (
                "http://blog.example.com",
                BLOG + ":8443",
                "https://evil.example.com",
                BLOG + ".evil.org",
                "null",
            )
        ],
        ("https://*.example.com", "https://a.b.example.com", True),
        ("https://*.example.com", "https://example.com", False),
        ("https://*.example.com", "https://notexample.com", False),
        ("http://127.0.0.2:8080", "http://127.0.0.2:8080", True),
    ],
)
def test_a_listed_site_matches_as_frame_ancestors_would(listed, origin, allowed):
    assert site_allows(listed, origin) is allowed


def test_the_read_model_names_its_frame_ancestors():
    listed = ("https://blog.example.com", "https://*.example.org")
    anyone = make_debate(embed_allowed_sites=listed)
    assert anyone.frame_ancestors == "*"
    assert anyone.allows_embedding_site("https://elsewhere.net")
    only = make_debate(embed_any_site=False, embed_allowed_sites=listed)
    assert only.frame_ancestors == "'self' https://blog.example.com https://*.example.org"
    assert only.allows_embedding_site("https://news.example.org")
    assert not only.allows_embedding_site("https://elsewhere.net")


def _with_embed(front_matter: str) -> str:
    return bundled_path("open-vs-closed-ai").read_text().replace("question:", front_matter, 1)


def test_a_content_file_lists_sites_by_the_same_rule():
    text = _with_embed("embed:\n  allowed_sites: [https://Blog.Example.com/]\nquestion:")
    debate = parse_text(text)
    assert (debate.embed_any_site, debate.embed_allowed_sites) == (
        False,
        ("https://blog.example.com",),
    )
    assert parse_text(_with_embed("question:")).embed_any_site is True
    with pytest.raises(ContentError, match=r"embed\.allowed_sites\[0\].*use https://"):
        parse_text(_with_embed("embed:\n  allowed_sites: [http://blog.example.com]\nquestion:"))
