#!/usr/bin/env bash
# On a machine with a real GPU: the Vulkan kernels' figures (read GB/s next to the catalog's
# datasheet bandwidth, GEMV GB/s per format, FMA peaks) and a GEMV correctness check on the GPU.
# Prints what it used; installs nothing; exits with bench_vulkan's status (non-zero when its GEMV
# check fails or it finds no device). Usage: bash bench/check_vulkan_gpu.sh [budget_s, default 10]
#
# Such a machine may lack build tools and the Vulkan loader, and cannot install packages. So:
#  - bench_vulkan is taken from $BUILD_DIR (default build/) when it is there: it needs only libc and
#    libstdc++ (the loader is opened at run time), so a binary built on Debian 12 travels;
#    otherwise it is built here, which needs cmake, g++ and glslc;
#  - the loader: the system's libvulkan.so.1, else $BUILD_DIR/vk/libvulkan.so.1 carried along
#    (cp /usr/lib/x86_64-linux-gnu/libvulkan.so.1 build/vk/ on the build machine);
#  - NVIDIA's driver ships its Vulkan driver as libGLX_nvidia.so.0, but a container often lacks
#    the JSON manifest that names it to the loader: then one is written to a temporary file.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
bench=$build/bench/bench_vulkan

if [[ ! -x $bench ]]; then
  echo "check_vulkan_gpu: no $bench: building it" >&2
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBENCHR_TESTS=OFF >/dev/null &&
    cmake --build "$build" -j"$(nproc)" --target bench_vulkan >/dev/null || { echo "check_vulkan_gpu: build failed" >&2; exit 1; }
fi

if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  if [[ -e $build/vk/libvulkan.so.1 ]]; then
    export LD_LIBRARY_PATH=$PWD/$build/vk${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    echo "loader: $build/vk/libvulkan.so.1 (carried)"
  else
    echo "loader: none on this machine and none carried in $build/vk/: expect 'no Vulkan loader'"
  fi
else
  echo "loader: $(ldconfig -p | grep -m1 'libvulkan\.so\.1 ' | sed 's/.*=> //')"
fi

manifests=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2>/dev/null)
echo "driver manifests: ${manifests:-none}"
if ! grep -qs nvidia $manifests /dev/null && ldconfig -p 2>/dev/null | grep -q 'libGLX_nvidia\.so\.0 '; then
  icd=$(mktemp --suffix=.json)
  printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' >"$icd"
  export VK_DRIVER_FILES=$icd VK_ICD_FILENAMES=$icd
  echo "NVIDIA driver found without a manifest: using $icd"
fi

if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,pci.device_id,memory.total,clocks.max.memory,driver_version --format=csv
fi

timeout 300 "$bench" "${1:-10}"
status=$?
echo "check_vulkan_gpu: bench_vulkan exit status $status"
exit "$status"
