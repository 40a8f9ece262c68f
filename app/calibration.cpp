#include "calibration.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include "app.hpp"
#include "calibrate.hpp"

namespace benchr {
namespace {

// The signs of a busy machine. On an idle machine each is near zero: steal and CPU pressure stay
// under 1% (this project's VMs when the other tenants sleep), nothing else is runnable, and the
// streaming reads of one run agree within a few percent.
// Steal: the hypervisor ran another guest on our vCPUs for more than 5% of the CPU time.
constexpr double kMaxStealShare = 0.05;
// CPU pressure (PSI "some"): some task waited for a CPU during more than 10% of the run.
constexpr double kMaxPressureShare = 0.10;
// Run queue: other runnable tasks at the start, per CPU: half the CPUs already taken.
constexpr double kMaxBusyPerCpu = 0.5;
// Streaming reads of one run more than 25% apart ((slowest - fastest) / median).
constexpr double kMaxReadSpread = 0.25;
// A read below 75% of the best this machine read before: the quiet runs here read within 10% of
// one another (bench/check_reproducible.py prints them), a busy one far less.
constexpr double kBelowBestShare = 0.75;
// A contended calibration is checked again at most every 10 minutes, and only on a run that
// finds the machine quiet (/proc/pressure/cpu avg10 and the run queue), by the streaming read
// alone in kQuickBudgetS (one buffer fill and two reads: ~0.5 s on this project's 2-core VMs):
// a doubtful figure is bettered on a later run without a stall on every run.
constexpr long long kRemeasureAfterS = 600;
constexpr double kQuickBudgetS = 0.3;
// A quiet read within 10% of the cached one confirms it: quiet reads of one machine minutes
// apart agree that closely (the spread of the repetitions, `calibrate`).
constexpr double kHoldsWithin = 0.10;
constexpr const char* kBusyNote = "measured on a busy machine";

std::string percent(double share) { return std::to_string(std::lround(share * 100)) + "%"; }
std::string gbps(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f GB/s", v);
  return buf;
}

long long now_unix() { return static_cast<long long>(std::time(nullptr)); }

std::optional<double> cpu_read_gbps(const Calibration& c) {
  for (const auto& d : c.devices)
    if (d.isa != "vulkan") return d.read_gbps;
  return std::nullopt;
}

void warn(const std::string& what) { std::fprintf(stderr, "benchr-advise: warning: %s\n", what.c_str()); }

/// Stores `c` (its notes capped), filling the run's cache fields.
void store(CalibrationRun& run, const Calibration& c) {
  run.cache_path = calibration_cache_path(c.fingerprint);
  run.cache_error = save_calibration(c);
  run.cached = run.cache_error.empty();
  if (!run.cached) warn("calibration not cached: " + run.cache_error);
}

std::vector<std::string> machine_notes(const Calibration& c) {
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", c.duration_s);
  std::vector<std::string> out{"calibrated " + c.measured_at + " in " + took +
                               " s (`benchr-advise calibrate` measures again)"};
  for (const auto& n : c.notes) out.push_back("calibration: " + n);
  return out;
}

}  // namespace

void judge_calibration(Calibration& c, const CpuContention& load, std::optional<double> best_known_read_gbps) {
  CalibrationQuality& q = c.quality;
  q.steal_share = load.steal_share;
  q.cpu_pressure_share = load.pressure_share;
  q.busy_per_cpu = load.busy_per_cpu;
  q.best_known_read_gbps = best_known_read_gbps;
  q.reasons.clear();
  if (q.steal_share && *q.steal_share > kMaxStealShare)
    q.reasons.push_back("the hypervisor took " + percent(*q.steal_share) + " of the CPU time (steal)");
  if (q.cpu_pressure_share && *q.cpu_pressure_share > kMaxPressureShare)
    q.reasons.push_back("tasks waited for a CPU " + percent(*q.cpu_pressure_share) + " of the time (/proc/pressure/cpu)");
  if (q.busy_per_cpu && *q.busy_per_cpu > kMaxBusyPerCpu) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.1f other runnable tasks per CPU at the start", *q.busy_per_cpu);
    q.reasons.push_back(buf);
  }
  if (!q.contended_steps.empty())
    q.reasons.push_back(std::to_string(q.contended_steps.size()) + " steps had no repetition in which every thread kept its CPU (" +
                        q.contended_steps.front() + (q.contended_steps.size() > 1 ? ", ..." : "") + ")");
  const std::optional<double> read = cpu_read_gbps(c);
  for (const auto& d : c.devices)
    if (d.isa != "vulkan" && d.read_spread > kMaxReadSpread)
      q.reasons.push_back("its streaming reads were " + percent(d.read_spread) + " apart");
  if (read && best_known_read_gbps && *read < kBelowBestShare * *best_known_read_gbps)
    q.reasons.push_back("it read " + gbps(*read) + ", far below the " + gbps(*best_known_read_gbps) +
                        " this machine read before");
  q.contended = !q.reasons.empty();
  if (q.contended) {
    std::string why;
    for (const auto& r : q.reasons) why += (why.empty() ? "" : "; ") + r;
    c.notes.insert(c.notes.begin(), std::string(kBusyNote) + ", so its figures may be low: " + why);
  }
}

bool better_calibration(const Calibration& candidate, const Calibration& incumbent) {
  if (candidate.quality.contended != incumbent.quality.contended) return !candidate.quality.contended;
  const auto a = cpu_read_gbps(candidate), b = cpu_read_gbps(incumbent);
  if (!a || !b) return a.has_value();
  return *a > *b;
}

bool due_for_remeasure(const Calibration& cached, long long now) {
  return cached.quality.contended && now - cached.quality.last_attempt_unix >= kRemeasureAfterS;
}

QuickCheck judge_quick_read(const Calibration& cached, const Calibration& quick) {
  if (quick.quality.contended) return QuickCheck::busy;
  const auto was = cpu_read_gbps(cached), now = cpu_read_gbps(quick);
  if (!was || !now) return QuickCheck::low;
  return *now > (1 + kHoldsWithin) * *was ? QuickCheck::low : QuickCheck::holds;
}

Calibration measure_calibration(const Machine& m, double budget_s, std::optional<double> best_known_read_gbps,
                                bool read_only) {
  CalibrationOptions options;
  options.budget_s = budget_s;
  options.read_only = read_only;
  const bool tty = isatty(STDERR_FILENO);
  if (tty)
    options.progress = [](std::string_view step) {
      std::fprintf(stderr, "\rbenchr-advise: calibrating this CPU: %-28.*s", int(step.size()), step.data());
      std::fflush(stderr);
    };
  const CpuLoadSample before = sample_cpu_load();
  Calibration c = calibrate_cpu(m.cpu, options);
  const CpuLoadSample after = sample_cpu_load();
  // Every GPU (not software devices) through Vulkan compute: at most 2 s each. GPU timestamps
  // time the GPU's own work, which a busy CPU does not slow down.
  if (tty)
    options.progress = [](std::string_view step) {
      std::fprintf(stderr, "\rbenchr-advise: calibrating the GPUs: %-28.*s", int(step.size()), step.data());
      std::fflush(stderr);
    };
  if (!read_only)
    for (auto& gpu : calibrate_vulkan(options, c.notes)) c.devices.push_back(std::move(gpu));
  if (tty) std::fprintf(stderr, "\r%-76s\r", "");
  c.fingerprint = machine_fingerprint(m);
  c.quality.last_attempt_unix = now_unix();
  judge_calibration(c, contention_between(before, after), best_known_read_gbps);
  return c;
}

CalibrationRun calibrate_and_cache(const Machine& m, double budget_s) {
  CalibrationRun run;
  std::string warning;
  const std::optional<Calibration> cached = load_cached_calibration(machine_fingerprint(m), warning);
  if (!warning.empty()) warn(warning);
  run.measured = measure_calibration(m, budget_s, cached ? cpu_read_gbps(*cached) : std::nullopt);
  if (!cached || better_calibration(*run.measured, *cached)) {
    run.kept = *run.measured;
    run.kept_measured = true;
  } else {
    run.kept = *cached;
    run.kept.quality.last_attempt_unix = run.measured->quality.last_attempt_unix;
  }
  store(run, run.kept);
  run.notes = machine_notes(run.kept);
  return run;
}

std::string cache_outcome(const CalibrationRun& run) {
  if (!run.cached)
    return "not cached: " + (run.cache_error.empty() ? std::string("no cache file") : run.cache_error);
  if (run.kept_measured) return "cached in " + run.cache_path;
  const auto kept = cpu_read_gbps(run.kept);
  return "not cached: " +
         std::string(run.measured && run.measured->quality.contended ? "measured on a busy machine"
                                                                     : "no better than the calibration kept") +
         "; " + run.cache_path + " keeps the " + (run.kept.quality.contended ? "" : "quiet ") + "calibration of " +
         run.kept.measured_at + (kept ? " (" + gbps(*kept) + ")" : "");
}

CalibrationRun cached_or_measured(const Machine& m, double budget_s) {
  CalibrationRun run;
  std::string warning;
  const std::string fingerprint = machine_fingerprint(m);
  std::optional<Calibration> cached = load_cached_calibration(fingerprint, warning);
  if (!warning.empty()) warn(warning);
  if (!cached) {
    run.measured = measure_calibration(m, budget_s, std::nullopt);
    run.kept = *run.measured;
    run.kept_measured = true;
    store(run, run.kept);
    run.notes = machine_notes(run.kept);
    return run;
  }
  run.kept = *cached;
  run.cached = true;
  run.cache_path = calibration_cache_path(fingerprint);
  if (due_for_remeasure(*cached, now_unix())) {
    // Only worth it on a quiet machine: what /proc says of the last 10 seconds and of now.
    const CpuLoadSample load = sample_cpu_load();
    const CpuContention now = contention_between(load, load);
    const bool busy = (load.pressure_some_avg10 && *load.pressure_some_avg10 > 100 * kMaxPressureShare) ||
                      (now.busy_per_cpu && *now.busy_per_cpu > kMaxBusyPerCpu);
    if (busy) {
      run.notes.push_back("the calibration was taken on a busy machine and the machine is busy now: measuring again "
                          "on a later run");
    } else {
      const Calibration quick = measure_calibration(m, kQuickBudgetS, cpu_read_gbps(*cached), true);
      const std::string read = gbps(cpu_read_gbps(quick).value_or(0));
      run.kept.quality.last_attempt_unix = quick.quality.last_attempt_unix;
      switch (judge_quick_read(*cached, quick)) {
        case QuickCheck::busy:
          run.notes.push_back("the calibration was taken on a busy machine; a check now (" + read +
                              ") was busy too: measuring again on a later run");
          break;
        case QuickCheck::holds: {
          run.kept.quality.contended = false;
          run.kept.quality.reasons.push_back("a quiet streaming read of " + read + " on " + quick.measured_at +
                                             " confirmed its figures");
          auto& notes = run.kept.notes;
          std::erase_if(notes, [](const std::string& n) { return n.rfind(kBusyNote, 0) == 0; });
          notes.insert(notes.begin(), std::string(kBusyNote) + "; a quiet streaming read of " + read + " on " +
                                          quick.measured_at + " confirmed its figures");
          break;
        }
        case QuickCheck::low:
          run.measured = measure_calibration(m, budget_s, cpu_read_gbps(*cached));
          if (better_calibration(*run.measured, *cached)) {
            run.kept = *run.measured;
            run.kept_measured = true;
          } else {
            run.notes.push_back("measured again (" + gbps(cpu_read_gbps(*run.measured).value_or(0)) +
                                "): no better than the calibration kept");
          }
          break;
      }
      store(run, run.kept);
    }
  }
  const auto notes = machine_notes(run.kept);
  run.notes.insert(run.notes.begin(), notes.begin(), notes.end());
  return run;
}

}  // namespace benchr
