// JSON forms of the estimator's types, shared by the JSON output and saved machines (app only).
#pragma once

#include <nlohmann/json.hpp>

#include "estimator.hpp"
#include "guard.hpp"  // every document is written through guarded_dump

namespace benchr {

nlohmann::json to_json(const Machine& m);
/// Reads a machine written by to_json; throws InputError naming `where` and the field.
Machine machine_from_json(const nlohmann::json& j, const std::string& where);

nlohmann::json to_json(const Estimate& e);
nlohmann::json to_json(const MonthlyCost& c);
nlohmann::json to_json(const Workload& w);
nlohmann::json to_json(const Calibration& c);
/// Throws std::exception on anything malformed (the cache treats that as "ignore").
Calibration calibration_from_json(const nlohmann::json& j);

/// A figure that may be unknown: null, never 0.
nlohmann::json usd_json(const std::optional<double>& usd);
/// An 80% band as [low, high], or null where the figure is unknown.
nlohmann::json range_json(const Range& r);
nlohmann::json memory_json(const MemoryNeed& n);
nlohmann::json api_json(const ApiCost& a);
/// An estimate with its cost, quality, eligibility and why not.
nlohmann::json candidate_json(const Candidate& c);
/// A candidate with the machine, how it is had (buy, rent, own), its monthly cost and break-even.
nlohmann::json option_json(const PlanOption& o);

}  // namespace benchr
