"""`snakemake --report` on the plain demo run: the HTML embeds every report picture with its
caption and category, and a real headless browser (Debian's chromium) renders it, both the
landing page and a contact sheet opened in the report's own viewer; screenshots are taken
and checked to be real, non-blank PNGs of the window size."""

import base64
import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

WINDOW = (1280, 2000)
# report picture -> (category, a phrase of its caption)
EXPECTED = {
    "results/report/sheets/shhq.png": ("Contact sheets", "BODY_25"),
    "results/report/sheets/fdh.png": ("Contact sheets", "17 COCO keypoints"),
    "results/report/sheets/deepfashion2.png": ("Contact sheets", "category name"),
    "results/report/sheets/celeba.png": ("Contact sheets", "label map"),
    "results/report/sheets/huge100k.png": ("Contact sheets", "front view"),
    "results/report/fullbody/accepted.png": ("Derived beside sources", "accepted"),
    "results/report/fullbody/rejected.png": ("Derived beside sources", "rejected"),
    "results/report/derived/shhq_composites.png": ("Derived beside sources", "on white"),
    "results/report/charts/stages.png": ("Counts", "quarantined"),
    "results/report/charts/categories.png": ("Counts", "per category"),
    "results/report/charts/fullbody_reasons.png": ("Counts", "for each reason"),
    "results/report/charts/licences.png": ("Counts", "per licence"),
    "results/report/quarantine/reasons.png": ("Quarantine and fixes", "by kind"),
    "results/report/quarantine/examples.html": ("Quarantine and fixes", "full reason"),
    "results/report/throughput/items_per_s.png": ("Throughput", "slowest"),
    "results/report/throughput/stages.html": ("Throughput", "peak memory"),
    "results/report/release/humanprep-demo-0.1.0.html": ("Release", "verify every file"),
    "results/report/dedup/pairs.png": ("Near-duplicates", "side by side"),
    "results/report/dedup/matrix.png": ("Near-duplicates", "per dataset pair"),
}
# Loads every embedded picture of the report into an <img> and writes each one's natural
# width into the page, for --dump-dom to read back.
LOAD_CHECK = """
<script>
(function check() {
  if (typeof results === "undefined") { return setTimeout(check, 50); }
  var paths = Object.keys(results).filter(function (p) {
    return results[p].mime_type.indexOf("image/") === 0; });
  var widths = {}, left = paths.length;
  function done() {
    if (--left > 0) { return; }
    var pre = document.createElement("pre");
    pre.id = "loadcheck";
    pre.textContent = JSON.stringify(widths);
    document.body.appendChild(pre);
  }
  paths.forEach(function (p) {
    var img = new Image();
    img.onload = function () { widths[p] = img.naturalWidth; done(); };
    img.onerror = function () { widths[p] = 0; done(); };
    img.src = results[p].data_uri;
  });
})();
</script>
"""
# Waits for the report's landing page to show the release headline (report/workflow.rst
# embeds results/report/headline.html), then writes where it is on screen, its text and
# the natural widths of its pictures into the page, for --dump-dom to read back.
HEADLINE_CHECK = """
<script>
(function check() {
  var el = document.getElementById("humanprep-headline");
  if (!el) { return setTimeout(check, 50); }
  var imgs = Array.prototype.slice.call(el.getElementsByTagName("img"));
  if (imgs.some(function (i) { return !i.complete; })) { return setTimeout(check, 50); }
  var box = el.getBoundingClientRect();
  var pre = document.createElement("pre");
  pre.id = "headlinecheck";
  pre.textContent = JSON.stringify({top: box.top, height: box.height, text: el.innerText,
    widths: imgs.map(function (i) { return i.naturalWidth; })});
  document.body.appendChild(pre);
})();
</script>
"""
# Screenshots of the report stay beside the test run, for a person to look at.
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "report"


# Opens one result in the report's own image viewer (the report has no URL routing): waits
# for the React app, then does what clicking the result in the navbar does.
SHOW_RESULT = """
<script>
(function show() {
  if (typeof app === "undefined" || !app) { return setTimeout(show, 50); }
  var path = %s;
  app.setView({navbarMode: "resultinfo", content: "img", resultPath: path,
               contentPath: results[path].data_uri});
})();
</script>
"""


def chromium():
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    pytest.skip("no chromium / chromium-browser on PATH (Debian: apt-get install chromium)")


def embedded(html, name):
    """The JSON the report template assigns to `var <name>` in its <script id=name>."""
    match = re.search(
        rf'<script id="{name}">\s*var {name} = (.*?);\s*</script>', html, flags=re.DOTALL
    )
    assert match, f"report has no embedded {name}"
    return json.loads(match.group(1))


def screenshot(browser, html_path, png_path, profile):
    cmd = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        f"--user-data-dir={profile}",
        f"--screenshot={png_path}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "--virtual-time-budget=10000",
        Path(html_path).resolve().as_uri(),
    ]
    start = time.monotonic()
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    elapsed = time.monotonic() - start
    assert res.returncode == 0 and Path(png_path).is_file(), res.stderr[-4000:]
    return elapsed


def check_screenshot(path, min_colours):
    data = Path(path).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == WINDOW
        colours = image.convert("RGB").getcolors(maxcolors=WINDOW[0] * WINDOW[1])
    assert len(colours) >= min_colours, f"{path}: only {len(colours)} colours (blank page?)"
    return len(colours)


def test_report_renders_in_headless_chromium(plain_run, tmp_path):
    from conftest import snakemake

    work, _ = plain_run
    work = Path(work)
    missing = [f for f in EXPECTED if not (work / f).is_file()]
    assert not missing, f"the demo run built no {missing}: is report_targets() in rule all?"

    report = tmp_path / "report.html"
    start = time.monotonic()
    res = snakemake(work, "--report", report)
    build = time.monotonic() - start
    assert res.returncode == 0, res.stderr[-8000:]
    html = report.read_text(encoding="utf-8")
    assert len(html) > 500_000 and "<title>Snakemake Report</title>" in html

    # every picture embedded byte for byte, with its caption and category
    results = embedded(html, "results")
    assert set(EXPECTED) <= set(results), sorted(set(EXPECTED) - set(results))
    for path, (_, phrase) in EXPECTED.items():
        entry = results[path]
        mime = "text/html" if path.endswith(".html") else "image/png"
        assert entry["mime_type"] == mime, path
        head, _, payload = entry["data_uri"].partition(",")
        assert head.startswith(f"data:{mime};") and head.endswith(";base64"), head
        data = base64.b64decode(payload)
        assert data == (work / path).read_bytes(), path
        assert phrase in entry["caption"], (path, entry["caption"][:300])
    categories = embedded(html, "categories")
    for path, (category, _) in EXPECTED.items():
        listed = [p for sub in categories[category].values() for p in sub]
        assert path in listed, (path, category)
    assert "humanprep turns gated human-image datasets" in html  # report/workflow.rst
    assert "DeepFashion-MultiModal) into verified" in html  # its intro names all six
    assert len(html) < 10_000_000, len(html)  # build time: printed below, not asserted
    nodes = json.loads(re.search(r"var rulegraph_spec = (.*?);\n", html, re.S).group(1))
    rules = [n["rule"] for d in nodes["data"] if d["name"] == "node-data" for n in d["values"]]
    assert len(rules) == len(set(rules)), sorted(rules)  # the rule graph shows each rule once

    browser = chromium()
    # every picture decodes in the browser: natural width > 0
    checked = tmp_path / "report_loadcheck.html"
    head, body_end, tail = html.rpartition("</body>")
    checked.write_text(head + LOAD_CHECK + body_end + tail, encoding="utf-8")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000",
         checked.resolve().as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    found = re.search(r'<pre id="loadcheck">(.*?)</pre>', dom.stdout, re.S)
    assert found, dom.stderr[-3000:]
    widths = json.loads(found.group(1).replace("&quot;", '"'))
    images = [p for p in EXPECTED if p.endswith(".png")]
    assert {p: widths.get(p, 0) > 0 for p in images} == dict.fromkeys(images, True), widths

    # the first screen: the release headline, above anything else, with its pictures
    from humanprep.datasets import DESCRIPTORS

    checked = tmp_path / "report_headline.html"
    head, body_end, tail = html.rpartition("</body>")
    checked.write_text(head + HEADLINE_CHECK + body_end + tail, encoding="utf-8")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=20000",
         f"--window-size={WINDOW[0]},{WINDOW[1]}", checked.resolve().as_uri()],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    found = re.search(r'<pre id="headlinecheck">(.*?)</pre>', dom.stdout, re.S)
    assert found, "no release headline on the landing page: " + dom.stderr[-2000:]
    shown = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))
    assert 0 <= shown["top"] < 400 and shown["top"] + shown["height"] < WINDOW[1], shown
    text = shown["text"]
    assert "Release humanprep-demo 0.1.0" in text and "Dropped, and why" in text
    assert all(d.title in text for d in DESCRIPTORS.values()), text  # all six named
    assert "quarantined" in text  # the demo quarantines hostile items, with their reasons
    assert len(shown["widths"]) == 6 and all(w > 0 for w in shown["widths"]), shown["widths"]

    landing = tmp_path / "report.png"
    render = screenshot(browser, report, landing, tmp_path / "profile")
    landing_colours = check_screenshot(landing, 50)

    # a contact sheet opened in the report's viewer: the picture itself is on screen
    sheet = "results/report/sheets/huge100k.png"
    viewer = tmp_path / "report_sheet.html"
    head, body_end, tail = html.rpartition("</body>")  # the last one: scripts contain some
    viewer.write_text(head + SHOW_RESULT % json.dumps(sheet) + body_end + tail, encoding="utf-8")
    shown = tmp_path / "report_sheet.png"
    screenshot(browser, viewer, shown, tmp_path / "profile")
    sheet_colours = check_screenshot(shown, 500)
    with Image.open(shown) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=int)
    red = (np.abs(rgb - (230, 25, 75)).sum(axis=-1) < 40).sum()
    assert red > 200, f"the front-view markers (red) are not on screen ({red} pixels)"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for made in (landing, shown):
        shutil.copy(made, ARTIFACTS / made.name)
    print(
        f"report: {len(html)} bytes built in {build:.1f}s; chromium render {render:.1f}s; "
        f"screenshots {landing} ({landing_colours} colours), {shown} ({sheet_colours} colours)"
    )
