"""The report page of the sketch maps' ink: each face's share of line pixels per map,
against the documented bands (humanprep.datasets.celeba.sketch.INK_BANDS)."""

import html

SHOWN = 200  # faces listed in full; a real run's other faces are summarised by quantiles
STYLE = "body{font-family:sans-serif}td,th{padding:2px 10px;text-align:left}"
MARK = "color:#d55e00;font-weight:bold"  # Okabe-Ito vermillion


def _pct(value):
    return f"{100 * value:.1f}%"


def _cell(value, outside):
    if outside:
        return f"<td style='{MARK}'>{_pct(value)} (outside)</td>"
    return f"<td>{_pct(value)}</td>"


def ink_page(entries, bands):
    """One HTML page: the bands, the faces outside them first (marked), then the others up
    to SHOWN, and each map's min / median / max over all faces."""
    maps = list(bands)

    def outside(entry):
        return [m for m in maps if not bands[m][0] <= entry["ink"].get(m, 0) <= bands[m][1]]

    ordered = sorted(entries, key=lambda e: (not outside(e), e["id"]))
    head = "".join(f"<th>{html.escape(m)}</th>" for m in maps)
    band_row = "".join(f"<td>{_pct(bands[m][0])} - {_pct(bands[m][1])}</td>" for m in maps)
    rows = [f"<tr><th>band</th>{band_row}</tr>"]
    for entry in ordered[:SHOWN]:
        bad = outside(entry)
        cells = "".join(_cell(entry["ink"].get(m, 0), m in bad) for m in maps)
        rows.append(f"<tr><td>{html.escape(entry['id'])}</td>{cells}</tr>")
    spread = []
    for m in maps:
        values = sorted(e["ink"].get(m, 0) for e in entries) or [0]
        mid = values[len(values) // 2]
        spread.append(f"<td>{_pct(values[0])} / {_pct(mid)} / {_pct(values[-1])}</td>")
    n_out = sum(1 for e in entries if outside(e))
    lines = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Sketch ink</title>",
        f"<style>{STYLE}</style></head><body><h2>Sketch maps: ink per face</h2>",
        f"<p>{len(entries)} faces; {n_out} with a map outside its band.</p>",
        f"<table><tr><th>face</th>{head}</tr>",
        *rows,
        f"<tr><th>min / median / max</th>{''.join(spread)}</tr>",
        "</table></body></html>",
    ]
    return "\n".join(lines) + "\n"
