// The command line's parts (app only): the flags every subcommand reads, the machines they name,
// and one function per subcommand (cmd_*.cpp). Only cli.cpp sees CLI11.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "app.hpp"
#include "report.hpp"

namespace benchr {

// The host a catalog graphics card is planned in unless --host says otherwise: a typical current
// desktop, dual-channel DDR5-5600 with 64 GB (data/hardware.toml), so advice about a catalog card is
// reproducible and never depends on this machine's free memory.
inline constexpr const char* kDefaultHost = "cpu-desktop-ddr5-5600-2ch";

/// Every flag's value after parsing (cli.cpp declares them, with their help and checks).
struct Flags {
  bool json = false;
  int width = 0;             ///< --width; 0: the terminal's (terminal.cpp)
  std::string color = "auto";
  bool verbose = false;
  Output out;                ///< how to show the answer, from the four above and the terminal
  std::string machine_path, hardware_id, save_path, model_id, quant_id, backend, host_id;
  int gpus = 1;
  std::vector<std::string> catalog_paths;
  Workload workload;
  Budget budget;
  std::string kv_type = "f16";
  std::string flash_attn = "on";
  double kwh_price = -1;
  double hours_per_day = -1;
  bool always_on = false;
  ListFilter list;
  bool no_calibrate = false;
  double calibration_budget_s = 3.0;
  // fit
  std::string fit_path;
  // plan and compare
  std::string plan_quant = "auto";
  double min_quality = -1;
  double min_retention = 0.9;
  PlanScope scope;
  std::vector<std::string> fleet_paths;
  std::vector<std::string> compare_ids;
  ReportRequest report;  // `report ...`: the question's answer as a page of charts (report.hpp)
};

/// "unknown": throws InputError "`flag`: unknown `what` 'given' (did you mean ...?); `listing`
/// lists them" -- the one message for an id not in the catalog. `listing` may be empty.
[[noreturn]] void unknown_id(std::string_view flag, std::string_view what, const std::string& given,
                             const std::vector<std::string>& ids, std::string_view listing);
/// The catalog entries by id, or unknown_id naming `flag`.
const ModelSpec& find_model(const Catalog& c, const std::string& id, std::string_view flag);
const QuantSpec& find_quant(const Catalog& c, const std::string& id, std::string_view flag);
const HardwareSpec& find_hardware(const Catalog& c, const std::string& id, std::string_view flag);
/// A catalog CPU machine a graphics card goes into (--host), or InputError naming --host (which
/// mentions `--host this` when `this_allowed`).
const HardwareSpec& find_host(const Catalog& c, const std::string& id, bool this_allowed);

/// The narrowest and widest --width (and COLUMNS) taken: below 40 columns no table fits; above
/// 1000 it is a typo, not a terminal.
inline constexpr int kMinWidth = 40;
inline constexpr int kMaxWidth = 1000;
/// How to show the answer (terminal.cpp): --width, else COLUMNS, else the terminal's width when
/// stdout is one, else 80; colour with --color always, or auto on a terminal without NO_COLOR
/// (or TERM=dumb); never in JSON.
Output output_settings(const Flags& f);

/// Parses the command line and runs the subcommand it names (advise by default): the exit status;
/// bad flags print CLI11's message and return 2; InputError is left to the caller.
int run_cli(int argc, char** argv);

// ---- machines (machines.cpp) -------------------------------------------------------------------

/// This machine: probed (or replayed from --machine), calibrated unless --no-calibrate.
Machine this_machine(const Flags& f);
/// A catalog hardware entry as a machine: `gpus` of a graphics card in its host (--host, by
/// default kDefaultHost), or a whole machine (Mac, APU, CPU server). With `price_host`, a card's
/// price includes its host's (unknown when the catalog has none) unless the host is this machine
/// or `have_host`; `price_detail`, when given, gets the price in words.
Machine catalog_machine(const Flags& f, const Catalog& c, HardwareSpec spec, int gpus, bool price_host,
                        bool have_host, const std::string& flag, std::string* price_detail = nullptr);
/// The machine a question is about: --hardware ID, else this one (--machine, --backend checked).
Machine the_machine(const Flags& f, const Catalog& c);
/// "$1234".
std::string fmt_usd(double usd);

// ---- subcommands (cmd_*.cpp): each prints its answer on stdout and returns the exit status ----

int cmd_calibrate(const Flags& f);
int cmd_list(const Flags& f, const Catalog& c, std::string_view what);
int cmd_fit(const Flags& f, const Catalog& c);
int cmd_compare(Flags& f, const Catalog& c);
int cmd_plan(Flags& f, const Catalog& c);
int cmd_probe(const Flags& f, const Catalog& c);
int cmd_estimate(const Flags& f, const Catalog& c);
int cmd_advise(const Flags& f, const Catalog& c);
/// `local` (cmd_local.cpp): the models in this machine's stores (Ollama, LM Studio, llama.cpp, the
/// Hugging Face hub cache, $BENCHR_MODEL_PATH), each estimated here as `fit` does one file.
int cmd_local(const Flags& f, const Catalog& c);

/// The quants a plan or comparison may choose from: --quant ID, or with auto every quant that
/// keeps at least --min-retention of the model's quality.
std::vector<const QuantSpec*> chosen_quants(const Flags& f, const Catalog& c);

}  // namespace benchr
