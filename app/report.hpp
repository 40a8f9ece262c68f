// `benchr-advise report`: the answer to an advise or plan question as one self-contained HTML page
// of Vega-Lite charts (app/report_html.cpp), or with --json as the series and specs themselves.
// The series are computed here from the estimator's structs; the estimator is asked again where a
// chart needs a figure at another depth, prompt length or monthly volume.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog.hpp"
#include "estimator.hpp"

namespace benchr {

/// `benchr-advise report [advise|plan] [their flags] -o FILE [--json]`, as the command line gave it.
struct ReportRequest {
  bool wanted = false;  ///< argv[1] was "report"
  bool help = false;    ///< report --help / -h
  std::string path;     ///< -o / --output FILE; empty: --json only
};

/// Takes "report" (argv[1]) and its -o FILE out of argv, leaving the question -- advise (the
/// default) or plan with their own flags -- for the command line's parser. `wanted` is false and
/// argv untouched when argv[1] is not "report". --help/-h sets `help` (and stays for the parser).
/// Throws InputError for -o without a file.
ReportRequest take_report_request(int& argc, char** argv);
/// What `report --help` prints.
std::string report_help();
/// For a report: throws InputError unless the parsed subcommand is one a report draws ("" or
/// "advise", "plan") and there is somewhere to put it (-o FILE or --json). Otherwise: throws when
/// "report" was parsed anywhere but first (its -o would be lost).
void check_report_question(const ReportRequest& r, std::string_view subcommand, bool json);

/// The reports: each writes the page to r.path (when given) and, with `json`, prints the same
/// series and Vega-Lite specs on stdout. Throws InputError when the page cannot be written (no
/// plotting library in this build, a path that cannot be created).
int write_advice_report(const ReportRequest& r, const Advice& a, const Machine& m, const Catalog& c,
                        const Workload& w, const Budget& b, bool json);
int write_plan_report(const ReportRequest& r, const Plan& p, const Catalog& c,
                      const std::vector<const QuantSpec*>& quants, const Workload& w, const Budget& b,
                      const PlanScope& scope, bool json);
int write_models_plan_report(const ReportRequest& r, const ModelsPlan& p, const Workload& w, const Budget& b,
                             bool json);

// ---- the pieces, exposed for the tests -----------------------------------------------------

/// For points (x, y) where more of both is better: whether each is on the Pareto front (no other
/// point is at least as good on both and better on one).
std::vector<bool> pareto_front(const std::vector<std::pair<double, double>>& xy);

/// Monthly volumes from `center` / 10^decades to `center` x 10^decades, `per_decade` points a
/// decade, evenly spaced in log, `center` among them; clipped to [lo, hi].
std::vector<double> log_grid(double center, int decades, int per_decade, double lo, double hi);

/// A monthly cost as a function of tokens per month; empty where unknown or not servable.
using CostAt = std::function<std::optional<double>(double tokens_per_month)>;
/// The volumes in [grid.front(), grid.back()] where a and b cost the same: each grid interval
/// over which a - b changes sign, narrowed by bisection in log volume to kBreakEvenRelTol.
std::vector<double> crossings(const CostAt& a, const CostAt& b, const std::vector<double>& grid);
/// Bisection stops when the interval is this narrow relative to its volume: 0.1%, far below the
/// precision of any price in the catalog.
constexpr double kBreakEvenRelTol = 1e-3;

/// The page: `doc_json` (the report's JSON document: title, summary, datasets, charts) drawn by
/// the plotting libraries inlined before it. Throws InputError naming what is missing when the
/// build has no plotting library.
std::string report_html(const std::string& title, const std::string& doc_json);
/// Writes `text` to `path` atomically (a temporary file beside it, then rename); throws
/// InputError naming the path when it cannot.
void write_text_file(const std::string& path, const std::string& text);
/// `text` with &, <, >, " and ' escaped for HTML.
std::string html_escape(std::string_view text);
/// A JSON text made safe inside a <script> element: every "</" written "<\/" (the same JSON).
std::string script_safe_json(std::string_view json_text);

}  // namespace benchr
