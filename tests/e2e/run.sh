#!/usr/bin/env bash
# CTest entry of the browser end-to-end tests: prepares them (setup.sh), then runs one test
# (voice_browser.test.mjs unless a *.test.mjs of this folder is named first).
#   tests/e2e/run.sh [<name>.test.mjs] <path/to/onair> <web root>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
test="voice_browser.test.mjs"
if [[ "${1:-}" == *.test.mjs ]]; then
  test="$1"
  shift
fi
"$here/setup.sh"
exec node "$here/$test" "$@"
