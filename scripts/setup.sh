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
          groff-base zsh fish)  # the tests render the man page and check the zsh and fish completions
missing=()
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
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release ${CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
echo "setup: built $build/app/benchr-advise" >&2
