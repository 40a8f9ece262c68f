// `fit`: a model file read from its own tensors and metadata, where its tensors go, then its estimate.
#include <fmt/format.h>

#include "app.hpp"
#include "json.hpp"
#include "table.hpp"

namespace benchr {

using nlohmann::json;

std::string present_fit(const ModelFile& file, const Estimate& e, const MonthlyCost& cost, const Machine& m,
                        const Workload& w, const Output& out) {
  const ModelSpec& s = file.spec;
  if (out.json) {
    json j = to_json(e);
    j["cost"] = to_json(cost);
    j["workload"] = to_json(w);
    j["file"] = {{"path", file.path},
                 {"files", file.files},
                 {"format", to_string(file.format)},
                 {"version", file.version},
                 {"architecture", file.architecture},
                 {"name", file.name},
                 {"tensors", file.tensors.size()},
                 {"weight_bytes", file.weight_bytes},
                 {"bytes_by_type", file.bytes_by_type},
                 {"params", s.params_b * 1e9},
                 {"layers", s.layers},
                 {"hidden", s.hidden},
                 {"heads", s.heads},
                 {"kv_heads", s.kv_heads},
                 {"head_dim", s.head_dim},
                 {"experts", s.experts},
                 {"experts_active", s.experts_active},
                 {"context_max", s.context_max},
                 {"notes", file.notes}};
    return guarded_dump(j);
  }
  std::string text = wrap(fmt::format("{} ({} v{}, {}, {} file{}): {:.3g}B parameters in {} tensors, {}", file.path,
                                     to_string(file.format), file.version, file.architecture, file.files.size(),
                                     file.files.size() == 1 ? "" : "s", s.params_b, file.tensors.size(),
                                     gib(double(file.weight_bytes))),
                         0, 2, out.width);
  std::string types;
  for (const auto& [type, bytes] : file.bytes_by_type)
    types += fmt::format("{}{} {}", types.empty() ? "" : ", ", type, gib(double(bytes)));
  text += "  by type     " + wrap(types, 14, 14, out.width);
  text += "  shape       " +
          wrap(fmt::format("{} layers, hidden {}, {} heads / {} KV heads x {}{}; context up to {}", s.layers, s.hidden,
                           s.heads, s.kv_heads, s.head_dim,
                           s.experts ? fmt::format(", {} experts ({} active)", s.experts, s.experts_active) : "",
                           s.context_max),
               14, 14, out.width);
  // Which of the file's tensors go where, in llama.cpp's names, for the placement chosen.
  const int L = s.layers;
  std::string where;
  switch (e.placement.kind) {
    case PlacementKind::cpu_only:
      where = fmt::format("all {} tensors on {}", file.tensors.size(), e.device_name);
      break;
    case PlacementKind::all_gpu:
      // llama.cpp keeps the input embedding in host RAM (a token gathers one row of it).
      where = fmt::format("every tensor on {}, but token_embd.weight in host RAM", e.device_name);
      break;
    case PlacementKind::partial_offload:
      where = fmt::format("blk.0-{} on {}; blk.{}-{}, output.weight and token_embd.weight on {}",
                          e.placement.gpu_layers - 1, e.device_name, e.placement.gpu_layers, L - 1, e.host_name);
      break;
    case PlacementKind::experts_on_cpu:
      where = fmt::format("ffn_*_exps (routed experts) of every block and token_embd.weight on {}; the rest on {}",
                          e.host_name, e.device_name);
      break;
    case PlacementKind::layer_split: {
      const int n = e.placement.gpu_count;
      for (int i = 0; i < n; ++i)
        where += fmt::format("{}blk.{}-{} on GPU {}", i ? "; " : "", i * L / n, (i + 1) * L / n - 1, i);
      where += " (token_embd in host RAM, output on the last)";
      break;
    }
    case PlacementKind::tensor_parallel:
      where = fmt::format("every tensor sharded over {} GPUs", e.placement.gpus());
      break;
  }
  text += "  tensors     " + wrap(where, 14, 14, out.width);
  for (const auto& n : merge_notes(file.notes)) text += "  note: " + wrap(n, 8, 8, out.width);
  return text + present_estimate(e, cost, m, w, out);
}

}  // namespace benchr
