#!/usr/bin/env bash
# Install memtray (first time only) and start it. Arguments go to memtray, e.g. `bash scripts/run.sh sync`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh runtime
exec .venv/bin/memtray "$@"
