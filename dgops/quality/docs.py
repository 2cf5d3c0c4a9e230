"""Data Docs that render offline: CDN tags removed, a small stylesheet of our own inlined.

Great Expectations ships only its own stylesheet and fonts; Bootstrap, jQuery, Font Awesome
and bootstrap-table come from CDNs. The pages are readable without them (tables, headings);
the interactive table filters are lost, which operators do not need offline.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["CDN_PATTERN", "OFFLINE_CSS", "make_offline"]

CDN_PATTERN = re.compile(r"https?://[^\s\"'<>)]+", re.IGNORECASE)
_TAG = re.compile(
    r"<link\b[^>]*href=[\"']https?://[^>]*>|<script\b[^>]*src=[\"']https?://[^>]*>\s*</script>",
    re.IGNORECASE,
)
_MARK = "<!-- dgops offline -->"
OFFLINE_CSS = """<style>
body{font-family:Sarabun,"TH Sarabun New",Tahoma,sans-serif;margin:0;color:#1f2933;background:#fff}
.container,.container-fluid{padding:0 16px;max-width:1400px;margin:auto}
table{border-collapse:collapse;width:100%;margin:8px 0}
th,td{border:1px solid #d9dde3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f5f7fa}.text-danger{color:#b42318}.text-success{color:#067647}
.badge{display:inline-block;padding:1px 6px;border-radius:4px;background:#e4e7eb}
.card{border:1px solid #e4e7eb;border-radius:6px;margin:12px 0;padding:8px}
.navbar{background:#0b3d91;color:#fff;padding:8px 16px}.navbar a{color:#fff}
.row{display:flex;flex-wrap:wrap}.col-md-2,.col-md-3{flex:0 0 22%}.col-md-9,.col-md-10{flex:1}
.d-none,.modal{display:none}
</style>"""


def _rewrite(html: str) -> str:
    html = _TAG.sub("", html)
    html = CDN_PATTERN.sub("#", html)  # leftover links (docs, CDN fallbacks) go nowhere
    if _MARK not in html:
        html = html.replace("</head>", f"{_MARK}\n{OFFLINE_CSS}\n</head>", 1)
    return html


def make_offline(docs_dir: Path) -> int:
    """Rewrite every HTML page under ``docs_dir`` to reference no http(s) URL; the count."""
    count = 0
    for page in docs_dir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _rewrite(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            count += 1
    return count
