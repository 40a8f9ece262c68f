// The command line: every flag with its help and checks, each subcommand's own, and the dispatch to
// the subcommands (cmd_*.cpp). The one file that includes CLI11.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>
#include <sstream>

#include "calibrate.hpp"
#include "cli.hpp"
#include "help.hpp"

namespace benchr {
namespace {

// The project's version (CMakeLists.txt project(VERSION)), set by the build.
constexpr const char* kVersion = BENCHR_VERSION;

// The examples: the first five in the top-level --help, all of them in the man page.
const std::vector<Example> kExamples = {
    {"--budget 100",
     "Probe this machine; recommend the best model and quantization that runs here for at most $100 a month, "
     "and compare it with hosted APIs for the same workload."},
    {"--hardware rtx-4090 --budget 100",
     "The same question for a machine you might buy (ids: `benchr-advise hardware`): its price amortised over "
     "--amortize-months counts against the budget."},
    {"estimate --model qwen3-8b --quant Q4_K_M --context 32768 --json",
     "Memory, decode and prefill speed of one model on this machine, as JSON."},
    {"plan --model llama-3.3-70b --min-tps 15 --budget 150",
     "What to buy or rent to run a model at a speed, cheapest first, with the break-even volume against the "
     "API, and the command that serves it (llama.cpp, vLLM, MLX)."},
    {"probe --save me.json ; benchr-advise --machine me.json --budget 50",
     "Save this machine's probe and replay it later (an `lstopo --of xml` file works too)."},
    {"--budget 20 --tokens-per-month 50e6 --input-share 0.9 --min-tps 20",
     "A heavier, prompt-heavy workload that needs 20 tokens/s."},
    {"--hardware apple-m3-ultra-512gb --owned",
     "A machine you already own: always a pick; the budget is set against the running cost."},
    {"estimate --model llama-3.1-8b --quant Q4_K_M --hardware rtx-4090 --backend vulkan", ""},
    {"plan --budget 100", "The best model that $100 a month buys: on hardware bought, rented, or through an API."},
    {"plan --model qwen3-32b --users 16 --min-tps 20 --used",
     "A team server: 16 people at 20 tok/s each, second-hand hardware where priced."},
    {"plan --model deepseek-v3.1 --quant FP8 --users 64 --budget 5e4 --tokens-per-month 5e9",
     "Beyond one machine, for 64 users: tensor parallel in a server, servers as pipeline stages."},
    {"plan --model llama-3.3-70b --fleet desk.json laptop.json",
     "Machines you own (saved with `probe --save`), alone or joined by llama.cpp RPC."},
    {"estimate --model llama-3.3-70b --quant FP8 --hardware h100-sxm --gpus 4 --users 32", ""},
    {"fit ~/models/Qwen3-8B-Q4_K_M.gguf --context 32768",
     "Read the file's own tensors and metadata: will it fit here, with what context, how fast."},
    {"compare rtx-4090 apple-m4-max-128gb 2xrtx-3090 --model qwen3-32b --context 32768",
     "The same 32B model on a 4090, a 128 GB Mac and two 3090s: which fits with 32k of context, how fast, what "
     "each costs a month, and which is the better buy."},
    {"models --family qwen3",
     "What the catalog knows; add or override entries with --catalog FILE (see data/README.md)."},
};
/// How many of kExamples the top-level --help shows.
constexpr std::size_t kHelpExamples = 5;

/// What each subcommand's --help shows beyond its own flags: the groups of global flags it reads,
/// single global flags it reads from other groups, its example, and a paragraph.
struct CommandHelp {
  std::string name;
  std::vector<std::string> groups, globals;
  Example example;
  std::string notes;
};
const std::vector<CommandHelp> kCommandHelp = {
    {"advise", {"Output", "Machine", "Catalog", "Workload"}, {}, kExamples[0], ""},
    {"estimate",
     {"Output", "Machine", "Catalog", "Workload"},
     {},
     {"estimate --model qwen3-8b --quant Q4_K_M --hardware rtx-4090 --context 32768",
      "Memory, decode and prefill speed, the largest context and the monthly cost of one choice."},
     ""},
    {"fit", {"Output", "Machine", "Catalog", "Workload"}, {}, kExamples[13], ""},
    {"local", {"Output", "Machine", "Catalog", "Workload"}, {},
     {"local --context 32768", "The models Ollama, LM Studio, llama.cpp and the Hugging Face cache hold here."},
     "Stores: $OLLAMA_MODELS (else ~/.ollama/models), ~/.lmstudio/models, ~/.cache/lm-studio/models, $LLAMA_CACHE "
     "(else ~/.cache/llama.cpp), $HF_HUB_CACHE (else $HF_HOME/hub, else ~/.cache/huggingface/hub) and "
     "$BENCHR_MODEL_PATH (':'-separated files or folders). Only headers are read."},
    {"plan",
     {"Output", "Catalog", "Workload"},
     {"--host"},
     kExamples[3],
     "Without --model: the best quality the budget buys (bought, rented or by API), or with --min-quality the "
     "cheapest way to a quality."},
    {"compare",
     {"Output", "Catalog", "Workload"},
     {"--machine", "--host", "--no-calibrate"},
     kExamples[14],
     "Each catalog machine is a purchase: its price (a graphics card's with the computer it goes into, --host ID, "
     "by default a $1500 DDR5 desktop) amortised over --amortize-months; 'this' is owned. The budget rules "
     "nothing out here. The better buy: of the machines that fit, decode at --min-tps and serve the volume, the "
     "lowest monthly cost; costs within 10% are a tie, won by the faster."},
    {"probe", {"Output", "Machine", "Catalog"}, {}, {"probe --save me.json", "Save this machine for --machine."}, ""},
    {"calibrate",
     {"Output"},
     {},
     {"calibrate --seconds 5", "Measure again, for at most 5 seconds."},
     "The figures are cached per machine under $XDG_CACHE_HOME/benchr-advise/ (else ~/.cache/benchr-advise/); "
     "advise, estimate and fit use them. On a busy machine repetitions are cut to time slices (part of the "
     "buffer, scaled to a whole pass) to keep near the budget; a note names the steps cut."},
    {"models", {"Output", "Catalog"}, {}, {"models --family qwen3 --max-params 40", ""}, ""},
    {"quants", {"Output", "Catalog"}, {}, {"quants --json", ""}, ""},
    {"hardware", {"Output", "Catalog"}, {}, {"hardware --kind gpu --max-price 2000", ""}, ""},
    {"prices",
     {"Output", "Catalog"},
     {},
     {"prices", "API prices, GPU rentals and the electricity price, with dates."},
     ""},
    {"completion",
     {},
     {},
     {"completion bash > ~/.local/share/bash-completion/completions/benchr-advise", ""},
     "Completes subcommands, flags, and the catalog's model, quant and hardware ids."},
};

/// Each flag's value as help names it.
const std::vector<std::pair<std::string, std::string>> kValueNames = {
    {"--budget", "USD"}, {"--context", "N"}, {"--prompt-tokens", "N"}, {"--depth", "N"}, {"--ubatch", "N"},
    {"--tokens-per-month", "N"}, {"--input-share", "SHARE"}, {"--min-tps", "TPS"}, {"--users", "N"},
    {"--hours-per-day", "H"}, {"--kwh-price", "USD"}, {"--kv-cache-type", "TYPE"}, {"--amortize-months", "N"},
    {"--machine", "FILE"}, {"--hardware", "ID"}, {"--host", "ID"}, {"--gpus", "N"}, {"--catalog", "FILE"},
    {"--width", "N"}, {"--color", "WHEN"}, {"--model", "ID"}, {"--quant", "ID"}, {"--backend", "NAME"},
    {"--save", "FILE"}, {"--min-quality", "Q"}, {"--fleet", "FILE..."}, {"--min-retention", "SHARE"},
    {"--max-price", "USD"}, {"--seconds", "S"}, {"--family", "PREFIX"}, {"--max-params", "B"},
    {"--license", "ID"}, {"--kind", "KIND"}};

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
        const auto wrong = [&] {
          return std::string(what) + " must be a finite " + (std::is_integral_v<T> ? "whole " : "") + "number >= " +
                 bounds() + ", got '" + s + "'";
        };
        double v = 0;
        try {
          std::size_t used = 0;
          v = std::stod(s, &used);
          const bool whole = !std::is_integral_v<T> || v == std::floor(v);
          if (used != s.size() || !std::isfinite(v) || !(v >= double(min)) || !(v <= double(max)) || !whole)
            return wrong();
        } catch (const std::out_of_range&) {
          return wrong() + " (beyond what a double holds)";
        } catch (const std::exception&) {
          return std::string(what) + " must be a number, got '" + s + "'";
        }
        // An integer flag written as a double (1e3, 4096.0) is handed on as the integer it is.
        if constexpr (std::is_integral_v<T>) s = std::to_string(static_cast<long long>(v));
        return {};
      },
      "");
}

template <class T>
CLI::Validator at_least(T min, const char* what) {
  return within(min, std::numeric_limits<T>::max(), what);
}

/// An id flag's value: an empty one ('') names nothing and is an error, not "no flag".
CLI::Validator named(const char* what) {
  return CLI::Validator(
      [what](std::string& s) -> std::string {
        return s.find_first_not_of(" \t") == std::string::npos ? std::string(what) + " needs an id, got an empty value"
                                                               : std::string();
      },
      "");
}

void add_workload_flags(CLI::App& app, Flags& f) {
  app.add_option("--budget", f.budget.usd_per_month,
                 "Monthly budget in USD (US dollars per month) for running locally or for an API "
                 "[default: 100]")
      ->transform(at_least(0.0, "--budget"));
  app.add_option("--context", f.workload.context_tokens,
                 "Context length in tokens the KV cache is sized for [default: 32768: chat runs 16k-32k, agents more]")
      ->transform(at_least(1, "--context"));
  app.add_option("--prompt-tokens", f.workload.prompt_tokens,
                 "Prompt length for the prefill figure and time to first token [default: 512]")
      ->transform(at_least(1, "--prompt-tokens"));
  app.add_option("--depth", f.workload.depth_tokens,
                 "Tokens already in the context when decoding [default: 0, as llama-bench tg128]")
      ->transform(at_least(0, "--depth"));
  app.add_option("--ubatch", f.workload.ubatch_tokens,
                 "llama.cpp's micro-batch (-ub): the prompt goes through the model this many tokens at a time; "
                 "larger ones prefill an MoE faster, as each expert's weights are read once a micro-batch "
                 "[default: 512, llama.cpp's]")
      ->check(CLI::Range(int64_t(1), int64_t(65536)));
  app.add_option("--tokens-per-month", f.workload.tokens_per_month,
                 "Input + output tokens per month [default: 10e6]")
      ->transform(within(0.0, kMaxTokensPerMonth, "--tokens-per-month"));
  app.add_option("--input-share", f.workload.input_share,
                 "Share of those tokens that are input (prompt), 0..1 [default: 0.75 = 3:1]")
      ->transform(within(0.0, 1.0, "--input-share"));
  app.add_option("--min-tps", f.workload.min_decode_tps,
                 fmt::format("Slowest acceptable decode speed for each user, tokens/s; a thinking model (one scored "
                             "with its thinking on) must reach {:g}x this, as it writes its thinking before the "
                             "answer [default: 20: chat reads as fluid from about 15-20]",
                             kThinkingFloorFactor))
      ->transform(at_least(0.0, "--min-tps"));
  app.add_option("--users", f.workload.users,
                 "Users served at the same time (continuous batching): each gets its own KV cache of "
                 "--context tokens, and --min-tps applies to each [default: 1]")
      ->check(CLI::Range(1, 4096));
  app.add_option("--hours-per-day", f.hours_per_day,
                 "Hours a day the machine is up for this work: a rental is billed for them, an owned machine "
                 "idles in them [default: one user's working day, 8 h x 5 days (173 h/month) or the busy "
                 "hours if more; always on with --users > 1]")
      ->transform(within(0.0, 24.0, "--hours-per-day"));
  app.add_flag("--always-on", f.always_on, "The machine is up all the time (--hours-per-day 24)");
  app.add_option("--kwh-price", f.kwh_price, "Electricity price, USD per kWh [default: catalog]")
      ->transform(at_least(0.0, "--kwh-price"));
  app.add_option("--kv-cache-type", f.kv_type, "KV cache element type: f16, q8_0 or q4_0 [default: f16]");
  app.add_option("--flash-attn", f.flash_attn,
                 "llama.cpp's flash attention, on or off (-fa); off, a GPU reads the KV cache again for each "
                 "query head of a group [default: on, llama.cpp's default since 2025-08]");
  app.add_option("--amortize-months", f.budget.amortize_months,
                 "Months over which a purchase price is spread [default: 36]")
      ->transform(at_least(1, "--amortize-months"));
}

/// The catalog: the embedded one, with each --catalog file's entries added or overriding.
Catalog load(const Flags& f) {
  std::vector<CatalogText> sources;
  for (const auto& p : f.catalog_paths) sources.push_back(read_catalog_file(p));
  return load_embedded_catalog(sources);
}

/// The newest date any catalog entry is priced or sourced at: how current the catalog is.
std::string catalog_date(const Catalog& c) {
  std::string newest = c.electricity.as_of;
  const auto see = [&](const std::string& d) { newest = std::max(newest, d); };
  for (const auto& a : c.apis) see(a.as_of);
  for (const auto& r : c.rentals) see(r.as_of);
  for (const auto& h : c.hardware) see(h.as_of), see(h.price_as_of);
  return newest;
}

std::string version_line(const Catalog& c) {
  return "benchr-advise " + std::string(kVersion) + " (catalog of " + catalog_date(c) + ", calibration kernels v" +
         std::to_string(kKernelVersion) + ")";
}

FlagDoc flag_doc(const CLI::Option& o, bool own) {
  FlagDoc d;
  d.help = o.get_description();
  d.positional = !o.nonpositional();
  d.required = o.get_required();
  if (d.positional) {
    d.spellings = {o.get_name(true)};
  } else {
    for (const auto& n : o.get_snames()) d.spellings.push_back("-" + n);
    for (const auto& n : o.get_lnames()) d.spellings.push_back("--" + n);
  }
  const std::string name = d.positional ? d.spellings.front() : d.spellings.back();
  if (o.get_expected_max() > 0 && o.get_type_size_max() > 0) {
    d.value = "VALUE";
    for (const auto& [flag, value] : kValueNames)
      if (flag == name) d.value = value;
  }
  d.group = own ? "" : o.get_group();
  // What completes the value in a shell.
  if (name == "--model") d.complete = Complete::model;
  else if (name == "--quant") d.complete = Complete::quant;
  else if (name == "--hardware") d.complete = Complete::hardware;
  else if (name == "--host") d.complete = Complete::host;
  else if (name == "MACHINES") d.complete = Complete::machine_arg;
  else if (d.value == "FILE" || d.value == "FILE..." || name == "PATH") d.complete = Complete::file;
  else if (name == "--kind") d.complete = Complete::choices, d.choices = hardware_kind_names();
  else if (name == "--kv-cache-type") d.complete = Complete::choices, d.choices = {"f16", "q8_0", "q4_0"};
  else if (name == "--backend") d.complete = Complete::choices, d.choices = {"cuda", "rocm", "vulkan", "metal", "cpu"};
  else if (name == "--color") d.complete = Complete::choices, d.choices = {"auto", "always", "never"};
  else if (name == "SHELL") d.complete = Complete::choices, d.choices = {"bash", "zsh", "fish"};
  return d;
}

/// The command line as data (help.hpp), from what `app` declares; `catalog` gives the ids that
/// complete --model, --quant, --hardware and --host.
CliDoc describe(const CLI::App& app, const Catalog& catalog) {
  CliDoc doc;
  doc.summary = app.get_description();
  doc.version = version_line(catalog);
  for (const char* group : {"Output", "Machine", "Catalog", "Workload", "Program"})
    for (const CLI::Option* o : app.get_options())
      if (o->get_group() == group) doc.globals.push_back(flag_doc(*o, false));
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    CommandDoc c;
    c.name = sub->get_name();
    c.summary = sub->get_description();
    for (const CLI::Option* o : sub->get_options())
      if (o->get_name() != "--help" && (!o->get_lnames().empty() || o->get_positional()))
        c.flags.push_back(flag_doc(*o, true));
    for (const auto& h : kCommandHelp) {
      if (h.name != c.name) continue;
      for (const auto& g : doc.globals)
        if (std::find(h.groups.begin(), h.groups.end(), g.group) != h.groups.end() ||
            std::find(h.globals.begin(), h.globals.end(), g.spellings.back()) != h.globals.end())
          c.flags.push_back(g);
      c.global_groups = h.groups;
      c.global_flags = h.globals;
      c.examples = {h.example};
      c.notes = h.notes;
    }
    doc.commands.push_back(std::move(c));
  }
  doc.examples = kExamples;
  doc.help_examples = kHelpExamples;
  for (const auto& m : catalog.models) doc.models.push_back(m.id);
  for (const auto& q : catalog.quants) doc.quants.push_back(q.id);
  for (const auto& h : catalog.hardware) {
    doc.hardware.push_back(h.id);
    if (h.kind == HardwareKind::cpu) doc.hosts.push_back(h.id);
  }
  return doc;
}

/// --help, for the top level or the subcommand asked about, from describe().
class HelpFormatter : public CLI::FormatterBase {
 public:
  HelpFormatter(const Flags& f, const CLI::App& root) : flags_(f), root_(root) {}
  std::string make_help(const CLI::App* app, std::string, CLI::AppFormatMode) const override {
    // The catalog only names ids for completion: the embedded one, whatever --catalog says.
    Flags plain = flags_;
    plain.catalog_paths.clear();
    const CliDoc doc = describe(root_, load(plain));
    const std::size_t width = output_settings(flags_).width;
    for (const auto& c : doc.commands)
      if (app->get_parent() && c.name == app->get_name()) return help_text(doc, &c, width);
    return help_text(doc, nullptr, width);
  }

 private:
  const Flags& flags_;
  const CLI::App& root_;
};

}  // namespace

int run_cli(int argc, char** argv) {
  Flags f;
  f.report = take_report_request(argc, argv);
  if (f.report.help) return std::cout << report_help(), 0;
  CLI::App app{"which open-weight LLM and quantization to run on this machine (or one you might buy), how fast "
               "it will decode, and whether that beats paying for an API."};
  app.formatter(std::make_shared<HelpFormatter>(f, app));
  app.require_subcommand(0, 1);
  app.fallthrough();
  bool version = false, man = false;
  app.option_defaults()->group("Output");
  app.add_flag("--json", f.json, "Print one JSON document instead of text (every figure's source included)");
  app.add_option("--width", f.width,
                 "Wrap text to N columns [default: COLUMNS, else the terminal's width, else 80 when piped]")
      ->transform(within(kMinWidth, kMaxWidth, "--width"));
  app.add_option("--color", f.color, "Colour headings, verdicts and warnings: auto (on a terminal, unless NO_COLOR "
                                     "is set), always or never [default: auto]")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("-v,--verbose", f.verbose, "Show every figure's source and every assumption");
  app.option_defaults()->group("Program");
  app.add_flag("--version", version, "Print the version, the catalog's date and the calibration kernels' version");
  app.add_flag("--man", man, "Print the man page (roff)");
  app.option_defaults()->group("Machine");
  app.add_option("--machine", f.machine_path,
                 "Use a saved probe (probe --save) or an hwloc XML export instead of probing")
      ->check(CLI::ExistingFile);
  app.add_option("--hardware", f.hardware_id, "Ask about a catalog machine instead of this one")->check(named("--hardware"));
  app.add_option("--host", f.host_id,
                 "With --hardware GPU: the computer the card goes into, a catalog CPU machine id or 'this' "
                 "(this machine, or --machine) [default: " + std::string(kDefaultHost) + "]")
      ->check(named("--host"));
  app.add_flag("--owned", f.budget.owned,
               "With --hardware: you already own it; advise with nothing amortised and the budget set "
               "against the running cost only (this machine and --machine are always owned)");
  app.add_option("--gpus", f.gpus,
                 "With --hardware GPU: this many of it in the machine (split or tensor parallel) [default: 1]")
      ->check(CLI::Range(1, 64));
  app.add_flag("--no-calibrate", f.no_calibrate,
               "Do not measure this machine: use stated estimates (and datasheet figures)");
  app.option_defaults()->group("Catalog");
  app.add_option("--catalog", f.catalog_paths,
                 "Add or override catalog entries from a TOML file (repeatable; schema in data/README.md)")
      ->check(CLI::ExistingFile);
  app.option_defaults()->group("Workload");
  add_workload_flags(app, f);
  app.option_defaults()->group("Options");
  app.add_subcommand("advise", "Recommend a model and quantization (default)");
  auto* estimate_cmd = app.add_subcommand("estimate", "Memory, speed and cost of one model and quant");
  estimate_cmd->add_option("--model", f.model_id, "Catalog model id (see `models`)")->required()->check(named("--model"));
  estimate_cmd->add_option("--quant", f.quant_id, "Catalog quant id (see `quants`)")->required()->check(named("--quant"));
  estimate_cmd->add_option("--backend", f.backend, "cuda, rocm, vulkan, metal or cpu")->check(named("--backend"));
  auto* probe_cmd = app.add_subcommand("probe", "Show what this machine is, with sources");
  probe_cmd->add_option("--save", f.save_path, "Write the probe as JSON for --machine");
  auto* fit_cmd = app.add_subcommand("fit", "Will this model file fit, with what context, and how fast?");
  fit_cmd->add_option("PATH", f.fit_path, "A .gguf file (a split's first shard reads them all) or a Hugging Face "
                                        "folder (config.json + safetensors)")
      ->required();
  auto* plan_cmd = app.add_subcommand(
      "plan", "Rank machines to buy or rent for a model, a speed and a budget; without --model, the best "
              "model the budget buys");
  plan_cmd->add_option("--model", f.model_id, "Catalog model id (see `models`); without it, every model is planned")
      ->check(named("--model"));
  plan_cmd->add_option("--min-quality", f.min_quality,
                       "Without --model: the cheapest way to any model at least this good (catalog scale, see "
                       "`models`)")
      ->transform(at_least(0.0, "--min-quality"));
  plan_cmd->add_flag("--used", f.scope.used, "Price purchases second-hand where the catalog has a used price");
  plan_cmd->add_option("--fleet", f.fleet_paths,
                       "Plan on machines you own (saved with `probe --save`, or hwloc XML), alone and joined by "
                       "llama.cpp RPC, instead of buying")
      ->check(CLI::ExistingFile);
  plan_cmd->add_option("--quant", f.plan_quant, "A quant id, or auto: the best one each machine runs [default: auto]")
      ->check(named("--quant"));
  plan_cmd->add_option("--min-retention", f.min_retention,
                       "With --quant auto, only quants keeping at least this share of the model's quality "
                       "(perplexity-based, see `quants`) [default: 0.9: no IQ2/Q2 mixes unless asked]")
      ->transform(within(0.0, 1.0, "--min-retention"));
  plan_cmd->add_option("--max-price", f.scope.max_price_usd,
                       "Spend at most this on hardware, USD, a graphics card's host included; purchases only")
      ->transform(at_least(0.0, "--max-price"));
  plan_cmd->add_flag("--buy", f.scope.buy_only, "Purchases only: no rentals");
  plan_cmd->add_flag("--have-host", f.scope.host_owned,
                     "You have a computer for the graphics card: its host's price is not added");
  auto* compare_cmd = app.add_subcommand(
      "compare", "Two or three machines side by side for one model: fit, quant, speed, price, monthly cost, "
                 "break-even against the API, and which is the better buy");
  compare_cmd->add_option("MACHINES", f.compare_ids,
                          "2 or 3 of: a catalog hardware id (`benchr-advise hardware`), NxID for N of a graphics "
                          "card in one machine (2xrtx-3090), or 'this' (this machine, or --machine; owned)")
      ->required()
      ->expected(2, 3);
  compare_cmd->add_option("--model", f.model_id, "Catalog model id (see `models`)")->required()->check(named("--model"));
  compare_cmd->add_option("--quant", f.plan_quant,
                          "A quant id, or auto: the best one each machine runs [default: auto]")
      ->check(named("--quant"));
  compare_cmd->add_option("--min-retention", f.min_retention,
                          "With --quant auto, only quants keeping at least this share of the model's quality "
                          "[default: 0.9]")
      ->transform(within(0.0, 1.0, "--min-retention"));
  compare_cmd->add_flag("--have-host", f.scope.host_owned,
                        "You have a computer for a graphics card: its host's price is not added");
  auto* calibrate_cmd = app.add_subcommand(
      "calibrate", "Measure this CPU's bandwidth and per-format decode/prefill rates, and cache them");
  calibrate_cmd->add_option("--seconds", f.calibration_budget_s, "Time budget [default: 3]")
      ->transform(within(0.2, 60.0, "--seconds"));
  auto* models_cmd = app.add_subcommand("models", "List catalog models");
  models_cmd->add_option("--family", f.list.family, "Only ids starting with this (qwen3, llama-3.1, gemma)");
  models_cmd->add_option("--max-params", f.list.max_params_b, "At most this many parameters, billions")
      ->transform(at_least(0.0, "--max-params"));
  models_cmd->add_option("--license", f.list.license, "Only this license id (Apache-2.0, MIT, llama3.1, ...)");
  auto* quants_cmd = app.add_subcommand("quants", "List catalog quantizations");
  auto* hardware_cmd = app.add_subcommand("hardware", "List catalog hardware");
  hardware_cmd->add_option("--kind", f.list.kind, "gpu, apple, cpu or apu")
      ->check(CLI::IsMember(hardware_kind_names()));
  hardware_cmd->add_option("--max-price", f.list.max_price, "At most this price, USD")
      ->transform(at_least(0.0, "--max-price"));
  auto* prices_cmd = app.add_subcommand("prices", "List API prices, GPU rentals and the electricity price");
  auto* local_cmd = app.add_subcommand("local", "Models already here (Ollama, LM Studio, llama.cpp, Hugging Face "
                                                "cache, $BENCHR_MODEL_PATH): fits, context, speed, command");
  auto* completion_cmd = app.add_subcommand("completion", "Print a shell completion script: bash, zsh or fish");
  std::string shell;
  completion_cmd->add_option("SHELL", shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  app.add_subcommand("report", "[advise|plan] ... -o FILE.html: the answer as a page of charts (report --help)")
      ->fallthrough(false)
      ->allow_extras();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "benchr-advise: error: %s\n", e.what());
    std::fprintf(stderr, "Run 'benchr-advise --help' for usage.\n");
    return 2;
  }
  check_report_question(f.report, app.get_subcommands().empty() ? "" : app.get_subcommands().front()->get_name(), f.json);


  f.out = output_settings(f);
  if (version) {
    std::cout << version_line(load(f)) << "\n";
    return 0;
  }
  if (man) {
    std::cout << man_page(describe(app, load(f)), catalog_date(load(f)));
    return 0;
  }
  if (completion_cmd->parsed()) {
    std::cout << completion_script(describe(app, load(f)), shell);
    return 0;
  }
  if (calibrate_cmd->parsed()) return cmd_calibrate(f);

  // The machine you advise on is yours unless it is a catalog machine you might buy.
  if (f.hardware_id.empty()) f.budget.owned = true;

  Catalog catalog = load(f);
  if (f.kwh_price >= 0)
    catalog.electricity = {f.kwh_price, "--kwh-price", "given on the command line"};
  f.workload.kv_type = parse_kv_type(f.kv_type, "--kv-cache-type");
  if (f.flash_attn != "on" && f.flash_attn != "off")
    throw InputError("--flash-attn: '" + f.flash_attn + "' is neither on nor off");
  f.workload.flash_attention = f.flash_attn == "on";
  if (f.always_on && f.hours_per_day >= 0 && f.hours_per_day != 24)
    throw InputError("--always-on means --hours-per-day 24: give one of them");
  if (f.always_on) f.workload.hours_per_day = 24;
  else if (f.hours_per_day >= 0) f.workload.hours_per_day = f.hours_per_day;

  for (auto [cmd, what] : {std::pair{models_cmd, "models"}, {quants_cmd, "quants"},
                           {hardware_cmd, "hardware"}, {prices_cmd, "prices"}})
    if (cmd->parsed()) return cmd_list(f, catalog, what);
  if (fit_cmd->parsed()) return cmd_fit(f, catalog);
  if (local_cmd->parsed()) return cmd_local(f, catalog);
  if (compare_cmd->parsed()) return cmd_compare(f, catalog);
  if (plan_cmd->parsed()) return cmd_plan(f, catalog);
  if (probe_cmd->parsed()) return cmd_probe(f, catalog);
  if (estimate_cmd->parsed()) return cmd_estimate(f, catalog);
  return cmd_advise(f, catalog);
}

}  // namespace benchr
