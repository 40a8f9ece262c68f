// The calibration cache's trust boundary (parse_calibration_cache) and the rules that decide
// which calibration a machine keeps: each case writes its file text here.
#define BOOST_TEST_MODULE calibration
#include <boost/test/unit_test.hpp>

#include <functional>

#include "calibrate.hpp"
#include "calibration.hpp"
#include "json.hpp"

using namespace benchr;

namespace {

/// A calibration as a 2-core CPU gives one: a device with every figure in range.
Calibration sample(double read_gbps = 30, bool contended = false) {
  Calibration c;
  c.fingerprint = "test cpu|2c|2t|24GiB|6.1|k" + std::to_string(kKernelVersion);
  c.measured_at = "2026-12-06T08:00:00Z";
  c.duration_s = 2.5;
  c.budget_s = 3;
  c.kernel_version = kKernelVersion;
  DeviceCalibration d;
  d.device = "test cpu";
  d.isa = "avx2";
  d.threads = 2;
  d.read_gbps_1t = 20, d.read_gbps = read_gbps, d.read_spread = 0.03;
  d.gemv = {{"Q4_0", 1, 15, 110, 0.02}, {"Q4_0", 2, 25, 180, 0.02}};
  d.gemm = {{"Q4_0", 2, 60, 400, 0.05}};
  d.fma_gflops = 300;
  d.attention_ns_hd64 = 1.5, d.attention_ns_hd128 = 2.9;
  c.devices.push_back(d);
  c.quality.repetitions = 60, c.quality.quiet_repetitions = 58;
  c.quality.contended = contended;
  return c;
}

/// The error parse_calibration_cache gives for `sample()` with one field changed by `edit`.
std::string error_after(const std::function<void(nlohmann::json&)>& edit) {
  nlohmann::json j = to_json(sample());
  edit(j);
  const CacheParse p = parse_calibration_cache(j.dump());
  BOOST_TEST(!p.calibration.has_value());
  return p.error;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_cache_written_is_read_back_whole) {
  const Calibration c = sample();
  const CacheParse p = parse_calibration_cache(to_json(c).dump(2));
  BOOST_TEST_REQUIRE(p.calibration.has_value(), p.error);
  BOOST_TEST(p.calibration->devices.at(0).read_gbps == 30.0);
  BOOST_TEST(p.calibration->devices.at(0).gemv.size() == 2u);
  BOOST_TEST(p.calibration->quality.quiet_repetitions == 58);
  BOOST_TEST(!p.calibration->quality.contended);
  BOOST_TEST(!p.calibration->quality.steal_share.has_value());  // unknown stays unknown (null)
}

BOOST_AUTO_TEST_CASE(out_of_range_fields_are_rejected_by_their_path) {
  std::string e = error_after([](auto& j) { j["devices"][0]["read_gbps"] = 1e-300; });
  BOOST_TEST(e.find("devices[0].read_gbps: 1e-300 is out of range") == 0u, e);
  e = error_after([](auto& j) { j["devices"][0]["attention_ns_hd128"] = 1e308; });
  BOOST_TEST(e.find("devices[0].attention_ns_hd128: 1e+308 is out of range") == 0u, e);
  e = error_after([](auto& j) { j["devices"][0]["threads"] = -4; });
  BOOST_TEST(e.find("devices[0].threads: -4 is out of range (1 to") == 0u, e);
  e = error_after([](auto& j) { j["devices"] = nullptr; });
  BOOST_TEST(e == "devices: not an array");
  e = error_after([](auto& j) { j["devices"] = nlohmann::json::array(); });
  BOOST_TEST(e.find("devices: empty") == 0u, e);
  e = error_after([](auto& j) { j["devices"][0]["gemv"][1]["weight_gbps"] = -3; });
  BOOST_TEST(e.find("devices[0].gemv[1].weight_gbps: -3 is out of range") == 0u, e);
  e = error_after([](auto& j) { j["devices"][0]["fma_gflops"] = "fast"; });
  BOOST_TEST(e == "devices[0].fma_gflops: not a number");
  std::string text = to_json(sample()).dump();
  text.replace(text.find("\"duration_s\":2.5"), 16, "\"duration_s\":1e400");  // too large for a double
  e = parse_calibration_cache(text).error;
  BOOST_TEST(e.find("a number too large for a double") != std::string::npos, e);
  e = error_after([](auto& j) { j["quality"]["steal_share"] = 7; });
  BOOST_TEST(e.find("quality.steal_share: 7 is out of range (0 to 1)") == 0u, e);
  e = error_after([](auto& j) { j.erase("quality"); });
  BOOST_TEST(e == "quality: missing");
  e = error_after([](auto& j) { j["devices"][0]["threads"] = 18446744073709551615ull; });
  BOOST_TEST(e.find("devices[0].threads: ") == 0u, e);
  // A GPU has no thread count, and 0 is "not measured" only where the schema says so.
  e = error_after([](auto& j) { j["devices"][0]["read_gbps"] = 0; });
  BOOST_TEST(e.find("devices[0].read_gbps: 0 is out of range") == 0u, e);
}

BOOST_AUTO_TEST_CASE(text_that_is_not_json_names_the_byte) {
  const CacheParse p = parse_calibration_cache("{\"format\": \"benchr-advise calibration\", ");
  BOOST_TEST(!p.calibration.has_value());
  BOOST_TEST(p.error.find("not JSON: byte ") == 0u, p.error);
  BOOST_TEST(parse_calibration_cache("").error.find("not JSON") == 0u);
  BOOST_TEST(parse_calibration_cache("[1, 2]").error == "the file: not an object");
}

BOOST_AUTO_TEST_CASE(a_hundred_thousand_notes_are_capped_and_deduplicated) {
  nlohmann::json j = to_json(sample());
  j["notes"] = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) j["notes"].push_back("note " + std::to_string(i % 50000));
  j["notes"].push_back(std::string(5000, 'x'));
  const CacheParse p = parse_calibration_cache(j.dump());
  BOOST_TEST_REQUIRE(p.calibration.has_value(), p.error);
  const auto& notes = p.calibration->notes;
  BOOST_TEST(notes.size() == 21u);  // 20 kept, then one counting the rest
  BOOST_TEST(notes.front() == "note 0");
  // 50,001 distinct notes (each "note i" twice, and the long one): 20 shown, 49,981 counted.
  BOOST_TEST(notes.back() == "49981 more notes not shown");
  const auto twice = capped_notes({"a", "b", "a", std::string(1000, 'y')});
  BOOST_TEST(twice.size() == 3u);
  BOOST_TEST(twice[2].size() == 403u);  // cut at 400 characters, and "..."
}

BOOST_AUTO_TEST_CASE(a_busy_machine_makes_a_calibration_contended_with_its_reasons) {
  Calibration quiet = sample();
  judge_calibration(quiet, CpuContention{0.0, 0.02, 0.0}, 31.0);
  BOOST_TEST(!quiet.quality.contended);
  BOOST_TEST(quiet.quality.reasons.empty());
  BOOST_TEST(quiet.notes.empty());

  Calibration stolen = sample();
  judge_calibration(stolen, CpuContention{0.20, std::nullopt, std::nullopt}, std::nullopt);
  BOOST_TEST(stolen.quality.contended);
  BOOST_TEST_REQUIRE(stolen.quality.reasons.size() == 1u);
  BOOST_TEST(stolen.quality.reasons[0].find("20% of the CPU time (steal)") != std::string::npos);
  BOOST_TEST(stolen.notes.at(0).find("busy machine") != std::string::npos);

  Calibration pressed = sample();
  judge_calibration(pressed, CpuContention{0.0, 0.5, 3.0}, std::nullopt);
  BOOST_TEST(pressed.quality.reasons.size() == 2u);  // CPU pressure 50%, 3 runnable tasks per CPU

  // 12 GB/s where this machine read 30: below 75% of the best known (22.5).
  Calibration slow = sample(12);
  judge_calibration(slow, CpuContention{0.0, 0.0, 0.0}, 30.0);
  BOOST_TEST(slow.quality.contended);
  BOOST_TEST(slow.quality.reasons.at(0).find("far below the 30.0 GB/s") != std::string::npos, slow.quality.reasons.at(0));
  Calibration near = sample(23);
  judge_calibration(near, CpuContention{0.0, 0.0, 0.0}, 30.0);
  BOOST_TEST(!near.quality.contended);

  Calibration steps = sample();
  steps.quality.contended_steps = {"read bandwidth, 2 threads"};
  judge_calibration(steps, CpuContention{}, std::nullopt);
  BOOST_TEST(steps.quality.contended);
}

BOOST_AUTO_TEST_CASE(a_quiet_calibration_is_never_replaced_by_a_contended_one) {
  const Calibration quiet = sample(30), faster_but_busy = sample(45, true), slower_busy = sample(12, true);
  BOOST_TEST(!better_calibration(faster_but_busy, quiet));
  BOOST_TEST(better_calibration(quiet, faster_but_busy));
  BOOST_TEST(better_calibration(quiet, slower_busy));
  // Of two alike, the faster read (the best quiet measurement is kept).
  BOOST_TEST(better_calibration(sample(31), quiet));
  BOOST_TEST(!better_calibration(sample(29), quiet));
  BOOST_TEST(better_calibration(faster_but_busy, slower_busy));
}

BOOST_AUTO_TEST_CASE(a_contended_calibration_is_measured_again_ten_minutes_later) {
  Calibration c = sample(12, true);
  c.quality.last_attempt_unix = 1'000'000;
  BOOST_TEST(!due_for_remeasure(c, 1'000'000 + 599));
  BOOST_TEST(due_for_remeasure(c, 1'000'000 + 600));
  c.quality.contended = false;
  BOOST_TEST(!due_for_remeasure(c, 1'000'000 + 100'000));  // a quiet one stays
}

BOOST_AUTO_TEST_CASE(a_short_quiet_read_confirms_or_overrules_a_contended_calibration) {
  const Calibration cached = sample(20, true);
  // Busy again: the check says nothing.
  BOOST_TEST((judge_quick_read(cached, sample(35, true)) == QuickCheck::busy));
  // Quiet and within 10% (22 GB/s at most) or below: the cached figures were not held down.
  BOOST_TEST((judge_quick_read(cached, sample(21.9)) == QuickCheck::holds));
  BOOST_TEST((judge_quick_read(cached, sample(15)) == QuickCheck::holds));
  // Quiet and more than 10% above: the cached figures are low, measure everything again.
  BOOST_TEST((judge_quick_read(cached, sample(22.1)) == QuickCheck::low));
}
