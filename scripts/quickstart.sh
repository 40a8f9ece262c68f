#!/usr/bin/env bash
# Fresh Debian 12 machine to advice in one step: set up, build, and run `benchr-advise --budget 100`
# (arguments replace --budget 100).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if (($#)); then exec build/app/benchr-advise "$@"; else exec build/app/benchr-advise --budget 100; fi
