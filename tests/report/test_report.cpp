// `benchr-advise report`: the pieces (Pareto front, volume grid, break-even search, escaping,
// the command line taken apart) and the report's series against the answers of advise and plan
// for the same question, through the built binary.
#define BOOST_TEST_MODULE report
#include <boost/test/unit_test.hpp>


#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "report.hpp"
#include "run_tool.hpp"

using nlohmann::json;

namespace {

using benchr::test::Result;
using benchr::test::slurp;
using benchr::test::temp_file;

Result run(const std::string& args) { return benchr::test::run_tool(args); }

json run_json(const std::string& args) {
  const Result r = run(args);
  BOOST_REQUIRE_MESSAGE(r.status == 0, args << ": " << r.err);
  return json::parse(r.out);
}

/// The rows of dataset `name` whose `field` is `value`.
std::vector<json> rows(const json& doc, const char* name, const char* field, const std::string& value) {
  std::vector<json> out;
  for (const auto& r : doc.at("datasets").at(name))
    if (r.at(field) == value) out.push_back(r);
  return out;
}

// A catalog machine: the same answer on every machine the test runs on, no calibration.
const std::string kMachine = "--hardware rtx-4090 --budget 100 --context 16384";

// An API that hosts the pick at prices made up for the test, $1 in and $4 out per million tokens
// (so that the cost lines have a known API whatever the catalog's offers): at 75% input, $1.75
// per million tokens.
constexpr double kApiUsdPerMtok = 0.75 * 1.0 + 0.25 * 4.0;

/// The question the tests ask: kMachine with that API added to the catalog (--catalog; the file
/// is removed when the tests end).
struct TestApi {
  std::string path = temp_file(".toml");
  std::string question;
  TestApi() {
    const json advice = run_json(kMachine + " --json");
    std::ofstream(path) << "[[api]]\nid = \"report-test@example\"\nmodel = \""
                        << advice.at("recommended").at("model").get<std::string>()
                        << "\"\nname = \"Report test host\"\nprovider = \"example\"\n"
                           "usd_per_mtok_input = 1.0\nusd_per_mtok_output = 4.0\nquality = 0\n"
                           "source = \"made up for tests/report/test_report.cpp\"\nas_of = \"2026-12-01\"\n";
    question = kMachine + " --catalog " + path;
  }
  ~TestApi() { std::remove(path.c_str()); }
};
const std::string& question() {
  static const TestApi api;
  return api.question;
}

}  // namespace

// ---- the pieces ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pareto_front_keeps_the_points_nothing_beats_on_both) {
  // (speed, quality): (10, 50) and (40, 30) and (80, 10) trade one for the other; (20, 20) is
  // beaten by (40, 30) on both; (40, 25) by (40, 30) on quality at equal speed; a duplicate of a
  // front point is on the front too (neither beats the other).
  const auto f = benchr::pareto_front({{10, 50}, {20, 20}, {40, 30}, {40, 25}, {80, 10}, {10, 50}});
  BOOST_TEST((f == std::vector<bool>{true, false, true, false, true, true}));
  BOOST_TEST(benchr::pareto_front({}).empty());
}

BOOST_AUTO_TEST_CASE(log_grid_spans_decades_around_the_volume_asked) {
  // 1e7 with 2 decades at 4 a decade: 1e5 ... 1e9, 17 points, 10^(1/4) = 1.778 apart, 1e7 exact.
  const auto g = benchr::log_grid(1e7, 2, 4, 1e3, 1e15);
  BOOST_REQUIRE_EQUAL(g.size(), 17u);
  BOOST_TEST(g.front() == 1e5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(g.back() == 1e9, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(g[8] == 1e7);
  BOOST_TEST(g[9] / g[8] == std::pow(10.0, 0.25), boost::test_tools::tolerance(1e-12));
  // Clipped: nothing below the floor.
  const auto low = benchr::log_grid(1e4, 2, 4, 1e3, 1e15);
  BOOST_TEST(low.front() >= 1e3);
  BOOST_TEST(low.size() == 13u);  // 10^3 .. 10^6: the 4 points under 10^3 left out
}

BOOST_AUTO_TEST_CASE(crossings_find_the_break_even_of_a_fixed_cost_against_a_price_per_token) {
  // $60 a month flat against $2 per million tokens: equal at 30M tokens a month, worked by hand.
  const benchr::CostAt flat = [](double) { return std::optional<double>(60.0); };
  const benchr::CostAt api = [](double t) { return std::optional<double>(2.0 * t / 1e6); };
  const auto x = benchr::crossings(flat, api, benchr::log_grid(1e7, 2, 4, 1e3, 1e15));
  BOOST_REQUIRE_EQUAL(x.size(), 1u);
  BOOST_TEST(x[0] == 30e6, boost::test_tools::tolerance(benchr::kBreakEvenRelTol));
  // A rental billed for a working day, then for the busy hours: $0.5/h x max(173 h, t / 1M h)
  // against $3 per million: 86.7 = 3e-6 t until t = 28.9M; above 173M it would bill by the hour,
  // 0.5e-6 t < 3e-6 t, so they cross once.
  const benchr::CostAt rental = [](double t) { return std::optional<double>(0.5 * std::max(173.3, t / 1e6)); };
  const benchr::CostAt api3 = [](double t) { return std::optional<double>(3.0 * t / 1e6); };
  const auto y = benchr::crossings(rental, api3, benchr::log_grid(1e7, 2, 4, 1e3, 1e15));
  BOOST_REQUIRE_EQUAL(y.size(), 1u);
  BOOST_TEST(y[0] == 0.5 * 173.3 / 3.0 * 1e6, boost::test_tools::tolerance(benchr::kBreakEvenRelTol));
  // Never equal: no crossing; unknown costs: none either.
  const benchr::CostAt dear = [](double t) { return std::optional<double>(10.0 * t / 1e6 + 1); };
  BOOST_TEST(benchr::crossings(dear, api, benchr::log_grid(1e7, 2, 4, 1e3, 1e15)).empty());
  // The same line twice (two APIs at one price): no break-even volume.
  BOOST_TEST(benchr::crossings(api, api, benchr::log_grid(1e7, 2, 4, 1e3, 1e15)).empty());
  const benchr::CostAt unknown = [](double) { return std::optional<double>(); };
  BOOST_TEST(benchr::crossings(unknown, api, benchr::log_grid(1e7, 2, 4, 1e3, 1e15)).empty());
}

BOOST_AUTO_TEST_CASE(text_in_the_page_cannot_close_its_element) {
  BOOST_TEST(benchr::html_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  // A model name with "</script>" in it reads back the same from the JSON, and never ends the element.
  const std::string doc = json{{"name", "x</script><script>alert(1)</script>"}}.dump();
  const std::string safe = benchr::script_safe_json(doc);
  BOOST_TEST(safe.find("</") == std::string::npos);
  BOOST_TEST(json::parse(safe) == json::parse(doc));
}

BOOST_AUTO_TEST_CASE(report_and_its_output_are_taken_out_of_the_command_line) {
  std::vector<std::string> words{"benchr-advise", "report", "plan", "--model", "qwen3-8b", "-o", "x.html", "--json"};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  int argc = int(argv.size());
  const auto r = benchr::take_report_request(argc, argv.data());
  BOOST_TEST(r.wanted);
  BOOST_TEST(r.path == "x.html");
  BOOST_REQUIRE_EQUAL(argc, 5);
  BOOST_TEST(std::string(argv[1]) == "plan");
  BOOST_TEST(std::string(argv[4]) == "--json");
  // Not a report: untouched.
  std::vector<std::string> plain{"benchr-advise", "--budget", "100"};
  std::vector<char*> pargv;
  for (auto& w : plain) pargv.push_back(w.data());
  int pargc = 3;
  BOOST_TEST(!benchr::take_report_request(pargc, pargv.data()).wanted);
  BOOST_TEST(pargc == 3);
  // -o with nothing after it is bad input.
  std::vector<std::string> bad{"benchr-advise", "report", "-o"};
  std::vector<char*> bargv;
  for (auto& w : bad) bargv.push_back(w.data());
  int bargc = 3;
  BOOST_CHECK_THROW(benchr::take_report_request(bargc, bargv.data()), benchr::InputError);
}

// ---- the report against the answer it draws ----------------------------------------------------

BOOST_AUTO_TEST_CASE(advice_report_series_are_the_advice_figures) {
  const json advice = run_json(question() + " --json");
  const json doc = run_json("report " + question() + " --json");
  BOOST_TEST(doc.at("question") == "advise");
  const json& rec = advice.at("recommended");
  const std::string pick = rec.at("model").get<std::string>() + " " + rec.at("quant").get<std::string>() +
                           (rec.at("thinking_off").get<bool>() ? " (thinking off)" : "");

  // The pick: one point, marked, on the Pareto front, at the advice's speed.
  const auto picks = rows(doc, "options", "label", pick);
  BOOST_REQUIRE_EQUAL(picks.size(), 1u);
  BOOST_TEST(picks[0].at("pick").get<bool>());
  BOOST_TEST(picks[0].at("pareto").get<bool>());
  BOOST_TEST(picks[0].at("decode_tps").get<double>() == rec.at("decode_tps").get<double>(),
             boost::test_tools::tolerance(1e-9));
  int marked = 0;
  for (const auto& o : doc.at("datasets").at("options")) marked += o.at("pick").get<bool>();
  BOOST_TEST(marked == 1);

  // Depth 0 and a 512-token prompt are the advice's own question (its defaults).
  const auto& depth = doc.at("datasets").at("depth");
  BOOST_REQUIRE(depth.size() >= 3u);
  BOOST_TEST(depth[0].at("depth_tokens") == 0);
  BOOST_TEST(depth[0].at("decode_tps").get<double>() == rec.at("decode_tps").get<double>(),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(depth.back().at("depth_tokens") == 16384);  // up to --context
  // Each token reads the KV cache so far: deeper is never faster, and 16k deep is slower.
  for (std::size_t i = 1; i < depth.size(); ++i)
    BOOST_TEST(depth[i].at("decode_tps").get<double>() <= depth[i - 1].at("decode_tps").get<double>());
  BOOST_TEST(depth.back().at("decode_tps").get<double>() < depth[0].at("decode_tps").get<double>());
  bool found_512 = false;
  for (const auto& p : doc.at("datasets").at("prompt"))
    if (p.at("prompt_tokens") == 512) {
      found_512 = true;
      BOOST_TEST(p.at("ttft_s").get<double>() == rec.at("time_to_first_token_s").get<double>(),
                 boost::test_tools::tolerance(1e-9));
    }
  BOOST_TEST(found_512);

  // Cost at the volume asked: the advice's monthly cost of the pick (a purchase: amortised).
  const auto here = rows(doc, "cost", "kind", "local");
  bool at_volume = false;
  for (const auto& c : here)
    if (c.at("tokens_per_month").get<double>() == 1e7) {
      at_volume = true;
      BOOST_TEST(c.at("usd").get<double>() == rec.at("cost").at("total_usd").get<double>(),
                 boost::test_tools::tolerance(1e-9));
    }
  BOOST_TEST(at_volume);
  // An API line is its prices x the volume: at 1e8 tokens, 75% input.
  const auto api_rows = rows(doc, "cost", "kind", "API");
  BOOST_REQUIRE(!api_rows.empty());
  // Break-even: the two lines cost the same there (to the bisection's tolerance).
  const auto& be = doc.at("datasets").at("breakeven");
  BOOST_REQUIRE(!be.empty());
  for (const auto& b : be) {
    const double t = b.at("tokens_per_month").get<double>();
    BOOST_TEST(t > 0);
    BOOST_TEST(b.at("usd").get<double>() > 0);
    BOOST_TEST(b.at("series").get<std::string>().rfind("API ", 0) != 0, "an API's break-even against an API");
  }

  // Memory: the parts of each bar add up to the estimate's working set plus the repacked copy and
  // what is free; the pick's weights are the advice's.
  const auto pick_bar = rows(doc, "memory", "option", " 1. " + pick);
  BOOST_REQUIRE_EQUAL(pick_bar.size(), 6u);
  double sum = 0;
  for (const auto& part : pick_bar) sum += part.at("gib").get<double>();
  const json& mem = rec.at("memory");
  const double gib = 1024.0 * 1024 * 1024;
  BOOST_TEST(pick_bar[0].at("gib").get<double>() == mem.at("weights_bytes").get<double>() / gib,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sum == std::max(mem.at("available_bytes").get<double>(),
                             mem.at("total_bytes").get<double>() + mem.at("repack_bytes").get<double>()) / gib,
             boost::test_tools::tolerance(1e-9));
  const auto cap = rows(doc, "memory_capacity", "option", " 1. " + pick);
  BOOST_REQUIRE_EQUAL(cap.size(), 1u);
  BOOST_TEST(cap[0].at("capacity_gib").get<double>() == mem.at("available_bytes").get<double>() / gib,
             boost::test_tools::tolerance(1e-9));

  // Every chart's data is in the datasets, so each spec plus "datasets" is complete.
  for (const auto& c : doc.at("charts")) {
    const json& spec = c.at("spec");
    BOOST_TEST(spec.at("$schema").get<std::string>().find("vega-lite/v5") != std::string::npos);
    const std::string text = spec.dump();
    for (std::size_t at = 0; (at = text.find("\"name\":\"", at)) != std::string::npos;) {
      at += 8;
      const std::string name = text.substr(at, text.find('"', at) - at);
      BOOST_TEST(doc.at("datasets").contains(name), c.at("id") << " reads " << name);
    }
  }
}

/// The price of `series` ("API " + an offer's name) per million tokens at 75% input, from the
/// advice's list of every priced offer; 0 when not there.
double blended_usd_per_mtok(const json& advice, const std::string& series) {
  for (const auto& a : advice.at("apis"))
    if ("API " + a.at("name").get<std::string>() == series)
      return 0.75 * a.at("usd_per_mtok_input").get<double>() + 0.25 * a.at("usd_per_mtok_output").get<double>();
  return 0;
}

BOOST_AUTO_TEST_CASE(api_cost_line_is_prices_times_volume) {
  const json doc = run_json("report " + question() + " --json");
  const json advice = run_json(question() + " --json");
  // The test's own API hosts the pick, so there is at least one line; each is its prices x volume.
  BOOST_TEST(blended_usd_per_mtok(advice, "API Report test host") == kApiUsdPerMtok);
  const auto lines = rows(doc, "cost", "kind", "API");
  BOOST_REQUIRE(lines.size() >= 10u);
  for (const auto& row : lines) {
    const double per_mtok = blended_usd_per_mtok(advice, row.at("series"));
    BOOST_REQUIRE(per_mtok > 0);
    const double t = row.at("tokens_per_month").get<double>();
    BOOST_TEST(row.at("usd").get<double>() == per_mtok * t / 1e6, boost::test_tools::tolerance(1e-9));
  }
}

BOOST_AUTO_TEST_CASE(at_the_break_even_the_advice_costs_what_the_api_does) {
  // Asked again at the break-even volume, advise prices the pick here as the API: checked with the
  // binary's own advice at that volume and the API's prices by hand.
  const json doc = run_json("report " + question() + " --json");
  const json advice = run_json(question() + " --json");
  const std::string pick = "here: " + advice.at("recommended").at("model").get<std::string>() + " " +
                           advice.at("recommended").at("quant").get<std::string>();
  const json* be = nullptr;
  for (const auto& b : doc.at("datasets").at("breakeven"))
    if (b.at("series") == pick) be = &b;
  BOOST_REQUIRE_MESSAGE(be, "no break-even of " << pick);
  const double t = be->at("tokens_per_month").get<double>();
  const double per_mtok = blended_usd_per_mtok(advice, be->at("against"));
  BOOST_REQUIRE(per_mtok > 0);
  const double api_usd = per_mtok * t / 1e6;
  const json again = run_json(question() + " --tokens-per-month " + std::to_string(t) + " --json");
  BOOST_REQUIRE(again.at("recommended").at("model") == advice.at("recommended").at("model"));
  const double here_usd = again.at("recommended").at("cost").at("total_usd").get<double>();
  // Bisection to kBreakEvenRelTol in volume: the costs agree to about that share.
  BOOST_TEST(here_usd == api_usd, boost::test_tools::tolerance(2 * benchr::kBreakEvenRelTol));
  BOOST_TEST(be->at("usd").get<double>() == here_usd, boost::test_tools::tolerance(2 * benchr::kBreakEvenRelTol));
}

BOOST_AUTO_TEST_CASE(plan_report_marks_the_plans_cheapest_and_fastest) {
  const std::string q = "plan --model qwen3-32b --min-tps 20 --budget 500";
  const json plan = run_json(q + " --json");
  const json doc = run_json("report " + q + " --json");
  BOOST_TEST(doc.at("question") == "plan");
  const auto cheapest = rows(doc, "plan_options", "mark", "cheapest");
  const auto both = rows(doc, "plan_options", "mark", "cheapest and fastest");
  BOOST_REQUIRE(cheapest.size() + both.size() == 1u);
  const json& c = cheapest.empty() ? both[0] : cheapest[0];
  // plan --json lists its options cheapest first among those that meet the target.
  const json& first = plan.at("options").at(0);
  BOOST_TEST(c.at("label") == first.at("label"));
  BOOST_TEST(c.at("monthly_usd").get<double>() == first.at("monthly_usd").get<double>(),
             boost::test_tools::tolerance(1e-9));
  double fastest = 0;
  for (const auto& o : plan.at("options"))
    if (o.at("meets").get<bool>()) fastest = std::max(fastest, o.at("decode_tps").get<double>());
  const auto fast = rows(doc, "plan_options", "mark", both.empty() ? "fastest" : "cheapest and fastest");
  BOOST_REQUIRE_EQUAL(fast.size(), 1u);
  BOOST_TEST(fast[0].at("decode_tps").get<double>() == fastest, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(!doc.at("datasets").at("cost").empty());
}

BOOST_AUTO_TEST_CASE(models_plan_report_has_each_models_cheapest_way) {
  const json doc = run_json("report plan --budget 100 --json");
  BOOST_TEST(doc.at("question") == "plan_models");
  BOOST_TEST(doc.at("datasets").at("plan_options").size() >= 5u);
  BOOST_TEST(doc.at("datasets").at("budget").at(0).at("usd").get<double>() == 100.0);
}

BOOST_AUTO_TEST_CASE(report_writes_one_self_contained_page) {
  const std::string path = temp_file(".html");
  const Result r = run("report " + question() + " -o " + path);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  BOOST_TEST(r.out.empty());
  const std::string html = slurp(path);
  std::remove(path.c_str());
  BOOST_TEST(html.rfind("<!doctype html>", 0) == 0);
  // The libraries are inside, nothing is fetched: no src= or href= to anywhere.
  BOOST_TEST(html.find("vega-lite") != std::string::npos);
  BOOST_TEST(html.find("vegaEmbed") != std::string::npos);
  BOOST_TEST(html.find("<script src") == std::string::npos);
  BOOST_TEST(html.find("<link") == std::string::npos);
  BOOST_TEST(html.size() > 800000u);  // vega + vega-lite + vega-embed minified: about 830 kB
  // The JSON document in the page is the one --json prints.
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  const auto at = html.find(open);
  BOOST_REQUIRE(at != std::string::npos);
  const auto end = html.find("</script>", at);
  const json embedded = json::parse(html.substr(at + open.size(), end - at - open.size()));
  const json printed = run_json("report " + question() + " --json");
  BOOST_TEST(embedded == printed);
}

BOOST_AUTO_TEST_CASE(report_refuses_what_it_cannot_draw) {
  const auto bad = [](const std::string& args, const std::string& message) {
    const Result r = run(args);
    BOOST_TEST(r.status == 2, args);
    BOOST_TEST(r.err.find(message) != std::string::npos, args << ": " << r.err);
  };
  bad("report --hardware rtx-4090", "give -o FILE.html");
  bad("report -o", "-o needs a file name");
  bad("report estimate --model qwen3-8b --quant Q4_K_M -o /tmp/x.html", "not 'estimate'");
  bad("--hardware rtx-4090 report -o /tmp/x.html", "report comes first");
  bad("report --hardware rtx-4090 -o /nonexistent-dir/r.html", "/nonexistent-dir/r.html");
  const Result help = run("report --help");
  BOOST_TEST(help.status == 0);
  BOOST_TEST(help.out.find("report plan") != std::string::npos);
}
