#!/usr/bin/env bash
# Fresh Debian 12 machine to a passing test suite in one step: set up, build, run CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -LE bench  # bench/ checks: ctest -L bench
