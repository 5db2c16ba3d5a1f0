"""The snippets site owners paste to embed a poll.

A snippet is a placeholder, the project's own `/static/embed.js` (which turns
it into an iframe and keeps the iframe as tall as its content), and a
<noscript> iframe. Its URLs never change: pasted snippets live for years.
"""

from dataclasses import dataclass

from flask import render_template, url_for
from markupsafe import Markup

from ..core.debate import Debate

HEIGHTS = {"embed.debate": 1600, "embed.question": 560, "embed.claim": 480}
DEFAULT_WIDTH = 720


@dataclass(frozen=True)
class Embed:
    """One embeddable view: its URL, a title for the iframe, a starting height."""

    url: str
    title: str
    height: int

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
    embeds = [
        Embed(
            url_for("embed.debate", slug=slug, _external=True),
            debate.title,
            HEIGHTS["embed.debate"],
        ),
        Embed(
            url_for("embed.question", slug=slug, _external=True),
            f"Closing question: {debate.title}",
            HEIGHTS["embed.question"],
        ),
    ]
    embeds += [
        Embed(
            url_for("embed.claim", slug=slug, claim_key=claim.key, _external=True),
            f"Claim: {claim.title}",
            HEIGHTS["embed.claim"],
        )
        for claim in debate.claims
    ]
    return embeds
