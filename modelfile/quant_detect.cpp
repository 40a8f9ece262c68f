#include <algorithm>
#include <array>
#include <map>

#include "modelfile.hpp"
#include "storage_types.hpp"

namespace benchr {
namespace {

Role role_of(std::string_view n, bool tied) {
  auto has = [&](std::string_view s) { return n.find(s) != std::string_view::npos; };
  auto any = [&](std::initializer_list<std::string_view> keys) {
    return std::any_of(keys.begin(), keys.end(), has);
  };
  if (any({"token_embd.", "embed_tokens.", "wte.", "word_embeddings."}))
    return tied ? Role::output : Role::embedding;
  if (n == "output.weight" || has("lm_head.")) return Role::output;
  if (any({"norm", "gate_inp", ".gate.", "router", "rope_freqs"})) return Role::other;
  if (any({"attn_output.", "o_proj."})) return Role::attn_o;
  // MLA's kv_b (or its k_b/v_b halves) expands the latent into keys and values: the estimator's
  // attn_v role (estimator/memory.cpp).
  if (any({"attn_v.", "attn_kv_b.", "attn_k_b.", "attn_v_b.", "v_proj.", "kv_b_proj."})) return Role::attn_v;
  if (any({"attn_q", "attn_k", "q_proj.", "k_proj.", "qkv_proj.", "q_a_proj.", "q_b_proj.", "kv_a_proj"}))
    return Role::attn_qk;
  if (any({"ffn_down", "down_proj", ".w2."})) return Role::ffn_down;
  if (any({"ffn_gate", "ffn_up", "gate_proj", "up_proj", "gate_up_proj", ".w1.", ".w3."})) return Role::ffn_up;
  return Role::other;
}

}  // namespace

QuantSpec quant_spec(const ModelFile& f) {
  std::array<std::map<const BlockFormat*, double>, kRoles> elements;
  std::map<const BlockFormat*, uint64_t> bytes;
  for (const auto& t : f.tensors) {
    bool exact = true;
    const BlockFormat* format = modelfile::estimator_format(t.type, exact);
    elements[static_cast<std::size_t>(role_of(t.name, f.spec.tied_embeddings))][format] += double(t.elements());
    bytes[format] += t.bytes;
  }
  QuantSpec q;
  q.format = f.format;
  q.source = f.path;
  const auto top = std::max_element(bytes.begin(), bytes.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
  q.block_format = top == bytes.end() ? find_block_format("F16") : top->first;
  q.id = f.file_type.empty() ? std::string(q.block_format->name) : f.file_type;
  q.name = "as stored (" + std::string(q.block_format->name) + " and others)";
  if (bytes.size() <= 1) q.name = "as stored (" + std::string(q.block_format->name) + ")";
  for (std::size_t r = 0; r < kRoles; ++r) {
    double sum = 0;
    for (const auto& [format, n] : elements[r]) sum += n;
    if (sum <= 0) {
      q.roles[r] = {{q.block_format, 1.0}};
      continue;
    }
    for (const auto& [format, n] : elements[r]) q.roles[r].push_back({format, n / sum});
  }
  return q;
}

}  // namespace benchr
