#!/usr/bin/env bash
# CTest entry of the browser end-to-end tests: prepares them (setup.sh), then runs the voice test.
#   tests/e2e/run.sh <path/to/onair> <web root>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
"$here/setup.sh"
exec node "$here/voice_browser.test.mjs" "$@"
