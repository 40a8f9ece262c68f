#!/usr/bin/env bash
# Fuzzes the model-file readers (gguf/: GGUF, safetensors headers, config.json) and what `fit` does
# with what they read: bench/fuzz_all.sh's gguf and safetensors targets (see its header).
#
# Usage: bench/fuzz_gguf.sh [SECONDS]      (default 60 per target)
# Exit status: 0 when nothing was found, 1 when the fuzzer found a crash, 2 on a setup error.
set -euo pipefail
exec bash "$(dirname "$0")/fuzz_all.sh" "${1:-60}" gguf safetensors
