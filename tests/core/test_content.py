"""The content file: the bundled essay, and malformed or hostile files."""

from html.parser import HTMLParser

import pytest

from debate.core.content import ContentError, bundled_path, parse_file, parse_text

BUNDLED = bundled_path("open-vs-closed-ai")

GOOD = """---
slug: tiny
title: Tiny debate
lede: Two short cases.
question:
  text: Who wins?
  options:
    - {key: a, label: A}
    - {key: b, label: B}
---
Context.

## For open {side=open}

### Open claim {claim=open-one}
Open text.

## For closed {side=closed}

### Closed claim {claim=closed-one}
Closed text.

## The end
Conclusion.
"""


def test_bundled_essay_has_both_cases_and_their_claims():
    content = parse_file(BUNDLED)
    assert content.slug == "open-vs-closed-ai"
    assert content.title.startswith("Open Source vs. Closed Source AI")
    keys = {claim.side: [] for claim in content.claims}
    for claim in content.claims:
        keys[claim.side].append(claim.key)
    assert keys["open"] == [
        "compounding-innovation",
        "transparency-and-trust",
        "cost-and-accessibility",
        "customization",
    ]
    assert keys["closed"] == ["safety-and-alignment", "quality-and-reliability", "accountability"]
    assert [o.key for o in content.options] == [
        "open-matches",
        "closed-keeps-edge",
        "coexistence",
        "not-sure",
    ]
    assert "hold the edge" in content.question_text


def test_bundled_essay_keeps_the_essays_wording_for_claims():
    claim = next(c for c in parse_file(BUNDLED).claims if c.key == "accountability")
    assert claim.text_html.startswith("<p><strong>Accountability</strong> is also clearer")
    assert "diffuse and murky" in claim.text_html


def test_bundled_essay_leaves_out_the_drafting_assistant():
    raw = BUNDLED.read_text()
    for chatter in (
        "Search isn't returning results",
        "Here's the full draft",
        "Pretty happy with how that came together",
        "1,300 words",
        "publish this",
        "Drop your thoughts in the comments",
    ):
        assert chatter not in raw


def test_sections_are_split_into_context_cases_and_the_rest():
    content = parse_text(GOOD)
    assert content.context_html == "<p>Context.</p>\n"
    assert [s.title for s in content.sides] == ["For open", "For closed"]
    assert content.conclusion_html.startswith("<h2>The end</h2>")
    assert [c.key for c in content.claims] == ["open-one", "closed-one"]


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        (lambda t: t.replace("---\nslug", "slug", 1), "line 1", "must start with '---'"),
        (lambda t: t.replace("title: Tiny debate", "title: [unclosed"), "line 4", "invalid YAML"),
        (lambda t: t.replace("slug: tiny\n", ""), "field 'slug'", "is missing"),
        (lambda t: t.replace("slug: tiny", "slug: Not A Slug"), "field 'slug'", "lowercase"),
        (lambda t: t.replace("lede: Two short cases.", "lede: ''"), "field 'lede'", "non-empty"),
        (
            lambda t: t.replace("    - {key: b, label: B}\n", ""),
            "field 'question.options'",
            "two options",
        ),
        (
            lambda t: t.replace("{key: b,", "{key: a,"),
            "field 'question.options[1].key'",
            "used twice",
        ),
        (
            lambda t: t.replace("{key: b, label: B}", "{key: b}"),
            "field 'question.options[1].label'",
            "is missing",
        ),
        (lambda t: t.replace("{side=closed}", "{side=middle}"), "line 18", "side must be one of"),
        (lambda t: t.replace("{side=closed}", "{side=open}"), "line 18", "appears twice"),
        (lambda t: t.replace("{claim=closed-one}", "{claim=open-one}"), "line 20", "used twice"),
        (lambda t: t.replace("{claim=closed-one}", "{claim=Bad_Key}"), "line 20", "claim key"),
        (lambda t: t.replace("Closed text.", ""), "line 20", "has no text"),
        (lambda t: t.replace("Context.", "### Early {claim=early}\nx"), "line 11", "inside a case"),
        (lambda t: t.split("## For closed")[0], "body", "needs both cases"),
        (
            lambda t: t.replace("### Closed claim {claim=closed-one}\nClosed text.", ""),
            "line 18",
            "has no claims",
        ),
        (lambda t: t.replace("{side=closed}", "{colour=red}"), "line 18", "unknown heading marker"),
        (lambda t: t + "\n## Late {side=closed}\n", "line 26", "before the rest"),
    ],
)
def test_malformed_files_name_where_and_what(change, where, problem):
    with pytest.raises(ContentError) as caught:
        parse_text(change(GOOD), "essay.md")
    assert caught.value.path == "essay.md"
    assert caught.value.where == where
    assert problem in caught.value.problem
    assert str(caught.value).startswith(f"essay.md: {where}: ")


def test_file_problems_name_the_file(tmp_path):
    missing = tmp_path / "missing.md"
    with pytest.raises(ContentError, match="missing.md: file: cannot be read"):
        parse_file(missing)
    latin = tmp_path / "latin.md"
    latin.write_bytes(GOOD.replace("Context.", "Caf\xe9").encode("latin-1"))
    with pytest.raises(ContentError, match="latin.md: file: is not UTF-8"):
        parse_file(latin)


def test_hostile_markup_is_sanitized():
    hostile = GOOD.replace(
        "Context.",
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) and [ok](https://example.org)\n\n" + "x" * 100_000,
    ).replace("Open text.", '<a href="#" onclick="alert(4)">hi</a> **bold**')
    content = parse_text(hostile)
    html = content.context_html + content.claims[0].text_html
    elements = ElementCollector.of(html)
    assert not {"script", "img", "iframe", "style"} & {tag for tag, _ in elements}
    attributes = [(name, value) for _, attrs in elements for name, value in attrs]
    assert not [name for name, _ in attributes if name.startswith("on")]
    assert not [value for name, value in attributes if name == "href" and "javascript" in value]
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<strong>bold</strong>" in html


class ElementCollector(HTMLParser):
    """The (tag, attributes) of every element in a piece of HTML."""

    @classmethod
    def of(cls, html: str) -> list[tuple[str, list]]:
        parser = cls()
        parser.elements = []
        parser.feed(html)
        return parser.elements

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))


def test_headings_inside_code_fences_are_prose():
    fenced = GOOD.replace("Context.", "```\n## Not a case {side=open}\n```")
    content = parse_text(fenced)
    assert "Not a case" in content.context_html


@pytest.mark.parametrize(
    ("text_html", "runs_in"),
    [
        ("<p><strong>Accountability</strong> is also clearer.</p>", True),
        ("\n<p><strong>accountability </strong> is also clearer.</p>", True),
        ("<p><strong>Cost &amp; access</strong> matter.</p>", False),
        ("<p>The open source movement's greatest gift.</p>", False),
        ("<p>It is about <strong>Accountability</strong>.</p>", False),
    ],
)
def test_a_claim_knows_whether_its_text_opens_with_its_title(text_html, runs_in):
    from debate.core.debate import Claim

    assert Claim("k", "open", "Accountability", text_html).title_runs_in is runs_in
    assert Claim("k", "open", "Cost & access", text_html).title_runs_in is (
        "Cost &amp; access" in text_html
    )
