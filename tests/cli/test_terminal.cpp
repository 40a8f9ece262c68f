// The terminal as a user meets it: text within the width, colour only where it belongs, the
// version, each command's help, the man page and the shell completions -- from the built binary;
// and the layout helpers they rest on (app/table.hpp) on worked examples.
#define BOOST_TEST_MODULE terminal
#include <boost/test/unit_test.hpp>


#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "gguf_writer.hpp"
#include "run_tool.hpp"
#include "table.hpp"

namespace {

using benchr::test::Result;
using benchr::test::shell;

/// benchr-advise with `args`, an empty calibration cache (so nothing is measured by surprise)
/// and no COLUMNS or NO_COLOR from the environment the tests run in.
Result run(const std::string& args, const std::string& env = "") {
  return shell("env -u COLUMNS -u NO_COLOR XDG_CACHE_HOME=/tmp/benchr-term-cache " + env + " " +
               std::string(BENCHR_EXE) + " " + args);
}

std::string data(const char* rel) { return std::string(BENCHR_TEST_DATA) + "/" + rel; }

/// The widest line of `text`, in terminal columns (UTF-8 code points).
std::size_t widest(const std::string& text) {
  std::size_t most = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) most = std::max(most, benchr::columns(line));
  return most;
}

bool has_escape(const std::string& s) { return s.find("\x1b[") != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_CASE(every_answer_fits_80_columns_at_width_80) {
  const std::string machine = "--machine " + data("probe/machines/2s-16v100.xml");
  const std::string gguf = "/tmp/benchr-term-llama.gguf";
  gguf_test::write_gguf(gguf, gguf_test::llama_3_1_8b_q4_k_m());
  const std::vector<std::string> commands = {
      "--no-calibrate --budget 100",
      "--no-calibrate --budget 100 -v",
      "--hardware rtx-4090 --budget 100",
      machine + " --budget 50 -v",
      "estimate --model qwen3-8b --quant Q4_K_M --no-calibrate -v",
      "estimate --model llama-3.3-70b --quant FP8 --hardware h100-sxm --gpus 4 --users 32",
      "fit " + gguf + " --hardware rtx-4090 -v",
      "plan --model llama-3.3-70b --min-tps 15 --budget 150",
      "plan --budget 100",
      "plan --model llama-3.3-70b --fleet " + data("probe/machines/2s-16v100.xml"),
      "compare rtx-4090 apple-m4-max-128gb 2xrtx-3090 --model qwen3-32b",
      "probe --no-calibrate",
      "probe " + machine,
      "models", "quants", "hardware", "prices",
      "--help", "advise --help", "estimate --help", "fit --help", "plan --help", "compare --help",
      "probe --help", "calibrate --help", "models --help", "completion --help"};
  for (const auto& c : commands) {
    const Result r = run(c + " --width 80");
    BOOST_TEST(r.status == 0, c << ": " << r.err);
    BOOST_TEST(widest(r.out) <= 80u, c << ":\n" << r.out);
  }
  // The width is the flag's: wider, the same answers use it (so the check above can fail).
  BOOST_TEST(widest(run("--hardware rtx-4090 --width 160").out) > 80u);
  BOOST_TEST(widest(run("hardware --width 160").out) > 80u);
  std::remove(gguf.c_str());
}

BOOST_AUTO_TEST_CASE(the_width_comes_from_the_flag_then_COLUMNS_then_80_when_piped) {
  const std::string cmd = "plan --model llama-3.3-70b --min-tps 15 --budget 150";
  BOOST_TEST(widest(run(cmd).out) <= 80u);  // piped, nothing said: 80
  const std::size_t at_120 = widest(run(cmd, "COLUMNS=120").out);
  BOOST_TEST(at_120 > 80u);
  BOOST_TEST(at_120 <= 120u);
  BOOST_TEST(widest(run(cmd + " --width 70", "COLUMNS=120").out) <= 70u);  // the flag wins
  // A COLUMNS that is no width is said and ignored (as ls does); a bad --width is an error.
  const Result bad = run(cmd, "COLUMNS=wide");
  BOOST_TEST(bad.status == 0);
  BOOST_TEST(bad.err.find("ignoring COLUMNS='wide'") != std::string::npos, bad.err);
  BOOST_TEST(widest(bad.out) <= 80u);
  const Result narrow = run(cmd + " --width 10");
  BOOST_TEST(narrow.status == 2);
  BOOST_TEST(narrow.err.find("--width") != std::string::npos, narrow.err);
}

BOOST_AUTO_TEST_CASE(ids_are_never_cut) {
  // The longest catalog ids, in listings a third of their old column: whole, no '~'.
  const Result r = run("prices --width 80");
  BOOST_TEST(r.out.find('~') == std::string::npos, r.out);
  const auto apis = nlohmann::json::parse(run("prices --json").out);
  for (const auto& a : apis)
    if (a.contains("id")) BOOST_TEST(r.out.find(a["id"].get<std::string>()) != std::string::npos, a["id"]);
  const Result hw = run("hardware --width 80");
  for (const auto& h : nlohmann::json::parse(run("hardware --json").out))
    BOOST_TEST(hw.out.find(h["id"].get<std::string>() + " ") != std::string::npos, h["id"]);
}

BOOST_AUTO_TEST_CASE(the_answer_comes_before_the_machine) {
  const Result r = run("--hardware rtx-4090 --budget 100 --width 80");
  const auto pick = r.out.find("Recommended here:"), verdict = r.out.find("Verdict ("),
             machine = r.out.find("Machine: ");
  BOOST_TEST(pick == 0u, r.out);
  BOOST_TEST(verdict < machine);
  BOOST_TEST(r.out.find("run it") < machine);
  // Sources only with -v.
  BOOST_TEST(r.out.find("[datasheet") == std::string::npos, r.out);
  BOOST_TEST(run("--hardware rtx-4090 --budget 100 -v").out.find("[datasheet") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(colour_only_on_a_terminal_without_NO_COLOR_or_when_asked) {
  const std::string cmd = "--hardware rtx-4090 --budget 100";
  BOOST_TEST(!has_escape(run(cmd).out));  // piped
  BOOST_TEST(has_escape(run(cmd + " --color always").out));
  BOOST_TEST(!has_escape(run(cmd + " --color always --json").out));  // JSON never
  // On a pseudo-terminal (script(1)): colour by default, none with NO_COLOR, TERM=dumb or --color never.
  const auto on_tty = [&](const std::string& env, const std::string& flags) {
    return shell("env -u COLUMNS -u NO_COLOR TERM=xterm " + env + " script -qec '" + std::string(BENCHR_EXE) + " " +
                 cmd + " " + flags + " --width 80' /dev/null")
        .out;
  };
  BOOST_TEST(has_escape(on_tty("", "")));
  BOOST_TEST(!has_escape(on_tty("NO_COLOR=1", "")));
  BOOST_TEST(!has_escape(on_tty("TERM=dumb", "")));
  BOOST_TEST(!has_escape(on_tty("", "--color never")));
  BOOST_TEST(has_escape(on_tty("NO_COLOR=1", "--color always")));
  const Result bad = run(cmd + " --color sometimes");
  BOOST_TEST(bad.status == 2);
  BOOST_TEST(bad.err.find("--color") != std::string::npos, bad.err);
}

BOOST_AUTO_TEST_CASE(version_names_the_catalog_date_and_the_kernels) {
  const Result r = run("--version");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.out.rfind("benchr-advise 0.", 0) == 0u, r.out);
  // The catalog's date is its newest entry's: at least the newest price in `prices --json`.
  std::string newest;
  for (const auto& a : nlohmann::json::parse(run("prices --json").out))
    newest = std::max(newest, a["as_of"].get<std::string>());
  BOOST_TEST(r.out.find("catalog of ") != std::string::npos, r.out);
  BOOST_TEST(r.out.substr(r.out.find("catalog of ") + 11, 10) >= newest, r.out);
  BOOST_TEST(r.out.find("calibration kernels v") != std::string::npos, r.out);
}

BOOST_AUTO_TEST_CASE(each_command_help_lists_the_flags_it_honours_and_its_own_example) {
  const Result est = run("estimate --help");
  BOOST_TEST(est.status == 0);
  for (const char* flag : {"--model ID", "--quant ID", "--backend", "--json", "--width", "--hardware ID",
                           "--budget USD", "--context N", "--catalog FILE"})
    BOOST_TEST(est.out.find(flag) != std::string::npos, flag);
  BOOST_TEST(est.out.find("Usage: benchr-advise estimate --model ID --quant ID") == 0u, est.out);
  BOOST_TEST(est.out.find("Example:\n  benchr-advise estimate") != std::string::npos, est.out);
  BOOST_TEST(est.out.find("plan --model deepseek") == std::string::npos);  // not the shared block
  // plan reads --host but not --hardware or --machine; the listings no workload.
  const Result plan = run("plan --help");
  BOOST_TEST(plan.out.find("--host ID") != std::string::npos);
  BOOST_TEST(plan.out.find("--hardware ID") == std::string::npos, plan.out);
  BOOST_TEST(plan.out.find("--machine FILE") == std::string::npos, plan.out);
  BOOST_TEST(plan.out.find("--fleet FILE") != std::string::npos);
  const Result models = run("models --help");
  BOOST_TEST(models.out.find("--family") != std::string::npos);
  BOOST_TEST(models.out.find("--budget") == std::string::npos, models.out);
  BOOST_TEST(models.out.find("--json") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(the_man_page_renders_with_every_command) {
  const std::string page = "/tmp/benchr-term.1";
  BOOST_REQUIRE(run("--man > " + page).status == 0);
  const Result r = shell("groff -man -Tutf8 -ww -P-c -P-b -P-u " + page);
  BOOST_TEST(r.status == 0, r.err);
  BOOST_TEST(r.err.empty(), r.err);  // -ww: any roff warning shows here
  for (const char* name : {"advise", "estimate", "fit", "plan", "compare", "probe", "calibrate", "models", "quants",
                           "hardware", "prices", "completion"})
    BOOST_TEST(r.out.find("\n   " + std::string(name) + "\n") != std::string::npos, name);
  for (const char* section : {"NAME", "SYNOPSIS", "COMMANDS", "OPTIONS", "EXAMPLES", "ENVIRONMENT", "EXIT STATUS"})
    BOOST_TEST(r.out.find(std::string("\n") + section + "\n") != std::string::npos, section);
  BOOST_TEST(r.out.find("--tokens-per-month") != std::string::npos);
  std::remove(page.c_str());
}

BOOST_AUTO_TEST_CASE(completion_scripts_parse_and_complete_catalog_ids) {
  for (const std::string sh : {"bash", "zsh", "fish"}) {
    const std::string file = "/tmp/benchr-term-completion." + sh;
    BOOST_REQUIRE(run("completion " + sh + " > " + file).status == 0);
    // zsh and fish come from scripts/setup.sh; a shell that is missing fails here, it is not skipped.
    const Result check = shell(sh + " -n " + file);
    BOOST_TEST(check.status == 0, sh << ": " << check.err);
  }
  // bash: `benchr-advise --hardware rtx-40<TAB>` offers exactly the catalog's rtx-40 ids.
  std::vector<std::string> expected;
  for (const auto& h : nlohmann::json::parse(run("hardware --json").out))
    if (h["id"].get<std::string>().rfind("rtx-40", 0) == 0) expected.push_back(h["id"]);
  BOOST_REQUIRE(expected.size() >= 5u);
  const auto complete = [](const std::string& words, int cword) {
    return shell("bash -c 'source /tmp/benchr-term-completion.bash; COMP_WORDS=(" + words + "); COMP_CWORD=" +
                 std::to_string(cword) + "; _benchr_advise; printf \"%s\\n\" \"${COMPREPLY[@]}\"'")
        .out;
  };
  const std::string got = complete("benchr-advise --hardware rtx-40", 2);
  std::vector<std::string> offered;
  std::istringstream lines(got);
  for (std::string l; std::getline(lines, l);) offered.push_back(l);
  std::sort(offered.begin(), offered.end());
  std::sort(expected.begin(), expected.end());
  BOOST_TEST(offered == expected, got);
  BOOST_TEST(complete("benchr-advise est", 1) == "estimate\n");
  BOOST_TEST(complete("benchr-advise --vers", 1) == "--version\n");          // the program's own flags
  BOOST_TEST(complete("benchr-advise plan --vers", 2) == "\n");              // not a plan flag
  BOOST_TEST(complete("benchr-advise --budget 5 --no-cal", 3) == "--no-calibrate\n");  // advise's, by default
  BOOST_TEST(complete("benchr-advise plan --mod", 2) == "--model\n");
  BOOST_TEST(complete("benchr-advise estimate --model qwen3-8", 3).find("qwen3-8b\n") != std::string::npos);
  BOOST_TEST(complete("benchr-advise models --budg", 2) == "\n");  // nothing: models reads no workload
}

BOOST_AUTO_TEST_CASE(a_table_wraps_prose_and_drops_columns_but_never_cuts_a_cell) {
  using benchr::Column;
  const std::vector<std::vector<std::string>> rows = {
      {"8xh100-sxm@azure-nd-h100-v5", "rent", "$17042", "over budget: needs 8 GPUs and a rack"},
      {"rtx-4090", "buy", "$89", "yes"}};
  const std::vector<Column> cols = {{"option"}, {"how"}, {"$/month", true, 1}, {"meets", false, 0, true}};
  // Wide: one line a row. 27 + 1 + 4 + 1 + 7 + 1 + 36 = 77 columns.
  const std::string wide = benchr::table(cols, rows, 100);
  BOOST_TEST(wide.find("8xh100-sxm@azure-nd-h100-v5 rent  $17042 over budget: needs 8 GPUs and a rack\n") !=
                 std::string::npos,
             wide);
  // 60 columns: the prose column gets 60 - 41 = 19 and wraps at spaces.
  const std::string mid = benchr::table(cols, rows, 60);
  BOOST_TEST(widest(mid) <= 60u, mid);
  BOOST_TEST(mid.find("over budget: needs\n") != std::string::npos, mid);
  // 50: 50 - 41 = 9 < the 14 prose needs: $/month (drop 1) goes, prose gets 17.
  const std::string narrow = benchr::table(cols, rows, 50);
  BOOST_TEST(narrow.find("$/month") == std::string::npos, narrow);
  BOOST_TEST(narrow.find("8xh100-sxm@azure-nd-h100-v5") != std::string::npos, narrow);
  BOOST_TEST(widest(narrow) <= 50u, narrow);
  // 20: nothing left to drop; the id overflows whole rather than be cut.
  BOOST_TEST(benchr::table(cols, rows, 20).find("8xh100-sxm@azure-nd-h100-v5") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(repeated_notes_are_said_once) {
  const auto merged = benchr::merge_notes({"calibrated in 2.1 s",
                                           "calibration: time budget spent: Q5_K and later formats not measured",
                                           "calibration: time budget spent: FMA peak not measured",
                                           "calibration: a software device: not calibrated",
                                           "calibration: time budget spent: attention at head_dim 64 not measured",
                                           "calibrated in 2.1 s"});
  BOOST_TEST_REQUIRE(merged.size() == 3u);
  BOOST_TEST(merged[0] == "calibrated in 2.1 s");
  BOOST_TEST(merged[1] == "calibration: time budget spent: Q5_K and later formats, FMA peak and attention at "
                          "head_dim 64 not measured");
  BOOST_TEST(merged[2] == "calibration: a software device: not calibrated");
  BOOST_TEST(benchr::columns("3.7 × 0.98 — ±2%") == 16u);  // code points, not bytes
  BOOST_TEST(benchr::columns("\x1b[1mbold\x1b[0m") == 4u);  // colour takes no column
}

BOOST_AUTO_TEST_CASE(a_wait_prints_with_the_digits_that_say_something) {
  // A first token after 15 ms was "0.0 s" (a unit-less H100 entry); one after three minutes would
  // have been "1.8e+02 s" in the advice.
  BOOST_TEST(benchr::seconds(0.0153) == "0.015");
  BOOST_TEST(benchr::seconds(0.42) == "0.42");
  BOOST_TEST(benchr::seconds(1.98) == "2.0");
  BOOST_TEST(benchr::seconds(184.4) == "184");
  BOOST_TEST(benchr::seconds(0) == "0");
  BOOST_TEST(benchr::seconds(std::nan("")) == "unknown");
  BOOST_TEST(benchr::seconds(-1) == "unknown");
}

BOOST_AUTO_TEST_CASE(a_figure_without_a_calibrated_band_says_so_instead_of_a_range) {
  benchr::Estimate e;
  e.accuracy_class = benchr::AccuracyClass::cpu_calibrated;
  e.decode_tps = 20, e.decode_tps_range = {17.2, 21.8};
  e.prefill_tps = 150;  // no band: no prefill runs were measured on a calibrated CPU
  BOOST_TEST(benchr::band_text(e, true) == " (80%: 17.2-21.8)");
  BOOST_TEST(benchr::band_note(e, true).empty());
  BOOST_TEST(benchr::band_text(e, false) == " (80% range: not calibrated for cpu-calibrated prefill)");
  BOOST_TEST(benchr::band_note(e, false).find("not calibrated") == 0);
  // An unknown figure has neither a range nor a note: "unknown" is said where the figure is.
  e.prefill_tps = 0;
  BOOST_TEST(benchr::band_text(e, false).empty());
  BOOST_TEST(benchr::band_note(e, false).empty());
}
