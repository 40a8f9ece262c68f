// Kernel speed: every dot-product variant this CPU runs, per format, on one thread with the
// weights in L2 (compute-bound: the dequantization cost) — warm-up, 15 repetitions, median and
// spread. The out-of-cache, all-thread figures the estimator uses come from `benchr-advise
// calibrate`; bench/check_kernels.sh puts those next to likwid-bench and llama.cpp's implied rates.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "dot.hpp"

using namespace benchr::kernels;

int main() {
#ifndef NDEBUG
  std::printf("warning: debug build: these figures say nothing about release speed\n");
#endif
  constexpr int n = 4096, reps = 15;
  std::printf("%-8s %-8s %14s %8s\n", "variant", "format", "Gweights/s", "spread");
  for (const auto& v : dot_variants()) {
    if (!v.supported) {
      std::printf("%-8s skipped: this CPU cannot run it\n", v.kernels->isa);
      continue;
    }
    for (const auto& fi : kFormatInfo) {
      const int row_bytes = n / fi.block_elements * fi.block_bytes;
      const int rows = std::max(1, (256 << 10) / row_bytes);
      const auto w = random_weights(fi.format, rows, n, 1);
      std::vector<float> x(n, 0.5f);
      const auto xq = quantize_activations(fi.format, x);
      const DotFn dot = v.kernels->dot[static_cast<std::size_t>(fi.format)];
      std::vector<double> t;
      volatile float sink = 0;
      for (int r = 0; r <= reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int pass = 0; pass < 20; ++pass)
          for (int i = 0; i < rows; ++i) sink = sink + dot(n, w.data() + std::size_t(i) * row_bytes, xq.data());
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (r > 0) t.push_back(s);
      }
      std::sort(t.begin(), t.end());
      const double med = t[t.size() / 2];
      std::printf("%-8s %-8s %14.2f %7.0f%%\n", v.kernels->isa, std::string(fi.name).c_str(),
                  20.0 * rows * n / med / 1e9, 100 * (t.back() - t.front()) / med);
    }
  }
}
