// This machine's calibration: measured while watching what else runs, cached per machine
// fingerprint keeping the best quiet measurement, and measured again on a later, quiet run when
// the one kept was taken on a busy machine.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "estimator.hpp"
#include "probe.hpp"

namespace benchr {

// ---- the cache file (cache.cpp) ------------------------------------------------------------

/// A calibration cache file's text, parsed and range-checked: the calibration, or an error naming
/// the field ("devices[0].read_gbps: 1e-300 is out of range (0.01 to 100000)") or the byte of a
/// JSON syntax error. Pure (no file, no clock): the cache reader's whole trust boundary.
struct CacheParse {
  std::optional<Calibration> calibration;
  std::string error;
};
CacheParse parse_calibration_cache(std::string_view text);

/// The notes a person sees: the first 20 distinct ones, each cut at 400 characters, then one
/// saying how many more there were.
std::vector<std::string> capped_notes(const std::vector<std::string>& notes);

// ---- trusting a measurement (calibration.cpp) ----------------------------------------------

/// Judges a fresh calibration by what else the CPUs did meanwhile (`load`, from /proc before and
/// after), the steps that had no quiet repetition, the spread of its streaming reads and how its
/// read compares with the best this machine read before: sets c.quality (its /proc figures,
/// `contended`, one reason per sign) and, when contended, a note saying so first.
void judge_calibration(Calibration& c, const CpuContention& load, std::optional<double> best_known_read_gbps);

/// Whether `candidate` should replace `incumbent` as the machine's calibration: a quiet one beats
/// a contended one; of two alike, the one whose CPU read faster (what decode uses).
bool better_calibration(const Calibration& candidate, const Calibration& incumbent);

/// Whether a cached calibration should be measured again on this run: it was contended and the
/// last try was at least kRemeasureAfterS before `now_unix`.
bool due_for_remeasure(const Calibration& cached, long long now_unix);

/// What a short, read-only measurement (the streaming read alone) on a later run says of a
/// contended calibration: `busy`, taken on a busy machine again; `holds`, quiet and no more than
/// 10% above the cached read (the cached figures were not held down: they stand, no longer
/// doubtful); `low`, quiet and more than 10% above it (measure everything again).
enum class QuickCheck { busy, holds, low };
QuickCheck judge_quick_read(const Calibration& cached, const Calibration& quick);

/// What a run did with the calibration: what it measured (if anything), what it keeps and uses,
/// and where that is cached (or why it could not be written).
struct CalibrationRun {
  std::optional<Calibration> measured;  ///< measured on this run
  Calibration kept;                     ///< what the advice uses and the cache holds
  bool kept_measured = false;           ///< `kept` is what was measured on this run
  bool cached = false;                  ///< `kept` is in the cache file at cache_path
  std::string cache_path;
  std::string cache_error;              ///< non-empty: why the cache could not be written
  std::vector<std::string> notes;       ///< for the machine's notes
};

/// Measures this machine now (CPU, then every Vulkan GPU) in `budget_s`, sampling /proc before and
/// after to judge it (best_known_read_gbps: the best CPU read this machine had before);
/// `read_only`: the CPU's streaming read alone, no GPU.
Calibration measure_calibration(const Machine& m, double budget_s, std::optional<double> best_known_read_gbps,
                                bool read_only = false);

/// `calibrate`: measures now; the cache keeps the better of this and what it held.
CalibrationRun calibrate_and_cache(const Machine& m, double budget_s);

/// What `calibrate` says of the cache after it measured: "cached in PATH", or why this run's
/// figures were not kept (and what the cache keeps instead), or why the file could not be written.
std::string cache_outcome(const CalibrationRun& run);

/// The advice's calibration: the cached one; measured (in `budget_s`) when there is none. When the
/// cached one was contended and is due, and the machine is quiet now: the short read-only check,
/// and only if it finds the cached figures low, a whole calibration (in `budget_s`), the better
/// kept. Warnings (a cache ignored, not written) go to stderr.
CalibrationRun cached_or_measured(const Machine& m, double budget_s);

}  // namespace benchr
