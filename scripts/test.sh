#!/usr/bin/env bash
# Runs the whole test suite. Called by `make test` (after setup) and by .ci/run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
export DATABASE_URL_PG="${DATABASE_URL_PG:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
PY=.venv/bin/python
status=0
# Engine, storage, effects, API and process-level tests (2 workers: this machine has 2 cores).
timeout 3000 $PY -m pytest -m "not e2e" -n 2 -p no:cacheprovider "$@" || status=$?
# Browser tests drive the real app in Chromium; separate process, own timeout.
if [[ "${JOURNEYS_SKIP_E2E:-}" != "1" && -d tests/e2e ]] && ls tests/e2e/test_*.py >/dev/null 2>&1; then
  timeout 1500 $PY -m pytest -m e2e tests/e2e -p no:cacheprovider || status=$?
fi
exit $status
