#include "calibrate.hpp"

#include <hwloc.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <functional>
#include <numeric>
#include <ctime>
#include <memory>
#include <thread>
#include <time.h>

#include "dot.hpp"
#include "timing.hpp"

namespace benchr {
namespace {

using Clock = std::chrono::steady_clock;
using kernels::Format;
using kernels::Timings;

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
// A run that takes longer than its budget by more than this says so.
constexpr double kBudgetSlackS = 0.25;
// The unit of a streaming step's repetition is a time slice, not a whole pass: the threads read
// (or multiply) the buffer in chunks of this size, or of the GEMV's row chunks, and check the
// clock between chunks, so a repetition that would run past its step's time stops there and is
// scaled to a whole pass (the bytes it read over the time it took). A pass over the 1 GiB buffer
// takes ~35 ms on a quiet 2-core VM but 0.5 s or more with every CPU busy (4 GB/s at load 15),
// which made the 3 s calibration take 28 s there: 3 whole passes a step, 39 steps.
// 1 MiB is ~30 us of reading at 30 GB/s, so the clock (a vDSO call, ~20 ns) costs under 0.1%.
constexpr std::size_t kSliceBytes = 1u << 20;
// The least time a timed step gets when the budget is already spent: kFloorShare of an equal
// share of the budget (budget / timed steps), at most kMinStepS. At the 3 s default over its 34
// steps that is kMinStepS: 3 repetitions (a warm-up and kMinReps) of 17 ms, each still 100+ MB at
// a loaded machine's 10 GB/s, far past the caches, and read at a cursor that walks the whole
// buffer, so from DRAM. A shorter budget gets shorter floors (`--seconds 1`: 21 ms over 28 steps)
// and never less than kLeastStepS: with a fixed 50 ms floor, `--seconds 1` took 2.3 s with every
// CPU busy (the 1 GiB fill spent the budget, then 28 steps of ~55 ms; 2026-12-06,
// bench/check_calibration_budget.py).
constexpr double kFloorShare = 0.6, kLeastStepS = 0.01, kMinStepS = 0.05;

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

/// Seconds on `clock` (CLOCK_MONOTONIC, or this thread's CPU time).
double clock_s(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return double(t.tv_sec) + 1e-9 * double(t.tv_nsec);
}

/// A step's repetitions: all of them, and the quiet ones -- those in which no thread of the team
/// lost its CPU for more than kQuietShare of the repetition (its wall time less its own CPU time:
/// another task ran there, or the hypervisor took the vCPU, whose steal the kernel keeps out of a
/// thread's CPU time). A figure is the fastest quiet repetition. A step with none is contended: its
/// figure is the fastest repetition timed by the threads' own CPU time (`on_cpu`: each thread's
/// units over its CPU seconds, summed over the team), what the cores did while they ran. Wall time
/// there counts the slices other tasks took: with one spinning process per CPU on the 2-core VM the
/// streaming read timed by the wall was 1.3-1.9 GB/s against ~30 quiet, and ten fresh calibrations
/// gave four different picks (bench/check_reproducible.py, 2026-12-06). The CPU-time figure is at
/// most the threads' rates each alone, summed: above the team's when the threads ran at different
/// times and shared no bandwidth, which a busy machine's other tasks keep lower than that.
struct TeamRun {
  Timings all, quiet, on_cpu;  ///< seconds of one whole pass (a cut repetition scaled up to one)
  bool cut = false;            ///< some repetition stopped at its time slice, part way through a pass
  bool contended() const { return quiet.empty(); }
  double best_s() const { return contended() ? on_cpu.fastest_s() : quiet.fastest_s(); }
};

/// A timed step's time: its share of the budget, `deadline`, and how long it may go on for a quiet
/// repetition when it has none, `grace` (never past the whole budget's end).
struct Window {
  Clock::time_point deadline, grace;
  double least_s = kMinStepS;  ///< the least time the step runs, its deadline passed or not
};
// A repetition in which every thread ran for at least 95% of its wall time is quiet: the timer
// tick and interrupts take well under 1% on an idle machine, a co-scheduled task half.
constexpr double kQuietShare = 0.05;

/// Runs `work(thread_index, cut)` on `threads` pinned threads in lockstep: one warm-up, then
/// repetitions until the window's deadline (at least kMinReps, at most kMaxReps). When none of them
/// was quiet by the deadline it keeps trying, until the window's grace, for one quiet repetition.
/// `work` does at most one pass (`pass_units` units over all threads), stops between two chunks
/// once the clock is past `cut`, and returns the units it did. The warm-up and the first kMinReps
/// repetitions each get a third of the step's time (at least the window's least_s in all), later
/// ones run to the deadline (the grace); a cut repetition counts as the time a whole pass would
/// take at its rate. A step that starts past its deadline (the budget is spent) skips the warm-up: the data
/// were just read by the step before, which is what a warm-up is for.
/// `walk` (a share of a pass, 0-1) is where a streaming work starts: it moves on by what each
/// repetition did, so cut repetitions go round the whole buffer and never re-read what a cache
/// still holds.
/// `between()` runs on one thread while the others wait, after each repetition.
template <class Work, class Between = void (*)()>
TeamRun run_team(const Pinner& pinner, int threads, Window window, double pass_units, double& walk, Work work,
                 Between between = [] {}) {
  TeamRun out;
  const auto begin = Clock::now();
  const int first = window.deadline > begin ? 0 : 1;  // repetition 0 is the warm-up
  const auto least = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(window.least_s));
  const auto deadline = std::max(window.deadline, begin + least);
  const auto grace = std::max(window.grace, deadline);
  const auto slice = (deadline - begin) / (kMinReps + 1 - first);
  std::barrier sync(threads);
  std::vector<double> lost(threads), done(threads), ran(threads), began(threads), ended(threads);
  Clock::time_point cut;
  bool stop = false;
  auto next_cut = [&](int rep) { return rep <= kMinReps ? Clock::now() + slice : out.quiet.empty() ? grace : deadline; };
  cut = next_cut(first);
  // Two barriers a repetition (a third costs a wake-up, one scheduler slice on a loaded machine):
  // the start, which also publishes the stop decision and the next cut, and the end.
  auto body = [&](int tid) {
    pinner.pin(tid);
    for (int rep = first; rep <= kMaxReps; ++rep) {
      sync.arrive_and_wait();
      if (stop) break;
      began[tid] = clock_s(CLOCK_MONOTONIC);
      const double cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
      done[tid] = work(tid, cut);
      ran[tid] = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
      ended[tid] = clock_s(CLOCK_MONOTONIC);
      lost[tid] = (ended[tid] - began[tid]) - ran[tid];
      sync.arrive_and_wait();
      if (tid == 0) {
        const auto now = Clock::now();
        // The repetition is the threads' work, from the first one's start to the last one's end:
        // not the barriers' wake-ups around it, which take a scheduler slice each on a busy
        // machine (once a 2-thread Q3_K GEMV read 1.8 GB/s where its 1-thread step read 4.9,
        // under a parallel build, 2026-12-06). A thread that started late ran alone
        // meanwhile: its delay counts as time lost. Never 0 s: the clock counts nanoseconds and
        // every step's work takes far longer.
        const double earliest = *std::min_element(began.begin(), began.end());
        const double wall = std::max(*std::max_element(ended.begin(), ended.end()) - earliest, 1e-9);
        for (int t = 0; t < threads; ++t) lost[t] += began[t] - earliest;
        const double units = std::accumulate(done.begin(), done.end(), 0.0);
        if (rep > 0 && units > 0) {
          const double pass = wall * pass_units / units;  // a whole pass at this repetition's rate
          out.cut = out.cut || units < pass_units;
          out.all.seconds.push_back(pass);
          walk = std::fmod(walk + units / pass_units, 1.0);
          if (*std::max_element(lost.begin(), lost.end()) <= kQuietShare * wall) out.quiet.seconds.push_back(pass);
          double rate = 0;  // units a second of CPU time, summed over the team
          for (int t = 0; t < threads; ++t) rate += done[t] / std::max(ran[t], 1e-9);
          out.on_cpu.seconds.push_back(std::min(pass, pass_units / rate));
        }
        stop = rep >= kMinReps && now > deadline && (!out.quiet.empty() || now > grace);
        between();
        cut = next_cut(rep + 1);
      }
    }
  };
  std::vector<std::thread> team;
  for (int t = 1; t < threads; ++t) team.emplace_back(body, t);
  body(0);
  for (auto& t : team) t.join();
  return out;
}

/// Runs `work(thread_index)` once on `threads` pinned threads: writing a buffer, where each thread
/// first-touches the pages it will read.
template <class Work>
void run_once(const Pinner& pinner, int threads, Work work) {
  auto body = [&](int tid) {
    pinner.pin(tid);
    work(tid);
  };
  std::vector<std::thread> team;
  for (int t = 1; t < threads; ++t) team.emplace_back(body, t);
  body(0);
  for (auto& t : team) t.join();
}

/// The share [begin, end) of `n` items that thread `tid` of `threads` works on.
std::pair<std::size_t, std::size_t> slice(std::size_t n, int tid, int threads) {
  return {n * tid / threads, n * (tid + 1) / threads};
}

struct AlignedFree {
  void operator()(uint8_t* p) const { std::free(p); }
};

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

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
  const double budget_s = std::isfinite(options.budget_s) ? std::max(0.0, options.budget_s) : 0.0;
  const auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(budget_s));
  Calibration cal;
  cal.kernel_version = kKernelVersion;
  cal.measured_at = iso_now();
  cal.budget_s = budget_s;

  const Pinner pinner;
  const kernels::DotKernels& k = kernels::best_dot_kernels();
  DeviceCalibration d;
  d.device = cpu.model.empty() ? "CPU" : cpu.model;
  d.isa = k.isa;
  d.threads = options.threads > 0 ? options.threads : std::max(1, cpu.cores.value);
  std::vector<int> thread_counts{1};
  if (d.threads > 1) thread_counts.push_back(d.threads);

  const double l3 = cpu.l3_bytes.known() ? cpu.l3_bytes.value : 32.0 * (1 << 20);
  std::size_t bytes = std::clamp<std::size_t>(std::size_t(kBufferPerL3 * l3), kMinBuffer, kMaxBuffer);
  bytes -= bytes % (std::size_t(kRowElements) * 2 * 128);  // whole F16 rows, 128-byte multiple
  std::unique_ptr<uint8_t, AlignedFree> buffer(static_cast<uint8_t*>(std::aligned_alloc(std::size_t(2) << 20, bytes)));
  if (!buffer) {
    cal.notes.push_back("could not allocate the " + std::to_string(bytes >> 20) + " MiB benchmark buffer: nothing measured");
    return cal;  // no device: nothing here may stand for a measurement
  }
  // 4 KiB pages, as llama.cpp reads its weights: mmapped from the GGUF file (the page cache maps
  // no huge pages), and CPU_REPACK copies in plain heap memory. With huge pages the GEMVs run
  // 10-40% above ggml's own vec_dot kernels streamed over the same 256 MiB in 4 KiB pages and
  // 64-row chunks (Q3_K 24.5 against 17-18 GB/s, 2 threads); llama.cpp's Q3_K_M decode implies
  // 18 GB/s for its Q3_K tensors. bench/ggml_gemv.cpp is that comparison.
  madvise(buffer.get(), bytes, MADV_NOHUGEPAGE);

  // The steps, in order. A timed step shares the time left equally with the timed steps after it
  // and always runs (at least kMinReps repetitions after a warm-up, cut to time slices): under a
  // spent budget the rest run shorter, none is skipped. A setup step (writing the buffer) takes
  // what it takes.
  struct Step {
    std::string name;                                      ///< progress, and notes: "Q4_K GEMV, 2 threads"
    bool timed;                                            ///< measured (else setup)
    std::function<TeamRun(Window window)> run;             ///< a setup step returns no repetitions
    /// A repeat of the streaming read between two formats (the lowest of all reads is used): left
    /// out once the budget is spent, when it measures nothing the first and last reads do not.
    /// Under load each step costs ~80 ms whatever its share (thread wake-ups): these 6 of the 34
    /// steps took ~0.5 s of a 1 s budget's 3.4 s overrun with 2 spinners on this 2-core VM.
    bool repeat = false;
  };
  std::vector<Step> steps;
  auto threads_name = [](int t) { return std::to_string(t) + (t == 1 ? " thread" : " threads"); };

  // First touch by the thread that will read each slice (its NUMA node, its pages), with random
  // bytes: identical pages could be merged by the host, and a stream over them would hit cache.
  // Written once for every format: random F16 halves, each a normal value of 2^-3 to 2^-2 in
  // magnitude, so every block format's f16 scales (2-byte fields at even offsets of blocks of an
  // even size, Q4_0's interleaved eight included) are normal numbers, never a NaN or a denormal
  // that could slow a kernel, and its integer quants are random bytes, which the integer SIMD
  // kernels take in the same time whatever they hold. (A fill per format, as before, wrote the
  // 1 GiB buffer eight times with a random number per 8 bytes: 8.3 of a loaded 2-core VM's 28 s
  // calibration; fill_f16_pages writes at memory speed.)
  steps.push_back({"filling buffer", false, [&](Window) {
                     run_once(pinner, d.threads, [&](int tid) {
                       auto [b, e] = slice(bytes / 64, tid, d.threads);
                       kernels::fill_f16_pages(buffer.get() + b * 64, (e - b) * 64, 0x9E3779B9u + tid);
                     });
                     return TeamRun{};
                   }});
  double walk = 0, in_cache = 0;  // where the next streaming repetition starts; unused by in-cache steps

  // The all-threads read is taken again before each format and at the end, and the lowest is
  // used. On a shared machine the memory a VM gets comes and goes: this kind of 2-core VM reads
  // either ~36 or ~62-68 GB/s, switching within seconds to minutes (26 calibrations interleaved
  // with llama-bench, bench/check_local_live.py, bench/local_live_2026-11-28.md), and llama.cpp's decode did not
  // follow the fast episodes: rows run while calibrations on both sides read 63-68 GB/s decoded
  // at 0.88-0.97x their rate in bench/validation/local-llamacpp.csv (taken at 34.5 GB/s).
  // What decode sustains is the slow figure.
  std::vector<double> reads;
  auto read_step = [&](int threads, std::string name) {
    return Step{std::move(name), true, [&, threads](Window window) {
                  std::vector<uint64_t> sink(threads);
                  // The threads take kSliceBytes chunks in turn from a shared counter, as the GEMV
                  // takes its rows (and llama.cpp's threads a matrix's), from where the last
                  // repetition stopped: cut repetitions of every streaming step walk the buffer
                  // in one order, so none reads what an earlier one left in a cache.
                  const std::size_t chunk_lines = kSliceBytes / 128, lines = bytes / 128;
                  const std::size_t chunks = (lines + chunk_lines - 1) / chunk_lines;
                  std::atomic<std::size_t> next{std::size_t(threads)};
                  TeamRun r = run_team(
                      pinner, threads, window, double(lines * 128), walk,
                      [&](int tid, Clock::time_point cut) {
                        const std::size_t from = std::size_t(walk * double(chunks));
                        std::size_t done = 0;
                        uint64_t sum = 0;
                        for (std::size_t c = tid; c < chunks; c = next.fetch_add(1, std::memory_order_relaxed)) {
                          const std::size_t at = (from + c) % chunks * chunk_lines, n = std::min(chunk_lines, lines - at);
                          sum += k.read(buffer.get() + at * 128, n * 128);
                          done += n * 128;
                          if (Clock::now() >= cut) break;
                        }
                        sink[tid] = sum;
                        return double(done);
                      },
                      [&] { next = std::size_t(threads); });
                  const double gbps = bytes / r.best_s() / 1e9;
                  if (threads == 1) d.read_gbps_1t = gbps;
                  if (threads == d.threads) {
                    if (reads.empty()) d.read_spread = r.all.spread();
                    reads.push_back(gbps);
                  }
                  return r;
                }};
  };
  for (int threads : thread_counts) steps.push_back(read_step(threads, "read bandwidth, " + threads_name(threads)));

  std::vector<float> x(kRowElements);
  for (int i = 0; i < kRowElements; ++i) x[i] = std::sin(0.37f * i) + 0.1f;  // any non-trivial row
  const std::size_t formats = options.read_only ? 0 : kernels::kFormatInfo.size();
  // What one format's steps share: its matrix in the buffer and its quantized activations.
  struct FormatState {
    std::size_t row_bytes = 0, rows = 0, tile_rows = 0;
    bool eight = false;  // Q4_0, measured as llama.cpp runs it on x86: repacked, eight rows a pass
    std::vector<uint8_t> xq;
  };
  std::vector<FormatState> states(kernels::kFormatInfo.size());
  for (std::size_t fidx = 0; fidx < formats; ++fidx) {
    const auto& fi = kernels::kFormatInfo[fidx];
    FormatState& st = states[fidx];
    const std::string name(fi.name);
    if (fidx > 0) {
      steps.push_back(read_step(d.threads, "read bandwidth again"));
      steps.back().repeat = true;
    }
    // The buffer read as this format's rows (valid blocks of it: see "filling buffer").
    steps.push_back({"preparing " + name, false, [&, &fi = fi, &st = st](Window) {
                       st.row_bytes = std::size_t(kRowElements / fi.block_elements) * fi.block_bytes;
                       st.rows = bytes / st.row_bytes;
                       st.tile_rows = std::max<std::size_t>(8, kGemmTileBytes / st.row_bytes / 8 * 8);
                       st.eight = fi.format == Format::q4_0;
                       st.xq = kernels::quantize_activations(fi.format, x);
                       return TeamRun{};
                     }});
    for (int threads : thread_counts)
      steps.push_back({name + " GEMV, " + threads_name(threads), true, [&, &fi = fi, &st = st, name, threads](Window window) {
                         const kernels::DotFn dot = k.dot[static_cast<std::size_t>(fi.format)];
                         std::vector<float> y(st.rows);
                         const std::size_t chunk_rows = st.eight ? repacked_chunk_rows(threads) : kDecodeChunkRows;
                         const std::size_t chunks = (st.rows + chunk_rows - 1) / chunk_rows;
                         std::atomic<std::size_t> next{std::size_t(threads)};
                         auto gemv_chunk = [&](std::size_t c) {
                           const std::size_t r0 = c * chunk_rows, r1 = std::min(st.rows, r0 + chunk_rows);
                           if (st.eight)
                             for (std::size_t r = r0; r + 8 <= r1; r += 8)
                               k.dot8_q4_0(kRowElements,
                                           reinterpret_cast<const kernels::BlockQ4_0x8*>(buffer.get() + r * st.row_bytes),
                                           st.xq.data(), &y[r]);
                           else
                             for (std::size_t r = r0; r < r1; ++r)
                               y[r] = dot(kRowElements, buffer.get() + r * st.row_bytes, st.xq.data());
                         };
                         TeamRun r = run_team(
                             pinner, threads, window, double(st.rows), walk,
                             [&](int tid, Clock::time_point cut) {
                               const std::size_t from = std::size_t(walk * double(chunks));
                               std::size_t done = 0;
                               for (std::size_t c = tid; c < chunks; c = next.fetch_add(1, std::memory_order_relaxed)) {
                                 const std::size_t at = (from + c) % chunks;
                                 gemv_chunk(at);
                                 done += std::min(st.rows, (at + 1) * chunk_rows) - at * chunk_rows;
                                 if (Clock::now() >= cut) break;
                               }
                               return double(done);
                             },
                             [&] { next = std::size_t(threads); });
                         const double sec = r.best_s();
                         d.gemv.push_back({name, threads, st.rows * st.row_bytes / sec / 1e9,
                                           2.0 * st.rows * kRowElements / sec / 1e9, r.all.spread()});
                         return r;
                       }});
    // Prefill: each thread multiplies its own in-cache tile by kGemmColumns activation rows.
    steps.push_back({name + " GEMM", true, [&, &fi = fi, &st = st, name](Window window) {
                       const kernels::DotFn dot = k.dot[static_cast<std::size_t>(fi.format)];
                       std::vector<std::vector<uint8_t>> cols(kGemmColumns, st.xq);
                       std::vector<float> y(st.tile_rows * kGemmColumns * d.threads);
                       TeamRun r = run_team(pinner, d.threads, window, d.threads, in_cache, [&](int tid, Clock::time_point) {
                         const uint8_t* tile = buffer.get() + tid * st.tile_rows * st.row_bytes;
                         float eight_out[8];
                         for (int rep = 0; rep < 4; ++rep)
                           for (std::size_t row = 0; row < st.tile_rows; row += st.eight ? 8 : 1)
                             for (int c = 0; c < kGemmColumns; ++c) {
                               if (st.eight)  // the buffer holds interleaved eight-row columns for Q4_0
                                 k.dot8_q4_0(kRowElements,
                                             reinterpret_cast<const kernels::BlockQ4_0x8*>(tile + row * st.row_bytes),
                                             cols[c].data(), eight_out);
                               else
                                 y[(tid * st.tile_rows + row) * kGemmColumns + c] =
                                     dot(kRowElements, tile + row * st.row_bytes, cols[c].data());
                             }
                         return 1.0;  // in cache, ~1 ms: never cut
                       });
                       const double work = 4.0 * d.threads * st.tile_rows * kGemmColumns;  // row x column products
                       d.gemm.push_back({name, d.threads, work * st.row_bytes / r.best_s() / 1e9,
                                         2.0 * work * kRowElements / r.best_s() / 1e9, r.all.spread()});
                       return r;
                     }});
    // A prompt's dense Q8_0 products go through tinyBLAS's 4 x 4 tiles: the same in-cache tile
    // against kGemmColumns activation rows laid out as a matrix.
    if (fi.format == Format::q8_0)
      steps.push_back({"Q8_0 tinyBLAS tiles", true, [&, &st = st, name](Window window) {
                         std::vector<uint8_t> xs(kGemmColumns * st.row_bytes);
                         for (int c = 0; c < kGemmColumns; ++c)
                           std::memcpy(xs.data() + c * st.row_bytes, st.xq.data(), st.row_bytes);
                         TeamRun r = run_team(pinner, d.threads, window, d.threads, in_cache, [&](int tid, Clock::time_point) {
                           const uint8_t* tile = buffer.get() + tid * st.tile_rows * st.row_bytes;
                           float out[16];
                           for (int rep = 0; rep < kTileReps; ++rep)
                             for (std::size_t row = 0; row + 4 <= st.tile_rows; row += 4)
                               for (int c = 0; c + 4 <= kGemmColumns; c += 4)
                                 k.tile4_q8_0(kRowElements, tile + row * st.row_bytes, st.row_bytes,
                                              xs.data() + c * st.row_bytes, st.row_bytes, out);
                           return 1.0;
                         });
                         const double tiled = 4.0 * d.threads * st.tile_rows * kGemmColumns * kTileReps / 4;
                         d.tinyblas.push_back({name, d.threads, tiled * st.row_bytes / r.best_s() / 1e9,
                                               2.0 * tiled * kRowElements / r.best_s() / 1e9, r.all.spread()});
                         return r;
                       }});
  }
  // Decode attention at depth: 32 query heads over 8 KV heads and 2048 cached f16 positions (a
  // Llama-style layer), the query heads split over the threads.
  for (int hd : {64, 128}) {
    if (options.read_only) break;
    steps.push_back({"attention, head_dim " + std::to_string(hd), true, [&, hd](Window window) {
                       constexpr int kHeads = 32, kKvHeads = 8, kPositions = 2048;
                       const int stride = kKvHeads * hd;
                       const std::size_t halves = std::size_t(kPositions) * stride;
                       static_assert(2 * std::size_t(kPositions) * kKvHeads * 128 * 2 <= kMinBuffer);
                       auto* keys = reinterpret_cast<kernels::fp16_t*>(buffer.get());
                       auto* values = keys + halves;
                       kernels::fill_weights(Format::f16, buffer.get(), 2 * halves * sizeof(kernels::fp16_t), 7);
                       const std::vector<kernels::fp16_t> q(hd, kernels::fp16_t(0x2c00));  // 0.0625
                       std::vector<float> out(std::size_t(kHeads) * hd);
                       TeamRun r = run_team(pinner, d.threads, window, d.threads, in_cache, [&](int tid, Clock::time_point) {
                         auto [b, e] = slice(kHeads, tid, d.threads);
                         for (std::size_t h = b; h < e; ++h) {
                           const std::size_t kv = h / (kHeads / kKvHeads) * hd;
                           k.attend(hd, kPositions, q.data(), keys + kv, values + kv, stride, out.data() + h * hd);
                         }
                         return 1.0;
                       });
                       (hd == 64 ? d.attention_ns_hd64 : d.attention_ns_hd128) =
                           r.best_s() * 1e9 / (double(kHeads) * kPositions);
                       return r;
                     }});
  }
  // The f32 FMA peak of all cores (registers only): the ceiling any prefill kernel works under.
  if (!options.read_only) steps.push_back({"FMA peak", true, [&](Window window) {
                     std::vector<float> sink(d.threads);
                     std::vector<double> flops(d.threads);
                     constexpr long kIterations = 2'000'000;
                     TeamRun r = run_team(pinner, d.threads, window, d.threads, in_cache, [&](int tid, Clock::time_point) {
                       flops[tid] = k.fma(kIterations, &sink[tid]);
                       return 1.0;
                     });
                     d.fma_gflops = std::accumulate(flops.begin(), flops.end(), 0.0) / r.best_s() / 1e9;
                     return r;
                   }});
  if (!options.read_only) steps.push_back(read_step(d.threads, "read bandwidth again"));

  int timed_left = int(std::count_if(steps.begin(), steps.end(), [](const Step& s) { return s.timed; }));
  const int timed = timed_left;
  const double least_s = std::clamp(kFloorShare * budget_s / std::max(1, timed), kLeastStepS, kMinStepS);
  std::vector<std::string> cut;  // steps whose repetitions were cut to time slices
  int repeats = 0, repeats_left_out = 0;
  for (const Step& step : steps) {
    repeats += step.repeat;
    if (step.repeat && Clock::now() >= end) {
      ++repeats_left_out, --timed_left;
      continue;
    }
    if (options.progress) options.progress(step.name);
    const auto now = Clock::now();
    const auto deadline = step.timed && end > now ? now + (end - now) / std::max(1, timed_left) : now;
    // A step with no quiet repetition by its deadline may try as long again, within the budget.
    const TeamRun r = step.run({deadline, std::min(end, deadline + (deadline - now)), least_s});
    if (!step.timed) continue;
    --timed_left;
    cal.quality.repetitions += int(r.all.seconds.size());
    cal.quality.quiet_repetitions += int(r.quiet.seconds.size());
    if (r.contended()) cal.quality.contended_steps.push_back(step.name);
    if (r.cut) cut.push_back(step.name);
  }
  if (!cut.empty()) {
    std::string names;
    for (const auto& n : cut) names += (names.empty() ? "" : "; ") + n;
    cal.notes.push_back(std::to_string(cut.size()) + " of " + std::to_string(timed - repeats_left_out) +
                        " steps read only part of the buffer in some repetitions (time slices, scaled to a whole "
                        "pass) to keep the budget: " + names);
  }

  if (repeats_left_out > 0)
    cal.notes.push_back(std::to_string(repeats_left_out) + " of the " + std::to_string(repeats) +
                        " repeated streaming reads between formats left out: the budget was spent (the read was "
                        "taken at the start and at the end)");
  std::sort(reads.begin(), reads.end());
  if (reads.back() - reads.front() > kReadDisagreement * reads.front()) {
    std::string seen;
    for (double r : reads) seen += (seen.empty() ? "" : ", ") + std::to_string(std::lround(r));
    cal.notes.push_back("streaming read measured " + seen + " GB/s over the run: this machine's memory bandwidth "
                        "varies (shared or throttled); the lowest, what decode sustains, is used");
  }
  d.read_gbps = reads.front();
  cal.duration_s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (cal.duration_s > budget_s + kBudgetSlackS)
    cal.notes.push_back("every step measured, with fewer repetitions, in " + fixed1(cal.duration_s) + " s of a " +
                        fixed1(budget_s) + " s budget: writing the buffer and the shortest time slices take that long here");
  cal.devices.push_back(std::move(d));
  return cal;
}

}  // namespace benchr
