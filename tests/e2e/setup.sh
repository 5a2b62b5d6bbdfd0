#!/usr/bin/env bash
# Prepares the browser end-to-end tests on Debian 12: Chromium and Node.js/npm from apt when they are
# missing (scripts/install-deps.sh test installs Chromium already), then playwright-core from the
# committed package-lock.json (npm ci; skipped while node_modules matches the lock file).
# Idempotent and quiet when everything is in place. Run as root or with sudo available.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

missing=()
[[ -x "$chromium" ]] || missing+=(chromium)
# nodejs from Debian 12 is v18 (enough for the pinned playwright-core); a node installed otherwise
# (e.g. NodeSource, which bundles npm and conflicts with Debian's npm) is used as it is.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [[ ${#missing[@]} -gt 0 ]]; then
  "$here/../../scripts/install-deps.sh" packages "${missing[@]}"
fi

# Chromium must start headless (a broken install fails here, not in the middle of a test).
if ! version="$("$chromium" --headless --no-sandbox --disable-gpu --version 2>/dev/null)"; then
  echo "e2e setup: $chromium does not run" >&2
  exit 1
fi

# playwright-core, exactly as locked. npm ci wipes node_modules, so only when the lock changed.
stamp="$here/node_modules/.package-lock.json"
if [[ ! -f "$stamp" || "$here/package-lock.json" -nt "$stamp" || ! -d "$here/node_modules/playwright-core" ]]; then
  echo "e2e setup: npm ci in $here" >&2
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
echo "e2e setup: $version, node $(node --version), playwright-core $(node -p "require('$here/node_modules/playwright-core/package.json').version")" >&2
