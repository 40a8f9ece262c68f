#!/usr/bin/env bash
# The Debian package as a user gets it: cpack -G DEB in the build folder, then the .deb unpacked
# with dpkg -x into a temporary root (not installed): its control fields, every shared library
# of its binary resolved (ldd) and provided by a package its Depends names (dpkg -S), the docs, man
# page and completions in place, and the binary answering from there -- --version (--help before
# it existed), and advice with --no-calibrate on a recorded machine and on this one.
# Usage: test_deb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
tmp=$(mktemp -d /tmp/benchr-deb-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; echo "FAIL: cpack"; exit 1; }
debs=("$tmp"/out/*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || { ls -R "$tmp/out"; echo "FAIL: expected one .deb"; exit 1; }
deb=${debs[0]}
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) kB"
[[ $(dpkg-deb -f "$deb" Package) == benchr-advise ]] || fail "Package is not benchr-advise"
[[ $(dpkg-deb -f "$deb" Architecture) == "$(dpkg --print-architecture)" ]] || fail "Architecture"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"

dpkg -x "$deb" "$tmp/root"
bin=$tmp/root/usr/bin/benchr-advise
[[ -x $bin ]] || { echo "FAIL: no usr/bin/benchr-advise in the package"; exit 1; }
for doc in README.md docs/DESIGN.md data/README.md; do
  [[ -s $tmp/root/usr/share/doc/benchr-advise/$doc ]] || fail "usr/share/doc/benchr-advise/$doc missing"
done
# The man page and completions (app/CMakeLists.txt installs them), where Debian's tools look.
for f in man/man1/benchr-advise.1 bash-completion/completions/benchr-advise zsh/vendor-completions/_benchr-advise \
         fish/vendor_completions.d/benchr-advise.fish; do
  [[ -s $tmp/root/usr/share/$f ]] || fail "usr/share/$f missing"
done

# Every library resolves, and comes from a package the Depends field names.
ldd "$bin" >"$tmp/ldd" || fail "ldd"
if grep -q "not found" "$tmp/ldd"; then fail "unresolved libraries: $(grep 'not found' "$tmp/ldd")"; fi
for lib in $(objdump -p "$bin" | awk '/NEEDED/ {print $2}'); do
  path=$(awk -v l="$lib" '$1 == l {print $3}' "$tmp/ldd")
  [[ -n $path ]] || { fail "$lib: not in ldd's list"; continue; }
  owner=$(dpkg -S "*/$(basename "$(dirname "$path")")/$lib" 2>/dev/null | head -1 | cut -d: -f1)
  [[ -n $owner ]] || { fail "$lib ($path): no Debian package owns it"; continue; }
  if [[ ", $depends," == *", $owner "* || ", $depends," == *", $owner,"* ]]; then
    echo "ok   $lib from $owner"
  else
    fail "$lib comes from $owner, which Depends does not name"
  fi
done
# The loader the binary opens at run time (dlopen) is a dependency too.
[[ $depends == *libvulkan1* ]] || fail "Depends lacks libvulkan1 (the Vulkan loader, dlopen'ed)"

# The binary runs from the unpacked root.
export XDG_CACHE_HOME=$tmp/cache
if "$bin" --version >"$tmp/version" 2>/dev/null; then
  echo "--version: $(head -1 "$tmp/version")"
else
  "$bin" --help >"$tmp/help" || fail "--help"
  grep -q "benchr-advise" "$tmp/help" || fail "--help does not name the tool"
  echo "--help: $(wc -l <"$tmp/help") lines (no --version yet)"
fi
"$bin" --budget 100 --no-calibrate --machine "$src/tests/probe/machines/2s-16v100.xml" >"$tmp/advice" 2>"$tmp/advice.err" ||
  { cat "$tmp/advice.err"; fail "--budget 100 --no-calibrate --machine 2s-16v100.xml"; }
grep -q "Recommended here:" "$tmp/advice" || fail "no recommendation from the packaged binary"
"$bin" --budget 100 --no-calibrate >"$tmp/advice_here" 2>"$tmp/advice_here.err" ||
  { cat "$tmp/advice_here.err"; fail "--budget 100 --no-calibrate on this machine"; }
echo "advice: $(grep -m1 'Recommended here:' "$tmp/advice_here" || echo none)"

if ((failed)); then echo "0 passed, $failed failed"; exit 1; fi
echo "package: all checks passed"
