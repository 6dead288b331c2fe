"""One shard of a store (a dataset's or a derived subset's) into a release, keeping the
store's layout (`<shard>.jsonl` beside `<shard>/<split>.tar`), so the references in the
records stay valid relative to the release's folder.

A split's container from which nothing was left out (and whose records keep their
references) is placed as it is: a hard link by default. Otherwise only that container is
written again (humanprep.store.ShardWriter) with the kept items, and their records'
references follow the new offsets; the shard's JSON Lines file is then written again too.
A container holds one split only, in the store and in the release.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from humanprep import store
from humanprep.io import read_jsonl, write_jsonl


@dataclass
class ShardResult:
    """What one shard placed: its kept rows (references as released), the mapping of its
    own references that changed (old -> new), the member names (`image.jpg`, ...) of its
    files per split, and the bytes it wrote rather than linked."""

    rows: list = field(default_factory=list)
    mapping: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    sizes: dict = field(default_factory=dict)
    written: int = 0


def container_of(ref):
    return store.parse_ref(ref)[0]


def own_refs(row, shard, foreign=frozenset()):
    """The row's references into its own folder's shard containers (not those in
    `foreign`, which name another folder's files), by container and offset, each once."""
    refs = {
        r
        for r in store.refs_in(row)
        if r not in foreign and container_of(r).split("/", 1)[0] == shard
    }
    return sorted(refs, key=lambda r: (container_of(r), store.parse_ref(r)[1]))


def checked(row):
    """{ref: sha256} the row's record states for its files (the main image)."""
    image = row.get("image") if isinstance(row.get("image"), dict) else None
    if image and store.is_ref(image.get("path")) and image.get("sha256"):
        return {image["path"]: image["sha256"]}
    return {}


def rewrite(src, dest, shard, split, rows, foreign, mapping):
    """Write `<dest>/<shard>/<split>.tar` with the rows' files, read (checked) from the
    source containers under `src`, and each row as its `<key>.json`; returns the rows as
    released. Rows keep their order, each item's files their order in the source."""
    key = store.container_name(shard, split)
    folder = Path(dest, shard)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    with store.ShardWriter(folder, shard) as writer:
        for row in rows:
            files = writer.item(row["id"])
            sums = checked(row)
            placeholders = {}
            for ref in own_refs(row, shard, foreign):
                if container_of(ref) != key:
                    continue
                if ref in sums:
                    data = store.read_checked(src, ref, sums[ref], row["id"])
                else:
                    data = store.read(src, ref, row["id"])
                placeholders[ref] = files.write(store.member_name(ref).split(".", 1)[1], data)
            new = writer.commit(files, store.replace_refs(row, placeholders), split=split)
            # a record keeps its shape: its references come in the same order
            for a, b in zip(store.refs_in(row), store.refs_in(new), strict=True):
                if a in placeholders:
                    mapping[a] = b
            out.append(new)
    return out


def place_shard(src, dest, jsonl, keep, place, outer=None, foreign=frozenset()):
    """Release one shard of folder `src` into folder `dest`; returns a ShardResult.

    jsonl: the shard's record file in src; keep(row) -> bool selects rows; place(src,
    dest): link or copy a whole file. For a derived subset whose rows also name files of
    its dataset: `outer` maps those references that changed to their new form, and
    `foreign` holds every reference into the dataset (old and new), never read here.
    """
    shard = Path(jsonl).stem
    rows = read_jsonl(jsonl)
    selected = [r for r in rows if keep(r)]
    kept = [store.replace_refs(r, outer) for r in selected] if outer else selected
    # splits whose rows now name moved files: their containers' copies of the rows follow
    changed = {new["split"] for new, old in zip(kept, selected, strict=True) if new != old}
    totals = Counter(r["split"] for r in rows)
    by_split = {}
    for row in kept:
        by_split.setdefault(row["split"], []).append(row)
    result = ShardResult()
    released = {}
    for split, split_rows in sorted(by_split.items()):
        container = Path(src, store.container_name(shard, split))
        if container.exists() and len(split_rows) == totals[split] and split not in changed:
            place(container, Path(dest, store.container_name(shard, split)))
            released[split] = split_rows
        else:  # rows without files of their own get a container of their records
            released[split] = rewrite(
                src, dest, shard, split, split_rows, foreign, mapping=result.mapping
            )
            result.written += Path(dest, store.container_name(shard, split)).stat().st_size
        result.sizes[split] = Path(dest, store.container_name(shard, split)).stat().st_size
        result.members[split] = {
            store.member_name(r).split(".", 1)[1]
            for row in released[split]
            for r in own_refs(row, shard, foreign)
        }
    by_id = {r["id"]: r for split_rows in released.values() for r in split_rows}
    result.rows = [by_id[r["id"]] for r in kept]
    if not result.rows:
        return result
    out = Path(dest, Path(jsonl).name)
    if len(result.rows) == len(rows) and not result.mapping and not changed:
        place(Path(jsonl), out)
    else:
        write_jsonl(out, result.rows)
        result.written += out.stat().st_size
    return result
