#include "common.hpp"

#include <algorithm>
#include <climits>
#include <optional>

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

namespace {
/// a x b + c in int64_t, or nullopt when it overflows (each operand comes from a file).
std::optional<int64_t> mul_add(int64_t a, int64_t b, int64_t c = 0) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(r, c, &r)) return std::nullopt;
  return r;
}
}  // namespace

void set_recurrent(ModelSpec& s, bool delta_net, int64_t d_inner, int d_state, int groups, int heads, int conv,
                   const std::string& where, std::string_view fields) {
  s.recurrent_kind = delta_net ? RecurrentKind::gated_delta_net : RecurrentKind::mamba2;
  const auto too_large = [&](const char* what) {
    throw InputError(where + ": " + std::string(fields) + ": the recurrent layer's " + what +
                     " overflows (d_inner " + std::to_string(d_inner) + ", d_state " + std::to_string(d_state) +
                     ", groups " + std::to_string(groups) + ", heads " + std::to_string(heads) + ", conv " +
                     std::to_string(conv) + "; at most " + std::to_string(INT_MAX) + " a projection)");
  };
  // Inputs: q/B and k/C (groups x d_state each), v/x and the output gate z (d_inner each), and per
  // head beta and alpha (DeltaNet: attn_qkv, attn_gate, ssm_beta_alpha) or dt (Mamba2: ssm_in).
  const auto qk = mul_add(2 * int64_t(groups), d_state);
  const auto in_proj = qk ? mul_add(2, d_inner, *qk) : std::nullopt;
  const auto with_heads = in_proj ? mul_add(delta_net ? 2 : 1, heads, *in_proj) : std::nullopt;
  if (!with_heads || *with_heads > INT_MAX || d_inner > INT_MAX) too_large("input projection");
  s.recurrent_in_proj = int(*with_heads);
  s.recurrent_out_proj = int(d_inner);
  // llama_hparams::n_embd_r() + n_embd_s(): the convolution's last conv - 1 inputs, and the state.
  const auto conv_width = mul_add(2 * int64_t(groups), d_state, d_inner);
  const auto conv_state = conv_width ? mul_add(std::max(conv - 1, 0), *conv_width) : std::nullopt;
  const auto state = conv_state ? mul_add(d_state, d_inner, *conv_state) : std::nullopt;
  if (!state) too_large("state");
  s.recurrent_state = *state;
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
