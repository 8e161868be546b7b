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
# Build from a snapshot of the source tree: the frontend and the Python side must come from the
# same code (Reflex refuses a frontend built for another state tree), even if files change
# while the build runs. The snapshot holds tracked and untracked, not ignored, files.
SRC="$ROOT/build/binary-src"
log "snapshot of the source tree into $SRC"
rm -rf "$SRC"
mkdir -p "$SRC"
$PY - "$ROOT" "$SRC" <<'PYCOPY'
import os, shutil, subprocess, sys
root, dest = sys.argv[1], sys.argv[2]
names = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                       cwd=root, check=True, capture_output=True).stdout.split(b"\0")
for name in filter(None, (n.decode() for n in names)):
    source = os.path.join(root, name)
    if os.path.isfile(source):  # skip files deleted in the work tree
        os.makedirs(os.path.dirname(os.path.join(dest, name)), exist_ok=True)
        shutil.copy2(source, os.path.join(dest, name))
PYCOPY

WEB="${JOURNEYS_FRONTEND_WEB:-$ROOT/build/frontend-web}"
log "building the frontend into $WEB"
(cd "$SRC" && REFLEX_WEB_WORKDIR="$WEB" REFLEX_STATES_WORKDIR="$ROOT/build/frontend-states" \
  "$ROOT/$PY" -m reflex export --frontend-only --no-zip --env prod --loglevel warning >&2)
[[ -f "$WEB/build/client/index.html" ]] || { log "frontend build missing $WEB/build/client"; exit 1; }
frontend_done=$(date +%s)
log "frontend built in $((frontend_done - started))s"

log "running PyInstaller"
(cd "$SRC" && JOURNEYS_FRONTEND_WEB="$WEB" "$ROOT/$PY" -m PyInstaller packaging/journeys.spec \
  --noconfirm --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" --log-level WARN >&2)
done_at=$(date +%s)

# Smoke check: the binary runs and knows its commands (no server started).
dist/journeys --help >/dev/null
size=$(du -m dist/journeys | cut -f1)
log "dist/journeys: ${size} MB; frontend $((frontend_done - started))s, PyInstaller $((done_at - frontend_done))s"
echo "$ROOT/dist/journeys"
