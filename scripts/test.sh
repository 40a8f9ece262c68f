#!/usr/bin/env bash
# Fresh Debian 12 machine to a passing test suite in one step: set up, build, run CTest -- in
# Release under build/, then the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
# under build-asan/ (-DBENCHR_SANITIZE=ON; BENCHR_SANITIZE_TESTS=0 skips it). The sanitizer pass
# runs the suites of the parsers, the estimator and the output guard; BENCHR_SANITIZE_TESTS=all
# runs every suite (the calibrating ones -- cli, kernels, vulkan, plan_models, report -- take
# tens of minutes under ASan on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -LE bench  # bench/ checks: ctest -L bench
if [ "${BENCHR_SANITIZE_TESTS:-1}" != 0 ]; then
  asan=${ASAN_BUILD_DIR:-build-asan}
  BUILD_DIR=$asan CMAKE_ARGS="-DBENCHR_SANITIZE=ON ${CMAKE_ARGS:-}" bash scripts/setup.sh
  # The .deb of a sanitizer build is no product (label package); bench/ checks are not run here either.
  if [ "${BENCHR_SANITIZE_TESTS:-1}" = all ]; then
    ctest --test-dir "$asan" --output-on-failure --label-exclude "package|bench"
  else
    ctest --test-dir "$asan" --output-on-failure --label-exclude "package|bench" \
      -R '^(estimator|catalog|probe|calibration|local|guard|fuzz_regressions|modelfile|golden|estimator_includes|report_no_js)$'
  fi
fi
