#include <algorithm>

#include "estimator.hpp"

namespace benchr {
namespace {

// The engines' default ports: llama.cpp's rpc-server listens on 50052, a Ray head on 6379.
constexpr const char* kRpcPort = "50052";
constexpr const char* kRayPort = "6379";

/// The last part of "org/name", or the catalog id when the catalog names no repository.
std::string repo_name(const ModelSpec& m) {
  if (m.hf_repo.empty()) return m.id;
  const auto slash = m.hf_repo.rfind('/');
  return slash == std::string::npos ? m.hf_repo : m.hf_repo.substr(slash + 1);
}

std::string llama_cpp(const ModelSpec& m, const QuantSpec& q, const Estimate& e, const Workload& w) {
  const Placement& p = e.placement;
  std::string rpc;
  if (p.kind == PlacementKind::layer_split && p.nodes > 1) {
    // The first machine runs the server; every other one an RPC worker holding its layers.
    for (int i = 1; i < p.nodes; ++i) {
      if (i > 1) rpc += ',';
      rpc += "HOST" + std::to_string(i) + ":" + kRpcPort;
    }
  }
  std::string cmd = rpc.empty() ? "" : std::string("rpc-server -H 0.0.0.0 -p ") + kRpcPort + " (on each other machine); ";
  const int users = std::max(1, w.users);
  // llama-server shares -c among its --parallel slots.
  const std::string file = m.local_path.empty() ? repo_name(m) + "-" + q.id + ".gguf" : m.local_path;
  cmd += "llama-server -m " + file + " -c " + std::to_string(w.context_tokens * users);
  if (users > 1) cmd += " --parallel " + std::to_string(users);
  switch (p.kind) {
    case PlacementKind::cpu_only: cmd += " -ngl 0"; break;
    case PlacementKind::partial_offload: cmd += " -ngl " + std::to_string(p.gpu_layers); break;
    case PlacementKind::experts_on_cpu: cmd += " -ngl 999 --n-cpu-moe " + std::to_string(m.layers); break;
    case PlacementKind::layer_split: cmd += " -ngl 999 --split-mode layer"; break;
    default: cmd += " -ngl 999"; break;
  }
  if (!rpc.empty()) cmd += " --rpc " + rpc;
  if (w.kv_type != KvType::f16) {
    const std::string t(to_string(w.kv_type));
    cmd += " -fa on --cache-type-k " + t + " --cache-type-v " + t;
  }
  return cmd;
}

std::string vllm(const ModelSpec& m, const QuantSpec& q, const Estimate& e, const Workload& w) {
  const Placement& p = e.placement;
  const std::string repo = !m.local_path.empty() ? m.local_path : m.hf_repo.empty() ? m.id : m.hf_repo;
  std::string cmd;
  if (p.kind == PlacementKind::tensor_parallel && p.nodes > 1)
    cmd = "ray start --head (on one machine), ray start --address HEAD:" + std::string(kRayPort) + " (on " +
          (p.nodes == 2 ? std::string("the other") : "each of the " + std::to_string(p.nodes - 1) + " others") + "); ";
  // FP8 quantizes a BF16 checkpoint as it loads; the 4-bit formats need a checkpoint made in them.
  // A folder `fit` read is already in its format.
  const bool prequantized = m.local_path.empty() && (q.format == "awq" || q.format == "gptq" || q.format == "nvfp4");
  cmd += "vllm serve " + (prequantized ? "<" + q.id + " checkpoint of " + repo + ">" : repo);
  if (p.kind == PlacementKind::tensor_parallel) {
    cmd += " --tensor-parallel-size " + std::to_string(p.gpu_count);
    if (p.nodes > 1) cmd += " --pipeline-parallel-size " + std::to_string(p.nodes);
  }
  cmd += " --max-model-len " + std::to_string(w.context_tokens);
  if (q.format == "fp8") cmd += " --quantization fp8";
  if (w.users > 1) cmd += " --max-num-seqs " + std::to_string(w.users);
  if (w.kv_type != KvType::f16) cmd += " --kv-cache-dtype fp8";
  return cmd;
}

}  // namespace

Engine engine_of(const QuantSpec& q) {
  if (q.format == "gguf") return Engine::llama_cpp;
  if (q.format == "mlx") return Engine::mlx;
  return Engine::vllm;
}

std::string launch_command(const ModelSpec& m, const QuantSpec& q, const Estimate& e, const Workload& w) {
  switch (engine_of(q)) {
    case Engine::llama_cpp: return llama_cpp(m, q, e, w);
    case Engine::vllm: return vllm(m, q, e, w);
    case Engine::mlx: {
      const int bits = q.id.find('8') != std::string::npos ? 8 : 4;
      return "mlx_lm.server --model mlx-community/" + repo_name(m) + "-" + std::to_string(bits) + "bit";
    }
  }
  return {};
}

}  // namespace benchr
