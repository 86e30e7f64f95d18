#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python packages), then run lint, types and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
