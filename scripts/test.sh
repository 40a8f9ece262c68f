#!/usr/bin/env bash
# Fresh Debian 12 machine to a passing test suite in one step: set up, build, run CTest -- in
# Release under build/, then the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# under build-asan/ (-DBENCHR_SANITIZE=ON; BENCHR_SANITIZE_TESTS=0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -LE bench  # bench/ checks: ctest -L bench
if [ "${BENCHR_SANITIZE_TESTS:-1}" != 0 ]; then
  asan=${ASAN_BUILD_DIR:-build-asan}
  BUILD_DIR=$asan CMAKE_ARGS="-DBENCHR_SANITIZE=ON ${CMAKE_ARGS:-}" bash scripts/setup.sh
  # The .deb of a sanitizer build is no product (label package); bench/ checks are not run here either.
  ctest --test-dir "$asan" --output-on-failure --label-exclude "package|bench"
fi
