// benchr-advise: which open-weight model and quantization to run here, how fast, and whether it
// beats paying for an API. A thin layer over the library: parse flags, wire adapters, print.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

#include <unistd.h>

#include "app.hpp"
#include "calibrate.hpp"
#include "calibration.hpp"
#include "gguf.hpp"
#include "probe.hpp"

namespace {

using namespace benchr;

constexpr const char* kExamples = R"(
Examples:
  benchr-advise --budget 100
      Probe this machine; recommend the best model and quantization that runs here for at most
      $100 a month, and compare it with hosted APIs for the same workload.
  benchr-advise --budget 20 --tokens-per-month 50e6 --input-share 0.9 --min-tps 20
      A heavier, prompt-heavy workload that needs 20 tokens/s.
  benchr-advise --hardware rtx-4090 --budget 100
      The same question for a machine you might buy (ids: `benchr-advise hardware`): its price
      amortised over --amortize-months counts against the budget.
  benchr-advise --hardware apple-m3-ultra-512gb --owned
      A machine you already own: always a pick; the budget is set against the running cost.
  benchr-advise estimate --model qwen3-8b --quant Q4_K_M --context 32768 --json
      Memory, decode and prefill speed of one model on this machine, as JSON.
  benchr-advise estimate --model llama-3.1-8b --quant Q4_K_M --hardware rtx-4090 --backend vulkan
  benchr-advise plan --model llama-3.3-70b --min-tps 15 --budget 150
      What to buy or rent to run a model at a speed, cheapest first, with the break-even
      volume against the API, and the command that serves it (llama.cpp, vLLM, MLX).
  benchr-advise plan --budget 100
      The best model that $100 a month buys: on hardware bought, rented, or through an API.
  benchr-advise plan --model qwen3-32b --users 16 --min-tps 20 --used
      A team server: 16 people at 20 tok/s each, second-hand hardware where priced.
  benchr-advise plan --model deepseek-v3.1 --quant FP8 --users 64 --budget 5e4 --tokens-per-month 5e9
      Beyond one machine, for 64 users: tensor parallel in a server, servers as pipeline stages.
  benchr-advise plan --model llama-3.3-70b --fleet desk.json laptop.json
      Machines you own (saved with `probe --save`), alone or joined by llama.cpp RPC.
  benchr-advise estimate --model llama-3.3-70b --quant FP8 --hardware h100-sxm --gpus 4 --users 32
  benchr-advise fit ~/models/Qwen3-8B-Q4_K_M.gguf --context 32768
      Read the file's own tensors and metadata: will it fit here, with what context, how fast.
  benchr-advise probe --save me.json ; benchr-advise --machine me.json --budget 50
      Save this machine's probe and replay it later (an `lstopo --of xml` file works too).
  benchr-advise models | quants | hardware | prices
      What the catalog knows; add or override entries with --catalog FILE (see data/README.md).

Exit status: 0 on success, 2 on bad input (the message names the flag, file or field).)";

// The host a catalog graphics card is planned in unless --host says otherwise: a typical current
// desktop, dual-channel DDR5-5600 with 64 GB (data/hardware.toml), so advice about a catalog card is
// reproducible and never depends on this machine's free memory.
constexpr const char* kDefaultHost = "cpu-desktop-ddr5-5600-2ch";

struct Flags {
  bool json = false;
  std::string machine_path, hardware_id, save_path, model_id, quant_id, backend, host_id;
  int gpus = 1;
  std::vector<std::string> catalog_paths;
  Workload workload;
  Budget budget;
  std::string kv_type = "f16";
  double kwh_price = -1;
  double hours_per_day = -1;
  bool always_on = false;
  ListFilter list;
  bool no_calibrate = false;
  double calibration_budget_s = 3.0;
};

// 10^15 tokens a month is 380 million a second, around the clock: far beyond any deployment this
// tool sizes; above it the monthly figures stop meaning anything.
constexpr double kMaxTokensPerMonth = 1e15;

/// A flag's value: a finite number in [min, max] (an integer one in range of T, with no
/// fraction) -- NaN, inf and values that would saturate are errors naming the flag.
template <class T>
CLI::Validator within(T min, T max, const char* what) {
  return CLI::Validator(
      [min, max, what](std::string& s) -> std::string {
        const auto bounds = [&] {
          std::ostringstream o;
          o << min;
          if (max < std::numeric_limits<T>::max()) o << " and <= " << max;
          return o.str();
        };
        try {
          std::size_t used = 0;
          const double v = std::stod(s, &used);
          const bool whole = !std::is_integral_v<T> || v == std::floor(v);
          if (used != s.size() || !std::isfinite(v) || !(v >= double(min)) || !(v <= double(max)) || !whole)
            return std::string(what) + " must be a finite " + (std::is_integral_v<T> ? "whole " : "") + "number >= " +
                   bounds() + ", got '" + s + "'";
        } catch (const std::exception&) {
          return std::string(what) + " must be a number, got '" + s + "'";
        }
        return {};
      },
      "");
}

template <class T>
CLI::Validator at_least(T min, const char* what) {
  return within(min, std::numeric_limits<T>::max(), what);
}

void add_workload_flags(CLI::App& app, Flags& f) {
  app.add_option("--budget", f.budget.usd_per_month,
                 "Monthly budget in USD (US dollars per month) for running locally or for an API "
                 "[default: 100]")
      ->check(at_least(0.0, "--budget"));
  app.add_option("--context", f.workload.context_tokens,
                 "Context length in tokens the KV cache is sized for [default: 8192]")
      ->check(at_least(1, "--context"));
  app.add_option("--prompt-tokens", f.workload.prompt_tokens,
                 "Prompt length for the prefill figure and time to first token [default: 512]")
      ->check(at_least(1, "--prompt-tokens"));
  app.add_option("--depth", f.workload.depth_tokens,
                 "Tokens already in the context when decoding [default: 0, as llama-bench tg128]")
      ->check(at_least(0, "--depth"));
  app.add_option("--tokens-per-month", f.workload.tokens_per_month,
                 "Input + output tokens per month [default: 10e6]")
      ->check(within(0.0, kMaxTokensPerMonth, "--tokens-per-month"));
  app.add_option("--input-share", f.workload.input_share,
                 "Share of those tokens that are input (prompt), 0..1 [default: 0.75 = 3:1]")
      ->check(within(0.0, 1.0, "--input-share"));
  app.add_option("--min-tps", f.workload.min_decode_tps,
                 "Slowest acceptable decode speed for each user, tokens/s [default: 20: chat reads as fluid from about 15-20; reasoning models want 40+]")
      ->check(at_least(0.0, "--min-tps"));
  app.add_option("--users", f.workload.users,
                 "Users served at the same time (continuous batching): each gets its own KV cache of "
                 "--context tokens, and --min-tps applies to each [default: 1]")
      ->check(CLI::Range(1, 4096));
  app.add_option("--hours-per-day", f.hours_per_day,
                 "Hours a day the machine is up for this work: a rental is billed for them, an owned machine "
                 "idles in them [default: one user's working day, 8 h x 5 days (173 h/month) or the busy "
                 "hours if more; always on with --users > 1]")
      ->check(within(0.0, 24.0, "--hours-per-day"));
  app.add_flag("--always-on", f.always_on, "The machine is up all the time (--hours-per-day 24)");
  app.add_option("--kwh-price", f.kwh_price, "Electricity price, USD per kWh [default: catalog]")
      ->check(at_least(0.0, "--kwh-price"));
  app.add_option("--kv-cache-type", f.kv_type, "KV cache element type: f16, q8_0 or q4_0 [default: f16]");
  app.add_option("--amortize-months", f.budget.amortize_months,
                 "Months over which a purchase price is spread [default: 36]")
      ->check(at_least(1, "--amortize-months"));
}

/// The live machine with its calibration (app/calibration.cpp: cached, else measured).
Machine calibrated(Machine m, const Flags& f) {
  CalibrationRun run = cached_or_measured(m, f.calibration_budget_s);
  m.notes.insert(m.notes.end(), run.notes.begin(), run.notes.end());
  return with_calibration(std::move(m), run.kept);
}

/// This machine: probed (or replayed from --machine), calibrated unless --no-calibrate.
Machine this_machine(const Flags& f) {
  Machine m = f.machine_path.empty() ? probe_live() : load_machine(f.machine_path);
  if (f.machine_path.empty()) {
    if (f.no_calibrate) m.notes.push_back("--no-calibrate: bandwidth and compute are stated estimates, not measurements");
    else m = calibrated(std::move(m), f);
  }
  return m;
}

/// The host a catalog graphics card goes into: a catalog CPU machine (by default a typical DDR5
/// desktop, so the answer is the same on every machine it is asked on), or with `--host this` this
/// one (or the --machine replayed). `which` says which, for the machine's notes.
Machine card_host(const Flags& f, const Catalog& c, std::string& which, bool& is_this) {
  is_this = f.host_id == "this" || (f.host_id.empty() && !f.machine_path.empty());
  if (is_this) {
    which = f.machine_path.empty() ? std::string("this machine (--host this)") : f.machine_path;
    return this_machine(f);
  }
  const std::string id = f.host_id.empty() ? kDefaultHost : f.host_id;
  const HardwareSpec* h = c.find_hardware(id);
  if (!h || h->kind != "cpu") {
    std::vector<std::string> ids{"this"};
    for (const auto& x : c.hardware)
      if (x.kind == "cpu") ids.push_back(x.id);
    throw InputError("--host: '" + id + "' is not a catalog CPU machine" + did_you_mean(id, ids) +
                     "; `benchr-advise hardware --kind cpu` lists them, `--host this` uses this machine");
  }
  which = "catalog '" + id + "'" + (f.host_id.empty() ? " (the default; --host ID or --host this to change)" : "");
  return machine_from_hardware(*h);
}

std::string fmt_usd(double usd) { return "$" + std::to_string(std::llround(usd)); }

/// A catalog hardware entry as a machine: `gpus` of a graphics card in its host (card_host), or a
/// whole machine (Mac, APU, CPU server). With `price_host`, a card's price includes its host's
/// (unknown when the catalog has none) unless the host is this machine or `have_host`.
Machine catalog_machine(const Flags& f, const Catalog& c, HardwareSpec spec, int gpus, bool price_host,
                        bool have_host, const std::string& flag, std::string* price_detail = nullptr) {
  if (!f.backend.empty()) spec.backend = parse_backend(f.backend, "--backend");
  if (gpus > 1 && spec.kind != "gpu")
    throw InputError(flag + ": '" + spec.id + "' is not a graphics card (kind " + spec.kind + ")");
  Machine m = machine_from_hardware(spec, gpus);
  if (spec.kind == "gpu") {
    // A graphics card goes into a computer whose CPU and RAM take what does not fit on the card.
    std::string which;
    bool is_this = false;
    const Machine host = card_host(f, c, which, is_this);
    m.cpu = host.cpu;
    m.devices.insert(m.devices.begin(), host.devices.front());
    std::string price = "the price is the card's alone";
    if (price_host && !is_this && !have_host) {
      if (host.price_usd.known() && m.price_usd.known()) {
        if (price_detail)
          *price_detail = fmt_usd(m.price_usd.value) + (gpus > 1 ? " for " + std::to_string(gpus) + " cards" : "") +
                          " + " + fmt_usd(host.price_usd.value) + " for the host, " + host.hardware_id;
        m.price_usd = {m.price_usd.value + host.price_usd.value, m.price_usd.source + " + host " + host.price_usd.source};
        price = "the price includes it (--have-host if you have one)";
      } else {
        m.price_usd = {};
        price = "the price is unknown: the catalog has none for " + std::string(host.price_usd.known() ? "the card" : "the host");
      }
    }
    m.notes.push_back("host for the card: " + which + " (" + host.devices.front().name + ", " +
                      std::to_string(std::llround(host.devices.front().memory_bytes.value / kGiB)) + " GiB RAM); " +
                      price);
  } else if (!f.host_id.empty()) {
    throw InputError("--host: only a graphics card (a catalog id of kind gpu) goes into a host; '" + spec.id +
                     "' is of kind " + spec.kind);
  }
  return m;
}

Machine the_machine(const Flags& f, const Catalog& c) {
  if (!f.hardware_id.empty()) {
    const HardwareSpec* hw = c.find_hardware(f.hardware_id);
    if (!hw) {
      std::vector<std::string> ids;
      for (const auto& h : c.hardware) ids.push_back(h.id);
      throw InputError("--hardware: unknown hardware id '" + f.hardware_id + "'" +
                       did_you_mean(f.hardware_id, ids) + "; `benchr-advise hardware` lists them");
    }
    return catalog_machine(f, c, *hw, f.gpus, false, false, "--gpus " + std::to_string(f.gpus));
  }
  if (!f.host_id.empty()) throw InputError("--host: goes with --hardware GPU (the computer the card goes into)");
  Machine m = this_machine(f);
  if (!f.backend.empty()) {
    const Backend b = parse_backend(f.backend, "--backend");
    bool found = false;
    for (const auto& d : m.devices) found = found || d.backend == b;
    if (!found)
      throw InputError("--backend " + f.backend + ": this machine has no such device (use "
                       "--hardware ID to ask about a catalog machine)");
  }
  return m;
}

int run(int argc, char** argv) {
  Flags f;
  CLI::App app{"benchr-advise: which open-weight LLM and quantization to run on this machine (or "
               "one you might buy), how fast it will decode, and whether that beats paying for "
               "an API. Without a subcommand it advises."};
  app.footer(kExamples);
  app.require_subcommand(0, 1);
  app.fallthrough();
  app.add_flag("--json", f.json, "Print one JSON document instead of a table");
  app.add_option("--machine", f.machine_path,
                 "Use a saved probe (probe --save) or an hwloc XML export instead of probing")
      ->check(CLI::ExistingFile);
  app.add_option("--hardware", f.hardware_id, "Ask about a catalog machine instead of this one");
  app.add_option("--host", f.host_id,
                 "With --hardware GPU: the computer the card goes into, a catalog CPU machine id or 'this' "
                 "(this machine, or --machine) [default: " + std::string(kDefaultHost) + "]");
  app.add_flag("--owned", f.budget.owned,
               "With --hardware: you already own it; advise with nothing amortised and the budget set "
               "against the running cost only (this machine and --machine are always owned)");
  app.add_option("--gpus", f.gpus, "With --hardware GPU: this many of it in the machine (split or tensor parallel) [default: 1]")
      ->check(CLI::Range(1, 64));
  app.add_option("--catalog", f.catalog_paths,
                 "Add or override catalog entries from a TOML file (repeatable)")
      ->check(CLI::ExistingFile);
  app.add_flag("--no-calibrate", f.no_calibrate,
               "Do not measure this machine: use stated estimates (and datasheet figures)");
  add_workload_flags(app, f);

  app.add_subcommand("advise", "Recommend a model and quantization (default)");
  auto* estimate_cmd = app.add_subcommand("estimate", "Memory, speed and cost of one model and quant");
  estimate_cmd->add_option("--model", f.model_id, "Catalog model id (see `models`)")->required();
  estimate_cmd->add_option("--quant", f.quant_id, "Catalog quant id (see `quants`)")->required();
  estimate_cmd->add_option("--backend", f.backend, "cuda, rocm, vulkan, metal or cpu");
  auto* probe_cmd = app.add_subcommand("probe", "Show what this machine is, with sources");
  probe_cmd->add_option("--save", f.save_path, "Write the probe as JSON for --machine");
  auto* fit_cmd = app.add_subcommand("fit", "Will this model file fit, with what context, and how fast?");
  std::string fit_path;
  fit_cmd->add_option("PATH", fit_path, "A .gguf file (a split's first shard reads them all) or a Hugging Face "
                                        "folder (config.json + safetensors)")
      ->required();
  auto* plan_cmd = app.add_subcommand(
      "plan", "Rank machines to buy or rent for a model, a speed and a budget; without --model, the best "
              "model the budget buys");
  std::string plan_quant = "auto";
  double min_quality = -1;
  PlanScope scope;
  std::vector<std::string> fleet_paths;
  plan_cmd->add_option("--model", f.model_id, "Catalog model id (see `models`); without it, every model is planned");
  plan_cmd->add_option("--min-quality", min_quality,
                       "Without --model: the cheapest way to any model at least this good (catalog scale, see "
                       "`models`)")
      ->check(at_least(0.0, "--min-quality"));
  plan_cmd->add_flag("--used", scope.used, "Price purchases second-hand where the catalog has a used price");
  plan_cmd->add_option("--fleet", fleet_paths,
                       "Plan on machines you own (saved with `probe --save`, or hwloc XML), alone and joined by "
                       "llama.cpp RPC, instead of buying")
      ->check(CLI::ExistingFile);
  plan_cmd->add_option("--quant", plan_quant, "A quant id, or auto: the best one each machine runs [default: auto]");
  double min_retention = 0.9;
  plan_cmd->add_option("--min-retention", min_retention,
                       "With --quant auto, only quants keeping at least this share of the model's quality "
                       "(perplexity-based, see `quants`) [default: 0.9: no IQ2/Q2 mixes unless asked]")
      ->check(within(0.0, 1.0, "--min-retention"));
  plan_cmd->add_option("--max-price", scope.max_price_usd,
                       "Spend at most this on hardware, USD, a graphics card's host included; purchases only")
      ->check(at_least(0.0, "--max-price"));
  plan_cmd->add_flag("--buy", scope.buy_only, "Purchases only: no rentals");
  plan_cmd->add_flag("--have-host", scope.host_owned,
                     "You have a computer for the graphics card: its host's price is not added");
  auto* compare_cmd = app.add_subcommand(
      "compare", "Two or three machines side by side for one model: fit, quant, speed, price, monthly cost, "
                 "break-even against the API, and which is the better buy");
  std::vector<std::string> compare_ids;
  compare_cmd->add_option("MACHINES", compare_ids,
                          "2 or 3 of: a catalog hardware id (`benchr-advise hardware`), NxID for N of a graphics "
                          "card in one machine (2xrtx-3090), or 'this' (this machine, or --machine; owned)")
      ->required()
      ->expected(2, 3);
  compare_cmd->add_option("--model", f.model_id, "Catalog model id (see `models`)")->required();
  compare_cmd->add_option("--quant", plan_quant, "A quant id, or auto: the best one each machine runs [default: auto]");
  compare_cmd->add_option("--min-retention", min_retention,
                          "With --quant auto, only quants keeping at least this share of the model's quality "
                          "[default: 0.9]")
      ->check(within(0.0, 1.0, "--min-retention"));
  compare_cmd->add_flag("--have-host", scope.host_owned,
                        "You have a computer for a graphics card: its host's price is not added");
  compare_cmd->footer(R"(
Each catalog machine is a purchase: its price (a graphics card's with the computer it goes into,
--host ID, by default a $1500 DDR5 desktop) amortised over --amortize-months; 'this' is owned.
The budget rules nothing out here. The better buy: of the machines that fit, decode at --min-tps
and serve the volume, the lowest monthly cost; costs within 10% are a tie, won by the faster.

Example:
  benchr-advise compare rtx-4090 apple-m4-max-128gb 2xrtx-3090 --model qwen3-32b --context 32768
      The same 32B model on a 4090, a 128 GB Mac and two 3090s: which fits with 32k of context,
      how fast, what each costs a month, and which is the better buy.)");
  auto* calibrate_cmd = app.add_subcommand(
      "calibrate", "Measure this CPU's bandwidth and per-format decode/prefill rates, and cache them");
  calibrate_cmd->add_option("--seconds", f.calibration_budget_s, "Time budget [default: 3]")
      ->check(within(0.2, 60.0, "--seconds"));
  auto* models_cmd = app.add_subcommand("models", "List catalog models");
  models_cmd->add_option("--family", f.list.family, "Only ids starting with this (qwen3, llama-3.1, gemma)");
  models_cmd->add_option("--max-params", f.list.max_params_b, "At most this many parameters, billions")
      ->check(at_least(0.0, "--max-params"));
  models_cmd->add_option("--license", f.list.license, "Only this license id (Apache-2.0, MIT, llama3.1, ...)");
  auto* quants_cmd = app.add_subcommand("quants", "List catalog quantizations");
  auto* hardware_cmd = app.add_subcommand("hardware", "List catalog hardware");
  hardware_cmd->add_option("--kind", f.list.kind, "gpu, apple, cpu or apu")
      ->check(CLI::IsMember({"gpu", "apple", "cpu", "apu"}));
  hardware_cmd->add_option("--max-price", f.list.max_price, "At most this price, USD")
      ->check(at_least(0.0, "--max-price"));
  auto* prices_cmd = app.add_subcommand("prices", "List API prices and the electricity price");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "benchr-advise: error: %s\n", e.what());
    std::fprintf(stderr, "Run 'benchr-advise --help' for usage.\n");
    return 2;
  }

  if (calibrate_cmd->parsed()) {
    if (!f.machine_path.empty() || !f.hardware_id.empty())
      throw InputError("calibrate measures this machine: drop --machine/--hardware");
    const CalibrationRun run = calibrate_and_cache(probe_live(), f.calibration_budget_s);
    std::cout << present_calibration(*run.measured, f.json);
    if (!f.json) std::cout << cache_outcome(run) << "\n";
    return 0;
  }

  // The machine you advise on is yours unless it is a catalog machine you might buy.
  if (f.hardware_id.empty()) f.budget.owned = true;

  std::vector<CatalogText> sources = embedded_catalog();
  for (const auto& p : f.catalog_paths) sources.push_back(read_catalog_file(p));
  Catalog catalog = load_catalog(sources);
  if (f.kwh_price >= 0)
    catalog.electricity = {f.kwh_price, "--kwh-price", "given on the command line"};
  f.workload.kv_type = parse_kv_type(f.kv_type, "--kv-cache-type");
  if (f.always_on && f.hours_per_day >= 0 && f.hours_per_day != 24)
    throw InputError("--always-on means --hours-per-day 24: give one of them");
  if (f.always_on) f.workload.hours_per_day = 24;
  else if (f.hours_per_day >= 0) f.workload.hours_per_day = f.hours_per_day;

  for (auto [cmd, what] : {std::pair{models_cmd, "models"}, {quants_cmd, "quants"},
                           {hardware_cmd, "hardware"}, {prices_cmd, "prices"}})
    if (cmd->parsed()) {
      if (!f.list.license.empty()) {
        std::vector<std::string> licenses;
        for (const auto& m : catalog.models)
          if (std::find(licenses.begin(), licenses.end(), m.license) == licenses.end()) licenses.push_back(m.license);
        if (std::find(licenses.begin(), licenses.end(), f.list.license) == licenses.end())
          throw InputError("--license: no model has license '" + f.list.license + "'" +
                           did_you_mean(f.list.license, licenses));
      }
      std::cout << present_list(catalog, what, f.list, f.json);
      return 0;
    }

  if (fit_cmd->parsed()) {
    ModelFile file = read_model_file(fit_path);
    // Metadata that describe no possible model (more experts used than exist, more leading dense
    // layers than blocks, no hidden size) are bad input, not a model to estimate.
    if (const std::string problem = file.spec.shape_problem(); !problem.empty())
      throw InputError(fit_path + ": its metadata describe no possible model: " + problem);
    file.spec.local_path = fit_path;
    QuantSpec quant = quant_spec(file);
    // The bytes come from the file; the quality kept by its mix (Q4_K_M...) from the catalog.
    if (const QuantSpec* known = catalog.find_quant(file.file_type)) {
      quant.quality_retention = known->quality_retention;
      quant.quality_source = known->quality_source;
    } else {
      file.notes.push_back("quality retention unknown for this file's mix ('" + file.file_type + "'): taken as 1");
    }
    const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
    if (!runs_on(quant, file.spec, machine))
      throw InputError(fit_path + ": no backend of this machine runs " + file.format + " weights of type " +
                       std::string(quant.block_format->name));
    Workload w = f.workload;
    if (w.context_tokens > file.spec.context_max && file.spec.context_max > 0) w.context_tokens = file.spec.context_max;
    const Estimate e = estimate(file.spec, quant, machine, w);
    const MonthlyCost cost = monthly_cost(e, machine, w, catalog.electricity, f.budget);
    std::cout << present_fit(file, e, cost, machine, w, f.json);
    return 0;
  }

  // The quants a plan or comparison may choose from: one by id, or with auto every quant that
  // keeps at least --min-retention of the model's quality.
  const auto chosen_quants = [&] {
    std::vector<const QuantSpec*> quants;
    for (const auto& q : catalog.quants)
      if ((plan_quant == "auto" && q.quality_retention >= min_retention) || q.id == plan_quant) quants.push_back(&q);
    if (quants.empty()) {
      std::vector<std::string> ids{"auto"};
      for (const auto& q : catalog.quants) ids.push_back(q.id);
      throw InputError("--quant: unknown quant id '" + plan_quant + "'" + did_you_mean(plan_quant, ids));
    }
    return quants;
  };
  const auto the_model = [&] {
    const ModelSpec* model = catalog.find_model(f.model_id);
    if (!model) {
      std::vector<std::string> ids;
      for (const auto& m : catalog.models) ids.push_back(m.id);
      throw InputError("--model: unknown model id '" + f.model_id + "'" + did_you_mean(f.model_id, ids) +
                       "; `benchr-advise models` lists them");
    }
    return model;
  };

  if (compare_cmd->parsed()) {
    if (!f.hardware_id.empty() || f.gpus > 1)
      throw InputError("compare takes its machines as arguments (NxID for several cards): drop --hardware/--gpus");
    if (compare_ids.size() < 2 || compare_ids.size() > 3)
      throw InputError("compare: give 2 or 3 machines, got " + std::to_string(compare_ids.size()));
    const ModelSpec* model = the_model();
    const auto quants = chosen_quants();
    f.budget.owned = false;  // each catalog machine is a purchase; 'this' is marked owned below
    std::vector<CompareMachine> machines;
    for (const auto& arg : compare_ids) {
      CompareMachine cm;
      cm.id = arg;
      if (arg == "this") {
        cm.machine = this_machine(f);
        cm.owned = true;
      } else {
        // NxID: N of a graphics card in one machine.
        int gpus = 1;
        std::string id = arg;
        if (const auto x = arg.find('x'); x != std::string::npos && x > 0 &&
                                          arg.find_first_not_of("0123456789") == x) {
          gpus = std::stoi(arg.substr(0, x));
          id = arg.substr(x + 1);
          if (gpus < 1 || gpus > 64) throw InputError("compare: '" + arg + "': between 1 and 64 cards");
        }
        const HardwareSpec* hw = catalog.find_hardware(id);
        if (!hw) {
          std::vector<std::string> ids{"this"};
          for (const auto& h : catalog.hardware) ids.push_back(h.id);
          throw InputError("compare: unknown machine '" + arg + "'" + did_you_mean(id, ids) +
                           "; `benchr-advise hardware` lists the ids, 'this' is this machine");
        }
        cm.machine = catalog_machine(f, catalog, *hw, gpus, true, scope.host_owned, "compare " + arg,
                                     &cm.price_detail);
        if (cm.price_detail.empty())
          cm.price_detail = cm.machine.price_usd.known() ? fmt_usd(cm.machine.price_usd.value)
                                                         : "price unknown: none in the catalog";
      }
      cm.machine = with_catalog_gpus(std::move(cm.machine), catalog);
      machines.push_back(std::move(cm));
    }
    const Comparison cmp = compare(catalog, *model, quants, machines, f.workload, f.budget);
    std::cout << present_comparison(cmp, machines, f.workload, f.budget, f.json);
    return 0;
  }

  if (plan_cmd->parsed()) {
    if (!f.model_id.empty() && min_quality >= 0)
      throw InputError("plan: give --model or --min-quality, not both");
    if (!f.machine_path.empty() || !f.hardware_id.empty())
      throw InputError("plan ranks catalog machines (or --fleet ones): drop --machine/--hardware");
    // The host a card is bought with: a catalog CPU machine (--host ID), by default a typical desktop.
    {
      const std::string id = f.host_id.empty() ? kDefaultHost : f.host_id;
      const HardwareSpec* h = catalog.find_hardware(id);
      if (!h || h->kind != "cpu") {
        std::vector<std::string> ids;
        for (const auto& x : catalog.hardware)
          if (x.kind == "cpu") ids.push_back(x.id);
        throw InputError("--host: '" + id + "' is not a catalog CPU machine" + did_you_mean(id, ids) +
                         "; `benchr-advise hardware --kind cpu` lists them");
      }
      scope.host_name = h->id;
      scope.host_price_usd = h->price_usd;
    }
    for (const auto& path : fleet_paths) {
      Machine m = with_catalog_gpus(load_machine(path), catalog);
      if (m.hardware_id.empty()) m.hardware_id = path;
      m.name = path + ": " + m.name;
      scope.fleet.push_back(std::move(m));
    }
    const ModelSpec* model = f.model_id.empty() ? nullptr : catalog.find_model(f.model_id);
    if (!model && !f.model_id.empty()) {
      std::vector<std::string> ids;
      for (const auto& m : catalog.models) ids.push_back(m.id);
      throw InputError("--model: unknown model id '" + f.model_id + "'" + did_you_mean(f.model_id, ids));
    }
    const auto quants = chosen_quants();
    if (!model) {
      const ModelsPlan p = plan_models(catalog, quants, f.workload, f.budget, scope, std::max(0.0, min_quality),
                                       min_quality >= 0);
      std::cout << present_models_plan(p, f.workload, f.budget, min_quality, f.json);
      return 0;
    }
    const Plan p = plan(catalog, *model, quants, f.workload, f.budget, scope);
    std::cout << present_plan(p, *model, f.workload, f.budget, f.json);
    return 0;
  }

  const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
  if (probe_cmd->parsed()) {
    if (!f.save_path.empty()) {
      save_machine(machine, f.save_path);
      std::fprintf(stderr, "benchr-advise: saved the probe to %s\n", f.save_path.c_str());
    }
    std::cout << present_machine(machine, f.json);
    return 0;
  }
  if (estimate_cmd->parsed()) {
    const ModelSpec* model = catalog.find_model(f.model_id);
    const QuantSpec* quant = catalog.find_quant(f.quant_id);
    std::vector<std::string> ids;
    if (!model) {
      for (const auto& m : catalog.models) ids.push_back(m.id);
      throw InputError("--model: unknown model id '" + f.model_id + "'" + did_you_mean(f.model_id, ids) +
                       "; `benchr-advise models` lists them");
    }
    if (!quant) {
      for (const auto& q : catalog.quants) ids.push_back(q.id);
      throw InputError("--quant: unknown quant id '" + f.quant_id + "'" + did_you_mean(f.quant_id, ids) +
                       "; `benchr-advise quants` lists them");
    }
    if (!quant->applies_to(model->id))
      throw InputError("--quant " + quant->id + ": this format is the release format of other models only (" +
                       quant->only_models.front() + ", ...); pick another quant for " + model->id);
    if (!runs_on(*quant, *model, machine))
      throw InputError("--quant " + quant->id + ": no backend of this machine runs the " + quant->format +
                       " format (pick a GGUF quant, or --hardware/--backend for a machine that does)");
    const Estimate e = estimate(*model, *quant, machine, f.workload);
    const MonthlyCost cost = monthly_cost(e, machine, f.workload, catalog.electricity, f.budget);
    std::cout << present_estimate(e, cost, machine, f.workload, f.json);
    return 0;
  }
  const Advice advice = advise(catalog, machine, f.workload, f.budget);
  std::cout << present_advice(advice, machine, f.workload, f.budget, catalog, f.json);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int status = run(argc, argv);
    // An answer that did not reach its reader (a full disk, a closed pipe) is no success.
    if (!(std::cout << std::flush)) {
      std::fprintf(stderr, "benchr-advise: error: cannot write the output (disk full or pipe closed)\n");
      return 1;
    }
    return status;
  } catch (const benchr::InputError& e) {
    std::fprintf(stderr, "benchr-advise: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "benchr-advise: internal error: %s\n", e.what());
    return 1;
  }
}
