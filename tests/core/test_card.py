"""The share card: what it says follows the panel's results and words, and it is
a 1200x630 PNG whose pixels change with them."""

import io
from dataclasses import replace

import pytest
from PIL import Image

from debate.core import card
from debate.core.card import card_content, draw_card, printable, wrap
from debate.core.content import bundled_path, parse_file
from debate.core.tally import results_from_sums
from helpers import SLUG

DEBATE = replace(parse_file(bundled_path(SLUG)), id=1, voting_open=True)


def sums(readers: int, closing: dict[str, int], flows: dict[tuple[str, str], int]) -> dict:
    """Counter sums as the store gives them: readers, the closing question's answers,
    and the readers who moved from one stance (before reading) to another (after)."""
    return {
        ("readers", "all", "all"): readers,
        **{("question", "closing", option): n for option, n in closing.items()},
        **{("flow", before, after): n for (before, after), n in flows.items()},
    }


# Three readers: two answered the closing question, two answered both stance questions.
FEW = sums(
    3, {"open-matches": 2, "coexistence": 1}, {("open", "open"): 1, ("undecided", "open"): 1}
)
# 500 readers, 415 of them paired, a clear move to open source.
MANY = sums(
    500,
    {"open-matches": 180, "closed-keeps-edge": 120, "coexistence": 150, "not-sure": 30},
    {
        ("open", "open"): 120,
        ("undecided", "open"): 80,
        ("closed", "closed"): 110,
        ("closed", "open"): 25,
        ("undecided", "undecided"): 40,
        ("undecided", "closed"): 30,
        ("open", "closed"): 10,
    },
)


def image_of(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()
    return image


def test_the_card_is_a_1200_by_630_png():
    png = draw_card(DEBATE, results_from_sums(DEBATE, FEW))
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = image_of(png)
    assert image.format == "PNG" and image.size == (1200, 630)


def test_few_readers_show_the_closing_question_split_and_too_early_to_call():
    content = card_content(DEBATE, results_from_sums(DEBATE, FEW))
    assert content.title == DEBATE.title
    assert content.heading == "The closing question"
    assert [(row.label, row.figure) for row in content.rows] == [
        ("Open source will eventually match closed source at the frontier", "67%"),
        ("Proprietary models will always hold the edge", "0%"),
        ("Both will coexist: the frontier stays closed, the commodity layer goes open", "33%"),
        ("Not sure", "0%"),
    ]
    assert content.lines == ("3 votes",)
    assert content.readers == "3 readers have voted"
    assert content.note == "Who persuaded whom: too early to call"


def test_a_winner_shows_the_paired_swing_in_the_verdicts_words():
    results = results_from_sums(DEBATE, MANY)
    assert results.swing.winner == "open"
    content = card_content(DEBATE, results)
    assert content.heading == "Open source wins the room"
    assert content.lines[0].startswith("+23 points among the 415 readers who answered both")
    assert "(95% interval +18 to +27)" in content.lines[0]
    assert [(row.label, row.figure) for row in content.rows] == [
        ("Open source", "31% \u2192 54%   +23 pts"),
        ("Closed source", "33% \u2192 36%   +4 pts"),
        ("Undecided", "36% \u2192 10%   \u221227 pts"),
    ]
    assert content.readers == "500 readers have voted"


def test_no_votes_and_one_reader():
    nobody = card_content(DEBATE, results_from_sums(DEBATE, {}))
    assert nobody.lines == ("No answers yet.",) and nobody.rows == ()
    assert nobody.readers == "0 readers have voted" and nobody.note == ""
    one = card_content(DEBATE, results_from_sums(DEBATE, {("readers", "all", "all"): 1}))
    assert one.readers == "1 reader has voted"


def test_hidden_results_show_only_the_title_and_the_question():
    hidden = replace(DEBATE, results_visibility="after_close")
    content = card_content(hidden, results_from_sums(hidden, MANY))
    assert content.rows == () and content.readers == ""
    assert content.lines == (DEBATE.question_text,)
    assert draw_card(hidden, results_from_sums(hidden, MANY)) == draw_card(
        hidden, results_from_sums(hidden, {})
    )
    closed = replace(hidden, voting_open=False)  # closing lifts after_close
    assert card_content(closed, results_from_sums(closed, MANY)).rows


def test_the_pixels_follow_the_results():
    cards = [draw_card(DEBATE, results_from_sums(DEBATE, sums)) for sums in (FEW, MANY, {})]
    assert len(set(cards)) == 3
    few, other_split = (
        image_of(cards[0]),
        image_of(
            draw_card(
                DEBATE, results_from_sums(DEBATE, {**FEW, ("question", "closing", "not-sure"): 5})
            )
        ),
    )
    # The title band is the same; the bars below it are not.
    assert few.crop((0, 0, 1200, 200)).tobytes() == other_split.crop((0, 0, 1200, 200)).tobytes()
    assert (
        few.crop((0, 300, 1200, 550)).tobytes() != other_split.crop((0, 300, 1200, 550)).tobytes()
    )


def test_long_text_is_wrapped_and_cut_with_an_ellipsis():
    face = card.font(card.SANS, 22)
    lines = wrap("word " * 200, face, 400, 2)
    assert len(lines) == 2 and lines[-1].endswith("\u2026")
    assert all(face.getlength(line) <= 400 for line in lines)
    assert wrap("short title", face, 400, 2) == ["short title"]


def test_without_the_system_fonts_pillows_own_face_draws_plain_text(monkeypatch):
    monkeypatch.setattr(card, "SERIF_BOLD", "no-such-face.ttf")
    monkeypatch.setattr(card, "SANS", "no-such-face.ttf")
    monkeypatch.setattr(card, "SANS_BOLD", "no-such-face.ttf")
    face = card.font("no-such-face.ttf", 30)
    assert face.getname()[0] == card.BUILT_IN_FACE
    assert printable("Caf\u00e9 \u2014 \u221227 \u2192", face) == "Cafe - -27 ->"
    assert image_of(draw_card(DEBATE, results_from_sums(DEBATE, MANY))).size == (1200, 630)


@pytest.mark.parametrize("title", ["A", "x" * 300, "Open " * 60])
def test_any_title_fits(title):
    face, lines = card.fit_title(title)
    assert 1 <= len(lines) <= 3
    assert all(face.getlength(line) <= card.INNER for line in lines)
