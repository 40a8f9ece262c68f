#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "estimator.hpp"

namespace benchr {
namespace {

// llama.cpp's compute buffer is dominated by one micro-batch of logits plus two hidden-size
// activations per token, in f32: n_ubatch x 4 B x (vocab + 2 x hidden). This reproduces all five
// shapes of bench/validation/local-memory.csv to the MiB (e.g. 8B: 512 x 4 x (128256 + 8192)
// = 266.5 MiB; TinyLlama: 512 x 4 x (32000 + 4096) = 70.5 MiB), flash attention on.
constexpr double kComputeBytesPerElement = 4;
// Output buffer: one f32 logit row (llama.cpp "output buffer size = 0.49 MiB" at vocab 128256).
constexpr double kOutputBufferBytesPerLogit = 4;
// GPU backends hold a driver context and library workspaces beside the model (CUDA context,
// cuBLAS/hipBLAS workspace). Assumption, not measured here: 400 MiB; Metal's limit is applied as
// a fraction of memory instead (machine.cpp).
constexpr double kGpuRuntimeOverheadBytes = 400 * kMiB;

// llama.cpp keeps a recurrent layer's state in f32 whatever the KV cache type: llama_model::
// create_memory builds llama_memory_recurrent with GGML_TYPE_F32 for both its r (convolution)
// and s (recurrent) tensors; its load log says "R (f32): 2.25 MiB, S (f32): 48.00 MiB" for the
// Qwen3.5-4B shape, this formula's figure to the byte (bench/local_live_2026-11-28.md).
constexpr double kRecurrentStateElementBytes = 4;

double v_dim(const ModelSpec& m) { return m.v_head_dim > 0 ? m.v_head_dim : m.head_dim; }

double kv_element_bytes(KvType t) {
  switch (t) {
    case KvType::f16: return 2.0;
    case KvType::q8_0: return 34.0 / 32.0;  // ggml block_q8_0
    case KvType::q4_0: return 18.0 / 32.0;  // ggml block_q4_0
  }
  return 2.0;
}

}  // namespace

double ParamBreakdown::sum() const { return std::accumulate(total.begin(), total.end(), 0.0); }

ParamBreakdown param_breakdown(const ModelSpec& m) {
  ParamBreakdown p;
  auto at = [](std::array<double, kRoles>& a, Role r) -> double& {
    return a[static_cast<std::size_t>(r)];
  };
  const double h = m.hidden, L = m.layers, vocab = m.vocab;
  const double hd = m.head_dim, vd = v_dim(m), heads = m.heads, kvh = m.kv_heads;

  at(p.total, m.tied_embeddings ? Role::output : Role::embedding) = vocab * h;
  if (!m.tied_embeddings) at(p.total, Role::output) = vocab * h;

  const double A = m.attention_layers(), R = m.recurrent_layers;
  if (m.is_mla()) {
    const double q = m.q_lora_rank > 0 ? h * m.q_lora_rank + m.q_lora_rank * heads * hd
                                       : h * heads * hd;
    at(p.total, Role::attn_qk) = A * (q + h * (double(m.kv_lora_rank) + m.qk_rope_head_dim));
    at(p.total, Role::attn_v) = A * m.kv_lora_rank * heads * (hd - double(m.qk_rope_head_dim) + vd);
  } else {
    at(p.total, Role::attn_qk) = A * (h * heads * hd * (m.attn_output_gate ? 2 : 1) + h * kvh * hd);
    at(p.total, Role::attn_v) = A * h * kvh * vd;
  }
  at(p.total, Role::attn_o) = A * heads * vd * h;
  // A recurrent layer's projections take the attention roles: inputs (q, k, v, gates) as attn_qk,
  // the output as attn_o.
  at(p.total, Role::attn_qk) += R * h * m.recurrent_in_proj;
  at(p.total, Role::attn_o) += R * double(m.recurrent_out_proj) * h;

  const double dense = m.is_moe() ? m.dense_layers : L;
  const double moe = L - dense;
  const double ef = m.expert_ffn;
  at(p.total, Role::ffn_up) = dense * 2 * h * m.ffn + moe * (double(m.experts) + m.shared_experts) * 2 * h * ef;
  at(p.total, Role::ffn_down) = dense * h * m.ffn + moe * (double(m.experts) + m.shared_experts) * h * ef;
  at(p.routed, Role::ffn_up) = moe * m.experts * 2 * h * ef;
  at(p.routed, Role::ffn_down) = moe * m.experts * h * ef;
  // Norm weights (two per layer and the final one) and MoE routers.
  at(p.total, Role::other) = L * 2 * h + h + moe * h * m.experts;
  p.vision = m.vision_params_b * 1e9;
  return p;
}

double computed_params(const ModelSpec& m) {
  const auto p = param_breakdown(m);
  return p.sum() + p.vision;
}

double computed_active_params(const ModelSpec& m) {
  const auto p = param_breakdown(m);
  const double share = m.is_moe() ? double(m.experts_active) / m.experts : 1.0;
  double n = 0;
  for (std::size_t r = 0; r < kRoles; ++r) {
    if (r == static_cast<std::size_t>(Role::embedding)) continue;  // gathered, one row a token
    n += (p.total[r] - p.routed[r]) + p.routed[r] * share;
  }
  return n;
}

double experts_touched_share(const ModelSpec& m, int batch) {
  const double one = m.is_moe() ? double(m.experts_active) / m.experts : 1.0;
  return 1 - std::pow(1 - one, std::max(1, batch));
}

std::vector<FormatLoad> slice_load(const ModelSpec& m, const QuantSpec& q, const Slice& s, bool per_token,
                                   int batch) {
  const auto p = param_breakdown(m);
  const double share = per_token ? experts_touched_share(m, batch) : 1.0;
  std::vector<FormatLoad> load;
  for (std::size_t r = 0; r < kRoles; ++r) {
    const auto role = static_cast<Role>(r);
    double params;
    if (role == Role::embedding) {
      if (per_token || !s.embedding) continue;  // a token gathers one row of it
      params = p.total[r];
    } else if (role == Role::output) {
      if (!s.output) continue;
      params = p.total[r];
    } else {
      params = s.layers * ((s.dense ? p.total[r] - p.routed[r] : 0) + (s.routed ? p.routed[r] * share * s.routed_share : 0));
    }
    params /= std::max(1, s.tp);
    if (params <= 0) continue;
    // A model released with low-bit experts keeps them in every GGUF: llama-quantize leaves
    // MXFP4 tensors as they are (gpt-oss-20b's Q4_K_M, Q8_0 and F16 files are all 11.5-13.8 GB).
    const bool released = m.experts_format && q.format == QuantFormat::gguf && p.routed[r] > 0;
    const double routed = released ? s.layers * (s.routed ? p.routed[r] * share * s.routed_share : 0) / std::max(1, s.tp) : 0;
    if (routed > 0) {
      auto it = std::find_if(load.begin(), load.end(), [&](const FormatLoad& l) { return l.format == m.experts_format; });
      if (it == load.end()) it = load.insert(load.end(), FormatLoad{m.experts_format});
      it->params += routed;
      it->bytes += routed * m.experts_format->bits_per_weight() / 8;
      params -= routed;
      if (params <= 0) continue;
    }
    for (const auto& f : q.roles[r]) {
      auto it = std::find_if(load.begin(), load.end(), [&](const FormatLoad& l) { return l.format == f.format; });
      if (it == load.end()) it = load.insert(load.end(), FormatLoad{f.format});
      it->params += params * f.fraction;
      it->bytes += params * f.fraction * f.format->bits_per_weight() / 8;
    }
  }
  return load;
}

namespace {
double bytes_of(const std::vector<FormatLoad>& load) {
  double b = 0;
  for (const auto& l : load) b += l.bytes;
  return b;
}
}  // namespace

double weight_bytes(const ModelSpec& m, const QuantSpec& q) { return bytes_of(slice_load(m, q, Slice{}, false)); }

std::vector<FormatLoad> per_token_load(const ModelSpec& m, const QuantSpec& q, bool with_output) {
  Slice s;
  s.output = with_output;
  return slice_load(m, q, s, true);
}

double weight_bytes_per_token(const ModelSpec& m, const QuantSpec& q) { return bytes_of(per_token_load(m, q)); }

double cpu_repack_bytes(const ModelSpec& m, const QuantSpec& q, SimdLevel cpu, const Slice& s) {
  Slice matmuls = s;
  matmuls.embedding = false;  // get_rows reads the original
  double b = 0;
  for (const auto& l : slice_load(m, q, matmuls, false))
    if (l.format->repacked_on(cpu)) b += l.bytes;
  return b;
}

double kv_cache_bytes(const ModelSpec& m, int64_t tokens, KvType kv) {
  const double width = m.is_mla() ? double(m.kv_lora_rank) + m.qk_rope_head_dim
                                  : double(m.kv_heads) * (m.head_dim + v_dim(m));
  const double local_tokens = std::min<double>(tokens, m.sliding_window);
  return (m.global_layers() * tokens + m.local_layers() * local_tokens) * width * kv_element_bytes(kv);
}

double recurrent_state_bytes(const ModelSpec& m) {
  return double(m.recurrent_layers) * double(m.recurrent_state) * kRecurrentStateElementBytes;
}

int64_t kv_tokens_within(const ModelSpec& m, double bytes, KvType kv) {
  if (bytes <= 0) return 0;
  const double per_token = kv_cache_bytes(m, 1, kv);  // every layer holds the first tokens
  if (per_token <= 0) return std::numeric_limits<int64_t>::max();
  const double window = m.sliding_window > 0 && m.sliding_window_pattern > 0 ? m.sliding_window : 0;
  const auto tokens = [](double t) { return static_cast<int64_t>(std::min(std::floor(t), 1e18)); };
  if (window == 0 || bytes <= window * per_token) return tokens(bytes / per_token);
  // Past the window only the global layers grow.
  const double at_window = kv_cache_bytes(m, int64_t(window), kv);
  const double global_per_token = kv_cache_bytes(m, int64_t(window) + 1, kv) - at_window;
  if (global_per_token <= 0) return std::numeric_limits<int64_t>::max();
  return tokens(window + (bytes - at_window) / global_per_token);
}

double kv_share(const ModelSpec& m, int tp) {
  return m.is_mla() ? 1.0 : 1.0 / std::min(std::max(1, tp), std::max(1, m.kv_heads));
}

MemoryNeed memory_need(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d,
                       const Slice& s) {
  MemoryNeed n;
  n.weights_bytes = bytes_of(slice_load(m, q, s, false));
  n.repack_bytes = cpu_repack_bytes(m, q, d.cpu_repack, s);
  n.kv_cache_bytes = s.dense ? std::max(1, w.users) * s.layers * kv_share(m, s.tp) *
                                   (kv_cache_bytes(m, w.context_tokens, w.kv_type) + recurrent_state_bytes(m))
                             : 0;
  n.compute_bytes = double(w.ubatch_tokens) * kComputeBytesPerElement * (double(m.vocab) + 2.0 * m.hidden);
  n.overhead_bytes = kOutputBufferBytesPerLogit * m.vocab +
                     (d.kind == DeviceKind::gpu && d.backend != Backend::metal
                          ? kGpuRuntimeOverheadBytes
                          : 0);
  n.total_bytes = n.weights_bytes + n.kv_cache_bytes + n.compute_bytes + n.overhead_bytes;
  // Resident: the compute buffer's logits rows for a whole micro-batch are allocated but written
  // only when every token's logits are asked for; llama-bench and servers ask for the last
  // token's, so those pages are never touched (local-memory.csv: peak RSS is the buffers' sum less
  // 250 MiB, 512 x 4 B x 128256, on both the 1B and the 8B).
  n.peak_bytes = n.total_bytes + n.repack_bytes - double(w.ubatch_tokens) * kComputeBytesPerElement * double(m.vocab);
  n.available_bytes = d.memory_bytes.value;
  return n;
}

}  // namespace benchr
