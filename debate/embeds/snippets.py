"""The snippets site owners paste to embed a poll.

A snippet is a placeholder, the project's own `/static/embed.js` (which turns
it into an iframe and keeps the iframe as tall as its content), and a
<noscript> iframe. Its URLs never change: pasted snippets live for years.
"""

from dataclasses import dataclass

from flask import render_template, url_for
from markupsafe import Markup

from ..core.debate import Debate

DEFAULT_WIDTH = 720
# An embed's height in pixels at a width: fixed parts, plus text that wraps into more
# lines as the frame narrows (characters / width). Fitted to the bundled essay's
# embeds measured in Chromium at 360-1,024 px; a browser test holds every kind to
# 15% (tests/embeds/test_embed_heights.py).
HEIGHT_MODELS = {
    "embed.debate": (1178, 0, 385),
    "embed.question": (328, 0, 227),
    "embed.claim": (160, 18_563, 197),
}


@dataclass(frozen=True)
class Embed:
    """One embeddable view: its URL, a title for the iframe, and what its height
    depends on (its kind and how much text it holds)."""

    url: str
    title: str
    endpoint: str
    text_length: int

    @property
    def height_terms(self) -> tuple[int, int]:
        """The height model for this embed's text: fixed pixels, and pixels times
        width that spread over the frame's width. The previews of "Embed this poll" size
        their frames from these in the browser, where the width is known."""
        fixed, per_width, per_character = HEIGHT_MODELS[self.endpoint]
        return fixed, per_width + per_character * self.text_length

    def height_at(self, width: int) -> int:
        fixed, spread = self.height_terms
        return round(fixed + spread / max(width, 200))

    @property
    def heading(self) -> str:
        """What the "Embed this poll" section calls this embed."""
        names = {"embed.debate": "The whole debate", "embed.question": "The closing question"}
        return names.get(self.endpoint, self.title)

    @property
    def height(self) -> int:
        return self.height_at(DEFAULT_WIDTH)

    def snippet(self) -> Markup:
        return Markup(
            render_template(
                "embed/_snippet.html",
                embed=self,
                script_url=url_for("static", filename="embed.js", _external=True),
            ).strip()
        )


def embeds_for(debate: Debate) -> list[Embed]:
    """The whole debate, its closing question, and each claim alone."""
    slug = debate.slug
    claims = {c.key: len(c.title) + len(c.text_html) for c in debate.claims}
    question = len(debate.question_text) + sum(len(o.label) for o in debate.options)
    sides = sum(len(s.title) + len(s.intro_html) for s in debate.sides)
    embeds = [
        Embed(
            url_for("embed.debate", slug=slug, _external=True),
            debate.title,
            "embed.debate",
            sum(claims.values()) + question + sides,
        ),
        Embed(
            url_for("embed.question", slug=slug, _external=True),
            f"Closing question: {debate.title}",
            "embed.question",
            question,
        ),
    ]
    embeds += [
        Embed(
            url_for("embed.claim", slug=slug, claim_key=claim.key, _external=True),
            f"Claim: {claim.title}",
            "embed.claim",
            claims[claim.key],
        )
        for claim in debate.claims
    ]
    return embeds
