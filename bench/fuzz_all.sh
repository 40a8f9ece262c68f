#!/usr/bin/env bash
# Fuzzes every parser of untrusted input with libFuzzer, AddressSanitizer and
# UndefinedBehaviorSanitizer (clang), one target after the other, each for SECONDS:
#   catalog      a user's catalog TOML (catalog/load.cpp), then its models estimated
#   machine_json a saved machine (app/machine_file.cpp load_machine)
#   hwloc_xml    an hwloc XML export through load_machine (check_hwloc_xml, then real libhwloc)
#   cache        the calibration cache (app/cache.cpp calibration_from_json)
#   gguf         a GGUF file (modelfile/), then what `fit` does with it
#   safetensors  a safetensors header or a config.json (modelfile/), then what `fit` does
# The targets are tests/fuzz/fuzz_*.cpp; each is seeded from the tests' inputs (tests/fuzz/seeds/,
# tests/probe/machines/, tests/modelfile/make_seeds.cpp) and keeps its growing corpus between runs.
# Prints, per target, the executions (this run and all runs so far) and the findings.
#
# Usage: bench/fuzz_all.sh [SECONDS_PER_TARGET [TARGET...]]     (default 60, every target)
# Environment: FUZZ_WORK=DIR (default ${TMPDIR:-/tmp}/benchr-fuzz) keeps the builds, corpora,
# artifacts and the executions tally; FUZZ_JOBS=N runs N fuzzer processes per target;
# FUZZ_SANITIZE=asan (the default: AddressSanitizer + UndefinedBehaviorSanitizer), ubsan (UBSan
# alone) or none (coverage only: a crash, a hang or a process past 2 GiB is still found, a
# silent out-of-bounds access or overflow is not) -- the lighter builds run several times the
# executions a second (bench/NOTES.md), each in its own build folder, all sharing the corpora.
# Exit status: 0 when nothing was found, 1 when a target found a crash, undefined behaviour, a
# hang (> 10 s) or an oversized allocation, 2 on a setup error.
# A finding is fixed at its root, then its input is kept in tests/fuzz/regressions/TARGET/ where
# the fuzz_regressions CTest test replays it through the tool.
set -euo pipefail

seconds=${1:-60}
case $seconds in '' | *[!0-9]*) echo "fuzz_all.sh: SECONDS must be a whole number, got '$seconds'" >&2; exit 2 ;; esac
shift || true
all_targets=(catalog machine_json hwloc_xml cache gguf safetensors)
targets=("$@")
((${#targets[@]})) || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz_all.sh: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done
root=$(cd "$(dirname "$0")/.." && pwd)
work=${FUZZ_WORK:-${TMPDIR:-/tmp}/benchr-fuzz}
jobs=${FUZZ_JOBS:-1}
sanitize=${FUZZ_SANITIZE:-asan}
case $sanitize in
  asan) sanitizer_flags=(-fsanitize=address,undefined -fno-sanitize-recover=undefined) ;;
  ubsan) sanitizer_flags=(-fsanitize=undefined -fno-sanitize-recover=undefined) ;;
  none) sanitizer_flags=() ;;
  *) echo "fuzz_all.sh: FUZZ_SANITIZE must be asan, ubsan or none, got '$sanitize'" >&2; exit 2 ;;
esac

need=()
command -v clang++ >/dev/null 2>&1 || need+=(clang)
ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 || need+=(libclang-rt-14-dev)
for p in libhwloc-dev libtomlplusplus-dev nlohmann-json3-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
  echo "fuzz_all.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
    { echo "fuzz_all.sh: could not install ${need[*]}" >&2; exit 2; }
fi

# ---- build: the library sources once (instrumented, not linked with libFuzzer's main), then each
# target; an object is rebuilt when its source or any project header is newer.
build=$work/build-$sanitize
mkdir -p "$build/obj"
cxx=(clang++ -std=c++20 -g -O1 -fno-omit-frame-pointer "${sanitizer_flags[@]}"
     -I"$root/estimator" -I"$root/catalog" -I"$root/probe" -I"$root/modelfile" -I"$root/app" -I"$root/kernels"
     -I"$root/tests/fuzz" $(pkg-config --cflags hwloc)
     # toml++ 3.3's parse_key asserts what its next lines handle with a syntax error ('[[[[' in a
     # table header: the tool says "file:1:3: TOML syntax error"); the tool's g++ Release build
     # compiles that assertion to nothing, and so does this build, so a finding is the tool's.
     "-DTOML_ASSERT(expr)=static_assert(true)")
# A change of compiler or flags rebuilds everything.
if [ "$(cat "$build/flags" 2>/dev/null)" != "$(clang++ --version | head -n1) ${cxx[*]}" ]; then
  rm -f "$build"/obj/*.o "$build"/fuzz_*
  echo "$(clang++ --version | head -n1) ${cxx[*]}" >"$build/flags"
fi
embedded=$build/embedded_data.cpp
cmake "-DINPUTS=$(ls "$root"/data/*.toml | tr '\n' ';' | sed 's/;$//')" -DOUTPUT="$embedded" -P "$root/cmake/embed.cmake"
newest_header=$(ls -t "$root"/{estimator,catalog,probe,modelfile,app,kernels,tests/fuzz}/*.hpp | head -n1)
sources=("$root"/estimator/*.cpp "$root/catalog/load.cpp" "$root/catalog/toml_precheck.cpp" "$embedded" "$root"/probe/*.cpp "$root"/modelfile/*.cpp
         "$root/app/machine_file.cpp" "$root/app/cache.cpp")
echo "building the fuzz targets in $build with $(clang++ --version | head -n1) (sanitizers: $sanitize)" >&2
pids=() objects=()
for s in "${sources[@]}"; do
  o=$build/obj/$(basename "$(dirname "$s")")_$(basename "${s%.cpp}").o
  objects+=("$o")
  if [ ! -e "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_header" -nt "$o" ]; then
    "${cxx[@]}" -fsanitize=fuzzer-no-link -c "$s" -o "$o" &
    pids+=($!)
    if ((${#pids[@]} >= $(nproc))); then wait "${pids[0]}" || exit 2; pids=("${pids[@]:1}"); fi
  fi
done
for p in "${pids[@]}"; do wait "$p" || exit 2; done
for t in "${targets[@]}"; do
  exe=$build/fuzz_$t
  src=$root/tests/fuzz/fuzz_$t.cpp
  if [ ! -e "$exe" ] || [ "$src" -nt "$exe" ] || [ "$newest_header" -nt "$exe" ] ||
     [ -n "$(find "$build/obj" -newer "$exe" -name '*.o' | head -n1)" ]; then
    "${cxx[@]}" -fsanitize=fuzzer "$src" "${objects[@]}" $(pkg-config --libs hwloc) -ldl -lpthread -o "$exe" || exit 2
  fi
done

# ---- seeds
seeds=$work/seeds
rm -rf "$seeds"
mkdir -p "$seeds"/{catalog,machine_json,hwloc_xml,cache,gguf,safetensors,generated}
cp "$root"/tests/fuzz/seeds/catalog/* "$seeds/catalog/"
cp "$root"/tests/fuzz/seeds/machine_json/* "$seeds/machine_json/"
cp "$root"/tests/fuzz/seeds/hwloc_xml/* "$root"/tests/probe/machines/*.xml "$seeds/hwloc_xml/"
cp "$root"/tests/fuzz/seeds/cache/* "$seeds/cache/"
clang++ -std=c++20 -O1 -I"$root/tests/modelfile" "$root/tests/modelfile/make_seeds.cpp" -o "$work/make_seeds" || exit 2
"$work/make_seeds" "$seeds/generated" >/dev/null
cp "$seeds"/generated/*.gguf "$seeds/gguf/"
cp "$seeds"/generated/*.safetensors "$seeds"/generated/config-*.txt "$seeds/safetensors/"
for t in "${all_targets[@]}"; do
  [ -d "$root/tests/fuzz/regressions/$t" ] && cp "$root/tests/fuzz/regressions/$t"/* "$seeds/$t/" 2>/dev/null || true
done

# ---- run
# Limits: inputs up to 64 KiB, so one allocation over 256 MiB (4096 times the input) is out of
# proportion to it and a finding (the readers check counts against the bytes left before they
# reserve), as is an input taking over 10 s or a process over 2 GiB.
parallel=()
[ "$jobs" -gt 1 ] && parallel=(-jobs="$jobs" -workers="$jobs")
tally=$work/executions.tsv
touch "$tally"
found=0
printf '%-13s %12s %10s %14s %7s  %s\n' target executions "exec/s" "all runs" corpus findings
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t" "$work/run/$t"
  rm -f "$work/run/$t"/*.log
  stamp=$work/run/$t/start
  touch "$stamp"
  # libhwloc 2.9 leaks a few hundred bytes of topology objects when its XML import rejects an
  # input (hwloc_alloc_setup_object, not freed by hwloc_topology_destroy): leaks inside libhwloc
  # are not reported, every other one is.
  lsan=
  timeout=10
  if [ "$t" = hwloc_xml ]; then
    lsan=suppressions=$root/tests/fuzz/lsan-hwloc.supp
    # load_machine waits up to 10 s for the child that runs libhwloc (probe/hwloc_isolated.cpp):
    # an input that slow is contained, and a finding only past that.
    timeout=15
  fi
  set +e
  (cd "$work/run/$t" && LSAN_OPTIONS=$lsan ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/fuzz_$t" -max_total_time="$seconds" -max_len=65536 -malloc_limit_mb=256 -rss_limit_mb=2048 \
    -timeout="$timeout" "${parallel[@]}" -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
    "$work/corpus/$t" "$seeds/$t" >log.txt 2>&1)
  status=$?
  set -e
  cat "$work/run/$t"/fuzz-*.log >>"$work/run/$t/log.txt" 2>/dev/null || true
  execs=$(grep -h 'stat::number_of_executed_units' "$work/run/$t/log.txt" | awk '{s += $2} END {print s + 0}')
  rate=$(grep -h 'stat::average_exec_per_sec' "$work/run/$t/log.txt" | awk '{s += $2} END {print s + 0}')
  printf '%s\t%s\t%s\t%s\n' "$t" "$execs" "$(date -u +%FT%TZ)" "$sanitize" >>"$tally"
  total=$(awk -v t="$t" '$1 == t {s += $2} END {print s + 0}' "$tally")
  crashes=$(find "$work/artifacts/$t" -type f -newer "$stamp" | sort)
  contained=
  if [ "$t" = hwloc_xml ] && [ "$status" -eq 0 ] && [ -n "$crashes" ]; then
    # The fuzzer itself went on (exit 0): these were written by the child process that runs
    # libhwloc (its copy of libFuzzer's allocation limit or crash handler), which load_machine
    # contains and reports as bad input. Not findings; kept for a look.
    contained=" (libhwloc's child process failed on $(echo "$crashes" | wc -l) inputs, contained: $work/artifacts/$t)"
    crashes=
  fi
  if [ "$status" -ne 0 ] || [ -n "$crashes" ]; then
    what="FOUND (exit status $status): $(grep -h -m1 -E '^==[0-9]+==ERROR|runtime error|deadly signal|out-of-memory|malloc\(|timeout' "$work/run/$t/log.txt" | cut -c1-150 || true)"
    found=1
  else
    what=none$contained
  fi
  printf '%-13s %12s %10s %14s %7s  %s\n' "$t" "$execs" "$rate" "$total" "$(find "$work/corpus/$t" -type f | wc -l)" "$what"
  for c in $crashes; do echo "    artifact: $c (replay: $build/fuzz_$t $c; log: $work/run/$t/log.txt)"; done
done
exit $found
