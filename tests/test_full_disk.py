"""Every OSError a user can cause (full disk, quota, permission, read-only file system) is
one line in every stage, from one handler (humanprep.runner), with no traceback: not on
stderr, not in the rule's log (Snakemake prints a failed job's log, show-failed-logs),
not from logging when the log file itself lies on the full disk.

Stages run in a process of their own (tests/stage_child.py), as their scripts do, with
every write under their output folder refused, or on a real tiny or read-only tmpfs."""

import errno
import hashlib
import io
import json
import shutil
import signal
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image

from humanprep import runner
from humanprep.acquire.registry import register
from humanprep.datasets.huge100k import demo as demo_huge100k
from humanprep.oserrors import WHAT
from humanprep.stages.plan_shards import write_plan

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ERRNOS = ["ENOSPC", "EDQUOT", "EACCES", "EROFS"]


def can_mount():
    if not shutil.which("unshare"):
        return False
    probe = "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d && umount $d"
    res = subprocess.run(["unshare", "-rm", "sh", "-c", probe], capture_output=True)
    return res.returncode == 0


MOUNTS = can_mount()


def run_stage(tmp_path, stage, smk, under, fail=None, mount=None):
    """Run the stage in a child; `fail`: refuse writes under `under` with this errno name;
    `mount`: mount options of a tmpfs put on `under` first (a user namespace of its own)."""
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"stage": stage, "fail": fail, "under": str(under), **smk}))
    cmd = [sys.executable, str(HERE / "stage_child.py"), str(spec)]
    if mount:
        log = smk["log"][0]
        script = (
            f'mount -t tmpfs -o {mount} tmpfs "{under}" && "$@"; rc=$?; '
            f'cat "{log}" 2>/dev/null; exit $rc'
        )
        cmd = ["unshare", "-rm", "sh", "-c", script, "sh", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def one_line(res, code):
    """The child failed with exactly one ERROR line, the kernel's refusal explained."""
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "Logging error" not in res.stderr, res.stderr
    errors = [line for line in res.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, res.stderr
    assert errors[0].startswith("ERROR humanprep: ") and WHAT[code] in errors[0], errors[0]
    others = [
        line
        for line in res.stderr.splitlines()
        if not line.startswith(("ERROR humanprep:", "INFO ", "WARNING ", "started"))
    ]
    assert others == [], res.stderr
    return errors[0]


def huge100k_item(tmp_path):
    """One demo HuGe100K subject as plain files, and its shard manifest."""
    folder = tmp_path / "in"
    files = {}
    for member, data in demo_huge100k.subject_members(0, 0):
        path = folder / member
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        role = {".jpg": "reference", ".mp4": "video", ".npy": "params"}[path.suffix]
        files[role] = str(path)
    batch, group, name = demo_huge100k.SUBJECTS[0]
    shards = tmp_path / "shards"
    write_plan(shards, "huge100k", [{"id": f"{batch}/{group}/{name}", "files": files}], {}, 1)
    return shards


def normalise_smk(tmp_path, out):
    shards = huge100k_item(tmp_path)
    return {
        "wildcards": {"dataset": "huge100k", "shard": "shard-00000"},
        "input": {"shards": str(shards), "unpacked": [], "verified": []},
        "params": {"options": {}},
        "output": {
            "records": str(out / "shard-00000.jsonl"),
            "quarantine": str(out / "shard-00000.quarantine.jsonl"),
            "files": str(out / "shard-00000"),
        },
        "log": [str(out / "normalise.log")],
    }


def report_dedup_smk(tmp_path, out):
    from storeutil import put

    folder = tmp_path / "normalised" / "fdh"
    buf = io.BytesIO()
    Image.new("RGB", (20, 40), (200, 100, 0)).save(buf, "PNG")
    data = buf.getvalue()
    lines = [
        {"dataset": "fdh", "id": n, "image": {
            "path": put(folder, "shard-00000", n, "image.png", data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }}
        for n in "ab"
    ]  # fmt: skip
    (folder / "shard-00000.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    pair = {
        "a": {"dataset": "fdh", "id": "a", "split": "train"},
        "b": {"dataset": "fdh", "id": "b", "split": "train"},
        "phash": 2,
        "dhash": 1,
        "mirrored": False,
        "crop": False,
    }
    pairs, summary = tmp_path / "pairs.jsonl", tmp_path / "summary.json"
    pairs.write_text(json.dumps(pair) + "\n")
    summary.write_text(json.dumps({"pairs": 1, "pairs_by_dataset_pair": {"fdh|fdh": 1}}))
    return {
        "input": {
            "pairs": str(pairs),
            "summary": str(summary),
            "records": [str(folder / "shard-00000.jsonl")],
        },
        "output": {"pairs": str(out / "pairs.png"), "matrix": str(out / "matrix.png")},
        "log": [str(out / "report_dedup.log")],
    }


def raw_tar(tmp_path):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("a/1.png")
        info.size = 5000
        tar.addfile(info, io.BytesIO(bytes(5000)))
    raw = tmp_path / "raw" / "HuGe100K.tar"
    raw.parent.mkdir(exist_ok=True)
    raw.write_bytes(buf.getvalue())
    registry = tmp_path / "registry.tsv"
    register(registry, [raw], items=1)
    return raw, registry


def verify_smk(tmp_path, out):
    raw, registry = raw_tar(tmp_path)
    return {
        "input": {"file": str(raw), "registry": str(registry)},
        "params": {"local_registry": ""},
        "output": [str(out / "HuGe100K.tar.json")],
        "log": [str(out / "verify.log")],
    }


def verified_record(tmp_path, raw, registry):
    from humanprep.stages import verify

    record = tmp_path / "verified" / f"{raw.name}.json"
    smk = SimpleNamespace(
        input=SimpleNamespace(file=str(raw), registry=str(registry)),
        params=SimpleNamespace(local_registry=""),
        output=[str(record)],
    )
    verify.main(smk)
    return record


def index_smk(tmp_path, out):
    raw, registry = raw_tar(tmp_path)
    limits = {"max_total_bytes": 10**9, "max_ratio": 1000, "max_members": 100}
    return {
        "input": {"archive": str(raw), "verified": str(verified_record(tmp_path, raw, registry))},
        "params": {"limits": limits, "progress_interval": 10.0},
        "output": [str(out / "HuGe100K")],
        "log": [str(out / "index.log")],
    }


def extract_smk(tmp_path, out):
    raw = tmp_path / "raw" / "img.zip"
    raw.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(raw, "w") as zf:
        zf.writestr("a/1.png", bytes(5000))
    registry = tmp_path / "registry.tsv"
    register(registry, [raw], items=1)
    limits = {"max_total_bytes": 10**9, "max_ratio": 1000, "max_members": 100}
    return {
        "wildcards": {"dataset": "deepfashion2"},
        "input": {"archive": str(raw), "verified": str(verified_record(tmp_path, raw, registry))},
        "params": {"password_env": None, "passwords_file": "", "limits": limits},
        "output": [str(out / "img")],
        "log": [str(out / "extract.log")],
    }


def normalise_summary_smk(tmp_path, out):
    records, quarantine = tmp_path / "s.jsonl", tmp_path / "s.quarantine.jsonl"
    records.write_text("")
    quarantine.write_text("")
    return {
        "wildcards": {"dataset": "fdh"},
        "input": {"records": [str(records)], "quarantine": [str(quarantine)]},
        "params": {"max_quarantine_fraction": 1.0},
        "output": [str(out / "summary.json")],
        "log": [str(out / "summary.log")],
    }


STAGES = {
    "normalise": normalise_smk,
    "report_dedup": report_dedup_smk,
    "verify": verify_smk,
    "index_archive": index_smk,
    "extract": extract_smk,
    "normalise_summary": normalise_summary_smk,
}


@pytest.mark.parametrize("code", ERRNOS)
@pytest.mark.parametrize("stage", list(STAGES))
def test_a_refused_write_is_one_line(tmp_path, stage, code):
    """Before: normalise (HuGe100K's writer) and report_dedup showed a traceback, the
    latter after its one line; every stage's log held one, which Snakemake printed."""
    out = tmp_path / "out"
    out.mkdir()
    smk = STAGES[stage](tmp_path, out)
    log = Path(smk["log"][0])
    if code in ("EDQUOT", "EACCES"):  # the log on another, writable disk: it holds the line
        log = tmp_path / "logs" / log.name
        log.parent.mkdir()
        smk["log"] = [str(log)]
    res = run_stage(tmp_path, stage, smk, out, fail=code)
    line = one_line(res, getattr(errno, code))
    if log.exists():
        assert log.read_text().splitlines()[-1] == line and "Traceback" not in log.read_text()
    else:
        assert "WARNING humanprep: cannot write the log file" in res.stderr
    assert [p.name for p in out.iterdir()] == []  # nothing half-written left behind


@pytest.mark.skipif(not MOUNTS, reason="needs unshare and a tmpfs mount in a user namespace")
@pytest.mark.parametrize("stage", ["normalise", "report_dedup"])
@pytest.mark.parametrize("mount, code", [("size=4k", errno.ENOSPC), ("ro", errno.EROFS)])
def test_a_real_full_or_read_only_disk_is_one_line(tmp_path, stage, mount, code):
    """The hostile tester's case: output and log on a tiny tmpfs, or a read-only one."""
    out = tmp_path / "out"
    out.mkdir()
    smk = STAGES[stage](tmp_path, out)
    res = run_stage(tmp_path, stage, smk, out, mount=mount)
    line = one_line(res, code)
    assert str(out) in line
    if code == errno.EROFS:  # the output asked for, not a temporary name beside it
        assert ".tmp" not in line, line
    # what Snakemake prints of the failed job's log (show-failed-logs), read inside the
    # namespace before the tmpfs goes away: no traceback there either
    shown = res.stdout
    assert "Traceback" not in shown and (code == errno.EROFS or line in shown), shown


def test_every_script_goes_through_the_one_handler():
    """No stage left out: every rule's script is the thin entry point run(snakemake, main)."""
    scripts = sorted(p for p in (REPO / "scripts").glob("*.py") if p.name != "_humanprep.py")
    assert len(scripts) >= 25
    for script in scripts:
        body = script.read_text()
        assert f"from humanprep.stages.{script.stem} import main" in body, script
        assert body.rstrip().endswith("run(snakemake, main)"), script


@pytest.mark.parametrize("code", ERRNOS)
def test_the_log_file_itself_unwritable_is_one_warning(tmp_path, capsys, root_logging, code):
    """Before: logging printed `--- Logging error ---` and a traceback per record when the
    log lay on the full disk."""

    def main(smk):
        raise OSError(getattr(errno, code), "refused", str(tmp_path / "x.png"))

    class Refusing(runner.LogFile):
        def _open(self):
            raise OSError(getattr(errno, code), "refused", self.baseFilename)

    real = runner.LogFile
    runner.LogFile = Refusing
    try:
        with pytest.raises(SystemExit):
            runner.run(SimpleNamespace(log=[str(tmp_path / "r.log")], config={}), main)
    finally:
        runner.LogFile = real
    err = capsys.readouterr().err.splitlines()
    # the error first (stderr's handler comes first), then the log's one warning
    assert [line.split(":")[0] for line in err] == ["ERROR humanprep", "WARNING humanprep"]
    assert WHAT[getattr(errno, code)] in err[0] and "x.png" in err[0]
    assert err[1].startswith("WARNING humanprep: cannot write the log file: ")
    assert f"{WHAT[getattr(errno, code)]} " in err[1] and "r.log" in err[1]


def test_ctrl_c_stops_a_job_quietly(tmp_path):
    """Before: Ctrl-C to the process group printed a KeyboardInterrupt traceback per job."""
    script = tmp_path / "job.py"
    script.write_text(
        f"import sys, time\nsys.path.insert(0, {str(REPO)!r})\n"
        "from types import SimpleNamespace\nfrom humanprep.runner import run\n\n"
        "def main(smk):\n    print('ready', file=sys.stderr, flush=True)\n"
        "    sys.stdin.read()\n\n"
        f"run(SimpleNamespace(log=[{str(tmp_path / 'job.log')!r}], config={{}}), main)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr.readline().strip() == "ready"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    assert err.strip() == "WARNING humanprep: interrupted"
