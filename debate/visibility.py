"""When readers see results: the one rule the cards, the panel and the API follow.

- always: every item shows its counts, to everyone.
- after_vote (the default): an item's card shows its counts once this reader
  voted on it; the shared results panel and the JSON API show the totals, as
  they always have.
- after_close: nobody sees counts while voting is open; all shown once closed.

The author who owns a debate sees everything on the dashboard whatever the rule.
"""

from .models import AFTER_CLOSE, AFTER_VOTE, ALWAYS

VISIBILITY_LABELS = {
    ALWAYS: "Always",
    AFTER_VOTE: "After the reader votes on that item",
    AFTER_CLOSE: "Only once voting is closed",
}


def _rule(debate) -> str:
    # The essay shown from its file while the database is down has no rule of its own.
    return getattr(debate, "results_visibility", AFTER_VOTE)


def totals_visible(debate) -> bool:
    """May anyone see the debate's totals (results panel, JSON API)?"""
    return _rule(debate) != AFTER_CLOSE or not debate.voting_open


def item_results_visible(debate, has_voted: bool) -> bool:
    """May this reader see the counts of one item they have (or have not) voted on?"""
    rule = _rule(debate)
    if rule == ALWAYS:
        return True
    if rule == AFTER_VOTE:
        return has_voted
    return not debate.voting_open


def hidden_results_note(debate) -> str:
    """What a reader reads where counts are hidden."""
    if _rule(debate) == AFTER_CLOSE:
        return "Results appear here once voting closes."
    return "Vote to see what other readers think."
