#!/usr/bin/env bash
# Set up humanprep on a fresh Debian machine with Python 3.11: system tools (when run as
# root), then a virtual environment in .venv with the exact pinned packages.
#   bash setup.sh          # to run the workflow
#   bash setup.sh --test   # also the test tools
set -euo pipefail
cd "$(dirname "$0")"

# the plain package is only the release loader; the workflow needs the `workflow` extra
extras="[workflow]"
[ "${1:-}" = "--test" ] && extras="[workflow,test]"

# 7zz (Debian package 7zip) is the fast native extractor for encrypted zips; without it
# the pure-Python fallback works, far slower. unzip and md5sum serve as test oracles.
packages="7zip unzip"
# The tests also render the Snakemake report in a real headless browser.
[ "$extras" = "[workflow,test]" ] && packages="$packages chromium"
missing=""
for pkg in $packages; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
    else
        echo "setup.sh: not root: install these Debian packages yourself for full speed:$missing" >&2
    fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade "pip>=25" >/dev/null
.venv/bin/python -m pip install -q -e ".${extras}"
echo "setup.sh: ready (.venv)"
