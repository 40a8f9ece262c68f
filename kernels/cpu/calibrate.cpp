#include "calibrate.hpp"

#include <hwloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <thread>

#include "dot.hpp"

namespace benchr {
namespace {

using Clock = std::chrono::steady_clock;
using kernels::Format;

// Row length of the GEMV/GEMM matrices: a typical hidden size (Llama 8B, Qwen3 8B: 4096).
constexpr int kRowElements = 4096;
// The decode matrix must be far larger than the last-level cache so the figure is DRAM's:
// 8 x L3 (a quarter of a 4 x L3 buffer would still hit in cache), at least 128 MiB, at most 1 GiB.
constexpr double kBufferPerL3 = 8;
constexpr std::size_t kMinBuffer = 128u << 20, kMaxBuffer = 1024u << 20;
// Decode hands a matrix's rows to the threads as llama.cpp does for one token: chunks of 64 rows
// (ggml-cpu.c, ggml_compute_forward_mul_mat: chunk_size 64 when src1 has one column), thread i
// starting with chunk i and taking the next free one from a shared counter when done.
constexpr std::size_t kDecodeChunkRows = 64;
// Its repacked path (repack.cpp forward_mul_mat) cuts each matrix into 4 chunks per thread
// instead: for a kRowElements-row matrix, 512-row chunks on 2 threads. (Streamed in 64-row
// chunks, the repacked Q4_0 GEMV read 30.5-31.1 GB/s on 2 Zen 4 threads where llama.cpp's 8B
// Q4_0 decode implied 32.6 in the same hour.)
std::size_t repacked_chunk_rows(int threads) {
  return std::max<std::size_t>(8, std::size_t(kRowElements) / (4 * std::max(1, threads)) / 8 * 8);
}
// Prefill reuses each weight row across a batch of tokens while it is in cache: per thread a
// 256 KiB weight tile (inside a 1 MiB L2) against 8 activation columns.
constexpr std::size_t kGemmTileBytes = 256u << 10;
constexpr int kGemmColumns = 8;
// The tile kernel runs ~2x the GEMM's rate: 32 passes over the tile (~0.6 ms a repetition here)
// keep its spread within the others'.
constexpr int kTileReps = 32;
constexpr int kMinReps = 2, kMaxReps = 9;
// Streaming reads a few seconds apart that differ by more than this are reported: on a quiet
// machine they agree within a few percent (spread of the repetitions, `calibrate`).
constexpr double kReadDisagreement = 0.2;

struct TopologyDeleter {
  void operator()(hwloc_topology* t) const { hwloc_topology_destroy(t); }
};

/// Pins the calling thread to the i-th physical core this process may use (no-op without hwloc).
class Pinner {
 public:
  Pinner() {
    hwloc_topology_t t = nullptr;
    if (hwloc_topology_init(&t) == 0 && hwloc_topology_load(t) == 0) topo_.reset(t);
    else if (t) hwloc_topology_destroy(t);
  }
  int cores() const {
    return topo_ ? hwloc_get_nbobjs_by_type(topo_.get(), HWLOC_OBJ_CORE) : 0;
  }
  void pin(int i) const {
    if (!topo_ || cores() <= 0) return;
    hwloc_obj_t core = hwloc_get_obj_by_type(topo_.get(), HWLOC_OBJ_CORE, i % cores());
    if (core && core->cpuset) hwloc_set_cpubind(topo_.get(), core->cpuset, HWLOC_CPUBIND_THREAD);
  }

 private:
  std::unique_ptr<hwloc_topology, TopologyDeleter> topo_;
};

struct Samples {
  std::vector<double> seconds;
  /// The fastest repetition: what the hardware gives when nothing else runs (STREAM reports the
  /// best of its trials too). On a shared VM the other vCPU is sometimes taken, which only ever
  /// slows a repetition down; the median would carry that noise into every estimate.
  double best() const { return seconds.empty() ? 0 : *std::min_element(seconds.begin(), seconds.end()); }
  double median() const {
    auto s = seconds;
    std::sort(s.begin(), s.end());
    return s.empty() ? 0 : s[s.size() / 2];
  }
  double spread() const {
    if (seconds.empty()) return 0;
    const auto [lo, hi] = std::minmax_element(seconds.begin(), seconds.end());
    return (*hi - *lo) / median();
  }
};

/// Runs `work(thread_index)` on `threads` pinned threads in lockstep: one warm-up, then
/// repetitions (kMinReps..kMaxReps) until `deadline`; returns the wall time of each repetition.
/// `between()` runs on one thread while the others wait, after each repetition.
template <class Work, class Between = void (*)()>
Samples run_team(const Pinner& pinner, int threads, Clock::time_point deadline, Work work,
                 Between between = [] {}) {
  Samples out;
  std::barrier sync(threads);
  Clock::time_point start;
  bool stop = false;
  auto body = [&](int tid) {
    pinner.pin(tid);
    for (int rep = 0; rep <= kMaxReps; ++rep) {
      sync.arrive_and_wait();
      if (tid == 0) start = Clock::now();
      work(tid);
      sync.arrive_and_wait();
      if (tid == 0) {
        const auto now = Clock::now();
        if (rep > 0) out.seconds.push_back(std::chrono::duration<double>(now - start).count());
        stop = rep >= kMinReps && now > deadline;
        between();
      }
      sync.arrive_and_wait();
      if (stop) break;
    }
  };
  std::vector<std::thread> team;
  for (int t = 1; t < threads; ++t) team.emplace_back(body, t);
  body(0);
  for (auto& t : team) t.join();
  return out;
}

/// The share [begin, end) of `n` items that thread `tid` of `threads` works on.
std::pair<std::size_t, std::size_t> slice(std::size_t n, int tid, int threads) {
  return {n * tid / threads, n * (tid + 1) / threads};
}

struct AlignedFree {
  void operator()(uint8_t* p) const { std::free(p); }
};

std::string iso_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

}  // namespace

std::vector<std::pair<std::string, bool>> cpu_kernel_variants() {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& v : kernels::dot_variants()) out.emplace_back(v.kernels->isa, v.supported);
  return out;
}

Calibration calibrate_cpu(const CpuInfo& cpu, const CalibrationOptions& options) {
  const auto t0 = Clock::now();
  const auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.budget_s));
  Calibration cal;
  cal.kernel_version = kKernelVersion;
  cal.measured_at = iso_now();
  auto say = [&](std::string_view what) {
    if (options.progress) options.progress(what);
  };

  const Pinner pinner;
  const kernels::DotKernels& k = kernels::best_dot_kernels();
  DeviceCalibration d;
  d.device = cpu.model.empty() ? "CPU" : cpu.model;
  d.isa = k.isa;
  d.threads = options.threads > 0 ? options.threads : std::max(1, cpu.cores.value);
  std::vector<int> thread_counts{1};
  if (d.threads > 1) thread_counts.push_back(d.threads);

  // Step deadlines: the budget is shared out by the expected cost of each step.
  // read x2; per format: read again (but the first), fill, GEMV x2, GEMM; Q8_0's tinyBLAS tile;
  // attention x2; FMA; the read once more.
  const int steps = 2 + 5 * int(kernels::kFormats) - 1 + 1 + 2 + 1 + 1;
  auto step_deadline = [&](int done) {
    const auto left = end - Clock::now();
    return Clock::now() + left / std::max(1, steps - done);
  };
  int done = 0;

  const double l3 = cpu.l3_bytes.known() ? cpu.l3_bytes.value : 32.0 * (1 << 20);
  std::size_t bytes = std::clamp<std::size_t>(std::size_t(kBufferPerL3 * l3), kMinBuffer, kMaxBuffer);
  bytes -= bytes % (std::size_t(kRowElements) * 2 * 128);  // whole F16 rows, 128-byte multiple
  std::unique_ptr<uint8_t, AlignedFree> buffer(static_cast<uint8_t*>(std::aligned_alloc(std::size_t(2) << 20, bytes)));
  if (!buffer) {
    cal.notes.push_back("could not allocate the benchmark buffer: nothing measured");
    cal.devices.push_back(d);
    return cal;
  }
  // 4 KiB pages, as llama.cpp reads its weights: mmapped from the GGUF file (the page cache maps
  // no huge pages), and CPU_REPACK copies in plain heap memory. With huge pages the GEMVs run
  // 10-40% above ggml's own vec_dot kernels streamed over the same 256 MiB in 4 KiB pages and
  // 64-row chunks (Q3_K 24.5 against 17-18 GB/s, 2 threads); llama.cpp's Q3_K_M decode implies
  // 18 GB/s for its Q3_K tensors. bench/ggml_gemv.cpp is that comparison.
  madvise(buffer.get(), bytes, MADV_NOHUGEPAGE);

  // First touch by the thread that will read each slice (its NUMA node, its pages), with random
  // bytes: identical pages could be merged by the host, and a stream over them would hit cache.
  say("filling buffer");
  run_team(pinner, d.threads, Clock::now(), [&](int tid) {
    auto [b, e] = slice(bytes / 64, tid, d.threads);
    kernels::fill_weights(Format::q8_0, buffer.get() + b * 64, (e - b) * 64, 0x9E3779B9u + tid);
  });

  say("read bandwidth");
  auto read = [&](int threads) {
    std::vector<uint64_t> sink(threads);
    return run_team(pinner, threads, step_deadline(done++), [&](int tid) {
      auto [b, e] = slice(bytes / 128, tid, threads);
      sink[tid] = k.read(buffer.get() + b * 128, (e - b) * 128);
    });
  };
  for (int threads : thread_counts) {
    const Samples s = read(threads);
    const double gbps = bytes / s.best() / 1e9;
    if (threads == 1) d.read_gbps_1t = gbps;
    if (threads == d.threads) d.read_gbps = gbps, d.read_spread = s.spread();
  }

  std::vector<float> x(kRowElements);
  for (int i = 0; i < kRowElements; ++i) x[i] = std::sin(0.37f * i) + 0.1f;  // any non-trivial row
  // The all-threads read is taken again before each format and at the end, and the lowest is
  // used. On a shared machine the memory a VM gets comes and goes: this kind of 2-core VM reads
  // either ~36 or ~62-68 GB/s, switching within seconds to minutes (26 calibrations interleaved
  // with llama-bench, bench/check_local_live.py, bench/local_live_2026-11-28.md), and llama.cpp's decode did not
  // follow the fast episodes: rows run while calibrations on both sides read 63-68 GB/s decoded
  // at 0.88-0.97x their rate in bench/validation/local-llamacpp.csv (taken at 34.5 GB/s).
  // What decode sustains is the slow figure.
  std::vector<double> reads{d.read_gbps};
  for (const auto& fi : kernels::kFormatInfo) {
    if (&fi != &kernels::kFormatInfo[0] && Clock::now() < end) {
      say("read bandwidth again");
      reads.push_back(bytes / read(d.threads).best() / 1e9);
    }
    if (Clock::now() > end) {
      cal.notes.push_back("time budget spent: " + std::string(fi.name) + " and later formats not measured");
      break;
    }
    say(fi.name);
    const std::size_t row_bytes = std::size_t(kRowElements / fi.block_elements) * fi.block_bytes;
    const std::size_t rows = bytes / row_bytes;
    // Valid, distinct blocks for this format, written in place by each thread over its own rows.
    const bool eight = fi.format == Format::q4_0;  // measured as llama.cpp runs it: repacked
    run_team(pinner, d.threads, Clock::now(), [&](int tid) {
      auto [b, e] = slice(rows / 8, tid, d.threads);
      if (eight) kernels::fill_q4_0x8(buffer.get() + 8 * b * row_bytes, 8 * (e - b) * row_bytes, b + 1);
      else kernels::fill_weights(fi.format, buffer.get() + 8 * b * row_bytes, 8 * (e - b) * row_bytes, b + 1);
    });
    ++done;
    const auto xq = kernels::quantize_activations(fi.format, x);
    const kernels::DotFn dot = k.dot[static_cast<std::size_t>(fi.format)];
    for (int threads : thread_counts) {
      std::vector<float> y(rows);
      // Q4_0 as llama.cpp runs it on x86 (repacked, eight rows per pass); the others row by row.
      const std::size_t chunk_rows = eight ? repacked_chunk_rows(threads) : kDecodeChunkRows;
      const std::size_t chunks = (rows + chunk_rows - 1) / chunk_rows;
      std::atomic<std::size_t> next{std::size_t(threads)};
      auto gemv_chunk = [&](std::size_t c) {
        const std::size_t r0 = c * chunk_rows, r1 = std::min(rows, r0 + chunk_rows);
        if (eight)
          for (std::size_t r = r0; r + 8 <= r1; r += 8)
            k.dot8_q4_0(kRowElements, reinterpret_cast<const kernels::BlockQ4_0x8*>(buffer.get() + r * row_bytes),
                        xq.data(), &y[r]);
        else
          for (std::size_t r = r0; r < r1; ++r) y[r] = dot(kRowElements, buffer.get() + r * row_bytes, xq.data());
      };
      const Samples s = run_team(
          pinner, threads, step_deadline(done++),
          [&](int tid) {
            for (std::size_t c = tid; c < chunks; c = next.fetch_add(1, std::memory_order_relaxed)) gemv_chunk(c);
          },
          [&] { next = std::size_t(threads); });
      const double sec = s.best();
      d.gemv.push_back({std::string(fi.name), threads, rows * row_bytes / sec / 1e9,
                        2.0 * rows * kRowElements / sec / 1e9, s.spread()});
    }
    // Prefill: each thread multiplies its own in-cache tile by kGemmColumns activation rows.
    const std::size_t tile_rows = std::max<std::size_t>(8, kGemmTileBytes / row_bytes / 8 * 8);
    std::vector<std::vector<uint8_t>> cols(kGemmColumns, xq);
    std::vector<float> y(tile_rows * kGemmColumns * d.threads);
    const Samples s = run_team(pinner, d.threads, step_deadline(done++), [&](int tid) {
      const uint8_t* tile = buffer.get() + tid * tile_rows * row_bytes;
      float eight_out[8];
      for (int rep = 0; rep < 4; ++rep)
        for (std::size_t r = 0; r < tile_rows; r += eight ? 8 : 1)
          for (int c = 0; c < kGemmColumns; ++c) {
            if (eight)  // the buffer holds interleaved eight-row columns for Q4_0
              k.dot8_q4_0(kRowElements, reinterpret_cast<const kernels::BlockQ4_0x8*>(tile + r * row_bytes),
                          cols[c].data(), eight_out);
            else
              y[(tid * tile_rows + r) * kGemmColumns + c] = dot(kRowElements, tile + r * row_bytes, cols[c].data());
          }
    });
    const double work = 4.0 * d.threads * tile_rows * kGemmColumns;  // row x column products
    d.gemm.push_back({std::string(fi.name), d.threads, work * row_bytes / s.best() / 1e9,
                      2.0 * work * kRowElements / s.best() / 1e9, s.spread()});
    if (fi.format == Format::q8_0 && Clock::now() < end) {
      // A prompt's dense Q8_0 products go through tinyBLAS's 4 x 4 tiles: the same in-cache
      // tile against kGemmColumns activation rows laid out as a matrix.
      std::vector<uint8_t> xs(kGemmColumns * row_bytes);
      for (int c = 0; c < kGemmColumns; ++c) std::memcpy(xs.data() + c * row_bytes, xq.data(), row_bytes);
      const Samples t = run_team(pinner, d.threads, step_deadline(done++), [&](int tid) {
        const uint8_t* tile = buffer.get() + tid * tile_rows * row_bytes;
        float out[16];
        for (int rep = 0; rep < kTileReps; ++rep)
          for (std::size_t r = 0; r + 4 <= tile_rows; r += 4)
            for (int c = 0; c + 4 <= kGemmColumns; c += 4)
              k.tile4_q8_0(kRowElements, tile + r * row_bytes, row_bytes, xs.data() + c * row_bytes, row_bytes, out);
      });
      const double tiled = work * kTileReps / 4;  // row x column products
      d.tinyblas.push_back({std::string(fi.name), d.threads, tiled * row_bytes / t.best() / 1e9,
                            2.0 * tiled * kRowElements / t.best() / 1e9, t.spread()});
    }
  }
  // Decode attention at depth: 32 query heads over 8 KV heads and 2048 cached f16 positions (a
  // Llama-style layer), the query heads split over the threads.
  for (int hd : {64, 128}) {
    constexpr int kHeads = 32, kKvHeads = 8, kPositions = 2048;
    const int stride = kKvHeads * hd;
    const std::size_t halves = std::size_t(kPositions) * stride;
    if (Clock::now() > end || 2 * halves * sizeof(kernels::fp16_t) > bytes) {
      cal.notes.push_back("time budget spent: attention at head_dim " + std::to_string(hd) + " not measured");
      continue;
    }
    say("attention");
    auto* keys = reinterpret_cast<kernels::fp16_t*>(buffer.get());
    auto* values = keys + halves;
    kernels::fill_weights(Format::f16, buffer.get(), 2 * halves * sizeof(kernels::fp16_t), 7);  // +-0.125..0.25
    const std::vector<kernels::fp16_t> q(hd, kernels::fp16_t(0x2c00));                          // 0.0625
    std::vector<float> out(std::size_t(kHeads) * hd);
    const Samples s = run_team(pinner, d.threads, step_deadline(done++), [&](int tid) {
      auto [b, e] = slice(kHeads, tid, d.threads);
      for (std::size_t h = b; h < e; ++h) {
        const std::size_t kv = h / (kHeads / kKvHeads) * hd;
        k.attend(hd, kPositions, q.data(), keys + kv, values + kv, stride, out.data() + h * hd);
      }
    });
    (hd == 64 ? d.attention_ns_hd64 : d.attention_ns_hd128) = s.best() * 1e9 / (double(kHeads) * kPositions);
  }
  // The f32 FMA peak of all cores (registers only): the ceiling any prefill kernel works under.
  if (Clock::now() < end) {
    say("FMA peak");
    std::vector<float> sink(d.threads);
    std::vector<double> flops(d.threads);
    constexpr long kIterations = 2'000'000;
    const Samples s = run_team(pinner, d.threads, step_deadline(done++),
                               [&](int tid) { flops[tid] = k.fma(kIterations, &sink[tid]); });
    double total = 0;
    for (double f : flops) total += f;
    d.fma_gflops = total / s.best() / 1e9;
  } else {
    cal.notes.push_back("time budget spent: FMA peak not measured");
  }
  if (Clock::now() < end) {
    say("read bandwidth again");
    reads.push_back(bytes / read(d.threads).best() / 1e9);
  }
  std::sort(reads.begin(), reads.end());
  if (reads.size() > 1 && reads.back() - reads.front() > kReadDisagreement * reads.front()) {
    std::string seen;
    for (double r : reads) seen += (seen.empty() ? "" : ", ") + std::to_string(std::lround(r));
    cal.notes.push_back("streaming read measured " + seen + " GB/s over the run: this machine's memory bandwidth "
                        "varies (shared or throttled); the lowest, what decode sustains, is used");
  }
  d.read_gbps = reads.front();
  cal.duration_s = std::chrono::duration<double>(Clock::now() - t0).count();
  cal.devices.push_back(std::move(d));
  return cal;
}

}  // namespace benchr
