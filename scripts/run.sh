#!/usr/bin/env bash
# Install memtray (first time only) and start it. Arguments go to memtray, e.g. `bash scripts/run.sh sync`.
# The install is redone only when what it was made from changes: pyproject.toml, scripts/bootstrap.sh or the
# venv's Python. .venv/memtray-run.stamp records those; without a change, memtray starts at once, offline.
set -euo pipefail
invoked_as="$0"
cd "$(dirname "$0")/.."
stamp=.venv/memtray-run.stamp

installed_from() {
  printf 'python: %s\n' "$(.venv/bin/python -VV 2>/dev/null | tr '\n' ' ')"
  printf 'pyproject.toml and scripts/bootstrap.sh: %s\n' "$(cat pyproject.toml scripts/bootstrap.sh | cksum)"
}

if [ ! -x .venv/bin/memtray ] || [ ! -f "$stamp" ] || [ "$(installed_from)" != "$(cat "$stamp")" ]; then
  bash scripts/bootstrap.sh runtime
  installed_from >"$stamp"
fi
# memtray's messages name commands the way this person started it, e.g. `bash scripts/run.sh sync --watch`.
MEMTRAY_COMMAND="bash $(printf '%q' "$invoked_as")"
export MEMTRAY_COMMAND
exec .venv/bin/memtray "$@"
