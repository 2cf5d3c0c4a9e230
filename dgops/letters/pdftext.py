"""Make typst's Thai PDFs copy out exactly: each cluster's text is given once, not twice.

typst 0.15 (krilla) draws a tone mark that harfbuzz raises above an upper vowel (ชั้น, สิ่ง,
ครั้ง, with Google Sarabun) in a text object of its own, and that piece carries the whole
cluster's text again, through an ``/ActualText`` span or through the mark glyph's ToUnicode
entry; poppler (``pdftotext``) then prints ``ชั้ชั้น`` (typst issues #4225 and #7610). The base
piece of the cluster already carries the cluster's full text, so a text object made only of
zero-advance glyphs gets an empty ``/ActualText``: it still draws, and adds no text.
"""

from __future__ import annotations

import io
import re

import pikepdf

_TEXT_OBJECT = re.compile(rb"BT(.*?)\nET", re.DOTALL)
_FONT = re.compile(rb"/([^\s/\[\]()<>]+)\s+[\d.]+\s+Tf")
_SPAN = re.compile(rb"/Span<</ActualText<[0-9A-Fa-f]*>>>BDC|EMC")
_ESCAPES = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
EMPTY_SPAN = b"/Span<</ActualText<FEFF>>>BDC "


def _strings(block: bytes) -> list[bytes]:
    """The decoded literal strings ``(...)`` of a content-stream fragment."""
    out: list[bytes] = []
    i, n = 0, len(block)
    while i < n:
        if block[i] != 0x28:  # "("
            i += 1
            continue
        depth, i, buf = 1, i + 1, bytearray()
        while i < n and depth:
            c = block[i]
            if c == 0x5C:  # backslash
                nxt = block[i + 1]
                if 0x30 <= nxt <= 0x37:
                    j = i + 1
                    while j < min(i + 4, n) and 0x30 <= block[j] <= 0x37:
                        j += 1
                    buf.append(int(block[i + 1 : j], 8) & 0xFF)
                    i = j
                    continue
                buf.append(_ESCAPES.get(nxt, nxt))
                i += 2
                continue
            if c == 0x28:
                depth += 1
            elif c == 0x29:
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            buf.append(c)
            i += 1
        out.append(bytes(buf))
    return out


def _widths(font: pikepdf.Object) -> tuple[dict[int, float], float]:
    descendant = font.DescendantFonts[0]
    default = float(descendant.get("/DW", 1000))
    widths: dict[int, float] = {}
    w = list(descendant.get("/W", pikepdf.Array()))
    i = 0
    while i + 1 < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], pikepdf.Array):
            for k, value in enumerate(w[i + 1]):
                widths[first + k] = float(value)
            i += 2
        else:
            for cid in range(first, int(w[i + 1]) + 1):
                widths[cid] = float(w[i + 2])
            i += 3
    return widths, default


def _fix_stream(data: bytes, zero: dict[bytes, set[int] | None]) -> bytes:
    def fix(match: re.Match[bytes]) -> bytes:
        block = match.group(1)
        fonts = set(_FONT.findall(block))
        if len(fonts) != 1:
            return match.group(0)
        zero_cids = zero.get(next(iter(fonts)))
        if zero_cids is None:
            return match.group(0)
        cids = [
            int.from_bytes(s[k : k + 2], "big")
            for s in _strings(block)
            for k in range(0, len(s), 2)
        ]
        if not cids or any(cid not in zero_cids for cid in cids):
            return match.group(0)
        return b"BT" + EMPTY_SPAN + _SPAN.sub(b"", block) + b"\nEMC\nET"

    return _TEXT_OBJECT.sub(fix, data)


def _zero_advance(font: pikepdf.Object) -> set[int] | None:
    if font.get("/Subtype") != "/Type0":
        return None
    widths, default = _widths(font)
    if default == 0:
        # Every CID not listed in /W has no advance: list the ones that have one instead.
        return _AllBut({cid for cid, w in widths.items() if w != 0})
    return {cid for cid, w in widths.items() if w == 0}


class _AllBut(set[int]):
    """Every CID except the given ones."""

    def __contains__(self, cid: object) -> bool:
        return not super().__contains__(cid)


def fix_cluster_text(pdf: bytes) -> bytes:
    """``pdf`` with the text of split Thai clusters given once (see the module docstring)."""
    doc = pikepdf.open(io.BytesIO(pdf))
    changed = False
    for page in doc.pages:
        fonts = page.Resources.get("/Font", pikepdf.Dictionary())
        zero = {str(name)[1:].encode(): _zero_advance(font) for name, font in fonts.items()}
        streams = (
            list(page.Contents) if isinstance(page.Contents, pikepdf.Array) else [page.Contents]
        )
        for stream in streams:
            data = stream.read_bytes()
            fixed = _fix_stream(data, zero)
            if fixed != data:
                stream.write(fixed)
                changed = True
    if not changed:
        return pdf
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = ["fix_cluster_text"]
