#include <algorithm>

#include "estimator.hpp"

namespace benchr {
namespace {

// The engines' default ports: llama.cpp's rpc-server listens on 50052, a Ray head on 6379.
constexpr const char* kRpcPort = "50052";
constexpr const char* kRayPort = "6379";

/// The block format a model was released in: its experts' where they came in a low-bit format
/// (gpt-oss: MXFP4, with the rest in BF16), else BF16 (every other catalog model's checkpoint;
/// DeepSeek's and Kimi's FP8 releases are listed as FP8 repos in data/repos.toml).
const BlockFormat& release_format(const ModelSpec& m) {
  return m.experts_format ? *m.experts_format : *find_block_format("BF16");
}

/// "unsloth/Qwen3-8B-GGUF:Q4_K_M": llama.cpp's -hf takes a repo and a quant tag, which the Hub
/// matches against the file names case-insensitively (huggingface.co/docs/hub/gguf-llamacpp).
std::string hf_tag(const std::string& repo, const QuantSpec& q) { return repo + ":" + q.id; }

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
  // Where the weights come from: the file `fit` read; a catalog repo that publishes this quant;
  // a safetensors folder converted first; else none is known, said so.
  std::string weights;
  if (!m.local_path.empty() && q.format == QuantFormat::gguf) {
    weights = "-m " + m.local_path;
  } else if (!m.local_path.empty()) {
    // A Hugging Face folder runs on llama.cpp once converted (convert_hf_to_gguf.py, in its
    // type: --outtype takes f32, f16, bf16, q8_0).
    std::string type(q.block_format ? q.block_format->name : "bf16");
    for (auto& ch : type) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    if (type != "f32" && type != "f16" && type != "bf16" && type != "q8_0") type = "bf16";
    cmd += "python3 convert_hf_to_gguf.py " + m.local_path + " --outtype " + type + " --outfile model-" + type +
           ".gguf; ";
    weights = "-m model-" + type + ".gguf";
  } else if (const auto repo = published_repo(m, q)) {
    weights = "-hf " + hf_tag(repo->id, q);
  } else {
    // No published file: say so, then make it the way llama.cpp documents (download the release,
    // convert_hf_to_gguf.py to BF16, llama-quantize to the quant) and run that file.
    const std::string file = m.id + "-" + q.id + ".gguf";
    cmd += "(no published " + q.id + " GGUF of " + m.id + " in the catalog) ";
    if (!m.hf_repo.empty())
      cmd += "hf download " + m.hf_repo + " --local-dir " + m.id + "; python3 convert_hf_to_gguf.py " + m.id +
             " --outtype bf16 --outfile " + m.id + "-BF16.gguf; llama-quantize " + m.id + "-BF16.gguf " + file + " " +
             q.id + "; ";
    weights = "-m " + file;
  }
  // llama-server shares -c among its --parallel slots.
  // The flags bound --context (< 2^31) and --users (<= 4096); checked all the same, since the
  // product of two int64_t a caller gives can overflow.
  int64_t slots_context = 0;
  if (__builtin_mul_overflow(w.context_tokens, int64_t(users), &slots_context))
    throw InputError("--context " + std::to_string(w.context_tokens) + " x --users " + std::to_string(users) +
                     ": more tokens than llama-server's -c can hold");
  cmd += "llama-server " + weights + " -c " + std::to_string(slots_context);
  if (users > 1) cmd += " --parallel " + std::to_string(users);
  switch (p.kind) {
    case PlacementKind::cpu_only: cmd += " -ngl 0"; break;
    case PlacementKind::partial_offload: cmd += " -ngl " + std::to_string(p.gpu_layers); break;
    // The first N layers keep their experts in RAM: the dense leading layers have none, the last
    // gpu_layers MoE layers keep theirs on the GPU.
    case PlacementKind::experts_on_cpu:
      cmd += " -ngl 999 --n-cpu-moe " + std::to_string(m.layers - e.placement.gpu_layers);
      break;
    case PlacementKind::layer_split: cmd += " -ngl 999 --split-mode layer"; break;
    default: cmd += " -ngl 999"; break;
  }
  if (!rpc.empty()) cmd += " --rpc " + rpc;
  // llama.cpp takes the micro-batch at most the logical batch (-b, 2048 by default).
  if (w.ubatch_tokens > 2048) cmd += " -b " + std::to_string(w.ubatch_tokens);
  if (w.ubatch_tokens != Workload{}.ubatch_tokens) cmd += " -ub " + std::to_string(w.ubatch_tokens);
  if (w.kv_type != KvType::f16) {
    const std::string t(to_string(w.kv_type));
    cmd += " -fa on --cache-type-k " + t + " --cache-type-v " + t;
  }
  return cmd;
}

std::string vllm(const ModelSpec& m, const QuantSpec& q, const Estimate& e, const Workload& w) {
  const Placement& p = e.placement;
  std::string repo, unpublished;
  bool quantize_on_load = false;
  if (!m.local_path.empty()) {
    repo = m.local_path;  // a folder `fit` read is already in its format
  } else if (const auto r = published_repo(m, q)) {
    repo = r->id;
    quantize_on_load = r->quantize_on_load;
  } else {
    // No published checkpoint in this format: say so; vLLM serves the folder one is made into
    // (AutoAWQ / GPTQModel / llm-compressor write such folders).
    repo = m.id + "-" + q.id;
    unpublished = "(no published " + q.id + " checkpoint of " + m.id + " in the catalog: quantize one into ./" +
                  repo + " with llm-compressor) ";
  }
  std::string cmd = unpublished;
  if (p.kind == PlacementKind::tensor_parallel && p.nodes > 1)
    cmd += "ray start --head (on one machine), ray start --address HEAD:" + std::string(kRayPort) + " (on " +
          (p.nodes == 2 ? std::string("the other") : "each of the " + std::to_string(p.nodes - 1) + " others") + "); ";
  cmd += "vllm serve " + repo;
  if (p.kind == PlacementKind::tensor_parallel) {
    cmd += " --tensor-parallel-size " + std::to_string(p.gpu_count);
    if (p.nodes > 1) cmd += " --pipeline-parallel-size " + std::to_string(p.nodes);
  }
  cmd += " --max-model-len " + std::to_string(w.context_tokens);
  if (quantize_on_load) cmd += " --quantization fp8";
  if (w.users > 1) cmd += " --max-num-seqs " + std::to_string(w.users);
  if (w.kv_type != KvType::f16) cmd += " --kv-cache-dtype fp8";
  return cmd;
}

std::string mlx(const ModelSpec& m, const QuantSpec& q) {
  if (!m.local_path.empty()) return "mlx_lm.server --model " + m.local_path;
  if (const auto r = published_repo(m, q)) return "mlx_lm.server --model " + r->id;
  // mlx_lm.convert quantizes a Hugging Face checkpoint to 4 or 8 bits (ml-explore/mlx-lm README).
  const std::string bits = q.block_format && std::string_view(q.block_format->name).find('8') != std::string_view::npos ? "8" : "4";
  const std::string out = m.id + "-" + bits + "bit";
  return "(no " + q.id + " conversion of " + m.id + " in the catalog) mlx_lm.convert --hf-path " +
         (m.hf_repo.empty() ? m.id : m.hf_repo) + " -q --q-bits " + bits + " --mlx-path " + out +
         "; mlx_lm.server --model " + out;
}

}  // namespace

Engine engine_of(const QuantSpec& q) {
  if (q.format == QuantFormat::gguf) return Engine::llama_cpp;
  if (q.format == QuantFormat::mlx) return Engine::mlx;
  return Engine::vllm;
}

Engine engine_of(const QuantSpec& q, Backend where) {
  // vLLM's formats are GPU formats: a checkpoint placed on a CPU (a Hugging Face folder `fit`
  // read on a machine without a GPU) is what llama.cpp's CPU backend runs, converted to GGUF.
  if (where == Backend::cpu && engine_of(q) == Engine::vllm) return Engine::llama_cpp;
  return engine_of(q);
}

std::optional<WeightsRepo> published_repo(const ModelSpec& m, const QuantSpec& q) {
  for (const auto& r : m.repos)
    if (std::find(r.quants.begin(), r.quants.end(), q.id) != r.quants.end()) return WeightsRepo{r.id, false};
  if (m.hf_repo.empty()) return std::nullopt;
  // A release the catalog lists in another format (DeepSeek's and Kimi's FP8) is not BF16.
  const bool listed = std::any_of(m.repos.begin(), m.repos.end(), [&](const PublishedRepo& r) { return r.id == m.hf_repo; });
  if (listed) return std::nullopt;
  // The released checkpoint itself, in its own format (BF16; gpt-oss's MXFP4 experts).
  if (q.format == QuantFormat::safetensors && q.block_format == &release_format(m)) return WeightsRepo{m.hf_repo, false};
  // vLLM quantizes a BF16 checkpoint to FP8 as it loads it (`--quantization fp8`, docs.vllm.ai
  // "FP8 W8A8": dynamic quantization, no calibration data).
  if (q.format == QuantFormat::fp8 && !m.experts_format) return WeightsRepo{m.hf_repo, true};
  return std::nullopt;
}

bool offered(const ModelSpec& m, const QuantSpec& q) {
  if (!q.applies_to(m.id)) return false;
  // A model whose experts were released in a low-bit format keeps them in every GGUF, so the
  // K- and IQ-quants below 8 bits differ only in the attention and shared tensors (unsloth's
  // gpt-oss-20b files: 11.5-11.7 GB from Q2_K to Q5_K_M, 12.1 GB at Q8_0, 13.8 GB at F16). Those
  // are not picks of their own: the release format, Q8_0 and 16 bits are.
  if (m.experts_format && q.format == QuantFormat::gguf && q.block_format != m.experts_format &&
      q.block_format->bits_per_weight() < 8)
    return false;
  if (!m.local_path.empty()) return true;
  // A model the catalog knows no published files of (one added with --catalog) is offered in
  // every format; its commands say that no repo is known.
  if (m.repos.empty()) return true;
  return published_repo(m, q).has_value();
}

std::string launch_command(const ModelSpec& m, const QuantSpec& q, const Estimate& e, const Workload& w,
                           bool thinking_off) {
  switch (engine_of(q, e.backend)) {
    // llama-server: `-rea, --reasoning [on|off|auto]` (tools/server/README.md, ggml-org/llama.cpp
    // @ 00dc805), for every chat template that thinks; the enable_thinking template argument it
    // replaced is ignored by builds since b8322.
    case Engine::llama_cpp: return llama_cpp(m, q, e, w) + (thinking_off ? " --reasoning off" : "");
    // vLLM and mlx-lm pass template arguments to the chat template: Qwen3's and GLM's templates
    // read enable_thinking (vllm serve --default-chat-template-kwargs, mlx_lm.server
    // --chat-template-args).
    case Engine::vllm:
      return vllm(m, q, e, w) + (thinking_off ? " --default-chat-template-kwargs '{\"enable_thinking\": false}'" : "");
    case Engine::mlx: return mlx(m, q) + (thinking_off ? " --chat-template-args '{\"enable_thinking\": false}'" : "");
  }
  return {};
}

}  // namespace benchr
