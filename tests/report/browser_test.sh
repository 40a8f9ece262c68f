#!/usr/bin/env bash
# The report in a real browser: writes an advise report, a plan report and a plan-without-a-model
# report, opens each in headless Chromium (check_report.js) and checks that every chart drew, the
# page logged no error and fetched nothing, and its screenshot is not blank. Then the same check
# on two broken copies must fail (a mark type Vega-Lite does not know; no data), so a check that
# passes everything would fail here.
# Usage: browser_test.sh BENCHR_EXE NODE_MODULES. Exit 77 (CTest: skipped) only without Chromium.
set -euo pipefail
exe=$1
node_modules=$2
here=$(cd "$(dirname "$0")" && pwd)
chromium=${CHROMIUM:-/usr/bin/chromium}
if [[ ! -x $chromium ]]; then
  echo "SKIP: no Chromium at $chromium (scripts/setup.sh installs Debian's chromium)"
  exit 77
fi
for m in playwright-core vega vega-lite vega-embed; do
  [[ -d $node_modules/$m ]] || { echo "FAIL: $node_modules/$m missing: run scripts/setup.sh (npm ci)"; exit 1; }
done
tmp=$(mktemp -d /tmp/benchr-report-browser-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export NODE_PATH=$node_modules

check() { CHROMIUM=$chromium node "$here/check_report.js" "$@"; }

"$exe" report --hardware rtx-4090 --budget 100 -o "$tmp/advise.html" 2>/dev/null
"$exe" report --machine "$here/../probe/machines/2s-16v100.xml" --budget 100 -o "$tmp/machine.html" 2>/dev/null
"$exe" report plan --model qwen3-32b --min-tps 20 -o "$tmp/plan.html" 2>/dev/null
"$exe" report plan --budget 100 -o "$tmp/models.html" 2>/dev/null
failed=0
for page in advise machine plan models; do
  echo "== $page"
  check "$tmp/$page.html" || failed=1
done

# The checks must be able to fail: a spec Vega-Lite rejects, and charts with no data.
sed -E 's/"mark": ?"bar"/"mark":"no-such-mark"/' "$tmp/advise.html" > "$tmp/bad_mark.html"
node -e '
  const fs = require("fs");
  const [src, dst] = process.argv.slice(1);
  const open = "<script type=\"application/json\" id=\"report-data\">";
  const html = fs.readFileSync(src, "utf8");
  const at = html.indexOf(open) + open.length, end = html.indexOf("</script>", at);
  const doc = JSON.parse(html.slice(at, end));
  for (const k of Object.keys(doc.datasets)) doc.datasets[k] = [];
  fs.writeFileSync(dst, html.slice(0, at) + JSON.stringify(doc).replace(/<\//g, "<\\/") + html.slice(end));
' "$tmp/advise.html" "$tmp/no_data.html"
for page in bad_mark no_data; do
  cmp -s "$tmp/advise.html" "$tmp/$page.html" && { echo "FAIL: the $page copy is not broken"; failed=1; continue; }
  echo "== $page (must fail)"
  if check "$tmp/$page.html"; then echo "FAIL: the broken page $page passed"; failed=1; fi
done
if ((failed)); then echo "1 failed"; exit 1; fi
echo "browser: all reports drew, broken copies caught"
