#!/usr/bin/env bash
# Golden outputs: runs each case of cases.txt and compares its --json output byte for byte with
# tests/golden/NAME.json, so a change to the presenters (the app/ split, the terminal work) that
# alters any JSON fails here. BENCHR_UPDATE_GOLDEN=1 rewrites the files instead (review the diff).
# Usage: check.sh BENCHR_ADVISE_BINARY
set -euo pipefail
exe=$1
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
failed=0 n=0
while read -r name args; do
  [[ -z $name || $name == \#* ]] && continue
  n=$((n + 1))
  golden=$here/$name.json
  # shellcheck disable=SC2086  # the arguments are shell words
  if ! out=$("$exe" $args 2>/dev/null); then
    echo "golden: $name: benchr-advise $args exited non-zero" >&2
    failed=1
    continue
  fi
  if [[ ${BENCHR_UPDATE_GOLDEN:-} == 1 ]]; then
    printf '%s\n' "$out" >"$golden"
  elif [[ ! -f $golden ]]; then
    echo "golden: $name: no $golden (BENCHR_UPDATE_GOLDEN=1 writes it)" >&2
    failed=1
  elif ! diff -u "$golden" <(printf '%s\n' "$out") >"${TMPDIR:-/tmp}/golden-$name.diff"; then
    echo "golden: $name: output differs from $golden:" >&2
    head -40 "${TMPDIR:-/tmp}/golden-$name.diff" >&2
    failed=1
  fi
done <"$here/cases.txt"
if [[ ${BENCHR_UPDATE_GOLDEN:-} == 1 ]]; then echo "golden: wrote $n files" >&2; exit 0; fi
((failed == 0)) && echo "golden: $n outputs identical"
exit $failed
