"""The dataset card (README.md) and ATTRIBUTION.csv of a release."""

import csv
import io
from collections import Counter

from humanprep.dedup import policy

ATTRIBUTION_FIELDS = ("dataset", "id", "author", "title", "url", "licence", "licence_url")


def needs_attribution(record):
    """Creative Commons licences other than CC0 require attribution (the BY element)."""
    return record["license"]["id"].startswith("CC-BY")


def attribution_csv(records):
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(ATTRIBUTION_FIELDS)
    for r in sorted(records, key=lambda r: (r["dataset"], r["id"])):
        if not needs_attribution(r):
            continue
        a = r.get("attribution") or {}
        writer.writerow(
            [
                r["dataset"],
                r["id"],
                a.get("author") or "",
                a.get("title") or "",
                a.get("source_url") or "",
                r["license"]["id"],
                r["license"]["url"] or "",
            ]
        )
    return buf.getvalue()


def categories(record):
    """Annotation categories counted on the card, per dataset."""
    if record["dataset"] == "deepfashion2":
        return [g["category_name"] for g in record["deepfashion2"]["garments"]]
    if record["dataset"] == "celeba":
        return list(record["celeba"]["parts"])
    return []


def _table(header, rows):
    lines = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
    lines += [f"| {' | '.join(str(c) for c in row)} |" for row in rows]
    return "\n".join(lines)


def card_text(meta, records_by_dataset, counts, terms):
    """Markdown card: what is inside, the licences, the terms, and how to verify it."""
    name = f"{meta['name']} {meta['version']}"
    out = [f"# {name}", "", meta["description"], ""]
    rows, licences, cats = [], Counter(), Counter()
    for dataset, records in sorted(records_by_dataset.items()):
        for split, n in sorted(Counter(r["split"] for r in records).items()):
            rows.append((dataset, split, n))
        licences.update((dataset, r["license"]["id"]) for r in records)
        cats.update((dataset, c) for r in records for c in categories(r))
    out += ["## Items per dataset and split", "", _table(("dataset", "split", "items"), rows), ""]
    if meta.get("conventions"):
        out += ["## Conventions", "", *(f"- {line}" for line in meta["conventions"]), ""]
    out += ["## Licences", "", _table(("dataset", "licence", "items"), _sorted(licences)), ""]
    if cats:
        out += ["## Annotations per category", ""]
        out += [_table(("dataset", "category", "annotations"), _sorted(cats)), ""]
    out += ["## What each stage kept", "", _table(("dataset", "stage", "items"), counts), ""]
    out += ["## Terms", "", "Each part is bound by its dataset's terms, accepted as recorded in"]
    out += ["PROVENANCE.json; the texts are in `terms/`:", ""]
    out += [
        f"- {d}: `terms/{d}.md` (sha256 {h}), accepted by {by} on {on}" for d, h, by, on in terms
    ]
    out += ["", "Items under Creative Commons BY licences are listed with author and source"]
    out += ["URL in ATTRIBUTION.csv; credit them when you publish.", ""]
    out += ["## Verify", "", "```", "sha256sum -c SHA256SUMS", "```", ""]
    out += ["or `humanprep verify-release <this folder>` (also finds extra files).", ""]
    if meta.get("selection"):
        out += ["## Selection", "", meta["selection"], ""]
    if meta.get("dedup"):
        out += dedup_section(meta["dedup"])
    return "\n".join(out)


def dedup_section(dedup):
    """The near-duplicates the release.dedup policy dropped, one line each with why."""
    drops = dedup["dropped"]
    out = ["## Near-duplicates dropped", "", f"Policy `{dedup['policy']}`: {len(drops)} items"]
    out += ["dropped (also in PROVENANCE.json, `dedup`).", ""]
    return out + [f"- {policy.describe(why)}" for why in drops] + [""]


def _sorted(counter):
    return [(*key, n) for key, n in sorted(counter.items())]
