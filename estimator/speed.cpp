#include <algorithm>
#include <cmath>

#include "estimator.hpp"
#include "text.hpp"

namespace benchr {
namespace {

// Keep this share of the pool free: other programs, allocator slack, growth of buffers we do not
// model. A judgement, not a measurement; the output shows the headroom so a user can judge too.
// System RAM is shared with the OS and everything else running; a discrete GPU's VRAM holds
// little besides the model (its runtime context is counted as overhead), so it keeps less.
constexpr double kMinHeadroom = 0.10;
constexpr double kMinHeadroomVram = 0.05;


// Moving activations between GPUs and machines (comm_seconds); sources in
// bench/interconnect_notes.md. vLLM and SGLang move 16-bit activations, llama.cpp f32 ones.
constexpr double kActivationBytesVllm = 2, kActivationBytesLlamaCpp = 4;
// One small all-reduce (8-64 KB: a decode step's hidden states): vLLM's custom all-reduce on H100
// NVLink takes 8.7 / 9.2 / 11.8 us at 32 KB with 2 / 4 / 8 GPUs (sglang PR #2904) -> 10 us; NCCL
// over PCIe without NVLink 50-96 us and a one-shot P2P kernel 45-47 us for 8-64 KB on 8 x A800
// PCIe (vllm issue #50576) -> 50 us.
constexpr double kAllReduceLatencyUsNvlink = 10;
constexpr double kAllReduceLatencyUsPcie = 50;
constexpr double kPcie4x16Gbps = 31.5;  // PCIe 4.0 x16 per direction: 16 GT/s x 16 x 128/130 / 8
// Between the machines of a GPU cluster: 400 Gb/s InfiniBand NDR gives 46-48 GB/s per NIC in
// nccl-tests (nccl-tests issue #290); one RDMA write of 48 KB takes 8.8 us (ib_write_lat, b12x PR
// #295) -> 10 us a hop between pipeline stages.
constexpr double kClusterLinkGbps = 47;
constexpr double kClusterHopLatencyUs = 10;
// llama.cpp's RPC backend between machines: 7.9 ms a token more with one remote host over gigabit
// Ethernet (llama.cpp PR #6829: 63 t/s local, 42 t/s remote) and 9.8 ms with one remote GPU
// (issue #7292: 92 vs 48 t/s) -> 8 ms a token per remote machine; gigabit Ethernet unless told.
constexpr double kRpcHopLatencyUs = 8000;
constexpr double kGigabitEthernetGbps = 0.125;

// What a vLLM/SGLang-class serving engine pays per layer and step at small batch on a GPU, in
// place of llama.cpp's per-layer overhead (the device's figure): the cost the vLLM and SGLang rows
// of bench/published_multigpu.csv imply on CUDA at 1-8 users, releases from 2025 on, once the
// weights, the KV cache and the all-reduces are counted (bench/check_multigpu.py prints each
// row's figure and the medians). Dense layers: 52-75 us over 7 rows, 3 sources (GPUStack's
// Qwen3-8B on an H100 with vLLM 0.11 and SGLang 0.5.3, Llama-3.1-8B on an A100) -> 60. MoE
// layers -- router, top-k, expert GEMMs of a few tokens each, which cannot stream at the memory's
// rate: 108-666 us over 15 rows, 5 sources (gpt-oss-20b on an H100/H200, DeepSeek-R1 on 8-16
// H100/H200), falling with each release (666 SGLang 0.4.3 in 2025-03, 108 SGLang 0.5.7 in
// 2026-03) -> 238. llama.cpp's own CUDA MoE is cheaper: gpt-oss-20b on an RTX 5090 implies 46 us.
constexpr double kServingLayerUsDense = 60;
constexpr double kServingLayerUsMoe = 238;
// llama.cpp runs more kernels in an MoE layer than in a dense one (router matmul, softmax and
// top-k, the experts' weights gathered, three MUL_MAT_ID, the weighted sum), each paying its
// launch and sync: the extra per MoE layer and token beyond the backend's per-layer overhead,
// fitted with it on the corpus by bench/check_accuracy.py (the GPU MoE class's decode error,
// leave one device out: 34.5% -> 15.4% once each backend has its own), on all 839 runs of
// 2026-12-06, runs_moe2.csv's 2026 CUDA rows (an RTX 4090's Qwen3.5-35B-A3B and GLM-4.7-Flash) and
// M2 Ultra row included; ROCm's fits at 0. Vulkan's is its fit on the corpus before those rows
// (it fits 31 us now). Metal's fell from 56 to 36 us once its MoE rows' K-quant and MXFP4
// experts pay their unpacking (kMetalUnpackFlopsPerWeight).
constexpr double kMoeLayerExtraUsCuda = 35, kMoeLayerExtraUsRocm = 0, kMoeLayerExtraUsVulkan = 40,
                 kMoeLayerExtraUsMetal = 36;
// CUDA on a GPU typed without its SM count and clock: fitted with CUDA's other decode constants
// with every device's units withheld (machine.cpp kDecodeOverheadUsCudaNoUnits).
constexpr double kMoeLayerExtraUsCudaNoUnits = 19;

/// d.units_unknown: a CUDA GPU typed without its SM count and clock.
double moe_layer_extra_s(const Device& d) {
  switch (d.backend) {
    case Backend::cuda: return (d.units_unknown ? kMoeLayerExtraUsCudaNoUnits : kMoeLayerExtraUsCuda) * 1e-6;
    case Backend::rocm: return kMoeLayerExtraUsRocm * 1e-6;
    case Backend::vulkan: return kMoeLayerExtraUsVulkan * 1e-6;
    case Backend::metal: return kMoeLayerExtraUsMetal * 1e-6;
    case Backend::cpu: return 0;  // a CPU's per-format rates are measured; no per-layer figure
  }
  return 0;
}

// MLX on Apple silicon pays less per layer than llama.cpp's Metal backend (198 us): the cost the
// 36 short-prompt MLX rows of bench/published_mlx.csv (18 sources, 13 Macs from M1 Pro to M5 Max,
// dense, MoE and Gated DeltaNet hybrids) imply once their bytes are streamed at Metal's fitted
// efficiency (the same memory system): median 135 us, where the rows' median predicted/measured
// is 1.00 (bench/check_mlx.py prints each row's figure): median |error| 9.4%, 83% within 20%.
// The figure falls with the chip's generation (M1 120-360 us, M2 120-280, M3 40-145, M4 98-167,
// M5 Max 49-162), which one constant does not follow; the hybrids on M1/M2 (no bf16 in the GPU)
// are 1.3-1.7x slower than predicted. Fitting the efficiency as well gives 5.7%, but anywhere
// along a flat valley (0.77 at 2 us to 0.85 at 90 us) and below what the M3 Max's 70B row streams
// at (0.92 of datasheet, overhead included): these rows cannot separate the two, so Metal's
// efficiency, fitted on 79 rows, is kept. llama.cpp's rows of the same file on dense and MoE
// models outside that fit land at median 5.0%.
constexpr double kMlxLayerUs = 135;

// llama.cpp's CPU backend spends more on a Gated DeltaNet layer than its bytes: ~30 graph nodes
// (convolution, L2 norms, gates, the delta rule, the state copied in and out), each ending in a
// barrier of the threads. llama-bench tg64, 2 Zen 4 threads, llama.cpp de3ff81, a
// Qwen3.5-4B shape with random weights (bench/synth_gguf.py) against Llama-3.2-3B in the same run
// (its own predicted/measured as the control), two runs: 0.67 and 0.98 ms more a recurrent layer
// (Q8_0, Q4_K_M) -> 0.8 ms; perf: the Q8_0 dot product takes 78% of the hybrid's samples (92.5%
// for the dense 3B), memmove 5.7%, the barrier spin 6.7%. A Mamba2 layer (one fused ssm_scan) has
// no such cost: a Granite 4.0-H-like synthetic model in the second run decodes at the control's
// predicted/measured once its state is counted (bench/local_live_2026-11-28.md).
constexpr double kDeltaNetLayerUsCpu = 800;
// On a GPU the same extra graph nodes of a Gated DeltaNet layer (short convolution, L2 norms, gates,
// the GATED_DELTA_NET op and the state copied in and out: llama.cpp src/models/qwen35.cpp,
// qwen3next.cpp) are each a kernel launch and a synchronisation, which is what the backend's
// per-layer overhead measures: such a layer costs this many of that overhead more. Fitted by
// bench/check_accuracy.py on the GPU decode rows of Qwen3-Next and Qwen3.5 (CUDA, Vulkan, ROCm,
// Metal), cross-validated there, the RTX 4090's Qwen3.5-35B-A3B rows of runs_moe2.csv included
// (2026-12-06; 1.5 with every device's units withheld).
constexpr double kGdnLayerOverheads = 2.0;
// An MLA layer in llama.cpp (src/models/deepseek2.cpp, the absorbed form) runs q_a, its norm, q_b,
// kv_a, its norm, the per-head wk_b product, two concatenations and the per-head wv_b product
// where a GQA layer runs its q, k and v projections: about 7 more of the ~22 kernels of a layer
// (norms, projections, ropes, cache writes, the attention's 3, the output, the FFN's and the
// residual adds), each paying the backend's per-layer overhead's share. Counted, not fitted: the
// corpus' only MLA rows on a GPU are one card's (an RTX 4090's GLM-4.7-Flash), which at depth 0
// are predicted 1.1-1.2x faster than measured with it, in sample (1.4-1.6x without).
constexpr double kMlaLayerOverheads = 7.0 / 22;

/// The fixed seconds per step of `m`'s layers on `d`: llama.cpp's per-layer overhead of the
/// backend (more for an MoE layer, a Gated DeltaNet layer, an MLA layer); MLX's own;
/// a serving engine's own on a GPU, and never below the backend's (ROCm's is larger).
double layers_overhead_s(const ModelSpec& m, const QuantSpec& q, const Device& d) {
  const double backend = d.layer_overhead_s.value;
  const int moe_layers = m.is_moe() ? m.layers - m.dense_layers : 0;
  if (engine_of(q) == Engine::mlx) return m.layers * kMlxLayerUs * 1e-6;
  if (engine_of(q) != Engine::vllm || d.kind != DeviceKind::gpu)
    return m.layers * backend * (m.is_mla() ? 1 + kMlaLayerOverheads : 1) + moe_layers * moe_layer_extra_s(d) +
           (m.recurrent_kind != RecurrentKind::gated_delta_net ? 0
            : d.kind == DeviceKind::cpu                     ? m.recurrent_layers * kDeltaNetLayerUsCpu * 1e-6
                                                            : m.recurrent_layers * kGdnLayerOverheads * backend);
  return (m.layers - moe_layers) * std::max(backend, kServingLayerUsDense * 1e-6) +
         moe_layers * std::max(backend, kServingLayerUsMoe * 1e-6);
}


/// Whether llama.cpp runs flash attention for `m` on `d` when asked to. Its CUDA backend (ROCm's
/// too, the same code through HIP) has a flash-attention kernel for MLA's latent heads (K 576, V
/// 512 wide) only when the query heads come in multiples of 16 per KV head
/// (ggml_cuda_get_best_fattn_kernel, `case 576`: "gqa_ratio % 16 != 0" -> none; llama.cpp then
/// runs attention without it, as `-fa auto` chooses): DeepSeek's 128 heads qualify, GLM-4.7-
/// Flash's 20 do not ("the strange GQA ratio of 20, which does not play well with the 576x512 FA
/// kernel", ik_llama.cpp #1182; "Mainline does not (yet) support FA for this model", #1168).
bool flash_attention_runs(const ModelSpec& m, const Workload& w, const Device& d) {
  if (!w.flash_attention) return false;
  const bool cuda_like = d.kind == DeviceKind::gpu && (d.backend == Backend::cuda || d.backend == Backend::rocm);
  return !(cuda_like && m.is_mla() && m.heads % 16 != 0);
}

/// The KV bytes a decoding step of `s` on `d` reads again without flash attention: (heads/kv_heads
/// - 1) x the KV cache read, for llama.cpp on a GPU (its CPU attention is measured). MLA's latent
/// cache is one KV head that all query heads share: llama.cpp's attention without flash attention
/// broadcasts it over the heads and reads it once for each. 0 with flash attention.
double kv_reread_bytes(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d, const Slice& s) {
  const double kv_heads = m.is_mla() ? 1 : m.kv_heads;
  if (flash_attention_runs(m, w, d) || d.kind != DeviceKind::gpu || engine_of(q) != Engine::llama_cpp ||
      kv_heads <= 0 || m.heads <= kv_heads || !s.dense)
    return 0;
  return std::max(1, w.users) * s.layers * kv_share(m, s.tp) * kv_cache_bytes(m, w.depth_tokens, w.kv_type) *
         (m.heads / kv_heads - 1);
}

// A format is dequantization-bound when its measured GEMV rate is below this share of the
// streaming read: then the dot product's arithmetic, not DRAM, sets the pace (local-notes.md:
// Q3_K_M decodes at ~0.7x bandwidth on 2 cores).
constexpr double kDequantBound = 0.85;

// llama.cpp's CPU decode spends this share of its time in the dot-product kernels the calibration
// times; the rest is mul_mat's own loop (1.7%), the threads' barrier spin (1.4%), flash attention,
// activation quantization, norms and rope. perf record of llama-bench tg, 2 Zen 4 threads:
// 92.5% Llama-3.2-3B Q8_0, 92.4% 3B Q6_K, 93% TinyLlama Q8_0.
constexpr double kCpuDecodeKernelShare = 0.93;

// llama.cpp's Metal decode kernels for the formats whose blocks carry sub-block scales or a lookup
// grid (the K-quants, the IQ formats, MXFP4: kernel_mul_mv_q4_K_f32 and its kin) spend about this
// many of the GPU's FLOPs on each weight, so a GPU with little arithmetic per byte of bandwidth
// decodes them below its bandwidth; Q4_0, Q8_0 (one scale per 32 weights) and F16 keep pace.
// The M1 Max (10.4 TFLOPS over 400 GB/s) decodes Llama 3 8B Q4_K_M at 34-36 tok/s where its
// bytes over Metal's efficiency allow 53, and its MoE K-quant and MXFP4 rows 1.3-1.9x below that
// too, while its Q4_0, Q8_0 and F16 rows (#4167) keep pace; an M3 Max (16.4 TFLOPS reported, not
// by Apple, so not in the catalog) decodes Q4_K_M as fast as its bytes allow. Fitted by bench/check_accuracy.py on the Metal rows (a grid of
// 0-60 with Metal's efficiency and overheads refitted at each point), on all 839 corpus runs of
// 2026-12-07: 32 (bench/NOTES.md, session 22, for what it does out of sample).
constexpr double kMetalUnpackFlopsPerWeight = 32;

const FormatRate* find_rate(const std::vector<FormatRate>& rates, std::string_view format, int threads) {
  for (const auto& r : rates)
    if (r.format == format && r.threads == threads) return &r;
  return nullptr;
}
/// The CPU's measured rate for decoding weights of format `f`: its own dot-product kernel's, or
/// for a format llama.cpp repacks on this CPU its repacked GEMV's, which the calibration's Q4_0
/// kernel is (interleaved and computed as llama.cpp's; ggml's Q4_K GEMV streams from DRAM as its
/// Q4_0 one does on 2 Zen 4 threads: 31.5-31.9 against 30.8-31.4 GB/s, bench/ggml_gemv.cpp). A
/// GPU's GEMV shaders are not llama.cpp's tuned kernels: its decode goes at its read rate.
const FormatRate* decode_rate(const Device& d, const BlockFormat& f) {
  if (!d.measured || d.kind != DeviceKind::cpu) return nullptr;
  return find_rate(d.measured->gemv, f.repacked_on(d.cpu_repack) ? "Q4_0" : f.name, d.measured->threads);
}
/// Decode attention arithmetic for one token at `depth`, from the calibration's measured cost per
/// query head per cached position (linear in head_dim between the two measured sizes; MLA heads
/// attend over the latent + rope width). 0 without a measurement.
double attention_seconds(const ModelSpec& m, int64_t depth, const Device& d) {
  if (!d.measured || d.measured->attention_ns_hd64 <= 0 || d.measured->attention_ns_hd128 <= 0 || depth <= 0)
    return 0;
  const double hd = m.is_mla() ? double(m.kv_lora_rank) + m.qk_rope_head_dim : double(m.head_dim);
  const double a = d.measured->attention_ns_hd64, b = d.measured->attention_ns_hd128;
  const double ns = std::max(a * 0.5, a + (b - a) * (hd - 64) / 64);
  const double positions = m.global_layers() * depth + m.local_layers() * std::min<double>(depth, m.sliding_window);
  return positions * m.heads * ns * 1e-9;
}

const FormatRate* prefill_rate(const Device& d, std::string_view format) {
  return d.measured && d.kind == DeviceKind::cpu ? find_rate(d.measured->gemm, format, d.measured->threads) : nullptr;
}
/// The CPU's measured rate of llama.cpp's tinyBLAS tiles for a format (Q8_0), if calibrated.
const FormatRate* tinyblas_rate(const Device& d, std::string_view format) {
  return d.measured && d.kind == DeviceKind::cpu ? find_rate(d.measured->tinyblas, format, d.measured->threads) : nullptr;
}

/// The rate at which decode streams weights: the measured kernel's where that is below the
/// streaming read (dequantization- or kernel-bound), else the read; without a calibration, the
/// read. The calibration kernels measure what llama.cpp runs, its repacked Q4_0 GEMV included, and
/// their rates hold when this VM's plain read jumps from 31-35 to 47-65 GB/s (Q8_0 31.6-39.8,
/// repacked Q4_0 30.5-39.5), which llama.cpp's decode mostly does not follow either. The read
/// caps them: uncapped, the F16 and Q6_K kernels (38.5-39.5 and 36.6 GB/s against a 34-35 read)
/// carry llama.cpp's faster F16 decode but push Q8_0 further over; capped, the live rows give
/// median 8.1% with 23 of 25 within 15%, uncapped 9.2% and 19 (bench/live_runs/run7.csv, run8.csv).
double decode_gbps(const Device& d, const FormatRate* measured) {
  if (!measured) return d.read_gbps.value;
  return std::min(measured->weight_gbps, d.read_gbps.value);
}

/// Whether an uncalibrated CPU decodes weights of format `f` through ggml's one-row dot product
/// (its dequantization arithmetic bounds it: Device::gemv_dot_cap_gbps) rather than a repacked,
/// interleaved GEMV, which streams as fast as the cores read (gemv_cap_gbps, in read_gbps).
bool on_dot_path(const Device& d, const BlockFormat& f) {
  return d.kind == DeviceKind::cpu && d.gemv_dot_cap_gbps > 0 && !d.measured && !f.repacked_on(d.cpu_repack) &&
         !(d.arm_repack && f.arm_repack);
}

}  // namespace

double min_headroom(const Device& d) {
  return d.kind == DeviceKind::gpu && !d.unified_memory ? kMinHeadroomVram : kMinHeadroom;
}

bool needs_raised_limit(const Estimate& e, const Machine& machine) {
  if (e.placement.device >= machine.devices.size()) return false;
  const Device& d = machine.devices[e.placement.device];
  return d.raised_limit && e.memory.total_bytes > d.raised_limit->default_bytes * (1 - min_headroom(d));
}

namespace {

bool fits(const MemoryNeed& n, const Device& d) {
  return n.total_bytes <= n.available_bytes * (1 - min_headroom(d));
}

/// Attention FLOPs per prompt token at the mean position of a `prompt`-token prompt that follows
/// `depth` cached tokens: QK^T and A·V, 2 FLOPs per multiply-add each; sliding-window layers see
/// at most their window. llama.cpp computes MLA in the latent space for the prompt too (the
/// absorbed form: each head's query meets the cached latent + rope, kv_lora_rank + 64 wide, and
/// its output stays kv_lora_rank wide until wv_b; llama.cpp src/models/deepseek2.cpp), over twice
/// the head_dim + v_head_dim of the uncompressed heads that other engines attend with.
double attention_flops_per_token(const ModelSpec& m, const QuantSpec& q, int64_t prompt, int64_t depth) {
  const double mean_pos = depth + prompt / 2.0;
  const bool latent = m.is_mla() && engine_of(q) == Engine::llama_cpp;
  const double qk = latent ? double(m.kv_lora_rank) + m.qk_rope_head_dim : m.head_dim;
  const double vd = latent ? m.kv_lora_rank : m.v_head_dim > 0 ? m.v_head_dim : m.head_dim;
  const double local_pos = std::min<double>(mean_pos, m.sliding_window);
  return 2.0 * m.heads * (qk + vd) * (m.global_layers() * mean_pos + m.local_layers() * local_pos);
}

/// One device's share of a placement. A tensor-parallel rank after the first of its node reads its
/// share at the same time as the first (`concurrent`): its time does not add.
struct Pool {
  std::size_t device;
  Slice slice;
  bool concurrent = false;
};

/// The pools of a placement. llama.cpp keeps the input embedding in host RAM whatever is offloaded
/// (llama_model::load_tensors: "there is very little benefit to offloading the input layer, so
/// always keep it on the CPU"; a token gathers one row of it); vLLM and MLX keep it on the GPU.
std::vector<Pool> pools_of(const ModelSpec& m, const QuantSpec& q, const Machine& machine, const Placement& p) {
  const bool gpu_embeds = engine_of(q) != Engine::llama_cpp;
  switch (p.kind) {
    case PlacementKind::partial_offload: {
      // llama.cpp -ngl N: the first N layers on the GPU; the output matrix and the embedding stay
      // on the CPU until every layer is offloaded.
      const double f = double(p.gpu_layers) / m.layers;
      return {{p.device, Slice{f, true, true, false, false}}, {p.host, Slice{1 - f, true, true, true, true}}};
    }
    case PlacementKind::experts_on_cpu: {
      // Attention, dense and shared MLPs, output on the GPU, with the experts of gpu_layers of the
      // MoE layers; the other layers' routed experts and the embedding in RAM.
      const int moe_layers = std::max(1, m.layers - m.dense_layers);
      const double on_gpu = std::clamp(double(p.gpu_layers) / moe_layers, 0.0, 1.0);
      Slice gpu{1, true, on_gpu > 0, true, false}, ram{1, false, true, false, true};
      gpu.routed_share = on_gpu, ram.routed_share = 1 - on_gpu;
      return {{p.device, gpu}, {p.host, ram}};
    }
    case PlacementKind::layer_split: {
      // Layers shared in proportion to each GPU's memory (llama.cpp's default --tensor-split);
      // the output on the last.
      std::vector<Pool> pools;
      const int n = std::max(1, p.gpu_count);
      double sum = 0;
      for (int i = 0; i < n && p.device + i < machine.devices.size(); ++i)
        sum += machine.devices[p.device + i].memory_bytes.value;
      for (int i = 0; i < n; ++i) {
        const double mem = p.device + i < machine.devices.size() ? machine.devices[p.device + i].memory_bytes.value : 0;
        pools.push_back({p.device + i, Slice{sum > 0 ? mem / sum : 1.0 / n, true, true, i == n - 1, i == 0 && gpu_embeds}});
      }
      return pools;
    }
    case PlacementKind::tensor_parallel: {
      // vLLM/SGLang: each node a pipeline stage with an equal share of the layers, every matrix of
      // those layers sharded over the node's GPUs (the vocabulary too); first stage embeds, last
      // computes the logits.
      std::vector<Pool> pools;
      const int tp = std::max(1, p.gpu_count), stages = std::max(1, p.nodes);
      for (int n = 0; n < stages; ++n)
        for (int r = 0; r < tp; ++r)
          pools.push_back({p.device + std::size_t(n * tp + r),
                           Slice{1.0 / stages, true, true, n == stages - 1, n == 0, tp}, r > 0});
      return pools;
    }
    case PlacementKind::all_gpu: {
      Slice all;
      all.embedding = gpu_embeds;
      return {{p.device, all}};
    }
    default:
      return {{p.device, Slice{}}};
  }
}

bool fits_all(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Machine& machine, const Placement& p) {
  for (const auto& pool : pools_of(m, q, machine, p))
    if (pool.device >= machine.devices.size() ||
        !fits(memory_need(m, q, w, machine.devices[pool.device], pool.slice), machine.devices[pool.device])) return false;
  return true;
}

/// The most tokens of context every pool has room for: only the KV cache grows with the context,
/// so each pool's room left at no context, over its KV bytes per token of context.
int64_t largest_context(const ModelSpec& m, const QuantSpec& q, Workload w, const Machine& machine, const Placement& p) {
  w.context_tokens = 0;
  int64_t most = std::max<int64_t>(m.context_max, 1);
  for (const auto& pool : pools_of(m, q, machine, p)) {
    if (pool.device >= machine.devices.size()) return 0;
    const Device& d = machine.devices[pool.device];
    const MemoryNeed base = memory_need(m, q, w, d, pool.slice);
    const double room = base.available_bytes * (1 - min_headroom(d)) - base.total_bytes;
    if (room < 0) return 0;
    if (!pool.slice.dense) continue;  // holds no KV cache
    const double per_layer_share = std::max(1, w.users) * pool.slice.layers * kv_share(m, pool.slice.tp);
    most = std::min(most, kv_tokens_within(m, room / per_layer_share, w.kv_type));
  }
  return most;
}

/// Time one decoding step (one token for each of the workload's users) spends in one pool: the
/// matrix products read the weights, or compute the batch where that takes longer (a roofline:
/// with enough users decode becomes compute-bound); attention then reads each user's KV cache,
/// a kernel of its own that the products' arithmetic does not hide; plus the per-layer overhead.
struct PoolTime {
  double weight_bytes = 0, weight_s = 0, kv_bytes = 0, kv_s = 0, overhead_s = 0, compute_s = 0;
  double kv_reread_bytes = 0;  ///< without flash attention (kv_reread_bytes()); its share is in kv_s
  double dot_bytes = 0;        ///< of weight_bytes, those on an uncalibrated CPU's dot-product path
  double routed_bytes = 0;     ///< of weight_bytes, an MoE's routed experts (read through MUL_MAT_ID)
  double unpack_weights = 0;   ///< weights whose scales Metal's kernels unpack (BlockFormat::unpacks_scales)
  double unpack_s = 0;         ///< their unpacking at kMetalUnpackFlopsPerWeight; overlaps weight_s
  double slowest_s = 0;
  std::string slowest;  ///< the dequantization-bound format, if one dominates
  bool rate_unknown = false;  ///< weights on a device with no read rate: the time is unknown, not 0
  double total() const { return std::max({weight_s, compute_s, unpack_s}) + kv_s + overhead_s; }
};

PoolTime decode_time(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d, const Slice& s) {
  PoolTime t;
  const int users = std::max(1, w.users);
  for (const auto& l : slice_load(m, q, s, true, users)) {
    const FormatRate* r = decode_rate(d, *l.format);
    const bool dot = on_dot_path(d, *l.format);
    const double gbps = dot ? std::min(decode_gbps(d, r), d.gemv_dot_cap_gbps) : decode_gbps(d, r);
    const double sec = gbps > 0 ? l.bytes / (gbps * 1e9) : 0;
    if (!(gbps > 0) && l.bytes > 0) t.rate_unknown = true;
    t.weight_bytes += l.bytes;
    if (dot) t.dot_bytes += l.bytes;
    if (d.backend == Backend::metal && engine_of(q) == Engine::llama_cpp && l.format->unpacks_scales())
      t.unpack_weights += l.params;
    t.weight_s += sec;
    if ((r || dot) && gbps < kDequantBound * d.read_gbps.value && sec > t.slowest_s)
      t.slowest_s = sec, t.slowest = std::string(l.format->name) + " dot product at " + fixed(gbps) + " GB/s";
  }
  if (t.unpack_weights > 0 && d.datasheet_gflops > 0)
    t.unpack_s = t.unpack_weights * kMetalUnpackFlopsPerWeight / (d.datasheet_gflops * 1e9);
  if (m.is_moe() && s.routed) {
    Slice routed = s;
    routed.dense = routed.output = routed.embedding = false;
    for (const auto& l : slice_load(m, q, routed, true, users)) t.routed_bytes += l.bytes;
  }
  if (s.dense) {
    // The KV cache at depth: its bytes at the read bandwidth, or the measured attention
    // arithmetic where that is slower (on few CPU cores it is: local-notes.md, 36-46% slower
    // decode at 2048 for 7-8% more bytes); the two overlap.
    // A recurrent layer reads its state and writes it back each token.
    t.kv_bytes = users * s.layers * kv_share(m, s.tp) *
                 (kv_cache_bytes(m, w.depth_tokens, w.kv_type) + 2 * recurrent_state_bytes(m));
    t.kv_s = std::max(d.read_gbps.value > 0 ? t.kv_bytes / (d.read_gbps.value * 1e9) : 0,
                      users * s.layers * kv_share(m, s.tp) * attention_seconds(m, w.depth_tokens, d));
    t.kv_reread_bytes = kv_reread_bytes(m, q, w, d, s);
    if (d.read_gbps.value > 0) t.kv_s += kNoFlashKvRereadShare * t.kv_reread_bytes / (d.read_gbps.value * 1e9);
    t.overhead_s = s.layers * layers_overhead_s(m, q, d);
  }
  if (d.kind == DeviceKind::cpu && d.measured) t.overhead_s += t.weight_s * (1 / kCpuDecodeKernelShare - 1);
  if (users > 1 && d.compute_gflops.value > 0) {
    // In steady state the other users' prompts arrive while this one decodes: each step also
    // prefills (users - 1) x input/output tokens (a request of I prompt and O output tokens is
    // replaced every O steps), computed with the decode tokens in one batch.
    const double share = std::clamp(w.input_share, 0.0, 0.95);
    const double tokens = users + (users - 1) * share / (1 - share);
    double params = 0;
    for (const auto& l : slice_load(m, q, s, true)) params += l.params;
    t.compute_s = tokens * 2 * params / (d.compute_gflops.value * 1e9);
  }
  return t;
}

/// Seconds a decoding step spends moving activations between devices: for tensor parallel, two
/// all-reduces per layer (after attention and after the MLP) of users x hidden x 2 B among the
/// node's GPUs (ring: 2 (tp-1)/tp of the message over each GPU's link, plus a fixed latency);
/// for each boundary between machines (pipeline stages, llama.cpp RPC), one hop of the hidden
/// state. `tokens` is the tokens per step (users when decoding, the prompt when prefilling).
double comm_seconds(const ModelSpec& m, const Machine& machine, const Placement& p, double tokens) {
  double sec = 0;
  const bool vllm = p.kind == PlacementKind::tensor_parallel;
  const double message = tokens * m.hidden * (vllm ? kActivationBytesVllm : kActivationBytesLlamaCpp);
  if (vllm && p.gpu_count > 1) {
    const double tp = p.gpu_count;
    const double link = machine.gpu_link_gbps.value > 0 ? machine.gpu_link_gbps.value : kPcie4x16Gbps;
    const double latency = machine.gpu_link.rfind("nvlink", 0) == 0 || machine.gpu_link.rfind("infinity", 0) == 0
                               ? kAllReduceLatencyUsNvlink
                               : kAllReduceLatencyUsPcie;
    sec += 2.0 * m.layers * (latency * 1e-6 + 2 * (tp - 1) / tp * message / (link * 1e9));
  }
  const int hops = p.nodes - 1;
  if (hops > 0) {
    const double link = machine.node_link_gbps.value > 0 ? machine.node_link_gbps.value
                                                           : (vllm ? kClusterLinkGbps : kGigabitEthernetGbps);
    // The hop's latency is paid once a step: a prompt's tokens share it.
    const double latency_s = (vllm ? kClusterHopLatencyUs : kRpcHopLatencyUs) * 1e-6;
    sec += hops * (latency_s + message / (link * 1e9));
  }
  return sec;
}

// llama.cpp's repacked GEMV (one token, eight interleaved rows: ggml_gemv_q4_0_8x8_q8_0, a
// 256-bit kernel with eight dependent dot products a block) in cache, over the device's prefill
// compute rate (its 8-bit GEMM): 153 / 265 GFLOP/s measured on 2 Zen 4 threads (the calibration's
// Q4_0 kernel, built the same way; ggml's own 150 in bench/ggml_gemv.cpp).
// For CPUs without a calibration.
constexpr double kRepackedGemvOverCompute = 0.58;

/// The rate of llama.cpp's repacked GEMV with the weights in cache: the calibration's in-cache
/// figure for its Q4_0 kernel (interleaved as llama.cpp repacks, computed as its GEMV does), else
/// the compute rate x kRepackedGemvOverCompute. ggml's repacked Q4_K GEMV runs 155-157 GFLOP/s to
/// its Q4_0 one's 141-145 here (bench/ggml_gemv.cpp): one figure stands for every repacked format.
double repacked_gemv_gflops(const Device& d) {
  if (const FormatRate* r = prefill_rate(d, "Q4_0")) return r->gflops;
  return d.compute_gflops.value * kRepackedGemvOverCompute;
}

// From this many tokens a micro-batch's products on host-resident weights run on the GPU, the
// weights copied over (ggml_backend_cuda_device_offload_op: min_batch_size = 32).
constexpr int64_t kOffloadMinBatch = 32;

// An MoE's routed experts prefill on a GPU as one small GEMM per expert (llama.cpp's CUDA/ROCm
// MMQ/mul_mat_id, Metal's and Vulkan's mul_mm_id): a micro-batch of u tokens gives each of E
// experts u x k / E of them (Qwen3-30B-A3B at -ub 512: 512 x 8 / 128 = 32), so every expert the
// micro-batch touches (nearly all of them from a few hundred tokens) has its weights loaded for a
// few dozen columns of arithmetic. Two costs follow, each a constant fitted with the other:
//  - the loads: each micro-batch pays the touched experts' bytes at kMoeExpertReadShare of the
//    bandwidth decode reads at (narrow GEMMs keep few loads in flight), on top of the arithmetic;
//  - the padding: each expert's columns run in whole tiles of kMoeTileTokens, so its arithmetic is
//    that of its tokens rounded up to the tile (x ceil(c / T) x T / c: 1.5 for Qwen3-30B-A3B's 32
//    and gpt-oss-20b's 64 at -ub 512, 3 for gpt-oss-120b's and Qwen3.5-35B-A3B's 16). The kernels
//    tile the tokens in steps of 8 to 128 columns (CUDA's MMQ sizes mmq_x to the columns an expert
//    gets since llama.cpp #15525, ROCm's since #28552; Metal's and Vulkan's mul_mm_id use fixed
//    tiles of 32-64); one effective width for all backends is what the corpus can fit.
// The loads alone leave the residual leaning with a device's FLOPs per byte (DGX Spark, 458 FLOP/B,
// too slow; RTX PRO 4000, 5060 Ti, M1 Max, 26-222, too fast), the padding alone the other way; the
// two together do not. Fitted by bench/check_accuracy.py on the corpus' GPU MoE prefill rows of
// 2025+ builds, discrete and APU, at each run's micro-batch, each device counted once: the width
// on a grid (0-256), the loads' share refitted at each: on all rows T 48 tokens and the share 0.30
// with the GPUs' units given / 0.28 withheld (0.28 / 0.28 on 923 runs). Leave one device out
// (2026-12-07, 839 runs), GPU MoE prefill 25.1% -> 19.6% / 27.9% -> 16.4% median error, against
// the loads alone (share 0.18); 21.5% / 15.6% on 923 runs, 17.7% / 15.2% with GB10's clock.
constexpr double kMoeExpertReadShare = 0.29;
constexpr double kMoeTileTokens = 48;

/// The routed experts' arithmetic on a GPU over their tokens': each touched expert's c tokens
/// rounded up to whole tiles of kMoeTileTokens (1 where none are routed).
double expert_tile_fill(double c) {
  return c > 0 ? std::ceil(c / kMoeTileTokens - 1e-9) * kMoeTileTokens / c : 1;
}

/// Seconds of compute for one prompt token in one pool: 2 FLOPs per weight plus attention.
/// Formats llama.cpp multiplies with a dedicated CPU GEMM run at the device's compute rate; the
/// others go one dot product per row and token in llama.cpp too, which is what the calibration's
/// in-cache GEMM times. An MoE's routed experts (MUL_MAT_ID) never reach a GEMM: ggml-cpu's
/// mul_mat_id calls the dot product per row and token (ggml_compute_forward_mul_mat_id_one_chunk),
/// and for the repacked formats repack.cpp's forward_mul_mat_id calls its GEMV once per routed
/// token (local-llamacpp.csv: the 64-expert shape's pp512 at Q4_0 and Q4_K_M was 1.45-1.65x
/// over while experts counted at the GEMM rate). A prompt's tokens skip the output matrix (logits
/// for the last one only).
struct PrefillTime {
  double seconds = 0, routed_s = 0, tokens_per_expert = 0, dot_s = 0;
  double tile_fill = 1;         ///< the routed arithmetic over its tokens' (expert_tile_fill, GPU MoE)
  double expert_read_s = 0;     ///< of routed_s, loading the touched experts' weights (GPU MoE)
  double attention_s = 0;       ///< the attention's arithmetic (QK^T and A·V)
  double attention_scores_s = 0;  ///< moving the attention scores, without flash attention (GPU)
};

// llama.cpp's flash-attention kernel on a GPU (fattn-*: QK^T, softmax and A·V fused, a tile of
// cached positions at a time) runs at this share of the rate its weight products reach. Without
// flash attention, KQ and KQV are two more matrix products at that rate, and the scores' memory
// traffic is counted apart (attention_scores_s). Fitted by bench/check_accuracy.py on the prompt
// rows where attention is a fifth or more of the time (long prompts, deep caches), each device
// once, the MoE constants fitted with it in turn: 0.55 with the GPUs' units given, 0.50 without
// (2026-12-07, with the experts' tile padding; 0.50 / 0.40 before it); between them here. The
// slopes it was read from: an RTX 4090's Qwen3.5-35B-A3B (head 256) 0.23-0.25 of its GEMM rate,
// R9700 and RX 7900 XT gpt-oss-20b 0.32-0.43, M1 Max and M2 Ultra 0.52-0.69 (bench/NOTES.md).
constexpr double kGpuAttentionShare = 0.52;

/// The share of the device's GEMM rate, before an APU's package-power share, that a prompt's
/// attention arithmetic runs at, or 1 where it runs at the compute rate itself. Flash attention on
/// a GPU under llama.cpp: kGpuAttentionShare (its narrow tiles, like the experts' GEMMs, are not
/// what an APU's power limit slows); CUDA's kernel half that for K rows over 128 wide (head_dim
/// 256, MLA's 576-wide latent): fattn-mma-f16.cuh's Ampere configurations step over 32 cached
/// positions a tile there, 64 at 128 and below (ggml_cuda_fattn_mma_get_config_ampere, nbatch_fa,
/// at 16+ columns). Elsewhere (CPUs, other engines, GPUs without flash attention) 1.
double attention_share(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d) {
  if (d.kind != DeviceKind::gpu || engine_of(q) != Engine::llama_cpp || !flash_attention_runs(m, w, d)) return 1;
  const double k_width = m.is_mla() ? double(m.kv_lora_rank) + m.qk_rope_head_dim : m.head_dim;
  return d.backend == Backend::cuda && k_width > 128 ? kGpuAttentionShare / 2 : kGpuAttentionShare;
}

/// The rate a prompt's attention arithmetic runs at (attention_share).
double attention_gflops(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d) {
  const double share = attention_share(m, q, w, d);
  return share < 1 ? d.compute_gflops.value / d.apu_compute_share * share : d.compute_gflops.value;
}

// Without flash attention llama.cpp attends in three graph nodes (build_attn_mha: ggml_mul_mat(k,
// q), ggml_soft_max_ext, ggml_mul_mat(v, kq)), so a GPU writes each micro-batch's scores, heads x
// tokens x cached positions in f32, to memory, reads and writes them in the softmax and reads them
// again for the values: four passes of 4 bytes. Counted from the graph, not fitted.
constexpr double kAttentionScoreBytes = 4 * 4;

/// Seconds per prompt token moving the attention scores on a GPU that runs llama.cpp without flash
/// attention: every position cached when its micro-batch runs, the whole micro-batch included
/// (the mask, not the product, makes attention causal); sliding-window layers at most their window.
double attention_scores_s(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d,
                          int64_t ubatch) {
  if (d.kind != DeviceKind::gpu || engine_of(q) != Engine::llama_cpp || flash_attention_runs(m, w, d) ||
      d.read_gbps.value <= 0)
    return 0;
  const double positions = w.depth_tokens + (w.prompt_tokens + ubatch) / 2.0;
  const double local = std::min<double>(positions, m.sliding_window);
  return kAttentionScoreBytes * m.heads * (m.global_layers() * positions + m.local_layers() * local) /
         (d.read_gbps.value * 1e9);
}

// A CPU that has not been calibrated multiplies a format llama.cpp neither repacks nor hands to
// tinyBLAS (Q6_K, Q5_K, Q3_K, Q2_K below AVX-512, F16 on ARM...) one dot product per row and token
// (ggml_compute_forward_mul_mat over vec_dot: no register blocking across the prompt's columns),
// at this share of its GEMM rate; a calibrated one has the rate measured (kernels/cpu). Fitted by
// bench/check_accuracy.py on the corpus' CPU prefill rows with kPrefillEfficiencyCpu (each device
// once; leave one device out there).
constexpr double kCpuDotPathOverCompute = 0.35;

// The tokens an engine puts through the layers at a time in this prompt: at most its step, which
// is llama.cpp's micro-batch (-ub, the workload's); mlx_lm's prefill step (generate_step's
// prefill_step_size, 2048); vLLM's token budget a step, what `vllm serve` defaults to
// (max_num_batched_tokens: 8192 on a GPU of 70 GiB or more other than an A100, else 2048;
// vllm/engine/arg_utils.py get_batch_defaults).
int64_t micro_batch_tokens(const QuantSpec& q, const Workload& w, const Device& d) {
  constexpr double kGiB = 1024.0 * 1024 * 1024;
  int64_t step = w.ubatch_tokens;
  if (engine_of(q) == Engine::mlx) step = 2048;
  if (engine_of(q) == Engine::vllm)
    step = d.memory_bytes.value >= 70 * kGiB && d.name.find("A100") == std::string::npos ? 8192 : 2048;
  return std::clamp<int64_t>(w.prompt_tokens, 1, std::max<int64_t>(1, step));
}

PrefillTime prefill_time(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Device& d, Slice s) {
  PrefillTime t;
  if (d.compute_gflops.value <= 0) return t;
  s.output = false;
  // A GPU's routed experts: a micro-batch spreads over them, ubatch x k / E tokens each on average.
  const int64_t ubatch = micro_batch_tokens(q, w, d);
  const bool narrow_experts = m.is_moe() && s.routed && d.kind == DeviceKind::gpu;
  // The tokens each expert the micro-batch touches gets: u x k / E over the share of the E it
  // touches (experts_touched_share: all of them at a few hundred tokens).
  if (narrow_experts) {
    t.tokens_per_expert = double(ubatch) * m.experts_active / m.experts / experts_touched_share(m, int(ubatch));
    t.tile_fill = expert_tile_fill(t.tokens_per_expert);
  }
  if (s.dense)
    t.attention_s = s.layers * attention_flops_per_token(m, q, w.prompt_tokens, w.depth_tokens) /
                    (attention_gflops(m, q, w, d) * 1e9);
  double sec = t.attention_s;
  if (s.dense) t.attention_scores_s = s.layers * attention_scores_s(m, q, w, d, ubatch);
  sec += t.attention_scores_s;
  Slice dense = s, routed = s;
  dense.routed = false;
  routed.dense = routed.embedding = false;
  for (const bool experts : {false, true}) {
    if (experts && !(m.is_moe() && s.routed)) continue;
    for (const auto& l : slice_load(m, q, experts ? routed : dense, true)) {
      // The path llama.cpp's CPU backend takes, and its rate: a dense product of a repacked format
      // its repacked GEMM, of another format tinyBLAS takes tinyBLAS (Q8_0's tiles as measured, F16
      // and F32 at the f32 FMA peak), both else at the compute rate; a routed expert of a repacked
      // format the repacked GEMV once per token; any other product one dot product per row and token
      // (measured in cache; uncalibrated, kCpuDotPathOverCompute of the compute rate). A GPU: its
      // compute rate.
      double gflops = d.compute_gflops.value;
      bool dot = false;
      if (d.kind == DeviceKind::cpu) {
        const std::string_view f = l.format->name;
        const bool repacked = l.format->repacked_on(d.cpu_repack);
        const FormatRate* r = nullptr;
        if (repacked && experts)
          gflops = repacked_gemv_gflops(d);
        else if (!experts && (repacked || l.format->cpu_gemm)) {
          r = repacked ? nullptr : tinyblas_rate(d, f);
          if ((f == "F16" || f == "F32") && d.measured && d.measured->fma_gflops > 0) gflops = d.measured->fma_gflops;
        } else {
          r = prefill_rate(d, f);
          if (!r && !d.measured) gflops = d.compute_gflops.value * kCpuDotPathOverCompute, dot = true;
        }
        if (r) gflops = r->gflops;
      } else if (experts) {
        // Narrow GEMMs bound by loading each expert's weights (below): an APU's power limit, which
        // slows the dense products' arithmetic, does not slow them (machine.cpp, kApuComputeShare).
        gflops = gflops / d.apu_compute_share;
      }
      const double ls = 2 * l.params / (gflops * 1e9) * (experts ? t.tile_fill : 1.0);
      sec += ls;
      if (experts) t.routed_s += ls;
      if (dot) t.dot_s += ls;
    }
  }
  if (narrow_experts && d.read_gbps.value > 0) {
    // The experts a micro-batch touches, their weights loaded once for it, shared by its tokens.
    double touched = 0;
    for (const auto& l : slice_load(m, q, routed, true, int(ubatch))) touched += l.bytes;
    t.expert_read_s = touched / (kMoeExpertReadShare * d.read_gbps.value * 1e9) / double(ubatch);
    sec += t.expert_read_s;
    t.routed_s += t.expert_read_s;
  }
  t.seconds = sec;
  return t;
}

double decode_seconds(const ModelSpec& m, const QuantSpec& q, const Workload& w, const Machine& machine,
                      const Placement& p) {
  double sec = comm_seconds(m, machine, p, std::max(1, w.users));
  for (const auto& pool : pools_of(m, q, machine, p))
    if (!pool.concurrent) sec += decode_time(m, q, w, machine.devices[pool.device], pool.slice).total();
  return sec;
}

/// The fastest placement that fits: all on one GPU; over several identical GPUs (layers split for
/// llama.cpp, tensor parallel for vLLM's formats); a split with the host CPU (the most layers that
/// fit, or an MoE's experts in RAM); all on the CPU. When nothing fits, the one that fails most
/// informatively: the CPU if there is one, else the GPU.
Placement choose_placement(const ModelSpec& m, const QuantSpec& q, const Machine& machine, const Workload& w) {
  std::vector<Placement> candidates;
  std::optional<std::size_t> host;
  for (std::size_t i = 0; i < machine.devices.size(); ++i)
    if (machine.devices[i].kind == DeviceKind::cpu && q.runs_on(machine.devices[i], m.is_moe()) && !host) host = i;
  for (std::size_t g = 0; g < machine.devices.size(); ++g) {
    const Device& d = machine.devices[g];
    // Software devices and GPUs with no bandwidth figure (not in the catalog, not measured) are
    // never a place for a model.
    if (d.kind != DeviceKind::gpu || d.software || !(d.read_gbps.value > 0) || !q.runs_on(d, m.is_moe())) continue;
    candidates.push_back({PlacementKind::all_gpu, g});
    if (!host || d.unified_memory) continue;  // one pool: nothing to split into
    // The most layers (of `kind`'s share on the GPU) whose weights and KV fit the GPU, 0..most-1.
    auto most_on_gpu = [&](PlacementKind kind, int most) {
      auto fits_gpu = [&](int n) {
        return fits(memory_need(m, q, w, d, pools_of(m, q, machine, {kind, g, *host, n})[0].slice), d);
      };
      int lo = 0, hi = most;
      while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        (fits_gpu(mid) ? lo : hi) = mid;
      }
      return lo;
    };
    // --n-cpu-moe: the experts of as many MoE layers as fit stay on the GPU, the rest in RAM.
    if (m.is_moe())
      candidates.push_back({PlacementKind::experts_on_cpu, g, *host,
                            most_on_gpu(PlacementKind::experts_on_cpu, m.layers - m.dense_layers)});
    if (const int n = most_on_gpu(PlacementKind::partial_offload, m.layers); n > 0)
      candidates.push_back({PlacementKind::partial_offload, g, *host, n});
  }
  // Several GPUs: llama.cpp splits the layers over every usable GPU in a row, in proportion to
  // their memory, alike or not; vLLM shards every layer over 2, 4 or 8 identical ones.
  auto usable = [&](std::size_t i) {
    const Device& d = machine.devices[i];
    return d.kind == DeviceKind::gpu && !d.software && d.read_gbps.value > 0 && q.runs_on(d, m.is_moe());
  };
  for (std::size_t g = 0; g < machine.devices.size(); ++g) {
    if (!usable(g) || (g > 0 && usable(g - 1))) continue;  // the start of a row of usable GPUs
    std::size_t row = 1, same = 1;
    while (g + row < machine.devices.size() && usable(g + row)) ++row;
    while (same < row && machine.devices[g + same].name == machine.devices[g].name) ++same;
    if (engine_of(q) != Engine::vllm && row > 1) candidates.push_back({PlacementKind::layer_split, g, 0, 0, int(row)});
    // vLLM's tensor-parallel size must divide the attention heads.
    for (int n = 2; engine_of(q) == Engine::vllm && n <= int(same); n *= 2)
      if (m.heads % n == 0) candidates.push_back({PlacementKind::tensor_parallel, g, 0, 0, n});
  }
  if (host) candidates.push_back({PlacementKind::cpu_only, *host});
  std::optional<Placement> best;
  double best_s = 0;
  for (const auto& p : candidates) {
    if (!fits_all(m, q, w, machine, p)) continue;
    const double sec = decode_seconds(m, q, w, machine, p);
    // A split must be faster, not equal to rounding: else the simpler placement listed first stays.
    if (!best || sec < best_s * (1 - 1e-9)) best = p, best_s = sec;
  }
  if (best) return *best;
  // Nothing fits: the placement with the most memory comes closest, and says by how much.
  auto memory = [&](const Placement& p) {
    double sum = 0;
    for (const auto& pool : pools_of(m, q, machine, p))
      if (pool.device < machine.devices.size()) sum += machine.devices[pool.device].memory_bytes.value;
    return sum;
  };
  if (!candidates.empty())
    return *std::max_element(candidates.begin(), candidates.end(),
                             [&](const Placement& a, const Placement& b) { return memory(a) < memory(b); });
  return {PlacementKind::all_gpu, 0};
}

}  // namespace

bool runs_on(const QuantSpec& q, const ModelSpec& m, const Machine& machine) {
  return std::any_of(machine.devices.begin(), machine.devices.end(),
                     [&](const Device& d) { return q.runs_on(d, m.is_moe()); });
}

/// The machine as `engine` sees it: the per-SM limits of a CUDA device are llama.cpp's kernels'
/// (its GEMV and MMQ); vLLM and MLX run their own (Marlin/CUTLASS, cuBLAS), so a device they run
/// on keeps its datasheet figures x the backend's efficiencies.
Machine engine_view(const Machine& machine, Engine engine) {
  if (engine == Engine::llama_cpp) return machine;
  Machine view = machine;
  for (auto& d : view.devices) {
    if (d.gemv_cap_gbps > 0 && d.decode_efficiency > 0 && d.kind == DeviceKind::gpu &&
        d.read_gbps.value < d.datasheet_gbps * d.decode_efficiency)
      d.read_gbps = {d.datasheet_gbps * d.decode_efficiency,
                     "datasheet " + fixed(d.datasheet_gbps) + " GB/s x decode efficiency " + fixed(d.decode_efficiency) +
                         " (llama.cpp's per-SM GEMV limit is its own)"};
    if (d.gemm_cap_gflops > 0 && d.prefill_efficiency > 0 && d.kind == DeviceKind::gpu &&
        d.compute_gflops.value < d.datasheet_gflops * d.prefill_efficiency)
      d.compute_gflops = {d.datasheet_gflops * d.prefill_efficiency,
                          "datasheet " + fixed(d.datasheet_gflops / 1000) + " FP16 TFLOPS x prefill efficiency " +
                              fixed(d.prefill_efficiency) + " (llama.cpp's per-SM GEMM limit is its own)"};
  }
  return view;
}

Estimate estimate(const ModelSpec& m, const QuantSpec& q, const Machine& as_given,
                  const Workload& w, std::optional<Placement> placement) {
  const Machine machine = engine_view(as_given, engine_of(q));
  if (machine.devices.empty()) throw InputError("machine '" + machine.name + "' has no devices");
  Estimate e;
  e.model = m.id;
  e.quant = q.id;
  e.hardware = machine.hardware_id.empty() ? "this machine" : machine.hardware_id;
  e.placement = placement ? *placement : choose_placement(m, q, machine, w);
  if (e.placement.device >= machine.devices.size())
    throw InputError("placement names device " + std::to_string(e.placement.device) +
                     " but the machine has " + std::to_string(machine.devices.size()));
  const Device& d = machine.devices[e.placement.device];
  e.backend = d.backend;
  e.device_name = d.name;
  const auto pools = pools_of(m, q, machine, e.placement);
  for (const auto& pool : pools)
    if (pool.device >= machine.devices.size()) throw InputError("placement names a device the machine lacks");

  e.memory = memory_need(m, q, w, d, pools[0].slice);
  e.fits = fits_all(m, q, w, machine, e.placement) && w.context_tokens <= m.context_max;
  e.headroom = e.memory.available_bytes > 0 ? 1 - e.memory.total_bytes / e.memory.available_bytes : -1;
  e.max_context = largest_context(m, q, w, machine, e.placement);
  if (e.placement.kind == PlacementKind::partial_offload || e.placement.kind == PlacementKind::experts_on_cpu) {
    const Device& h = machine.devices[pools[1].device];
    e.host_memory = memory_need(m, q, w, h, pools[1].slice);
    e.host_name = h.name;
  }

  // Decode: every pool's bytes at its own rates (a format's measured GEMV rate where that is
  // slower than memory), the KV cache of its layers, and its per-layer overhead; the pools run
  // one after the other, so their times add -- except tensor-parallel ranks, which run together --
  // and so do the transfers between devices.
  const int users = std::max(1, w.users);
  const double comm_s = comm_seconds(m, machine, e.placement, users);
  double total_s = comm_s;
  const Device* rate_unknown = nullptr;  // a pool's device with no read rate: decode unknown
  const PoolTime* worst = nullptr;
  std::vector<PoolTime> times;
  for (const auto& pool : pools) times.push_back(decode_time(m, q, w, machine.devices[pool.device], pool.slice));
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (!pools[i].concurrent) total_s += times[i].total();
    if (times[i].rate_unknown) rate_unknown = &machine.devices[pools[i].device];
    e.bytes_per_token += times[i].weight_bytes + times[i].kv_bytes;
    if (i > 0 && e.host_memory) e.host_bytes_per_token += times[i].weight_bytes + times[i].kv_bytes;
    if (!worst || times[i].total() > worst->total()) worst = &times[i];
  }
  e.users = users;
  e.decode_tps = total_s > 0 && !rate_unknown ? 1 / total_s : 0;  // 0: unknown
  e.aggregate_tps = users * e.decode_tps;
  const Device& slow = machine.devices[pools[worst - times.data()].device];
  const std::string where = pools.size() > 1 ? " on " + slow.name : "";
  if (rate_unknown)
    e.bottleneck = "unknown: no memory read bandwidth for " + rate_unknown->name + " (not measured, not in the catalog)";
  else if (comm_s > worst->total())
    e.bottleneck = "interconnect: " + fixed(comm_s * 1e3) + " ms per step moving activations between " +
                   std::to_string(e.placement.gpus()) + " GPUs";
  else if (worst->compute_s > std::max(worst->weight_s, worst->kv_s))
    e.bottleneck = "compute" + where + ": " + std::to_string(users) + " users' tokens and the others' prompts at " +
                   flops(slow.compute_gflops.value);
  else if (worst->unpack_s > std::max(worst->weight_s, worst->kv_s))
    e.bottleneck = "unpacking the weights' block scales" + where + ": " + fixed(worst->unpack_weights / 1e9) +
                   " G weights per token at " + fixed(kMetalUnpackFlopsPerWeight, "%.0f") + " FLOPs each on " +
                   flops(slow.datasheet_gflops) + " (Metal's K-quant / IQ / MXFP4 kernels)";
  else if (worst->kv_s > worst->weight_s) {
    const double kv_read = worst->kv_bytes + kNoFlashKvRereadShare * worst->kv_reread_bytes;
    e.bottleneck = worst->kv_s > kv_read / (slow.read_gbps.value * 1e9) * 1.01
                       ? "attention arithmetic over " + std::to_string(w.depth_tokens) + " cached tokens" + where +
                             ": " + fixed(worst->kv_s * 1e3) + " ms per token"
                       : "memory bandwidth (KV cache read" +
                             std::string(worst->kv_reread_bytes > 0 ? ", again for each query head of a group" : "") +
                             ")" + where + ": " + fixed(kv_read / 1e9) + " GB per token at " +
                             fixed(slow.read_gbps.value) + " GB/s";
  }
  else if (worst->slowest_s > worst->weight_s / 2)
    e.bottleneck = "dequantization" + where + ": " + worst->slowest + ", below the " + fixed(slow.read_gbps.value) +
                   " GB/s memory read";
  else if (slow.gemv_cap_gbps > 0 && slow.read_gbps.value >= slow.gemv_cap_gbps)
    e.bottleneck = std::string(slow.kind == DeviceKind::cpu ? "what its cores stream" : "GEMV throughput of its SMs") + where + ": " + fixed(worst->weight_bytes / 1e9) + " GB per token at " +
                   fixed(worst->weight_bytes / worst->weight_s / 1e9) + " GB/s, below what its memory delivers";
  else
    e.bottleneck = "memory bandwidth (weights)" + where + ": " + fixed(worst->weight_bytes / 1e9) + " GB per token at " +
                   fixed(worst->weight_bytes / worst->weight_s / 1e9) + " GB/s";

  // A prompt's tokens go through the pools in turn (tensor-parallel ranks together), with the
  // all-reduces of the whole prompt's activations shared out over its tokens.
  double prefill_s = w.prompt_tokens > 0 ? comm_seconds(m, machine, e.placement, double(w.prompt_tokens)) / w.prompt_tokens : 0;
  e.prefill_comm_s = prefill_s;
  bool prefill_known = true;
  const bool split_with_host =
      e.placement.kind == PlacementKind::partial_offload || e.placement.kind == PlacementKind::experts_on_cpu;
  for (std::size_t i = 0; i < pools.size(); ++i) {
    const Device& dev = machine.devices[pools[i].device];
    PrefillTime pt = prefill_time(m, q, w, dev, pools[i].slice);
    if (split_with_host && i > 0 && engine_of(q) == Engine::llama_cpp && d.compute_gflops.value > 0 &&
        micro_batch_tokens(q, w, d) >= kOffloadMinBatch) {
      // llama.cpp computes a host-resident product of a big enough batch on the GPU, copying
      // its weights over PCIe once a micro-batch (ggml-backend's offload_op; CUDA's
      // min_batch_size 32): per prompt token, those bytes over the link / the micro-batch, or
      // the GPU's arithmetic on them where that is slower.
      const double ubatch = double(micro_batch_tokens(q, w, d));
      const PrefillTime on_gpu = prefill_time(m, q, w, d, pools[i].slice);
      Slice products = pools[i].slice;
      products.embedding = false;  // gathered a row a token, never copied
      double resident = 0;         // every expert of a layer is copied, not only the routed ones
      for (const auto& l : slice_load(m, q, products, false)) resident += l.bytes;
      pt.seconds = std::max(resident / ubatch / (kPcie4x16Gbps * 1e9), on_gpu.seconds);
    }
    if (pt.seconds <= 0 && times[i].weight_bytes > 0) prefill_known = false;  // no compute figure there
    if (!pools[i].concurrent) prefill_s += pt.seconds;
    const PoolTime& t = times[i];
    PoolSeconds ps;
    ps.device = dev;
    ps.concurrent = pools[i].concurrent;
    ps.moe_layer_extra_s = moe_layer_extra_s(dev);
    ps.llama_cpp = engine_of(q) == Engine::llama_cpp;
    ps.layers = pools[i].slice.dense ? pools[i].slice.layers * m.layers : 0;
    ps.moe_layers = pools[i].slice.dense && m.is_moe() ? pools[i].slice.layers * (m.layers - m.dense_layers) : 0;
    ps.weight_bytes = t.weight_bytes, ps.weight_s = t.weight_s, ps.kv_bytes = t.kv_bytes, ps.kv_s = t.kv_s;
    ps.overhead_s = t.overhead_s, ps.compute_s = t.compute_s;
    ps.kv_reread_bytes = t.kv_reread_bytes;
    ps.dot_bytes = t.dot_bytes;
    ps.routed_bytes = t.routed_bytes;
    ps.unpack_weights = t.unpack_weights, ps.unpack_s = t.unpack_s;
    ps.prefill_s = pt.seconds, ps.prefill_routed_s = pt.routed_s, ps.tokens_per_expert = pt.tokens_per_expert;
    ps.prefill_dot_s = pt.dot_s;
    ps.prefill_expert_read_s = pt.expert_read_s;
    ps.prefill_attention_scores_s = pt.attention_scores_s;
    ps.prefill_attention_s = pt.attention_s;
    ps.attention_share = attention_share(m, q, w, dev);
    if (pt.tokens_per_expert > 0) ps.expert_read_share = kMoeExpertReadShare, ps.expert_tile_tokens = kMoeTileTokens;
    ps.expert_tile_fill = pt.tile_fill;
    e.pools.push_back(ps);
  }
  e.comm_s = comm_s;
  e.prefill_tps = prefill_known && d.compute_gflops.value > 0 && prefill_s > 0 ? 1 / prefill_s : 0;
  e.time_to_first_token_s = e.prefill_tps > 0 ? w.prompt_tokens / e.prefill_tps : 0;

  e.accuracy_class = accuracy_class(d, m);
  e.decode_tps_range = band(e.decode_tps, e.accuracy_class, d.backend, true);
  e.prefill_tps_range = band(e.prefill_tps, e.accuracy_class, d.backend, false);
  e.engine = engine_of(q, e.backend);
  e.launch = launch_command(m, q, e, w);

  auto& a = e.assumptions;
  a.push_back(d.read_gbps.known() ? "bandwidth " + fixed(d.read_gbps.value) + " GB/s: " + d.read_gbps.source
                                   : "bandwidth unknown: not measured, not in the catalog, not in the saved machine");
  if (engine_of(q) == Engine::vllm && d.kind == DeviceKind::gpu)
    a.push_back("serving engine (vLLM/SGLang) per-layer cost " + fixed(layers_overhead_s(m, q, d) / m.layers * 1e6, "%.0f") +
                " us at small batch (" + (m.is_moe() ? "MoE layers " + fixed(kServingLayerUsMoe, "%.0f") + " us, " : std::string()) +
                "dense " + fixed(kServingLayerUsDense, "%.0f") + " us, fitted, bench/check_multigpu.py) x " +
                std::to_string(m.layers) + " layers");
  else if (engine_of(q) == Engine::mlx)
    a.push_back("MLX per-layer cost " + fixed(kMlxLayerUs, "%.0f") + " us (fitted, bench/check_mlx.py) x " +
                std::to_string(m.layers) + " layers");
  else if (d.layer_overhead_s.known())
    a.push_back(d.layer_overhead_s.source + " x " + std::to_string(m.layers) + " layers");
  for (const auto& pool : pools) {  // the calibrated CPU's rates, format by format
    const Device& c = machine.devices[pool.device];
    if (c.kind != DeviceKind::cpu || !c.measured) continue;
    std::string rates;
    for (const auto& l : slice_load(m, q, pool.slice, true)) {
      const FormatRate* r = decode_rate(c, *l.format);
      rates += (rates.empty() ? "" : ", ") + std::string(l.format->name) + " " + fixed(decode_gbps(c, r)) + " GB/s" +
               (!r ? " (read)" : l.format->repacked_on(c.cpu_repack) ? " (repacked GEMV)" : "");
    }
    a.push_back("decode streams the weights at the calibration's kernel rates: " + rates);
    break;
  }
  if (d.kind == DeviceKind::cpu && d.measured)
    a.push_back("llama.cpp spends " + fixed(kCpuDecodeKernelShare * 100, "%.0f") +
                "% of CPU decode in the dot-product kernels the calibration times (perf of llama-bench)");
  if (d.gemv_dot_cap_gbps > 0 && !d.measured) {
    std::string formats;  // the formats an uncalibrated CPU decodes through one-row dot products
    for (const auto& l : slice_load(m, q, Slice{}, true))
      if (on_dot_path(d, *l.format) && l.format->name != "F32" && formats.find(l.format->name) == std::string::npos)
        formats += (formats.empty() ? "" : ", ") + std::string(l.format->name);
    if (!formats.empty())
      a.push_back("decode reads " + formats + " one dot product a row (llama.cpp does not repack them on this CPU) at " +
                  fixed(d.gemv_dot_cap_gbps) + " GB/s, what its cores' dequantization keeps up with");
  }
  if (d.backend == Backend::metal && engine_of(q) == Engine::llama_cpp) {
    double unpack = 0;  // weights a token whose block scales Metal's kernels unpack
    for (const auto& l : slice_load(m, q, Slice{}, true))
      if (l.format->unpacks_scales()) unpack += l.params;
    if (unpack > 0 && d.datasheet_gflops > 0)
      a.push_back("Metal unpacks the block scales of " + fixed(unpack / 1e9) + " G weights a token at " +
                  fixed(kMetalUnpackFlopsPerWeight, "%.0f") + " FLOPs each: decode at most " +
                  fixed(d.datasheet_gflops * 1e9 / (unpack * kMetalUnpackFlopsPerWeight)) + " tok/s on " +
                  flops(d.datasheet_gflops) + " (fitted, bench/check_accuracy.py)");
    else if (unpack > 0)
      a.push_back("no FLOPs figure for this GPU: Metal's unpacking of block scales (" +
                  fixed(kMetalUnpackFlopsPerWeight, "%.0f") + " FLOPs a weight) is not counted, which slows K-quant "
                  "and MXFP4 decode where FLOPs per byte of bandwidth are few (an M1 Max's, by 1.3-1.5x)");
  }
  if (!d.compute_gflops.known())
    a.push_back("no compute figure for this device: prefill not estimated");
  else
    a.push_back("prefill compute " + flops(d.compute_gflops.value) + ": " + d.compute_gflops.source);
  if (d.compute_gflops.known() && d.kind == DeviceKind::cpu && !d.measured) {
    std::string formats;  // the formats an uncalibrated CPU multiplies on llama.cpp's dot-product path
    Slice products;  // a prompt's products: no embedding (gathered), no output matrix (the last token's)
    products.output = products.embedding = false;
    for (const auto& l : slice_load(m, q, products, true))
      if (!l.format->repacked_on(d.cpu_repack) && !l.format->cpu_gemm &&
          formats.find(l.format->name) == std::string::npos)
        formats += (formats.empty() ? "" : ", ") + std::string(l.format->name);
    if (!formats.empty())
      a.push_back("prefill multiplies " + formats + " one dot product a row and token at " +
                  fixed(kCpuDotPathOverCompute) + " of its compute rate (neither repacked nor tinyBLAS)");
  }
  a.push_back("decode at depth " + std::to_string(w.depth_tokens) + " (llama-bench tg at -d " +
              std::to_string(w.depth_tokens) + "), batch " + std::to_string(users) + "; KV cache " +
              std::string(to_string(w.kv_type)) + " for " + std::to_string(w.context_tokens) + " tokens" +
              (users > 1 ? " per user" : ""));
  if (m.recurrent_layers > 0)
    a.push_back(std::to_string(m.recurrent_layers) + " of " + std::to_string(m.layers) + " layers are " +
                (m.recurrent_kind == RecurrentKind::mamba2 ? "Mamba2" : "Gated DeltaNet") +
                ": no KV cache, a fixed f32 state of " + fixed(recurrent_state_bytes(m) / kMiB, "%.1f") +
                " MiB per sequence (in the KV figure), read and written each token" +
                (d.kind == DeviceKind::cpu && engine_of(q) == Engine::llama_cpp &&
                         m.recurrent_kind == RecurrentKind::gated_delta_net
                     ? "; llama.cpp's CPU backend spends " + fixed(kDeltaNetLayerUsCpu / 1000, "%.1f") +
                           " ms more on each (its extra graph nodes, measured on 2 Zen 4 cores)"
                 : d.kind == DeviceKind::gpu && engine_of(q) == Engine::llama_cpp && d.layer_overhead_s.value > 0 &&
                         m.recurrent_kind == RecurrentKind::gated_delta_net
                     ? "; each Gated DeltaNet layer adds " + fixed(kGdnLayerOverheads, "%.1f") +
                           " x the backend's per-layer overhead (its extra kernels, fitted, bench/check_accuracy.py)"
                     : std::string()));
  if (m.is_mla() && engine_of(q) == Engine::llama_cpp && d.layer_overhead_s.value > 0)
    a.push_back("MLA attention in llama.cpp's absorbed form: its KV cache is one " +
                std::to_string(int64_t(m.kv_lora_rank) + m.qk_rope_head_dim) + "-wide latent per layer, and each layer runs about " +
                fixed(kMlaLayerOverheads, "%.2f") + " x the backend's per-layer overhead more (its extra kernels, counted)");
  {
    double reread = 0;
    for (const auto& t : times) reread += t.kv_reread_bytes;
    const std::string why = w.flash_attention ? "no flash-attention kernel in llama.cpp's " +
                                                    std::string(to_string(d.backend)) + " backend for MLA with " +
                                                    std::to_string(m.heads) + " query heads (it needs a multiple of 16)"
                                              : "flash attention off";
    if (reread > 0)
      a.push_back(why + ": each token reads the KV cache again for the other query heads of each group, " +
                  fixed(kNoFlashKvRereadShare, "%.2f") + " (the share that misses the caches, fitted, "
                  "bench/check_accuracy.py) x " + fixed(reread / 1e6, "%.0f") + " MB");
  }
  for (const auto& p : e.pools)
    if (p.tokens_per_expert > 0 && !p.concurrent) {
      // A GPU MoE's prompt: what its routed experts' narrow GEMMs cost (kMoeExpertReadShare).
      a.push_back("MoE prompt on " + p.device.name + ": each micro-batch gives each of " + std::to_string(m.experts) +
                  " experts about " + fixed(p.tokens_per_expert, "%.0f") + " tokens; the experts' weights load once a micro-batch at " +
                  fixed(kMoeExpertReadShare) + " of the decode bandwidth and their arithmetic runs in tiles of " +
                  fixed(kMoeTileTokens, "%.0f") + " tokens (" + fixed(p.expert_tile_fill) + "x what " + fixed(p.tokens_per_expert, "%.0f") +
                  " need; both fitted, bench/check_accuracy.py)");
      break;
    }
  {
    // Where the prompt's attention is a tenth or more of its time: the rate it runs at.
    const double share = attention_share(m, q, w, d);
    double attention = 0;
    for (const auto& p : e.pools)
      if (!p.concurrent) attention += p.prefill_attention_s;
    if (share < 1 && e.prefill_tps > 0 && attention * e.prefill_tps >= 0.1)
      a.push_back("prompt attention " + fixed(100 * attention * e.prefill_tps, "%.0f") + "% of the prompt time (" +
                  std::to_string(w.depth_tokens) + " tokens cached): llama.cpp's flash-attention kernel at " +
                  fixed(share) + " of the GEMM rate (" +
                  (share < kGpuAttentionShare ? "half the fitted " + fixed(kGpuAttentionShare) +
                                                    ": CUDA's kernel for heads over 128 wide; "
                                              : std::string("fitted, ")) +
                  "bench/check_accuracy.py)");
  }
  if (users > 1)
    a.push_back(std::to_string(users) + " users decoded together (continuous batching): each step reads the weights "
                "once for all of them (MoE: the experts any of them routes to) and their KV caches at depth " +
                std::to_string(w.depth_tokens) + ", and computes their tokens with the prompts of those arriving "
                "(input:output as --input-share); decode tok/s is per user, " + fixed(e.aggregate_tps, "%.0f") + " tok/s in all");
  if (e.placement.kind == PlacementKind::layer_split)
    a.push_back("layers split over " + std::to_string(e.placement.gpu_count) + " x " + d.name +
                " (llama.cpp --split-mode layer): memory adds up, a token still passes every layer in turn");
  if (e.placement.kind == PlacementKind::tensor_parallel)
    a.push_back("tensor parallel over " + std::to_string(e.placement.gpu_count) + " x " + d.name +
                (e.placement.nodes > 1 ? " in each of " + std::to_string(e.placement.nodes) + " machines (pipeline stages)" : "") +
                ": each GPU reads 1/" + std::to_string(e.placement.gpu_count) + " of every layer, 2 all-reduces per layer over " +
                (machine.gpu_link.empty() ? "PCIe 4.0 (assumed)" : machine.gpu_link) + ": " + fixed(comm_s * 1e3, "%.2f") +
                " ms per step");
  if (e.placement.kind == PlacementKind::partial_offload)
    a.push_back(std::to_string(e.placement.gpu_layers) + " of " + std::to_string(m.layers) + " layers on " + d.name +
                " (llama.cpp -ngl " + std::to_string(e.placement.gpu_layers) + "), the rest and the output matrix on " +
                e.host_name + ": " + gib(e.host_bytes_per_token) + " per token read there");
  if (e.placement.kind == PlacementKind::experts_on_cpu)
    a.push_back("routed experts of " + std::to_string(m.layers - m.dense_layers - e.placement.gpu_layers) + " of " +
                std::to_string(m.layers - m.dense_layers) + " MoE layers in " + e.host_name +
                "'s RAM (llama.cpp --n-cpu-moe " + std::to_string(m.layers - e.placement.gpu_layers) +
                "), attention and shared weights on " + d.name);
  if (m.is_moe())
    a.push_back("MoE: memory holds all " + std::to_string(m.experts) + " experts; a token reads " +
                std::to_string(m.experts_active) + " of them");
  if (e.memory.repack_bytes > 0) {
    SimdLevel cpu = SimdLevel::none;  // the host's, wherever the placement's main device is
    for (const auto& x : machine.devices) cpu = std::max(cpu, x.cpu_repack);
    std::string formats;
    for (const auto& l : per_token_load(m, q))
      if (l.format->repacked_on(cpu)) {
        if (!formats.empty()) formats += '/';
        formats += l.format->name;
      }
    a.push_back("llama.cpp's CPU backend repacks " + gib(e.memory.repack_bytes) + " of " + formats +
                " weights: peak RSS while loading is " + gib(e.memory.peak_bytes) +
                ", of which the file's duplicate pages are reclaimable page cache");
  }
  if (w.context_tokens > m.context_max)
    a.push_back("context " + std::to_string(w.context_tokens) + " exceeds the model's maximum " +
                std::to_string(m.context_max));
  a.push_back("fits when the working set leaves " + fixed(min_headroom(d) * 100, "%.0f") +
              "% of " + gib(e.memory.available_bytes) + " free");
  for (const auto& pool : pools)
    if (!machine.devices[pool.device].power_w.known()) {
      a.push_back(machine.devices[pool.device].name + ": power draw unknown (no datasheet figure): its electricity "
                  "is not counted in the cost");
      break;
    }
  return e;
}

}  // namespace benchr
