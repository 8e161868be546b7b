#!/usr/bin/env bash
# Start Journeys in production mode on one port (default http://localhost:3000):
# the UI, Reflex's websocket and the REST API under /api/v1 (GET /api/v1/health).
#
#   scripts/run.sh                 # setup (idempotent) + build + serve on :3000
#   PORT=8080 scripts/run.sh       # another port
#   JOURNEYS_SKIP_SETUP=1 scripts/run.sh   # skip scripts/setup.sh (CI after setup)
#
# Data lives in SQLite under .journeys/ unless DATABASE_URL is set.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ -z "${JOURNEYS_SKIP_SETUP:-}" ]]; then
  # The server needs no browser; the e2e tests do (setup.sh installs it when missing).
  JOURNEYS_SKIP_CHROMIUM="${JOURNEYS_SKIP_CHROMIUM:-1}" bash scripts/setup.sh
fi
# shellcheck source=scripts/env.sh
. scripts/env.sh

mkdir -p .journeys
export DATABASE_URL="${DATABASE_URL:-sqlite:///$ROOT/.journeys/journeys.db}"

PORT="${PORT:-3000}"
HOST="${HOST:-0.0.0.0}"
echo "[run] Journeys on http://localhost:$PORT (API: /api/v1, database: ${DATABASE_URL%%://*})" >&2
# `journeys serve`: migrations at start, the engine and its worker, UI + API + /healthz on one
# port; --demo adds a demo vendor (credentials printed once), the templates and sample couples
# to a brand-new database.
exec journeys serve --demo --port "$PORT" --host "$HOST" "$@"
