"""Which released items the `release.dedup` policy drops, and why.

- none: nothing.
- cross_split_leaks: every evaluation item (split val or test) that near-duplicates a
  training item (split train, or a dataset without splits) of a released dataset; so no
  evaluation image of the release sits in any released training data.
- all_duplicates: all but one item of each cluster; the one kept is a training item when
  the cluster has one, then the first by dataset order and id.
"""

from humanprep.datasets import DATASETS
from humanprep.dedup.find import EVAL_SPLITS, TRAIN_SPLITS
from humanprep.io import read_jsonl

POLICIES = ("none", "cross_split_leaks", "all_duplicates")


def _released(key, datasets, splits):
    return key["dataset"] in datasets and (not splits or key["split"] in splits)


def _name(key):
    return f"{key['dataset']} {key['split']} {key['id']}"


def cross_split_leaks(pairs, datasets, splits):
    found = {}
    for pair in pairs:
        for x, y in ((pair["a"], pair["b"]), (pair["b"], pair["a"])):
            leak = x["split"] in EVAL_SPLITS and y["split"] in TRAIN_SPLITS
            if not (leak and _released(x, datasets, splits) and _released(y, datasets, splits)):
                continue
            rank = (pair["phash"], pair["dhash"], y["dataset"], y["id"])
            key = (x["dataset"], x["id"])
            if key not in found or rank < found[key][0]:
                found[key] = (rank, x, y, pair)
    return {
        key: {
            **x,
            "reason": "cross_split_leak",
            "duplicate_of": y,
            "phash_distance": pair["phash"],
            "dhash_distance": pair["dhash"],
            "mirrored": pair["mirrored"],
        }
        for key, (_, x, y, pair) in found.items()
    }


def _keep_rank(key):
    return (key["split"] not in TRAIN_SPLITS, DATASETS.index(key["dataset"]), key["id"])


def all_duplicates(clusters, datasets, splits):
    found = {}
    for cluster in clusters:
        members = [m for m in cluster["members"] if _released(m, datasets, splits)]
        if len(members) < 2:
            continue
        keeper = min(members, key=_keep_rank)
        for m in members:
            if m is not keeper:
                found[(m["dataset"], m["id"])] = {
                    **m,
                    "reason": "duplicate",
                    "duplicate_of": keeper,
                    "cluster": cluster["cluster"],
                }
    return found


def dropped(policy, pairs_path, clusters_path, datasets, splits=()):
    """{(dataset, id): why} of the items the policy drops from a release of `datasets`
    restricted to `splits` (empty = all)."""
    if policy == "none":
        return {}
    if policy == "cross_split_leaks":
        return cross_split_leaks(read_jsonl(pairs_path), set(datasets), set(splits))
    if policy == "all_duplicates":
        return all_duplicates(read_jsonl(clusters_path), set(datasets), set(splits))
    raise ValueError(f"unknown release.dedup policy {policy!r}; one of {', '.join(POLICIES)}")


def describe(why):
    """One line: the item, and what it duplicates."""
    other = _name(why["duplicate_of"])
    if why["reason"] == "cross_split_leak":
        detail = f"pHash distance {why['phash_distance']}"
        detail += ", mirrored" if why["mirrored"] else ""
        return f"{_name(why)}: evaluation item near-duplicates training item {other} ({detail})"
    return f"{_name(why)}: duplicate of {other} (cluster {why['cluster']})"


def provenance_rows(drops):
    return [drops[k] for k in sorted(drops)]
