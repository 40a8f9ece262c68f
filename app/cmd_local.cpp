// `local`: the models already on this machine, each read from its header and estimated here as
// `fit` does one file.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "json.hpp"
#include "scan.hpp"
#include "table.hpp"

namespace benchr {
namespace {

using nlohmann::json;

// Table widths: the store's column fits "huggingface"; the model's takes what the output's width
// leaves after the figures' columns (quant 9, GB 7, fits 5, max ctx 8, decode 7, prefill 8 and the
// spaces between: 51), at least kMinNameWidth, at most kMaxNameWidth.
constexpr std::size_t kStoreWidth = 11;
constexpr std::size_t kFiguresWidth = 51;
constexpr std::size_t kMinNameWidth = 14;
constexpr std::size_t kMaxNameWidth = 40;

struct LocalRow {
  FoundModel found;
  std::optional<ModelFile> file;
  std::optional<Estimate> estimate;
  std::string quant;    ///< the file's mix (Q4_K_M) or its main block format
  std::string command;  ///< how its engine runs it
  std::string problem;  ///< why there is no estimate
};

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string cut(const std::string& s, std::size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 3) + "...";
}

LocalRow estimate_one(FoundModel found, const Catalog& catalog, const Machine& machine, const Workload& workload) {
  LocalRow row{std::move(found), std::nullopt, std::nullopt, "", "", ""};
  try {
    ModelFile file = read_model_file(row.found.path);
    file.spec.local_path = row.found.path;
    QuantSpec quant = quant_spec(file);
    row.quant = quant.id;
    if (const QuantSpec* known = catalog.find_quant(file.file_type)) {
      quant.quality_retention = known->quality_retention;
      quant.quality_source = known->quality_source;
    }
    if (const std::string problem = file.spec.shape_problem(); !problem.empty()) {
      row.problem = "its metadata describe no possible model: " + problem;
    } else if (!runs_on(quant, file.spec, machine)) {
      row.problem = "no backend of this machine runs " + std::string(to_string(file.format)) + " weights of type " +
                    std::string(quant.block_format->name);
    } else {
      Workload w = workload;
      if (w.context_tokens > file.spec.context_max && file.spec.context_max > 0) w.context_tokens = file.spec.context_max;
      row.estimate = estimate(file.spec, quant, machine, w);
      row.command = row.estimate->launch;
    }
    row.file = std::move(file);
  } catch (const InputError& e) {
    row.problem = e.what();
  }
  // Ollama runs its own copy by name; the others are run from the file where it lies.
  if (row.found.store == Store::ollama) row.command = "ollama run " + row.found.name;
  else if (row.command.empty() && row.file && row.file->format == QuantFormat::gguf) row.command = "llama-server -m " + row.found.path;
  return row;
}

std::string present(const std::vector<LocalRow>& rows, const std::vector<std::string>& problems,
                    const Machine& machine, const Workload& w, const Output& out) {
  const std::size_t width = out.width;
  const std::size_t name_width =
      std::clamp(width > kStoreWidth + 1 + kFiguresWidth ? width - kStoreWidth - 1 - kFiguresWidth : 0, kMinNameWidth,
                 kMaxNameWidth);
  const std::size_t indent = kStoreWidth + 1;
  std::string s = heading(fmt::format("Models already on this machine: {} found, on {}", rows.size(), machine.name),
                          width, out.color);
  s += wrap(fmt::format("fit at --context {} (or the model's own maximum)", w.context_tokens), 0, 2, width);
  if (rows.empty())
    s += wrap("None in Ollama's, LM Studio's, llama.cpp's or the Hugging Face hub's store; $BENCHR_MODEL_PATH "
              "(files or folders, ':'-separated) adds others.", 0, 2, width);
  else
    s += fmt::format("\n{:<{}} {:<{}} {:<9} {:>7} {:>5} {:>8} {:>7} {:>8}\n", "store", kStoreWidth, "model",
                     name_width, "quant", "GB", "fits", "max ctx", "decode", "prefill");
  for (const auto& r : rows) {
    const std::string store(to_string(r.found.store));
    s += fmt::format("{:<{}} {:<{}} ", cut(store, kStoreWidth), kStoreWidth, cut(r.found.name, name_width), name_width);
    if (r.estimate) {
      const Estimate& e = *r.estimate;
      s += fmt::format("{:<9} {:>7.1f} {:>5} {:>8} {:>7} {:>8}\n", cut(r.quant, 9), double(r.file->weight_bytes) / 1e9,
                       e.fits ? "yes" : "no", e.fits ? std::to_string(e.max_context) : "-",
                       !e.fits ? "-" : e.decode_tps > 0 ? fmt::format("{:.1f}", e.decode_tps) : "unknown",
                       !e.fits ? "-" : e.prefill_tps > 0 ? fmt::format("{:.0f}", e.prefill_tps) : "unknown");
    } else {
      s += fmt::format("{:<9} {:>7} {:>5}\n", cut(r.quant.empty() ? "?" : r.quant, 9),
                       r.file ? fmt::format("{:.1f}", double(r.file->weight_bytes) / 1e9) : "?", "?");
      s += std::string(indent, ' ') + wrap("not estimated: " + r.problem, indent, indent, width);
    }
    if (!r.command.empty()) s += std::string(indent, ' ') + wrap(r.command, indent, indent + 2, width);
  }
  if (!problems.empty()) {
    s += "\nStore entries that could not be read:\n";
    for (const auto& p : problems) s += "  " + wrap(p, 2, 4, width);
  }
  s += "\n" + wrap("decode and prefill are tok/s at the context above (unknown: no figure to estimate it from); "
                   "max ctx is the largest that fits.", 0, 2, width);
  return s;
}

json to_json_rows(const std::vector<LocalRow>& rows, const std::vector<std::string>& problems, const Machine& machine,
                  const Workload& w) {
  json models = json::array();
  for (const auto& r : rows) {
    json m = {{"store", to_string(r.found.store)}, {"name", r.found.name}, {"path", r.found.path},
              {"found_via", r.found.via}, {"command", r.command.empty() ? json(nullptr) : json(r.command)}};
    if (r.file) {
      m["format"] = to_string(r.file->format);
      m["architecture"] = r.file->architecture;
      m["quant"] = r.quant;
      m["weight_bytes"] = r.file->weight_bytes;
      m["notes"] = r.file->notes;
    }
    if (r.estimate) {
      m["fits"] = r.estimate->fits;
      m["estimate"] = to_json(*r.estimate);
    } else {
      m["fits"] = nullptr;  // unknown: no estimate
      m["problem"] = r.problem;
    }
    models.push_back(std::move(m));
  }
  return {{"machine", machine.name}, {"workload", to_json(w)}, {"models", models}, {"problems", problems}};
}

}  // namespace

int cmd_local(const Flags& f, const Catalog& catalog) {
  const StoreRoots roots = store_roots(env("HOME"), env("OLLAMA_MODELS"), env("LLAMA_CACHE"), env("HF_HOME"),
                                       env("HF_HUB_CACHE"), env("BENCHR_MODEL_PATH"));
  std::vector<std::string> problems;
  const std::vector<FoundModel> found = find_local_models(roots, problems);
  const Machine machine = with_catalog_gpus(the_machine(f, catalog), catalog);
  std::vector<LocalRow> rows;
  for (const auto& m : found) rows.push_back(estimate_one(m, catalog, machine, f.workload));
  std::cout << (f.out.json ? to_json_rows(rows, problems, machine, f.workload).dump(2) + "\n"
                           : present(rows, problems, machine, f.workload, f.out));
  return 0;
}

}  // namespace benchr
