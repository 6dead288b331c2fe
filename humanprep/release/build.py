"""Assemble a release folder: selected records and their files, derived data, COCO files,
terms, card, attribution, provenance, manifest and SHA256SUMS; then put it in place.

A version is immutable: building an existing version again is a no-op when the content is
identical and refused when it differs.
"""

import filecmp
import os
import shutil
import tempfile
from pathlib import Path

from humanprep import coco, store
from humanprep.datasets import DESCRIPTORS
from humanprep.errors import HumanprepError
from humanprep.io import (
    publish_modes,
    read_jsonl,
    sha256_file,
    tmp_beside,
    write_json,
    write_jsonl,
    write_text,
)
from humanprep.progress import Progress
from humanprep.release import card, croissant, hf, manifest, shards
from humanprep.release.extsort import ExternalSort
from humanprep.release.select import wanted
from humanprep.release.stats import DatasetStats, SplitStats

CROISSANT = "croissant.json"
_PROGRESS = []  # the release being built: files and bytes placed so far


def place(src, dest, mode):
    """Hard link (same file system) or copy one file."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if _PROGRESS:
        _PROGRESS[-1].add(1, os.path.getsize(src))
    if mode == "hardlink":
        try:
            os.link(src, dest)
            return
        except OSError:
            pass  # another file system: copy instead
    shutil.copyfile(src, dest)


def place_tree(src, dest, mode):
    for path in sorted(Path(src).rglob("*")):
        if path.is_file():
            place(path, dest / path.relative_to(src), mode)


class Selection:
    """keep(record) for one dataset: split and licence, less the near-duplicates in
    `drop`; counts what it leaves out and which ids it drops."""

    def __init__(self, splits, licences, drop=()):
        self.splits, self.licences, self.drop = splits, licences, drop
        self.left_out, self.dropped = 0, []

    def __call__(self, record):
        if not wanted(record, self.splits, self.licences):
            self.left_out += 1
            return False
        if record["id"] in self.drop:
            self.dropped.append(record["id"])
            return False
        return True


def add_rows(src, dest, ids, mode):
    """A derived shard's other row file (the full-body decisions), the released ids' rows."""
    rows = read_jsonl(src)
    kept = [r for r in rows if r["id"] in ids]
    if len(kept) == len(rows):
        place(src, dest, mode)
    elif kept:
        write_jsonl(dest, kept)


def placer(mode):
    return lambda src, dest: place(src, dest, mode)


def add_dataset(tmp, normalised, dataset, selection, mode, derived=None, attribution=None):
    """Selected records and their shard containers (humanprep.release.shards), shard by
    shard, with the same shard of each of its derived subsets ({subset: folder}) restricted
    to the released items; returns (DatasetStats of the kept records, {config: SplitStats}).
    `attribution`: an ExternalSort given the ATTRIBUTION.csv row of each kept one."""
    stats, configs = DatasetStats(), {dataset: SplitStats()}
    derived = derived or {}
    configs.update({name: SplitStats() for name in derived})
    rows = {dataset: croissant.Rows(tmp / dataset / croissant.ROWS, dataset)}
    rows.update({n: croissant.Rows(tmp / "derived" / n / croissant.ROWS, n) for n in derived})
    for path in sorted(Path(normalised, dataset).glob("shard-*[0-9].jsonl")):
        result = shards.place_shard(path.parent, tmp / dataset, path, selection, placer(mode))
        configs[dataset].add(result)
        for record in result.rows:
            rows[dataset].add(record)
        for record in result.rows:
            stats.add(record)
            row = card.attribution_row(record) if attribution is not None else None
            if row is not None:
                attribution.add(row)
        ids = {r["id"] for r in result.rows}
        foreign = set(result.mapping) | {ref for r in result.rows for ref in store.refs_in(r)}
        for name, folder in sorted(derived.items()):
            shard_rows = Path(folder, path.name)
            if ids and shard_rows.exists():
                part = shards.place_shard(
                    folder, tmp / "derived" / name, shard_rows, lambda r, ids=ids: r["id"] in ids,
                    placer(mode), outer=result.mapping, foreign=foreign,
                )  # fmt: skip
                configs[name].add(part)
                for row in part.rows:
                    rows[name].add(row)
                for extra in sorted(Path(folder).glob(f"{path.stem}.*.jsonl")):
                    add_rows(extra, tmp / "derived" / name / extra.name, ids, mode)
    for writer in rows.values():
        writer.close()
    for name, folder in derived.items():
        summary = Path(folder, "summary.json")
        if summary.exists():
            place(summary, tmp / "derived" / name / "summary.json", "copy")
    return stats, configs


def add_terms(tmp, agreements, terms_dir):
    """Copy each accepted terms text; refuse a dataset whose acceptance is absent or stale."""
    rows = []
    for dataset, record in sorted(agreements.items()):
        text = Path(terms_dir, f"{dataset}.md")
        if sha256_file(text) != record["terms_sha256"]:
            raise HumanprepError(text, "differs from the accepted terms; accept them again")
        place(text, tmp / "terms" / f"{dataset}.md", "copy")
        rows.append((dataset, record["terms_sha256"], record["accepted_by"], record["accepted_on"]))
    return rows


def hf_view(configs):
    """(the card's Hugging Face metadata, its YAML text, configs left out as empty) from
    what the release holds ({config: SplitStats})."""
    meta, empty = hf.view_meta(configs)
    return meta, hf.view_yaml(meta), empty


def write_attribution(path, attribution):
    """ATTRIBUTION.csv from the externally sorted rows, streamed."""
    tmp = tmp_beside(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            card.write_attribution(fh, attribution.sorted())
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def croissant_files(entry):
    """The manifest entries croissant.json lists: record files, shard containers and the
    record sets' columns."""
    return entry["kind"] in ("records", "container", "croissant-rows")


def finish(tmp, meta, stats, configs, counts, terms_rows, provenance, hf_view, attribution, work):
    """Attribution, card, provenance, croissant.json, manifest and SHA256SUMS; the file
    entries go through a spill file in `work`, so memory holds none of them at once."""
    write_attribution(tmp / "ATTRIBUTION.csv", attribution)
    write_text(tmp / "README.md", card.card_text(meta, stats, counts, terms_rows, hf_view))
    write_json(tmp / "PROVENANCE.json", provenance)
    spill = Path(work, "entries.jsonl")
    listed = manifest.spill_entries(tmp, spill, croissant_files)
    # croissant.json gives the files' checksums: it is written from the entries, then added
    write_json(tmp / CROISSANT, croissant.croissant(meta, stats, listed, hf_view[0], configs))
    extra = [manifest.entry(tmp, CROISSANT)]
    entries = manifest.spilled(spill, extra)
    manifest.write_manifest(tmp / manifest.MANIFEST, meta["release"], entries)
    extra.append(manifest.entry(tmp, manifest.MANIFEST))
    manifest.write_sums(tmp / manifest.SUMS, manifest.spilled(spill, extra))


def same_release(a, b):
    return filecmp.cmp(Path(a, manifest.SUMS), Path(b, manifest.SUMS), shallow=False)


def install(built, dest):
    """Rename the built folder into place, unless that version already exists."""
    if dest.exists():
        if not same_release(built, dest):
            raise HumanprepError(
                dest,
                "this version already exists with different content; bump release.version "
                "(patch: packaging, minor: additions, major: changed or removed data)",
            )
        shutil.rmtree(built)
        return "unchanged"
    os.replace(built, dest)
    return "created"


def add_coco(tmp, coco_dir, dataset, complete, mode, options=None):
    """The dataset's COCO files: linked as they are when every item is released, else
    exported again (streamed, bounded memory) from the released records and files, so a
    selection's COCO files are exactly what the COCO stage gives for those items."""
    dest = tmp / "coco" / dataset
    if complete:
        for path in sorted(Path(coco_dir).glob("*.json")):
            place(path, dest / path.name, mode)
        return
    derived = [
        path
        for name in DESCRIPTORS[dataset].coco_derived
        for path in sorted((tmp / "derived" / f"{dataset}-{name}").glob("shard-*[0-9].jsonl"))
    ]
    dest.mkdir(parents=True)
    records = sorted((tmp / dataset).glob("shard-*[0-9].jsonl"))
    coco.export(dataset, records, tmp / dataset, dest, derived, options)


def stage_counts(spec, left_out, dropped=None):
    """(dataset, count, value) rows: what normalisation kept, quarantined and removed,
    what the selection left out, what the full-body filter accepted."""
    rows = []
    for dataset in spec["datasets"]:
        summary = spec["summaries"][dataset]
        for key in ("kept", "quarantined", "removed"):
            rows.append((dataset, f"normalise: {key}", summary[key]))
        rows.append((dataset, "release: left out by split/licence", left_out[dataset]))
        if dropped is not None:
            policy = spec["dedup"]["policy"]
            rows.append((dataset, f"release: dropped by dedup ({policy})", len(dropped[dataset])))
    for subset, summary in sorted(spec.get("derived_summaries", {}).items()):
        if "accepted" in summary:
            rows.append((subset, "accepted", summary["accepted"]))
            rows.append((subset, "filtered out", summary["decisions"] - summary["accepted"]))
    return rows


def selection_text(spec):
    parts = []
    if spec["splits"]:
        parts.append(f"splits {', '.join(spec['splits'])} only")
    for dataset, licences in sorted(spec["licences"].items()):
        parts.append(f"{dataset} items under {', '.join(licences)} only")
    return "; ".join(parts)


def dedup_drops(dedup, dropped):
    """The drops that removed a released item, sorted, each with why."""
    removed = {(d, i) for d, ids in dropped.items() for i in ids}
    return [dedup["dropped"][k] for k in sorted(removed)]


def conventions(spec, datasets):
    """Card lines saying which dialect the released files speak, where there is a choice
    (each released dataset's descriptor `card_notes`)."""
    lines = []
    for dataset in (d for d in DESCRIPTORS if d in datasets):
        notes = DESCRIPTORS[dataset].card_notes
        if notes:
            lines += notes(spec, spec["summaries"].get(dataset) or {})
    return lines


def build_tree(tmp, spec, work):
    """The release's files in tmp; `work`: a scratch folder outside it."""
    records, configs, left_out, dropped = {}, {}, {}, {}
    attribution = ExternalSort(key=lambda row: (row[0], row[1]), folder=work)
    dedup = spec.get("dedup", {"policy": "none", "dropped": {}})
    for dataset in spec["datasets"]:
        if dataset not in spec["agreements"]:
            raise HumanprepError(dataset, "no accepted terms: a release never includes it")
        licences = spec["licences"].get(dataset, [])
        drop = {i for d, i in dedup["dropped"] if d == dataset}
        selection = Selection(spec["splits"], licences, drop)
        derived = {n: f for n, f in spec["derived"].items() if n.split("-", 1)[0] == dataset}
        records[dataset], found = add_dataset(
            tmp, spec["normalised"], dataset, selection, spec["link"], derived, attribution
        )
        configs.update(found)
        left_out[dataset], dropped[dataset] = selection.left_out, selection.dropped
    for dataset in sorted(set(spec["coco"]) & set(records)):
        complete = left_out[dataset] == 0 and not dropped[dataset]
        add_coco(
            tmp, spec["coco"][dataset], dataset, complete, spec["link"], spec.get("coco_options")
        )
    for dataset in records:
        for option, view in DESCRIPTORS[dataset].release_views.items():
            if spec.get(option):  # a layout a dataset's own tools read
                view(tmp)
    terms_rows = add_terms(tmp, spec["agreements"], spec["terms_dir"])
    counts = stage_counts(spec, left_out, dropped if dedup["policy"] != "none" else None)
    provenance = {**spec["provenance"], "counts": [list(row) for row in counts]}
    meta = {**spec["meta"], "selection": selection_text(spec)}
    if dedup["policy"] != "none":
        drops = dedup_drops(dedup, dropped)
        provenance["dedup"] = {"policy": dedup["policy"], "dropped": drops}
        meta["dedup"] = provenance["dedup"]
    meta["conventions"] = conventions(spec, records)
    meta["written"] = sum(c.written for c in configs.values())
    view = hf_view(configs)
    finish(tmp, meta, records, configs, counts, terms_rows, provenance, view, attribution, work)
    return {d: stats.count for d, stats in records.items()}


def build_release(dest, spec):
    """Build the release into a temporary folder beside dest, then install it."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".work", dir=dest.parent))
    _PROGRESS.append(Progress(f"{dest.name}: release", "files"))
    try:
        counts = build_tree(tmp, spec, work)
        publish_modes(tmp)  # links share their source's mode: the whole tree, once
        status = install(tmp, dest)
    finally:
        _PROGRESS.pop()
        shutil.rmtree(work, ignore_errors=True)
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return status, counts
