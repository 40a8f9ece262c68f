// JSON forms of the estimator's types, shared by the JSON output and saved machines (app only).
#pragma once

#include <nlohmann/json.hpp>

#include "estimator.hpp"

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

}  // namespace benchr
