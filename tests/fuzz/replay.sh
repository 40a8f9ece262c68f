#!/usr/bin/env bash
# The fuzz_regressions test: every input the fuzzers found (tests/fuzz/regressions/TARGET/), and
# the overflow cases of issue #21 written by hand beside them, fed to the tool the way a user
# would give it. A malformed input must exit 2 with "benchr-advise: error:", never crash, hang or
# print a figure; a calibration cache must be ignored with a warning (exit 0).
#
# Usage: replay.sh BENCHR_EXE REGRESSIONS_DIR
set -uo pipefail
exe=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0 count=0

# A one-tensor model.safetensors for config.json inputs (as tests/fuzz/fuzz_safetensors.cpp).
header='{"model.embed_tokens.weight":{"dtype":"F16","shape":[4,2],"data_offsets":[0,16]}}'
st() { printf "\\x$(printf %02x ${#header})\\x00\\x00\\x00\\x00\\x00\\x00\\x00%s" "$header"; head -c 16 /dev/zero; }

expect() {  # expect STATUS WHAT -- COMMAND...
  local want=$1 what=$2
  shift 3
  count=$((count + 1))
  timeout 60 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  if [ "$got" -ne "$want" ] || { [ "$want" -eq 2 ] && ! grep -q "benchr-advise: error:" "$tmp/err"; }; then
    echo "FAIL $what: exit $got (want $want): $(head -c 300 "$tmp/err")"
    failed=1
  else
    echo "ok   $what: exit $got: $(head -n1 "$tmp/err" | cut -c1-160)"
  fi
}

shopt -s nullglob
for f in "$dir"/catalog/*; do expect 2 "$f" -- "$exe" models --catalog "$f"; done
for f in "$dir"/machine_json/* "$dir"/hwloc_xml/*; do expect 2 "$f" -- "$exe" probe --no-calibrate --machine "$f"; done
for f in "$dir"/gguf/* "$dir"/safetensors/*; do
  case $f in
    *.config.json)
      rm -rf "$tmp/hf" && mkdir "$tmp/hf" && cp "$f" "$tmp/hf/config.json" && st >"$tmp/hf/model.safetensors"
      expect 2 "$f" -- "$exe" fit "$tmp/hf" --no-calibrate ;;
    *) cp "$f" "$tmp/model.${f##*.}" && expect 2 "$f" -- "$exe" fit "$tmp/model.${f##*.}" --no-calibrate ;;
  esac
done
for f in "$dir"/cache/*; do
  # The cache file of this machine's fingerprint, replaced by the input: ignored with a warning.
  rm -rf "$tmp/xdg" && mkdir -p "$tmp/xdg"
  XDG_CACHE_HOME=$tmp/xdg "$exe" calibrate --seconds 0.2 >/dev/null 2>&1
  for c in "$tmp"/xdg/benchr-advise/calibration-*.json; do cp "$f" "$c"; done
  XDG_CACHE_HOME=$tmp/xdg expect 0 "$f" -- "$exe" --budget 100
  grep -q "ignoring" "$tmp/err" || { echo "FAIL $f: no 'ignoring' warning"; failed=1; }
done
echo "$count inputs replayed"
exit $failed
