// The command line as a user meets it: the built binary, its exit status, stdout and stderr.
#define BOOST_TEST_MODULE cli
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gguf_writer.hpp"
#include "run_tool.hpp"

namespace {

using benchr::test::Result;
using benchr::test::temp_file;

/// Runs benchr-advise with `args` (shell words); `env` prefixes the command (e.g. "XDG_CACHE_HOME=/tmp/x").
Result run(const std::string& args, const std::string& env = "") { return benchr::test::run_tool(args, env); }

std::string data(const char* rel) { return std::string(BENCHR_TEST_DATA) + "/" + rel; }

void bad_input(const std::string& args, const std::string& message) {
  const Result r = run(args);
  BOOST_TEST(r.status == 2, args);
  BOOST_TEST(r.err.find("benchr-advise: error:") != std::string::npos, args << ": " << r.err);
  BOOST_TEST(r.err.find(message) != std::string::npos, args << ": '" << message << "' not in " << r.err);
  BOOST_TEST(r.out.empty(), args);
}

}  // namespace

BOOST_AUTO_TEST_CASE(budget_100_answers_for_this_machine) {
  // Whether a model clears the 20 tok/s floor depends on this machine (a 2-core VM under load
  // does not); either way there is a verdict and the runners-up. At a floor every machine meets,
  // there is a recommendation.
  const Result r = run("--budget 100");
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST((r.out.find("Recommended here:") != std::string::npos ||
              r.out.find("Nothing in the catalog meets the constraints") != std::string::npos),
             r.out);
  BOOST_TEST(r.out.find("Verdict") != std::string::npos);
  BOOST_TEST(r.out.find("Runners-up") != std::string::npos);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 100u, line);
  const Result any = run("--budget 100 --min-tps 0.1");
  BOOST_TEST(any.status == 0, any.err);
  BOOST_TEST(any.out.find("Recommended here:") != std::string::npos, any.out);
}

BOOST_AUTO_TEST_CASE(owned_catalog_hardware_gets_a_pick_at_any_budget) {
  // An M3 Ultra 512 GB bought ($9499 over 36 months, $264 a month) is over a $100 budget; owned,
  // it is advised on, with its running cost set against the budget on a line of its own.
  const Result bought = run("--hardware apple-m3-ultra-512gb --budget 100");
  BOOST_TEST(bought.status == 0, bought.err);
  BOOST_TEST(bought.out.find("Nothing in the catalog meets") != std::string::npos, bought.out);
  const Result owned = run("--hardware apple-m3-ultra-512gb --budget 0 --owned");
  BOOST_TEST(owned.status == 0, owned.err);
  BOOST_TEST(owned.out.find("Recommended here:") != std::string::npos, owned.out);
  BOOST_TEST(owned.out.find("hardware owned") != std::string::npos, owned.out);
  BOOST_TEST(owned.out.find("OVER the $0.00/month budget") != std::string::npos, owned.out);
  // No price in the catalog: a purchase whose cost is not known, never $0.
  const Result unpriced = run("--hardware h100-sxm --budget 100 --json");
  BOOST_TEST(unpriced.status == 0, unpriced.err);
  const auto j = nlohmann::json::parse(unpriced.out);
  BOOST_TEST(j["recommended"]["cost"]["hardware_usd"].is_null());
  BOOST_TEST(j["recommended"]["cost"]["total_usd"].is_null());
}

BOOST_AUTO_TEST_CASE(memory_limits_owners_raise_are_planned_raised_with_the_setting_printed) {
  // Strix Halo 128 GB: gpt-oss-120b (MXFP4, 60.2 GiB with a 32k KV cache) does not fit Linux's
  // default GTT half (64 GiB, less the 10% a unified pool keeps free: 57.6); raised to 112 GiB it
  // does, and the kernel setting is printed.
  const Result r = run("estimate --model gpt-oss-120b --quant MXFP4 --hardware ryzen-ai-max-395-128gb --context 32768");
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("fits        yes") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("ttm.pages_limit=29360128") != std::string::npos, r.out);
  const Result small = run("estimate --model qwen3-8b --quant Q4_K_M --hardware ryzen-ai-max-395-128gb --json");
  BOOST_TEST(nlohmann::json::parse(small.out)["memory_setting"].is_null());  // fits the default: no setting
  // An M4 Max without a published FP16 figure: prefill unknown, never "0.0 tok/s".
  const Result mac = run("estimate --model qwen3-8b --quant Q4_K_M --hardware apple-m4-max-128gb --json");
  BOOST_TEST(mac.status == 0, mac.err);
  const auto j = nlohmann::json::parse(mac.out);
  BOOST_TEST(j["prefill_tps"].is_null());
  BOOST_TEST(j["time_to_first_token_s"].is_null());
  const Result text = run("estimate --model qwen3-8b --quant Q4_K_M --hardware apple-m4-max-128gb");
  BOOST_TEST(text.out.find("prefill     unknown") != std::string::npos, text.out);
  BOOST_TEST(text.out.find("0.0 tok/s") == std::string::npos, text.out);
}

BOOST_AUTO_TEST_CASE(a_catalog_card_goes_into_a_catalog_host_not_this_machine) {
  // --hardware rtx-4090: the card in the default host, a dual-channel DDR5-5600 desktop with
  // 64 GiB (89.6 GB/s x the CPU decode efficiency 0.655 = 58.7 GB/s) -- whatever this machine
  // is; --host picks another.
  const Result r = run("--hardware rtx-4090 --json");
  BOOST_TEST(r.status == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  const auto& host = j["machine"]["devices"][0];
  BOOST_TEST(host["memory_bytes"]["value"].get<double>() == 64.0 * 1024 * 1024 * 1024);
  BOOST_TEST(host["read_gbps"]["value"].get<double>() == 89.6 * 0.655, boost::test_tools::tolerance(1e-9));
  const Result epyc = run("--hardware rtx-4090 --host cpu-epyc-genoa-12ch-ddr5-4800 --json");
  BOOST_TEST(epyc.status == 0, epyc.err);
  BOOST_TEST(nlohmann::json::parse(epyc.out)["machine"]["devices"][0]["read_gbps"]["value"].get<double>() >
             200.0);
  bad_input("--hardware rtx-4090 --host rtx-3090", "--host: 'rtx-3090' is not a catalog CPU machine");
  bad_input("--host this", "--host: goes with --hardware");
}

BOOST_AUTO_TEST_CASE(budget_json_is_one_document_with_the_advice) {
  const Result r = run("--budget 100 --min-tps 0.1 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"machine", "workload", "budget", "recommended", "apis", "verdict", "runners_up"})
    BOOST_TEST(j.contains(key), key);
  BOOST_TEST(j["budget"]["usd_per_month"] == 100.0);
  BOOST_REQUIRE(j["recommended"].is_object());
  BOOST_TEST(j["recommended"]["fits"] == true);
  // This tool's promise on a CPU-only machine: not a 235B model.
  BOOST_TEST(j["recommended"]["model"] != "qwen3-235b-a22b");
}

BOOST_AUTO_TEST_CASE(advice_names_a_top_pick_for_each_use_in_text_and_json) {
  // An owned M4 Max 128 GB: a pick always exists, so each use has one; the text shows the three
  // lines after the recommendation, the JSON the same candidates.
  const std::string args = "--hardware apple-m4-max-128gb --owned";
  const Result r = run(args);
  BOOST_TEST(r.status == 0, r.err);
  const auto at = r.out.find("Top picks by use");
  BOOST_REQUIRE(at != std::string::npos);
  BOOST_TEST(at > r.out.find("Recommended here:"));
  for (const char* use : {"  fastest good    ", "  best quality    ", "  longest context "})
    BOOST_TEST(r.out.find(use, at) != std::string::npos, use);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 100u, line);
  const auto j = nlohmann::json::parse(run(args + " --json").out);
  const auto& picks = j["top_picks"];
  for (const char* use : {"fastest_good", "best_quality", "longest_context"}) {
    BOOST_REQUIRE(picks[use].is_object());
    BOOST_TEST(picks[use]["eligible"] == true);
  }
  // The rules against the pick: none faster within the band, none better, none longer in context.
  const auto& pick = j["recommended"];
  BOOST_TEST(picks["fastest_good"]["decode_tps"].get<double>() >= pick["decode_tps"].get<double>());
  BOOST_TEST(picks["best_quality"]["quality"].get<double>() >= pick["quality"].get<double>());
  BOOST_TEST(picks["longest_context"]["max_context"].get<double>() >= pick["max_context"].get<double>());
}

BOOST_AUTO_TEST_CASE(estimate_json_has_the_contract_keys) {
  const Result r = run("estimate --model llama-3.1-8b --quant Q4_K_M --context 8192 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"model", "quant", "hardware", "backend", "placement", "fits", "memory",
                          "decode_tps", "prefill_tps", "bottleneck", "assumptions"})
    BOOST_TEST(j.contains(key), key);
  for (const char* key : {"weights_bytes", "kv_cache_bytes", "compute_bytes", "overhead_bytes",
                          "total_bytes", "available_bytes"})
    BOOST_TEST(j["memory"].contains(key), key);
  BOOST_TEST(j["memory"]["kv_cache_bytes"] == 1073741824.0);  // 32 x 8192 x 2 x 8 x 128 x 2 B
  BOOST_TEST(j["hardware"] == "this machine");
}

BOOST_AUTO_TEST_CASE(estimate_on_catalog_hardware_uses_its_backend) {
  const Result r = run("estimate --model llama-3.1-8b --quant Q4_K_M --hardware rtx-4090 --backend vulkan --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["backend"] == "vulkan");
  BOOST_TEST(j["placement"] == "all_gpu");
  BOOST_TEST(j["fits"] == true);
}

BOOST_AUTO_TEST_CASE(a_gpu_typed_without_its_units_gets_the_wider_band_and_says_which_fields_tighten_it) {
  // A user's --catalog H100 PCIe with the datasheet's memory, bandwidth and FP16 only: the
  // estimate carries the bands fitted with every device's units withheld, and the text says that
  // compute_units and boost_clock_mhz tighten it; with them, neither.
  const std::string bare = "[[hardware]]\nid = \"my-h100\"\nname = \"My H100 PCIe\"\nkind = \"gpu\"\nbackend = \"cuda\"\n"
                           "memory_gib = 80\nmemory_bandwidth_gbps = 2000\nfp16_tflops = 756\ntdp_w = 350\n"
                           "price_usd = 0\nsource = \"test\"\n";
  const std::string path = temp_file(".toml");
  const std::string flags = "--catalog " + path + " --no-calibrate estimate --model qwen3-8b --quant Q4_K_M --hardware my-h100";
  std::ofstream(path) << bare;
  Result text = run(flags), json_out = run(flags + " --json");
  BOOST_REQUIRE(text.status == 0 && json_out.status == 0);
  BOOST_TEST(text.out.find("compute_units and boost_clock_mhz") != std::string::npos, text.out);
  auto j = nlohmann::json::parse(json_out.out);
  BOOST_TEST(j["accuracy_class"] == "gpu-dense-no-units");
  const double bare_low = j["decode_tps_range"][0].get<double>() / j["decode_tps"].get<double>();
  BOOST_TEST(j["prefill_tps_range"].is_array());
  std::ofstream(path) << bare << "compute_units = 114\nboost_clock_mhz = 1755\nunits_source = \"test\"\n";
  text = run(flags), json_out = run(flags + " --json");
  BOOST_REQUIRE(text.status == 0 && json_out.status == 0);
  BOOST_TEST(text.out.find("compute_units and boost_clock_mhz") == std::string::npos, text.out);
  j = nlohmann::json::parse(json_out.out);
  BOOST_TEST(j["accuracy_class"] == "gpu-dense");
  BOOST_TEST(bare_low < j["decode_tps_range"][0].get<double>() / j["decode_tps"].get<double>());
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(a_cpu_typed_with_its_clock_decodes_at_its_cores_clocked_rate_and_a_clock_in_ghz_exits_2) {
  // A user's --catalog CPU with 4 cores on 8-channel DDR5 (the cores, not the memory, bind): its
  // datasheet clock sets the per-core rate of the one-row dot products (machine.cpp
  // kCpuDotGbpsPerCoreGhz) that Q8_0 decodes through (repacked on no ISA), so the same cores at
  // 5.0 GHz unpack 2.5x what they do at 2.0 GHz and decode faster; their streaming cap is the same.
  const std::string cpu = "[[hardware]]\nid = \"my-cpu\"\nname = \"My CPU\"\nkind = \"cpu\"\nbackend = \"cpu\"\n"
                          "memory_gib = 256\nmemory_bandwidth_gbps = 307.2\nfp16_tflops = 0\ntdp_w = 0\n"
                          "price_usd = 0\nsource = \"test\"\ncores = 4\nsimd = \"avx512\"\n";
  const std::string path = temp_file(".toml");
  const std::string flags = "--catalog " + path + " --no-calibrate estimate --model qwen3-8b --quant Q8_0 --hardware my-cpu";
  const auto estimate_at = [&](const std::string& clock) {
    std::ofstream(path) << cpu << clock;
    const Result r = run(flags + " --json");
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
    return nlohmann::json::parse(r.out);
  };
  const auto slow = estimate_at("boost_clock_mhz = 2000\nunits_source = \"vendor page\"\n");
  const auto fast = estimate_at("boost_clock_mhz = 5000\nunits_source = \"vendor page\"\n");
  const auto& ps = slow["breakdown"]["pools"][0];
  const auto& pf = fast["breakdown"]["pools"][0];
  BOOST_TEST(pf["gemv_dot_cap_gbps"].get<double>() == 2.5 * ps["gemv_dot_cap_gbps"].get<double>(),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(pf["gemv_cap_gbps"].get<double>() == ps["gemv_cap_gbps"].get<double>());
  BOOST_TEST(fast["decode_tps"].get<double>() > 1.5 * slow["decode_tps"].get<double>());
  std::ofstream(path) << cpu << "boost_clock_mhz = 5.0\nunits_source = \"vendor page\"\n";
  const Result bad = run(flags);
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(bad.err.find("boost_clock_mhz 5 is no CPU clock in MHz") != std::string::npos, bad.err);
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(a_radeon_is_advised_on_vulkan_and_the_command_names_the_build) {
  // data/hardware.toml: Radeon cards default to llama.cpp's Vulkan backend (llama.cpp's 2025
  // scoreboards, #10879 against #15021: Vulkan decodes 5-55% faster on every Radeon on both).
  // On it the 7900 XTX decodes Qwen3.8 27B at IQ4_XS at 43 tok/s: its thinking floor (30) is
  // met, so the pick runs it with its thinking on; on ROCm (148 us a layer) it was 27 tok/s
  // and ran with thinking off. The text names the build the command needs.
  const Result r = run("--hardware rx-7900-xtx --no-calibrate --budget 100 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["recommended"]["backend"] == "vulkan");
  BOOST_TEST(j["recommended"]["model"] == "qwen3.8-27b");
  BOOST_TEST(j["recommended"]["thinking_off"] == false);
  BOOST_TEST(j["recommended"]["decode_tps"].get<double>() >= 30.0);
  const Result text = run("--hardware rx-7900-xtx --no-calibrate --budget 100 --width 200");
  BOOST_TEST(text.out.find("run it    llama.cpp (Vulkan build): llama-server") != std::string::npos, text.out);
  const Result rocm = run("estimate --model qwen3.8-27b --quant IQ4_XS --hardware rx-7900-xtx --backend rocm "
                          "--no-calibrate --width 200");
  BOOST_TEST(rocm.out.find("llama.cpp (ROCm build):") != std::string::npos, rocm.out);
}

BOOST_AUTO_TEST_CASE(a_model_too_large_for_the_hosts_ram_says_so_not_the_gpus) {
  // On an 8 GB card in the default 64 GB host, Qwen3.5 397B-A17B keeps its experts in RAM: the
  // GPU holds ~6.6 GiB, the RAM would need ~170 GiB. The reason names the RAM, not "6.6 GiB of 8".
  const Result r = run("--hardware rtx-4060 --no-calibrate --budget 100 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  bool found = false;
  for (const auto& c : j["runners_up"])
    if (c["model"] == "qwen3.5-397b-a17b") {
      found = true;
      const std::string why = c["why_not"];
      BOOST_TEST(why.find("GiB of RAM of 64.0 beside") != std::string::npos, why);
    }
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(a_corrupted_hwloc_topology_is_refused_before_hwloc_reads_it) {
  // hwloc 2.9's XML import crashes when a space between two attributes turns into a letter, and
  // allocates whatever a distances matrix's nbobjs asks for: both are caught first, with the place.
  std::ifstream in(data("probe/machines/2s-16v100.xml"));
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string path = temp_file(".xml");
  std::string bad = good;
  const auto gap = bad.find("\" ", bad.find("<object type=\"Machine\""));
  bad[gap + 1] = 'x';
  std::ofstream(path) << bad;
  bad_input("--machine " + path, "white space expected between attributes");
  bad = good;
  bad.insert(bad.find("<object type=\"Machine\""), "<distances2 type=\"NUMANode\" nbobjs=\"-1\" kind=\"5\"></distances2>");
  std::ofstream(path) << bad;
  bad_input("--machine " + path, "nbobjs=\"-1\" is not a count");
  std::ofstream(path) << good.substr(0, good.rfind("</topology>"));
  bad_input("--machine " + path, "<topology> is never closed");
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(a_topology_that_crashes_libhwloc_is_an_error_never_a_signal) {
  // Well-formed XML that kills libhwloc 2.9's import (found by mutating a real `lstopo --of xml`
  // export byte by byte): an attribute name with one byte changed (SIGSEGV) and a cpuset starting
  // with ',' (an assertion, SIGABRT). The pre-check lets both through; hwloc reads them in a child
  // process, so --machine and plan --fleet exit 2 with the file and why.
  std::ifstream in(data("probe/machines/2s-16v100.xml"));
  const std::string good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto machine = good.find("<object type=\"Machine\"");
  const std::string path = temp_file(".xml");
  std::string bad = good;
  bad[bad.find("complete_cpuset=", machine)] = 'x';
  std::ofstream(path) << bad;
  const std::string crashed = path + ": hwloc could not read this topology (it crashed hwloc's XML import: signal";
  bad_input("--machine " + path + " --budget 100 --no-calibrate", crashed);
  bad_input("plan --model qwen3-8b --fleet " + path, crashed);
  bad = good;
  bad[bad.find("cpuset=\"0x", machine) + 8] = ',';  // cpuset=",x000000ff"
  std::ofstream(path) << bad;
  bad_input("--machine " + path + " probe", crashed);
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(an_answer_that_cannot_be_written_is_no_success) {
  // stdout on a full disk: the advice never reached its reader, so the exit status says so.
  const int st = std::system((std::string(BENCHR_EXE) + " --budget 100 --no-calibrate >/dev/full 2>/dev/null").c_str());
  BOOST_TEST((WIFEXITED(st) && WEXITSTATUS(st) == 1), st);
}

BOOST_AUTO_TEST_CASE(inputs_that_are_not_files_are_refused_at_once) {
  // /dev/zero would be read forever and a FIFO with no writer would block: both are refused
  // before any read, as is a catalog or machine larger than any real one.
  bad_input("--machine /dev/zero", "not a regular file");
  bad_input("--catalog /dev/zero", "not a regular file");
  const std::string fifo = temp_file(".fifo");
  std::filesystem::remove(fifo);
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  bad_input("--machine " + fifo, "not a regular file");
  bad_input("--catalog " + fifo, "not a regular file");
  bad_input("fit " + fifo, "not a regular file");
  std::filesystem::remove(fifo);
  const std::string big = temp_file(".toml");
  std::filesystem::resize_file(big, (64ull << 20) + 1);  // sparse: 64 MiB and a byte of nothing
  bad_input("--catalog " + big, "more than any such file");
  std::filesystem::remove(big);
  // A /proc file states 0 bytes and holds text: it is read to its end, so it is not TOML (it
  // passed as an empty catalog when read by its stated size) nor a saved machine.
  bad_input("--catalog /proc/cpuinfo", "TOML syntax error");
  bad_input("--machine /proc/cpuinfo", "neither hwloc XML nor valid JSON");
}

BOOST_AUTO_TEST_CASE(bad_input_exits_2_with_one_clear_message) {
  bad_input("--budget -5", "--budget must be a finite number >= 0");
  bad_input("--budget abc", "--budget must be a number");
  bad_input("--context 0", "--context must be a finite whole number >= 1");
  // NaN and infinities are no numbers a flag takes, nor values an integer would saturate at.
  bad_input("--budget inf", "--budget must be a finite number >= 0");
  bad_input("--input-share nan", "--input-share must be a finite number >= 0 and <= 1");
  bad_input("--min-tps inf", "--min-tps must be a finite number");
  bad_input("--tokens-per-month 1e308", "--tokens-per-month must be a finite number >= 0 and <= 1e+15");
  bad_input("--context 99999999999999999999", "--context must be a finite whole number >= 1");
  bad_input("--context 1.5", "--context must be a finite whole number");
  bad_input("--budget 1e309", "--budget must be a finite number >= 0, got '1e309' (beyond what a double holds)");
  // An id flag given an empty value names nothing: an error, not the flag left out.
  bad_input("--hardware ''", "--hardware needs an id, got an empty value");
  bad_input("--hardware rtx-4090 --host ' '", "--host needs an id");
  bad_input("plan --model ''", "--model needs an id");
  bad_input("plan --model qwen3-8b --min-retention nan", "--min-retention must be a finite number");
  bad_input("calibrate --seconds nan", "--seconds must be a finite number >= 0.2 and <= 60");
  bad_input("--frobnicate", "frobnicate");
  bad_input("estimate --model qwen3-8bb --quant Q4_K_M", "unknown model id 'qwen3-8bb' (did you mean 'qwen3-8b'?)");
  bad_input("estimate --model qwen3-8b --quant Q4_K_X", "unknown quant id 'Q4_K_X' (did you mean 'Q4_K_M'?)");
  bad_input("--hardware rtx-9999", "unknown hardware id");
  bad_input("--kv-cache-type f8", "unknown KV cache type 'f8'");
  bad_input("--flash-attn maybe", "--flash-attn: 'maybe' is neither on nor off");
  // A text file of the test's own: neither a catalog nor a machine.
  const std::string text = temp_file(".txt");
  std::ofstream(text) << "Not a catalog and not a machine: plain text the test wrote.\n";
  bad_input("--catalog " + text, text + ":");
  bad_input("--machine " + text, "neither hwloc XML nor valid JSON");
  std::remove(text.c_str());
}

BOOST_AUTO_TEST_CASE(an_integer_flag_written_as_a_double_is_that_integer) {
  // 1e3 and 32768.0 are whole numbers: the validator hands the integer on instead of CLI11's
  // "Could not convert".
  for (const auto& [flag, tokens] : {std::pair{"--context 1e3", 1000}, std::pair{"--context 32768.0", 32768}}) {
    const Result r = run(std::string(flag) + " --no-calibrate --json");
    BOOST_REQUIRE_MESSAGE(r.status == 0, flag << ": " << r.err);
    BOOST_TEST(nlohmann::json::parse(r.out)["workload"]["context_tokens"].get<long long>() == tokens, flag);
  }
}

BOOST_AUTO_TEST_CASE(no_vulkan_driver_still_advises_on_the_cpu) {
  const Result r = run("--budget 100 --json", "VK_ICD_FILENAMES=/nonexistent.json VK_DRIVER_FILES=/nonexistent.json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["machine"]["devices"].size() == 1u);
  BOOST_TEST(j["machine"]["notes"].dump().find("CPU only") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(plan_puts_a_70b_model_on_two_24_gb_cards) {
  // Llama 3.3 70B at Q4_K_M is ~42.5 GB of weights (70.6B x ~4.8 bits): more than one 24 GB
  // card holds, less than two (each keeps 10% free and its own buffers: 2 x 21.6 - 2 x 0.7), with
  // an 8192-token KV cache (2.5 GiB).
  const Result r = run("plan --model llama-3.3-70b --quant Q4_K_M --min-tps 1 --budget 1000 --context 8192 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  int counts_seen = 0;
  for (const auto& o : j["options"]) {
    if (o["hardware_id"] != "rtx-4090" || o["how"] != "buy") continue;
    ++counts_seen;
    if (o["count"] == 1) BOOST_TEST(o["fits"] == false);
    if (o["count"] == 2) {
      BOOST_TEST(o["fits"] == true);
      BOOST_TEST(o["placement"] == "layer_split");
    }
  }
  BOOST_TEST(counts_seen == 2);  // one card, then two: the first count that holds it
  bad_input("plan --model llama-3.3-70x", "unknown model id");
}

BOOST_AUTO_TEST_CASE(deepseek_at_fp8_fits_one_h200_server_but_needs_two_h100_servers) {
  // DeepSeek-V3.1 at FP8: 671B weights at 8 bits (embedding and output BF16) ~ 673 GiB. Eight
  // H200s hold 8 x 141 x 0.95 = 1072 GiB: one server. Eight H100s hold 8 x 80 x 0.95 = 608 GiB:
  // not enough, so two servers of eight, tensor parallel in each, one pipeline stage each.
  const Result r = run("plan --model deepseek-v3.1 --quant FP8 --min-tps 1 --budget 1e6 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  bool h200 = false, h100 = false;
  for (const auto& o : j["options"]) {
    if (o["rental"] == "h200-sxm@runpod-community" && o["fits"] == true) {
      h200 = true;
      BOOST_TEST(o["count"] == 8);
      BOOST_TEST(o["nodes"] == 1);
      BOOST_TEST(o["placement"] == "tensor_parallel");
    }
    if (o["rental"] == "8xh100-sxm@lambda") {
      if (o["count"] == 8) BOOST_TEST(o["fits"] == false);
      if (o["fits"] == true) {
        h100 = true;
        BOOST_TEST(o["count"] == 16);
        BOOST_TEST(o["nodes"] == 2);
        BOOST_TEST(o["launch"].get<std::string>().find("--tensor-parallel-size 8 --pipeline-parallel-size 2") !=
                   std::string::npos);
      }
    }
  }
  BOOST_TEST(h200);
  BOOST_TEST(h100);
}

BOOST_AUTO_TEST_CASE(plan_without_a_model_ranks_the_best_quality_the_budget_buys) {
  const Result r = run("plan --budget 50 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_REQUIRE(!j["local"].empty());
  double last = 1e9;
  for (const auto& o : j["local"]) {
    BOOST_TEST(o["monthly_usd"].get<double>() <= 50.0);
    BOOST_TEST(o["quality"].get<double>() <= last);
    last = o["quality"].get<double>();
  }
  for (const auto& a : j["apis"]) BOOST_TEST(a["monthly_usd"].get<double>() <= 50.0);
  // --min-quality: the cheapest way to a quality, cheapest first.
  const Result q = run("plan --min-quality 40 --budget 1000 --json");
  BOOST_REQUIRE(q.status == 0);
  const auto k = nlohmann::json::parse(q.out);
  double prev = 0;
  for (const auto& o : k["local"]) {
    BOOST_TEST(o["monthly_usd"].get<double>() >= prev);
    prev = o["monthly_usd"].get<double>();
  }
  bad_input("plan --model qwen3-8b --min-quality 10", "not both");
}

BOOST_AUTO_TEST_CASE(compare_puts_machines_side_by_side_with_one_verdict) {
  // Catalog machines only: the answer does not depend on this one. A 4090 in the default $1500
  // host against a 128 GB M4 Max for Qwen3 8B: both run it fast; the text names each machine by
  // letter and id, keeps within 100 columns and gives one verdict; JSON carries the same.
  const std::string args = "compare rtx-4090 apple-m4-max-128gb --model qwen3-8b";
  const Result r = run(args);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("A  rtx-4090: ") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("$1500 for the host") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("B  apple-m4-max-128gb: ") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("Verdict: ") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("is the better buy") != std::string::npos, r.out);
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) BOOST_TEST(line.size() <= 100u, line);
  const Result j = run(args + " --json");
  BOOST_TEST(j.status == 0, j.err);
  const auto doc = nlohmann::json::parse(j.out);
  BOOST_REQUIRE(doc["machines"].size() == 2u);
  BOOST_TEST(doc["machines"][0]["id"] == "rtx-4090");
  BOOST_TEST(doc["machines"][0]["price_usd"].get<double>() == 1599.0 + 1500.0);
  BOOST_TEST(doc["machines"][0].contains("decode_tps_range"));
  BOOST_TEST(doc["machines"][0].contains("breakeven_tokens_per_month"));
  BOOST_TEST(doc["verdict"]["better"].is_string());
  BOOST_TEST(doc["verdict"]["text"].get<std::string>().find("better buy") != std::string::npos);
  // --have-host: the card's price alone.
  const auto alone = nlohmann::json::parse(run(args + " --have-host --json").out);
  BOOST_TEST(alone["machines"][0]["price_usd"].get<double>() == 1599.0);

  bad_input("compare rtx-4090 --model qwen3-8b", "MACHINES");
  bad_input("compare rtx-4090 rtx-409 --model qwen3-8b", "unknown machine 'rtx-409' (did you mean 'rtx-4090'?)");
  bad_input("compare rtx-4090 2xapple-m4-max-128gb --model qwen3-8b", "is not a graphics card");
  bad_input("compare rtx-4090 rtx-3090 --model qwen3-8bb", "--model: unknown model id");
}

BOOST_AUTO_TEST_CASE(a_purchase_over_the_budget_by_itself_is_named_as_the_reason) {
  // DGX Spark: $3,999 (data/hardware.toml) over 36 months is $111/month, above $100, so no model
  // fits the budget there; the verdict says why, and with the machine owned a model is picked.
  const Result r = run("--hardware dgx-spark --budget 100 --json");
  BOOST_REQUIRE(r.status == 0);
  const auto verdict = nlohmann::json::parse(r.out)["verdict"];
  BOOST_TEST(verdict["decision"] == "use_api");
  BOOST_TEST(verdict["reason"].get<std::string>().find("buying this machine alone costs $111/month over 36 months") !=
                 std::string::npos,
             verdict["reason"]);
  const Result owned = run("--hardware dgx-spark --budget 100 --owned --json");
  BOOST_REQUIRE(owned.status == 0);
  BOOST_TEST(nlohmann::json::parse(owned.out)["verdict"]["decision"] == "run_local");
}

BOOST_AUTO_TEST_CASE(users_share_the_machine_and_each_get_their_kv_cache) {
  const Result one = run("estimate --model llama-3.1-8b --quant FP8 --hardware h100-sxm --json");
  const Result many = run("estimate --model llama-3.1-8b --quant FP8 --hardware h100-sxm --users 16 --json");
  BOOST_REQUIRE(one.status == 0);
  BOOST_REQUIRE(many.status == 0);
  const auto a = nlohmann::json::parse(one.out), b = nlohmann::json::parse(many.out);
  BOOST_TEST(b["users"] == 16);
  BOOST_TEST(b["aggregate_tps"].get<double>() == 16 * b["decode_tps"].get<double>(), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(b["decode_tps"].get<double>() <= a["decode_tps"].get<double>());
  BOOST_TEST(b["memory"]["kv_cache_bytes"].get<double>() == 16 * a["memory"]["kv_cache_bytes"].get<double>(),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(a["engine"] == "vLLM");
  bad_input("--users 0", "--users");
  bad_input("--hardware apple-m4-16gb --gpus 2", "not a graphics card");
}

BOOST_AUTO_TEST_CASE(a_larger_micro_batch_prefills_an_moe_faster_and_is_in_its_command) {
  // Each expert's weights are loaded once a micro-batch: -ub 2048 shares those loads over 4x the
  // tokens of llama.cpp's default 512, and the compute buffer grows with it.
  const std::string base = "estimate --model qwen3-30b-a3b --quant Q4_K_M --hardware rtx-4090 --prompt-tokens 2048 --json";
  const Result d = run(base), wide = run(base + " --ubatch 2048");
  BOOST_REQUIRE(d.status == 0);
  BOOST_REQUIRE(wide.status == 0);
  const auto a = nlohmann::json::parse(d.out), b = nlohmann::json::parse(wide.out);
  BOOST_TEST(a["workload"]["ubatch_tokens"] == 512);
  BOOST_TEST(b["workload"]["ubatch_tokens"] == 2048);
  BOOST_TEST(b["prefill_tps"].get<double>() > 1.5 * a["prefill_tps"].get<double>());
  BOOST_TEST(b["decode_tps"].get<double>() == a["decode_tps"].get<double>(), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(b["memory"]["compute_bytes"].get<double>() == 4 * a["memory"]["compute_bytes"].get<double>(),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(a["launch"].get<std::string>().find(" -ub ") == std::string::npos);
  BOOST_TEST(b["launch"].get<std::string>().find(" -ub 2048") != std::string::npos);
  BOOST_TEST(run(base + " --ubatch 4096").out.find(" -b 4096 -ub 4096") != std::string::npos);
  bad_input("--ubatch 0", "--ubatch");
  bad_input("--ubatch many", "--ubatch");
}

BOOST_AUTO_TEST_CASE(a_fleet_of_saved_probes_is_planned_as_owned_machines) {
  const std::string path = temp_file(".json");
  BOOST_REQUIRE(run("probe --save " + path + " --no-calibrate").status == 0);
  const Result r = run("plan --model qwen3-0.6b --fleet " + path + " " + path + " --json");
  std::remove(path.c_str());
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_REQUIRE(j["options"].size() >= 2u);
  for (const auto& o : j["options"]) BOOST_TEST(o["how"] == "own");
  bad_input("plan --model qwen3-0.6b --fleet /nonexistent.json", "nonexistent");
}

BOOST_AUTO_TEST_CASE(a_saved_probe_with_a_field_of_the_wrong_type_is_bad_input) {
  // A hand-edited save: a string where a number belongs, a number beyond a double. Exit 2 naming
  // the file, not an internal error.
  const std::string path = temp_file(".json");
  BOOST_REQUIRE(run("probe --save " + path + " --no-calibrate").status == 0);
  auto j = nlohmann::json::parse(std::ifstream(path));
  j["version"] = "one";
  std::ofstream(path) << j.dump();
  bad_input("--machine " + path, "a field has the wrong type or is out of range");
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(help_teaches_with_examples) {
  const Result r = run("--help");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.find("USD") != std::string::npos);
  BOOST_TEST(r.out.find("Examples:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_saved_probe_replays_the_same_machine) {
  const std::string path = temp_file(".json");
  const Result saved = run("probe --json --save " + path);
  BOOST_REQUIRE(saved.status == 0);
  const Result replay = run("probe --json --machine " + path);
  std::remove(path.c_str());
  BOOST_REQUIRE(replay.status == 0);
  const auto a = nlohmann::json::parse(saved.out), b = nlohmann::json::parse(replay.out);
  BOOST_TEST(a["cpu"] == b["cpu"]);
  BOOST_TEST(a["devices"] == b["devices"]);
}

BOOST_AUTO_TEST_CASE(an_hwloc_xml_topology_is_a_machine_too) {
  // tests/probe/machines/2s-16v100.xml: a two-socket host shaped after a DGX-2, written for the tests.
  const Result r = run("--machine " + data("probe/machines/2s-16v100.xml") + " --json");
  BOOST_REQUIRE(r.status == 0);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["machine"]["cpu"]["model"] == "Intel(R) Xeon(R) Platinum 8174 CPU @ 3.10GHz");
  // Its 16 GPUs, known from their PCI ids: a 70B at Q4_K_M (40 GiB) goes over them, not on the
  // CPUs, and the catalog's V100 SXM3 gives their memory and NVSwitch link.
  const Result e = run("--machine " + data("probe/machines/2s-16v100.xml") +
                       " estimate --model llama-3.3-70b --quant Q4_K_M --json");
  BOOST_REQUIRE(e.status == 0);
  const auto est = nlohmann::json::parse(e.out);
  BOOST_TEST(est["placement"] == "layer_split");
  BOOST_TEST(est["gpus"] == 16);
  BOOST_TEST(est["fits"] == true);
  BOOST_TEST(est["memory"]["available_bytes"].get<double>() == 32.0 * 1024 * 1024 * 1024);
  const Result p = run("--machine " + data("probe/machines/2s-16v100.xml") + " probe --width 100");
  BOOST_TEST(p.out.find("16 x Tesla V100-SXM3-32GB-H (cuda backend), 32.0 GiB for a model each") != std::string::npos,
             p.out);
}

BOOST_AUTO_TEST_CASE(listings_filter_and_mark_stale_prices) {
  const auto models = nlohmann::json::parse(run("models --family qwen3 --max-params 10 --json").out);
  BOOST_TEST(models.size() >= 4u);
  for (const auto& m : models) {
    BOOST_TEST(m["id"].get<std::string>().rfind("qwen3", 0) == 0u);
    BOOST_TEST(m["params_b"].get<double>() <= 10.0);
  }
  const auto gpus = nlohmann::json::parse(run("hardware --kind gpu --max-price 1000 --json").out);
  BOOST_TEST(gpus.size() >= 5u);
  for (const auto& h : gpus) BOOST_TEST((h["kind"] == "gpu" && h["price_usd"].get<double>() <= 1000));
  // DeepSeek's own V3.1 price is from 2025-09-05: more than 180 days before any run of this test.
  bool stale = false;
  for (const auto& p : nlohmann::json::parse(run("prices --json").out))
    if (p.value("id", "") == "deepseek-v3.1@deepseek") stale = p["possibly_stale"];
  BOOST_TEST(stale);
  bad_input("models --license apache", "did you mean 'Apache-2.0'?");
  bad_input("hardware --kind tpu", "--kind");
}

BOOST_AUTO_TEST_CASE(catalog_listings_print) {
  for (const char* what : {"models", "quants", "hardware", "prices"}) {
    const Result r = run(std::string(what) + " --json");
    BOOST_TEST(r.status == 0, what);
    BOOST_TEST(nlohmann::json::parse(r.out).size() > 0u, what);
  }
}

namespace {
using benchr::test::slurp;
using benchr::test::temp_dir;

/// The one .json file of the cache directory `dir` whose name starts with `prefix`, or "".
std::string cache_entry(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir + "/benchr-advise", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename();
    if (name.rfind(prefix, 0) == 0 && it->path().extension() == ".json") return it->path();
  }
  return "";
}

/// The one calibration file in a cache directory.
std::string cache_file(const std::string& dir) { return cache_entry(dir, "calibration-"); }
}  // namespace

BOOST_AUTO_TEST_CASE(calibration_is_cached_and_reused) {
  const std::string dir = temp_dir(), env = "XDG_CACHE_HOME=" + dir;
  const Result cal = run("calibrate --seconds 0.5 --json", env);
  BOOST_REQUIRE(cal.status == 0);
  const auto measured = nlohmann::json::parse(cal.out);
  BOOST_TEST(measured["devices"][0]["read_gbps"].get<double>() > 0.0);
  const std::string file = cache_file(dir);
  BOOST_REQUIRE(!file.empty());
  BOOST_TEST(nlohmann::json::parse(slurp(file))["measured_at"] == measured["measured_at"]);
  // advise uses the cached figures: its device says so, with the same timestamp.
  const Result advice = run("--budget 100 --json", env);
  BOOST_REQUIRE(advice.status == 0);
  const std::string source = nlohmann::json::parse(advice.out)["machine"]["devices"][0]["read_gbps"]["source"];
  BOOST_TEST(source.find(measured["measured_at"].get<std::string>()) != std::string::npos, source);
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(a_corrupt_or_foreign_cache_is_ignored_with_a_warning) {
  const std::string dir = temp_dir(), env = "XDG_CACHE_HOME=" + dir;
  BOOST_REQUIRE(run("calibrate --seconds 0.3", env).status == 0);
  const std::string file = cache_file(dir);
  const std::string good = slurp(file);

  std::ofstream(file) << good.substr(0, good.size() / 2);  // truncated
  Result r = run("--budget 100", env);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.find("warning: ignoring") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("not JSON: byte") != std::string::npos, r.err);
  BOOST_TEST(nlohmann::json::accept(slurp(file)));  // measured again and rewritten whole

  auto j = nlohmann::json::parse(slurp(file));
  j["fingerprint"] = "another machine";
  std::ofstream(file) << j.dump();
  r = run("--budget 100", env);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.find("belongs to another machine") != std::string::npos, r.err);

  j = nlohmann::json::parse(slurp(file));
  j["kernel_version"] = 0;
  std::ofstream(file) << j.dump();
  r = run("--budget 100", env);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.find("kernel version 0") != std::string::npos, r.err);

  // Well-formed JSON, impossible figures: ignored with one line naming the field, measured again
  // (the file is rewritten with figures in range).
  j = nlohmann::json::parse(slurp(file));
  j["devices"][0]["read_gbps"] = 1e-300;
  std::ofstream(file) << j.dump();
  r = run("--budget 100", env);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.find("devices[0].read_gbps: 1e-300 is out of range") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("measuring again") != std::string::npos, r.err);
  BOOST_TEST(r.out.find("e-300") == std::string::npos);
  BOOST_TEST(nlohmann::json::parse(slurp(file))["devices"][0]["read_gbps"].get<double>() > 0.01);

  j = nlohmann::json::parse(slurp(file));
  j["devices"] = nullptr;
  std::ofstream(file) << j.dump();
  r = run("--budget 100", env);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.err.find("devices: not an array") != std::string::npos, r.err);
  BOOST_TEST(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(a_cache_with_a_hundred_thousand_notes_prints_a_few) {
  const std::string dir = temp_dir(), env = "XDG_CACHE_HOME=" + dir;
  BOOST_REQUIRE(run("calibrate --seconds 0.2", env).status == 0);
  const std::string file = cache_file(dir);
  auto j = nlohmann::json::parse(slurp(file));
  j["notes"] = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) j["notes"].push_back("forged note " + std::to_string(i));
  j["quality"]["contended"] = false;  // kept as it is: no re-measure on this run
  std::ofstream(file) << j.dump();
  // The machine's notes as --json carries them (the terminal joins notes with the same lead).
  const Result r = run("--budget 100 --json", env);
  BOOST_TEST_REQUIRE(r.status == 0, r.err);
  std::size_t shown = 0;
  bool counted = false;
  const auto advice = nlohmann::json::parse(r.out);
  for (const auto& n : advice["machine"]["notes"]) {
    shown += n.get<std::string>().find("forged note") != std::string::npos;
    counted = counted || n == "calibration: 99980 more notes not shown";
  }
  BOOST_TEST(shown == 20u);
  BOOST_TEST(counted);
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(a_relative_xdg_cache_home_is_ignored) {
  // XDG Base Directory spec: a relative path in XDG_CACHE_HOME is invalid and ignored, so the
  // cache goes to $HOME/.cache.
  const std::string home = temp_dir();
  const Result r = run("calibrate --seconds 0.2", "cd " + home + " && HOME=" + home + " XDG_CACHE_HOME=relative/cache");
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(!cache_file(home + "/.cache").empty());
  BOOST_TEST(std::system(("test -e " + home + "/relative").c_str()) != 0);
  BOOST_TEST(r.out.find("cached in " + home + "/.cache/benchr-advise/") != std::string::npos, r.out);
  std::system(("rm -rf " + home).c_str());
}

BOOST_AUTO_TEST_CASE(a_cache_that_cannot_be_written_is_never_said_to_be_cached) {
  // A regular file where the cache directory would go: mkdir fails with ENOTDIR (as root too,
  // which a read-only directory would not stop).
  const std::string blocker = temp_file(".file");
  const Result r = run("calibrate --seconds 0.2", "XDG_CACHE_HOME=" + blocker + "/sub");
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.out.find("cached in") == std::string::npos, r.out);
  BOOST_TEST(r.out.find("not cached: could not create " + blocker + "/sub: Not a directory") != std::string::npos, r.out);
  BOOST_TEST(r.err.find("warning: calibration not cached") != std::string::npos, r.err);
  std::remove(blocker.c_str());
}

/// The one device cache file in a cache directory.
std::string device_file(const std::string& dir) { return cache_entry(dir, "devices-"); }

/// The names of a probe's devices, in order.
std::vector<std::string> device_names(const std::string& probe_json) {
  std::vector<std::string> names;
  const auto j = nlohmann::json::parse(probe_json);  // kept: a range over a temporary's member dangles
  for (const auto& d : j["devices"]) names.push_back(d["name"].get<std::string>());
  return names;
}

bool has_note(const std::string& probe_json, const std::string& part) {
  const auto j = nlohmann::json::parse(probe_json);
  for (const auto& n : j["notes"])
    if (n.get<std::string>().find(part) != std::string::npos) return true;
  return false;
}

BOOST_AUTO_TEST_CASE(the_gpu_scan_is_cached_and_rescanned_when_the_drivers_change) {
  const std::string dir = temp_dir(), env = "XDG_CACHE_HOME=" + dir;
  // First run: Vulkan enumerates lavapipe (scripts/setup.sh installs it) and the scan is cached.
  const Result cold = run("probe --json --no-calibrate", env);
  BOOST_REQUIRE_MESSAGE(cold.status == 0, cold.err);
  const std::string file = device_file(dir);
  BOOST_REQUIRE(!file.empty());
  const auto cached = nlohmann::json::parse(slurp(file));
  BOOST_TEST(cached["vulkan"].size() >= 1u);
  BOOST_TEST(!has_note(cold.out, "GPUs as scanned"));
  // Second run: the same devices, from the cache (its note says when they were scanned).
  const Result warm = run("probe --json --no-calibrate", env);
  BOOST_REQUIRE(warm.status == 0);
  BOOST_TEST(device_names(warm.out) == device_names(cold.out), boost::test_tools::per_element());
  BOOST_TEST(has_note(warm.out, "GPUs as scanned " + cached["scanned_at"].get<std::string>()), warm.out);
  // The cache answers for the devices: a GPU written into it shows (so it was not enumerated).
  auto j = cached;
  j["vulkan"][0]["name"] = "Cached Test GPU";
  std::ofstream(file) << j.dump();
  BOOST_TEST(device_names(run("probe --json --no-calibrate", env).out)[1] == "Cached Test GPU");
  // Another set of Vulkan drivers is another fingerprint: scanned again, here finding none.
  const Result other = run("probe --json --no-calibrate", env + " VK_ICD_FILENAMES=/nonexistent.json");
  BOOST_REQUIRE(other.status == 0);
  BOOST_TEST(device_names(other.out).size() == 1u, other.out);  // the CPU alone
  BOOST_TEST(!has_note(other.out, "GPUs as scanned"));
  // A corrupt file is ignored with a warning naming it, scanned again and rewritten whole.
  std::ofstream(file) << "{\"format\": \"benchr-advise devices\", \"version\": 1, \"fingerprint\": ";
  const Result fixed = run("probe --json --no-calibrate", env);
  BOOST_TEST(fixed.status == 0);
  BOOST_TEST(fixed.err.find("warning: ignoring " + file + ": unreadable") != std::string::npos, fixed.err);
  BOOST_TEST(device_names(fixed.out) == device_names(cold.out), boost::test_tools::per_element());
  BOOST_TEST(nlohmann::json::accept(slurp(file)));
  // calibrate scans again whatever the cache holds.
  j = nlohmann::json::parse(slurp(file));
  j["vulkan"][0]["name"] = "Cached Test GPU";
  std::ofstream(file) << j.dump();
  BOOST_REQUIRE(run("calibrate --seconds 0.3", env).status == 0);
  BOOST_TEST(nlohmann::json::parse(slurp(file))["vulkan"][0]["name"] == cached["vulkan"][0]["name"]);
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(two_processes_calibrating_at_once_leave_one_whole_file) {
  const std::string dir = temp_dir(), env = "XDG_CACHE_HOME=" + dir;
  const std::string exe = std::string(BENCHR_EXE);
  const std::string both = "(" + env + " " + exe + " calibrate --seconds 0.3 >/dev/null & " + env + " " + exe +
                           " calibrate --seconds 0.3 >/dev/null & wait)";
  BOOST_TEST(std::system(both.c_str()) == 0);
  const std::string file = cache_file(dir);
  BOOST_REQUIRE(!file.empty());
  BOOST_TEST(nlohmann::json::accept(slurp(file)));
  const int leftovers = std::system(("ls " + dir + "/benchr-advise/*.tmp >/dev/null 2>&1").c_str());
  BOOST_TEST(leftovers != 0);  // no temporary file left behind
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(fit_reads_a_gguf_file_and_estimates_it) {
  // A sparse Llama-3.1-8B Q4_K_M (header only, the data a hole): weights 4.91 GB, as the real
  // 4,916,393,984-byte file (local-llamacpp.csv) less its header.
  const std::string dir = temp_dir();
  const std::string path = dir + "/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf";
  gguf_test::write_gguf(path, gguf_test::llama_3_1_8b_q4_k_m());
  const Result r = run("fit " + path + " --hardware rtx-4090 --json");
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  const auto j = nlohmann::json::parse(r.out);
  BOOST_TEST(j["file"]["weight_bytes"].get<double>() / 4916393984.0 == 1.0, boost::test_tools::tolerance(0.01));
  BOOST_TEST(j["file"]["layers"] == 32);
  BOOST_TEST(j["fits"] == true);
  BOOST_TEST(j["placement"] == "all_gpu");
  BOOST_TEST(j["memory"]["kv_cache_bytes"] == 4294967296.0);  // 32768 tokens (the default) x 128 KiB
  // The command to run it names the file that was read, not a catalog-style name.
  BOOST_TEST(j["launch"].get<std::string>().find("llama-server -m " + path + " ") == 0u);

  // The same file cut short: one message naming the file and the byte, exit 2.
  std::filesystem::resize_file(path, 100);
  bad_input("fit " + path, "byte");
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(fit_refuses_metadata_that_describe_no_possible_model) {
  // The 8B's file with metadata a writer got wrong: each is exit 2 with the file and the rule,
  // never an estimate with a negative or NaN figure.
  const std::string dir = temp_dir();
  auto with = [&](const std::string& name, std::vector<std::string> extra, std::string_view drop = {}) {
    gguf_test::Gguf g = gguf_test::llama_3_1_8b_q4_k_m();
    if (!drop.empty())
      g.kvs.erase(std::remove_if(g.kvs.begin(), g.kvs.end(),
                                 [&](const std::string& kv) { return kv.find(drop) != std::string::npos; }),
                  g.kvs.end());
    for (auto& kv : extra) g.kvs.push_back(kv);
    const std::string path = dir + "/" + name + ".gguf";
    gguf_test::write_gguf(path, g);
    return path;
  };
  bad_input("fit " + with("used", {gguf_test::kv_u32("llama.expert_count", 4), gguf_test::kv_u32("llama.expert_used_count", 8),
                                   gguf_test::kv_u32("llama.expert_feed_forward_length", 1024)}),
            "0 < experts_active <= experts");
  bad_input("fit " + with("dense", {gguf_test::kv_u32("llama.expert_count", 8), gguf_test::kv_u32("llama.expert_used_count", 2),
                                    gguf_test::kv_u32("llama.expert_feed_forward_length", 1024),
                                    gguf_test::kv_u32("llama.leading_dense_block_count", 40)}),
            "dense_layers (40) exceeds layers (32)");
  bad_input("fit " + with("hidden", {}, "embedding_length"), "must all be > 0");
  std::system(("rm -rf " + dir).c_str());
}

BOOST_AUTO_TEST_CASE(the_readme_counts_what_the_catalog_holds) {
  // The README's command table says how many models, machines and quants the embedded catalog
  // has, e.g. "the catalog's models (72)"; a catalog change that leaves it stale fails here.
  const std::string readme = slurp(std::string(BENCHR_TEST_DATA) + "/../README.md");
  for (const auto& [what, phrase] : std::vector<std::pair<std::string, std::string>>{
           {"models", "the catalog's models ("}, {"hardware", "machines to plan for ("}, {"quants", "quantizations ("}}) {
    const auto at = readme.find(phrase);
    BOOST_REQUIRE_MESSAGE(at != std::string::npos, "README lacks '" << phrase << "'");
    const int stated = std::stoi(readme.substr(at + phrase.size()));
    const Result r = run(what + " --json");
    BOOST_REQUIRE(r.status == 0);
    BOOST_TEST(stated == int(nlohmann::json::parse(r.out).size()), what << ": README says " << stated);
  }
}
