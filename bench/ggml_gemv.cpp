// Our calibration GEMV kernels against llama.cpp's own (ggml-cpu's vec_dot) on the same matrix, the
// same way: a DRAM-sized matrix in 4 KiB pages, rows handed out in 64-row chunks from a shared
// counter as ggml_compute_forward_mul_mat does for one token, 1 and 2 threads, best of 5 passes.
// Its threads start anew each pass; the calibration's stay and start together from a barrier,
// which lifts every kernel's 2-thread figure here (Q8_0: 35-37 GB/s against 31-32, ggml's and
// ours alike; bench/local_live_2026-11-28.md): compare ours/ggml, not these with `calibrate`.
// Prints each format's weight GB/s for both and the ratio ours/ggml: the calibration measures what
// llama.cpp's decode gets only while that ratio stays near 1.
//
// Not part of the CMake build: it links the static libraries of a llama.cpp build (the one
// bench/check_local_live.py describes, de3ff81) and this repository's libkernels.a:
//   L=/root/llm/llama.cpp/build/ggml/src
//   g++ -std=c++20 -O2 -march=native -I. bench/ggml_gemv.cpp build/kernels/libkernels.a \
//       $L/libggml-cpu.a $L/libggml-base.a -fopenmp -lpthread -o /tmp/ggml_gemv
//   [REPS=5] /tmp/ggml_gemv [row_elements=4096] [MiB=256] [--huge]
// Then the repacked Q4_0 GEMV (ggml_gemv_q4_0_8x8_q8_0 against our dot8_q4_0) from DRAM and in
// cache, and ggml's repacked Q4_K GEMV beside it. 2026-11-28, kernels v12, two runs: from DRAM
// ours/ggml 1.03 (1 thread, 20.2 GB/s ggml) and 0.99-1.06 (2 threads, 30.8-31.4); in cache 0.93-1.03
// (1 thread, 75 GFLOP/s) and 0.98-1.01 (2 threads, 141-145); ggml's Q4_K: 22.7 / 31.5-31.9 GB/s,
// 87 / 155-157 GFLOP/s. (Kernels v11's dot8, four independent sums: 287 GFLOP/s in cache.)
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
// The repacked GEMVs (repack.cpp): `nc` rows of `n` weights, interleaved eight at a time.
void ggml_gemv_q4_0_8x8_q8_0(int n, float* s, size_t bs, const void* vx, const void* vy, int nr, int nc);
void ggml_gemv_q4_K_8x8_q8_K(int n, float* s, size_t bs, const void* vx, const void* vy, int nr, int nc);
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

/// The best wall time of `reps` passes, each running `body(t)` on threads t = 0..threads-1 (pinned,
/// started anew each pass) after `setup()`.
template <class Body, class Setup>
double best_seconds(int threads, int reps, Body body, Setup setup) {
  double best = 1e30;
  for (int rep = 0; rep < reps; ++rep) {
    setup();
    auto pinned = [&](int t) {
      pin(t);
      body(t);
    };
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> team;
    for (int t = 1; t < threads; ++t) team.emplace_back(pinned, t);
    pinned(0);
    for (auto& t : team) t.join();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

/// Best of 5 passes over `rows` rows (or groups of rows) with `threads` threads, handed out
/// `chunk` at a time, in GB/s of weights.
template <class Row>
double stream(std::size_t rows, std::size_t row_bytes, int threads, Row row, std::size_t chunk = kChunkRows) {
  static const int reps = std::getenv("REPS") ? std::atoi(std::getenv("REPS")) : 5;
  const std::size_t chunks = (rows + chunk - 1) / chunk;
  std::atomic<std::size_t> next;
  const double sec = best_seconds(
      threads, reps,
      [&](int t) {
        for (std::size_t c = t; c < chunks; c = next.fetch_add(1))
          for (std::size_t r = c * chunk; r < std::min(rows, (c + 1) * chunk); ++r) row(r);
      },
      [&] { next = std::size_t(threads); });
  return rows * row_bytes / sec / 1e9;
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

  // The repacked Q4_0 GEMV (llama.cpp runs it for Q4_0 on AVX2+ CPUs): from DRAM, in GB/s; then in cache (a 256 KiB tile per thread, one
  // activation column a pass, as MoE prefill calls it once per routed token), in GFLOP/s. The
  // layouts are the same (k::BlockQ4_0x8 is llama.cpp's block_q4_0x8). ggml's repacked Q4_K GEMV
  // (block_q4_Kx8: 8 d, 8 dmin fp16, 96 B of 6-bit scales, 1024 B of nibbles) beside it.
  constexpr std::size_t kQ4Kx8Bytes = 1152;
  const std::size_t group_bytes = 8 * std::size_t(K / 32) * sizeof(k::BlockQ4_0);
  const std::size_t groups = bytes / group_bytes;
  k::fill_q4_0x8(buffer, groups * group_bytes, 1);
  const auto x0 = k::quantize_activations(k::Format::q4_0, x);
  const auto xk = k::quantize_activations(k::Format::q4_k, x);
  const auto dot8 = k::best_dot_kernels().dot8_q4_0;
  std::vector<float> y(groups * 8);
  auto ggml_q4_0 = [&](const uint8_t* w, float* out) { ggml_gemv_q4_0_8x8_q8_0(K, out, 8, w, x0.data(), 1, 8); };
  auto ours_q4_0 = [&](const uint8_t* w, float* out) {
    dot8(K, reinterpret_cast<const k::BlockQ4_0x8*>(w), x0.data(), out);
  };
  std::printf("\nrepacked Q4_0 (eight rows interleaved as llama.cpp repacks them)\n"
              "from DRAM  threads    ggml    ours  ours/ggml   (GB/s)\n");
  // llama.cpp's repacked path hands a matrix out in 4 chunks per thread (repack.cpp
  // forward_mul_mat): for a K-row matrix, K / (4 x threads) rows a chunk.
  auto repacked_chunk = [&](int threads) { return std::max<std::size_t>(1, std::size_t(K) / (4 * threads) / 8); };
  for (int threads : {1, 2}) {
    const double g = stream(groups, group_bytes, threads,
                            [&](std::size_t i) { ggml_q4_0(buffer + i * group_bytes, &y[8 * i]); }, repacked_chunk(threads));
    const double o = stream(groups, group_bytes, threads,
                            [&](std::size_t i) { ours_q4_0(buffer + i * group_bytes, &y[8 * i]); }, repacked_chunk(threads));
    std::printf("           %7d  %6.1f  %6.1f  %9.2f\n", threads, g, o, o / g);
  }
  auto in_cache = [&](int threads, auto gemv, std::size_t group_bytes) {
    const std::size_t tile_groups = (std::size_t(256) << 10) / group_bytes;
    constexpr int kPasses = 3000;  // ~40 ms a thread: thread start-up is noise
    const double sec = best_seconds(
        threads, 5,
        [&](int t) {
          const uint8_t* tile = buffer + t * tile_groups * group_bytes;
          float out[8];
          for (int p = 0; p < kPasses; ++p)
            for (std::size_t i = 0; i < tile_groups; ++i) gemv(tile + i * group_bytes, out);
        },
        [] {});
    return 2.0 * threads * kPasses * tile_groups * 8 * K / sec / 1e9;
  };
  std::printf("in cache   threads    ggml    ours  ours/ggml   (GFLOP/s)\n");
  for (int threads : {1, 2}) {
    const double g = in_cache(threads, ggml_q4_0, group_bytes), o = in_cache(threads, ours_q4_0, group_bytes);
    std::printf("           %7d  %6.0f  %6.0f  %9.2f\n", threads, g, o, o / g);
  }

  // ggml's repacked Q4_K, alone: random nibbles and scales, its fp16 d and dmin set to 1/64.
  const std::size_t kgroup = std::size_t(K / 256) * kQ4Kx8Bytes, kgroups = bytes / kgroup;
  k::fill_weights(k::Format::q8_0, buffer, kgroups * kgroup, 2);
  for (std::size_t b = 0; b < kgroups * kgroup; b += kQ4Kx8Bytes)
    for (int i = 0; i < 16; ++i) buffer[b + 2 * i] = 0x00, buffer[b + 2 * i + 1] = 0x24;  // fp16 2^-6
  auto ggml_q4_k = [&](const uint8_t* w, float* out) { ggml_gemv_q4_K_8x8_q8_K(K, out, 8, w, xk.data(), 1, 8); };
  std::printf("\nggml's repacked Q4_K   threads  DRAM GB/s  in cache GFLOP/s\n");
  for (int threads : {1, 2}) {
    const double g = stream(kgroups, kgroup, threads,
                            [&](std::size_t i) { ggml_q4_k(buffer + i * kgroup, &y[8 * (i % groups)]); },
                            repacked_chunk(threads));
    std::printf("                       %7d  %9.1f  %16.0f\n", threads, g, in_cache(threads, ggml_q4_k, kgroup));
  }
  std::free(buffer);
}
