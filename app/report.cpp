// The report's series and Vega-Lite specs (report.hpp). Every figure is the estimator's: the
// ranked candidates and their memory, estimate() again at other depths and prompt lengths with the
// pick's placement, monthly_cost()/plan()/as_good_apis() again at other monthly volumes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <iostream>
#include <limits>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "json.hpp"
#include "report.hpp"

namespace benchr {

using nlohmann::json;

namespace {

// ---- how much each chart shows ----------------------------------------------------------------

/// Memory bars: the best-ranked options that fit. 20 bars of 18 px is a chart a reader takes in
/// at a glance; the ranking puts the options worth comparing first.
constexpr std::size_t kMemoryBars = 20;
/// Lines on the cost chart per kind (local picks, purchases, rentals, APIs): the cheapest few,
/// so that the lines stay tellable apart by colour (Vega's category10 scheme has 10 colours).
constexpr std::size_t kCostLinesPerKind = 3;
/// Monthly volumes drawn: two decades either side of the question's, 4 points a decade -- a
/// factor of 1.8 between points, fine enough for lines that are straight or have one kink (a
/// rental's hours up turning from the working day to the busy hours), with each crossing then
/// found exactly by bisection.
constexpr int kCostDecades = 2;
constexpr int kCostPointsPerDecade = 4;
/// The smallest volume drawn: below a thousand tokens a month every cost is the fixed part.
constexpr double kMinTokensPerMonth = 1e3;
/// The largest: the command line's own limit (--tokens-per-month).
constexpr double kMaxTokensPerMonth = 1e15;
/// Depths and prompt lengths for the pick's curves: doubling from these up to --context.
constexpr int64_t kFirstDepthTokens = 256;
constexpr int64_t kFirstPromptTokens = 128;

const char* kSchema = "https://vega.github.io/schema/vega-lite/v5.json";


std::string label_of(const Estimate& e) { return e.model + " " + e.quant; }
/// A candidate's label: a hybrid run with its thinking off is an option of its own.
std::string label_of(const Candidate& c) { return label_of(c.estimate) + (c.thinking_off ? " (thinking off)" : ""); }

std::string tps_text(double x) { return x >= 100 ? fmt::format("{:.0f}", x) : fmt::format("{:.1f}", x); }
std::string usd_text(double x) { return x < 10 ? fmt::format("${:.2f}", x) : fmt::format("${:.0f}", x); }
std::string usd_text(const std::optional<double>& x) { return x ? usd_text(*x) : std::string("unknown"); }

/// A count of tokens in words a reader takes in: 334k, 10M, 2.5B.
std::string tokens_text(double n) {
  const std::pair<double, const char*> units[] = {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
  for (const auto& [size, unit] : units)
    if (n >= size) return fmt::format("{:.3g}{}", n / size, unit);
  return fmt::format("{:.0f}", n);
}

Workload at_volume(Workload w, double tokens_per_month) {
  w.tokens_per_month = tokens_per_month;
  return w;
}

// ---- the Vega-Lite specs: data by name from the document's datasets ---------------------------

const char* kQualitySpeedSpec = R"spec({
  "width": 640, "height": 360,
  "data": {"name": "options"},
  "layer": [
    {"mark": {"type": "point", "filled": true, "opacity": 0.6, "size": 45},
     "encoding": {
       "x": {"field": "decode_tps", "type": "quantitative", "scale": {"type": "log"}, "title": "decode, tokens/s per user (log scale)"},
       "y": {"field": "quality", "type": "quantitative", "scale": {"zero": false}, "title": "quality (model score x quant retention)"},
       "color": {"field": "status", "type": "nominal", "title": null,
                 "scale": {"domain": ["meets the constraints", "fits, misses a constraint"], "range": ["#3b6fb6", "#a9aebb"]}},
       "tooltip": [{"field": "label", "title": "option"}, {"field": "decode_tps", "format": ".1f", "title": "decode tok/s"},
                   {"field": "quality", "format": ".1f"}, {"field": "why_not", "title": "why not"}]}},
    {"transform": [{"filter": "datum.pareto"}],
     "mark": {"type": "line", "color": "#e07b00", "strokeWidth": 2, "point": {"color": "#e07b00", "size": 50}},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "quality", "type": "quantitative"},
                  "order": {"field": "decode_tps", "type": "quantitative"},
                  "tooltip": [{"field": "label", "title": "Pareto front"}]}},
    {"transform": [{"filter": "datum.pick"}],
     "mark": {"type": "point", "shape": "diamond", "filled": true, "size": 260, "color": "#c8102e"},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "quality", "type": "quantitative"},
                  "tooltip": [{"field": "label", "title": "the pick"}]}},
    {"transform": [{"filter": "datum.pick"}],
     "mark": {"type": "text", "align": "left", "dx": 10, "dy": -10, "fontWeight": "bold", "color": "#c8102e"},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "quality", "type": "quantitative"},
                  "text": {"field": "pick_text"}}}
  ]
})spec";

const char* kCostSpec = R"spec({
  "width": 640, "height": 360,
  "layer": [
    {"data": {"name": "cost"},
     "mark": {"type": "line", "strokeWidth": 2},
     "encoding": {
       "x": {"field": "tokens_per_month", "type": "quantitative", "scale": {"type": "log"}, "title": "tokens per month, input + output (log scale)", "axis": {"format": "~s"}},
       "y": {"field": "usd", "type": "quantitative", "scale": {"type": "log"}, "title": "USD per month (log scale)"},
       "color": {"field": "series", "type": "nominal", "title": null, "legend": {"orient": "bottom", "columns": 2, "labelLimit": 400}},
       "strokeDash": {"field": "kind", "type": "nominal", "title": null},
       "tooltip": [{"field": "series"}, {"field": "tokens_per_month", "format": ".3s"}, {"field": "usd", "format": "$.2f"}]}},
    {"data": {"name": "volume"},
     "mark": {"type": "rule", "color": "#666", "strokeDash": [2, 3]},
     "encoding": {"x": {"field": "tokens_per_month", "type": "quantitative"}, "tooltip": [{"field": "what"}]}},
    {"data": {"name": "breakeven"},
     "mark": {"type": "point", "shape": "circle", "size": 110, "filled": true, "color": "#111"},
     "encoding": {"x": {"field": "tokens_per_month", "type": "quantitative"}, "y": {"field": "usd", "type": "quantitative"},
                  "tooltip": [{"field": "series", "title": "break-even of"}, {"field": "against"},
                              {"field": "tokens_per_month", "format": ".3s"}, {"field": "usd", "format": "$.2f"}]}}
  ]
})spec";

const char* kMemorySpec = R"spec({
  "width": 560, "height": {"step": 18},
  "layer": [
    {"data": {"name": "memory"},
     "mark": "bar",
     "encoding": {
       "y": {"field": "option", "type": "nominal", "sort": {"field": "rank", "op": "min"}, "title": null, "axis": {"labelLimit": 280}},
       "x": {"field": "gib", "type": "quantitative", "stack": "zero", "title": "GiB on the main device"},
       "color": {"field": "part", "type": "nominal", "title": null,
                 "scale": {"domain": ["weights", "KV cache", "compute buffers", "runtime overhead", "repack (load peak)", "free (headroom)"],
                           "range": ["#3b6fb6", "#e07b00", "#5aa05a", "#8c6bb1", "#d6616b", "#e6e8ee"]},
                 "legend": {"orient": "bottom", "columns": 3}},
       "order": {"field": "part_order", "type": "quantitative"},
       "tooltip": [{"field": "option"}, {"field": "part"}, {"field": "gib", "format": ".2f", "title": "GiB"}, {"field": "device"}]}},
    {"data": {"name": "memory_capacity"},
     "mark": {"type": "tick", "color": "#111", "thickness": 2, "size": 16},
     "encoding": {"y": {"field": "option", "type": "nominal", "sort": {"field": "rank", "op": "min"}},
                  "x": {"field": "capacity_gib", "type": "quantitative"},
                  "tooltip": [{"field": "option"}, {"field": "device"}, {"field": "capacity_gib", "format": ".1f", "title": "capacity GiB"}]}}
  ]
})spec";

const char* kDepthSpec = R"spec({
  "width": 640, "height": 260,
  "data": {"name": "depth"},
  "layer": [
    {"mark": {"type": "area", "opacity": 0.18, "color": "#3b6fb6"},
     "encoding": {"x": {"field": "depth_tokens", "type": "quantitative", "title": "tokens already in the context"},
                  "y": {"field": "low", "type": "quantitative", "title": "decode, tokens/s per user"}, "y2": {"field": "high"}}},
    {"mark": {"type": "line", "point": true, "color": "#3b6fb6", "strokeWidth": 2},
     "encoding": {"x": {"field": "depth_tokens", "type": "quantitative"}, "y": {"field": "decode_tps", "type": "quantitative"},
                  "tooltip": [{"field": "depth_tokens", "title": "depth"}, {"field": "decode_tps", "format": ".1f", "title": "decode tok/s"},
                              {"field": "bottleneck"}]}}
  ]
})spec";

const char* kPromptSpec = R"spec({
  "width": 640, "height": 260,
  "data": {"name": "prompt"},
  "mark": {"type": "line", "point": true, "color": "#e07b00", "strokeWidth": 2},
  "encoding": {
    "x": {"field": "prompt_tokens", "type": "quantitative", "scale": {"type": "log", "base": 2}, "title": "prompt length, tokens (log scale)"},
    "y": {"field": "ttft_s", "type": "quantitative", "title": "time to first token, s"},
    "tooltip": [{"field": "prompt_tokens", "title": "prompt"}, {"field": "ttft_s", "format": ".2f", "title": "TTFT s"},
                {"field": "prefill_tps", "format": ".0f", "title": "prefill tok/s"}]}
})spec";

const char* kPlanCostSpeedSpec = R"spec({
  "width": 640, "height": 380,
  "data": {"name": "plan_options"},
  "layer": [
    {"mark": {"type": "point", "filled": true, "size": 60, "opacity": 0.75},
     "encoding": {
       "x": {"field": "decode_tps", "type": "quantitative", "scale": {"type": "log"}, "title": "decode, tokens/s per user (log scale)"},
       "y": {"field": "monthly_usd", "type": "quantitative", "scale": {"type": "log"}, "title": "USD per month (log scale)"},
       "color": {"field": "how", "type": "nominal", "title": null},
       "shape": {"field": "status", "type": "nominal", "title": null,
                 "scale": {"domain": ["meets the target", "misses the target"], "range": ["circle", "cross"]}},
       "tooltip": [{"field": "label", "title": "option"}, {"field": "quant"}, {"field": "decode_tps", "format": ".1f", "title": "decode tok/s"},
                   {"field": "monthly_usd", "format": "$.2f", "title": "USD/month"}, {"field": "why_not", "title": "why not"}]}},
    {"transform": [{"filter": "datum.mark != ''"}],
     "mark": {"type": "point", "shape": "diamond", "size": 240, "filled": false, "strokeWidth": 2.5, "color": "#c8102e"},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "monthly_usd", "type": "quantitative"}}},
    {"transform": [{"filter": "datum.mark != ''"}],
     "mark": {"type": "text", "align": "left", "dx": 10, "dy": -10, "fontWeight": "bold", "color": "#c8102e"},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "monthly_usd", "type": "quantitative"},
                  "text": {"field": "mark_text"}}}
  ]
})spec";

const char* kModelsCostSpeedSpec = R"spec({
  "width": 640, "height": 380,
  "data": {"name": "plan_options"},
  "layer": [
    {"mark": {"type": "point", "filled": true, "size": 70, "opacity": 0.85},
     "encoding": {
       "x": {"field": "decode_tps", "type": "quantitative", "scale": {"type": "log"}, "title": "decode, tokens/s per user (log scale)"},
       "y": {"field": "monthly_usd", "type": "quantitative", "scale": {"type": "log"}, "title": "USD per month (log scale)"},
       "color": {"field": "quality", "type": "quantitative", "scale": {"scheme": "viridis"}, "title": "quality"},
       "shape": {"field": "how", "type": "nominal", "title": null},
       "tooltip": [{"field": "label", "title": "model on"}, {"field": "quant"}, {"field": "quality", "format": ".1f"},
                   {"field": "decode_tps", "format": ".1f", "title": "decode tok/s"}, {"field": "monthly_usd", "format": "$.2f", "title": "USD/month"}]}},
    {"transform": [{"filter": "datum.mark != ''"}],
     "mark": {"type": "point", "shape": "diamond", "size": 260, "filled": false, "strokeWidth": 2.5, "color": "#c8102e"},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "monthly_usd", "type": "quantitative"}}},
    {"transform": [{"filter": "datum.mark != ''"}],
     "mark": {"type": "text", "align": "right", "dx": -12, "dy": -12, "fontWeight": "bold", "color": "#c8102e"},
     "encoding": {"x": {"field": "decode_tps", "type": "quantitative"}, "y": {"field": "monthly_usd", "type": "quantitative"},
                  "text": {"field": "mark_text"}}}
  ]
})spec";

const char* kModelsQualityCostSpec = R"spec({
  "width": 640, "height": 360,
  "data": {"name": "quality_cost"},
  "layer": [
    {"mark": {"type": "point", "filled": true, "size": 60, "opacity": 0.8},
     "encoding": {
       "x": {"field": "monthly_usd", "type": "quantitative", "scale": {"type": "log"}, "title": "USD per month (log scale)"},
       "y": {"field": "quality", "type": "quantitative", "scale": {"zero": false}, "title": "quality (model score x quant retention)"},
       "color": {"field": "kind", "type": "nominal", "title": null},
       "tooltip": [{"field": "label"}, {"field": "monthly_usd", "format": "$.2f", "title": "USD/month"}, {"field": "quality", "format": ".1f"}]}},
    {"data": {"name": "budget"},
     "mark": {"type": "rule", "color": "#666", "strokeDash": [2, 3]},
     "encoding": {"x": {"field": "usd", "type": "quantitative"}, "tooltip": [{"field": "what"}]}}
  ]
})spec";

json chart(const std::string& id, const std::string& title, const std::string& caption, const char* spec) {
  json s = json::parse(spec);
  s["$schema"] = kSchema;
  return {{"id", id}, {"title", title}, {"caption", caption}, {"spec", std::move(s)}};
}

// ---- cost lines over monthly volume ------------------------------------------------------------

struct CostLine {
  std::string series;  ///< legend text
  std::string kind;    ///< "local", "purchase", "rental", "own", "API"
  CostAt at;
};

/// The cost chart's datasets: each line at each volume of `grid`, the crossings of every non-API
/// line with the first API line (the cheapest as good as the model), and the question's volume.
/// False when no line has a known cost anywhere (nothing to draw).
bool add_cost_datasets(json& datasets, json& notes, json& summary, const std::vector<CostLine>& lines,
                       const std::vector<double>& grid, double volume) {
  json rows = json::array(), breakeven = json::array();
  const CostLine* api = nullptr;
  for (const auto& l : lines)
    if (l.kind == "API") {
      api = &l;
      break;
    }
  for (const auto& l : lines) {
    bool drawn = false;
    for (double t : grid) {
      const auto usd = l.at(t);
      // A log axis has no place for $0 (an owned machine at a free tariff): such points are left out.
      if (!usd || !(*usd > 0)) continue;
      rows.push_back({{"series", l.series}, {"kind", l.kind}, {"tokens_per_month", t}, {"usd", *usd}});
      drawn = true;
    }
    if (!drawn) notes.push_back(l.series + ": monthly cost unknown at every volume drawn (no power figure or price)");
    if (!api || l.kind == "API" || !drawn) continue;  // break-evens of local ways against the API
    for (double t : crossings(l.at, api->at, grid)) {
      const auto usd = l.at(t);
      if (!usd) continue;
      breakeven.push_back({{"series", l.series},
                           {"against", api->series},
                           {"tokens_per_month", t},
                           {"usd", *usd},
                           {"text", tokens_text(t) + " tokens/month"}});
    }
  }
  if (api && !breakeven.empty()) {
    std::string line = "Break-even against " + api->series + ": ";
    for (std::size_t i = 0; i < breakeven.size(); ++i)
      line += (i ? "; " : "") + breakeven[i]["series"].get<std::string>() + " at " + breakeven[i]["text"].get<std::string>();
    summary.push_back(line);
  } else if (api) {
    summary.push_back("No break-even against " + api->series + " within the volumes drawn that these options can serve");
  }
  const bool drawn = !rows.empty();
  datasets["cost"] = std::move(rows);
  datasets["breakeven"] = std::move(breakeven);
  datasets["volume"] = json::array({{{"tokens_per_month", volume}, {"what", "the volume asked about"}}});
  return drawn;
}

/// Lines for the options of a plan recomputed at each volume: the cheapest kCostLinesPerKind of
/// each kind that meet the target at the question's volume, found again by label in the plan at
/// another volume; nothing where that option does not fit or cannot serve the volume.
std::vector<CostLine> plan_cost_lines(const Plan& at_volume_asked, const std::function<const Plan&(double)>& plan_at,
                                      bool purchases, bool rentals) {
  std::vector<CostLine> lines;
  std::map<std::string, std::size_t> per_kind;
  for (const auto& o : at_volume_asked.options) {
    if (!o.meets || !o.monthly_usd) continue;
    const bool buy = bought(o.how), rent = o.how == PlanHow::rent, own = o.how == PlanHow::own;
    if (!((buy && purchases) || (rent && rentals) || own)) continue;
    const std::string kind = rent ? "rental" : own ? "own" : "purchase";
    if (per_kind[kind]++ >= kCostLinesPerKind) continue;
    const std::string label = o.label;
    lines.push_back({std::string(to_string(o.how)) + " " + label + " (" + o.candidate.estimate.quant + ")", kind,
                     [label, plan_at](double t) -> std::optional<double> {
                       for (const auto& x : plan_at(t).options)
                         if (x.label == label)
                           return x.candidate.estimate.fits && x.candidate.cost.can_serve ? x.monthly_usd
                                                                                         : std::nullopt;
                       return std::nullopt;
                     }});
  }
  return lines;
}

/// The cheapest kCostLinesPerKind APIs as good as model m.
std::vector<CostLine> api_cost_lines(const Catalog& c, const ModelSpec& m, const Workload& w) {
  std::vector<CostLine> lines;
  for (const auto& a : as_good_apis(c, m, w)) {
    if (lines.size() >= kCostLinesPerKind) break;
    const ApiOffer* offer = a.offer;
    lines.push_back({"API " + offer->name, "API",
                     [offer, w](double t) -> std::optional<double> { return api_cost_usd(*offer, at_volume(w, t)); }});
  }
  return lines;
}

/// plan() at a volume, computed once per volume (bisection asks for the same ones again).
struct PlanCache {
  std::function<Plan(double)> make;
  std::map<double, Plan> plans;
  const Plan& at(double t) {
    auto it = plans.find(t);
    if (it == plans.end()) it = plans.emplace(t, make(t)).first;
    return it->second;
  }
};

std::string summary_workload(const Workload& w, const Budget& b) {
  return fmt::format("Workload: {} tokens a month ({:.0f}% input), context {} tokens, at least {} tok/s per user, "
                     "{} user{}; budget {} a month",
                     tokens_text(w.tokens_per_month), w.input_share * 100, w.context_tokens, tps_text(w.min_decode_tps), w.users,
                     w.users == 1 ? "" : "s", usd_text(b.usd_per_month));
}

int emit(const ReportRequest& r, const json& doc, bool json_out) {
  // The page carries the document --json prints: the same guard (no NaN, inf or negative figure).
  const std::string text = guarded_dump(doc);
  if (!r.path.empty()) write_text_file(r.path, report_html(doc.at("title").get<std::string>(), text));
  if (json_out) std::cout << text;
  else std::cerr << "benchr-advise: wrote the report to " << r.path << "\n";
  return 0;
}

}  // namespace

// ---- the command line ---------------------------------------------------------------------------

ReportRequest take_report_request(int& argc, char** argv) {
  ReportRequest r;
  if (argc < 2 || std::strcmp(argv[1], "report") != 0) return r;
  r.wanted = true;
  int out = 1;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-o" || a == "--output") {
      if (i + 1 >= argc || argv[i + 1][0] == '\0')
        throw InputError("report: " + std::string(a) + " needs a file name (report -o report.html)");
      r.path = argv[++i];
      continue;
    }
    if (a.rfind("--output=", 0) == 0) {
      r.path = std::string(a.substr(9));
      if (r.path.empty()) throw InputError("report: --output= needs a file name");
      continue;
    }
    if (a == "-h" || a == "--help") r.help = true;
    argv[out++] = argv[i];
  }
  argc = out;
  return r;
}

std::string report_help() {
  return R"(benchr-advise report: the answer to an advise or plan question as one HTML page of charts.

Usage:
  benchr-advise report [advise] [advise's flags] -o FILE.html [--json]
  benchr-advise report plan [plan's flags] -o FILE.html [--json]

  -o, --output FILE   Write the page here (self-contained: the plotting libraries are inlined, so
                      it opens with no network)
  --json              Print the report's series and Vega-Lite specs as one JSON document instead
                      of (or, with -o, as well as) the page: each chart's spec with the document's
                      "datasets" added is a complete Vega-Lite spec

An advise report draws: quality against decode speed of every option that fits (the Pareto front
and the pick marked); monthly cost against tokens a month for the pick, the cheapest rentals of
its model and quant, and the cheapest APIs as good as it, with the break-even volumes; memory of
the best-ranked options as stacked bars against their device's capacity; and the pick's decode
against context depth and time to first token against prompt length.
A plan report (with --model) draws cost against speed of every purchase and rental (the
cheapest and the fastest that meet the target marked) and the cost lines over volume; without
--model, each model's cheapest option by cost, speed and quality beside the APIs.
Every flag of advise and plan applies (`benchr-advise --help`, `benchr-advise plan --help`).

Examples:
  benchr-advise report --budget 100 -o report.html
  benchr-advise report --hardware rtx-4090 --context 32768 -o 4090.html
  benchr-advise report plan --model qwen3-32b --min-tps 20 -o plan.html
  benchr-advise report plan --budget 100 --json > plan.json

Exit status: 0 on success, 2 on bad input or when this build has no plotting library.
)";
}

void check_report_question(const ReportRequest& r, std::string_view subcommand, bool json_out) {
  if (!r.wanted) {
    if (subcommand == "report")
      throw InputError("report comes first, before any flag: benchr-advise report [plan] ... -o FILE.html");
    return;
  }
  if (!subcommand.empty() && subcommand != "advise" && subcommand != "plan")
    throw InputError("report draws advise and plan questions, not '" + std::string(subcommand) +
                     "': benchr-advise report [plan] ... -o FILE");
  if (r.path.empty() && !json_out) throw InputError("report: give -o FILE.html (or --json for the series)");
}

// ---- the pieces -----------------------------------------------------------------------------------

std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& xy) {
  std::vector<bool> front(xy.size(), true);
  for (std::size_t i = 0; i < xy.size(); ++i)
    for (std::size_t j = 0; j < xy.size() && front[i]; ++j)
      if (j != i && xy[j].first >= xy[i].first && xy[j].second >= xy[i].second &&
          (xy[j].first > xy[i].first || xy[j].second > xy[i].second))
        front[i] = false;
  return front;
}

std::vector<double> log_grid(double center, int decades, int per_decade, double lo, double hi) {
  std::vector<double> grid;
  if (!(center > 0) || per_decade < 1) return grid;
  for (int k = -decades * per_decade; k <= decades * per_decade; ++k) {
    const double t = k == 0 ? center : center * std::pow(10.0, double(k) / per_decade);
    if (t >= lo && t <= hi) grid.push_back(t);
  }
  return grid;
}

std::vector<double> crossings(const CostAt& a, const CostAt& b, const std::vector<double>& grid) {
  std::vector<double> out;
  const auto diff = [&](double t) -> std::optional<double> {
    const auto x = a(t), y = b(t);
    if (!x || !y) return std::nullopt;
    return *x - *y;
  };
  for (std::size_t i = 0; i + 1 < grid.size(); ++i) {
    double lo = grid[i], hi = grid[i + 1];
    auto d_lo = diff(lo), d_hi = diff(hi);
    if (!d_lo || !d_hi) continue;
    if (*d_lo == 0 && *d_hi == 0) continue;  // the same cost over the interval: no single volume
    if (*d_lo == 0) {
      if (out.empty() || out.back() != lo) out.push_back(lo);
      continue;
    }
    if ((*d_lo < 0) == (*d_hi < 0) || *d_hi == 0) {
      if (*d_hi == 0 && i + 2 == grid.size()) out.push_back(hi);
      continue;
    }
    // Bisection in log volume: each step keeps the half whose ends still differ in sign.
    while (hi - lo > kBreakEvenRelTol * lo) {
      const double mid = std::sqrt(lo * hi);
      const auto d_mid = diff(mid);
      if (!d_mid) break;
      if ((*d_mid < 0) == (*d_lo < 0)) lo = mid, d_lo = d_mid;
      else hi = mid;
    }
    out.push_back(std::sqrt(lo * hi));
  }
  return out;
}

// ---- advise -------------------------------------------------------------------------------------

int write_advice_report(const ReportRequest& r, const Advice& a, const Machine& m, const Catalog& c,
                        const Workload& w, const Budget& b, bool json_out) {
  json doc, datasets, charts = json::array(), notes = json::array(), summary = json::array();
  doc["question"] = "advise";
  doc["title"] = "benchr-advise: what to run on " + m.name;
  const Candidate* pick = a.recommended ? &a.ranked[*a.recommended] : nullptr;
  if (pick) {
    const Estimate& e = pick->estimate;
    summary.push_back("Pick: " + label_of(*pick) + " on " + e.device_name + ", " + tps_text(e.decode_tps) +
                      " tok/s decode, " + (e.prefill_tps > 0 ? tps_text(e.prefill_tps) : "unknown") +
                      " tok/s prefill, " + usd_text(pick->cost.total_usd) + " a month");
  } else {
    summary.push_back("No option here meets the constraints");
  }
  summary.push_back(a.verdict_reason);

  // Quality against speed: every option that fits with a known decode speed.
  std::vector<const Candidate*> fitting;
  for (const auto& cand : a.ranked)
    if (cand.estimate.fits && cand.estimate.decode_tps > 0) fitting.push_back(&cand);
  std::vector<std::pair<double, double>> xy;
  for (const auto* cand : fitting) xy.emplace_back(cand->estimate.decode_tps, cand->quality);
  const std::vector<bool> front = pareto_front(xy);
  json options = json::array();
  for (std::size_t i = 0; i < fitting.size(); ++i) {
    const Candidate& cand = *fitting[i];
    const Estimate& e = cand.estimate;
    const bool is_pick = &cand == pick;
    options.push_back({{"label", label_of(cand)},
                       {"model", e.model},
                       {"quant", e.quant},
                       {"device", e.device_name},
                       {"quality", cand.quality},
                       {"decode_tps", e.decode_tps},
                       {"decode_tps_range", e.decode_tps_range.high > 0
                                                ? json::array({e.decode_tps_range.low, e.decode_tps_range.high})
                                                : json(nullptr)},
                       {"eligible", cand.eligible},
                       {"status", cand.eligible ? "meets the constraints" : "fits, misses a constraint"},
                       {"why_not", cand.why_not},
                       {"pareto", bool(front[i])},
                       {"pick", is_pick},
                       {"pick_text", is_pick ? "pick: " + label_of(cand) : ""}});
  }
  if (options.empty()) notes.push_back("no option fits this machine: no quality/speed or memory chart");
  datasets["options"] = std::move(options);
  if (!fitting.empty()) charts.push_back(chart("quality_speed", "Quality against decode speed",
                         std::to_string(fitting.size()) +
                             " options that fit; orange: the Pareto front (nothing both faster and better); red "
                             "diamond: the pick (the best quality at --min-tps, ties to the faster)",
                         kQualitySpeedSpec));

  // Monthly cost against volume: the pick here, rentals of its model and quant, the APIs.
  if (pick) {
    const ModelSpec* model = c.find_model(pick->estimate.model);
    const QuantSpec* quant = c.find_quant(pick->estimate.quant);
    if (model && quant) {
      std::vector<CostLine> lines;
      const Estimate e = pick->estimate;
      lines.push_back({"here: " + label_of(e), "local", [e, &m, &c, w, b](double t) -> std::optional<double> {
                         const MonthlyCost cost = monthly_cost(e, m, at_volume(w, t), c.electricity, b);
                         return cost.can_serve ? cost.total_usd : std::nullopt;
                       }});
      Budget unlimited = b;
      unlimited.usd_per_month = std::numeric_limits<double>::infinity();
      unlimited.owned = false;
      const std::vector<const QuantSpec*> quants{quant};
      auto cache = std::make_shared<PlanCache>();
      cache->make = [&c, model, quants, w, unlimited](double t) {
        return plan(c, *model, quants, at_volume(w, t), unlimited, PlanScope{});
      };
      const std::function<const Plan&(double)> plan_at = [cache](double t) -> const Plan& { return cache->at(t); };
      for (auto& l : plan_cost_lines(plan_at(w.tokens_per_month), plan_at, false, true)) lines.push_back(std::move(l));
      for (auto& l : api_cost_lines(c, *model, w)) lines.push_back(std::move(l));
      if (add_cost_datasets(datasets, notes, summary, lines,
                            log_grid(w.tokens_per_month, kCostDecades, kCostPointsPerDecade, kMinTokensPerMonth,
                                     kMaxTokensPerMonth),
                            w.tokens_per_month))
        charts.push_back(chart("cost_volume", "Monthly cost against tokens a month",
                             "The pick on this machine, the cheapest rentals that run it at --min-tps, and the "
                             "cheapest APIs as good as its model; black dots: break-even against the cheapest API; "
                             "dotted: the volume asked about. A line ends where it cannot serve the volume.",
                             kCostSpec));
    }
  }

  // Memory of the best-ranked options against their device's capacity.
  json memory = json::array(), capacity = json::array();
  std::size_t bars = 0;
  for (std::size_t i = 0; i < a.ranked.size() && bars < kMemoryBars; ++i) {
    const Estimate& e = a.ranked[i].estimate;
    if (!e.fits) continue;
    ++bars;
    const MemoryNeed& n = e.memory;
    const std::string option = fmt::format("{:>2}. {}", bars, label_of(a.ranked[i]));
    const double free = n.available_bytes - n.total_bytes - n.repack_bytes;
    const std::pair<const char*, double> parts[] = {{"weights", n.weights_bytes},
                                                    {"KV cache", n.kv_cache_bytes},
                                                    {"compute buffers", n.compute_bytes},
                                                    {"runtime overhead", n.overhead_bytes},
                                                    {"repack (load peak)", n.repack_bytes},
                                                    {"free (headroom)", std::max(0.0, free)}};
    int order = 0;
    for (const auto& [part, bytes] : parts)
      memory.push_back({{"option", option},
                        {"rank", bars},
                        {"part", part},
                        {"part_order", order++},
                        {"gib", bytes / kGiB},
                        {"device", e.device_name}});
    capacity.push_back(
        {{"option", option}, {"rank", bars}, {"capacity_gib", n.available_bytes / kGiB}, {"device", e.device_name}});
  }
  datasets["memory"] = std::move(memory);
  datasets["memory_capacity"] = std::move(capacity);
  if (bars > 0) charts.push_back(chart("memory", "Memory of each option",
                         "The " + std::to_string(bars) +
                             " best-ranked options that fit, on their main device (a split placement's host part "
                             "is not shown); black tick: the memory the device offers a model",
                         kMemorySpec));

  // The pick at other depths and prompt lengths, on its own placement.
  if (pick) {
    const ModelSpec* model = c.find_model(pick->estimate.model);
    const QuantSpec* quant = c.find_quant(pick->estimate.quant);
    if (model && quant) {
      json depth = json::array(), prompt = json::array();
      std::vector<int64_t> depths{0};
      for (int64_t d = kFirstDepthTokens; d < w.context_tokens; d *= 2) depths.push_back(d);
      if (w.context_tokens > 0) depths.push_back(w.context_tokens);
      for (int64_t d : depths) {
        Workload wd = w;
        wd.depth_tokens = d;
        const Estimate e = estimate(*model, *quant, m, wd, pick->estimate.placement);
        if (!(e.decode_tps > 0)) continue;
        const bool band = e.decode_tps_range.high > 0;
        depth.push_back({{"depth_tokens", d},
                         {"decode_tps", e.decode_tps},
                         {"low", band ? json(e.decode_tps_range.low) : json(nullptr)},
                         {"high", band ? json(e.decode_tps_range.high) : json(nullptr)},
                         {"bottleneck", e.bottleneck}});
      }
      std::vector<int64_t> prompts;
      for (int64_t p = kFirstPromptTokens; p < w.context_tokens; p *= 2) prompts.push_back(p);
      prompts.push_back(std::max<int64_t>(1, w.context_tokens));
      for (int64_t p : prompts) {
        Workload wp = w;
        wp.prompt_tokens = p;
        const Estimate e = estimate(*model, *quant, m, wp, pick->estimate.placement);
        if (!(e.prefill_tps > 0)) continue;  // a machine with no compute figure: prefill unknown
        prompt.push_back(
            {{"prompt_tokens", p}, {"ttft_s", e.time_to_first_token_s}, {"prefill_tps", e.prefill_tps}});
      }
      if (prompt.empty()) notes.push_back("time to first token unknown: this machine has no compute figure");
      const bool draw_depth = !depth.empty(), draw_prompt = !prompt.empty();
      datasets["depth"] = std::move(depth);
      datasets["prompt"] = std::move(prompt);
      if (draw_depth) charts.push_back(chart("depth", "The pick's decode against context depth",
                             label_of(*pick) + ": each token reads the KV cache so far; band: where 80% of "
                                                        "published runs of its class fell (out of sample)",
                             kDepthSpec));
      if (draw_prompt) charts.push_back(chart("prompt", "The pick's time to first token against prompt length",
                             label_of(*pick) + ": the prompt's prefill, up to --context tokens",
                             kPromptSpec));
    }
  }

  summary.push_back(summary_workload(w, b));
  doc["summary"] = std::move(summary);
  doc["workload"] = to_json(w);
  doc["datasets"] = std::move(datasets);
  doc["charts"] = std::move(charts);
  doc["notes"] = std::move(notes);
  return emit(r, doc, json_out);
}

// ---- plan ----------------------------------------------------------------------------------------

int write_plan_report(const ReportRequest& r, const Plan& p, const Catalog& c,
                      const std::vector<const QuantSpec*>& quants, const Workload& w, const Budget& b,
                      const PlanScope& scope, bool json_out) {
  json doc, datasets, charts = json::array(), notes = json::array(), summary = json::array();
  doc["question"] = "plan";
  doc["title"] = "benchr-advise: what to buy or rent for " + p.model->name;
  json rows = json::array();
  int unknown = 0;
  for (std::size_t i = 0; i < p.options.size(); ++i) {
    const PlanOption& o = p.options[i];
    const Estimate& e = o.candidate.estimate;
    if (!e.fits || !(e.decode_tps > 0)) continue;
    if (!o.monthly_usd || !(*o.monthly_usd > 0)) {
      ++unknown;
      continue;
    }
    std::string mark;
    if (p.cheapest && i == *p.cheapest) mark = "cheapest";
    if (p.fastest && i == *p.fastest) mark += mark.empty() ? "fastest" : " and fastest";
    rows.push_back({{"label", o.label},
                    {"how", to_string(o.how)},
                    {"quant", e.quant},
                    {"decode_tps", e.decode_tps},
                    {"monthly_usd", *o.monthly_usd},
                    {"meets", o.meets},
                    {"status", o.meets ? "meets the target" : "misses the target"},
                    {"why_not", o.why_not},
                    {"mark", mark},
                    {"mark_text", mark.empty() ? "" : mark + ": " + o.label}});
  }
  if (unknown) notes.push_back(std::to_string(unknown) + " options that fit have no known monthly cost: not drawn");
  const bool draw_options = !rows.empty();
  if (!draw_options) notes.push_back("no purchase or rental fits the model with a known cost: no cost/speed chart");
  datasets["plan_options"] = std::move(rows);
  if (draw_options) charts.push_back(chart("cost_speed", "Monthly cost against decode speed",
                         "Every purchase and rental that fits the model (its best quant on each); red diamonds: "
                         "the cheapest and the fastest that meet the target",
                         kPlanCostSpeedSpec));

  const auto describe = [&](std::optional<std::size_t> i, const char* what) {
    if (!i) return;
    const PlanOption& o = p.options[*i];
    summary.push_back(std::string(what) + ": " + std::string(to_string(o.how)) + " " + o.label + " (" + o.candidate.estimate.quant + "), " +
                      tps_text(o.candidate.estimate.decode_tps) + " tok/s, " + usd_text(o.monthly_usd) + " a month");
  };
  describe(p.cheapest, "Cheapest that meets the target");
  describe(p.fastest, "Fastest that meets the target");
  if (!p.cheapest) summary.push_back("No purchase or rental meets the target");
  if (!p.apis.empty())
    summary.push_back("Cheapest API as good: " + p.apis.front().offer->name + ", " + usd_text(p.apis.front().usd) +
                      " a month");
  Budget unlimited = b;
  unlimited.usd_per_month = std::numeric_limits<double>::infinity();
  auto cache = std::make_shared<PlanCache>();
  const ModelSpec* model = p.model;
  cache->make = [&c, model, quants, w, unlimited, scope](double t) {
    return plan(c, *model, quants, at_volume(w, t), unlimited, scope);
  };
  const std::function<const Plan&(double)> plan_at = [cache](double t) -> const Plan& { return cache->at(t); };
  std::vector<CostLine> lines = plan_cost_lines(plan_at(w.tokens_per_month), plan_at, true, true);
  for (auto& l : api_cost_lines(c, *model, w)) lines.push_back(std::move(l));
  if (add_cost_datasets(datasets, notes, summary, lines,
                        log_grid(w.tokens_per_month, kCostDecades, kCostPointsPerDecade, kMinTokensPerMonth,
                                 kMaxTokensPerMonth),
                        w.tokens_per_month))
    charts.push_back(chart("cost_volume", "Monthly cost against tokens a month",
                         "The cheapest purchases and rentals that meet the target, and the cheapest APIs as good as "
                         "the model; black dots: break-even against the cheapest API; dotted: the volume asked "
                         "about. A line ends where the option cannot serve the volume.",
                         kCostSpec));

  summary.push_back(summary_workload(w, b));
  doc["summary"] = std::move(summary);
  doc["workload"] = to_json(w);
  doc["datasets"] = std::move(datasets);
  doc["charts"] = std::move(charts);
  doc["notes"] = std::move(notes);
  return emit(r, doc, json_out);
}

int write_models_plan_report(const ReportRequest& r, const ModelsPlan& p, const Workload& w, const Budget& b,
                             bool json_out) {
  json doc, datasets, charts = json::array(), notes = json::array(), summary = json::array();
  doc["question"] = "plan_models";
  doc["title"] = "benchr-advise: the best model " + usd_text(b.usd_per_month) + " a month buys";
  json rows = json::array(), quality = json::array();
  std::optional<std::size_t> cheapest, fastest;
  const auto option = [&](std::size_t i) -> const PlanOption& { return p.plans[i].options[*p.plans[i].cheapest]; };
  for (std::size_t i = 0; i < p.plans.size(); ++i) {
    const PlanOption& o = option(i);
    if (!o.monthly_usd || !(*o.monthly_usd > 0) || !(o.candidate.estimate.decode_tps > 0)) continue;
    if (!cheapest || *o.monthly_usd < *option(*cheapest).monthly_usd) cheapest = i;
    if (!fastest || o.candidate.estimate.decode_tps > option(*fastest).candidate.estimate.decode_tps) fastest = i;
  }
  for (std::size_t i = 0; i < p.plans.size(); ++i) {
    const PlanOption& o = option(i);
    if (!o.monthly_usd || !(*o.monthly_usd > 0) || !(o.candidate.estimate.decode_tps > 0)) continue;
    std::string mark;
    if (cheapest && i == *cheapest) mark = "cheapest";
    if (fastest && i == *fastest) mark += mark.empty() ? "fastest" : " and fastest";
    const std::string label = p.plans[i].model->id + " on " + o.label;
    rows.push_back({{"label", label},
                    {"model", p.plans[i].model->id},
                    {"how", to_string(o.how)},
                    {"quant", o.candidate.estimate.quant},
                    {"decode_tps", o.candidate.estimate.decode_tps},
                    {"monthly_usd", *o.monthly_usd},
                    {"quality", o.candidate.quality},
                    {"meets", true},
                    {"status", "meets the target"},
                    {"why_not", ""},
                    {"mark", mark},
                    {"mark_text", mark.empty() ? "" : mark + ": " + label}});
    quality.push_back({{"label", label}, {"kind", "cheapest local way (" + std::string(to_string(o.how)) + ")"},
                       {"monthly_usd", *o.monthly_usd}, {"quality", o.candidate.quality}});
  }
  for (const auto& a : p.apis)
    if (a.usd > 0) quality.push_back({{"label", "API " + a.offer->name}, {"kind", "API"}, {"monthly_usd", a.usd},
                                      {"quality", a.quality}});
  const bool draw_options = !rows.empty(), draw_quality = !quality.empty();
  datasets["plan_options"] = std::move(rows);
  datasets["quality_cost"] = std::move(quality);
  datasets["budget"] = json::array({{{"usd", b.usd_per_month}, {"what", "the budget"}}});
  if (draw_options) charts.push_back(chart("cost_speed", "Each model's cheapest way: monthly cost against decode speed",
                         std::to_string(p.plans.size()) + " of " + std::to_string(p.models_considered) +
                             " models have a purchase or rental that meets the target, each at its cheapest; colour: "
                             "quality; red diamonds: the cheapest and the fastest of them",
                         kModelsCostSpeedSpec));
  if (draw_quality) charts.push_back(chart("quality_cost", "Quality against monthly cost",
                         "Each model's cheapest local way beside the APIs within the budget; dotted: the budget",
                         kModelsQualityCostSpec));
  if (!p.plans.empty()) {
    const PlanOption& o = option(0);
    summary.push_back("Best: " + p.plans[0].model->name + " " + o.candidate.estimate.quant + ", " + std::string(to_string(o.how)) + " " +
                      o.label + ", " + tps_text(o.candidate.estimate.decode_tps) + " tok/s, " +
                      usd_text(o.monthly_usd) + " a month");
  } else {
    summary.push_back("No model has a purchase or rental that meets the target");
  }
  if (!p.apis.empty())
    summary.push_back("Best API within the budget: " + p.apis.front().offer->name + ", " +
                      usd_text(p.apis.front().usd) + " a month");
  summary.push_back(summary_workload(w, b));
  doc["summary"] = std::move(summary);
  doc["workload"] = to_json(w);
  doc["datasets"] = std::move(datasets);
  doc["charts"] = std::move(charts);
  doc["notes"] = std::move(notes);
  return emit(r, doc, json_out);
}

}  // namespace benchr
