// The output guard (app/guard.hpp): no NaN, infinity, "-0" or negative size, speed, cost or time
// is printed or put in JSON, and "0.0 tok/s" is never printed for a speed that is unknown. First
// the guard's two functions on numbers worked out by hand, then the built binary on
// pathological but valid inputs: a saved machine whose bandwidth is 1e-300 GB/s, a saved CPU with
// no read bandwidth, and every catalog machine without an FP16 compute figure (issue #21: "27 of
// 107 catalog machines print prefill 0.0 tok/s (first token 0 s)").
#define BOOST_TEST_MODULE guard
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>

#include "guard.hpp"
#include "run_tool.hpp"

namespace {

using nlohmann::json;

using benchr::test::Result;

/// Runs benchr-advise with `args` (shell words).
Result run(const std::string& args) { return benchr::test::run_tool(args); }

/// What must never appear in text output: nan or inf as a word; "0.0 tok/s" or a first token
/// after 0 s (an unknown speed shown as a figure); a minus sign before a figure ("-3.2 GiB",
/// "$-4", "(-0.0"). Ids such as qwen3-0.6b and ranges such as 6.0-21.8 have no space before '-'.
const std::regex kBadText(R"(\b(nan|inf)\b|(^|[^0-9.])0\.0 tok/s|first token (after )?0(\.0+)? s|(^|[\s(:$=])-[0-9]|\$-)",
                          std::regex::icase);

/// Headroom is signed by meaning ("(-35% headroom)" when a model does not fit): those are skipped.
void check_text(const std::string& what, const std::string& text) {
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kBadText); it != std::sregex_iterator(); ++it) {
    const auto rest = text.substr(std::size_t(it->position() + it->length()), 40);
    const bool headroom = std::regex_search(rest, std::regex(R"(^[0-9.e+]*% headroom)"));
    BOOST_TEST(headroom, what << ": '" << it->str() << rest << "' in the output");
  }
  // No figure of 16 digits or more: from 1e15 up a figure has 3 significant digits (guard.hpp).
  std::smatch m;
  BOOST_TEST(!std::regex_search(text, m, std::regex("[0-9]{16,}")), what << ": " << (m.empty() ? "" : m.str()));
}

/// No number in `j` is negative (but headroom), and the guard had nothing to replace: each figure
/// was made right at its root, not caught on the way out.
void check_json(const std::string& what, const json& j, const std::string& key = "") {
  if (j.is_object()) {
    BOOST_TEST(!j.contains("unknown_figures"), what << ": " << j.value("unknown_figures", json()).dump());
    for (auto it = j.begin(); it != j.end(); ++it) check_json(what, it.value(), it.key());
  } else if (j.is_array()) {
    for (const auto& x : j) check_json(what, x, key);
  } else if (j.is_number() && key != "headroom") {
    BOOST_TEST(j.get<double>() >= 0, what << ": " << key << " = " << j.dump());
  }
  if (key == "prefill_tps" || key == "decode_tps")
    BOOST_TEST((j.is_null() || j.get<double>() > 0), what << ": " << key << " = " << j.dump() << " (unknown is null)");
}

/// A saved probe of this machine with `edit` applied to its CPU device, written to a file.
std::string saved_machine(const std::string& name, void (*edit)(json& cpu)) {
  const std::string path = "/tmp/benchr-guard-" + std::to_string(getpid()) + "-" + name + ".json";
  BOOST_REQUIRE(run("probe --no-calibrate --save " + path).status == 0);
  json j;
  std::ifstream(path) >> j;
  edit(j["devices"][0]);
  std::ofstream(path) << j.dump(2);
  return path;
}

void check_machine(const std::string& machine_flags) {
  for (const std::string cmd : {"--budget 100", "estimate --model qwen3-8b --quant Q4_K_M"}) {
    const std::string args = machine_flags + " " + cmd;
    const Result text = run(args);
    BOOST_TEST(text.status == 0, args);
    check_text(args, text.out);
    const Result j = run(args + " --json");
    BOOST_TEST(j.status == 0, args);
    check_json(args + " --json", json::parse(j.out));
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(figure_says_unknown_for_nan_inf_and_negative_and_never_minus_zero) {
  BOOST_TEST(benchr::figure(12.34, 1) == "12.3");
  BOOST_TEST(benchr::figure(9.999, 2) == "10.00");
  BOOST_TEST(benchr::figure(std::nan(""), 1) == "unknown");
  BOOST_TEST(benchr::figure(std::numeric_limits<double>::infinity(), 0) == "unknown");
  BOOST_TEST(benchr::figure(-1e-9, 1) == "unknown");
  BOOST_TEST(benchr::figure(-0.0, 1) == "0.0");
  // 1e-300 GB/s gives 3.24e303 busy hours (10M tokens at 2e-301 tok/s): 3 digits, not 304.
  BOOST_TEST(benchr::figure(3.2442567e303, 0) == "3.24e+303");
  BOOST_TEST(benchr::figure(999999999999999.0, 0) == "999999999999999");
  BOOST_TEST(benchr::signed_figure(-9.3692538e27, 0) == "-9.37e+27");
  BOOST_TEST(benchr::signed_figure(-0.2, 0) == "0");
  BOOST_TEST(benchr::signed_figure(-35.4, 0) == "-35");
}

BOOST_AUTO_TEST_CASE(guard_json_nulls_each_bad_number_and_says_where_and_why) {
  json j = {{"decode_tps", std::nan("")},
            {"cost", {{"total_usd", -2.5}, {"busy_hours", std::numeric_limits<double>::infinity()}}},
            {"headroom", -0.25},  // does not fit: signed by meaning
            {"pools", {1.0, -0.0, -3}},
            {"name", "x"}};
  const json found = benchr::guard_json(j);
  BOOST_TEST(found.size() == 4u, found.dump());
  BOOST_TEST(j["decode_tps"].is_null());
  BOOST_TEST(j["cost"]["total_usd"].is_null());
  BOOST_TEST(j["cost"]["busy_hours"].is_null());
  BOOST_TEST(j["headroom"].get<double>() == -0.25);
  BOOST_TEST(j["pools"].dump() == "[1.0,0.0,null]");
  std::vector<std::string> paths;
  for (const auto& f : found) {
    paths.push_back(f["path"]);
    BOOST_TEST(!f["reason"].get<std::string>().empty());
  }
  std::sort(paths.begin(), paths.end());
  BOOST_TEST(paths == (std::vector<std::string>{"/cost/busy_hours", "/cost/total_usd", "/decode_tps", "/pools/2"}),
             boost::test_tools::per_element());
  // Written out: the reasons at the top level, the figures null.
  const json written = json::parse(benchr::guarded_dump({{"decode_tps", std::nan("")}}));
  BOOST_TEST(written["decode_tps"].is_null());
  BOOST_TEST(written["unknown_figures"][0]["path"] == "/decode_tps");
  // Nothing to replace: the document as it was, with no unknown_figures.
  BOOST_TEST(benchr::guarded_dump({{"a_tps", 1.5}}) == json({{"a_tps", 1.5}}).dump(2) + "\n");
}

BOOST_AUTO_TEST_CASE(a_saved_machine_with_bandwidth_1e_minus_300_prints_no_absurd_figure) {
  const std::string path = saved_machine("slow", [](json& cpu) { cpu["read_gbps"] = {{"value", 1e-300}, {"source", "test"}}; });
  check_machine("--no-calibrate --machine " + path);
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(a_saved_cpu_without_read_gbps_decodes_at_an_unknown_speed_not_at_inf_gb_s) {
  const std::string path = saved_machine("noread", [](json& cpu) { cpu["read_gbps"] = nullptr; });
  check_machine("--no-calibrate --machine " + path);
  const json e = json::parse(run("--no-calibrate --machine " + path + " estimate --model qwen3-8b --quant Q4_K_M --json").out);
  BOOST_TEST(e["decode_tps"].is_null());
  BOOST_TEST(e["bottleneck"].get<std::string>().find("no memory read bandwidth") != std::string::npos,
             e["bottleneck"]);
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(catalog_machines_without_a_compute_figure_print_prefill_unknown_never_0) {
  const json hardware = json::parse(run("hardware --json").out);
  int without = 0;
  for (const auto& h : hardware) {
    if (h["fp16_tflops"].is_number() && h["fp16_tflops"].get<double>() > 0) continue;
    ++without;
    check_machine("--hardware " + h["id"].get<std::string>());
  }
  // 30 of the 107 in the catalog of 2026-12-06 (CPU machines and a few cards with no FP16 figure).
  BOOST_TEST(without >= 20);
}

BOOST_AUTO_TEST_CASE(catalog_integers_at_their_limit_and_the_largest_context_for_4096_users_stay_finite) {
  // Every integer field of an MLA MoE and of a recurrent model at 2^30, the most the catalog takes
  // (catalog/load.cpp); --context 2^31 - 1, the most the flag takes, for 4096 users: sizes of
  // 1e31-1e36 bytes, no overflow (the sanitizer build of the suite runs this under UBSan), and a
  // launch command whose -c is 2^31 - 1 x 4096 = 8796093018112.
  const std::string catalog = std::string(BENCHR_TEST_DATA) + "/cli/data/limits-2pow30.toml";
  for (const std::string model : {"huge-mla", "huge-recurrent"}) {
    const std::string args = "estimate --catalog " + catalog + " --model " + model +
                             " --quant Q4_K_M --hardware rtx-4090 --context 2147483647 --users 4096";
    const Result text = run(args);
    BOOST_TEST(text.status == 0, args);
    check_text(args, text.out);
    const Result j = run(args + " --json");
    BOOST_TEST(j.status == 0, args);
    const json e = json::parse(j.out);
    check_json(args, e);
    BOOST_TEST(e["launch"].get<std::string>().find(" -c 8796093018112 ") != std::string::npos, e["launch"]);
    BOOST_TEST(e["memory"]["total_bytes"].get<double>() > 1e30);
  }
}
