// The estimator's vocabulary: plain structs that every adapter fills or reads.
// No I/O, no hwloc, no Vulkan, no TOML: see DESIGN.md.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "block_format.hpp"

namespace benchr {

/// The one error type for bad input (flags, catalog files, saved machines). Its message is complete:
/// it names what is wrong and where. main() catches it once and exits with status 2.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// A figure and where it came from ("hwloc", "/proc/meminfo", "cgroup memory.max", "datasheet",
/// "measured", "estimate: ..."). An empty source means the figure is unknown.
template <class T>
struct Sourced {
  T value{};
  std::string source;
  bool known() const { return !source.empty(); }
};

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kHoursPerMonth = 24.0 * 365.0 / 12.0;  // 730 h

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

enum class DeviceKind { cpu, gpu };
enum class Backend { cpu, cuda, rocm, vulkan, metal };

std::string_view to_string(DeviceKind);
std::string_view to_string(Backend);
std::string_view to_string(SimdLevel);
/// Parse a backend name ("cuda", ...); throws InputError naming `where` on an unknown name.
Backend parse_backend(std::string_view name, std::string_view where);

/// What a catalog hardware entry is: a graphics card, an Apple SoC, a CPU, or another SoC whose
/// CPU and GPU share memory (an APU). Written as the catalog spells it: gpu | apple | cpu | apu.
enum class HardwareKind { gpu, apple, cpu, apu };
std::string_view to_string(HardwareKind);
/// Throws InputError naming `where` on a name other than the four above.
HardwareKind parse_hardware_kind(std::string_view name, std::string_view where);
/// Parse a CPU vector ISA as the catalog spells it: none | neon | avx2 | avx512; throws InputError
/// naming `where` on another name.
SimdLevel parse_simd_level(std::string_view name, std::string_view where);
/// The names parse_hardware_kind accepts, in enum order (for messages and completion).
const std::vector<std::string>& hardware_kind_names();

/// Weight bytes per second a device streams through the dot product of one GGUF block format
/// (decode's matrix-vector products), measured with `threads` threads.
struct FormatRate {
  std::string format;        ///< block format name, as BlockFormat::name
  int threads = 0;
  double weight_gbps = 0;    ///< GB/s of weight bytes, the fastest repetition
  double gflops = 0;         ///< the same rate as multiply-adds x 2 (per activation column)
  double spread = 0;         ///< (slowest - fastest) / median of the repetitions
};

/// What the calibration kernels measured on one device.
struct DeviceCalibration {
  std::string device;                 ///< the device's name
  std::string isa;                    ///< kernel variant used ("avx512", "avx2", "generic")
  int threads = 0;                    ///< the "all threads" count (physical cores)
  double read_gbps_1t = 0, read_gbps = 0, read_spread = 0;  ///< streaming read, 1 and all threads
  std::vector<FormatRate> gemv;       ///< out-of-cache dot products: decode
  std::vector<FormatRate> gemm;       ///< in-cache dot products (weights reused): prefill
  std::vector<FormatRate> tinyblas;   ///< in-cache 4 x 4 tiles as llama.cpp's tinyBLAS: dense prefill (Q8_0)
  double fma_gflops = 0;              ///< f32 FMA peak, all threads
  double fma_f16_gflops = 0;          ///< f16 FMA peak (Vulkan devices with shaderFloat16); 0: not measured
  /// Decode attention (f16 KV cache, one query): nanoseconds per query head per cached position
  /// with all threads, at head_dim 64 and 128; 0 when not measured.
  double attention_ns_hd64 = 0, attention_ns_hd128 = 0;
};

/// How far a calibration can be trusted: what else the machine was doing while it measured.
/// Unknown figures are nullopt (no /proc/pressure, a calibration from an older file).
struct CalibrationQuality {
  int repetitions = 0;                        ///< measured CPU repetitions over all steps
  int quiet_repetitions = 0;                  ///< of those, the ones in which no thread lost its CPU
  std::vector<std::string> contended_steps;   ///< CPU steps without a single quiet repetition
  std::optional<double> steal_share;          ///< CPU time the hypervisor took (/proc/stat steal / all)
  std::optional<double> cpu_pressure_share;   ///< wall time some task waited for a CPU (/proc/pressure/cpu)
  std::optional<double> busy_per_cpu;         ///< other runnable tasks per CPU at the start (/proc/stat)
  std::optional<double> best_known_read_gbps; ///< the best figure this machine read before (its cache)
  bool contended = false;                     ///< the verdict: its figures may be low
  std::vector<std::string> reasons;           ///< why, one clause each
  long long last_attempt_unix = 0;            ///< when a re-measure last tried to better it (0: never)
};

/// A calibration run: when, how long, with which kernels, for which machine.
struct Calibration {
  std::string fingerprint;            ///< the machine it belongs to (CPU, cores, RAM, kernel)
  std::string measured_at;            ///< ISO 8601 UTC
  double duration_s = 0;
  double budget_s = 0;                ///< the time it was given (0: unknown)
  int kernel_version = 0;             ///< bumped when a kernel changes what it measures
  std::vector<DeviceCalibration> devices;
  std::vector<std::string> notes;
  CalibrationQuality quality;
};

/// A GPU memory limit owners routinely raise: Apple's wired limit (`iogpu.wired_limit_mb`), the
/// Linux GTT share of an AMD APU (`ttm.pages_limit`). Device::memory_bytes is planned at the raised
/// value; this is the default and what raises it.
struct RaisedLimit {
  double default_bytes = 0;
  std::string setting;   ///< as typed: "sudo sysctl iogpu.wired_limit_mb=122880"
  std::string source;    ///< why the raised value is safe, with its source
};

/// One compute device with its own memory pool (a CPU with system RAM, a GPU with VRAM, or a
/// unified-memory SoC seen as one GPU device).
struct Device {
  DeviceKind kind = DeviceKind::cpu;
  std::string name;
  Backend backend = Backend::cpu;
  Sourced<double> memory_bytes;          ///< memory a model may use on this device
  std::optional<RaisedLimit> raised_limit;  ///< memory_bytes is above the default: how it gets there
  Sourced<double> read_gbps;             ///< effective read bandwidth for decode, GB/s (1e9 B/s)
  Sourced<double> compute_gflops;        ///< effective dense throughput for prefill, GFLOP/s
  Sourced<double> power_w;               ///< power drawn while generating
  Sourced<double> layer_overhead_s;      ///< decode's fixed cost per layer and token
  bool unified_memory = false;           ///< shares its pool with the host (Apple, APU)
  bool software = false;                 ///< a software rasteriser (lavapipe): never a place for a model
  SimdLevel cpu_repack = SimdLevel::none;  ///< x86 level of llama.cpp's repacked CPU kernels here (avx2, avx512)
  bool arm_repack = false;               ///< an Arm CPU: llama.cpp decodes BlockFormat::arm_repack formats with its repacked GEMV
  int pci_vendor_id = 0, pci_device_id = 0;  ///< GPUs: to find the catalog entry
  std::string arch;                      ///< GPU architecture (ampere, hopper, rdna3, ...), from the catalog
  std::string details;                   ///< what the driver says (API, driver, features)
  std::optional<DeviceCalibration> measured;  ///< per-format rates, when calibrated
  /// The backend efficiencies applied to a catalog entry's datasheet figures (read_gbps =
  /// datasheet x decode_efficiency, compute_gflops = datasheet x prefill_efficiency); 0 where the
  /// rate is measured or capped at a measurement instead. bench/check_accuracy.py refits them.
  double decode_efficiency = 0, prefill_efficiency = 0;
  double datasheet_gbps = 0;             ///< the catalog's memory bandwidth; 0 for a live or measured device
  double gemv_cap_gbps = 0;              ///< what its units x clock (a CPU: its cores) can stream through the GEMV; 0 = no cap known
  /// An uncalibrated CPU: what its cores stream through ggml's one-row dot products (the formats
  /// llama.cpp does not repack here), bound by their dequantization arithmetic; 0 = no such cap
  /// (a GPU, or a calibrated CPU, whose per-format rates are measured).
  double gemv_dot_cap_gbps = 0;
  double datasheet_gflops = 0;           ///< the catalog's dense FP16 figure; 0 for a live or measured device
  double gemm_cap_gflops = 0;            ///< what its units x clock compute in llama.cpp's GEMM; 0 = no cap known
  double apu_compute_share = 1;          ///< of compute_gflops, the share an APU's package power leaves its GPU (machine.cpp)
  /// A CUDA or ROCm GPU from a catalog entry without its SM / CU count and boost clock (memory,
  /// bandwidth and FP16 only): no per-SM or per-CU limit applies, and it gets the constants and
  /// 80% bands fitted with every device's units withheld (machine.cpp, accuracy.cpp).
  bool units_unknown = false;
};

struct CpuInfo {
  std::string model;
  Sourced<int> packages;
  Sourced<int> cores;           ///< physical cores this process may use
  Sourced<int> logical_cpus;    ///< logical CPUs this process may use
  Sourced<SimdLevel> simd;
  Sourced<double> l1d_bytes, l2_bytes, l3_bytes;  ///< per instance
  std::vector<double> numa_node_bytes;           ///< local memory of each NUMA node (hwloc)
  Sourced<double> ram_total_bytes;               ///< physical RAM
  /// RAM a model may plan for: on a live machine the total less kOsMemoryReserveBytes, within
  /// the cgroup limit; a recording's or a catalog entry's own figure otherwise.
  Sourced<double> ram_available_bytes;
  Sourced<double> ram_free_now_bytes;            ///< free for a new process at the probe (MemAvailable)
};

/// What the hardware is: the live machine (probe/), a saved probe, or a catalog entry.
struct Machine {
  std::string name;                 ///< "this machine" or the catalog hardware name
  std::string hardware_id;          ///< catalog id when the machine comes from the catalog
  CpuInfo cpu;
  std::vector<Device> devices;      ///< devices[0] is the host CPU when there is one
  Sourced<double> price_usd;        ///< purchase price for amortisation, when known
  std::string gpu_link;             ///< GPU-to-GPU interconnect inside one machine: nvlink4, pcie4, ...
  Sourced<double> gpu_link_gbps;    ///< its bandwidth per GPU and direction, GB/s (tensor parallel)
  Sourced<double> node_link_gbps;   ///< between machines of a cluster, per machine and direction, GB/s
  std::vector<std::string> notes;   ///< what could not be detected, and why
};

// ---------------------------------------------------------------------------------------------
// Catalog
// ---------------------------------------------------------------------------------------------

/// What a recurrent layer is: Gated DeltaNet linear attention (Qwen3-Next, Qwen3.5) or a Mamba2
/// state-space layer (Granite 4.0-H, Nemotron-H, Jamba).
enum class RecurrentKind { none, gated_delta_net, mamba2 };
std::string_view to_string(RecurrentKind);
RecurrentKind parse_recurrent_kind(std::string_view name, std::string_view where);

/// A Hugging Face repository that publishes one model's weights in some catalog quants: a GGUF
/// repo (unsloth/..., bartowski/..., ggml-org/...) with a file per quant, an MLX conversion
/// (mlx-community/...-4bit), a vLLM checkpoint (...-AWQ, ...-FP8).
struct PublishedRepo {
  std::string id;                   ///< "org/name" as on huggingface.co
  std::string model;                ///< catalog model id
  std::vector<std::string> quants;  ///< catalog quant ids it publishes
  std::string source, as_of;
};

/// Architecture as in the model's config.json. Counts are plain numbers; 0 means "not used".
struct ModelSpec {
  std::string id, name;
  double params_b = 0;          ///< published total parameters, billions (incl. vision encoder)
  double active_params_b = 0;   ///< published active parameters (MoE), billions
  double vision_params_b = 0;   ///< vision encoder in params_b, not loaded for text
  int layers = 0, hidden = 0, heads = 0, kv_heads = 0, head_dim = 0, v_head_dim = 0;
  int ffn = 0, vocab = 0;
  bool tied_embeddings = false;
  int64_t context_max = 0;
  int experts = 0, experts_active = 0, shared_experts = 0, expert_ffn = 0, dense_layers = 0;
  int q_lora_rank = 0, kv_lora_rank = 0, qk_rope_head_dim = 0;  ///< MLA (DeepSeek)
  int sliding_window = 0, sliding_window_pattern = 0;  ///< every pattern-th layer is global
  bool attn_output_gate = false;  ///< query projection twice as wide: half gates the output (Qwen3-Next)
  /// Recurrent layers (linear attention such as Gated DeltaNet, or state-space such as Mamba2) in
  /// place of attention: a fixed state per sequence instead of a KV cache. Their input
  /// projections are hidden x recurrent_in_proj, their output projection recurrent_out_proj x
  /// hidden; recurrent_state is the state's elements per layer and sequence (f32 in llama.cpp).
  RecurrentKind recurrent_kind = RecurrentKind::none;
  /// The block format the routed experts were released in, which every GGUF keeps whatever its
  /// quant name (gpt-oss: MXFP4); nullptr when the quant decides.
  const BlockFormat* experts_format = nullptr;
  int recurrent_layers = 0, recurrent_in_proj = 0, recurrent_out_proj = 0;
  int64_t recurrent_state = 0;
  std::string license, license_name, released;
  std::string hf_repo;          ///< Hugging Face repo of the released weights ("org/name"), for launch commands
  /// Repositories that publish the model's weights in a catalog quant ([[repo]] in data/repos.toml):
  /// launch commands name them, and advice offers only the quants one of them publishes.
  std::vector<PublishedRepo> repos;
  std::string local_path;       ///< the file or folder `fit` read it from: launch commands name it instead
  double quality = 0;           ///< on the catalog's one quality scale (see data/README.md)
  /// The quality figure is the model's thinking mode's (a reasoning model, or a hybrid scored with
  /// thinking on): its answers come after its thinking tokens, so it needs a higher floor.
  bool thinks = false;
  /// A hybrid's quality with its thinking turned off (the same scale as `quality`), when a source
  /// gives it: advice then also offers it run that way (ThinkingMode::off). Empty: unknown, and
  /// the model is offered in its scored mode only.
  std::optional<double> quality_no_thinking;
  std::string quality_no_thinking_source;
  std::string quality_source, source, as_of;

  /// What makes this shape impossible, in words ("an MoE needs ..."); empty when it is sound. One
  /// rule for the catalog, GGUF metadata and config.json alike.
  std::string shape_problem() const;
  bool is_moe() const { return experts > 0; }
  bool is_mla() const { return kv_lora_rank > 0; }
  /// Layers with a KV cache, and of those the ones that attend over the whole context (every
  /// pattern-th, with a sliding window) and the ones that see only the window.
  int attention_layers() const { return layers - recurrent_layers; }
  double global_layers() const {
    return sliding_window > 0 && sliding_window_pattern > 0 ? attention_layers() / sliding_window_pattern
                                                            : attention_layers();
  }
  double local_layers() const { return attention_layers() - global_layers(); }
};

/// Tensor roles whose precision a quantization mix sets separately.
enum class Role { embedding, output, attn_qk, attn_v, attn_o, ffn_up, ffn_down, other, count };
constexpr std::size_t kRoles = static_cast<std::size_t>(Role::count);
std::string_view to_string(Role);


/// A share of a role's weights stored in one format.
struct FormatShare {
  const BlockFormat* format = nullptr;
  double fraction = 1.0;
};
using RoleMix = std::vector<FormatShare>;  ///< fractions add up to 1

/// The file format a quant is released in: what the engine loads (GGUF: llama.cpp, MLX: mlx-lm,
/// the rest: vLLM). Written as the catalog spells it.
enum class QuantFormat { gguf, mlx, safetensors, fp8, awq, gptq, nvfp4 };
std::string_view to_string(QuantFormat);
/// Throws InputError naming `where` on a name other than those above.
QuantFormat parse_quant_format(std::string_view name, std::string_view where);

struct QuantSpec {
  std::string id, name;
  QuantFormat format = QuantFormat::gguf;
  const BlockFormat* block_format = nullptr;    ///< the base type: every role not listed below
  std::array<RoleMix, kRoles> roles;            ///< filled for every role after loading
  double quality_retention = 1.0;               ///< fraction of the 16-bit model's quality kept
  /// Parameters (billions) of the model quality_retention was measured on; 0 when the source names
  /// no one size (then the retention is taken as it stands for every model: quality_retention()).
  double quality_retention_params_b = 0;
  std::vector<std::string> only_models;         ///< a release format (MXFP4 of gpt-oss): these only
  std::vector<Backend> backends;                ///< the backends that run it; empty = all (GGUF)
  std::vector<std::string> archs;               ///< GPU architectures its kernels need; empty = any
  std::vector<std::string> moe_archs;           ///< for MoE models, when their kernels need fewer; empty = archs
  std::string quality_source, source, as_of;

  bool applies_to(const std::string& model_id) const;
  bool runs_on(Backend b) const;
  /// On this device, for a dense (or an MoE) model: its backend runs the format, and its
  /// architecture (when known) is one the format's kernels support.
  bool runs_on(const Device& d, bool moe) const;
};

struct HardwareSpec {
  std::string id, name;
  HardwareKind kind = HardwareKind::gpu;
  Backend backend = Backend::cpu;         ///< the default backend
  std::vector<Backend> backends;          ///< every backend that runs on it (backend first)
  double memory_gib = 0, memory_bandwidth_gbps = 0, fp16_tflops = 0, tdp_w = 0, price_usd = 0;
  double measured_bandwidth_gbps = 0;     ///< what a bandwidth benchmark sustains, 0 = none sourced
  int compute_units = 0;                  ///< streaming multiprocessors (NVIDIA), compute units, ...; 0 = unknown
  int cores = 0;                          ///< a CPU's physical cores that run llama.cpp's threads; 0 = unknown
  SimdLevel simd = SimdLevel::unknown;    ///< a CPU's vector ISA (none, neon, avx2, avx512); unknown = AVX2 assumed
  double boost_clock_mhz = 0;             ///< the GPU's boost clock, a CPU's maximum clock; 0 = unknown
  int cache_line_bytes = 0;               ///< a CPU's cache line (Apple M-series: 128); 0 = unknown, 64 assumed
  std::string units_source;               ///< where compute_units, boost_clock_mhz and cache_line_bytes were read
  std::string measured_bandwidth_source;
  std::string price_condition, price_as_of;  ///< msrp | new | used, and when
  double used_price_usd = 0;              ///< second-hand price, 0 = none sourced
  std::string used_price_as_of, used_price_source;
  std::string link;                       ///< GPU-to-GPU interconnect of a multi-GPU box: nvlink4, pcie4, ...
  double link_gbps = 0;                   ///< its bandwidth per GPU and direction, GB/s; 0 = unknown
  bool unified_memory = false;
  double gpu_memory_fraction = 0;         ///< unified memory the GPU may use; 0 = the default rule
  int pci_vendor_id = 0, pci_device_id = 0;
  std::string arch;                       ///< GPU architecture: pascal, ampere, ada, hopper, blackwell, rdna3, cdna3, ...
  std::string source, as_of;
};

/// A GPU rented by the hour.
struct Rental {
  std::string id, hardware, provider, condition;  ///< hardware: a catalog hardware id
  double usd_per_hour = 0;
  int gpus = 1;
  std::string source, as_of;
};

/// A hosted API price. `model` is a catalog model id, or empty for a closed model, which then
/// carries its own quality on the catalog scale.
struct ApiOffer {
  std::string id, model, name, provider;
  double usd_per_mtok_input = 0, usd_per_mtok_output = 0;
  double usd_per_mtok_cached_input = 0;   ///< 0 when not offered
  double quality = 0;
  std::string quality_source, source, as_of;
};

struct Electricity {
  double usd_per_kwh = 0;
  std::string source, as_of;
};

struct Catalog {
  std::vector<ModelSpec> models;
  std::vector<QuantSpec> quants;
  std::vector<HardwareSpec> hardware;
  std::vector<ApiOffer> apis;
  std::vector<Rental> rentals;
  std::vector<PublishedRepo> repos;
  Electricity electricity;
  std::string quality_scale;    ///< what `quality` means, with its source

  const ModelSpec* find_model(std::string_view id) const;
  const QuantSpec* find_quant(std::string_view id) const;
  const HardwareSpec* find_hardware(std::string_view id) const;
};

// ---------------------------------------------------------------------------------------------
// Workload, placement, results
// ---------------------------------------------------------------------------------------------

/// What serves a model: llama.cpp (GGUF, and so Ollama and LM Studio), vLLM (safetensors
/// checkpoints: BF16, FP8, AWQ, GPTQ, NVFP4; SGLang takes the same flags' meaning), MLX (Apple).
enum class Engine { llama_cpp, vllm, mlx };
std::string_view to_string(Engine);

enum class KvType { f16, q8_0, q4_0 };
std::string_view to_string(KvType);
KvType parse_kv_type(std::string_view name, std::string_view where);

struct Workload {
  /// KV cache allocated for this many tokens. 32768: people run 16k-32k contexts for chat and more
  /// for agents and coding assistants (docs/advice-notes.md, "Placement"), and a pick that fits only
  /// a short chat is not one an engineer can use.
  int64_t context_tokens = 32768;
  int64_t prompt_tokens = 512;          ///< prompt length for the prefill figure
  int64_t depth_tokens = 0;             ///< tokens already in the context when decoding (0 as tg128)
  /// llama.cpp's micro-batch (-ub): a prompt goes through the layers this many tokens at a time.
  /// 512 is llama.cpp's default (llama-server and llama-bench alike); -ub 2048 is common for
  /// long prompts on big GPUs and APUs (ggml-org's DGX Spark benchmarks, llama.cpp #16578).
  int64_t ubatch_tokens = 512;
  double tokens_per_month = 10e6;       ///< input + output tokens
  double input_share = 0.75;            ///< input tokens / all tokens (3:1)
  /// Slower than this is not usable, per user. 20: chat reads as fluid from about 15-20 tok/s
  /// (people read 5-10 tok/s; docs/advice-notes.md, "Speed people accept"), so a pick at the
  /// floor is still comfortable. A thinking model must decode kThinkingFloorFactor times this
  /// (decode_floor).
  double min_decode_tps = 20;
  int users = 1;                        ///< concurrent streams decoded together (continuous batching)
  KvType kv_type = KvType::f16;
  /// llama.cpp's flash attention (-fa): on by default for the backends that have it since PR #15434
  /// (2025-08, "use FA + max. GPU layers by default"); off, a GPU reads the KV cache again for the
  /// query heads of each group (speed.cpp, kv_reread_bytes).
  bool flash_attention = true;
  /// Hours a day the machine is up for this work (`--hours-per-day`, `--always-on` = 24): a rented
  /// instance is billed for them, an owned machine draws idle power in them when not generating.
  /// Empty: the rule of hours_up() (cost.cpp).
  std::optional<double> hours_per_day;
  double input_tokens() const { return tokens_per_month * input_share; }
  double output_tokens() const { return tokens_per_month * (1 - input_share); }
};

/// A thinking model writes hundreds to thousands of thinking tokens before its answer, so it must
/// decode faster than the workload's floor to answer as promptly: people read chat as fluid from
/// 15-20 tok/s and want 30-50+ from reasoning models (docs/advice-notes.md, "Speed people
/// accept"). 1.5 is the low end of that ratio (30 / 20).
constexpr double kThinkingFloorFactor = 1.5;

/// The decode speed model `m` must reach under `w`: the floor, times kThinkingFloorFactor for a
/// model whose quality figure is its thinking mode's (ModelSpec::thinks) unless it runs with its
/// thinking off.
inline double decode_floor(const ModelSpec& m, const Workload& w, bool thinking_off = false) {
  return m.thinks && !thinking_off ? w.min_decode_tps * kThinkingFloorFactor : w.min_decode_tps;
}

/// Where the model lives: all on the CPU, all on one GPU, the first layers on a GPU and the rest
/// on the host CPU (llama.cpp -ngl N), an MoE's routed experts in host RAM and everything else
/// on the GPU (llama.cpp --n-cpu-moe / -ot exps=CPU), or the layers split over several GPUs
/// (llama.cpp --split-mode layer: capacity adds, each token still passes every layer in turn), or
/// tensor parallel (vLLM/SGLang: every layer's matrices sharded over the GPUs of a node, which
/// read their shares at the same time and all-reduce twice per layer; nodes as pipeline stages).
enum class PlacementKind { cpu_only, all_gpu, partial_offload, experts_on_cpu, layer_split, tensor_parallel };
std::string_view to_string(PlacementKind);

struct Placement {
  PlacementKind kind = PlacementKind::cpu_only;
  std::size_t device = 0;   ///< index into Machine::devices: the CPU, or the GPU
  std::size_t host = 0;     ///< the CPU holding the rest (partial_offload, experts_on_cpu)
  int gpu_layers = 0;       ///< partial_offload: layers on the GPU; experts_on_cpu: MoE layers whose
                            ///< experts stay on the GPU (the last ones; llama.cpp --n-cpu-moe the rest)
  int gpu_count = 1;        ///< layer_split: consecutive GPUs from `device`, a share of layers each by
                            ///< memory; tensor_parallel: GPUs per node (the tensor-parallel size)
  int nodes = 1;            ///< machines the GPUs span, in a row: tensor_parallel's pipeline stages of
                            ///< gpu_count GPUs each; layer_split's machines joined by llama.cpp RPC
  int gpus() const { return kind == PlacementKind::tensor_parallel ? gpu_count * nodes : gpu_count; }
};

/// Bytes a model needs in one pool.
struct MemoryNeed {
  double weights_bytes = 0;    ///< the weights as stored (file size of the tensors)
  double repack_bytes = 0;     ///< extra copy llama.cpp's CPU backend makes (see memory.cpp)
  double kv_cache_bytes = 0;
  double compute_bytes = 0;
  double overhead_bytes = 0;
  double total_bytes = 0;      ///< resident working set: weights + kv + compute + overhead
  double peak_bytes = 0;       ///< peak RSS: total + repack, less the logits rows never written
  double available_bytes = 0;
};

/// One device's share of a decoding step and of a prompt token, in seconds by cause: what
/// decode_tps and prefill_tps are made of (decode: max(weights, compute, unpacking) + KV + overhead).
struct PoolSeconds {
  Device device;                    ///< as this estimate saw it: its rates, caps and backend constants
  bool concurrent = false;          ///< a tensor-parallel rank that runs beside the first: not added
  double moe_layer_extra_s = 0;     ///< and its extra for an MoE layer
  bool llama_cpp = true;            ///< the engine is llama.cpp (MLX and vLLM pay their own per-layer costs)
  double layers = 0, moe_layers = 0;  ///< the layers (and MoE layers) whose fixed costs this pool pays
  double weight_bytes = 0, weight_s = 0, kv_bytes = 0, kv_s = 0, overhead_s = 0, compute_s = 0;
  /// Without flash attention on a GPU: the KV bytes the other query heads of each GQA group would read
  /// again; kNoFlashKvRereadShare of them are read (in kv_s, not in kv_bytes).
  double kv_reread_bytes = 0;
  double dot_bytes = 0;             ///< of weight_bytes, those an uncalibrated CPU reads through its one-row dot products
  double routed_bytes = 0;          ///< of weight_bytes, an MoE's routed experts (llama.cpp's MUL_MAT_ID)
  double unpack_weights = 0;        ///< weights whose sub-block scales Metal's decode kernels unpack
  double unpack_s = 0;              ///< that unpacking's arithmetic at the GPU's datasheet FLOPs (overlaps weight_s)
  double prefill_s = 0;             ///< per prompt token, all of this pool's products and attention
  double prefill_routed_s = 0;      ///< of prefill_s, an MoE's routed experts
  double prefill_dot_s = 0;         ///< of prefill_s, an uncalibrated CPU's products on its dot-product path
  double tokens_per_expert = 0;     ///< GPU MoE prefill: a micro-batch's tokens each routed expert gets
  double prefill_expert_read_s = 0; ///< of prefill_routed_s, loading the experts a micro-batch touches
  double expert_read_share = 0;     ///< the share of the decode bandwidth those loads run at
  double expert_tile_tokens = 0;    ///< the tile width each expert's tokens are rounded up to (GPU MoE)
  double expert_tile_fill = 1;      ///< the routed arithmetic over its tokens': the padding to whole tiles
  double prefill_attention_scores_s = 0;  ///< of prefill_s, moving attention scores without flash attention
  double prefill_attention_s = 0;   ///< of prefill_s, the attention's arithmetic
  double attention_share = 1;       ///< its rate over the GEMM rate before an APU's share; 1: the compute rate
  double decode_s() const { return std::max({weight_s, compute_s, unpack_s}) + kv_s + overhead_s; }
};

/// The kind of prediction whose out-of-sample errors bound this one's: rows of the same class in
/// bench/check_accuracy.py (leave one device out).
/// The -no_units classes: a discrete CUDA or ROCm GPU typed without its units (Device::units_unknown).
/// cpu: an uncalibrated x86 CPU (or one whose ISA the catalog does not give); cpu_arm: an uncalibrated Arm CPU.
enum class AccuracyClass { cpu, apple, apu, gpu_dense, gpu_moe, cpu_calibrated, gpu_dense_no_units, gpu_moe_no_units, cpu_arm };
std::string_view to_string(AccuracyClass);

/// Where a figure falls for 80% of out-of-sample rows of its class: predicted x [low, high].
struct Range {
  double low = 0, high = 0;
};

struct Estimate {
  std::string model, quant, hardware;
  Backend backend = Backend::cpu;
  Placement placement;
  std::string device_name;
  bool fits = false;
  double headroom = 0;              ///< 1 - total/available, on the main device
  MemoryNeed memory;                ///< on the main device
  std::optional<MemoryNeed> host_memory;  ///< on the host CPU when the placement splits the model
  std::string host_name;
  double host_bytes_per_token = 0;  ///< of bytes_per_token, what the host CPU reads
  double bytes_per_token = 0;       ///< weights + KV read per decoded token at depth_tokens
  double decode_tps = 0, prefill_tps = 0, time_to_first_token_s = 0;  ///< decode: per user
  AccuracyClass accuracy_class = AccuracyClass::gpu_dense;
  Range decode_tps_range, prefill_tps_range;  ///< 80% bands; {0, 0} where the figure is unknown
  int users = 1;                    ///< concurrent streams (Workload::users)
  double aggregate_tps = 0;         ///< decode tokens per second of all streams together
  Engine engine = Engine::llama_cpp;  ///< what runs it
  std::string launch;               ///< a command line that runs this placement on that engine
  std::string bottleneck;           ///< what limits decode
  int64_t max_context = 0;          ///< largest context that fits this placement
  std::vector<PoolSeconds> pools;   ///< the breakdown, device by device
  double comm_s = 0;                ///< decode: seconds a step moves activations between devices
  double prefill_comm_s = 0;        ///< prefill: the same per prompt token
  std::vector<std::string> assumptions;
};

/// A month of the workload on a machine. A figure that cannot be known is empty, never 0: the
/// electricity of a device with no power figure (no TDP in the catalog), the amortisation of a
/// purchase with no price; the total is then unknown too.
struct MonthlyCost {
  double busy_hours = 0;            ///< hours of generation the workload needs per month
  double utilisation = 0;           ///< busy_hours / hours in a month
  double up_hours = 0;              ///< hours a month the machine is up (hours_up): billed, or drawing power
  bool can_serve = false;           ///< the busy hours fit in the hours up
  bool owned = false;               ///< nothing to amortise (Budget::owned, or a rental)
  std::optional<double> electricity_usd;
  std::optional<double> hardware_usd;  ///< amortised purchase price; 0 when owned
  std::optional<double> total_usd;     ///< electricity + hardware, when both are known
  /// The known parts: the total when known, else a lower bound (a budget it exceeds is exceeded).
  double at_least_usd() const { return electricity_usd.value_or(0) + hardware_usd.value_or(0); }
};

struct ApiCost {
  const ApiOffer* offer = nullptr;
  double usd = 0;
  double quality = 0;
};

struct Candidate {
  Estimate estimate;
  MonthlyCost cost;
  double quality = 0;               ///< model quality × quant retention
  double model_quality = 0;         ///< the model's catalog quality (the tie rule's first half)
  double retention = 1;             ///< the quant's quality retention (the tie rule's second half)
  double params_b = 0;              ///< the model's parameters, billions (small models tie on retention less)
  /// A hybrid run with its thinking off (ModelSpec::quality_no_thinking is its model quality, and
  /// its floor is the workload's own, not a thinking model's).
  bool thinking_off = false;
  bool eligible = false;
  std::string why_not;              ///< empty when eligible
};

struct Budget {
  double usd_per_month = 100;
  int amortize_months = 36;
  /// The machine is already owned (advise on this machine, `--machine FILE`, `--hardware ID
  /// --owned`): nothing is amortised, and the budget never rules a model out -- the running cost
  /// is set against it on a line of its own. False: a purchase, amortised over amortize_months at
  /// its price (unknown when the catalog has none).
  bool owned = false;
};

enum class Verdict { run_local, use_api, neither };
std::string_view to_string(Verdict);

/// What a plan may consider.
struct PlanScope {
  double max_price_usd = -1;      ///< spend at most this on hardware; < 0: no limit (rentals, which
                                  ///< have no purchase price, are then left out)
  bool used = false;              ///< price purchases second-hand where the catalog has a used price
  bool buy_only = false;          ///< purchases only (plan --buy): no rentals
  /// The computer a graphics card goes into, bought with it unless the buyer has one: its name
  /// and price (a catalog CPU machine; 0 = the catalog has no price, so the total is unknown).
  std::string host_name;
  double host_price_usd = 0;
  bool host_owned = false;
  std::vector<Machine> fleet;     ///< machines already owned (plan --fleet): plan on these only
};

/// How a plan gets its hardware; to_string gives "buy", "buy used", "rent" or "own".
enum class PlanHow { buy, buy_used, rent, own };
std::string_view to_string(PlanHow);
inline bool bought(PlanHow h) { return h == PlanHow::buy || h == PlanHow::buy_used; }

/// One way to get the hardware for a plan: buy it (amortised), rent it by the hour, or use
/// machines already owned.
struct PlanOption {
  std::string hardware_id, name;
  std::string label;              ///< short, for tables: "2 x rtx-3090", "2 x 8xh100-sxm@lambda"
  int count = 1;                  ///< identical GPUs (over `nodes` machines), or owned machines joined
  int nodes = 1;                  ///< machines
  PlanHow how = PlanHow::buy;
  std::string rental_id;          ///< when rented
  Candidate candidate;            ///< the chosen quant's estimate and monthly cost
  std::optional<double> monthly_usd;  ///< empty when unknown (an owned machine with no power figure)
  bool meets = false;             ///< fits, fast enough, can serve the volume, within budget
  std::string why_not;
  std::optional<double> breakeven_tokens_per_month;  ///< against the cheapest as-good API
};

/// A plan's answer in one line: buy the cheapest purchase, rent the cheapest rental, or use the
/// cheapest API as good as the model -- whichever costs least a month among those that meet the
/// target (an option of unknown cost never wins against a known one).
struct PlanVerdict {
  enum class Kind { buy, rent, own, api, none } kind = Kind::none;
  std::optional<std::size_t> option;  ///< into Plan::options: the option bought or rented
  std::optional<std::size_t> api;     ///< into Plan::apis: the cheapest as-good API
  std::optional<std::size_t> purchase;  ///< the cheapest purchase that meets the target, for its break-even
};

struct Plan {
  const ModelSpec* model = nullptr;
  PlanVerdict verdict;
  std::string host_name;      ///< the host a card's price includes (PlanScope), empty when none
  double host_price_usd = 0;
  bool buy_only = false;      ///< rentals left out (--buy or --max-price)
  std::vector<PlanOption> options;    ///< those that meet the target first, cheapest first
  std::optional<std::size_t> cheapest;  ///< into options: the cheapest that meets the target
  std::optional<std::size_t> fastest;   ///< the fastest that meets the target
  std::vector<ApiCost> apis;            ///< offers as good as the model, cheapest first
  int unpriced = 0;                     ///< catalog machines left out: no purchase price
};

/// `plan` without a model: for each model, its cheapest way to meet the target; and the APIs.
struct ModelsPlan {
  std::vector<Plan> plans;              ///< models with an option that meets the target, best first
  std::vector<ApiCost> apis;            ///< API offers within the budget, best quality first
  int models_considered = 0;
};

/// One machine of a side-by-side comparison, as the caller built it: a catalog machine (a graphics
/// card with the host it goes into, price included) bought, or a machine already owned.
struct CompareMachine {
  std::string id;                 ///< as the user named it: a catalog hardware id, "2xrtx-3090", "this"
  Machine machine;
  bool owned = false;             ///< nothing to amortise (this machine)
  std::string price_detail;       ///< what the price is made of, for the presenter ("$1599 + $1500 for the host, ...")
};

/// A comparison's answer: which machine is the better buy for the model and workload, and on what
/// ground. The rule is compare()'s (plan.cpp).
struct CompareVerdict {
  enum class Reason {
    none_meets,       ///< no machine fits, decodes at --min-tps and serves the volume
    only_one_meets,   ///< the others do not meet the target
    cheaper,          ///< the lowest monthly cost, by more than kCostTieShare
    faster,           ///< costs within kCostTieShare of each other (or unknown): the faster decode
  } reason = Reason::none_meets;
  std::optional<std::size_t> better;     ///< into Comparison::options
  std::optional<std::size_t> runner_up;  ///< the best of the rest that meets the target, if any
};

/// Two or three machines side by side for one model and workload (compare()).
struct Comparison {
  const ModelSpec* model = nullptr;
  std::vector<PlanOption> options;      ///< in the order given: each machine's best quant and its cost
  std::vector<std::optional<double>> price_usd;  ///< per option: the purchase price (a card with its
                                        ///< host), empty when unknown or owned
  std::optional<ApiCost> api;           ///< the cheapest API as good as the model, for the break-even
  CompareVerdict verdict;
};

/// The advice's top pick for each use (top_picks(), advise.cpp): indices into Advice::ranked.
struct TopPicks {
  std::optional<std::size_t> fastest_good;     ///< the fastest within 2 x kQualityTiePoints of the pick
  std::optional<std::size_t> best_quality;     ///< the highest quality that meets the constraints
  std::optional<std::size_t> longest_context;  ///< the best quality tier's largest max context
  /// The longest-context pick's command with its context allocated (the whole point of that pick):
  /// its max_context, not the workload's --context. Empty without that pick.
  std::string longest_context_launch;
};

struct Advice {
  std::vector<Candidate> ranked;            ///< as rank_candidates orders them
  std::optional<std::size_t> recommended;   ///< into ranked: the best eligible candidate
  TopPicks picks;                           ///< the best eligible candidate for each use
  std::vector<ApiCost> apis;                ///< every priced offer, best quality first
  std::optional<std::size_t> same_model_api;  ///< into apis: cheapest host of the recommended model
  std::optional<std::size_t> comparable_api;  ///< cheapest offer at least as good as the local pick
  std::optional<std::size_t> best_api;        ///< best quality within the budget
  /// into apis: the cheapest offer of kMuchBetterQuality x the local pick's quality for at most
  /// kSmallExtraShare of the budget more than the pick costs: then the verdict is use_api
  std::optional<std::size_t> much_better_api;
  Verdict verdict = Verdict::neither;
  std::string verdict_reason;
};

}  // namespace benchr
