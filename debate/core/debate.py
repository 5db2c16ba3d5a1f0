"""A debate as every page, vote, cache and template reads it: one frozen value.

The parser makes one from a content file (core/content.py); the store makes
one from its rows (store/debates.py) and the cache keeps it until an author
changes the debate. Nothing here knows Flask or the database, so a debate
can be pickled into a shared cache and read by any thread.
"""

import datetime
import html
import re
from dataclasses import dataclass, field

from .embedding import site_allows

SIDES = ("open", "closed")
STANCE_SIDES = ("open", "closed", "undecided")
STANCE_PHASES = ("before", "after")
CLAIM_CHOICES = ("agree", "disagree", "unsure")

# The kinds of item a reader votes on; a vote's item key is a claim key,
# QUESTION_KEY or a stance phase.
CLAIM, QUESTION, STANCE = "claim", "question", "stance"
QUESTION_KEY = "closing"
Item = tuple[str, str]  # (kind, key), as votes are keyed

# When readers see results.
ALWAYS, AFTER_VOTE, AFTER_CLOSE = "always", "after_vote", "after_close"
RESULTS_VISIBILITIES = (ALWAYS, AFTER_VOTE, AFTER_CLOSE)
VISIBILITY_LABELS = {
    ALWAYS: "Always",
    AFTER_VOTE: "After the reader votes on that item",
    AFTER_CLOSE: "Only once voting is closed",
}


# What an author may set aside (store/votes.py set_aside): the votes from one
# embedding site, from one network bucket, or cast in a window of hours.
SITE, NETWORK, WINDOW = "site", "network", "window"
EXCLUSION_KINDS = (SITE, NETWORK, WINDOW)


@dataclass(frozen=True)
class Exclusion:
    """An author's exclusion in force: `value` is the site or the network bucket
    ("" for votes where it is unknown); a window covers the hours from `starts_at`
    up to, not including, `ends_at` (UTC)."""

    id: int
    kind: str
    value: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None


def long_date(iso_date: str) -> str:
    """2026-11-30 as "30 November 2026", for a byline."""
    day = datetime.date.fromisoformat(iso_date)
    return f"{day.day} {day:%B %Y}"


_RUN_IN = re.compile(r"<p><strong>(.*?)</strong>", re.S)


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(html_text).split()).casefold()


@dataclass(frozen=True)
class Side:
    """One of the essay's two cases: its heading and the prose before its claims."""

    side: str
    title: str
    intro_html: str


@dataclass(frozen=True)
class Claim:
    key: str
    side: str
    title: str
    text_html: str

    # Does the text open with the title in bold ("**Accountability** is also
    # clearer...")? Then the page shows the title once, there, and its heading is
    # for screen readers alone. Worked out once, as the read model is built.
    title_runs_in: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        opening = _RUN_IN.match(self.text_html.lstrip())
        runs_in = opening is not None and _plain(opening[1]) == _plain(self.title)
        object.__setattr__(self, "title_runs_in", runs_in)


@dataclass(frozen=True)
class Option:
    """One answer to the closing question."""

    key: str
    label: str


@dataclass(frozen=True)
class Debate:
    """The essay, its items and how its poll is run.

    `id` is 0 for a debate read straight from its file (not stored, so nobody
    can vote on it: the page shown while the database is down).
    """

    slug: str
    title: str
    lede: str
    context_html: str
    sides: tuple[Side, ...]
    claims: tuple[Claim, ...]
    conclusion_html: str
    question_text: str
    options: tuple[Option, ...]
    # Who may frame the embeds: any site, or only those listed (core/embedding.py).
    # The list is kept while any site is chosen, so choosing it again restores it.
    embed_any_site: bool = True
    embed_allowed_sites: tuple[str, ...] = ()
    # For publishing: who wrote it, when (YYYY-MM-DD), where the essay lives, and a
    # line for search results and shared links. Each may be empty.
    author: str = ""
    published: str = ""
    canonical_url: str = ""
    description: str = ""
    id: int = 0  # 0: not stored
    voting_open: bool = False
    results_visibility: str = AFTER_VOTE
    owner_id: int | None = None
    # The author's exclusions in force: every count leaves out the votes they cover.
    exclusions: tuple[Exclusion, ...] = ()
    # Derived once here, since every request reads them.
    claims_by_key: dict[str, Claim] = field(init=False, compare=False, repr=False)
    # May a reader see an item's counts, keyed by whether they voted on it?
    item_results_visible: dict[bool, bool] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Once voting is closed, every reader sees every item's counts (unless the
        # author hides all results until then, which the close lifts too).
        visible_unvoted = self.results_visibility == ALWAYS or not self.voting_open
        visible_voted = self.results_visibility != AFTER_CLOSE or not self.voting_open
        object.__setattr__(self, "claims_by_key", {claim.key: claim for claim in self.claims})
        object.__setattr__(
            self, "item_results_visible", {False: visible_unvoted, True: visible_voted}
        )

    @property
    def stored(self) -> bool:
        return self.id != 0

    def claims_for(self, side: str) -> list[Claim]:
        return [claim for claim in self.claims if claim.side == side]

    @property
    def option_keys(self) -> tuple[str, ...]:
        return tuple(option.key for option in self.options)

    def option_labels(self) -> dict[str, str]:
        return {option.key: option.label for option in self.options}

    def items(self) -> list[Item]:
        """Every item a reader can vote on, in page order."""
        return (
            [(STANCE, "before")]
            + [(CLAIM, claim.key) for claim in self.claims]
            + [(QUESTION, QUESTION_KEY), (STANCE, "after")]
        )

    @property
    def frame_ancestors(self) -> str:
        """The sites that may frame the embeds, as a CSP source list: the debate's
        own site always may (the author's previews on the dashboard)."""
        if self.embed_any_site:
            return "*"
        return " ".join(("'self'", *self.embed_allowed_sites))

    def allows_embedding_site(self, origin: str) -> bool:
        """May a page of this origin frame the embeds (the header's rule, for a
        vote whose frame says where it is embedded)?"""
        return self.embed_any_site or any(
            site_allows(site, origin) for site in self.embed_allowed_sites
        )

    @property
    def voting_note(self) -> str:
        """What a reader is told where the vote buttons are disabled."""
        if not self.stored:
            return "The poll cannot reach its database right now; voting will be back shortly."
        return "Voting on this debate is closed."

    # When readers see results: the one rule the cards (item_results_visible), the
    # panel and the API follow. always: every item shows its counts, to everyone.
    # after_vote (the default): an item's card shows its counts once this reader voted
    # on it, and to everyone once voting closes; the shared panel and the API show the
    # totals. after_close: no counts anywhere until voting closes. The owner sees
    # everything on the dashboard.

    @property
    def totals_visible(self) -> bool:
        """May anyone see the debate's totals (results panel, JSON API)?"""
        return self.results_visibility != AFTER_CLOSE or not self.voting_open

    @property
    def hidden_results_note(self) -> str:
        """What a reader reads where counts are hidden."""
        if self.results_visibility == AFTER_CLOSE:
            return "Results appear here once voting closes."
        return "Vote to see what other readers think."
