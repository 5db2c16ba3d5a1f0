"""Reader pages assembled from a shared shell.

A debate page (or an embed) differs between readers only in their vote token
and in the items they have voted on. So each process renders it at most once
per RESULTS_CACHE_SECONDS as a shell: the page for a reader who has voted on
nothing, with a marker where the token goes, plus each voting item's HTML as
it appears there. A request fills in its reader's token and swaps in, for each
item that reader voted on, the item rendered with their choice and the current
counts. A first visit, the bulk of a traffic burst, costs a signature and a
string replace instead of a render and a few queries.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from flask import render_template, request

from .caching import process_cache
from .db import db
from .models import CLAIM, QUESTION, QUESTION_KEY, STANCE, STANCE_PHASES, Debate
from .readers import current_reader_id, vote_token
from .tally import results_for
from .votes import reader_choices

# Cannot occur in content: it is new in every process.
TOKEN_MARK = f"vote-token-{secrets.token_hex(12)}"
# A request carrying this in its WSGI environ gets the shell itself, the mark in
# place of a token (first_visits.py fills it in).
SHELL_ONLY = "debate.shell_only"

Item = tuple[str, str]  # (kind, key), as votes are keyed


@dataclass(frozen=True)
class _Part:
    """One voting item of a shell: its partial, what else the partial needs, and
    its HTML as the shell holds it."""

    template: str
    extra: dict
    html: str


@dataclass(frozen=True)
class Shell:
    """A reader page for nobody in particular. `debate` is fully loaded and
    detached: it is only read, by whichever request uses the shell."""

    context: dict
    html: str
    parts: dict[Item, _Part]

    @property
    def debate(self) -> Debate:
        return self.context["debate"]


def voting_items(debate: Debate) -> list[tuple[Item, str, dict]]:
    """Every item a reader can vote on, with the partial that shows it."""
    items = [((STANCE, phase), "debates/_stance.html", {"phase": phase})
             for phase in STANCE_PHASES]
    items += [((CLAIM, claim.key), "debates/_claim.html", {"claim": claim})
              for claim in debate.claims]
    items.append(((QUESTION, QUESTION_KEY), "debates/_question.html", {}))
    return items


def item_partial(debate: Debate, item: Item) -> tuple[str, dict]:
    """The partial that shows one item, and what else it needs besides the page's context."""
    return next((partial, extra) for found, partial, extra in voting_items(debate)
                if found == item)


def build_shell(template: str, context: dict) -> Shell:
    """Render `template` for a reader with no votes, and find each item in it."""
    context = {**context, "my_votes": {}, "vote_token": TOKEN_MARK}
    html = render_template(template, **context)
    parts = {}
    for item, partial, extra in voting_items(context["debate"]):
        part = render_template(partial, **{**context, **extra})
        if part in html:
            parts[item] = _Part(partial, extra, part)
    return Shell(context, html, parts)


def personalised(shell: Shell) -> str:
    """The shell for this request's reader: their token, their votes."""
    reader_id = current_reader_id()
    html = shell.html
    my_votes = reader_choices(db.session, shell.debate.id, reader_id) if reader_id else {}
    voted = [shell.parts[item] for item in my_votes if item in shell.parts]
    if voted:
        # The reader's items show the counts as of now, their own vote included.
        context = {**shell.context, "my_votes": my_votes,
                   "results": results_for(db.session, shell.debate)}
        for part in voted:
            mine = render_template(part.template, **{**context, **part.extra})
            html = html.replace(part.html, mine, 1)
    return html.replace(TOKEN_MARK, vote_token())


def reader_page(view: str, template: str, context: Callable[[], dict]) -> tuple[Shell, str]:
    """The shell of `view` (built from `context()` when stale) and its HTML for
    this reader. Shells are kept per host, as they hold absolute links."""
    shell = process_cache("shells").get((request.scheme, request.host, view),
                                        lambda: build_shell(template, context()))
    if request.environ.get(SHELL_ONLY):
        return shell, shell.html
    return shell, personalised(shell)
