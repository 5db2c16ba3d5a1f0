"""The essay file -> a Debate: parsing and validation, no web code.

A content file is Markdown with YAML front matter (see docs/content-format.md).
The front matter holds the slug, title, lede and the closing question; the body
is the essay, where `## Heading {side=open}` opens a case and
`### Title {claim=key}` opens one of its claims. Prose before the first case is
the context, prose after the last claim is the rest of the essay.
"""

import datetime
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import yaml

from .debate import SIDES, Claim, Debate, Option, Side
from .embedding import SiteError, parse_site
from .markup import render_inline, render_markdown

BUNDLED_DIR = Path(__file__).parent.parent / "essays"
MAX_FILE_BYTES = 1_000_000
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_HEADING = re.compile(r"^(?P<level>#{2,3})\s+(?P<title>.*?)\s*(?:\{(?P<attrs>[^}]*)\})?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_URL = re.compile(r"^https?://[^\s<>\"']+$")


class ContentError(ValueError):
    """A content file that cannot be loaded, with where and what is wrong."""

    def __init__(self, path: str | Path, where: str, problem: str):
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{path}: {where}: {problem}")


@dataclass
class _SideDraft:
    """A case while its file is read: its claims are added as they are found."""

    side: str
    title: str
    intro_html: str = ""
    claims: list[Claim] = field(default_factory=list)


def bundled_path(slug: str) -> Path:
    return BUNDLED_DIR / f"{slug}.md"


@functools.cache
def bundled_debate(slug: str) -> Debate | None:
    """The bundled essay with this slug, parsed once; None if there is none."""
    path = bundled_path(slug)
    if not KEY_PATTERN.match(slug) or not path.is_file():
        return None
    return parse_file(path)


def parse_file(path: str | Path) -> Debate:
    """Read and validate a content file; raise ContentError naming what is wrong."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ContentError(path, "file", f"cannot be read ({error.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError(path, "file", f"is larger than {MAX_FILE_BYTES:,} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContentError(path, "file", f"is not UTF-8 (byte {error.start})") from None
    return parse_text(text, path)


def parse_text(text: str, path: str | Path = "<text>") -> Debate:
    lines = text.replace("\r\n", "\n").split("\n")
    meta, body_start = _front_matter(lines, path)
    fields = _FrontMatter(meta, path)
    body = _Body(lines, body_start, path)
    sites = fields.sites("embed.allowed_sites")
    return Debate(
        slug=fields.key("slug"),
        title=fields.text("title", 300),
        lede=render_inline(fields.text("lede", 2000)),
        context_html=render_markdown(body.context),
        sides=tuple(Side(side.side, side.title, side.intro_html) for side in body.sides),
        claims=tuple(claim for side in body.sides for claim in side.claims),
        conclusion_html=render_markdown(body.conclusion),
        question_text=fields.text("question.text", 1000),
        options=tuple(fields.options()),
        embed_any_site=not sites,
        embed_allowed_sites=sites,
        author=fields.optional_text("author", 200),
        published=fields.optional_date("published"),
        canonical_url=fields.optional_url("canonical"),
        description=fields.optional_text("description", 300),
    )


def _front_matter(lines: list[str], path: str | Path) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, "line 1", "the file must start with '---' and YAML front matter")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            break
    else:
        raise ContentError(path, "line 1", "the front matter is not closed by a '---' line")
    try:
        meta = yaml.safe_load("\n".join(lines[1:index]))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 2}" if mark else "front matter"
        problem = getattr(error, "problem", None) or "is not valid YAML"
        raise ContentError(path, where, f"invalid YAML: {problem}") from None
    if not isinstance(meta, dict):
        raise ContentError(path, "front matter", "must be a mapping of fields")
    return meta, index + 1


class _FrontMatter:
    """Typed access to front-matter fields, with errors that name the field."""

    def __init__(self, meta: dict[str, Any], path: str | Path, prefix: str = "") -> None:
        self.meta, self.path, self.prefix = meta, path, prefix

    def _fail(self, name: str, problem: str) -> NoReturn:
        raise ContentError(self.path, f"field '{self.prefix}{name}'", problem)

    def _get(self, name: str) -> Any:
        value: Any = self.meta
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            self._fail(name, "is missing")
        return value

    def text(self, name: str, limit: int) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not value.strip():
            self._fail(name, "must be non-empty text")
        if len(value) > limit:
            self._fail(name, f"is longer than {limit} characters")
        return value.strip()

    def optional_text(self, name: str, limit: int) -> str:
        """Optional text: empty when the field is absent."""
        return self.text(name, limit) if self._present(name) else ""

    def optional_date(self, name: str) -> str:
        """Optional date, as YYYY-MM-DD (YAML reads an unquoted date as one)."""
        if not self._present(name):
            return ""
        value = self._get(name)
        if isinstance(value, datetime.date):
            return value.isoformat()[:10]
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            self._fail(name, "must be a date such as 2026-11-30")

    def optional_url(self, name: str) -> str:
        """Optional http(s) address, such as the post where the essay is published."""
        if not self._present(name):
            return ""
        value = self._get(name)
        if not isinstance(value, str) or not _URL.match(value) or len(value) > 500:
            self._fail(name, "must be an address such as https://blog.example.com/my-essay")
        return value

    def _present(self, name: str) -> bool:
        value: Any = self.meta
        for part in name.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return value is not None

    def key(self, name: str) -> str:
        value = self._get(name)
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self._fail(name, _KEY_RULE)
        return value

    def sites(self, name: str) -> tuple[str, ...]:
        """Optional: the only sites that may embed the poll (absent: any site), by
        the rule the dashboard holds them to (core/embedding.py)."""
        if not self._present(name):
            return ()
        raw = self._get(name)
        if not isinstance(raw, list):
            self._fail(name, "must be a list of sites such as https://blog.example.com")
        sites: list[str] = []
        for index, site in enumerate(raw):
            if not isinstance(site, str):
                self._fail(f"{name}[{index}]", "must be a site such as https://blog.example.com")
            try:
                sites.append(parse_site(site))
            except SiteError as error:
                self._fail(f"{name}[{index}]", str(error))
        return tuple(dict.fromkeys(sites))

    def options(self) -> list[Option]:
        raw = self._get("question.options")
        if not isinstance(raw, list) or len(raw) < 2:
            self._fail("question.options", "must list two options or more")
        options: list[Option] = []
        for index, item in enumerate(raw):
            name = f"question.options[{index}]"
            if not isinstance(item, dict):
                self._fail(name, "must have a key and a label")
            option = _FrontMatter(item, self.path, prefix=f"{self.prefix}{name}.")
            key, label = option.key("key"), option.text("label", 300)
            if any(existing.key == key for existing in options):
                option._fail("key", f"'{key}' is used twice")
            options.append(Option(key, label))
        return options


_KEY_RULE = "must be 1-80 lowercase letters, digits or hyphens, starting with a letter or digit"


class _Body:
    """Splits the essay into context, the two cases with their claims, and the rest."""

    def __init__(self, lines: list[str], start: int, path: str | Path) -> None:
        self.path = path
        self.sides: list[_SideDraft] = []
        context: list[str] = []
        conclusion: list[str] = []
        current: list[str] = context
        in_fence = False
        claim_lines: dict[int, list[str]] = {}
        side_lines: dict[int, list[str]] = {}
        pending_claims: list[tuple[int, str, str, str, list[str]]] = []
        side_heading_line: dict[str, int] = {}

        for number, line in enumerate(lines[start:], start=start + 1):
            if _FENCE.match(line):
                in_fence = not in_fence
            heading = None if in_fence else _HEADING.match(line)
            attrs = self._attrs(heading, number) if heading else {}
            if heading and "side" in attrs:
                if heading["level"] != "##":
                    self._fail(number, "a case is opened by a '##' heading")
                if current is conclusion:
                    self._fail(number, "the two cases must come before the rest of the essay")
                side_key = attrs["side"]
                if side_key not in SIDES:
                    self._fail(number, f"side must be one of {', '.join(SIDES)}, not '{side_key}'")
                if any(existing.side == side_key for existing in self.sides):
                    self._fail(number, f"the '{side_key}' case appears twice")
                self.sides.append(_SideDraft(side_key, self._title(heading, number)))
                side_heading_line[side_key] = number
                current = side_lines.setdefault(len(self.sides) - 1, [])
            elif heading and "claim" in attrs:
                if heading["level"] != "###" or not self.sides or current is conclusion:
                    self._fail(number, "a claim is a '###' heading inside a case")
                key = attrs["claim"]
                if not KEY_PATTERN.match(key):
                    self._fail(number, f"claim key '{key}' {_KEY_RULE}")
                if any(pending[1] == key for pending in pending_claims):
                    self._fail(number, f"claim key '{key}' is used twice")
                current = []
                pending_claims.append(
                    (number, key, self.sides[-1].side, self._title(heading, number), current)
                )
                claim_lines[number] = current
            elif heading and heading["level"] == "##" and self.sides:
                current = conclusion
                current.append(line)
            else:
                current.append(line)

        if len(self.sides) != len(SIDES):
            raise ContentError(
                path,
                "body",
                "the essay needs both cases: '## … {side=open}' and '## … {side=closed}'",
            )
        for index, side in enumerate(self.sides):
            side.intro_html = render_markdown("\n".join(side_lines.get(index, [])))
        for number, key, side_name, title, text in pending_claims:
            body = "\n".join(text).strip()
            if not body:
                self._fail(number, f"claim '{key}' has no text")
            side = next(s for s in self.sides if s.side == side_name)
            side.claims.append(Claim(key, side_name, title, render_markdown(body)))
        for side in self.sides:
            if not side.claims:
                self._fail(side_heading_line[side.side], f"the '{side.side}' case has no claims")
        self.context = "\n".join(context)
        self.conclusion = "\n".join(conclusion)

    def _attrs(self, heading: re.Match[str], number: int) -> dict[str, str]:
        if heading["attrs"] is None:
            return {}
        attrs: dict[str, str] = {}
        for pair in heading["attrs"].split():
            name, sep, value = pair.partition("=")
            if not sep or name not in ("side", "claim") or not value:
                self._fail(
                    number,
                    f"unknown heading marker '{{{heading['attrs']}}}': "
                    "use {side=open|closed} or {claim=key}",
                )
            attrs[name] = value
        return attrs

    def _title(self, heading: re.Match[str], number: int) -> str:
        title: str = heading["title"].strip()
        if not title:
            self._fail(number, "the heading has no title")
        if len(title) > 300:
            self._fail(number, "the heading is longer than 300 characters")
        return title

    def _fail(self, number: int, problem: str) -> NoReturn:
        raise ContentError(self.path, f"line {number}", problem)
