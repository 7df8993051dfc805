"""The 周报's chart: 会改联完成率 by child as a bar chart PNG with Chinese labels, drawn by matplotlib
(Agg, no display) with a CJK font found through its font manager (Noto Sans CJK or Noto Serif CJK
from Debian's fonts-noto-cjk, or any other font that covers Chinese). Where the machine has none, no
chart is drawn (`png` returns None) and the document says so, rather than showing boxes."""

import io
import threading
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure

# The families tried first, in order; then any installed font whose name says it covers Chinese.
PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "SimHei",
    "Microsoft YaHei",
)
CJK_HINTS = ("CJK", "Han Sans", "Han Serif", "WenQuanYi", "Hei", "Song", "Kai", "Fang")
BLUE = "#2563eb"
_lock = threading.Lock()  # matplotlib's font cache is not thread-safe


@lru_cache(maxsize=1)
def cjk_font():
    """The path of a font that covers Chinese, or None."""
    fonts = {f.name: f.fname for f in font_manager.fontManager.ttflist}
    for name in PREFERRED:
        if name in fonts:
            return fonts[name]
    for name, path in sorted(fonts.items()):
        if any(hint in name for hint in CJK_HINTS):
            return path
    return None


def png(chart, font=None):
    """A PNG (bytes) of `chart` (reform.weekly's chart section: label, names, values), or None when
    there is nothing to draw or no Chinese font (`font`: a font file, by default cjk_font())."""
    font = font or cjk_font()
    if font is None or not chart.get("names"):
        return None
    names, values = chart["names"], [v or 0 for v in chart["values"]]
    with _lock:
        prop = font_manager.FontProperties(fname=font)
        height = max(2.4, 0.42 * len(names) + 1.0)
        figure = Figure(figsize=(6.4, min(height, 20)), dpi=110)
        axes = figure.add_subplot()
        positions = list(range(len(names)))[::-1]  # the first child on top
        bars = axes.barh(positions, values, color=BLUE, height=0.6)
        axes.set_yticks(positions, labels=names, fontproperties=prop, fontsize=9)
        axes.set_xlim(0, 100)
        axes.set_xlabel("%", fontsize=9)
        axes.set_title(chart["label"], fontproperties=prop, fontsize=11)
        for bar, value in zip(bars, chart["values"], strict=True):
            text = "—" if value is None else f"{value:g}%"
            axes.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, text, va="center", fontsize=8)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="png")
    return out.getvalue()
