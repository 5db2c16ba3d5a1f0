"""A debate as every page, vote, cache and template reads it: one frozen value.

The parser makes one from a content file (core/content.py); the store makes
one from its rows (store/debates.py) and the cache keeps it until an author
changes the debate. Nothing here knows Flask or the database, so a debate
can be pickled into a shared cache and read by any thread.
"""

from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Option:
    """One answer to the closing question."""

    key: str
    label: str


@dataclass(frozen=True)
class Debate:
    """The essay, its items and how its poll is run.

    `id` is None for a debate read straight from its file (not stored, so
    nobody can vote on it: the page shown while the database is down).
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
    embed_allowed_sites: tuple[str, ...] = ()
    id: int | None = None
    voting_open: bool = False
    results_visibility: str = AFTER_VOTE
    owner_id: int | None = None
    _claims_by_key: dict[str, Claim] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self._claims_by_key.update({claim.key: claim for claim in self.claims})

    @property
    def stored(self) -> bool:
        return self.id is not None

    @property
    def stored_id(self) -> int:
        """The id of a stored debate; ValueError for one read from its file."""
        if self.id is None:
            raise ValueError("not stored")
        return self.id

    def claim(self, key: str) -> Claim | None:
        return self._claims_by_key.get(key)

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
        """The sites that may frame the embeds, as a CSP source list."""
        return " ".join(self.embed_allowed_sites) or "*"

    @property
    def voting_note(self) -> str:
        """What a reader is told where the vote buttons are disabled."""
        if not self.stored:
            return "The poll cannot reach its database right now; voting will be back shortly."
        return "Voting on this debate is closed."

    # When readers see results: the one rule the cards, the panel and the API follow.
    # always: every item shows its counts, to everyone. after_vote (the default): an
    # item's card shows its counts once this reader voted on it; the shared panel and
    # the API show the totals. after_close: no counts anywhere until voting closes.
    # The debate's owner sees everything on the dashboard whatever the rule.

    @property
    def totals_visible(self) -> bool:
        """May anyone see the debate's totals (results panel, JSON API)?"""
        return self.results_visibility != AFTER_CLOSE or not self.voting_open

    def item_results_visible(self, has_voted: bool) -> bool:
        """May a reader see the counts of one item they have (or have not) voted on?"""
        if self.results_visibility == ALWAYS:
            return True
        if self.results_visibility == AFTER_VOTE:
            return has_voted
        return not self.voting_open

    @property
    def hidden_results_note(self) -> str:
        """What a reader reads where counts are hidden."""
        if self.results_visibility == AFTER_CLOSE:
            return "Results appear here once voting closes."
        return "Vote to see what other readers think."
