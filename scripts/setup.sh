#!/usr/bin/env bash
# Installs what benchr-advise needs from Debian 12's packages (only what is missing, quietly),
# then configures and builds it in Release under build/. Safe to run again: it does only what is
# left to do. Run as root (or with sudo) on Debian 12. BUILD_DIR and CMAKE_ARGS override defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++ cmake make pkg-config
          libhwloc-dev hwloc
          libvulkan-dev glslc mesa-vulkan-drivers
          libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev libboost-test-dev
          groff-base zsh fish   # the tests render the man page and check the zsh and fish completions
          chromium)             # the report's test draws it in headless Chromium
missing=()
# Node.js and npm fetch the report's plotting libraries (report/package-lock.json); a machine whose
# node already brings npm (NodeSource's nodejs) keeps it.
command -v npm >/dev/null || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo_cmd=(); [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

build=${BUILD_DIR:-build}
# The report's plotting libraries and the browser test's driver, at the versions of the lock, under
# $build/npm (cmake/vega.cmake embeds them from there): installed again only when the lock changed.
mkdir -p "$build/npm"
if ! cmp -s report/package-lock.json "$build/npm/package-lock.json" || [[ ! -d $build/npm/node_modules/vega ]]; then
  echo "setup: npm ci (report/package-lock.json) in $build/npm" >&2
  cp report/package.json report/package-lock.json "$build/npm/"
  (cd "$build/npm" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
echo "setup: built $build/app/benchr-advise" >&2
