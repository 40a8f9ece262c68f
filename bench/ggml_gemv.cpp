// Our calibration GEMV kernels against llama.cpp's own (ggml-cpu's vec_dot) on the same matrix, the
// same way: a DRAM-sized matrix in 4 KiB pages, rows handed out in 64-row chunks from a shared
// counter as ggml_compute_forward_mul_mat does for one token, 1 and 2 threads, best of 5 passes.
// Prints each format's weight GB/s for both and the ratio ours/ggml: the calibration measures what
// llama.cpp's decode gets only while that ratio stays near 1.
//
// Not part of the CMake build: it links the static libraries of a llama.cpp build (the one
// bench/check_local_live.py describes, de3ff81) and this repository's libkernels.a:
//   L=/root/llm/llama.cpp/build/ggml/src
//   g++ -std=c++20 -O2 -march=native -I. bench/ggml_gemv.cpp build/kernels/libkernels.a \
//       $L/libggml-cpu.a $L/libggml-base.a -fopenmp -lpthread -o /tmp/ggml_gemv
//   [REPS=5] /tmp/ggml_gemv [row_elements=4096] [MiB=256] [--huge]
// 2026-11-28, 2-core Zen 4 VM, 2 threads, K=4096, 256 MiB (GB/s, ggml / ours): Q8_0 23.5-26.4 /
// 28.8-29.6 with four accumulators (kernels v9), Q3_K 17.2-18.0 / 17.6-18.3, Q6_K 24.4-26.5 /
// 24.1-28.3, F16 30.2 / 30.4-32.0; the v9 calibration itself (huge pages, halves) read Q3_K at 24.5.
#include <pthread.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kernels/cpu/dot.hpp"

extern "C" {
void ggml_cpu_init(void);
using GgmlDot = void (*)(int n, float* s, size_t bs, const void* x, size_t bx, const void* y, size_t by, int nrc);
void ggml_vec_dot_q8_0_q8_0(int, float*, size_t, const void*, size_t, const void*, size_t, int);
void ggml_vec_dot_q3_K_q8_K(int, float*, size_t, const void*, size_t, const void*, size_t, int);
void ggml_vec_dot_q4_K_q8_K(int, float*, size_t, const void*, size_t, const void*, size_t, int);
void ggml_vec_dot_q5_K_q8_K(int, float*, size_t, const void*, size_t, const void*, size_t, int);
void ggml_vec_dot_q6_K_q8_K(int, float*, size_t, const void*, size_t, const void*, size_t, int);
void ggml_vec_dot_f16(int, float*, size_t, const void*, size_t, const void*, size_t, int);
}

namespace {
namespace k = benchr::kernels;

struct Case {
  k::Format format;
  GgmlDot ggml;
};
const Case kCases[] = {{k::Format::q8_0, ggml_vec_dot_q8_0_q8_0}, {k::Format::q3_k, ggml_vec_dot_q3_K_q8_K},
                       {k::Format::q4_k, ggml_vec_dot_q4_K_q8_K}, {k::Format::q5_k, ggml_vec_dot_q5_K_q8_K},
                       {k::Format::q6_k, ggml_vec_dot_q6_K_q8_K}, {k::Format::f16, ggml_vec_dot_f16}};
constexpr std::size_t kChunkRows = 64;

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/// Best of 5 passes over `rows` rows with `threads` threads, in GB/s of weights.
template <class Row>
double stream(std::size_t rows, std::size_t row_bytes, int threads, Row row) {
  double best = 1e30;
  static const int reps = std::getenv("REPS") ? std::atoi(std::getenv("REPS")) : 5;
  for (int rep = 0; rep < reps; ++rep) {
    const std::size_t chunks = (rows + kChunkRows - 1) / kChunkRows;
    std::atomic<std::size_t> next{std::size_t(threads)};
    auto body = [&](int t) {
      pin(t);
      for (std::size_t c = t; c < chunks; c = next.fetch_add(1))
        for (std::size_t r = c * kChunkRows; r < std::min(rows, (c + 1) * kChunkRows); ++r) row(r);
    };
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> team;
    for (int t = 1; t < threads; ++t) team.emplace_back(body, t);
    body(0);
    for (auto& t : team) t.join();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return rows * row_bytes / best / 1e9;
}
}  // namespace

int main(int argc, char** argv) {
  const int K = argc > 1 ? std::atoi(argv[1]) : 4096;
  const std::size_t bytes = std::size_t(argc > 2 ? std::atoi(argv[2]) : 256) << 20;
  const bool huge = argc > 3 && std::string(argv[3]) == "--huge";
  ggml_cpu_init();
  auto* buffer = static_cast<uint8_t*>(std::aligned_alloc(std::size_t(2) << 20, bytes));
  madvise(buffer, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
  std::vector<float> x(K);
  for (int i = 0; i < K; ++i) x[i] = std::sin(0.37f * i) + 0.1f;
  std::printf("K=%d, %zu MiB in %s pages; weight GB/s\nformat  threads    ggml    ours  ours/ggml\n", K, bytes >> 20,
              huge ? "huge" : "4 KiB");
  for (const Case& c : kCases) {
    const auto& info = k::kFormatInfo[static_cast<std::size_t>(c.format)];
    const std::size_t row_bytes = std::size_t(K / info.block_elements) * info.block_bytes;
    const std::size_t rows = bytes / row_bytes;
    k::fill_weights(c.format, buffer, rows * row_bytes, 1);
    const auto xq = k::quantize_activations(c.format, x);
    const k::DotFn ours = k::best_dot_kernels().dot[static_cast<std::size_t>(c.format)];
    std::vector<float> y(rows);
    for (int threads : {1, 2}) {
      const double g = stream(rows, row_bytes, threads, [&](std::size_t r) {
        c.ggml(K, &y[r], 0, buffer + r * row_bytes, 0, xq.data(), 0, 1);
      });
      const double o = stream(rows, row_bytes, threads,
                              [&](std::size_t r) { y[r] = ours(K, buffer + r * row_bytes, xq.data()); });
      std::printf("%-6s  %7d  %6.1f  %6.1f  %9.2f\n", std::string(info.name).c_str(), threads, g, o, o / g);
    }
  }
  std::free(buffer);
}
