#!/usr/bin/env bash
# Install everything the tests need (Debian packages and Python packages), then run lint, types and the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test
.venv/bin/ruff check .
.venv/bin/mypy
# The GitHub workflows: well-formed, with their shell steps checked by shellcheck (actionlint), and
# free of known unsafe patterns such as unpinned actions or persisted credentials (zizmor, offline).
.venv/bin/actionlint -shellcheck .venv/bin/shellcheck -pyflakes "" .github/workflows/*.yml
.venv/bin/zizmor --offline --no-progress .github/workflows
exec .venv/bin/python -m pytest "$@"
