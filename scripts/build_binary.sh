#!/usr/bin/env bash
# Build dist/journeys: one executable that runs `journeys serve` (UI, API, engine on one port)
# on a Linux machine with no Python and no Node. Safe to run twice.
#
#   scripts/build_binary.sh               # -> dist/journeys
#   JOURNEYS_SKIP_SETUP=1 scripts/build_binary.sh   # after scripts/setup.sh already ran
#
# Steps: setup (venv, bun) -> the frontend, prebuilt with `reflex export --frontend-only` into
# build/frontend-web (not .web, so a running `make run` is never disturbed) -> PyInstaller
# (packaging/journeys.spec) -> a smoke check of the result.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[binary] %s\n' "$*" >&2; }
PYINSTALLER_VERSION=6.22.3

if [[ -z "${JOURNEYS_SKIP_SETUP:-}" ]]; then
  JOURNEYS_SKIP_CHROMIUM="${JOURNEYS_SKIP_CHROMIUM:-1}" bash scripts/setup.sh
fi
# shellcheck source=scripts/env.sh
. scripts/env.sh
PY=.venv/bin/python

if [[ "$($PY -c 'import PyInstaller; print(PyInstaller.__version__)' 2>/dev/null || true)" \
      != "$PYINSTALLER_VERSION" ]]; then
  log "installing pyinstaller==$PYINSTALLER_VERSION into .venv"
  $PY -m pip install --disable-pip-version-check -q "pyinstaller==$PYINSTALLER_VERSION"
fi

started=$(date +%s)
WEB="${JOURNEYS_FRONTEND_WEB:-$ROOT/build/frontend-web}"
log "building the frontend into $WEB"
REFLEX_WEB_WORKDIR="$WEB" REFLEX_STATES_WORKDIR="$ROOT/build/frontend-states" \
  $PY -m reflex export --frontend-only --no-zip --env prod --loglevel warning >&2
[[ -f "$WEB/build/client/index.html" ]] || { log "frontend build missing $WEB/build/client"; exit 1; }
frontend_done=$(date +%s)
log "frontend built in $((frontend_done - started))s"

log "running PyInstaller"
JOURNEYS_FRONTEND_WEB="$WEB" $PY -m PyInstaller packaging/journeys.spec --noconfirm \
  --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" --log-level WARN >&2
done_at=$(date +%s)

# Smoke check: the binary runs and knows its commands (no server started).
dist/journeys --help >/dev/null
size=$(du -m dist/journeys | cut -f1)
log "dist/journeys: ${size} MB; frontend $((frontend_done - started))s, PyInstaller $((done_at - frontend_done))s"
echo "$ROOT/dist/journeys"
