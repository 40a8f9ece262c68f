#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "hf.hpp"
#include "reader.hpp"
#include "safetensors.hpp"

namespace benchr::modelfile {

using nlohmann::json;

namespace {

class ConfigFields {
 public:
  ConfigFields(const std::string& file, const std::string& text, const json& cfg)
      : file_(file), text_(text), cfg_(cfg) {}

  const json* find(std::string_view key) const {
    const auto it = cfg_.find(key);
    return it == cfg_.end() || it->is_null() ? nullptr : &*it;
  }

  /// The first of `keys` present, as a non-negative integer.
  std::optional<int64_t> integer(std::initializer_list<std::string_view> keys) const {
    for (auto key : keys) {
      const json* j = find(key);
      if (!j) continue;
      if (j->is_number_float() && std::floor(j->get<double>()) == j->get<double>() &&
          std::abs(j->get<double>()) < 9e15)
        return check(key, int64_t(j->get<double>()));
      if (j->is_number_unsigned()) {
        if (j->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
          fail(file_, key_at(text_, 0, key), key, "value is too large");
        return int64_t(j->get<uint64_t>());
      }
      if (j->is_number_integer()) return check(key, j->get<int64_t>());
      fail(file_, key_at(text_, 0, key), key, "expected an integer, found " + json_kind(*j));
    }
    return std::nullopt;
  }

  int count(std::initializer_list<std::string_view> keys) const {
    const auto v = integer(keys);
    if (v && *v > INT_MAX) fail(file_, key_at(text_, 0, *keys.begin()), *keys.begin(), "value is too large");
    return v ? int(*v) : 0;
  }

  std::optional<bool> flag(std::string_view key) const {
    const json* j = find(key);
    if (!j) return std::nullopt;
    if (!j->is_boolean()) fail(file_, key_at(text_, 0, key), key, "expected true or false, found " + json_kind(*j));
    return j->get<bool>();
  }

  std::string text(std::string_view key) const {
    const json* j = find(key);
    if (!j) return "";
    if (!j->is_string()) fail(file_, key_at(text_, 0, key), key, "expected a string, found " + json_kind(*j));
    return j->get<std::string>();
  }

 private:
  int64_t check(std::string_view key, int64_t v) const {
    if (v < 0) fail(file_, key_at(text_, 0, key), key, "negative value " + std::to_string(v));
    return v;
  }
  const std::string& file_;
  const std::string& text_;
  const json& cfg_;
};

}  // namespace

void fill_spec_config(ModelFile& mf, const std::string& file, const std::string& text, const json& cfg) {
  // Multimodal configs keep the language model in text_config.
  const auto tc = cfg.find("text_config");
  const json& lm = tc != cfg.end() && tc->is_object() ? *tc : cfg;
  const ConfigFields top(file, text, cfg), c(file, text, lm);
  mf.architecture = top.text("model_type");
  if (mf.architecture.empty()) mf.architecture = c.text("model_type");
  if (mf.architecture.empty()) mf.notes.push_back("config.json has no model_type");

  ModelSpec& s = mf.spec;
  s.layers = c.count({"num_hidden_layers", "n_layer", "num_layers"});
  s.hidden = c.count({"hidden_size", "n_embd", "d_model"});
  s.heads = c.count({"num_attention_heads", "n_head"});
  s.kv_heads = c.count({"num_key_value_heads"});
  if (!s.kv_heads) s.kv_heads = s.heads;
  s.kv_lora_rank = c.count({"kv_lora_rank"});
  s.q_lora_rank = c.count({"q_lora_rank"});
  if (s.is_mla()) {
    s.qk_rope_head_dim = c.count({"qk_rope_head_dim"});
    const int64_t head_dim = int64_t(c.count({"qk_nope_head_dim"})) + s.qk_rope_head_dim;
    if (head_dim > INT_MAX)
      fail(file, key_at(text, 0, "qk_nope_head_dim"), "qk_nope_head_dim + qk_rope_head_dim",
           std::to_string(head_dim) + " is above " + std::to_string(INT_MAX));
    s.head_dim = int(head_dim);
  } else {
    s.head_dim = c.count({"head_dim"});
  }
  if (!s.head_dim && s.heads) s.head_dim = s.hidden / s.heads;
  s.v_head_dim = c.count({"v_head_dim"});
  if (!s.v_head_dim) s.v_head_dim = s.head_dim;
  s.ffn = c.count({"intermediate_size", "n_inner", "ffn_dim"});
  s.vocab = c.count({"vocab_size"});
  if (auto v = c.integer({"max_position_embeddings", "n_positions", "max_sequence_length"})) s.context_max = *v;

  s.experts = c.count({"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"});
  s.experts_active = c.count({"num_experts_per_tok", "num_experts_per_token", "moe_top_k"});
  s.shared_experts = c.count({"n_shared_experts", "num_shared_experts"});
  s.expert_ffn = c.count({"moe_intermediate_size"});
  s.dense_layers = c.count({"first_k_dense_replace"});
  if (s.is_moe() && !s.expert_ffn) s.expert_ffn = s.ffn;  // Mixtral: intermediate_size is per expert
  if (s.is_moe() && !s.shared_experts && s.expert_ffn) {
    if (const int shared = c.count({"shared_expert_intermediate_size"})) {
      s.shared_experts = std::max(1, int(std::lround(double(shared) / s.expert_ffn)));
      mf.notes.push_back("shared expert " + std::to_string(shared) + " wide counted as " +
                         plural(s.shared_experts, "expert") + " of " + std::to_string(s.expert_ffn));
    }
  }

  s.sliding_window = c.flag("use_sliding_window").value_or(true) ? c.count({"sliding_window"}) : 0;
  s.sliding_window_pattern = c.count({"sliding_window_pattern"});
  if (const json* types = c.find("layer_types"); types && types->is_array() && !s.sliding_window_pattern) {
    const auto global = std::count(types->begin(), types->end(), json("full_attention"));
    const auto n = types->size();
    if (s.sliding_window && global < std::ptrdiff_t(n))
      s.sliding_window_pattern = global ? int(std::lround(double(n) / double(global))) : int_of(n + 1);
  }
  if (s.sliding_window && !s.sliding_window_pattern)
    mf.notes.push_back("sliding window pattern not in config.json: every layer counted as global attention");

  // Recurrent layers: Gated DeltaNet (Qwen3-Next, Qwen3.5: linear_* keys, layer_types
  // "linear_attention" or every full_attention_interval-th layer full) or Mamba2 (Granite 4.0-H:
  // mamba_* keys, layer_types "mamba").
  const json* types = c.find("layer_types");
  const auto typed = [&](const char* kind) {
    return types && types->is_array() ? int(std::count(types->begin(), types->end(), json(kind))) : 0;
  };
  if (const int value_heads = c.count({"linear_num_value_heads"})) {
    const int every = c.count({"full_attention_interval"});
    s.recurrent_layers = typed("linear_attention");
    if (!s.recurrent_layers) s.recurrent_layers = s.layers - s.layers / (every ? every : kDeltaNetFullAttentionInterval);
    set_recurrent(s, true, int64_t(value_heads) * c.count({"linear_value_head_dim"}), c.count({"linear_key_head_dim"}),
                  c.count({"linear_num_key_heads"}), value_heads, c.count({"linear_conv_kernel_dim"}), file,
                  "linear_num_value_heads, linear_value_head_dim, linear_key_head_dim, linear_num_key_heads, "
                  "linear_conv_kernel_dim");
    // Qwen3-Next gates its attention output always; Qwen3.5 says so in attn_output_gate.
    s.attn_output_gate = c.flag("attn_output_gate").value_or(mf.architecture == "qwen3_next");
  } else if (const int mamba_heads = c.count({"mamba_n_heads"})) {
    s.recurrent_layers = typed("mamba");
    set_recurrent(s, false, int64_t(mamba_heads) * c.count({"mamba_d_head"}), c.count({"mamba_d_state"}),
                  std::max(1, c.count({"mamba_n_groups"})), mamba_heads, c.count({"mamba_d_conv"}), file,
                  "mamba_n_heads, mamba_d_head, mamba_d_state, mamba_n_groups, mamba_d_conv");
  }
  if (s.recurrent_layers) mf.notes.push_back(recurrent_note(s));

  if (auto q = cfg.find("quantization_config"); q != cfg.end() && q->is_object()) {
    const auto method = q->find("quant_method");
    mf.notes.push_back("quantized checkpoint (" +
                       (method != q->end() && method->is_string() ? method->get<std::string>() : "unknown") +
                       "): packed tensors store several weights per element, so params_b from "
                       "element counts is low");
  }
}

}  // namespace benchr::modelfile
