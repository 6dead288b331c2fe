"""Optional WebDataset export of a release: one tar per record shard, members grouped by
item key (`<key>.json` holds the record, `<key>.<file>` its files), written in a fixed order
with fixed metadata so the tars are byte-identical from build to build."""

import io
import tarfile
from pathlib import Path

from humanprep.io import dumps, read_jsonl, tmp_beside
from humanprep.items import safe_name
from humanprep.tarutil import TAR_FORMAT, tar_info


def item_key(item_id):
    """WebDataset splits a member name at its first dot: keys must have none."""
    return safe_name(item_id).replace(".", "_")


def shard_members(dataset_dir, records_path):
    """(member name, source path or bytes) for every record of a shard, in record order."""
    shard = Path(records_path).stem
    for record in read_jsonl(records_path):
        key = item_key(record["id"])
        yield f"{key}.json", dumps(record).encode()
        item = Path(dataset_dir, shard, safe_name(record["id"]))
        for path in sorted(p for p in item.rglob("*") if p.is_file()):
            yield f"{key}.{path.relative_to(item).as_posix().replace('/', '_')}", path


def write_shard_tar(dest, dataset_dir, records_path):
    tmp = tmp_beside(dest)
    try:
        with tarfile.open(tmp, "w", format=TAR_FORMAT) as tar:
            for name, source in shard_members(dataset_dir, records_path):
                if isinstance(source, bytes):
                    tar.addfile(tar_info(name, len(source)), io.BytesIO(source))
                else:
                    with open(source, "rb") as fh:
                        tar.addfile(tar_info(name, source.stat().st_size), fh)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def export(release_dir, datasets):
    """webdataset/<dataset>-shard-NNNNN.tar for every released record shard."""
    release_dir = Path(release_dir)
    out = release_dir / "webdataset"
    out.mkdir(exist_ok=True)
    written = []
    for dataset in datasets:
        for records in sorted((release_dir / dataset).glob("shard-*[0-9].jsonl")):
            dest = out / f"{dataset}-{records.stem}.tar"
            written.append(write_shard_tar(dest, release_dir / dataset, records))
    return written
