#include <algorithm>
#include <cmath>

#include "gguf_file.hpp"
#include "storage_types.hpp"

namespace benchr::modelfile {
namespace {

/// Sliding-window pattern (every n-th layer global) where the metadata does not carry it:
/// llama.cpp src/llama-model.cpp hard-codes hparams.set_swa_pattern(n) for these architectures.
struct ArchSwa {
  std::string_view arch;
  int pattern;
};
constexpr std::array<ArchSwa, 5> kArchSwa{{
    {"gemma2", 2}, {"gemma3", 6}, {"cohere2", 4}, {"gpt-oss", 2}, {"llama4", 4}}};


/// Gated DeltaNet architectures: llama.cpp marks every layer recurrent but each 4th
/// (llama_model::load_hparams for qwen3next: recurrent_layer_arr[i] = (i + 1) % 4 != 0).
bool delta_net_arch(std::string_view arch) { return arch.rfind("qwen3next", 0) == 0 || arch.rfind("qwen35", 0) == 0; }

}  // namespace

void fill_spec_gguf(ModelFile& mf, const Metadata& md) {
  GgufFields m(mf.path, md, mf.notes);
  const std::string a = mf.architecture + ".";
  ModelSpec& s = mf.spec;
  s.layers = m.count(a + "block_count");
  s.hidden = m.count(a + "embedding_length");
  s.heads = m.count(a + "attention.head_count");
  s.kv_heads = m.count(a + "attention.head_count_kv");
  if (!m.find(a + "attention.head_count_kv")) {
    s.kv_heads = s.heads;
    if (s.heads) mf.notes.push_back(a + "attention.head_count_kv missing: as many KV heads as heads");
  }
  s.kv_lora_rank = m.count(a + "attention.kv_lora_rank");
  s.q_lora_rank = m.count(a + "attention.q_lora_rank");
  if (s.is_mla()) {
    // DeepSeek-style MLA: newer conversions keep the per-head sizes in *_mla and store the
    // compressed MQA view (kv_lora_rank + rope) in key_length.
    const bool mla_keys = m.find(a + "attention.key_length_mla") != nullptr;
    s.head_dim = m.count(a + (mla_keys ? "attention.key_length_mla" : "attention.key_length"));
    s.v_head_dim = m.count(a + (mla_keys ? "attention.value_length_mla" : "attention.value_length"));
    s.qk_rope_head_dim = m.count(a + "rope.dimension_count");
  } else {
    s.head_dim = m.count(a + "attention.key_length");
    if (!s.head_dim && s.heads) s.head_dim = s.hidden / s.heads;
    s.v_head_dim = m.count(a + "attention.value_length");
    if (!s.v_head_dim) s.v_head_dim = s.head_dim;
  }
  s.ffn = m.count(a + "feed_forward_length");
  if (auto v = m.integer(a + "context_length")) s.context_max = *v;

  s.experts = m.count(a + "expert_count");
  s.experts_active = m.count(a + "expert_used_count");
  s.shared_experts = m.count(a + "expert_shared_count");
  s.expert_ffn = m.count(a + "expert_feed_forward_length");
  s.dense_layers = m.count(a + "leading_dense_block_count");
  if (s.is_moe() && !s.expert_ffn) {
    s.expert_ffn = s.ffn;  // Mixtral-style: feed_forward_length is the expert's width
    mf.notes.push_back(a + "expert_feed_forward_length missing: experts are feed_forward_length wide");
  }
  if (s.is_moe() && !s.shared_experts && s.expert_ffn) {
    const int shared_ffn = m.count(a + "expert_shared_feed_forward_length");
    if (shared_ffn) {
      s.shared_experts = std::max(1, int(std::lround(double(shared_ffn) / s.expert_ffn)));
      mf.notes.push_back("shared expert " + std::to_string(shared_ffn) + " wide counted as " +
                         plural(s.shared_experts, "expert") + " of " + std::to_string(s.expert_ffn));
    }
  }

  s.sliding_window = m.count(a + "attention.sliding_window");
  if (const Value* p = m.find(a + "attention.sliding_window_pattern")) {
    if (p->array && p->ints.size() == p->count && p->count > 0) {
      // Per-layer flags, true for a sliding-window layer (llama_hparams::swa_layers).
      const auto global = std::count(p->ints.begin(), p->ints.end(), 0);
      s.sliding_window_pattern = global ? int(std::lround(double(p->count) / double(global)))
                                        : int_of(p->count + 1);
      mf.notes.push_back("sliding-window flags per layer: " + std::to_string(global) + " of " +
                         std::to_string(p->count) + " layers global, pattern " +
                         std::to_string(s.sliding_window_pattern));
    } else {
      s.sliding_window_pattern = m.count(a + "attention.sliding_window_pattern");
    }
  }
  if (!s.sliding_window_pattern) {
    for (const auto& rule : kArchSwa) {
      if (rule.arch != mf.architecture) continue;
      if (rule.arch == "llama4" && !m.find(a + "attention.sliding_window")) s.sliding_window = 8192;
      if (s.sliding_window) {
        s.sliding_window_pattern = rule.pattern;
        mf.notes.push_back("sliding window pattern " + std::to_string(rule.pattern) +
                           " from llama.cpp's rule for " + mf.architecture + " (not in the metadata)");
      }
    }
  }
  if (s.sliding_window && !s.sliding_window_pattern)
    mf.notes.push_back("sliding window pattern not in metadata: every layer counted as global attention");

  // Recurrent layers (llama_hparams::recurrent_layer_arr): Gated DeltaNet all but every
  // full_attention_interval-th; hybrids with a per-layer KV head count (Granite 4.0-H, Jamba) the
  // layers with none; Mamba alone every layer.
  if (const int d_inner = m.count(a + "ssm.inner_size")) {
    const bool delta_net = delta_net_arch(mf.architecture);
    const Value* kv = m.find(a + "attention.head_count_kv");
    if (delta_net) {
      int every = m.count(a + "full_attention_interval");
      if (!every) every = kDeltaNetFullAttentionInterval;
      s.recurrent_layers = s.layers - s.layers / every;
    } else if (kv && kv->array) {
      s.recurrent_layers = int(std::count(kv->ints.begin(), kv->ints.end(), 0));
    } else if (!s.heads) {
      s.recurrent_layers = s.layers;
    }
    set_recurrent(s, delta_net, d_inner, m.count(a + "ssm.state_size"), m.count(a + "ssm.group_count"),
                  m.count(a + "ssm.time_step_rank"), m.count(a + "ssm.conv_kernel"), mf.path,
                  "field " + a + "ssm.*");
    s.attn_output_gate = delta_net;  // llama.cpp's qwen3next/qwen35 attn_q: n_embd_head_k x n_head x 2
    mf.notes.push_back(recurrent_note(s));
  }

  const TensorInfo* embd = find_tensor(mf.tensors, "token_embd.weight");
  if (auto v = m.integer(a + "vocab_size")) {
    s.vocab = int_of(uint64_t(*v));
  } else if (const Value* tokens = m.find("tokenizer.ggml.tokens"); tokens && tokens->array) {
    s.vocab = int_of(tokens->count);
  } else if (embd && embd->shape.size() >= 2) {
    s.vocab = int_of(embd->shape[1]);
  }
  s.tied_embeddings = !mf.tensors.empty() && !find_tensor(mf.tensors, "output.weight");
  if (auto lic = m.text("general.license")) s.license = *lic;
  if (const Value* ft = m.find("general.file_type"); ft && !ft->array && ft->ints.size() == 1) {
    mf.file_type = std::string(file_type_name(ft->ints[0]));
    if (mf.file_type.empty()) mf.notes.push_back("general.file_type " + std::to_string(ft->ints[0]) + " is unknown");
  }

  const std::pair<std::string_view, int> required[] = {
      {"block_count", s.layers}, {"embedding_length", s.hidden}, {"attention.head_count", s.heads}};
  for (const auto& [key, value] : required)
    if (!value) mf.notes.push_back(a + std::string(key) + " missing: the estimate cannot use it");
}

}  // namespace benchr::modelfile
