"""The share card: a 1200x630 PNG of a debate and where its readers stand, for
the og:image a shared link is drawn with.

What the card says is worked out first (`card_content`), from the same results
and in the same words as the public panel (templates/debates/_results.html and
the `verdict` macro), so the card never says what the panel does not: the
swing once a winner can be named, else the closing question's split, and the
number of readers. Where the debate hides its totals, only its title and
closing question. `draw_card` then lays that out with Pillow.
"""

import io
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from .debate import STANCE_SIDES, Debate
from .stats import signed_points
from .tally import DebateResults, Distribution

WIDTH, HEIGHT = 1200, 630
MARGIN = 64
INNER = WIDTH - 2 * MARGIN
CELL, CELL_WIDTH = "   ", 130  # between the cells of a row's figure; a cell's column

# The light theme's colours (static/debate.css).
PAPER, INK, MUTED, RULE, TRACK, BAR = (
    "#fdfcf8",
    "#1d1d1f",
    "#55575c",
    "#dedbd2",
    "#ecebe6",
    "#6d6f75",
)
SIDE_COLOURS = {"open": "#0b5e76", "closed": "#8c2f1b", "undecided": "#5b5670"}
# The panel's names for the stances (SIDE_LABELS in templates/debates/_macros.html).
SIDE_LABELS = {"open": "Open source", "closed": "Closed source", "undecided": "Undecided"}

# The page's own fallback faces (static/debate.css), from Debian's fonts-dejavu-core;
# where a machine lacks them, Pillow's built-in face, which has ASCII and little more.
SERIF_BOLD, SANS, SANS_BOLD = "DejaVuSerif-Bold.ttf", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
BUILT_IN_FACE = "Aileron"
# A FreeType face is not safe to use from two threads at once, and the faces are shared.
DRAWING = threading.Lock()
FOLDED = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2192": "->"})


@dataclass(frozen=True)
class Row:
    """One bar: a label, its figure, the share it fills and, for the swing, the
    share before reading drawn beneath it."""

    label: str
    figure: str
    share: float
    colour: str
    before: float | None = None


@dataclass(frozen=True)
class CardContent:
    title: str
    heading: str  # above the bars, or above the question when results are hidden
    heading_colour: str
    lines: tuple[str, ...]  # under the heading
    rows: tuple[Row, ...]
    readers: str  # the footer's left: how many readers, as the panel says it
    note: str  # the footer's right


def readers_line(n: int) -> str:
    return "1 reader has voted" if n == 1 else f"{n} readers have voted"


def votes_line(n: int) -> str:
    return f"{n} vote" + ("" if n == 1 else "s")


def card_content(debate: Debate, results: DebateResults) -> CardContent:
    """What the card says of `debate` as of `results`."""
    if not debate.totals_visible:
        return CardContent(
            debate.title,
            "The closing question",
            MUTED,
            (debate.question_text,),
            (),
            "",
            "Results appear once voting closes.",
        )
    readers = readers_line(results.readers)
    swing = results.swing
    if swing.winner:
        gain = swing.sides[swing.winner]
        before, after = swing.before.percentages, swing.after.percentages
        rows = tuple(
            Row(
                SIDE_LABELS[side],
                f"{before[side]}% \u2192 {after[side]}%{CELL}"
                f"{signed_points(swing.sides[side].change)} pts",
                after[side] / 100,
                SIDE_COLOURS[side],
                before[side] / 100,
            )
            for side in STANCE_SIDES
        )
        line = (
            f"{signed_points(gain.change)} points among the {swing.paired} readers who answered "
            f"both before and after reading (95% interval {signed_points(gain.low)} to "
            f"{signed_points(gain.high)})."
        )
        heading = f"{SIDE_LABELS[swing.winner]} wins the room"
        colour = SIDE_COLOURS[swing.winner]
        legend = "Pale: before reading \u00b7 dark: after"
        return CardContent(debate.title, heading, colour, (line,), rows, readers, legend)
    note = "Who persuaded whom: too early to call" if swing.measurable else ""
    question = results.question
    if not question.total:
        return CardContent(
            debate.title, "The closing question", INK, ("No answers yet.",), (), readers, note
        )
    return CardContent(
        debate.title,
        "The closing question",
        INK,
        (votes_line(question.total),),
        split_rows(question, debate.option_labels()),
        readers,
        note,
    )


def split_rows(dist: Distribution, labels: dict[str, str]) -> tuple[Row, ...]:
    return tuple(
        Row(labels.get(choice, choice), f"{percent}%", percent / 100, BAR)
        for choice, _count, percent in dist.rows()
    )


# Drawing


@lru_cache(maxsize=32)
def font(name: str, size: int) -> ImageFont.FreeTypeFont:
    """The face `name` at `size` px from the system's fonts, else Pillow's own."""
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        built_in = ImageFont.load_default(size)
        assert isinstance(built_in, ImageFont.FreeTypeFont)  # Pillow has FreeType
        return built_in


def printable(text: str, face: ImageFont.FreeTypeFont) -> str:
    """Text the face can draw: the built-in face has no dashes, minus sign,
    arrows or accents, so those become their plain ASCII neighbours."""
    if face.getname()[0] != BUILT_IN_FACE:
        return text
    plain = unicodedata.normalize("NFKD", text.translate(FOLDED))
    return "".join(c for c in plain if not unicodedata.combining(c))


def wrap(text: str, face: ImageFont.FreeTypeFont, width: int, max_lines: int) -> list[str]:
    """Lines of at most `width` px, the last cut with an ellipsis if text remains."""
    text = printable(text, face)
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and face.getlength(f"{line} {words[0]}") <= width:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words or (lines and face.getlength(lines[-1]) > width):
        last = lines[-1]
        while last and face.getlength(last + "\u2026") > width:
            last = last[:-1]
        lines[-1] = last.rstrip(" ,.;:") + "\u2026"
    return lines


def fit_title(title: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size at which the title fits two lines, or three at the smallest."""
    for size, max_lines in ((60, 2), (52, 2), (46, 3)):
        face = font(SERIF_BOLD, size)
        lines = wrap(title, face, INNER, max_lines)
        if not lines[-1].endswith("\u2026") or max_lines == 3:
            return face, lines
    raise AssertionError("unreachable")


def draw_card(debate: Debate, results: DebateResults) -> bytes:
    """The card as PNG bytes."""
    with DRAWING:
        return render(card_content(debate, results))


def render(content: CardContent) -> bytes:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH // 2, 10), fill=SIDE_COLOURS["open"])
    draw.rectangle((WIDTH // 2, 0, WIDTH, 10), fill=SIDE_COLOURS["closed"])
    draw.text((MARGIN, 44), "A DEBATE IN TWO CASES", font=font(SANS_BOLD, 20), fill=MUTED)

    face, lines = fit_title(content.title)
    y = 80
    for line in lines:
        draw.text((MARGIN, y), line, font=face, fill=INK)
        y += round(face.size * 1.18)
    y += 24
    draw.line((MARGIN, y, WIDTH - MARGIN, y), fill=RULE, width=2)
    y += 22
    footer_top = HEIGHT - 78

    heading = font(SANS_BOLD, 30 if content.rows or not content.readers else 28)
    draw.text(
        (MARGIN, y), printable(content.heading, heading), font=heading, fill=content.heading_colour
    )
    y += 44
    body = font(SANS, 32 if not content.readers else 22)
    # Each bar needs 50 px at least; the lines under the heading have the rest.
    room = max(1, (footer_top - 26 - y - 50 * len(content.rows)) // round(body.size * 1.3))
    for line in content.lines:
        for part in wrap(line, body, INNER, min(room, 4)):
            draw.text((MARGIN, y), part, font=body, fill=MUTED if content.rows else INK)
            y += round(body.size * 1.3)
    y += 10
    draw_rows(draw, content.rows, y, footer_top - 16)

    if content.readers or content.note:
        draw.line((MARGIN, footer_top, WIDTH - MARGIN, footer_top), fill=RULE, width=2)
        small = font(SANS_BOLD, 24)
        draw.text((MARGIN, footer_top + 22), content.readers, font=small, fill=INK)
        note_face = font(SANS, 22)
        note = printable(content.note, note_face)
        width = note_face.getlength(note)
        draw.text((WIDTH - MARGIN - width, footer_top + 24), note, font=note_face, fill=MUTED)

    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def draw_rows(draw: ImageDraw.ImageDraw, rows: tuple[Row, ...], top: int, bottom: int) -> None:
    """Label and figure over a bar, as many rows as fit between top and bottom."""
    if not rows:
        return
    pitch = min(70, (bottom - top) // len(rows))
    label_face, figure_face = font(SANS, 22), font(SANS_BOLD, 22)
    y = top
    for row in rows:
        if y + pitch > bottom + 1:
            break
        # Cells of the figure (split by three spaces) end at fixed columns, so the
        # swing's before, after and change line up from row to row.
        right, left_most = float(WIDTH - MARGIN), float(WIDTH - MARGIN)
        for cell in reversed(printable(row.figure, figure_face).split(CELL)):
            width = figure_face.getlength(cell)
            draw.text((right - width, y), cell, font=figure_face, fill=INK)
            left_most = min(left_most, right - width)
            right -= CELL_WIDTH
        label = wrap(row.label, label_face, int(left_most - MARGIN - 24), 1)[0]
        draw.text((MARGIN, y), label, font=label_face, fill=INK)
        bar_top = y + 32
        draw.rounded_rectangle((MARGIN, bar_top, WIDTH - MARGIN, bar_top + 14), 7, fill=TRACK)
        if row.before is not None and row.before > 0:
            faded = blend(row.colour, PAPER, 0.6)
            end = MARGIN + max(14, round(INNER * row.before))
            draw.rounded_rectangle((MARGIN, bar_top, end, bar_top + 14), 7, fill=faded)
        if row.share > 0:
            end = MARGIN + max(14, round(INNER * row.share))
            draw.rounded_rectangle((MARGIN, bar_top + 3, end, bar_top + 11), 4, fill=row.colour)
        y += pitch


def blend(colour: str, into: str, amount: float) -> str:
    """`colour` taken `amount` of the way toward `into` (both #rrggbb)."""
    a = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    b = [int(into[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * amount):02x}" for x, y in zip(a, b, strict=True))
