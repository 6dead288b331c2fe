"""The descriptor interface: everything the stages ask about one dataset.

A descriptor is plain data plus the dataset's item recognition. The heavy parts (its
normaliser, demo generator, COCO exporter, contact sheet, derived subsets' code) are small
functions of the dataset's package (humanprep/datasets/<name>/__init__.py) that import the
module doing the work when called: the Snakefile reads every descriptor at parse time (on
every SLURM job too), and numpy, PIL or cv2 then stay unimported. Such a field is "lazy":
humanprep.sources follows its imports only from the files that read it (LAZY_FIELDS).
"""

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from humanprep.errors import HumanprepError


@dataclass(frozen=True)
class Derived:
    """A subset derived per normalised shard, in results/derived/<dataset>-<name>/."""

    name: str  # the subset's suffix: "fullbody" -> deepfashion2-fullbody
    rule: str  # the per-shard rule making it (also its benchmark folder)
    cost: float  # time per item as a fraction of normalisation's (sizes its SLURM runtime)
    summary: bool = True  # a summary.json over its shards (else its shard indexes are targets)
    option: str = ""  # a config switch (section.key): made only when it is true
    files: bool = False  # it writes a folder of files per shard beside each shard index
    report: tuple = ()  # its report pages, relative to results/report/
    hf_view: str = ""  # its Hugging Face config: "records" or a kind in release/hf.DERIVED
    title: str = ""  # how the report names it
    maker: object = None  # lazy: () -> the module making it (its stages run)
    pages: object = None  # lazy: () -> the module drawing its report pages


@dataclass(frozen=True)
class Descriptor:
    name: str
    order: int  # position in listings, releases and cards (stable output order)
    title: str
    licence: dict  # {"id", "url"}: what records carry (FDH: each item's own licence)
    citation: str
    how_to_obtain: str  # shown when a registered file is missing
    # lazy: () -> module with load_context(side_files, options), normalise(entry, ctx, writer)
    normaliser: object
    demo: object  # lazy: (out_dir, *, seed) -> written paths (the demo archives)
    sheet: object  # lazy: (records, root, derived) -> PIL image, its contact sheet
    index: object  # (roots, side_files) -> (entries, side): items in unpacked/indexed trees
    item_member: re.Pattern | None = None  # an archive member that is one item's main file
    item_key: object = None  # or: member name -> item key (items = distinct keys; FDH)
    stream: object = None  # roots -> entries as a stream, for datasets too big to list whole
    password_env: str | None = None  # the archives' password variable (None: not encrypted)
    demo_password: str | None = None  # documented demo value, read by the demo's unpack jobs only
    coco: object = None  # lazy: (record_paths, normalised_dir, out_dir, derived, options)
    coco_image_id: object = None  # item id -> COCO image id (None: the id's decimal number)
    coco_reads_files: bool = True  # the export reads masks/maps from the shard folders
    coco_derived: tuple = ()  # derived subsets whose shard records the export also reads
    sheet_derived: tuple = ()  # derived subsets the contact sheet draws
    sheet_category: object = None  # record -> category the sheet spreads over (None: unannotated)
    card_notes: object = None  # (spec, summary) -> card lines on its conventions
    categories: object = None  # record -> annotation category names the card counts
    release_views: dict = field(default_factory=dict)  # release option -> lazy (dir)
    hf_schema: object = None  # lazy: (its record schema piece) completing it for HF features
    summary_counter: object = None  # lazy: () -> a counter adding to the normalise summary
    side_splits: dict = field(default_factory=dict)  # side file -> on-disk split (sidefiles)
    tasks: tuple = ()  # Hugging Face Hub task ids its annotations serve (the card's metadata)
    bibtex: str = ""  # the card's citation (default: `citation`)
    card_fields: str = ""  # the card's line on its own fields
    card_people: str = ""  # the card's "Personal data and consent" line
    card_biases: str = ""  # the card's "Known biases and limitations" line
    card_removal: str = ""  # how the card says to honour removal requests
    removed_why: str = ""  # why the report says items were removed (by policy)
    language: tuple = ()  # languages of its text (captions), for the card
    croissant_columns: tuple = ()  # (column, path in its part of the record) as JSON text
    class_labels: dict = field(default_factory=dict)  # path in its record -> lazy () -> names
    seconds_per_item: float = 0.05  # one core, per-shard stages (bench/RESULTS.md)
    shard_size: int = 2000  # items per shard unless the config sets shard_size
    base_mem_mb: int = 1000  # a shard job's memory
    derived: tuple = ()  # Derived subsets

    def subset(self, name):
        return next(d for d in self.derived if d.name == name)

    def count_items(self, names):
        """Items among an archive's member names."""
        if self.item_key is not None:
            return len({self.item_key(n) for n in names})
        return sum(1 for n in names if self.item_member.search(n))

    def entries(self, roots, side_files=()):
        """(entries, side) of the dataset's unpacked or indexed roots, sorted."""
        return self.index(sorted(roots), sorted(side_files))

    def iter_entries(self, roots, side_files=()):
        """Like entries, but streamed (unsorted) where the dataset lists too many to hold."""
        if self.stream is None:
            return self.entries(roots, side_files)
        side = {PurePosixPath(str(f)).name: str(f) for f in sorted(side_files)}
        return self.stream(sorted(roots)), side


def sorted_entries(items):
    """Index output: one entry per item id, files by role, all sorted."""
    return [{"id": k, "files": dict(sorted(items[k].items()))} for k in sorted(items)]


def only(paths, what, where):
    if len(paths) != 1:
        raise HumanprepError(where, f"expected exactly one {what}, found {len(paths)}")
    return paths[0]
