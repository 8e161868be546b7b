#!/usr/bin/env bash
# Idempotent, non-interactive setup for development, CI and `scripts/run.sh`.
#   - .venv with `pip install -e '.[test]'` (skipped when pyproject.toml is unchanged)
#   - bun from the npm registry into .tools/ (Reflex cannot download it here)
#   - Debian's chromium for the browser tests (only if /usr/bin/chromium is missing
#     and JOURNEYS_SKIP_CHROMIUM is not set)
# Safe to run twice; the second run takes about a second.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
log() { printf '[setup] %s\n' "$*" >&2; }

# --- Python virtualenv -------------------------------------------------------
PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PYTHON="$candidate"; break; fi
  done
fi
if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi

stamp=.venv/.journeys-install-stamp
want="$(cat pyproject.toml | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]] \
   || ! .venv/bin/python -c 'import journey_app, reflex, playwright' >/dev/null 2>&1; then
  log "pip install -e '.[test]'"
  .venv/bin/python -m pip install --disable-pip-version-check -q --upgrade pip
  .venv/bin/python -m pip install --disable-pip-version-check -q -e '.[test]'
  echo "$want" > "$stamp"
else
  log "python packages up to date"
fi

# --- bun (from the npm registry, project-local) ------------------------------
# Same version Reflex pins (it would download that one itself if it could).
BUN_VERSION="${JOURNEYS_BUN_VERSION:-$(.venv/bin/python -c \
  'from reflex_base.constants.installer import Bun; print(Bun.VERSION)' 2>/dev/null || true)}"
have_bun="$(.tools/bin/bun --version 2>/dev/null || true)"
if [[ -z "$have_bun" || ( -n "$BUN_VERSION" && "$have_bun" != "$BUN_VERSION" ) ]]; then
  command -v npm >/dev/null 2>&1 || { log "npm is required to install bun (apt-get install npm)"; exit 1; }
  log "installing bun${BUN_VERSION:+@$BUN_VERSION} into .tools via npm (had: ${have_bun:-none})"
  mkdir -p .tools
  npm install -g --no-fund --no-audit --loglevel=error --prefix "$ROOT/.tools" \
    "bun${BUN_VERSION:+@$BUN_VERSION}" >&2
  if ! .tools/bin/bun --version >/dev/null 2>&1; then
    # npm may skip bun's postinstall (allow-scripts); link the platform binary directly.
    native="$(find .tools/lib/node_modules/bun/node_modules/@oven -path '*/bin/bun' -type f 2>/dev/null | head -n1)"
    [[ -n "$native" ]] || { log "bun installed but not runnable"; exit 1; }
    chmod +x "$native"
    ln -sf "$ROOT/$native" .tools/bin/bun
  fi
  log "bun $(.tools/bin/bun --version) installed"
else
  log "bun $have_bun present"
fi

# --- Chromium for Playwright (Debian package) --------------------------------
if [[ -n "${JOURNEYS_SKIP_CHROMIUM:-}" ]]; then
  log "skipping chromium (JOURNEYS_SKIP_CHROMIUM set)"
elif [[ -x /usr/bin/chromium ]]; then
  log "chromium present"
else
  SUDO=""
  if [[ "$(id -u)" != 0 ]]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"
    else log "WARNING: /usr/bin/chromium missing and not root: browser tests will be skipped"; SUDO=skip; fi
  fi
  if [[ "$SUDO" != skip ]]; then
    log "installing Debian chromium via apt"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      chromium fonts-liberation >&2
  fi
fi

log "done"
