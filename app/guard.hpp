// The output guard: no NaN, infinity or negative size, speed, cost or time is ever printed or put
// in JSON. An unknown figure prints as "unknown" and is null in JSON, with the reason. One place
// for the rule: the text presenters format numbers through figure() (table.cpp's gib, money, tps,
// hours), and every --json document is written through guarded_dump().
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace benchr {

/// `x` with `decimals` decimals ("12.3"), never "-0"; "unknown" when it is NaN, infinite or
/// negative. From kFigureExponentFrom up, three significant digits in exponent form ("3.24e+303"):
/// a figure that large is a sign of an absurd input, and hundreds of digits hide it.
std::string figure(double x, int decimals);
constexpr double kFigureExponentFrom = 1e15;
/// The same for a figure that is signed by meaning (headroom below 0 when a model does not fit):
/// negative figures print with their sign; NaN and infinity are still "unknown".
std::string signed_figure(double x, int decimals);

/// JSON keys whose numbers may be negative by meaning: headroom is the share of memory left, below
/// 0 when the model does not fit. Every other number the tool writes is a size, speed, cost, time,
/// count or share, which is never negative.
bool signed_by_meaning(const std::string& key);

/// Walks `j` and replaces every number that is not finite, or negative under a key that is not
/// signed_by_meaning, by null; -0 becomes 0. Returns one {"path": JSON pointer, "reason": why}
/// per replacement.
nlohmann::json guard_json(nlohmann::json& j);

/// guard_json(j), then j as the tool writes it (indent 2, a final newline). When a figure was
/// replaced, the document's top level (an object) gains "unknown_figures": the list guard_json
/// returned, so that a reader sees which figure is unknown and why.
std::string guarded_dump(nlohmann::json j);

}  // namespace benchr
