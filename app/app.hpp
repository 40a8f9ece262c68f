// The command line's private interface: loading machines and presenting results.
#pragma once

#include <string>
#include <string_view>

#include "catalog.hpp"
#include "estimator.hpp"
#include "modelfile.hpp"

namespace benchr {

/// A saved probe (JSON) or an hwloc XML export; throws InputError naming the file.
Machine load_machine(const std::string& path);
/// Writes `m` as JSON, atomically (temporary file + rename).
void save_machine(const Machine& m, const std::string& path);

/// The calibration cache (cache.cpp): the fingerprint of a machine, the cached calibration for
/// it (nullopt, with `warning` set when a file was there but could not be trusted), and saving one
/// (returns an error message, empty on success).
std::string machine_fingerprint(const Machine& m);
std::string calibration_cache_path(const std::string& fingerprint);
std::optional<Calibration> load_cached_calibration(const std::string& fingerprint, std::string& warning);
std::string save_calibration(const Calibration& c);

/// This machine (probe_live) with its GPUs from the device cache (device_cache.cpp) while the
/// gpu_fingerprint() they were scanned under holds, so no Vulkan driver is loaded; else scanned
/// now and cached. `rescan`: scan and cache whatever the cache holds.
Machine live_machine(bool rescan = false);
/// The device cache's file for a fingerprint, beside the calibration cache; empty without a
/// cache directory.
std::string device_cache_path(const std::string& fingerprint);

/// How an answer is shown: one JSON document, or text for a terminal of `width` columns, with
/// colour, with every figure's source (`verbose`).
struct Output {
  bool json = false;
  std::size_t width = 80;
  bool color = false;
  bool verbose = false;
};

/// Each presenter returns the text for stdout: with `out.json`, one JSON document (the same
/// whatever the other fields); else text within `out.width` columns.
std::string present_machine(const Machine& m, const Output& out);
/// The machine's rows (CPU, cores, SIMD, caches, RAM, each device, notes), each with its source.
std::string machine_lines(const Machine& m, const Output& out);
std::string present_advice(const Advice& a, const Machine& m, const Workload& w, const Budget& b,
                           const Catalog& c, const Output& out);
std::string present_estimate(const Estimate& e, const MonthlyCost& cost, const Machine& m,
                             const Workload& w, const Output& out);
std::string present_calibration(const Calibration& c, const Output& out);
std::string present_fit(const ModelFile& file, const Estimate& e, const MonthlyCost& cost, const Machine& m,
                        const Workload& w, const Output& out);
std::string present_plan(const Plan& p, const ModelSpec& m, const Workload& w, const Budget& b, const Output& out);
/// `compare`: the machines side by side (a letter each, with its id and name above the table), the
/// as-good API, the verdict, and each machine's command.
std::string present_comparison(const Comparison& c, const std::vector<CompareMachine>& machines, const Workload& w,
                               const Budget& b, const Output& out);
/// `plan` without a model; `min_quality` < 0 when not given (best quality first).
std::string present_models_plan(const ModelsPlan& p, const Workload& w, const Budget& b, double min_quality,
                                const Output& out);
/// What the catalog listings show: each filter is off when empty / negative.
struct ListFilter {
  std::string family;        ///< models whose id starts with this ("qwen3", "llama-3.1")
  double max_params_b = -1;  ///< models with at most this many parameters, billions
  std::string license;       ///< models with this license id
  std::string kind;          ///< hardware of this kind (gpu, apple, cpu, apu)
  double max_price = -1;     ///< hardware priced at most this, USD (unknown prices are kept out)
};
/// Days from `from` to `to` (both YYYY-MM-DD, or YYYY-MM); nullopt when either does not parse.
std::optional<int> days_between(const std::string& from, const std::string& to);
/// `what`: models, quants, hardware or prices.
std::string present_list(const Catalog& c, std::string_view what, const ListFilter& filter, const Output& out);

}  // namespace benchr
