# shellcheck shell=bash
# Source this file (". scripts/env.sh") to get the environment the Reflex app
# needs on machines that cannot download bun/browsers from the internet.
# Safe to source several times; uses only paths inside the repository.

_journeys_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export JOURNEYS_ROOT="$_journeys_root"

# bun installed from the npm registry into the project-local, git-ignored .tools/.
# Reflex would otherwise try to download bun from the internet, which fails here.
export REFLEX_BUN_PATH="$_journeys_root/.tools/bin/bun"
[[ -x "$REFLEX_BUN_PATH" ]] || echo "[env] $REFLEX_BUN_PATH is missing: run scripts/setup.sh" >&2
# Use npm's public registry directly: otherwise Reflex times both it and a mirror
# that this machine cannot reach before its first frontend install.
export NPM_CONFIG_REGISTRY="${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}"
export REFLEX_TELEMETRY_ENABLED=false
export REFLEX_CHECK_LATEST_VERSION=false
# Keep the Next/Vite/React build quiet about telemetry too.
export NEXT_TELEMETRY_DISABLED=1
export DO_NOT_TRACK=1

# Debian's chromium for Playwright; `playwright install` cannot download.
export JOURNEYS_CHROMIUM="${JOURNEYS_CHROMIUM:-/usr/bin/chromium}"

case ":$PATH:" in
  *":$_journeys_root/.tools/bin:"*) ;;
  *) export PATH="$_journeys_root/.tools/bin:$PATH" ;;
esac
case ":$PATH:" in
  *":$_journeys_root/.venv/bin:"*) ;;
  *) export PATH="$_journeys_root/.venv/bin:$PATH" ;;
esac
unset _journeys_root
