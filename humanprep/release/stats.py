"""What the card, Croissant file and Hugging Face view say about a dataset's released
records, counted while the records stream past: memory does not grow with the items."""

from collections import Counter

from humanprep.datasets import DESCRIPTORS


def categories(record):
    """Annotation categories counted on the card (the descriptor's `categories`)."""
    named = DESCRIPTORS[record["dataset"]].categories
    return named(record) if named else []


class DatasetStats:
    """Counts over one dataset's released records."""

    def __init__(self, records=()):
        self.count = 0
        self.splits = Counter()  # split -> items
        self.licences = Counter()  # licence id -> items
        self.licence_urls = set()  # (licence id, url or "")
        self.categories = Counter()  # category -> annotations
        self.image_exts = set()  # image file extensions
        for record in records:
            self.add(record)

    def add(self, record):
        self.count += 1
        self.splits[record["split"]] += 1
        licence = record["license"]
        self.licences[licence["id"]] += 1
        self.licence_urls.add((licence["id"], licence["url"] or ""))
        self.categories.update(categories(record))
        self.image_exts.add(record["image"]["path"].rsplit(".", 1)[1])


class SplitStats:
    """One config's items per split, its containers' file members (`image.jpg`, ...) per
    split, and the bytes the release wrote for it rather than linked."""

    def __init__(self):
        self.splits = Counter()
        self.members = {}
        self.sizes = Counter()  # split -> bytes of its containers
        self.written = 0

    def add(self, shard):
        """Count one released shard (humanprep.release.shards.ShardResult)."""
        self.splits.update(row["split"] for row in shard.rows)
        for split, names in shard.members.items():
            self.members.setdefault(split, set()).update(names)
        self.sizes.update(shard.sizes)
        self.written += shard.written
