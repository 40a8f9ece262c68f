#!/usr/bin/env bash
# Fuzzes the model-file reader (modelfile/: read_model_file) with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer for a bounded time, from a seed corpus of valid GGUF, safetensors and
# config.json inputs (tests/modelfile/make_seeds.cpp). Prints the executions and any crash found.
#
# Usage: bench/fuzz_gguf.sh [SECONDS]      (default 60)
# Environment: FUZZ_WORK=DIR (default ${TMPDIR:-/tmp}/benchr-fuzz-gguf) keeps the build, the
# growing corpus and crash artifacts between runs; FUZZ_JOBS=N runs N fuzzer processes.
# Exit status: 0 when nothing was found, 1 when the fuzzer found a crash, 2 on a setup error.
set -euo pipefail

seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "fuzz_gguf.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/benchr-fuzz-gguf}
jobs=${FUZZ_JOBS:-1}

if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz_gguf.sh: clang++ not found: install the Debian package clang (libFuzzer comes with it)" >&2
  exit 2
fi

mkdir -p "$work/corpus" "$work/artifacts"
flags=(-std=c++20 -g -O1 -fno-omit-frame-pointer -I"$root/modelfile" -I"$root/estimator" -I"$root/tests/modelfile")
echo "building $work/fuzz_gguf with $(clang++ --version | head -n1)" >&2
clang++ "${flags[@]}" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  "$root/tests/modelfile/fuzz_gguf.cpp" "$root"/modelfile/*.cpp "$root"/estimator/*.cpp -o "$work/fuzz_gguf"
clang++ "${flags[@]}" "$root/tests/modelfile/make_seeds.cpp" -o "$work/make_seeds"
"$work/make_seeds" "$work/seeds" >&2

# Limits: inputs up to 64 KiB, so any single allocation over 64 MiB is out of proportion to the
# input and is reported as a finding, as is an input taking over 10 s.
echo "fuzzing for ${seconds}s with $jobs job(s)" >&2
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
rm -f "$work"/fuzz-*.log
set +e
# libFuzzer writes one fuzz-N.log per job into the current folder.
(cd "$work" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ./fuzz_gguf -max_total_time="$seconds" -max_len=65536 -malloc_limit_mb=64 -rss_limit_mb=2048 \
  -timeout=10 "${parallel[@]}" -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
  corpus seeds >log.txt 2>&1)
status=$?
set -e
cat "$work"/fuzz-*.log >>"$work/log.txt" 2>/dev/null || true

executions=$(grep -h 'stat::number_of_executed_units' "$work/log.txt" | awk '{s += $2} END {print s + 0}')
rate=$(grep -h 'stat::average_exec_per_sec' "$work/log.txt" | awk '{s += $2} END {print s + 0}')
echo "executions: $executions ($rate/s), corpus: $(find "$work/corpus" -type f | wc -l) inputs"
crashes=$(find "$work/artifacts" -type f -newer "$work/fuzz_gguf" | sort)
if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
  echo "FOUND (fuzzer exit status $status):"
  grep -h -E '^==[0-9]+==ERROR|runtime error|SUMMARY|deadly signal|out-of-memory|malloc\(|timeout' "$work/log.txt" | head -n 20
  for c in $crashes; do echo "  artifact: $c (replay: $work/fuzz_gguf $c)"; done
  exit 1
fi
echo "no crash, hang, sanitizer report or oversized allocation found"
