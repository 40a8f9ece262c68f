#include "types.hpp"

#include <algorithm>

namespace benchr {

std::string_view to_string(DeviceKind k) { return k == DeviceKind::cpu ? "cpu" : "gpu"; }

namespace {
constexpr std::array<std::string_view, 5> kBackendNames{"cpu", "cuda", "rocm", "vulkan", "metal"};
constexpr std::array<std::string_view, 3> kKvNames{"f16", "q8_0", "q4_0"};
}  // namespace

std::string_view to_string(Backend b) { return kBackendNames[static_cast<std::size_t>(b)]; }

Backend parse_backend(std::string_view name, std::string_view where) {
  for (std::size_t i = 0; i < kBackendNames.size(); ++i)
    if (kBackendNames[i] == name) return static_cast<Backend>(i);
  throw InputError(std::string(where) + ": unknown backend '" + std::string(name) +
                   "' (expected cpu, cuda, rocm, vulkan or metal)");
}

namespace {
template <class E, std::size_t N>
E parse_named(const std::array<std::string_view, N>& names, std::string_view name, std::string_view where,
              std::string_view what) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == name) return static_cast<E>(i);
  std::string expected;
  for (std::size_t i = 0; i < N; ++i) expected += (i ? (i + 1 == N ? " or " : ", ") : "") + std::string(names[i]);
  throw InputError(std::string(where) + ": unknown " + std::string(what) + " '" + std::string(name) + "' (expected " +
                   expected + ")");
}

// In enum order.
constexpr std::array<std::string_view, 4> kHardwareKindNames{"gpu", "apple", "cpu", "apu"};
constexpr std::array<std::string_view, 7> kQuantFormatNames{"gguf", "mlx", "safetensors", "fp8", "awq", "gptq", "nvfp4"};
constexpr std::array<std::string_view, 4> kPlanHowNames{"buy", "buy used", "rent", "own"};
}  // namespace

std::string_view to_string(HardwareKind k) { return kHardwareKindNames.at(static_cast<std::size_t>(k)); }
HardwareKind parse_hardware_kind(std::string_view name, std::string_view where) {
  return parse_named<HardwareKind>(kHardwareKindNames, name, where, "hardware kind");
}
// In enum order after `unknown`, which a catalog leaves out instead of naming.
constexpr std::array<std::string_view, 4> kSimdLevelNames{"none", "neon", "avx2", "avx512"};
SimdLevel parse_simd_level(std::string_view name, std::string_view where) {
  return static_cast<SimdLevel>(parse_named<int>(kSimdLevelNames, name, where, "simd level") + 1);
}
const std::vector<std::string>& hardware_kind_names() {
  static const std::vector<std::string> names(kHardwareKindNames.begin(), kHardwareKindNames.end());
  return names;
}
std::string_view to_string(QuantFormat f) { return kQuantFormatNames.at(static_cast<std::size_t>(f)); }
QuantFormat parse_quant_format(std::string_view name, std::string_view where) {
  return parse_named<QuantFormat>(kQuantFormatNames, name, where, "quant format");
}
std::string_view to_string(PlanHow h) { return kPlanHowNames.at(static_cast<std::size_t>(h)); }

std::string_view to_string(SimdLevel s) {
  switch (s) {
    case SimdLevel::unknown: return "unknown";
    case SimdLevel::none: return "none";
    case SimdLevel::neon: return "NEON";
    case SimdLevel::avx2: return "AVX2";
    case SimdLevel::avx512: return "AVX-512";
  }
  return "unknown";
}

std::string_view to_string(Role r) {
  constexpr std::array<std::string_view, kRoles> names{
      "embedding", "output", "attn_qk", "attn_v", "attn_o", "ffn_up", "ffn_down", "other"};
  return names[static_cast<std::size_t>(r)];
}

std::string_view to_string(KvType k) { return kKvNames[static_cast<std::size_t>(k)]; }

KvType parse_kv_type(std::string_view name, std::string_view where) {
  for (std::size_t i = 0; i < kKvNames.size(); ++i)
    if (kKvNames[i] == name) return static_cast<KvType>(i);
  throw InputError(std::string(where) + ": unknown KV cache type '" + std::string(name) +
                   "' (expected f16, q8_0 or q4_0)");
}

std::string_view to_string(RecurrentKind k) {
  switch (k) {
    case RecurrentKind::none: return "none";
    case RecurrentKind::gated_delta_net: return "gated_delta_net";
    case RecurrentKind::mamba2: return "mamba2";
  }
  return "none";
}

RecurrentKind parse_recurrent_kind(std::string_view name, std::string_view where) {
  for (auto k : {RecurrentKind::gated_delta_net, RecurrentKind::mamba2})
    if (to_string(k) == name) return k;
  throw InputError(std::string(where) + ": unknown recurrent layer kind '" + std::string(name) +
                   "' (expected gated_delta_net or mamba2)");
}

std::string_view to_string(PlacementKind p) {
  switch (p) {
    case PlacementKind::cpu_only: return "cpu_only";
    case PlacementKind::all_gpu: return "all_gpu";
    case PlacementKind::partial_offload: return "partial_offload";
    case PlacementKind::experts_on_cpu: return "experts_on_cpu";
    case PlacementKind::layer_split: return "layer_split";
    case PlacementKind::tensor_parallel: return "tensor_parallel";
  }
  return "cpu_only";
}

std::string_view to_string(Engine e) {
  switch (e) {
    case Engine::llama_cpp: return "llama.cpp";
    case Engine::vllm: return "vLLM";
    case Engine::mlx: return "MLX";
  }
  return "llama.cpp";
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::run_local: return "run_local";
    case Verdict::use_api: return "use_api";
    case Verdict::neither: return "neither";
  }
  return "neither";
}

const std::vector<BlockFormat>& block_formats() {
  static const std::vector<BlockFormat> formats = [] {
    std::vector<BlockFormat> v;
    for (const auto& f : kBlockFormats)
      if (f.modelled) v.push_back(f);
    return v;
  }();
  return formats;
}

const BlockFormat* find_block_format(std::string_view name) {
  const auto& f = block_formats();
  auto it = std::find_if(f.begin(), f.end(), [&](const BlockFormat& b) { return b.name == name; });
  return it == f.end() ? nullptr : &*it;
}

namespace {
template <class T>
const T* find_by_id(const std::vector<T>& v, std::string_view id) {
  auto it = std::find_if(v.begin(), v.end(), [&](const T& x) { return x.id == id; });
  return it == v.end() ? nullptr : &*it;
}
}  // namespace

std::string ModelSpec::shape_problem() const {
  if (layers <= 0 || hidden <= 0 || heads <= 0 || kv_heads <= 0 || head_dim <= 0)
    return "layers, hidden size, attention heads, KV heads and head dim must all be > 0 (" +
           std::to_string(layers) + ", " + std::to_string(hidden) + ", " + std::to_string(heads) + ", " +
           std::to_string(kv_heads) + ", " + std::to_string(head_dim) + ")";
  if (kv_heads > heads) return "more KV heads (" + std::to_string(kv_heads) + ") than attention heads (" +
                               std::to_string(heads) + ")";
  if (experts > 0 && (experts_active <= 0 || experts_active > experts || expert_ffn <= 0))
    return "an MoE needs 0 < experts_active <= experts and expert_ffn > 0 (" + std::to_string(experts_active) +
           " of " + std::to_string(experts) + ", expert_ffn " + std::to_string(expert_ffn) + ")";
  if (experts > 0 && (dense_layers < 0 || dense_layers > layers))
    return "dense_layers (" + std::to_string(dense_layers) + ") exceeds layers (" + std::to_string(layers) + ")";
  if (experts == 0 && ffn <= 0) return "a dense model needs ffn > 0";
  if (recurrent_layers < 0 || (recurrent_layers > 0 && (recurrent_layers >= layers || recurrent_in_proj <= 0 ||
                                                         recurrent_out_proj <= 0 || recurrent_state <= 0)))
    return "recurrent layers need 0 < recurrent_layers < layers (" + std::to_string(recurrent_layers) + " of " +
           std::to_string(layers) + ") and recurrent_in_proj, recurrent_out_proj, recurrent_state > 0";
  if (recurrent_kind != RecurrentKind::none && recurrent_layers == 0) return "recurrent_kind without recurrent_layers";
  return {};
}

bool QuantSpec::applies_to(const std::string& model_id) const {
  return only_models.empty() ||
         std::find(only_models.begin(), only_models.end(), model_id) != only_models.end();
}

bool QuantSpec::runs_on(Backend b) const {
  return backends.empty() || std::find(backends.begin(), backends.end(), b) != backends.end();
}

bool QuantSpec::runs_on(const Device& d, bool moe) const {
  const auto& need = moe && !moe_archs.empty() ? moe_archs : archs;
  return runs_on(d.backend) &&
         (need.empty() || d.arch.empty() || std::find(need.begin(), need.end(), d.arch) != need.end());
}

const ModelSpec* Catalog::find_model(std::string_view id) const { return find_by_id(models, id); }
const QuantSpec* Catalog::find_quant(std::string_view id) const { return find_by_id(quants, id); }
const HardwareSpec* Catalog::find_hardware(std::string_view id) const {
  return find_by_id(hardware, id);
}

}  // namespace benchr
