"""`humanprep` command: the bookkeeping a user does by hand, outside the workflow."""

import argparse
import datetime
import sys
from pathlib import Path

from humanprep.datasets import DATASETS
from humanprep.errors import HumanprepError

REPO = Path(__file__).resolve().parent.parent


def cmd_register(args):
    from humanprep.acquire.registry import register

    registry = Path(args.registry_dir, f"{args.dataset}.tsv")
    changes = register(registry, args.files, items=args.items, kind=args.kind, force=args.force)
    for line in changes:
        print(f"{registry}: {line}")
    if not changes:
        print(f"{registry}: unchanged")


def cmd_accept(args):
    from humanprep.acquire.gate import acceptance_snippet

    terms = REPO / "terms" / f"{args.dataset}.md"
    print(f"# Read {terms} first. Then paste this under `agreements:` in your config:")
    print(acceptance_snippet(args.dataset, args.by, terms, args.today))


def build_parser():
    parser = argparse.ArgumentParser(prog="humanprep", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    reg = sub.add_parser("register", help="record size and checksums of archives you hold")
    reg.add_argument("dataset", choices=DATASETS)
    reg.add_argument("files", nargs="+", type=Path)
    reg.add_argument("--registry-dir", default=str(REPO / "registry" / "upstream"))
    reg.add_argument("--items", type=int, help="dataset items the file holds (sizes shards)")
    reg.add_argument("--kind", choices=("zip", "tar", "file"))
    reg.add_argument("--force", action="store_true", help="allow changing an existing entry")
    reg.set_defaults(func=cmd_register)

    acc = sub.add_parser("accept", help="print the acceptance record of a dataset's terms")
    acc.add_argument("dataset", choices=DATASETS)
    acc.add_argument("--by", required=True, help='who accepts: "Name <email>"')
    acc.add_argument("--today", default=datetime.date.today().isoformat())
    acc.set_defaults(func=cmd_accept)
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except HumanprepError as err:
        print(f"humanprep: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
