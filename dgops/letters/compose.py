"""Pages of plain blocks (headings, paragraphs, tables, bar charts) as PDF content streams.

A letter's enclosures are laid out here, without typst: every string is shaped once with
harfbuzz in the fill fonts of :mod:`dgops.letters.fill` and kept (the same labels, pillar
names, advice texts and score figures recur across thousands of letters), then placed with a
translation. Charts are vector paths (rectangles and lines), never images. The content streams
are appended to a typeset cover letter by :func:`dgops.letters.fill.fill` (``extra_pages``),
so one PDF carries the cover and its enclosures. Thai lines break at word boundaries
(pythainlp's dictionary segmentation), never inside a word unless the word alone is wider
than its column.

The blocks are plain data: the DOCX renderer takes the same list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

from dgops.letters.fill import FONT_RESOURCES, draw_compact, fill_fonts

Align = Literal["left", "right", "center"]
BODY_PT = 11.0
"""Google Sarabun 11 pt ≈ TH Sarabun New 16 pt (the letters' body size)."""
TABLE_PT = 9.5
LINE_EM = 1.5
"""Line pitch of enclosure text (ascender + descender is 1.3 em)."""
ASCENDER_EM = 1.068
DESCENDER_EM = 0.232
SHORT = 24
"""Strings up to this long are measured whole before being cut into words."""
WRAP_MARGIN = 0.5
"""Points a wrapped line keeps free (kerning between words is not measured)."""
_SIMPLE = frozenset("0123456789๐๑๒๓๔๕๖๗๘๙./-")
"""Characters drawn one glyph each without shaping (figures)."""
SHAPE_CACHE = 20_000
"""Shaped strings kept per process (then the cache starts over)."""


class UndrawableText(ValueError):
    """A string with a character the fill fonts do not carry."""


@dataclass(frozen=True)
class Text:
    """A paragraph (wrapped to the column; ``first_indent`` on its first line)."""

    text: str
    bold: bool = False
    size: float = BODY_PT
    align: Align = "left"
    indent: float = 0.0
    first_indent: float = 0.0
    space_before: float = 0.0


@dataclass(frozen=True)
class Column:
    """A table column: its share of the width and its alignment."""

    weight: float
    align: Align = "left"


@dataclass(frozen=True)
class Table:
    """A bordered table; its header repeats on every page it runs over."""

    columns: tuple[Column, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    size: float = TABLE_PT
    space_before: float = 4.0
    min_row_height: float = 0.0
    """Rows to be written in by hand (an action plan) get room."""


@dataclass(frozen=True)
class Series:
    """One series of a bar chart; ``None`` values are drawn as a "no score" label."""

    label: str
    values: tuple[float | None, ...]
    rgb: tuple[float, float, float]
    missing: str = ""
    """Label for a ``None`` value (default: the chart's ``missing_label``)."""


@dataclass(frozen=True)
class BarChart:
    """Horizontal grouped bars, one group per category, on a 0..``maximum`` axis."""

    title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    maximum: float = 100.0
    step: float = 20.0
    missing_label: str = "ไม่มีคะแนน"
    note: str = ""
    """Printed under the legend (e.g. why a series is absent)."""
    digits: Literal["thai", "arabic"] = "thai"


@dataclass(frozen=True)
class PageBreak:
    """Start a new page; ``header`` is printed at its top right (and on pages it runs onto)."""

    header: str = ""


@dataclass(frozen=True)
class Space:
    points: float


Block = Text | Table | BarChart | PageBreak | Space


@dataclass(frozen=True)
class Geometry:
    """An A4 page with the official letter's margins (L 3 cm, R 2 cm, T 2.5 cm, B 2 cm)."""

    width: float = 595.276
    height: float = 841.89
    left: float = 85.04
    right: float = 56.69
    top: float = 70.87
    bottom: float = 56.69

    @property
    def content_width(self) -> float:
        return self.width - self.left - self.right


@cache
def _tokenizer() -> object:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


_CLOSING = frozenset(")]}.,;:!?%ๆฯ")
_OPENING = frozenset("([{")


def words(text: str) -> list[str]:
    """``text`` cut at Thai word boundaries and spaces (the spaces kept as tokens); a closing
    bracket or mark stays with the word before it, an opening bracket with the word after."""
    tokenize = _tokenizer()
    out: list[str] = []
    glue = False
    for token in tokenize(text, engine="newmm", keep_whitespace=True):  # type: ignore[operator]
        if out and (glue or token[0] in _CLOSING) and not out[-1].isspace():
            out[-1] += token
        elif token[0] == "ๆ" and len(out) >= 2 and out[-1].isspace():
            space = out.pop()
            out[-1] += space + token  # ไม้ยมก never starts a line
        else:
            out.append(token)
        glue = token[-1] in _OPENING
    return out


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


class Typesetter:
    """Shapes, measures, wraps and places strings in the fill fonts; keeps what it shaped."""

    def __init__(self, font_dir: str) -> None:
        self.fonts = fill_fonts(font_dir)
        self._shaped: dict[tuple[str, bool, float], tuple[bytes, float]] = {}
        self._wrapped: dict[tuple[str, bool, float, int], tuple[str, ...]] = {}
        self._words: dict[tuple[str, bool, float], float] = {}
        self._glyphs: dict[tuple[str, bool], tuple[int, float]] = {}

    def _simple(self, text: str, bold: bool, size: float) -> tuple[bytes, float]:
        """Figures (scores, ranks) without harfbuzz: one glyph per character, each advancing
        by its own width, so the ``TJ`` needs no adjustments. Thousands of distinct scores
        per batch make this the common case."""
        font = self.fonts[bold]
        gids = []
        width = 0.0
        for ch in text:
            glyph = self._glyphs.get((ch, bold))
            if glyph is None:
                runs, _ = font.shape(ch, size)
                gid = runs[0].glyphs[0].gid
                glyph = (gid, font.widths.get(gid, 0) / font.upem)
                self._glyphs[(ch, bold)] = glyph
            gids.append(f"<{glyph[0]:04X}>")
            width += glyph[1] * size
        name = FONT_RESOURCES[bold]
        ops = f"BT /{name} {size:g} Tf 1 0 0 1 0 0 Tm [{''.join(gids)}]TJ ET"
        return ops.encode("ascii"), width

    def shaped(self, text: str, bold: bool, size: float) -> tuple[bytes, float]:
        """Operators drawing ``text`` with the pen at the origin, and its advance width."""
        key = (text, bold, size)
        hit = self._shaped.get(key)
        if hit is not None:
            return hit
        if _SIMPLE.issuperset(text):
            hit = self._simple(text, bold, size)
        else:
            font = self.fonts[bold]
            runs, width = font.shape(text, size)
            if not font.can_draw(runs, text):
                missing = sorted(set(text) - font.chars)
                raise UndrawableText(f"cannot draw {missing!r} in {text!r}")
            hit = (draw_compact(runs, font, bold, size).encode("ascii"), width)
        if len(self._shaped) >= SHAPE_CACHE:
            self._shaped.clear()  # per-agency strings must not grow a batch's memory
        self._shaped[key] = hit
        return hit

    def width(self, text: str, bold: bool, size: float) -> float:
        if not text:
            return 0.0
        return self.shaped(text, bold, size)[1]

    def _measure(self, text: str, bold: bool, size: float) -> float:
        # Candidate lines while wrapping are measured without being cached.
        return self.fonts[bold].shape(text, size)[1]

    def place(self, text: str, x: float, y: float, bold: bool, size: float) -> bytes:
        """``text`` with its baseline starting at (``x``, ``y``)."""
        if not text:
            return b""
        ops = self.shaped(text, bold, size)[0]
        return b"q 1 0 0 1 %.2f %.2f cm\n%s\nQ\n" % (x, y, ops)

    def place_aligned(
        self, text: str, x: float, width: float, y: float, bold: bool, size: float, align: Align
    ) -> bytes:
        if align == "left":
            return self.place(text, x, y, bold, size)
        w = self.width(text, bold, size)
        dx = width - w if align == "right" else (width - w) / 2
        return self.place(text, x + dx, y, bold, size)

    def wrap(self, text: str, width: float, bold: bool, size: float) -> tuple[str, ...]:
        """``text`` broken into lines no wider than ``width`` (at words; ``\\n`` kept)."""
        key = (text, bold, size, round(width * 10))
        hit = self._wrapped.get(key)
        if hit is not None:
            return hit
        lines: list[str] = []
        for part in text.split("\n"):
            lines += self._wrap_line(part, width, bold, size)
        if len(self._wrapped) >= SHAPE_CACHE:
            self._wrapped.clear()
        self._wrapped[key] = tuple(lines)
        return tuple(lines)

    def _word_width(self, word: str, bold: bool, size: float) -> float:
        key = (word, bold, size)
        hit = self._words.get(key)
        if hit is None:
            hit = self._measure(word, bold, size)
            if len(self._words) >= SHAPE_CACHE:
                self._words.clear()
            self._words[key] = hit
        return hit

    def _wrap_line(self, text: str, width: float, bold: bool, size: float) -> list[str]:
        # Lines are measured as the sum of their words' widths (each word shaped once per
        # process): Thai shaping does not reach across a word boundary. A small margin
        # covers kerning between words.
        if not text.strip():
            return [""]
        limit = width - WRAP_MARGIN
        if len(text) <= SHORT and self.width(text.strip(), bold, size) <= limit:
            return [text.strip()]
        tokens = words(text)
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in tokens:
            w = self._word_width(word, bold, size)
            if not current and not word.strip():
                continue
            if current and used + w > limit and word.strip():
                lines.append("".join(current).rstrip())
                current, used = [], 0.0
            if w > limit and not current:
                head, rest = self._split_word(word, limit, bold, size)
                while rest:
                    lines.append(head)
                    word = rest
                    head, rest = self._split_word(word, limit, bold, size)
                word, w = head, self._measure(head, bold, size)
            current.append(word)
            used += w
        if current and "".join(current).strip():
            lines.append("".join(current).rstrip())
        return lines or [""]

    def _split_word(self, word: str, width: float, bold: bool, size: float) -> tuple[str, str]:
        """A word wider than the column: cut between Thai character clusters (never inside
        one), as late as the width allows."""
        cut = 0
        for end in _cluster_ends(word):
            if self._measure(word[:end], bold, size) > width:
                break
            cut = end
        if cut == 0:  # not even one cluster fits: it goes alone
            cut = next(iter(_cluster_ends(word)), len(word))
        return word[:cut], word[cut:]


def _cluster_ends(word: str) -> list[int]:
    from pythainlp.tokenize import subword_tokenize

    ends, at = [], 0
    for part in subword_tokenize(word, engine="tcc"):
        at += len(part)
        ends.append(at)
    return ends


@cache
def typesetter(font_dir: str) -> Typesetter:
    """This process's typesetter for ``font_dir`` (its caches shared by every letter)."""
    return Typesetter(font_dir)


def _line_height(size: float) -> float:
    return size * LINE_EM


def _baseline(top: float, size: float) -> float:
    """Baseline of a line whose box starts at ``top`` (text centred in the line pitch)."""
    return top - size * (ASCENDER_EM + (LINE_EM - ASCENDER_EM - DESCENDER_EM) / 2)


def _rgb(rgb: tuple[float, float, float], stroke: bool = False) -> bytes:
    op = b"RG" if stroke else b"rg"
    return b"%.3f %.3f %.3f %s\n" % (*rgb, op)


GRID = (0.75, 0.75, 0.75)
HEADER_FILL = (0.9, 0.9, 0.9)
MUTED = (0.35, 0.35, 0.35)


@dataclass
class Flow:
    """Blocks laid out down A4 pages; :meth:`pages` gives each page's content stream."""

    ts: Typesetter
    geometry: Geometry = field(default_factory=Geometry)
    header: str = ""
    _pages: list[list[bytes]] = field(default_factory=list)
    y: float = 0.0

    def new_page(self, header: str | None = None) -> None:
        if header is not None:
            self.header = header
        g = self.geometry
        self._pages.append([])
        self.y = g.height - g.top
        if self.header:
            self.emit(
                self.ts.place_aligned(
                    self.header,
                    g.left,
                    g.content_width,
                    _baseline(self.y, BODY_PT),
                    False,
                    BODY_PT,
                    "right",
                )
            )
            self.y -= _line_height(BODY_PT) + 4

    def emit(self, ops: bytes) -> None:
        if not self._pages:
            self.new_page()
        self._pages[-1].append(ops)

    def need(self, height: float) -> None:
        """Start a new page unless ``height`` points fit above the bottom margin."""
        if not self._pages or self.y - height < self.geometry.bottom:
            self.new_page()

    def add(self, block: Block) -> None:
        if isinstance(block, Text):
            self._text(block)
        elif isinstance(block, Table):
            self._table(block)
        elif isinstance(block, BarChart):
            self._chart(block)
        elif isinstance(block, PageBreak):
            self.new_page(block.header)
        else:
            self.y -= block.points

    def pages(self) -> list[bytes]:
        return [b"".join(page) for page in self._pages]

    def _text(self, block: Text) -> None:
        g = self.geometry
        width = g.content_width - block.indent
        lh = _line_height(block.size)
        if block.first_indent:
            first = self.ts.wrap(block.text, width - block.first_indent, block.bold, block.size)
            rest = " ".join(first[1:])
            lines = (
                [first[0], *self.ts.wrap(rest, width, block.bold, block.size)]
                if rest
                else [first[0]]
            )
        else:
            lines = list(self.ts.wrap(block.text, width, block.bold, block.size))
        self.need(block.space_before + lh * min(2, len(lines)))
        self.y -= block.space_before
        for i, line in enumerate(lines):
            self.need(lh)
            x = g.left + block.indent + (block.first_indent if i == 0 else 0)
            w = width - (block.first_indent if i == 0 else 0)
            base = _baseline(self.y, block.size)
            self.emit(self.ts.place_aligned(line, x, w, base, block.bold, block.size, block.align))
            self.y -= lh

    def _table(self, table: Table) -> None:
        g = self.geometry
        total = sum(c.weight for c in table.columns)
        widths = [g.content_width * c.weight / total for c in table.columns]
        pad = 3.0
        lh = _line_height(table.size)

        def cells(row: Sequence[str], bold: bool) -> tuple[list[tuple[str, ...]], float]:
            wrapped = [
                self.ts.wrap(text, w - 2 * pad, bold, table.size)
                for text, w in zip(row, widths, strict=True)
            ]
            height = max(len(c) for c in wrapped) * lh + 2 * pad
            return wrapped, height

        def draw(
            row: Sequence[str], bold: bool, fill: bool, laid: tuple[list[tuple[str, ...]], float]
        ) -> None:
            wrapped, height = laid
            height = max(height, table.min_row_height if not bold else 0)
            x = g.left
            top = self.y
            out = [b"q 0.5 w\n", _rgb(GRID, stroke=True)]
            if fill:
                out.append(_rgb(HEADER_FILL))
                out.append(b"%.2f %.2f %.2f %.2f re f\n" % (x, top - height, sum(widths), height))
            for w in widths:
                out.append(b"%.2f %.2f %.2f %.2f re S\n" % (x, top - height, w, height))
                x += w
            out.append(b"Q\n")
            x = g.left
            for lines, w, column in zip(wrapped, widths, table.columns, strict=True):
                align: Align = "center" if bold else column.align
                for i, line in enumerate(lines):
                    base = _baseline(top - pad - i * lh, table.size)
                    out.append(
                        self.ts.place_aligned(
                            line, x + pad, w - 2 * pad, base, bold, table.size, align
                        )
                    )
                x += w
            self.emit(b"".join(out))
            self.y -= height

        header = cells(table.header, True)
        rows = [cells(row, False) for row in table.rows]
        first_row = rows[0][1] if rows else 0.0
        self.need(table.space_before + header[1] + max(first_row, table.min_row_height))
        self.y -= table.space_before
        draw(table.header, True, True, header)
        for row, laid in zip(table.rows, rows, strict=True):
            height = max(laid[1], table.min_row_height)
            if self.y - height < g.bottom:
                self.new_page()
                draw(table.header, True, True, header)
            draw(row, False, False, laid)

    def _chart(self, chart: BarChart) -> None:
        g = self.geometry
        size = 9.0
        lh = _line_height(size)
        label_w = 150.0
        value_w = 34.0
        plot_x = g.left + label_w + 6
        plot_w = g.content_width - label_w - 6 - value_w
        bar_h = 8.0
        gap = 7.0
        n = len(chart.series)
        groups = []
        for category in chart.categories:
            lines = self.ts.wrap(category, label_w - 4, False, size)
            groups.append((lines, max(n * bar_h + gap, len(lines) * lh + 2)))
        # Legend items left to right from under the plot, wrapping at the right margin.
        legend: list[list[tuple[float, Series]]] = [[]]
        x = plot_x
        for series in chart.series:
            item = 12 + self.ts.width(series.label, False, size)
            if legend[-1] and x + item > g.left + g.content_width:
                legend.append([])
                x = plot_x
            legend[-1].append((x, series))
            x += item + 14
        legend_h = lh * len(legend) + (
            lh * len(self.ts.wrap(chart.note, g.content_width, False, size)) if chart.note else 0
        )
        title_h = _line_height(BODY_PT) + 2
        height = title_h + sum(h for _, h in groups) + lh + 6 + legend_h + 6
        self.need(height)
        out: list[bytes] = []
        out.append(self.ts.place(chart.title, g.left, _baseline(self.y, BODY_PT), True, BODY_PT))
        top = self.y - title_h
        plot_h = sum(h for _, h in groups)
        bottom = top - plot_h

        def fmt(v: float) -> str:
            text = _num(v)
            if chart.digits == "thai":
                from dgops.thai import thai_digits

                return thai_digits(text)
            return text

        # Grid and axis.
        out += [b"q 0.4 w\n", _rgb(GRID, stroke=True)]
        steps = int(chart.maximum // chart.step)
        for k in range(steps + 1):
            x = plot_x + plot_w * k / steps
            out.append(b"%.2f %.2f m %.2f %.2f l S\n" % (x, bottom, x, top))
        out.append(b"Q\n")
        tick_base = _baseline(bottom - 1, size)
        for k in range(steps + 1):
            x = plot_x + plot_w * k / steps
            out.append(
                self.ts.place_aligned(
                    fmt(chart.step * k), x - 15, 30, tick_base, False, size, "center"
                )
            )
        y = top
        for (lines, h), index in zip(groups, range(len(groups)), strict=True):
            label_top = y - (h - len(lines) * lh) / 2
            for i, line in enumerate(lines):
                out.append(
                    self.ts.place(line, g.left, _baseline(label_top - i * lh, size), False, size)
                )
            bars_top = y - (h - n * bar_h) / 2
            for s, series in enumerate(chart.series):
                value = series.values[index]
                by = bars_top - (s + 1) * bar_h
                text_base = by + (bar_h - size * (ASCENDER_EM - DESCENDER_EM)) / 2 - 0.3
                if value is None:
                    out.append(
                        b"q "
                        + _rgb(MUTED)
                        + self.ts.place(
                            series.missing or chart.missing_label,
                            plot_x + 2,
                            text_base,
                            False,
                            size - 1.5,
                        )
                        + b"Q\n"
                    )
                    continue
                clipped = max(0.0, min(value, chart.maximum))
                w = plot_w * clipped / chart.maximum
                out.append(
                    b"q "
                    + _rgb(series.rgb)
                    + b"%.2f %.2f %.2f %.2f re f Q\n" % (plot_x, by + 0.8, w, bar_h - 1.6)
                )
                out.append(
                    self.ts.place(
                        fmt(round(value, 1)), plot_x + w + 2, text_base, False, size - 1.5
                    )
                )
            y -= h
        out += [
            b"q 0.6 w 0 0 0 RG\n",
            b"%.2f %.2f m %.2f %.2f l S Q\n" % (plot_x, bottom, plot_x, top),
        ]
        # Legend.
        ly = bottom - lh - 6
        for row in legend:
            base = _baseline(ly, size)
            for x, series in row:
                out.append(b"q " + _rgb(series.rgb) + b"%.2f %.2f 9 7 re f Q\n" % (x, base))
                out.append(self.ts.place(series.label, x + 12, base, False, size))
            ly -= lh
        self.emit(b"".join(out))
        self.y = ly
        if chart.note:
            for line in self.ts.wrap(chart.note, g.content_width, False, size):
                self.emit(self.ts.place(line, g.left, _baseline(self.y, size), False, size))
                self.y -= lh
        self.y -= 6


def compose(
    blocks: Sequence[Block], font_dir: str, geometry: Geometry | None = None
) -> list[bytes]:
    """The content stream of each page ``blocks`` fill (drawn with the fill fonts)."""
    flow = Flow(typesetter(font_dir), geometry or Geometry())
    for block in blocks:
        flow.add(block)
    return flow.pages()


__all__ = [
    "BODY_PT",
    "TABLE_PT",
    "BarChart",
    "Block",
    "Column",
    "Flow",
    "Geometry",
    "PageBreak",
    "Series",
    "Space",
    "Table",
    "Text",
    "Typesetter",
    "UndrawableText",
    "compose",
    "typesetter",
    "words",
]
