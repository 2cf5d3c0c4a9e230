"""The report's charts: SVG and PNG from the same figure, Thai labels in Sarabun, one palette,
and an alt text per chart written from the same numbers.

matplotlib (with libraqm, so Thai marks are shaped) draws each chart once; the SVG draws its
text as outlines (``svg.fonttype: path``): typst's SVG text lost Thai vowels, and a viewer
without Sarabun shows the same chart. The alt text carries the words. Output is reproducible:
no dates in the files, fixed SVG ids.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dgops.publish.tables import StatTable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "LEVEL_COLORS",
    "PALETTE",
    "TILE_GRID",
    "Chart",
    "bar_chart",
    "fmt",
    "font_dir",
    "stacked_levels_chart",
    "tile_map",
    "write_chart",
]

LEVEL_COLORS = ("#c0392b", "#e67e22", "#f1c40f", "#5dade2", "#1f618d")
"""Maturity levels 1..5 (ริเริ่ม → ขั้นสูงสุด): warm to cool, the same in every chart."""
PALETTE = ("#1f618d", "#e67e22", "#7f8c8d", "#27ae60")
"""Series colours: this year, last year, neutral, highlight."""
NO_DATA = "#e5e7e9"

TILE_GRID: dict[str, tuple[int, int]] = {
    # North
    "เชียงราย": (0, 3), "แม่ฮ่องสอน": (1, 1), "เชียงใหม่": (1, 2), "พะเยา": (1, 3),
    "น่าน": (1, 4), "ลำพูน": (2, 2), "ลำปาง": (2, 3), "แพร่": (2, 4), "ตาก": (3, 1),
    "สุโขทัย": (3, 2), "อุตรดิตถ์": (3, 3), "พิษณุโลก": (3, 4), "กำแพงเพชร": (4, 2),
    "พิจิตร": (4, 3), "เพชรบูรณ์": (4, 4), "อุทัยธานี": (5, 1), "นครสวรรค์": (5, 2),
    # Northeast
    "หนองคาย": (2, 6), "บึงกาฬ": (2, 7), "เลย": (3, 5), "หนองบัวลำภู": (3, 6),
    "อุดรธานี": (3, 7), "สกลนคร": (3, 8), "นครพนม": (3, 9), "ชัยภูมิ": (4, 5),
    "ขอนแก่น": (4, 6), "กาฬสินธุ์": (4, 7), "มุกดาหาร": (4, 8), "มหาสารคาม": (5, 6),
    "ร้อยเอ็ด": (5, 7), "ยโสธร": (5, 8), "อำนาจเจริญ": (5, 9), "นครราชสีมา": (6, 5),
    "บุรีรัมย์": (6, 6), "สุรินทร์": (6, 7), "ศรีสะเกษ": (6, 8), "อุบลราชธานี": (6, 9),
    # Central, West, East
    "ลพบุรี": (5, 3), "ชัยนาท": (6, 2), "สิงห์บุรี": (6, 3), "สระบุรี": (6, 4),
    "กาญจนบุรี": (7, 0), "สุพรรณบุรี": (7, 1), "อ่างทอง": (7, 2),
    "พระนครศรีอยุธยา": (7, 3), "นครนายก": (7, 4), "ปราจีนบุรี": (7, 5), "สระแก้ว": (7, 6),
    "ราชบุรี": (8, 0), "นครปฐม": (8, 1), "นนทบุรี": (8, 2), "ปทุมธานี": (8, 3),
    "ฉะเชิงเทรา": (8, 4), "สมุทรสงคราม": (9, 0), "สมุทรสาคร": (9, 1),
    "กรุงเทพมหานคร": (9, 2), "สมุทรปราการ": (9, 3), "ชลบุรี": (9, 4), "เพชรบุรี": (10, 0),
    "ระยอง": (10, 4), "จันทบุรี": (10, 5), "ตราด": (10, 6), "ประจวบคีรีขันธ์": (11, 0),
    # South
    "ชุมพร": (12, 0), "ระนอง": (13, 0), "สุราษฎร์ธานี": (13, 1), "พังงา": (14, 0),
    "กระบี่": (14, 1), "นครศรีธรรมราช": (14, 2), "ภูเก็ต": (15, 0), "ตรัง": (15, 1),
    "พัทลุง": (15, 2), "สตูล": (16, 1), "สงขลา": (16, 2), "ปัตตานี": (16, 3),
    "ยะลา": (17, 2), "นราธิวาส": (17, 3),
}  # fmt: skip
"""A tile per province, placed roughly where it lies (row 0 = the far north)."""
assert len(TILE_GRID) == 77
assert len(set(TILE_GRID.values())) == 77


def font_dir() -> Path:
    """Google's OFL Sarabun (the letters' font), the font of every chart and the report."""
    from dgops.letters import FONT_DIR

    return FONT_DIR


_READY = False


def _setup() -> None:
    global _READY
    if _READY:
        return
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager

    for path in sorted(font_dir().glob("Sarabun-*.ttf")):
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams.update(
        {
            "font.family": "Sarabun",
            "font.size": 10,
            "svg.fonttype": "path",
            "svg.hashsalt": "dgops-publication",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    _READY = True


@dataclass(frozen=True)
class Chart:
    """A written chart: its files and its alt text (Thai)."""

    key: str
    title_th: str
    alt_th: str
    svg: Path
    png: Path


def write_chart(fig: Figure, folder: Path, key: str, title_th: str, alt_th: str) -> Chart:
    """Save ``fig`` as ``<key>.svg`` (with ``<title>``/``<desc>``) and ``<key>.png`` (150 dpi)."""
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    fig.savefig(
        buf, format="svg", metadata={"Date": None, "Title": title_th, "Description": alt_th}
    )
    svg = folder / f"{key}.svg"
    svg.write_bytes(buf.getvalue())
    png = folder / f"{key}.png"
    fig.savefig(png, format="png", dpi=150, metadata={"Software": None, "Description": alt_th})
    plt.close(fig)
    return Chart(key, title_th, alt_th, svg, png)


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def stacked_levels_chart(
    labels: Sequence[str], rows: Sequence[Sequence[float | None]], level_names: Sequence[str]
) -> Figure:
    """100 % stacked horizontal bars of the five levels, one bar per label (top to bottom);
    a row of None (a small group) is drawn empty."""
    _setup()
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.4))
    y = list(range(len(labels)))[::-1]
    left = [0.0] * len(labels)
    for k in range(5):
        widths = [0.0 if r[k] is None else float(r[k] or 0.0) for r in rows]
        ax.barh(y, widths, left=left, color=LEVEL_COLORS[k], label=level_names[k], height=0.7)
        for yi, lft, w in zip(y, left, widths, strict=True):
            if w >= 7:
                ax.text(lft + w / 2, yi, f"{w:.0f}", ha="center", va="center", fontsize=8,
                        color="white" if k in (0, 4) else "black")  # fmt: skip
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("ร้อยละของหน่วยงาน")
    ax.legend(ncols=5, loc="upper center", bbox_to_anchor=(0.5, -0.18), frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    xlabel: str,
    xmax: float | None = 100.0,
) -> Figure:
    """Horizontal bars: one group per label, one bar per series (its name, its values)."""
    _setup()
    import matplotlib.pyplot as plt

    n = len(series)
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.35 * len(labels) * max(n, 1) + 1.2)))
    height = 0.8 / max(n, 1)
    base = list(range(len(labels)))[::-1]
    for i, (name, values) in enumerate(series):
        y = [b + (n / 2 - i - 0.5) * height for b in base]
        vals = [0.0 if v is None else float(v) for v in values]
        ax.barh(y, vals, height=height, color=PALETTE[i % len(PALETTE)], label=name)
        for yi, v, raw in zip(y, vals, values, strict=True):
            ax.text(v + 0.5, yi, fmt(raw), va="center", fontsize=7)
    ax.set_yticks(base, labels)
    if xmax is not None:
        ax.set_xlim(0, xmax * 1.08)
    ax.set_xlabel(xlabel)
    if n > 1:
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def tile_map(values: dict[str, float | None], *, vmin: float = 0.0, vmax: float = 100.0) -> Figure:
    """The 77 provinces as a tile grid coloured by ``values`` (grey: no data)."""
    _setup()
    import matplotlib.pyplot as plt
    from matplotlib.colors import LinearSegmentedColormap, Normalize
    from matplotlib.patches import Rectangle

    cmap = LinearSegmentedColormap.from_list("dgops_levels", list(LEVEL_COLORS))
    norm = Normalize(vmin=vmin, vmax=vmax)
    rows = 1 + max(r for r, _ in TILE_GRID.values())
    cols = 1 + max(c for _, c in TILE_GRID.values())
    fig, ax = plt.subplots(figsize=(7.5, 11))
    for name, (r, c) in TILE_GRID.items():
        value = values.get(name)
        color: Any = NO_DATA if value is None else cmap(norm(value))
        ax.add_patch(Rectangle((c, rows - r - 1), 0.94, 0.94, color=color, linewidth=0))
        label = name if len(name) <= 10 else name[:9] + "."
        dark = value is not None and (norm(value) < 0.2 or norm(value) > 0.8)
        ax.text(c + 0.47, rows - r - 0.38, label, ha="center", va="center", fontsize=5.5,
                color="white" if dark else "black")  # fmt: skip
        ax.text(c + 0.47, rows - r - 0.72, fmt(value), ha="center", va="center", fontsize=6.5,
                color="white" if dark else "black")  # fmt: skip
    ax.set_xlim(-0.1, cols)
    ax.set_ylim(-0.1, rows)
    ax.set_aspect("equal")
    ax.axis("off")
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.03, pad=0.01,
                 label="คะแนนเฉลี่ยภาพรวม (สีเทา: ไม่มีข้อมูล)")  # fmt: skip
    fig.tight_layout()
    return fig


def table_alt(table: StatTable, label_col: str, value_col: str, unit: str) -> str:
    """A short alt text listing ``value_col`` of each row of ``table`` (Thai)."""
    frame = table.frame()
    parts = [f"{row[label_col]} {fmt(row[value_col])}{unit}" for _, row in frame.iterrows()]
    return f"{table.title_th}: " + "; ".join(parts)
