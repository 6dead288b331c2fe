"""`humanprep` command: the bookkeeping a user does by hand, outside the workflow."""

import argparse
import datetime
import json
import sys
from pathlib import Path

from humanprep import __version__
from humanprep.datasets import DATASETS
from humanprep.errors import HumanprepError
from humanprep.oserrors import describe

REPO = Path(__file__).resolve().parent.parent


def file_items(dataset, path, kind):
    """Items an archive holds, counted from its listing; other files hold none."""
    from humanprep.acquire.items import count_items
    from humanprep.acquire.registry import infer_kind

    return count_items(dataset, path) if (kind or infer_kind(path.name)) != "file" else 0


def published_entries(dataset, published_dir):
    """What upstream publishes for a dataset's files (registry/upstream), if anything."""
    from humanprep.acquire.registry import load_registry

    path = Path(published_dir, f"{dataset}.tsv")
    return load_registry(path) if published_dir and path.is_file() else []


def upstream_name(dataset, path, published, as_name, force, published_dir):
    """The name a file is registered under: its own, or `--as`; a name upstream does not
    list is refused (runs would then look for a file nobody ships), unless --force."""
    name = as_name or path.name
    known = sorted(e.file for e in published)
    if not known or name in known or force:
        return name
    where = Path(published_dir, f"{dataset}.tsv")
    how = (
        "give the upstream name with --as NAME"
        if as_name is None
        else "--as takes one of those names"
    )
    raise HumanprepError(
        path,
        f"{name} is not a {dataset} file: {where} lists {', '.join(known)}; rename it to the "
        f"one it is, or {how} (--force records it under {name} anyway)",
    )


def cmd_register(args):
    from humanprep.acquire.registry import register, unregister

    registry = Path(args.registry_dir, f"{args.dataset}.tsv")
    if args.remove:
        changes = unregister(registry, args.files)
        for line in changes:
            print(f"{registry}: {line}")
        return
    if args.as_name and len(args.files) != 1:
        raise HumanprepError(registry, "--as names one file: register the others separately")
    published = published_entries(args.dataset, args.published_dir)
    changes, renames = [], []
    for path in args.files:
        name = upstream_name(
            args.dataset, path, published, args.as_name, args.force, args.published_dir
        )
        items = args.items if args.items is not None else file_items(args.dataset, path, args.kind)
        changes += register(
            registry, [path], items=items, kind=args.kind, force=args.force, published=published,
            name=name,
        )  # fmt: skip
        if name != path.name:
            renames.append(f"mv {path} {path.parent / name}")
    for line in changes:
        print(f"{registry}: {line}")
    if not changes:
        print(f"{registry}: unchanged")
    for line in renames:
        print(f"runs read it under its registered name: {line}")


def cmd_accept(args):
    from humanprep.acquire.gate import acceptance_snippet
    from humanprep.acquire.registry import load_registry, registry_digest

    terms = REPO / "terms" / f"{args.dataset}.md"
    registry = Path(args.registry_dir, f"{args.dataset}.tsv")
    listed = load_registry(registry)
    digest = registry_digest(listed)
    snippet = acceptance_snippet(args.dataset, args.by, terms, args.today, digest)
    print(f"# Read {terms} first. Then paste this under `agreements:` in your config.")
    for line in binding_lines(args.dataset, registry, listed, digest, args.local_registry_dir):
        print(f"# {line}")
    print(snippet)


def binding_lines(dataset, registry, listed, digest, local_dir):
    """What an acceptance is bound to, as it is: the registry given (its file list and
    published values), while each run also checks your archives against your overlay."""
    files = ", ".join(e.file for e in listed) or "no file (nothing is published)"
    lines = [f"It is bound to {registry} (sha256 {digest[:12]}...), which lists {files}."]
    local = Path(local_dir, f"{dataset}.tsv") if local_dir else None
    if local is None or registry.parent.name == "demo":  # the demo reads no overlay
        return lines
    if local.is_file():
        from humanprep.acquire.registry import load_registry

        own = ", ".join(e.file for e in load_registry(local)) or "nothing yet"
        lines.append(
            f"Runs verify your archives against it plus your overlay {local} ({own}); "
            "re-registering your archives does not void this acceptance."
        )
    else:
        first_use = " or the first run records them" if listed else ""  # listed names only
        lines.append(
            f"Runs verify your archives against it plus your overlay {local} (none yet: "
            f"`humanprep register {dataset} FILE...`{first_use})."
        )
    return lines


def check_release(path):
    if not (path / "manifest.json").is_file():
        raise HumanprepError(path, "no manifest.json here: not a release folder")


def cmd_verify_release(args):
    from humanprep.release.manifest import verify_release

    check_release(args.release)
    problems = verify_release(args.release)
    for line in problems:
        print(f"{args.release}: {line}")
    if problems:
        raise HumanprepError(args.release, f"{len(problems)} problem(s) found")
    print(f"{args.release}: every file matches manifest.json and SHA256SUMS")


def cmd_diff(args):
    from humanprep.io import write_text
    from humanprep.release.diff import changes_markdown, diff_releases, release_meta

    check_release(args.old)
    check_release(args.new)
    changes, needed = diff_releases(args.old, args.new)
    text = changes_markdown(release_meta(args.old), release_meta(args.new), changes, needed)
    out = (
        args.out
        or Path(args.new).parent / f"CHANGES-{Path(args.old).name}-to-{Path(args.new).name}.md"
    )
    write_text(out, text)
    counts = ", ".join(f"{len(v)} {k}" for k, v in changes.items())
    print(f"{out}: {counts}; needs a {needed} version bump")


def cmd_export(args):
    from humanprep.release.export import export_images

    check_release(args.release)
    count = export_images(args.release, args.dataset, args.dest)
    print(f"{args.dest}: {count} images, every file_name of {args.release}/coco/{args.dataset}")


def release_folder(value):
    """argparse type: an existing folder (a release), else a one-line usage error."""
    path = Path(value)
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise argparse.ArgumentTypeError(
            f"{value} {what} (give a release folder, e.g. releases/<name>-<version>)"
        )
    return path


def existing_file(value):
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"{value}: no such file")
    return path


def iso_date(value):
    """argparse type: a real calendar date written YYYY-MM-DD."""
    from humanprep.acquire.gate import check_date

    try:
        return check_date(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def build_parser():
    parser = argparse.ArgumentParser(prog="humanprep", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    reg = sub.add_parser(
        "register",
        help="record size and checksums of archives you hold",
        description="Record the size, sha256 and md5 of dataset files you downloaded yourself "
        "in a registry TSV (registry/local/<dataset>.tsv by default), so the workflow verifies "
        "them before unpacking.",
    )
    reg.add_argument("dataset", choices=DATASETS, help="which dataset the files belong to")
    reg.add_argument(
        "files",
        nargs="+",
        help="the archive(s) or file(s); with --remove, the registered name(s) to remove",
    )
    reg.add_argument(
        "--registry-dir",
        default="registry/local",
        help="registry to record into (default: registry/local, the overlay real runs read)",
    )
    reg.add_argument(
        "--published-dir",
        default=str(REPO / "registry" / "upstream"),
        help="what upstream publishes; a file that contradicts it is refused ('' to skip)",
    )
    reg.add_argument(
        "--items",
        type=int,
        help="dataset items the file holds (sizes shards; default: counted from the archive)",
    )
    reg.add_argument(
        "--kind", choices=("zip", "tar", "file"), help="file kind (default: from its name)"
    )
    reg.add_argument(
        "--as",
        dest="as_name",
        metavar="NAME",
        help="register the file under this upstream name (runs read raw/<dataset>/NAME)",
    )
    reg.add_argument(
        "--remove",
        action="store_true",
        help="remove the named entries from the registry (undoes a registration)",
    )
    reg.add_argument(
        "--force",
        action="store_true",
        help="allow changing an existing entry, or a name upstream does not list",
    )
    reg.set_defaults(func=cmd_register)

    acc = sub.add_parser(
        "accept",
        help="print the acceptance record of a dataset's terms",
        description="Print the `agreements:` entry to paste into your config once you have "
        "read and accepted the dataset's terms (terms/<dataset>.md); unpacking needs it.",
    )
    acc.add_argument("dataset", choices=DATASETS, help="whose terms you accept")
    acc.add_argument("--by", required=True, help='who accepts: "Name <email>"')
    acc.add_argument(
        "--today",
        type=iso_date,
        default=datetime.date.today().isoformat(),
        help="date of acceptance, YYYY-MM-DD (default: today)",
    )
    acc.add_argument(
        "--local-registry-dir",
        default="registry/local",
        help="your overlay registry, named in the message ('' for none; default: registry/local)",
    )
    acc.add_argument(
        "--registry-dir",
        default=str(REPO / "registry" / "upstream"),
        help="the registry_dir of the run this acceptance is for (default: the shipped "
        "registry/upstream; registry/demo for the demo)",
    )
    acc.set_defaults(func=cmd_accept)

    ver = sub.add_parser(
        "verify-release",
        help="check a release folder against its manifest",
        description="Check every file of a release against manifest.json and SHA256SUMS: "
        "reports missing, extra and changed files; exit status 1 if any.",
    )
    ver.add_argument("release", type=release_folder, help="the release folder")
    ver.set_defaults(func=cmd_verify_release)

    exp = sub.add_parser(
        "export",
        help="write a release's files out of its containers (images for COCO)",
        description="`export images RELEASE DATASET DEST` writes every image file the "
        "dataset's COCO files (RELEASE/coco/DATASET/*.json) name as DEST/<file_name>, so "
        "the COCO files work as they are with DEST as the image root.",
    )
    exp.add_argument("what", choices=("images",), help="what to export")
    exp.add_argument("release", type=release_folder, help="the release folder")
    exp.add_argument("dataset", choices=DATASETS, help="whose COCO images")
    exp.add_argument("dest", type=Path, help="the image root to write into")
    exp.set_defaults(func=cmd_export)

    dif = sub.add_parser(
        "diff",
        help="compare two releases and write CHANGES.md",
        description="Compare two releases record by record and write a CHANGES markdown "
        "file, saying which version bump (major, minor, patch) the changes need.",
    )
    dif.add_argument("old", type=release_folder, help="the earlier release folder")
    dif.add_argument("new", type=release_folder, help="the later release folder")
    dif.add_argument("--out", type=Path, help="default: CHANGES-<old>-to-<new>.md beside them")
    dif.set_defaults(func=cmd_diff)
    return parser


def main(argv=None):
    """Exit status 0 on success, 1 on a failure (one line, no traceback), 2 on bad usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "register" and not args.remove:
        try:  # the files must exist, except for --remove (names)
            args.files = [existing_file(f) for f in args.files]
        except argparse.ArgumentTypeError as err:
            parser.error(f"argument files: {err}")
    try:
        args.func(args)
    except HumanprepError as err:
        print(f"humanprep: {err}", file=sys.stderr)
        return 1
    except OSError as err:  # a missing or unreadable file inside a release, a full disk...
        print(f"humanprep: {describe(err)}", file=sys.stderr)
        return 1
    except (json.JSONDecodeError, KeyError) as err:
        print(f"humanprep: {args.command}: not a readable release ({err!r})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
