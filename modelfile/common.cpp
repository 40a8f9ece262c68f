#include "common.hpp"

#include <algorithm>
#include <climits>

#include "gguf_file.hpp"
#include "storage_types.hpp"

namespace benchr::modelfile {
namespace {

bool is_routed_expert(std::string_view name) {
  if (name.find("shexp") != std::string_view::npos || name.find("shared") != std::string_view::npos)
    return false;
  return name.find("_exps") != std::string_view::npos || name.find(".experts.") != std::string_view::npos;
}

bool is_vision(std::string_view name) {
  for (std::string_view k : {"vision", "visual", "multi_modal_projector", "mm_projector"})
    if (name.find(k) != std::string_view::npos) return true;
  return false;
}

}  // namespace

const TensorInfo* find_tensor(const std::vector<TensorInfo>& ts, std::string_view name) {
  for (const auto& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}


int int_of(uint64_t v) { return v > uint64_t(INT_MAX) ? 0 : int(v); }

void set_recurrent(ModelSpec& s, bool delta_net, int d_inner, int d_state, int groups, int heads, int conv) {
  s.recurrent_kind = delta_net ? RecurrentKind::gated_delta_net : RecurrentKind::mamba2;
  // Inputs: q/B and k/C (groups x d_state each), v/x and the output gate z (d_inner each), and per
  // head beta and alpha (DeltaNet: attn_qkv, attn_gate, ssm_beta_alpha) or dt (Mamba2: ssm_in).
  s.recurrent_in_proj = 2 * groups * d_state + 2 * d_inner + (delta_net ? 2 : 1) * heads;
  s.recurrent_out_proj = d_inner;
  // llama_hparams::n_embd_r() + n_embd_s(): the convolution's last conv - 1 inputs, and the state.
  s.recurrent_state = int64_t(std::max(conv - 1, 0)) * (d_inner + 2 * int64_t(groups) * d_state) +
                      int64_t(d_state) * d_inner;
}

std::string recurrent_note(const ModelSpec& s) {
  return std::to_string(s.recurrent_layers) + " of " + std::to_string(s.layers) + " layers recurrent (" +
         (s.recurrent_kind == RecurrentKind::mamba2 ? "Mamba2" : "Gated DeltaNet") + "), " +
         std::to_string(s.recurrent_state) + " f32 of state each";
}

void summarize(ModelFile& mf) {
  double elements = 0, routed = 0, vision = 0;
  for (const auto& t : mf.tensors) {
    mf.weight_bytes += t.bytes;
    mf.bytes_by_type[t.type] += t.bytes;
    const double n = double(t.elements());
    elements += n;
    if (is_routed_expert(t.name)) routed += n;
    if (is_vision(t.name)) vision += n;
  }
  ModelSpec& s = mf.spec;
  s.params_b = elements / 1e9;
  s.vision_params_b = vision / 1e9;
  if (s.is_moe() && s.experts_active > 0)
    s.active_params_b = (elements - vision - routed * (1.0 - double(s.experts_active) / s.experts)) / 1e9;
  if (mf.tensors.empty()) mf.notes.push_back("the file holds no tensors");
  for (const auto& [type, bytes] : mf.bytes_by_type) {
    bool exact = true;
    const BlockFormat* f = estimator_format(type, exact);
    if (!exact)
      mf.notes.push_back(type + " is not an estimator format: counted as " + std::string(f->name) +
                         " (nearest in bits per weight)");
  }
}

std::string file_stem_id(const std::filesystem::path& p) {
  std::string stem = p.stem().string();
  if (auto s = split_name(p.filename().string())) stem = s->prefix;
  return stem;
}

}  // namespace benchr::modelfile
