"""Typeset a letter's layout once, then fill only its variable fields per agency.

typst sets the whole letter once per *layout* (everything but the fields: number, date,
salutation, the agency's name in the body, username, activation code), with each field a
reserved box at the end of its line (``field()`` in ``letter.typ``) whose start and width it
reports through ``query``. Per agency the fields are shaped with harfbuzz in the same Sarabun
fonts, drawn in one extra content stream with fonts of our own (Type0/Identity-H, a ToUnicode
entry per glyph, ``/ActualText`` for clusters a glyph map cannot express), and appended to the
cached layout as an incremental update: the layout's bytes are copied, never re-parsed.
A field wider than its box, or with a character the fill fonts do not carry, gives ``None``:
the caller renders that letter in full.
"""

from __future__ import annotations

import io
import json
import re
import zlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pikepdf
import uharfbuzz as hb
from fontTools import subset
from fontTools.ttLib import TTFont

from dgops.letters.pdftext import fix_cluster_text

ASCENDER_EM = 1.068
"""Sarabun's ascender (hhea and typo): the baseline sits this far below a line's top."""
FILL_UNICODES = [
    *range(0x20, 0x7F),
    0xA0,
    *range(0x0E01, 0x0E5C),
    0x2013,
    0x2014,
    0x2018,
    0x2019,
    0x201C,
    0x201D,
    0x2026,
]
"""What a field may contain (Basic Latin, Thai, common punctuation); anything else → full."""
_NAMES = {False: b"DGfillR", True: b"DGfillB"}
FONT_RESOURCES = {bold: name.decode() for bold, name in _NAMES.items()}
"""Resource names of the fill fonts on every page of a layout (regular, bold)."""
LAYOUT_CACHE_SIZE = 16


@dataclass(frozen=True)
class Field:
    """A reserved box in the layout: page (0-based), start x and baseline y in PDF points."""

    name: str
    bold: bool
    page: int
    x: float
    baseline: float
    width: float


@dataclass(frozen=True)
class Glyph:
    gid: int
    x: float
    y: float


@dataclass(frozen=True)
class Run:
    """Shaped glyphs of one cluster and the text they stand for (``actual`` if no map fits)."""

    glyphs: tuple[Glyph, ...]
    actual: str | None


class FillFont:
    """One Sarabun face: harfbuzz for shaping, a subset (same glyph ids) for embedding."""

    def __init__(self, path: Path) -> None:
        blob = hb.Blob.from_file_path(str(path))
        self.hb_font = hb.Font(hb.Face(blob))
        full = TTFont(str(path))
        self.upem = int(full["head"].unitsPerEm)
        self.hb_font.scale = (self.upem, self.upem)
        reverse: dict[str, int] = {}
        for code, name in sorted(full.getBestCmap().items(), reverse=True):
            reverse[name] = code  # the lowest code point wins (U+0020 before U+00A0)
        order = full.getGlyphOrder()
        self.to_unicode = {order.index(n): chr(c) for n, c in reverse.items()}
        self.chars = frozenset(chr(c) for c in FILL_UNICODES) & frozenset(
            chr(c) for c in full.getBestCmap()
        )
        options = subset.Options()
        options.retain_gids = True  # harfbuzz's glyph ids (from the full font) stay valid
        options.layout_features = ["*"]
        options.hinting = False
        options.notdef_outline = True
        sub = TTFont(str(path))
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=FILL_UNICODES)
        subsetter.subset(sub)
        for table in ("GSUB", "GPOS", "GDEF"):
            if table in sub:
                del sub[table]  # shaping happened already: the PDF font only draws
        out = io.BytesIO()
        sub.save(out)
        self.subset_bytes = out.getvalue()
        self.name = str(full["name"].getDebugName(6))
        hmtx = full["hmtx"]
        retained = set(subsetter.glyphs_retained) | {".notdef"}
        self.kept = {gid for gid, name in enumerate(full.getGlyphOrder()) if name in retained}
        self.widths = {gid: hmtx[order[gid]][0] for gid in self.kept}
        head = sub["head"]
        self.bbox = [head.xMin, head.yMin, head.xMax, head.yMax]
        os2 = sub["OS/2"]
        self.ascent, self.descent = int(os2.sTypoAscender), int(os2.sTypoDescender)
        self.cap_height = int(getattr(os2, "sCapHeight", 0) or self.ascent)

    def shape(self, text: str, size: float) -> tuple[list[Run], float]:
        """Glyph runs (one per cluster) positioned from a pen at 0, and the total advance."""
        buf = hb.Buffer()
        buf.add_codepoints([ord(c) for c in text])
        buf.guess_segment_properties()
        hb.shape(self.hb_font, buf, {})
        scale = size / self.upem
        infos, positions = buf.glyph_infos, buf.glyph_positions
        starts = sorted({info.cluster for info in infos})
        ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
        runs: list[Run] = []
        pen = 0.0
        current: list[Glyph] = []
        cluster = -1
        for info, pos in zip(infos, positions, strict=True):
            if info.cluster != cluster and current:
                runs.append(self._run(current, text[cluster : ends[cluster]]))
                current = []
            cluster = info.cluster
            current.append(Glyph(info.codepoint, pen + pos.x_offset * scale, pos.y_offset * scale))
            pen += pos.x_advance * scale
        if current:
            runs.append(self._run(current, text[cluster : ends[cluster]]))
        return runs, pen

    def _run(self, glyphs: list[Glyph], text: str) -> Run:
        mapped = "".join(self.to_unicode.get(g.gid, "\0") for g in glyphs)
        return Run(tuple(glyphs), None if mapped == text else text)

    def can_draw(self, runs: list[Run], text: str) -> bool:
        return set(text) <= self.chars and all(g.gid in self.kept for r in runs for g in r.glyphs)


@cache
def fill_fonts(font_dir: str) -> dict[bool, FillFont]:
    """Regular and bold Sarabun, loaded and subset once per process."""
    root = Path(font_dir)
    return {
        False: FillFont(root / "Sarabun-Regular.ttf"),
        True: FillFont(root / "Sarabun-Bold.ttf"),
    }


def _utf16_hex(text: str) -> str:
    return "FEFF" + text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(mapping: dict[int, str]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        "1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start : start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{gid:04X}> <{text.encode('utf-16-be').hex().upper()}>" for gid, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
    return "\n".join(lines).encode("ascii")


def _embed(pdf: pikepdf.Pdf, font: FillFont, tag: str) -> pikepdf.Object:
    base = pikepdf.Name(f"/{tag}+{font.name}")
    file2 = pdf.make_stream(font.subset_bytes)
    file2.Length1 = len(font.subset_bytes)
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=base,
        Flags=4,
        FontBBox=font.bbox,
        ItalicAngle=0,
        Ascent=font.ascent,
        Descent=font.descent,
        CapHeight=font.cap_height,
        StemV=80,
        FontFile2=file2,
    )
    widths: list[Any] = []
    for gid in sorted(font.widths):
        widths += [gid, [font.widths[gid] * 1000 / font.upem]]
    cid_font = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=base,
        CIDSystemInfo=pikepdf.Dictionary(
            Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0
        ),
        FontDescriptor=pdf.make_indirect(descriptor),
        W=widths,
        DW=0,
        CIDToGIDMap=pikepdf.Name.Identity,
    )
    mapping = {gid: text for gid, text in font.to_unicode.items() if gid in font.kept}
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type0,
            BaseFont=base,
            Encoding=pikepdf.Name("/Identity-H"),
            DescendantFonts=[pdf.make_indirect(cid_font)],
            ToUnicode=pdf.make_stream(_to_unicode_cmap(mapping)),
        )
    )


@dataclass(frozen=True)
class Layout:
    """A letter typeset without its fields, ready to take them as an incremental update."""

    prefix: bytes
    fields: dict[str, Field]
    streams: tuple[int, ...]
    """Object number of each page's (empty) fill stream."""
    trailer: bytes
    """The trailer's entries but ``/Size`` (which grows with appended pages)."""
    startxref: int
    size_pt: float
    size: int = 0
    """The layout's ``/Size``: the first object number free for appended pages."""
    pages_obj: int = 0
    """Object number of the page tree's root (rewritten when pages are appended)."""
    pages_head: bytes = b""
    """The page tree root's entries other than ``/Kids`` and ``/Count``."""
    kids: tuple[int, ...] = ()
    font_objs: tuple[int, int] = (0, 0)
    """Object numbers of the regular and bold fill fonts."""
    media_box: tuple[float, float] = (595.276, 841.89)


def build_layout(
    template_pdf: bytes, fields: list[dict[str, Any]], size_pt: float, font_dir: str
) -> Layout:
    """Prepare a typst layout render: fix its cluster text, add fill fonts and streams."""
    fonts = fill_fonts(font_dir)
    pdf = pikepdf.open(io.BytesIO(fix_cluster_text(template_pdf)))
    embedded = {
        bold: _embed(pdf, font, "DGFILL" if not bold else "DGFILB") for bold, font in fonts.items()
    }
    heights = []
    for page in pdf.pages:
        if "/Resources" not in page.obj:
            page.obj.Resources = pikepdf.Dictionary()
        resources = page.obj.Resources
        if "/Font" not in resources:
            resources.Font = pikepdf.Dictionary()
        font_dict = resources.Font
        for bold, ref in embedded.items():
            font_dict[pikepdf.Name("/" + _NAMES[bold].decode())] = ref
        original = (
            list(page.Contents) if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
        )
        page.obj.Contents = pikepdf.Array(
            [pdf.make_stream(b"q\n"), *original, pdf.make_stream(b"\nQ\n"), pdf.make_stream(b" ")]
        )
        heights.append(float(page.mediabox[3]))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable, compress_streams=True)
    data = out.getvalue()
    saved = pikepdf.open(io.BytesIO(data))
    streams = tuple(int(list(p.Contents)[-1].objgen[0]) for p in saved.pages)
    trailer = saved.trailer
    ids = b"".join(b"<" + bytes(i).hex().encode() + b">" for i in trailer.ID)
    info = f"/Info {trailer.Info.objgen[0]} 0 R" if "/Info" in trailer else ""
    head = f"/Root {trailer.Root.objgen[0]} 0 R{info}/ID [".encode()
    root_pages = saved.Root.Pages
    pages_head = b"".join(
        pikepdf.Name(key).unparse() + b" " + _unparse(value)
        for key, value in root_pages.items()
        if key not in ("/Kids", "/Count")
    )
    first = saved.pages[0].mediabox if len(saved.pages) else [0, 0, 595.276, 841.89]
    startxref = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    by_name = {
        f["name"]: Field(
            name=f["name"],
            bold=bool(f["bold"]),
            page=int(f["page"]) - 1,
            x=float(f["x"]),
            baseline=heights[int(f["page"]) - 1] - float(f["y"]) - ASCENDER_EM * size_pt,
            width=float(f["width"]),
        )
        for f in fields
    }
    if not data.endswith(b"\n"):
        data += b"\n"
    return Layout(
        data,
        by_name,
        streams,
        head + ids + b"]",
        startxref,
        size_pt,
        size=int(trailer.Size),
        pages_obj=int(root_pages.objgen[0]),
        pages_head=pages_head,
        kids=tuple(int(p.objgen[0]) for p in saved.pages),
        font_objs=(
            int(
                saved.pages[0].Resources.Font[pikepdf.Name("/" + _NAMES[False].decode())].objgen[0]
            ),
            int(saved.pages[0].Resources.Font[pikepdf.Name("/" + _NAMES[True].decode())].objgen[0]),
        ),
        media_box=(float(first[2]), float(first[3])),
    )


def _unparse(value: Any) -> bytes:
    """A PDF object as it is written (indirect ones by reference)."""
    if isinstance(value, pikepdf.Object) and value.is_indirect:
        return f"{value.objgen[0]} {value.objgen[1]} R".encode()
    data = value.unparse() if isinstance(value, pikepdf.Object) else str(value).encode()
    assert isinstance(data, bytes)
    return data


def draw_text(runs: list[Run], x: float, y: float, bold: bool, size: float) -> list[str]:
    """Content-stream operators drawing shaped ``runs`` with the pen at (``x``, ``y``)."""
    return _draw(runs, x, y, _NAMES[bold], size)


def draw_compact(runs: list[Run], font: FillFont, bold: bool, size: float) -> str:
    """Like :func:`draw_text` at the origin, but compact: glyphs on the baseline go in ``TJ``
    arrays (kerning as adjustments), only raised marks get a ``Tm`` of their own. About a
    fifth of the bytes, for enclosures drawn by the hundred thousand."""
    scale = size / font.upem
    ops = [f"BT /{_NAMES[bold].decode()} {size:g} Tf"]
    items: list[str] = []
    pen: float | None = None

    def flush() -> None:
        if items:
            ops.append("[" + "".join(items) + "]TJ")
            items.clear()

    for run in runs:
        actual = run.actual
        if actual is None and len(run.glyphs) > 1:
            # A cluster of a base and its marks: poppler may order a mark after the next base
            # or put it on a line of its own (bold ปฏิบัติ); the span gives the cluster's text
            # once, where the cluster starts.
            actual = "".join(font.to_unicode.get(g.gid, "") for g in run.glyphs)
        if actual is not None:
            flush()
            ops.append(f"/Span <</ActualText <{_utf16_hex(actual)}>>> BDC")
        for g in run.glyphs:
            advance = font.widths.get(g.gid, 0) * scale
            if abs(g.y) > 0.001:
                flush()
                ops.append(f"1 0 0 1 {g.x:.3f} {g.y:.3f} Tm <{g.gid:04X}> Tj")
                pen = None
                continue
            if pen is None:
                flush()
                ops.append(f"1 0 0 1 {g.x:.3f} 0 Tm")
            elif abs(g.x - pen) > 0.001:
                items.append(f"{-(g.x - pen) * 1000 / size:.1f}")
            items.append(f"<{g.gid:04X}>")
            pen = g.x + advance
        if actual is not None:
            flush()
            ops.append("EMC")
    flush()
    ops.append("ET")
    return "\n".join(ops)


def _draw(runs: list[Run], x: float, y: float, font: bytes, size: float) -> list[str]:
    ops = [f"BT /{font.decode()} {size:g} Tf"]
    for run in runs:
        if run.actual is not None:
            ops.append(f"/Span <</ActualText <{_utf16_hex(run.actual)}>>> BDC")
        for g in run.glyphs:
            ops.append(f"1 0 0 1 {x + g.x:.3f} {y + g.y:.3f} Tm <{g.gid:04X}> Tj")
        if run.actual is not None:
            ops.append("EMC")
    ops.append("ET")
    return ops


def fits(layout: Layout, name: str, text: str, font_dir: str) -> bool:
    """Whether ``text`` can be drawn in the field ``name`` of ``layout``."""
    box = layout.fields[name]
    font = fill_fonts(font_dir)[box.bold]
    runs, width = font.shape(text, layout.size_pt)
    return width <= box.width + 0.01 and font.can_draw(runs, text)


def _stream(number: int, content: bytes, level: int = 6) -> bytes:
    body = zlib.compress(content, level)
    return (
        f"{number} 0 obj\n<</Length {len(body)}/Filter/FlateDecode>>\nstream\n".encode()
        + body
        + b"\nendstream\nendobj\n"
    )


def fill(
    layout: Layout,
    values: dict[str, str],
    font_dir: str,
    extra_pages: Sequence[bytes] = (),
) -> bytes | None:
    """The letter: ``layout`` with ``values`` drawn in its fields, or ``None`` if one cannot be.

    ``extra_pages`` are content streams of pages appended after the layout's (enclosures),
    drawn with the fill fonts (:data:`FONT_RESOURCES`), in the same incremental update.
    """
    fonts = fill_fonts(font_dir)
    pages: dict[int, list[str]] = {}
    for name, text in values.items():
        box = layout.fields[name]
        font = fonts[box.bold]
        runs, width = font.shape(text, layout.size_pt)
        if width > box.width + 0.01 or not font.can_draw(runs, text):
            return None
        pages.setdefault(box.page, []).extend(
            _draw(runs, box.x, box.baseline, _NAMES[box.bold], layout.size_pt)
        )
    parts = [layout.prefix]
    offset = len(layout.prefix)
    xref = [b"xref\n0 1\n0000000000 65535 f \n"]
    for page, number in enumerate(layout.streams):
        obj = _stream(number, "\n".join(pages.get(page, [])).encode("ascii"))
        xref.append(f"{number} 1\n{offset:010d} 00000 n \n".encode())
        parts.append(obj)
        offset += len(obj)
    size = layout.size
    if extra_pages:
        font_refs = "".join(
            f"/{FONT_RESOURCES[bold]} {layout.font_objs[int(bold)]} 0 R" for bold in (False, True)
        )
        width, height = layout.media_box
        new_kids: list[int] = []
        objs: list[tuple[int, bytes]] = []
        for content in extra_pages:
            stream_no, page_no = size, size + 1
            size += 2
            # Level 1: a third of level 6's time on enclosure pages, ~15 % larger.
            objs.append((stream_no, _stream(stream_no, content, 1)))
            page_obj = (
                f"{page_no} 0 obj\n<</Type/Page/Parent {layout.pages_obj} 0 R"
                f"/MediaBox[0 0 {width:g} {height:g}]/Resources<</Font<<{font_refs}>>>>"
                f"/Contents {stream_no} 0 R>>\nendobj\n"
            ).encode()
            objs.append((page_no, page_obj))
            new_kids.append(page_no)
        kids = " ".join(f"{k} 0 R" for k in (*layout.kids, *new_kids))
        tree = (
            f"{layout.pages_obj} 0 obj\n<<".encode()
            + layout.pages_head
            + f"/Kids[{kids}]/Count {len(layout.kids) + len(new_kids)}>>\nendobj\n".encode()
        )
        xref.append(f"{layout.pages_obj} 1\n{offset:010d} 00000 n \n".encode())
        parts.append(tree)
        offset += len(tree)
        xref.append(f"{layout.size} {size - layout.size}\n".encode())
        for _, obj in objs:
            xref.append(f"{offset:010d} 00000 n \n".encode())
            parts.append(obj)
            offset += len(obj)
    parts += xref
    parts.append(
        f"trailer\n<</Size {size}".encode()
        + layout.trailer
        + f"/Prev {layout.startxref}>>\nstartxref\n{offset}\n%%EOF\n".encode()
    )
    return b"".join(parts)


class LayoutCache:
    """The last few layouts by key (an LRU): one typst render per distinct layout."""

    def __init__(self, size: int = LAYOUT_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[str, Layout] = OrderedDict()
        self.builds = 0

    def get(self, key: str, build: Callable[[], Layout]) -> Layout:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        layout = build()
        self.builds += 1
        self._items[key] = layout
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return layout


def layout_key(parts: dict[str, Any]) -> str:
    """A stable key for everything a layout depends on."""
    return json.dumps(parts, ensure_ascii=False, sort_keys=True)


__all__ = [
    "FONT_RESOURCES",
    "Field",
    "FillFont",
    "Layout",
    "LayoutCache",
    "build_layout",
    "draw_compact",
    "draw_text",
    "fill",
    "fill_fonts",
    "fits",
]
