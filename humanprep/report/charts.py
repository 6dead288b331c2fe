"""Count charts as PNG bytes: matplotlib's Agg canvas, no pyplot state, fixed size and dpi,
matplotlib's default style (a user's matplotlibrc does not leak in) and no Software chunk,
so the same numbers always give the same bytes."""

import io

import matplotlib
from matplotlib import style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from humanprep.report.draw import COLOURS

SIZE = (8.0, 4.5)
DPI = 100
RC = {"font.family": "DejaVu Sans", "font.size": 10, "axes.spines.top": False,
      "axes.spines.right": False, "path.simplify": False}  # fmt: skip


def _hex(rgb):
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _render(plot, size=SIZE):
    with style.context("default"), matplotlib.rc_context(RC):
        fig = Figure(figsize=size, dpi=DPI)
        FigureCanvasAgg(fig)
        plot(fig)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def bar_chart(groups, title, ylabel="count", horizontal=False, size=SIZE):
    """Grouped bars: `groups` = {group label: {series: value}} (series in the first group's
    order), each bar labelled with its value."""
    labels = list(groups)
    series = list(dict.fromkeys(s for g in groups.values() for s in g))

    def plot(fig):
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(series))
        for i, name in enumerate(series):
            pos = [j + (i - (len(series) - 1) / 2) * width for j in range(len(labels))]
            values = [groups[g].get(name, 0) for g in labels]
            colour = _hex(COLOURS[i % len(COLOURS)])
            bars = (ax.barh if horizontal else ax.bar)(pos, values, width, label=name, color=colour)
            ax.bar_label(bars, padding=2, fontsize=8)
        ticks = ax.set_yticks if horizontal else ax.set_xticks
        ticks(range(len(labels)), labels)
        (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        if horizontal:
            ax.invert_yaxis()
        ax.set_title(title)
        ax.margins(x=0.02 if not horizontal else 0.1, y=0.1 if not horizontal else 0.02)
        if len(series) > 1:
            ax.legend(frameon=False)

    return _render(plot, size)


def pie_chart(counts, title, size=SIZE):
    """A pie of {label: count} with each wedge's count and percentage."""
    labels, values = list(counts), list(counts.values())
    total = sum(values)

    def plot(fig):
        ax = fig.add_subplot()
        colours = [_hex(COLOURS[i % len(COLOURS)]) for i in range(len(values))]
        ax.pie(
            values,
            labels=labels,
            colors=colours,
            autopct=lambda p: f"{round(p * total / 100)} ({p:.0f}%)",
            startangle=90,
            pctdistance=0.75,
            counterclock=False,
            wedgeprops={"linewidth": 1, "edgecolor": "white"},
            textprops={"fontsize": 9},
        )
        ax.set_aspect("equal")
        ax.set_title(title)

    return _render(plot, size)
