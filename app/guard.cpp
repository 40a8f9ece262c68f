#include "guard.hpp"

#include <fmt/format.h>

#include <cmath>

namespace benchr {

std::string figure(double x, int decimals) {
  if (!std::isfinite(x) || x < 0) return "unknown";
  x += 0.0;  // -0.0 + 0.0 is +0.0: never "-0"
  if (x >= kFigureExponentFrom) return fmt::format("{:.3g}", x);
  return fmt::format("{:.{}f}", x, decimals);
}

std::string signed_figure(double x, int decimals) {
  if (!std::isfinite(x)) return "unknown";
  const std::string magnitude = figure(std::fabs(x), decimals);
  return x < 0 && magnitude.find_first_not_of("0.") != std::string::npos ? "-" + magnitude : magnitude;
}

bool signed_by_meaning(const std::string& key) { return key == "headroom"; }

namespace {

void walk(nlohmann::json& j, const std::string& key, const nlohmann::json::json_pointer& at, nlohmann::json& found) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) walk(it.value(), it.key(), at / it.key(), found);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) walk(j[i], key, at / i, found);
  } else if (j.is_number_float()) {
    const double x = j.get<double>();
    std::string reason;
    if (std::isnan(x)) reason = "not a number (an estimate divided zero by zero or read an unknown figure)";
    else if (std::isinf(x)) reason = "infinite (an estimate divided by a zero or unknown rate)";
    else if (x < 0 && !signed_by_meaning(key)) reason = "negative (" + fmt::format("{:g}", x) + "), which a size, speed, cost or time cannot be";
    if (!reason.empty()) {
      found.push_back({{"path", at.to_string()}, {"reason", reason}});
      j = nullptr;
    } else if (x == 0) {
      j = 0.0;  // not -0
    }
  } else if (j.is_number_integer() && !j.is_number_unsigned() && j.get<int64_t>() < 0 && !signed_by_meaning(key)) {
    found.push_back({{"path", at.to_string()},
                     {"reason", "negative (" + std::to_string(j.get<int64_t>()) + "), which a count or size cannot be"}});
    j = nullptr;
  }
}

}  // namespace

nlohmann::json guard_json(nlohmann::json& j) {
  nlohmann::json found = nlohmann::json::array();
  walk(j, "", nlohmann::json::json_pointer(), found);
  return found;
}

std::string guarded_dump(nlohmann::json j) {
  nlohmann::json found = guard_json(j);
  if (!found.empty() && j.is_object()) j["unknown_figures"] = std::move(found);
  return j.dump(2) + "\n";
}

}  // namespace benchr
