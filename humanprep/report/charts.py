"""Count charts as PNG bytes: matplotlib's Agg canvas, no pyplot state, fixed size and dpi,
matplotlib's default style (a user's matplotlibrc does not leak in) and no Software chunk,
so the same numbers always give the same bytes."""

import io
import textwrap

import matplotlib
from matplotlib import style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

# Okabe & Ito's colour-blind-safe qualitative palette (Color Universal Design), black last.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000")  # fmt: skip
ACCEPTED, REJECTED = "#009E73", "#D55E00"  # bluish green vs vermillion: told apart by all
SIZE = (8.0, 4.5)
DPI = 100
RC = {"font.family": "DejaVu Sans", "font.size": 10, "axes.spines.top": False,
      "axes.spines.right": False, "path.simplify": False}  # fmt: skip


def wrap(label, width=14):
    """A long tick label over several lines, so none is clipped or overlaps its neighbour."""
    return "\n".join(textwrap.wrap(str(label), width)) or str(label)


def _render(plot, size=SIZE):
    with style.context("default"), matplotlib.rc_context(RC):
        fig = Figure(figsize=size, dpi=DPI)
        FigureCanvasAgg(fig)
        plot(fig)
        fig.tight_layout()
        buf = io.BytesIO()
        # bbox "tight" grows the canvas to every label: nothing is clipped at the edges.
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None},
                    bbox_inches="tight", pad_inches=0.15)  # fmt: skip
    return buf.getvalue()


def bar_chart(groups, title, ylabel="count", horizontal=False, size=SIZE, colours=None):
    """Grouped bars: `groups` = {group label: {series: value}} (series in the first group's
    order), each bar labelled with its value. `colours` ({group label: colour}) colours a
    single series per bar instead of per series."""
    labels = list(groups)
    series = list(dict.fromkeys(s for g in groups.values() for s in g))

    def plot(fig):
        ax = fig.add_subplot()
        width = 0.8 / max(1, len(series))
        for i, name in enumerate(series):
            pos = [j + (i - (len(series) - 1) / 2) * width for j in range(len(labels))]
            values = [groups[g].get(name, 0) for g in labels]
            colour = [colours[g] for g in labels] if colours else OKABE_ITO[i % len(OKABE_ITO)]
            bars = (ax.barh if horizontal else ax.bar)(pos, values, width, label=name, color=colour)
            ax.bar_label(bars, padding=2, fontsize=8)
        ticks = ax.set_yticks if horizontal else ax.set_xticks
        ticks(range(len(labels)), [wrap(label, 24 if horizontal else 14) for label in labels])
        (ax.set_xlabel if horizontal else ax.set_ylabel)(ylabel)
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
        if horizontal:
            ax.invert_yaxis()
        ax.set_title(title)
        ax.margins(x=0.02 if not horizontal else 0.1, y=0.1 if not horizontal else 0.02)
        if len(series) > 1:
            ax.legend(frameon=False)

    return _render(plot, size)


def decision_colours(labels, accepted="accepted"):
    """{label: colour}: the accepted bar green, every rejection vermillion."""
    return {label: ACCEPTED if label == accepted else REJECTED for label in labels}


def matrix_chart(names, counts, title, size=(6.0, 5.0)):
    """A heat map of a square matrix of counts (rows and columns `names`), each cell
    labelled; white to Okabe & Ito's blue, one sequential scale."""
    cmap = LinearSegmentedColormap.from_list("okabe_ito_blue", ["#FFFFFF", OKABE_ITO[0]])
    top = max(1, max(max(row) for row in counts) if len(counts) else 0)

    def plot(fig):
        ax = fig.add_subplot()
        ax.imshow(counts, cmap=cmap, vmin=0, vmax=top)
        ax.set_xticks(range(len(names)), [wrap(n) for n in names])
        ax.set_yticks(range(len(names)), names)
        for i, row in enumerate(counts):
            for j, n in enumerate(row):
                colour = "white" if n > top / 2 else "black"
                ax.text(j, i, str(n), ha="center", va="center", color=colour)
        ax.set_title(title)

    return _render(plot, size)
