// The estimator's arithmetic, checked against numbers worked out by hand or measured by llama.cpp
// (bench/validation/local-*.csv, copied into the comments).
#define BOOST_TEST_MODULE estimator
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include <cmath>
#include <ostream>

#include "estimator.hpp"

using namespace benchr;

// The figures below were worked out for an 8192-token context; the shipped default (32768) is a
// choice about users, not about the arithmetic these tests check.
struct TestWorkload : Workload {
  TestWorkload() { context_tokens = 8192; }
};

namespace benchr {
std::ostream& operator<<(std::ostream& o, Verdict v) { return o << to_string(v); }
std::ostream& operator<<(std::ostream& o, SimdLevel s) { return o << to_string(s); }
std::ostream& operator<<(std::ostream& o, AccuracyClass c) { return o << to_string(c); }
std::ostream& operator<<(std::ostream& o, Backend b) { return o << to_string(b); }
std::ostream& operator<<(std::ostream& o, PlacementKind p) { return o << to_string(p); }
std::ostream& operator<<(std::ostream& o, PlanHow h) { return o << to_string(h); }
std::ostream& operator<<(std::ostream& o, Engine e) { return o << to_string(e); }
}  // namespace benchr

namespace {

ModelSpec llama_3_1_8b() {
  ModelSpec m;
  m.id = "llama-3.1-8b";
  m.params_b = 8.030261248;
  m.layers = 32, m.hidden = 4096, m.heads = 32, m.kv_heads = 8, m.head_dim = 128, m.v_head_dim = 128;
  m.ffn = 14336, m.vocab = 128256, m.context_max = 131072;
  m.quality = 20;
  return m;
}

ModelSpec tinyllama() {
  ModelSpec m;
  m.id = "tinyllama-1.1b";
  m.layers = 22, m.hidden = 2048, m.heads = 32, m.kv_heads = 4, m.head_dim = 64, m.v_head_dim = 64;
  m.ffn = 5632, m.vocab = 32000, m.context_max = 2048;
  return m;
}

/// qwen3moe-16L-64x8 of local-models.toml: 16 layers, 64 experts, 8 active, expert ffn 1024.
ModelSpec small_moe() {
  ModelSpec m;
  m.id = "qwen3moe-16L-64x8";
  m.layers = 16, m.hidden = 2048, m.heads = 32, m.kv_heads = 4, m.head_dim = 128, m.v_head_dim = 128;
  m.ffn = 6144, m.vocab = 151936, m.context_max = 40960;
  m.experts = 64, m.experts_active = 8, m.expert_ffn = 1024;
  return m;
}

RoleMix one(const char* f) { return {{find_block_format(f), 1.0}}; }
RoleMix half(const char* a, const char* b) {
  return {{find_block_format(a), 0.5}, {find_block_format(b), 0.5}};
}

/// A quant as the catalog builds it: every role at `base`, norms in F32, then overrides.
QuantSpec quant(const char* id, const char* base) {
  QuantSpec q;
  q.id = id;
  q.format = QuantFormat::gguf;
  q.block_format = find_block_format(base);
  for (auto& r : q.roles) r = one(base);
  q.roles[static_cast<std::size_t>(Role::other)] = one("F32");
  return q;
}

QuantSpec q4_k_m() {
  // llama.cpp llama_tensor_get_type: output Q6_K; attn_v and ffn_down Q6_K on use_more_bits
  // layers (half of them), Q4_K elsewhere.
  QuantSpec q = quant("Q4_K_M", "Q4_K");
  q.roles[static_cast<std::size_t>(Role::output)] = one("Q6_K");
  q.roles[static_cast<std::size_t>(Role::attn_v)] = half("Q6_K", "Q4_K");
  q.roles[static_cast<std::size_t>(Role::ffn_down)] = half("Q6_K", "Q4_K");
  return q;
}

QuantSpec q8_0() { return quant("Q8_0", "Q8_0"); }

QuantSpec q4_0() {
  QuantSpec q = quant("Q4_0", "Q4_0");
  q.roles[static_cast<std::size_t>(Role::output)] = one("Q6_K");
  return q;
}

Device cpu_device(double read_gbps, double gflops, double memory_bytes) {
  Device d;
  d.kind = DeviceKind::cpu;
  d.name = "test CPU";
  d.read_gbps = {read_gbps, "test"};
  d.compute_gflops = {gflops, "test"};
  d.memory_bytes = {memory_bytes, "test"};
  d.power_w = {100, "test"};
  d.cpu_repack = SimdLevel::avx512;
  return d;
}

Machine cpu_machine(double read_gbps, double gflops, double memory_bytes) {
  Machine m;
  m.name = "test machine";
  m.devices.push_back(cpu_device(read_gbps, gflops, memory_bytes));
  return m;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(memory)

BOOST_AUTO_TEST_CASE(one_block_format_table_serves_gguf_ids_kernels_and_the_estimator) {
  // GGUF ids: ggml.h's enum; retired ids name nothing.
  BOOST_TEST(ggml_block_format(12)->name == "Q4_K");
  BOOST_TEST(ggml_block_format(40)->block_elements == 64);
  BOOST_TEST(ggml_block_format(40)->block_bytes == 36);
  for (int retired : {4, 5, 31, 32, 33, 36, 37, 38}) BOOST_TEST(!ggml_block_format(retired), retired);
  BOOST_TEST(!ggml_block_format(kNotGgml));
  // The calibration kernels' names find their formats.
  BOOST_TEST(kernel_block_format("Q4_K")->block_bytes == 144);
  BOOST_TEST(!kernel_block_format(""));
  // The estimator models a subset; a stored type outside it is found by no name.
  BOOST_TEST(find_block_format("NVFP4")->bits_per_weight() == 4.5);
  BOOST_TEST(!find_block_format("Q8_K"));
  BOOST_TEST(ggml_block_format(15)->name == "Q8_K");
  // Sub-block scales or a lookup grid to unpack (Metal's decode bound): K-quants, IQ, MXFP4.
  for (const char* f : {"Q4_K", "Q6_K", "IQ4_XS", "IQ4_NL", "MXFP4"}) BOOST_TEST(find_block_format(f)->unpacks_scales(), f);
  for (const char* f : {"F16", "Q4_0", "Q8_0", "MLX4"}) BOOST_TEST(!find_block_format(f)->unpacks_scales(), f);
  std::set<std::string_view> names;
  for (const auto& f : kBlockFormats) BOOST_TEST(names.insert(f.name).second, f.name);
  for (const auto& f : block_formats()) BOOST_TEST(f.modelled, f.name);
  BOOST_TEST(block_formats().front().name == "F32");
}

BOOST_AUTO_TEST_CASE(parameter_count_of_llama_3_1_8b_matches_its_tensors) {
  // local-llamacpp.csv n_params = 8,030,261,248 (the GGUF's element count).
  BOOST_TEST(computed_params(llama_3_1_8b()) == 8030261248.0, boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(kv_cache_of_llama_3_1_8b_at_8k_is_one_gib) {
  // 32 layers x 8192 tokens x 2 (K, V) x 8 KV heads x 128 dims x 2 B = 1 GiB.
  BOOST_TEST(kv_cache_bytes(llama_3_1_8b(), 8192, KvType::f16) == kGiB);
  // q8_0 stores 34 B per 32 elements: 1 GiB x 34/64.
  BOOST_TEST(kv_cache_bytes(llama_3_1_8b(), 8192, KvType::q8_0) == kGiB * 34 / 64);
}

BOOST_AUTO_TEST_CASE(sliding_window_layers_hold_only_their_window) {
  // Gemma 3 27B: 62 layers, every 6th global -> 10 global, 52 local with a 1024 window;
  // 16 KV heads x (128 + 128). At 32768: (10 x 32768 + 52 x 1024) x 4096 x 2 B = 3,120,562,176 B.
  ModelSpec g;
  g.layers = 62, g.hidden = 5376, g.heads = 32, g.kv_heads = 16, g.head_dim = 128, g.v_head_dim = 128;
  g.sliding_window = 1024, g.sliding_window_pattern = 6;
  BOOST_TEST(kv_cache_bytes(g, 32768, KvType::f16) == 3120562176.0);
}

BOOST_AUTO_TEST_CASE(recurrent_layers_hold_a_fixed_state_not_a_kv_cache) {
  // Qwen3.5-35B-A3B: 40 layers, 30 Gated DeltaNet and 10 full attention (2 KV heads x 256).
  // KV at 32768: 10 x 32768 x 2 x 2 x 256 x 2 B = 671,088,640 B. State: 30 layers x (24576 +
  // 524288) f32 = 65,863,680 B per sequence, at any length. (llama.cpp de3ff81 loading the 4B
  // shape, 24 such layers: "RS buffer size = 50.25 MiB ... R (f32): 2.25 MiB, S (f32): 48.00 MiB".)
  ModelSpec q;
  q.layers = 40, q.hidden = 2048, q.heads = 16, q.kv_heads = 2, q.head_dim = 256, q.v_head_dim = 256;
  q.vocab = 248320, q.context_max = 262144, q.attn_output_gate = true;
  q.experts = 256, q.experts_active = 8, q.shared_experts = 1, q.expert_ffn = 512;
  q.recurrent_kind = RecurrentKind::gated_delta_net;
  q.recurrent_layers = 30, q.recurrent_in_proj = 12352, q.recurrent_out_proj = 4096, q.recurrent_state = 548864;
  BOOST_TEST(kv_cache_bytes(q, 32768, KvType::f16) == 671088640.0);
  BOOST_TEST(recurrent_state_bytes(q) == 65863680.0);
  // Its parameters: 34,660,610,688 in the released language model (safetensors headers, without
  // the vision tower and the MTP layer), within 0.01% (conv1d weights and small vectors not counted).
  BOOST_TEST(computed_params(q) == 34660610688.0, boost::test_tools::tolerance(1e-4));
  // Memory holds the state once per sequence; each decoded token reads and writes it.
  TestWorkload w;
  w.context_tokens = 32768, w.depth_tokens = 4096;
  const Machine m = cpu_machine(100, 1000, 256 * kGiB);
  const auto e = estimate(q, q8_0(), m, w);
  BOOST_TEST(e.memory.kv_cache_bytes == 671088640.0 + 65863680.0);
  // A quantized KV cache shrinks the attention layers' cache, not the f32 state.
  w.kv_type = KvType::q8_0;
  BOOST_TEST(estimate(q, q8_0(), m, w).memory.kv_cache_bytes == 671088640.0 * 34 / 64 + 65863680.0);
  w.kv_type = KvType::f16;
  BOOST_TEST(e.bytes_per_token == weight_bytes_per_token(q, q8_0()) + kv_cache_bytes(q, 4096, KvType::f16) +
                                      2 * 65863680.0);
  // On a CPU llama.cpp spends 0.8 ms more on each Gated DeltaNet layer (speed.cpp, measured), and
  // nothing more on a Mamba2 layer (one fused scan).
  BOOST_TEST(1 / e.decode_tps - e.bytes_per_token / 100e9 == 30 * 800e-6, boost::test_tools::tolerance(1e-6));
  q.recurrent_kind = RecurrentKind::mamba2;
  const auto mamba = estimate(q, q8_0(), m, w);
  BOOST_TEST(1 / mamba.decode_tps == mamba.bytes_per_token / 100e9, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(mla_caches_the_latent_not_the_heads) {
  // DeepSeek-V3: 61 layers x (512 latent + 64 rope) x 2 B = 70,272 B per token; 4096 tokens.
  ModelSpec d;
  d.layers = 61, d.heads = 128, d.kv_heads = 128, d.head_dim = 192, d.v_head_dim = 128;
  d.kv_lora_rank = 512, d.qk_rope_head_dim = 64;
  BOOST_TEST(kv_cache_bytes(d, 4096, KvType::f16) == 61.0 * 576 * 2 * 4096);
}

BOOST_AUTO_TEST_CASE(quantized_weights_match_real_gguf_files) {
  // local-llamacpp.csv file_bytes (the header adds a few MB, well inside the tolerance).
  const auto m = llama_3_1_8b();
  BOOST_TEST(weight_bytes(m, q4_k_m()) == 4916393984.0, boost::test_tools::tolerance(0.01));
  BOOST_TEST(weight_bytes(m, q8_0()) == 8536430592.0, boost::test_tools::tolerance(0.01));
  BOOST_TEST(weight_bytes(m, q4_0()) == 4656871424.0, boost::test_tools::tolerance(0.01));
  BOOST_TEST(weight_bytes(tinyllama(), q4_k_m()) == 667942400.0, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(cpu_repack_copies_the_q4_matmul_weights) {
  // local-memory.csv: 8B Q4_K_M repack_MiB = 3204.0; 8B Q8_0 = 0.
  BOOST_TEST(cpu_repack_bytes(llama_3_1_8b(), q4_k_m(), SimdLevel::avx512) / kMiB == 3204.0,
             boost::test_tools::tolerance(0.005));
  BOOST_TEST(cpu_repack_bytes(llama_3_1_8b(), q8_0(), SimdLevel::avx512) == 0.0);
  BOOST_TEST(cpu_repack_bytes(llama_3_1_8b(), q4_k_m(), SimdLevel::none) == 0.0);  // Arm, or no AVX2
}

BOOST_AUTO_TEST_CASE(cpu_repack_follows_the_simd_level) {
  // repack.cpp: MXFP4 (gpt-oss's experts) repacks from AVX2, Q2_K only on AVX-512. Every matmul
  // weight of these one-format quants (all but token_embd and the F32 norms) is repacked.
  const auto m = llama_3_1_8b();
  const QuantSpec q2 = quant("Q2_K", "Q2_K"), mx = quant("MXFP4", "MXFP4");
  const double matmul_params = computed_params(m) - 128256.0 * 4096 - 4096.0 * 65;
  BOOST_TEST(cpu_repack_bytes(m, q2, SimdLevel::avx2) == 0.0);
  BOOST_TEST(cpu_repack_bytes(m, q2, SimdLevel::avx512) == matmul_params * 84 / 256,
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(cpu_repack_bytes(m, mx, SimdLevel::avx2) == matmul_params * 17 / 32,
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(compute_buffer_follows_vocab_and_hidden) {
  // local-memory.csv compute_MiB: 8B 266.5, TinyLlama 70.5, qwen3moe 304.75.
  TestWorkload w;
  w.context_tokens = 4096;
  const Device d = cpu_device(30, 300, 24 * kGiB);
  BOOST_TEST(memory_need(llama_3_1_8b(), q8_0(), w, d).compute_bytes / kMiB == 266.5);
  BOOST_TEST(memory_need(tinyllama(), q8_0(), w, d).compute_bytes / kMiB == 70.5);
  BOOST_TEST(memory_need(small_moe(), q8_0(), w, d).compute_bytes / kMiB == 304.75);
}

BOOST_AUTO_TEST_CASE(peak_memory_of_a_repacked_model_matches_llama_cpp) {
  // local-memory.csv 8B Q4_K_M ctx 4096: peak RSS 8415.9 MiB (file + repack + KV + the part of
  // the compute buffer that is written: its 512 x 128256 f32 logits rows, 250.5 MiB, are not).
  TestWorkload w;
  w.context_tokens = 4096;
  const auto n = memory_need(llama_3_1_8b(), q4_k_m(), w, cpu_device(30, 300, 24 * kGiB));
  BOOST_TEST(n.peak_bytes / kMiB == 8415.9, boost::test_tools::tolerance(0.005));
  BOOST_TEST((n.total_bytes + n.repack_bytes - n.peak_bytes) / kMiB == 250.5);
  BOOST_TEST(n.kv_cache_bytes / kMiB == 512.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(speed)

BOOST_AUTO_TEST_CASE(moe_decode_reads_only_the_active_experts) {
  // local-notes.md bytes read per token: qwen3moe Q4_K_M 0.924 GB, Q8_0 1.516 GB (of 4.5 and
  // 7.8 GB files): non-expert weights + 8/64 of the expert weights.
  const auto m = small_moe();
  BOOST_TEST(weight_bytes_per_token(m, q4_k_m()) / 1e9 == 0.924, boost::test_tools::tolerance(0.03));
  BOOST_TEST(weight_bytes_per_token(m, q8_0()) / 1e9 == 1.516, boost::test_tools::tolerance(0.03));
  BOOST_TEST(weight_bytes(m, q8_0()) / 1e9 == 7.840, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(decode_is_bandwidth_over_bytes_per_token) {
  // 8B Q4_K_M reads 4.617 GB per token (local-notes.md: all but token_embd); at 33 GB/s that is
  // 7.15 tok/s. llama-bench measured 6.86 on this kind of machine.
  TestWorkload w;
  const auto e = estimate(llama_3_1_8b(), q4_k_m(), cpu_machine(33, 300, 24 * kGiB), w);
  BOOST_TEST(e.bytes_per_token / 1e9 == 4.617, boost::test_tools::tolerance(0.01));
  BOOST_TEST(e.decode_tps == 7.15, boost::test_tools::tolerance(0.01));
  BOOST_TEST(e.decode_tps == 6.86, boost::test_tools::tolerance(0.10));
  BOOST_TEST(e.fits);
}

BOOST_AUTO_TEST_CASE(kv_read_slows_decode_at_depth) {
  TestWorkload w;
  w.depth_tokens = 8192;  // + 1 GiB of KV per token
  const auto e = estimate(llama_3_1_8b(), q4_k_m(), cpu_machine(33, 300, 24 * kGiB), w);
  BOOST_TEST(e.bytes_per_token == weight_bytes_per_token(llama_3_1_8b(), q4_k_m()) + kGiB);
}

BOOST_AUTO_TEST_CASE(prefill_is_compute_over_flops_per_token) {
  // 2 x 6,979,588,096 matmul params per prompt token (8.03B less the 525M embedding, gathered,
  // and the 525M output matrix, which llama.cpp applies to the last prompt token only) +
  // attention at a mean position of 256: 2 x 32 heads x 256 dims x 32 layers x 256 = 134,217,728
  // FLOPs. 300 GFLOP/s / 14.093e9 FLOP = 21.29 tok/s. Q8_0 goes through tinyBLAS at the compute
  // rate throughout (Q4_K_M's Q6_K tensors would take the dot-product path, speed.cpp).
  TestWorkload w;
  w.prompt_tokens = 512;
  const auto e = estimate(llama_3_1_8b(), q8_0(), cpu_machine(33, 300, 24 * kGiB), w);
  const double flops = 2.0 * (8030261248.0 - 2 * 128256.0 * 4096) + 134217728.0;
  BOOST_TEST(e.prefill_tps == 300e9 / flops, boost::test_tools::tolerance(1e-3));
  BOOST_TEST(e.time_to_first_token_s == 512 / e.prefill_tps, boost::test_tools::tolerance(1e-9));
  // After 2048 cached tokens every prompt token attends over 2048 more positions.
  w.depth_tokens = 2048;
  const auto deep = estimate(llama_3_1_8b(), q8_0(), cpu_machine(33, 300, 24 * kGiB), w);
  BOOST_TEST(300e9 / deep.prefill_tps == flops + 2.0 * 32 * 256 * 32 * 2048, boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(an_moes_routed_experts_prefill_at_the_dot_product_rate) {
  // ggml-cpu's MUL_MAT_ID goes one dot product per row and token: the routed experts' FLOPs run
  // at the calibration's in-cache Q8_0 rate (100 GFLOP/s here), the rest at the compute rate
  // (Q8_0 has tinyBLAS there: 300 GFLOP/s).
  Machine m = cpu_machine(33, 300, 24 * kGiB);
  DeviceCalibration dc;
  dc.threads = 2;
  dc.gemm = {{"Q8_0", 2, 0, 100, 0}};
  m.devices[0].measured = dc;
  const ModelSpec moe = small_moe();
  TestWorkload w;
  Slice experts, rest;
  experts.dense = experts.output = experts.embedding = false;
  rest.routed = rest.output = false;
  double expert_params = 0, other_params = 0;
  for (const auto& l : slice_load(moe, q8_0(), experts, true)) expert_params += l.params;
  for (const auto& l : slice_load(moe, q8_0(), rest, true)) other_params += l.params;
  const auto e = estimate(moe, q8_0(), m, w);
  // Attention at a mean position of 256: 2 x 32 heads x (128 + 128) x 16 layers x 256.
  const double attention = 2.0 * 32 * 256 * 16 * 256;
  BOOST_TEST(1 / e.prefill_tps == 2 * expert_params / 100e9 + (2 * other_params + attention) / 300e9,
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_model_larger_than_memory_does_not_fit) {
  TestWorkload w;
  const auto e = estimate(llama_3_1_8b(), q8_0(), cpu_machine(33, 300, 8 * kGiB), w);
  BOOST_TEST(!e.fits);
  BOOST_TEST(e.headroom < 0.0);
  BOOST_TEST(e.max_context == 0);
}

BOOST_AUTO_TEST_CASE(largest_context_fills_the_memory_left) {
  // 16 GiB x 0.9 usable - weights - compute - overhead, over 128 KiB of f16 KV per token.
  TestWorkload w;
  const Machine m = cpu_machine(33, 300, 16 * kGiB);
  const auto e = estimate(llama_3_1_8b(), q4_k_m(), m, w);
  const double fixed = e.memory.weights_bytes + e.memory.compute_bytes + e.memory.overhead_bytes;
  const double expected = std::floor((16 * kGiB * 0.9 - fixed) / (32.0 * 2 * 8 * 128 * 2));
  BOOST_TEST(double(e.max_context) == expected);
}

BOOST_AUTO_TEST_CASE(a_model_too_big_for_the_gpu_puts_its_first_layers_there) {
  // Llama-3.1-8B at Q8_0 (7.95 GiB) with a 6 GiB GPU (900 GB/s, no per-layer overhead) and a CPU
  // (30 GB/s). One layer: 218,112,000 weights x 34/32 B + 8,192 F32 norm weights x 4 B =
  // 231,776,768 B, plus 32 MiB of f16 KV at 8192 tokens = 253.04 MiB. The GPU keeps 5% of its
  // VRAM free and holds the compute buffer (266.5 MiB) and the runtime overhead (400 MiB + 0.49 MiB
  // logits): (6144 x 0.95 - 266.5 - 400.49) / 253.04 = 20.4 -> 20 layers (llama.cpp -ngl 20).
  Machine m = cpu_machine(30, 300, 64 * kGiB);
  Device gpu = cpu_device(900, 50000, 6 * kGiB);
  gpu.kind = DeviceKind::gpu, gpu.backend = Backend::cuda, gpu.name = "test GPU";
  m.devices.push_back(gpu);
  const auto e = estimate(llama_3_1_8b(), q8_0(), m, TestWorkload{});
  BOOST_TEST(to_string(e.placement.kind) == "partial_offload");
  BOOST_TEST(e.placement.gpu_layers == 20);
  BOOST_REQUIRE(e.host_memory.has_value());
  BOOST_TEST(e.fits);
  // Decode: 20 layers from VRAM, 12 layers and the output matrix (525,336,576 x 34/32 B) from RAM.
  const double layer = 231776768.0, output = 525336576.0 * 34 / 32;
  const double expected = 1 / (20 * layer / 900e9 + (12 * layer + output) / 30e9);
  BOOST_TEST(e.decode_tps == expected, boost::test_tools::tolerance(2e-3));
}

BOOST_AUTO_TEST_CASE(an_moe_too_big_for_the_gpu_keeps_its_experts_in_ram) {
  // qwen3moe-16L-64x8 at Q8_0 (7.3 GiB; its routed experts are 6.4 GiB of it, 0.4 a layer) with
  // a 4 GiB GPU: attention and the output matrix on the GPU with the experts of as many layers as
  // fit beside them (llama.cpp --n-cpu-moe), the rest in RAM; a token reads 8/64 of those.
  Machine m = cpu_machine(30, 300, 64 * kGiB);
  Device gpu = cpu_device(900, 50000, 4 * kGiB);
  gpu.kind = DeviceKind::gpu, gpu.backend = Backend::cuda, gpu.name = "test GPU";
  m.devices.push_back(gpu);
  TestWorkload w;
  w.context_tokens = 4096;
  const auto e = estimate(small_moe(), q8_0(), m, w);
  BOOST_TEST(to_string(e.placement.kind) == "experts_on_cpu");
  // 16 layers x 64 experts x 3 x 2048 x 1024 weights x 34/32 B, of which a token reads 8/64.
  const double experts = 16.0 * 64 * 3 * 2048 * 1024 * 34 / 32;
  const int on_gpu = e.placement.gpu_layers;
  BOOST_TEST((on_gpu > 0 && on_gpu < 16), on_gpu);
  BOOST_TEST(e.host_bytes_per_token == experts / 8 * (16 - on_gpu) / 16, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.launch.find("--n-cpu-moe " + std::to_string(16 - on_gpu)) != std::string::npos, e.launch);
  // One more layer's experts would not fit; twice the memory holds more of them.
  Placement more = e.placement;
  more.gpu_layers = on_gpu + 1;
  BOOST_TEST(!estimate(small_moe(), q8_0(), m, w, more).fits);
  m.devices[1].memory_bytes.value = 12 * kGiB;
  BOOST_TEST(estimate(small_moe(), q8_0(), m, w).placement.kind == PlacementKind::all_gpu);  // all of it fits
  m.devices[1].memory_bytes.value = 6 * kGiB;
  BOOST_TEST(estimate(small_moe(), q8_0(), m, w).placement.gpu_layers > on_gpu);
}

BOOST_AUTO_TEST_CASE(a_probed_gpu_takes_its_figures_from_the_catalog_entry_with_its_pci_ids) {
  // An RTX 4090 seen through Vulkan (10de:2684, 23 GiB of budget): bandwidth 1008 GB/s x the
  // CUDA decode efficiency (the backend its users run), memory as probed.
  Catalog c;
  HardwareSpec hw;
  hw.id = "rtx-4090", hw.name = "NVIDIA GeForce RTX 4090", hw.kind = HardwareKind::gpu, hw.backend = Backend::cuda;
  hw.memory_gib = 24, hw.memory_bandwidth_gbps = 1008, hw.fp16_tflops = 330.3, hw.tdp_w = 450;
  hw.pci_vendor_id = 0x10de, hw.pci_device_id = 0x2684;
  c.hardware = {hw};
  Machine m = cpu_machine(33, 300, 24 * kGiB);
  Device gpu;
  gpu.kind = DeviceKind::gpu, gpu.name = "NVIDIA GeForce RTX 4090", gpu.backend = Backend::vulkan;
  gpu.pci_vendor_id = 0x10de, gpu.pci_device_id = 0x2684, gpu.memory_bytes = {23 * kGiB, "Vulkan"};
  Device unknown = gpu;
  unknown.name = "Some Future GPU", unknown.pci_device_id = 0x9999;
  m.devices = {m.devices[0], gpu, unknown};
  const Machine matched = with_catalog_gpus(m, c);
  // The entry gives no SM count and clock: the efficiency fitted without them, and its bands.
  BOOST_TEST(matched.devices[1].read_gbps.value == 1008 * decode_efficiency(Backend::cuda, false));
  BOOST_TEST(matched.devices[1].units_unknown);
  BOOST_TEST(matched.devices[1].backend == Backend::cuda);
  BOOST_TEST(matched.devices[1].memory_bytes.value == 23 * kGiB);
  BOOST_TEST(!matched.devices[2].read_gbps.known());  // unknown: no figure invented
  // And the estimate puts a model that fits on the matched GPU, never on the unknown one.
  const auto e = estimate(llama_3_1_8b(), q4_k_m(), matched, TestWorkload{});
  BOOST_TEST(e.placement.device == 1u);
}

namespace {
/// A 64 GB Mac with 400 GB/s, as a catalog entry.
HardwareSpec mac_64gb() {
  HardwareSpec hw;
  hw.id = "mac";
  hw.name = "Mac";
  hw.kind = HardwareKind::apple;
  hw.backend = Backend::metal;
  hw.memory_gib = 64, hw.memory_bandwidth_gbps = 400, hw.fp16_tflops = 10, hw.tdp_w = 100;
  return hw;
}
}  // namespace

BOOST_AUTO_TEST_CASE(apple_gpu_wires_three_quarters_by_default_and_ram_less_8_gib_raised) {
  // 64 GiB Mac: Metal's default wired limit is 3/4, 48 GiB; owners raise it, planned at 64 - 8 =
  // 56 GiB = 57344 MiB with `sudo sysctl iogpu.wired_limit_mb=57344`.
  const Machine m = machine_from_hardware(mac_64gb());
  BOOST_REQUIRE_EQUAL(m.devices.size(), 1u);  // one pool, never counted twice
  BOOST_TEST(m.devices[0].memory_bytes.value == 56 * kGiB);
  BOOST_REQUIRE(m.devices[0].raised_limit.has_value());
  BOOST_TEST(m.devices[0].raised_limit->default_bytes == 48 * kGiB);
  BOOST_TEST(m.devices[0].raised_limit->setting == "sudo sysctl iogpu.wired_limit_mb=57344");
  BOOST_TEST(m.devices[0].read_gbps.value == 400 * decode_efficiency(Backend::metal));
  // A 16 GiB Mac: 16 - 8 = 8 GiB is below its default 2/3 (10.7 GiB): left at the default.
  HardwareSpec small = mac_64gb();
  small.memory_gib = 16;
  const Machine air = machine_from_hardware(small);
  BOOST_TEST(air.devices[0].memory_bytes.value == 16 * kGiB * 2 / 3, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(!air.devices[0].raised_limit.has_value());
}

BOOST_AUTO_TEST_CASE(strix_halo_is_planned_at_the_raised_gtt_share) {
  // 128 GiB Ryzen AI Max: Linux's default GTT is half, 64 GiB (the catalog's 0.5); raised to 7/8,
  // 112 GiB = 29360128 pages of 4 KiB = 114688 MiB.
  HardwareSpec hw;
  hw.id = "ryzen-ai-max-395-128gb", hw.name = "Strix Halo", hw.kind = HardwareKind::apu, hw.arch = "rdna3.5";
  hw.backend = Backend::vulkan, hw.backends = {Backend::vulkan};
  hw.memory_gib = 128, hw.memory_bandwidth_gbps = 256, hw.fp16_tflops = 59.4, hw.tdp_w = 120;
  hw.unified_memory = true, hw.gpu_memory_fraction = 0.5;
  const Machine m = machine_from_hardware(hw);
  BOOST_TEST(m.devices[0].memory_bytes.value == 112 * kGiB);
  BOOST_REQUIRE(m.devices[0].raised_limit.has_value());
  BOOST_TEST(m.devices[0].raised_limit->default_bytes == 64 * kGiB);
  BOOST_TEST(m.devices[0].raised_limit->setting.find("ttm.pages_limit=29360128") != std::string::npos);
  BOOST_TEST(m.devices[0].raised_limit->setting.find("amdgpu.gttsize=114688") != std::string::npos);
  // DGX Spark (CUDA sees 0.95 of its memory, measured) is not raised.
  hw.arch = "blackwell", hw.gpu_memory_fraction = 0.95;
  BOOST_TEST(!machine_from_hardware(hw).devices[0].raised_limit.has_value());
}

BOOST_AUTO_TEST_CASE(mlx_pays_its_own_cost_per_layer_on_a_mac) {
  // A Mac's Metal device: llama.cpp's GGUF pays Metal's per-layer overhead, MLX 135 us (fitted on
  // bench/published_mlx.csv), both on top of the bytes at the same bandwidth.
  const Machine mac = machine_from_hardware(mac_64gb());
  QuantSpec mlx4 = quant("MLX-4bit", "MLX4");
  mlx4.format = QuantFormat::mlx;
  mlx4.backends = {Backend::metal};
  const ModelSpec m = llama_3_1_8b();
  const double gbps = mac.devices[0].read_gbps.value * 1e9;
  auto overhead_s = [&](const QuantSpec& q) {
    return 1 / estimate(m, q, mac, TestWorkload{}).decode_tps - weight_bytes_per_token(m, q) / gbps;
  };
  BOOST_TEST(overhead_s(q4_0()) == 32 * decode_overhead_s_per_layer(Backend::metal), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(overhead_s(mlx4) == 32 * 135e-6, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(metal_unpacks_k_quant_scales_at_the_gpus_flops) {
  // A Mac of 10 TFLOPS over 400 GB/s: Q4_0 decodes at its bytes' pace; Q4_K_M's weights cost 32
  // FLOPs each to unpack (speed.cpp kMetalUnpackFlopsPerWeight), which outlasts their read and
  // sets the pace; a GPU typed without its FLOPs has no such bound.
  const Machine mac = machine_from_hardware(mac_64gb());
  const ModelSpec m = llama_3_1_8b();
  const Estimate k = estimate(m, q4_k_m(), mac, TestWorkload{});
  const PoolSeconds& p = k.pools.at(0);
  BOOST_TEST(p.unpack_weights > 7e9);
  BOOST_TEST(p.unpack_weights < 8.1e9);
  BOOST_TEST(p.unpack_s == p.unpack_weights * 32 / 10e12, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(p.unpack_s > p.weight_s);
  BOOST_TEST(1 / k.decode_tps == p.unpack_s + p.kv_s + p.overhead_s, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(k.bottleneck.find("unpacking") != std::string::npos);
  // Q4_0's file keeps its output matrix in Q6_K: those 0.53 G weights alone are unpacked.
  const PoolSeconds q4 = estimate(m, q4_0(), mac, TestWorkload{}).pools.at(0);
  BOOST_TEST(q4.unpack_weights == 128256.0 * 4096, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(q4.unpack_s < q4.weight_s);
  HardwareSpec typed = mac_64gb();
  typed.fp16_tflops = 0;
  const Estimate u = estimate(m, q4_k_m(), machine_from_hardware(typed), TestWorkload{});
  BOOST_TEST(u.pools.at(0).unpack_s == 0);
  BOOST_TEST(u.decode_tps > k.decode_tps);
}

BOOST_AUTO_TEST_CASE(no_backend_reads_faster_than_the_memory_sustains) {
  // An APU's LPDDR5X: 256 GB/s on the datasheet; a sustained figure below the datasheet x Vulkan's
  // efficiency (fitted mostly on discrete GPUs) caps decode, one above it does not.
  HardwareSpec hw;
  hw.id = "test-apu", hw.name = "Test APU", hw.kind = HardwareKind::apu, hw.backend = Backend::vulkan;
  hw.memory_gib = 128, hw.memory_bandwidth_gbps = 256, hw.fp16_tflops = 59, hw.tdp_w = 120;
  BOOST_TEST(machine_from_hardware(hw).devices[0].read_gbps.value == 256 * decode_efficiency(Backend::vulkan));
  hw.measured_bandwidth_gbps = 180, hw.measured_bandwidth_source = "test";
  BOOST_TEST(machine_from_hardware(hw).devices[0].read_gbps.value == 180);
  hw.measured_bandwidth_gbps = 300;  // above the datasheet x efficiency: the efficiency's figure stays
  BOOST_TEST(machine_from_hardware(hw).devices[0].read_gbps.value == 256 * decode_efficiency(Backend::vulkan));
}

BOOST_AUTO_TEST_CASE(a_calibration_replaces_the_estimates_with_measurements) {
  // Measured streaming read 32 GB/s: weights stream at the lower of it and their format's
  // measured rate, and llama.cpp spends 93% of its decode in those kernels (speed.cpp).
  Machine m = cpu_machine(33, 300, 24 * kGiB);
  Calibration c;
  c.measured_at = "2026-11-27T00:00:00Z";
  DeviceCalibration dc;
  dc.threads = 2;
  dc.read_gbps = 32;
  dc.gemv = {{"Q3_K", 2, 10, 20, 0}, {"Q4_0", 2, 12, 26, 0}, {"Q4_K", 2, 30, 40, 0}, {"Q8_0", 2, 40, 40, 0}};
  c.devices = {dc};
  m = with_calibration(m, c);
  BOOST_TEST(m.devices[0].read_gbps.value == 32);
  BOOST_TEST(m.devices[0].read_gbps.source.find("measured") == 0u);

  TestWorkload w;
  // A Q3_K-only quant is dequantization-bound at its measured 10 GB/s (its 266k F32 norm
  // weights stream at the read rate: 1 MB of 3.45 GB, inside the 1e-3 tolerance).
  const QuantSpec q3 = quant("Q3_K", "Q3_K");
  const auto e3 = estimate(llama_3_1_8b(), q3, m, w);
  BOOST_TEST(e3.decode_tps == 0.93 * 10e9 / weight_bytes_per_token(llama_3_1_8b(), q3), boost::test_tools::tolerance(1e-3));
  BOOST_TEST(e3.bottleneck.find("dequantization") == 0u, e3.bottleneck);
  // Q8_0's dot product measured faster than the plain read: the read sets the pace.
  const auto e8 = estimate(llama_3_1_8b(), q8_0(), m, w);
  BOOST_TEST(e8.decode_tps == 0.93 * 32e9 / weight_bytes_per_token(llama_3_1_8b(), q8_0()), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e8.bottleneck.find("memory bandwidth") == 0u, e8.bottleneck);
  // Q4_0 and Q4_K are repacked by llama.cpp on this CPU: both decode at the repacked GEMV's
  // measured rate (the calibration's Q4_0 kernel), not at a plain Q4_K row kernel's.
  for (const char* f : {"Q4_0", "Q4_K"}) {
    const QuantSpec q4 = quant(f, f);
    const auto e4 = estimate(llama_3_1_8b(), q4, m, w);
    BOOST_TEST_CONTEXT(f) {
      BOOST_TEST(e4.decode_tps == 0.93 * 12e9 / weight_bytes_per_token(llama_3_1_8b(), q4),
                 boost::test_tools::tolerance(1e-3));
    }
  }
}

BOOST_AUTO_TEST_CASE(a_prompt_multiplies_q8_0_at_the_measured_tinyblas_rate) {
  // llama.cpp's CPU prefill takes Q8_0 matrices through tinyBLAS's 4 x 4 tiles: with that rate
  // measured (200 GFLOP/s), the 8B's weights go at it, not at the compute rate (300) nor at the
  // per-row dot product (100).
  Machine m = cpu_machine(30, 300, 24 * kGiB);
  DeviceCalibration dc;
  dc.threads = 2, dc.read_gbps = 30;
  dc.gemm = {{"Q8_0", 2, 0, 100, 0}};
  dc.tinyblas = {{"Q8_0", 2, 0, 200, 0}};
  Calibration c;
  c.devices = {dc};
  m = with_calibration(m, c);
  TestWorkload w;
  w.prompt_tokens = 1;
  Slice prompt;
  prompt.output = false;  // a prompt's tokens skip the output matrix
  double params = 0;
  for (const auto& l : slice_load(llama_3_1_8b(), q8_0(), prompt, true))
    if (l.format->name == "Q8_0") params += l.params;
  BOOST_TEST(1 / estimate(llama_3_1_8b(), q8_0(), m, w).prefill_tps == 2 * params / 200e9,
             boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(a_repacked_moe_prefills_its_experts_one_gemv_per_token) {
  // llama.cpp's repacked mul_mat_id runs its GEMV once per routed token: the experts of a Q4_0
  // MoE prefill at the calibration's in-cache repacked rate (the Q4_0 "gemm" entry, 150 GFLOP/s),
  // its attention and dense weights at the device's compute rate (300); a Q8_0 MoE's experts at
  // its in-cache dot product (100).
  Machine m = cpu_machine(30, 300, 24 * kGiB);
  DeviceCalibration dc;
  dc.threads = 2, dc.read_gbps = 30;
  dc.gemm = {{"Q4_0", 2, 0, 150, 0}, {"Q8_0", 2, 0, 100, 0}};
  Calibration c;
  c.devices = {dc};
  m = with_calibration(m, c);  // no FMA peak measured: the compute rate stays 300
  const ModelSpec moe = small_moe();
  TestWorkload w;
  w.prompt_tokens = 1;  // no attention arithmetic to speak of
  auto seconds = [&](const QuantSpec& q, double expert_gflops, double dense_gflops) {
    double routed = 0, dense = 0;
    Slice experts, rest;
    experts.dense = experts.embedding = experts.output = rest.routed = rest.output = false;
    for (const auto& l : slice_load(moe, q, experts, true)) routed += l.params;
    for (const auto& l : slice_load(moe, q, rest, true)) dense += l.params;
    return 2 * routed / (expert_gflops * 1e9) + 2 * dense / (dense_gflops * 1e9);
  };
  const QuantSpec q4 = quant("Q4_0", "Q4_0");
  BOOST_TEST(1 / estimate(moe, q4, m, w).prefill_tps == seconds(q4, 150, 300), boost::test_tools::tolerance(1e-3));
  BOOST_TEST(1 / estimate(moe, q8_0(), m, w).prefill_tps == seconds(q8_0(), 100, 300),
             boost::test_tools::tolerance(1e-3));
  // Uncalibrated, the repacked GEMV goes at 0.58 of the compute rate (speed.cpp,
  // kRepackedGemvOverCompute: 153 / 265 GFLOP/s measured on 2 Zen 4 threads).
  const Machine plain = cpu_machine(30, 300, 24 * kGiB);
  BOOST_TEST(1 / estimate(moe, q4, plain, w).prefill_tps == seconds(q4, 0.58 * 300, 300), boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(attention_at_depth_costs_its_measured_time_per_position) {
  // 10 ns per head-position at head_dim 64, 20 at 128; Llama 8B (head_dim 128, 32 heads, 32
  // layers) at depth 1000: 32 x 1000 x 32 x 20 ns = 20.48 ms, far more than reading its
  // 131 MB of KV at 30 GB/s (4.4 ms); the weights at 30 GB/s over the 93% of decode in kernels.
  Machine m = cpu_machine(30, 300, 24 * kGiB);
  DeviceCalibration dc;
  dc.threads = 2, dc.read_gbps = 30, dc.attention_ns_hd64 = 10, dc.attention_ns_hd128 = 20;
  Calibration c;
  c.devices = {dc};
  m = with_calibration(m, c);
  TestWorkload w;
  w.depth_tokens = 1000;
  const auto e = estimate(llama_3_1_8b(), q8_0(), m, w);
  const double weights_s = weight_bytes_per_token(llama_3_1_8b(), q8_0()) / 30e9 / 0.93;
  BOOST_TEST(1 / e.decode_tps == weights_s + 20.48e-3, boost::test_tools::tolerance(1e-6));
}

HardwareSpec cuda_card(double gbps, int sms, double mhz) {
  HardwareSpec hw;
  hw.id = "test-card", hw.name = "Test card", hw.kind = HardwareKind::gpu, hw.backend = Backend::cuda;
  hw.memory_gib = 80, hw.memory_bandwidth_gbps = gbps, hw.fp16_tflops = 756, hw.tdp_w = 350;
  hw.compute_units = sms, hw.boost_clock_mhz = mhz, hw.units_source = "test";
  return hw;
}

BOOST_AUTO_TEST_CASE(a_cuda_gpu_with_few_sms_for_its_memory_streams_at_its_sms_rate) {
  // H100 PCIe: 114 SMs x 1755 MHz x 5.25 B per SM and clock = 1050 GB/s, below 2000 x 0.832.
  const Device h100 = machine_from_hardware(cuda_card(2000, 114, 1755)).devices[0];
  BOOST_TEST(h100.read_gbps.value == 114 * 1755e6 * 5.25 / 1e9, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(h100.read_gbps.source.find("SMs") != std::string::npos);
  // RTX 4090: 128 x 2520 MHz x 5.25 = 1693 GB/s, above 1008 x 0.832: the memory decides.
  const Device rtx = machine_from_hardware(cuda_card(1008, 128, 2520)).devices[0];
  BOOST_TEST(rtx.read_gbps.value == 1008 * decode_efficiency(Backend::cuda), boost::test_tools::tolerance(1e-9));
  // Its prompt GEMM: 114 x 1.755 GHz x 475 FLOPs = 95 TFLOP/s, below 756 x 0.530.
  BOOST_TEST(h100.compute_gflops.value == 114 * 1.755 * 475, boost::test_tools::tolerance(1e-9));
  // No SM count: the datasheet figures alone, at the efficiency fitted with the units withheld.
  const Device bare = machine_from_hardware(cuda_card(2000, 0, 0)).devices[0];
  BOOST_TEST(bare.read_gbps.value == 2000 * decode_efficiency(Backend::cuda, false), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_cuda_gpu_typed_without_its_units_gets_the_constants_and_bands_fitted_without_them) {
  // An H100 PCIe as a user types it: 80 GB, 2000 GB/s, 756 TFLOPS FP16, no SM count or clock
  // (bench/check_accuracy.py, units withheld: decode 0.863 of the datasheet, 58 us a layer, 19 us
  // more an MoE layer; prefill 0.475 of the FP16 figure; machine.cpp, speed.cpp).
  const auto tol = boost::test_tools::tolerance(1e-9);
  const HardwareSpec bare_hw = cuda_card(2000, 0, 0);
  const Machine bare = machine_from_hardware(bare_hw);
  const Device& d = bare.devices[0];
  BOOST_TEST(d.units_unknown);
  BOOST_TEST(d.read_gbps.value == 2000 * 0.863, tol);
  BOOST_TEST(d.layer_overhead_s.value == 58e-6, tol);
  BOOST_TEST(d.compute_gflops.value == 756e3 * 0.475, tol);
  TestWorkload w;
  const Estimate e = estimate(llama_3_1_8b(), q4_0(), bare, w);
  BOOST_TEST(e.accuracy_class == AccuracyClass::gpu_dense_no_units);
  // Its 80% bands, from the withheld regime's LODO residuals of CUDA rows (accuracy.cpp):
  // x0.72-1.24 decode, x0.54-1.22 prefill.
  BOOST_TEST(e.decode_tps_range.low == e.decode_tps * 0.72, tol);
  BOOST_TEST(e.decode_tps_range.high == e.decode_tps * 1.24, tol);
  BOOST_TEST(e.prefill_tps_range.low == e.prefill_tps * 0.54, tol);
  BOOST_TEST(e.prefill_tps_range.high == e.prefill_tps * 1.22, tol);
  const Estimate moe = estimate(small_moe(), q8_0(), bare, w);
  BOOST_TEST(moe.accuracy_class == AccuracyClass::gpu_moe_no_units);
  BOOST_TEST(moe.pools.at(0).moe_layer_extra_s == 19e-6, tol);
  // With its units: the constants and the narrower band of the units given.
  const Machine given = machine_from_hardware(cuda_card(2000, 114, 1755));
  BOOST_TEST(!given.devices[0].units_unknown);
  BOOST_TEST(given.devices[0].layer_overhead_s.value == 41e-6, tol);
  const Estimate eg = estimate(llama_3_1_8b(), q4_0(), given, w);
  BOOST_TEST(eg.accuracy_class == AccuracyClass::gpu_dense);
  BOOST_TEST(eg.decode_tps_range.low / eg.decode_tps > 0.7);
  BOOST_TEST(estimate(small_moe(), q8_0(), given, w).pools.at(0).moe_layer_extra_s == 35e-6, tol);
  // Vulkan has no per-unit limit to lose: the plain class; an APU keeps its own class.
  HardwareSpec vk = bare_hw;
  vk.backend = Backend::vulkan;
  BOOST_TEST(!machine_from_hardware(vk).devices[0].units_unknown);
  BOOST_TEST(estimate(llama_3_1_8b(), q4_0(), machine_from_hardware(vk), w).accuracy_class == AccuracyClass::gpu_dense);
  HardwareSpec apu = bare_hw;
  apu.kind = HardwareKind::apu, apu.unified_memory = true;
  BOOST_TEST(estimate(llama_3_1_8b(), q4_0(), machine_from_hardware(apu), w).accuracy_class == AccuracyClass::apu);
}

HardwareSpec catalog_cpu(int cores, SimdLevel simd) {
  HardwareSpec hw;
  hw.id = "test-cpu", hw.name = "Test CPU", hw.kind = HardwareKind::cpu, hw.backend = Backend::cpu;
  hw.memory_gib = 256, hw.memory_bandwidth_gbps = 536.7, hw.cores = cores, hw.simd = simd;
  return hw;
}

BOOST_AUTO_TEST_CASE(an_uncalibrated_cpus_accuracy_class_follows_its_isa) {
  // Arm and x86 CPUs miss in different ways on the published corpus (Apple's cores stream 2-6x what
  // a server core does), so each has its own band (accuracy.cpp): an Arm entry is cpu-arm, an x86
  // one, or one whose ISA the catalog does not give, cpu.
  TestWorkload w;
  for (const auto& [simd, cls] : {std::pair{SimdLevel::neon, AccuracyClass::cpu_arm}, std::pair{SimdLevel::avx512, AccuracyClass::cpu},
                                  std::pair{SimdLevel::avx2, AccuracyClass::cpu}, std::pair{SimdLevel::none, AccuracyClass::cpu},
                                  std::pair{SimdLevel::unknown, AccuracyClass::cpu}})
    BOOST_TEST((estimate(llama_3_1_8b(), q4_0(), machine_from_hardware(catalog_cpu(16, simd)), w).accuracy_class == cls));
  BOOST_TEST(to_string(AccuracyClass::cpu_arm) == "cpu-arm");
}

BOOST_AUTO_TEST_CASE(a_catalog_cpu_streams_at_its_cores_rate_and_pays_its_threads_barriers) {
  // 16 Graviton4 cores (536.7 GB/s): min(536.7 x 0.655 = 351.5, 16 x 12.0 = 192) = 192 GB/s, and
  // each layer 16 threads x 4.07 us of barriers (machine.cpp kCpuSyncUsPerLayerThread).
  const Device d = machine_from_hardware(catalog_cpu(16, SimdLevel::neon)).devices[0];
  BOOST_TEST(d.read_gbps.value == 192.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(d.layer_overhead_s.value == 16 * 4.07e-6, boost::test_tools::tolerance(1e-9));
  // 64 cores: the memory decides (64 x 12 = 768 > 351.5), and the barriers cost 4x as much.
  const Device many = machine_from_hardware(catalog_cpu(64, SimdLevel::neon)).devices[0];
  BOOST_TEST(many.read_gbps.value == 536.7 * decode_efficiency(Backend::cpu), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(many.layer_overhead_s.value == 64 * 4.07e-6, boost::test_tools::tolerance(1e-9));
  // Decode of Llama 3.1 8B Q4_0 at depth 0 (Q4_0 repacked on Arm: at 192 GB/s; its Q6_K output
  // matrix and F32 norms through the one-row dot products at 16 x 7.0 = 112) + 32 layers x 65.12 us.
  TestWorkload w;
  const auto e = estimate(llama_3_1_8b(), q4_0(), machine_from_hardware(catalog_cpu(16, SimdLevel::neon)), w);
  double fast = 0, dot = 0;
  for (const auto& l : slice_load(llama_3_1_8b(), q4_0(), Slice{}, true)) (l.format->name == "Q4_0" ? fast : dot) += l.bytes;
  BOOST_TEST(1 / e.decode_tps == fast / 192e9 + dot / 112e9 + 32 * 16 * 4.07e-6, boost::test_tools::tolerance(1e-3));
  // No core count: neither the cap nor the barriers are known, and they are not taken as 0 cost
  // by a cap: the datasheet x efficiency alone, no overhead, no prefill rate.
  const Device bare = machine_from_hardware(catalog_cpu(0, SimdLevel::unknown)).devices[0];
  BOOST_TEST(bare.read_gbps.value == 536.7 * decode_efficiency(Backend::cpu), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(bare.gemv_dot_cap_gbps == 0);
  BOOST_TEST(!bare.compute_gflops.known());
}

BOOST_AUTO_TEST_CASE(a_catalog_cpu_decodes_unrepacked_formats_at_its_cores_dot_product_rate) {
  // machine.cpp kCpuDotGbpsPerCore 7.0: 16 cores stream a format llama.cpp does not repack at
  // 16 x 7 = 112 GB/s, below their 192 through the repacked GEMVs. Q6_K is one-row on both ISAs;
  // Q4_K is repacked on both (ggml-cpu/repack.cpp: AVX2 8x8, NEON dotprod 8x4).
  TestWorkload w;
  for (const SimdLevel simd : {SimdLevel::neon, SimdLevel::avx512}) {
    const Machine m = machine_from_hardware(catalog_cpu(16, simd));
    BOOST_TEST(m.devices[0].gemv_dot_cap_gbps == 112.0, boost::test_tools::tolerance(1e-9));
    const QuantSpec q6 = quant("Q6_K", "Q6_K"), q4 = quant("Q4_K", "Q4_K");
    const auto e6 = estimate(llama_3_1_8b(), q6, m, w);
    const auto e4 = estimate(llama_3_1_8b(), q4, m, w);
    const double sync = 32 * 16 * 4.07e-6;
    // F32 norms (1 MB of GBs) go the dot-product way too: inside the tolerance.
    BOOST_TEST(1 / e6.decode_tps == weight_bytes_per_token(llama_3_1_8b(), q6) / 112e9 + sync, boost::test_tools::tolerance(1e-3));
    BOOST_TEST(1 / e4.decode_tps == weight_bytes_per_token(llama_3_1_8b(), q4) / 192e9 + sync, boost::test_tools::tolerance(1e-3));
    BOOST_TEST(e6.bottleneck.find("dequantization") == 0u, e6.bottleneck);
    BOOST_TEST(e6.pools.at(0).dot_bytes > 0.99 * e6.pools.at(0).weight_bytes);
  }
  // Q8_0: repacked on neither; F16 likewise. A core without SIMD: 7 x 8 / 65.5 (an assumption).
  BOOST_TEST(machine_from_hardware(catalog_cpu(4, SimdLevel::none)).devices[0].gemv_dot_cap_gbps == 4 * 7.0 * 8 / 65.5,
             boost::test_tools::tolerance(1e-9));
  // Many cores: the memory binds both paths (64 x 7 = 448 > 351.5), the formats decode alike.
  const Machine big = machine_from_hardware(catalog_cpu(64, SimdLevel::neon));
  const double r6 = estimate(llama_3_1_8b(), quant("Q6_K", "Q6_K"), big, w).pools.at(0).weight_s /
                    weight_bytes_per_token(llama_3_1_8b(), quant("Q6_K", "Q6_K"));
  BOOST_TEST(1 / r6 == 536.7e9 * decode_efficiency(Backend::cpu), boost::test_tools::tolerance(1e-3));
  // A calibrated CPU has each format's rate measured: no dot-product cap on top of it.
  Machine cal = machine_from_hardware(catalog_cpu(16, SimdLevel::neon));
  Calibration c;
  DeviceCalibration dc;
  dc.threads = 16, dc.read_gbps = 200;
  dc.gemv = {{"Q6_K", 16, 150, 150, 0}};
  c.devices = {dc};
  cal = with_calibration(cal, c);
  BOOST_TEST(cal.devices[0].gemv_dot_cap_gbps == 0);
  const auto ec = estimate(llama_3_1_8b(), quant("Q6_K", "Q6_K"), cal, w);
  BOOST_TEST(ec.pools.at(0).dot_bytes == 0);
  BOOST_TEST(ec.pools.at(0).weight_s == weight_bytes_per_token(llama_3_1_8b(), quant("Q6_K", "Q6_K")) / 150e9,
             boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(a_catalog_cpu_with_its_clock_unpacks_at_its_clocks_rate_and_streams_as_without) {
  // machine.cpp kCpuDotGbpsPerCoreGhz 3.0: with a datasheet clock, a core's one-row dot products run
  // at 3.0 GB/s per GHz (16 Graviton4 cores at 2.8 GHz: 16 x 3.0 x 2.8 = 134.4 GB/s, where the
  // clockless figure is 16 x 7.0 = 112); the repacked GEMVs' streaming (kCpuDecodeGbpsPerCore, 12.0
  // a core) is bound by the misses in flight, not the clock, and stays 192.
  HardwareSpec hw = catalog_cpu(16, SimdLevel::neon);
  hw.boost_clock_mhz = 2800, hw.units_source = "test";
  const Machine m = machine_from_hardware(hw);
  BOOST_TEST(m.devices[0].gemv_dot_cap_gbps == 16 * 3.0 * 2.8, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(m.devices[0].read_gbps.value == 192.0, boost::test_tools::tolerance(1e-9));
  // Decode of Q6_K (one-row on Arm) follows the clock: at 134.4 GB/s, not the clockless 112.
  TestWorkload w;
  const QuantSpec q6 = quant("Q6_K", "Q6_K");
  const double sync = 32 * 16 * 4.07e-6;
  BOOST_TEST(1 / estimate(llama_3_1_8b(), q6, m, w).decode_tps ==
                 weight_bytes_per_token(llama_3_1_8b(), q6) / (16 * 3.0 * 2.8e9) + sync,
             boost::test_tools::tolerance(1e-3));
  // Repacked Q4_0 does not: at 5.6 GHz its weights (and its Q6_K output matrix, whose dot rate
  // 16 x 3.0 x 5.6 = 268.8 now passes the cap) stream at the cores' 192 GB/s, no faster.
  HardwareSpec fast = hw;
  fast.boost_clock_mhz = 5600;
  BOOST_TEST(estimate(llama_3_1_8b(), q4_0(), machine_from_hardware(fast), w).pools.at(0).weight_s ==
                 weight_bytes_per_token(llama_3_1_8b(), q4_0()) / 192e9,
             boost::test_tools::tolerance(1e-3));
  // Twice the clock, twice the dot rate, up to the streaming cap: Q6_K decodes at 192 GB/s too.
  BOOST_TEST(machine_from_hardware(fast).devices[0].gemv_dot_cap_gbps == 16 * 3.0 * 5.6, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(1 / estimate(llama_3_1_8b(), q6, machine_from_hardware(fast), w).decode_tps ==
                 weight_bytes_per_token(llama_3_1_8b(), q6) / 192e9 + sync,
             boost::test_tools::tolerance(1e-3));
  // A core without SIMD: the same scalar share of its clocked rate (3.0 x 2.8 x 8 / 65.5).
  HardwareSpec scalar = catalog_cpu(4, SimdLevel::none);
  scalar.boost_clock_mhz = 2800, scalar.units_source = "test";
  BOOST_TEST(machine_from_hardware(scalar).devices[0].gemv_dot_cap_gbps == 4 * 3.0 * 2.8 * 8 / 65.5,
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_catalog_cpu_with_longer_cache_lines_keeps_more_bytes_in_flight_a_core) {
  // machine.cpp kCpuRateLineBytes 64: 128-byte lines (Apple's M-series) double both per-core
  // rates. 8 cores: the repacked GEMVs' 8 x 12.0 = 96 GB/s becomes 192, the one-row dot products'
  // 8 x 7.0 = 56 becomes 112; 64-byte lines, stated or not, leave them.
  HardwareSpec hw = catalog_cpu(8, SimdLevel::neon);
  const Device plain = machine_from_hardware(hw).devices[0];
  hw.cache_line_bytes = 64, hw.units_source = "test";
  const Device sixty_four = machine_from_hardware(hw).devices[0];
  hw.cache_line_bytes = 128;
  const Device apple = machine_from_hardware(hw).devices[0];
  BOOST_TEST(plain.gemv_cap_gbps == 96.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sixty_four.gemv_cap_gbps == 96.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(sixty_four.gemv_dot_cap_gbps == 56.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(apple.gemv_cap_gbps == 192.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(apple.gemv_dot_cap_gbps == 112.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(apple.read_gbps.source.find("128-byte lines") != std::string::npos, apple.read_gbps.source);
  // Decode of Q6_K (one-row on Arm) at 112 GB/s, not 56.
  TestWorkload w;
  const QuantSpec q6 = quant("Q6_K", "Q6_K");
  const double sync = 32 * 8 * 4.07e-6;
  BOOST_TEST(1 / estimate(llama_3_1_8b(), q6, machine_from_hardware(hw), w).decode_tps ==
                 weight_bytes_per_token(llama_3_1_8b(), q6) / 112e9 + sync,
             boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_CASE(a_catalog_cpu_prefills_at_its_cores_isa_rate) {
  // 8-bit GFLOP/s a core by ISA (machine.cpp): AVX-512 and NEON 131, AVX2 65.5; x 1.305
  // (kPrefillEfficiencyCpu). 16 NEON cores: 16 x 131 x 1.305 = 2735.3 GFLOP/s.
  BOOST_TEST(machine_from_hardware(catalog_cpu(16, SimdLevel::neon)).devices[0].compute_gflops.value ==
                 16 * 131 * 1.305, boost::test_tools::tolerance(1e-9));
  // No SIMD level in the catalog: AVX2, as every x86 server and desktop CPU since 2013 has.
  BOOST_TEST(machine_from_hardware(catalog_cpu(8, SimdLevel::unknown)).devices[0].compute_gflops.value ==
                 8 * 65.5 * 1.305, boost::test_tools::tolerance(1e-9));
  // A format llama.cpp neither repacks nor hands to tinyBLAS (Q6_K) goes one dot product a row and
  // token, at 0.35 of that rate (speed.cpp kCpuDotPathOverCompute): Q6_K prefill is slower than
  // Q8_0's (tinyBLAS) by about that factor on the matrices (attention aside).
  TestWorkload w;
  w.prompt_tokens = 512;
  const Machine m = machine_from_hardware(catalog_cpu(16, SimdLevel::avx512));
  const double q8 = estimate(llama_3_1_8b(), q8_0(), m, w).prefill_tps;
  const double q6 = estimate(llama_3_1_8b(), quant("Q6_K", "Q6_K"), m, w).prefill_tps;
  BOOST_TEST(q6 / q8 < 0.40);
  BOOST_TEST(q6 / q8 > 0.30);
}

BOOST_AUTO_TEST_CASE(a_gpu_moe_prefill_loads_the_experts_a_micro_batch_touches) {
  // 512 prompt tokens x 8 of 64 experts: 64 tokens each. Their arithmetic runs at the dense rate
  // in whole tiles of 48 tokens (speed.cpp kMoeTileTokens: two tiles, 1.5x what 64 tokens need),
  // and every expert the micro-batch touches (1 - (7/8)^512 of them: all) has its weights loaded
  // once for it, at the pool's expert load share of the decode bandwidth (kMoeExpertReadShare),
  // shared by its 512 tokens.
  const Machine m = machine_from_hardware(cuda_card(1008, 0, 0));
  const double read = m.devices[0].read_gbps.value * 1e9;
  const double routed_params = 16.0 * 64 * 3 * 2048 * 1024;   // every expert's weights
  const double routed_flops = 2.0 * routed_params * 8 / 64;  // a token's 8 experts, 2 FLOPs a weight
  const double bytes = routed_params * 34 / 32;              // Q8_0: 34 bytes a block of 32
  const double rate = 756e12 * prefill_efficiency(Backend::cuda, false);  // a card typed without SMs
  auto load_s = [&](const PoolSeconds& p, double ubatch) {
    return bytes * (1 - std::pow(7.0 / 8, ubatch)) / (p.expert_read_share * read) / ubatch;
  };
  TestWorkload w;
  w.prompt_tokens = 512;
  const PoolSeconds p = estimate(small_moe(), q8_0(), m, w).pools.at(0);
  BOOST_TEST(p.tokens_per_expert == 64.0);
  BOOST_TEST(p.expert_read_share > 0.0);
  BOOST_TEST(p.expert_read_share < 1.0);
  BOOST_TEST(p.prefill_expert_read_s == load_s(p, 512), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(p.expert_tile_fill == 1.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(p.prefill_routed_s == 1.5 * routed_flops / rate + load_s(p, 512), boost::test_tools::tolerance(1e-6));
  // -ub 2048 with a 2048-token prompt: 256 tokens an expert, the same loads shared by 4x the tokens.
  w.prompt_tokens = 2048, w.ubatch_tokens = 2048;
  const PoolSeconds wide = estimate(small_moe(), q8_0(), m, w).pools.at(0);
  BOOST_TEST(wide.tokens_per_expert == 256.0);
  BOOST_TEST(wide.prefill_expert_read_s == load_s(p, 512) / 4, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(wide.expert_tile_fill == 6 * 48 / 256.0, boost::test_tools::tolerance(1e-12));  // 6 tiles for 256
  // A 64-token prompt: 1 - (7/8)^64 of the experts loaded for 64 tokens, each of them getting 64 x
  // 8 / 64 = 8 over that share, in one tile of 48.
  w.prompt_tokens = 64, w.ubatch_tokens = 512;
  const PoolSeconds short_prompt = estimate(small_moe(), q8_0(), m, w).pools.at(0);
  BOOST_TEST(short_prompt.tokens_per_expert == 8.0 / (1 - std::pow(7.0 / 8, 64)), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(short_prompt.expert_tile_fill == 48 / short_prompt.tokens_per_expert, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(short_prompt.prefill_expert_read_s == load_s(p, 64), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(short_prompt.prefill_expert_read_s > 7 * p.prefill_expert_read_s);
  // vLLM (an FP8 checkpoint) takes the prompt 8192 tokens a step on an 80 GiB card (`vllm serve`'s
  // max_num_batched_tokens), whatever -ub says: 8192 x 8 / 64 = 1024 tokens an expert.
  QuantSpec fp8 = quant("FP8", "FP8");
  fp8.format = QuantFormat::fp8;
  fp8.backends = {Backend::cuda};
  w.prompt_tokens = 16384;
  BOOST_TEST(estimate(small_moe(), fp8, m, w).pools.at(0).tokens_per_expert == 1024.0);
}

BOOST_AUTO_TEST_CASE(a_gated_deltanet_layer_costs_more_launches_on_a_gpu) {
  // Qwen3.5-35B-A3B's shape on a CUDA card: 40 layers, of them 30 Gated DeltaNet, every one MoE.
  // Beyond its bytes, a token pays the backend's per-layer overhead for each layer, its MoE extra
  // for each MoE layer and, for each Gated DeltaNet layer, 2.0 more of the per-layer overhead
  // (its extra kernels; speed.cpp kGdnLayerOverheads, fitted).
  ModelSpec q = small_moe();
  q.layers = 40, q.experts = 256, q.experts_active = 8, q.expert_ffn = 512;
  q.recurrent_kind = RecurrentKind::gated_delta_net;
  q.recurrent_layers = 30, q.recurrent_in_proj = 12352, q.recurrent_out_proj = 4096, q.recurrent_state = 548864;
  const Machine m = machine_from_hardware(cuda_card(1008, 0, 0));
  const Device& d = m.devices[0];
  const auto e = estimate(q, q8_0(), m, Workload{});
  const double o = d.layer_overhead_s.value, moe = e.pools.at(0).moe_layer_extra_s;
  BOOST_TEST(1 / e.decode_tps - e.bytes_per_token / (d.read_gbps.value * 1e9) == (40 + 30 * 2.0) * o + 40 * moe,
             boost::test_tools::tolerance(1e-6));
  // The same layers as Mamba2 (one fused scan): no extra.
  q.recurrent_kind = RecurrentKind::mamba2;
  const auto mamba = estimate(q, q8_0(), m, Workload{});
  BOOST_TEST(1 / mamba.decode_tps - mamba.bytes_per_token / (d.read_gbps.value * 1e9) == 40 * o + 40 * moe,
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(a_decode_breakdown_names_the_routed_experts_bytes) {
  // Of a token's weight bytes, the routed experts' (what llama.cpp reads through MUL_MAT_ID), which
  // bench/check_accuracy.py's --moe-stream scales: 16 layers x 8 of 64 experts x 3 matrices of
  // 2048 x 1024 at Q8_0 (34 bytes a block of 32). A dense model reads none.
  const Machine m = machine_from_hardware(cuda_card(1008, 0, 0));
  const PoolSeconds p = estimate(small_moe(), q8_0(), m, Workload{}).pools.at(0);
  BOOST_TEST(p.routed_bytes == 16.0 * 8 * 3 * 2048 * 1024 * 34 / 32, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(p.routed_bytes < p.weight_bytes);
  ModelSpec dense = small_moe();
  dense.experts = 0, dense.experts_active = 0;
  BOOST_TEST(estimate(dense, q8_0(), m, Workload{}).pools.at(0).routed_bytes == 0);
}

BOOST_AUTO_TEST_CASE(an_apu_prefills_at_its_package_power_share_but_not_its_experts) {
  // An APU's GPU reaches 0.60 of what a discrete card of its backend reaches in the dense prompt
  // GEMMs (machine.cpp kApuComputeShare); the same figures as a discrete card do not pay it.
  HardwareSpec hw;
  hw.id = "test-apu", hw.name = "Test APU", hw.kind = HardwareKind::apu, hw.backend = Backend::vulkan;
  hw.memory_gib = 128, hw.memory_bandwidth_gbps = 256, hw.fp16_tflops = 59.4, hw.tdp_w = 120;
  hw.unified_memory = true;
  const Machine apu = machine_from_hardware(hw);
  const double rate = 59.4e3 * prefill_efficiency(Backend::vulkan);
  BOOST_TEST(apu.devices[0].compute_gflops.value == rate * 0.60, boost::test_tools::tolerance(1e-9));
  hw.kind = HardwareKind::gpu, hw.unified_memory = false;
  BOOST_TEST(machine_from_hardware(hw).devices[0].compute_gflops.value == rate, boost::test_tools::tolerance(1e-9));
  // An MoE's routed experts (512 x 8 / 64 = 64 tokens each, in two tiles of 48) do their
  // arithmetic at the rate before that share; the loads of their weights come on top.
  Workload w;
  w.prompt_tokens = 512;
  const PoolSeconds p = estimate(small_moe(), q8_0(), apu, w).pools.at(0);
  const double routed_flops = 2.0 * 16 * 8 * 3 * 2048 * 1024;
  BOOST_TEST(p.prefill_expert_read_s > 0.0);
  BOOST_TEST(p.prefill_routed_s - p.prefill_expert_read_s == 1.5 * routed_flops / (rate * 1e9),
             boost::test_tools::tolerance(1e-6));
  // So does flash attention: 0.52 of that rate (kGpuAttentionShare), not of the APU's share.
  BOOST_TEST(p.attention_share == 0.52, boost::test_tools::tolerance(1e-9));
  const double positions = 256;  // a 512-token prompt's tokens attend 256 positions on average
  const ModelSpec moe = small_moe();
  BOOST_TEST(p.prefill_attention_s ==
                 moe.layers * 2.0 * moe.heads * 2 * moe.head_dim * positions / (0.52 * rate * 1e9),
             boost::test_tools::tolerance(1e-6));
}

HardwareSpec rocm_card(double fp16_tflops, int cus, double mhz) {
  HardwareSpec hw;
  hw.id = "test-amd", hw.name = "Test AMD card", hw.kind = HardwareKind::gpu, hw.backend = Backend::rocm;
  hw.memory_gib = 32, hw.memory_bandwidth_gbps = 1200, hw.fp16_tflops = fp16_tflops, hw.tdp_w = 300;
  hw.compute_units = cus, hw.boost_clock_mhz = mhz, hw.units_source = "test";
  return hw;
}

BOOST_AUTO_TEST_CASE(a_rocm_gpu_prefills_at_its_vector_alus_rate_not_its_matrix_peak) {
  // MI100: 184.6 TFLOPS of matrix FP16, but llama.cpp's ROCm GEMM runs on the vector ALUs:
  // 120 CUs x 1.502 GHz x 190 FLOPs per CU and clock (machine.cpp kRocmGemmFlopsPerCuClock) =
  // 34.2 TFLOP/s, below 184.6 x the rocm prefill efficiency.
  const Device mi100 = machine_from_hardware(rocm_card(184.6, 120, 1502)).devices[0];
  BOOST_TEST(mi100.compute_gflops.value == 120 * 1.502 * 190, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(mi100.compute_gflops.source.find("CUs") != std::string::npos);
  // MI50 (no matrix cores: 26.5 TFLOPS is its vector FP16): 60 x 1.725 x 190 = 19.7 TFLOP/s is
  // above 26.5 x the efficiency, which decides.
  const Device mi50 = machine_from_hardware(rocm_card(26.5, 60, 1725)).devices[0];
  BOOST_TEST(mi50.compute_gflops.value == 26.5e3 * prefill_efficiency(Backend::rocm), boost::test_tools::tolerance(1e-9));
  // No CU count: the datasheet figure alone, at the efficiency fitted with every device's units
  // withheld (lower: nothing caps a matrix-core peak); an APU's cap takes its sustained share (0.60).
  const Device bare = machine_from_hardware(rocm_card(184.6, 0, 0)).devices[0];
  BOOST_TEST(bare.compute_gflops.value == 184.6e3 * prefill_efficiency(Backend::rocm, false), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(prefill_efficiency(Backend::rocm, false) < prefill_efficiency(Backend::rocm));
  BOOST_TEST(prefill_efficiency(Backend::cuda, false) < prefill_efficiency(Backend::cuda));
  HardwareSpec apu = rocm_card(59.4, 40, 2900);
  apu.kind = HardwareKind::apu, apu.unified_memory = true;
  BOOST_TEST(machine_from_hardware(apu).devices[0].compute_gflops.value ==
                 std::min(59.4e3 * prefill_efficiency(Backend::rocm), 40 * 2.9 * 190) * 0.60,
             boost::test_tools::tolerance(1e-9));
  // Vulkan on the same card takes its own path (coopmat shaders): no CU cap.
  HardwareSpec vk = rocm_card(184.6, 120, 1502);
  vk.backend = Backend::vulkan;
  BOOST_TEST(machine_from_hardware(vk).devices[0].compute_gflops.value == 184.6e3 * prefill_efficiency(Backend::vulkan),
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(vulkan_on_an_intel_gpu_streams_at_its_own_efficiency) {
  // llama.cpp's Vulkan decode on Intel cards reaches 0.342 of the datasheet bandwidth
  // (machine.cpp kDecodeEfficiencyVulkanIntel, fitted), on others Vulkan's own.
  HardwareSpec hw;
  hw.id = "test-arc", hw.name = "Test Arc", hw.kind = HardwareKind::gpu, hw.backend = Backend::vulkan;
  hw.memory_gib = 12, hw.memory_bandwidth_gbps = 456, hw.tdp_w = 190, hw.pci_vendor_id = 0x8086;
  BOOST_TEST(machine_from_hardware(hw).devices[0].read_gbps.value == 456 * 0.342, boost::test_tools::tolerance(1e-9));
  hw.pci_vendor_id = 0x1002;
  BOOST_TEST(machine_from_hardware(hw).devices[0].read_gbps.value == 456 * decode_efficiency(Backend::vulkan),
             boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(a_model_released_with_mxfp4_experts_keeps_them_in_every_gguf) {
  ModelSpec m = small_moe();
  const double q8 = weight_bytes_per_token(m, q8_0());
  m.experts_format = find_block_format("MXFP4");
  // Routed experts per token: 16 layers x 8 x 3 x 2048 x 1024 weights, at 4.25 instead of 8.5 bits.
  const double routed = 16.0 * 8 * 3 * 2048 * 1024;
  BOOST_TEST(weight_bytes_per_token(m, q8_0()) == q8 - routed * (8.5 - 4.25) / 8, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(cost)

BOOST_AUTO_TEST_CASE(api_prices_input_and_output_apart) {
  // 10M tokens, 75% input: 7.5M x $1 + 2.5M x $2 per million = $12.50.
  TestWorkload w;
  ApiOffer o;
  o.usd_per_mtok_input = 1, o.usd_per_mtok_output = 2;
  BOOST_TEST(api_cost_usd(o, w) == 12.5);
}

BOOST_AUTO_TEST_CASE(local_cost_is_power_for_the_busy_hours_plus_amortisation) {
  // decode 2.5M tokens at 10 tok/s = 250,000 s; prefill 7.5M at 100 tok/s = 75,000 s;
  // 325,000 s = 90.28 h x 0.1 kW x $0.30 = $2.708; a $3600 machine over 36 months adds $100.
  // Always on (--hours-per-day 24), it idles the other 730 - 90.28 = 639.7 h at 10% of 100 W:
  // 639.7 x 0.01 kW x $0.30 = $1.919 more.
  Estimate e;
  e.decode_tps = 10, e.prefill_tps = 100;
  Machine m = cpu_machine(33, 300, 24 * kGiB);
  m.price_usd = {3600, "test"};
  TestWorkload always;
  always.hours_per_day = 24;
  const MonthlyCost c = monthly_cost(e, m, always, Electricity{0.30, "test", ""}, Budget{100, 36});
  BOOST_TEST(c.busy_hours == 325000.0 / 3600, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(c.up_hours == 730.0);
  BOOST_TEST(c.electricity_usd.value() == 2.708333 + 1.919167, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(c.hardware_usd.value() == 100.0);
  BOOST_TEST(c.can_serve);
}

BOOST_AUTO_TEST_CASE(one_user_keeps_the_machine_up_a_working_day_several_always) {
  // The same 90.28 busy hours. One user (the default): up 8 h x 5 days x 52 / 12 = 173.33 h, so
  // 83.06 h idle at 10 W: $2.708 + 83.06 x 0.01 x $0.30 = $2.708 + $0.249 = $2.957. Two users:
  // always on, 730 h, as above. 4 h a day: 4 x 730 / 24 = 121.67 h, 31.39 h idle: $2.802.
  // A busier month than the working day (0.5 tok/s: 1389 h) cannot be served at all.
  Estimate e;
  e.decode_tps = 10, e.prefill_tps = 100;
  const Machine m = cpu_machine(33, 300, 24 * kGiB);
  const Electricity price{0.30, "test", ""};
  Budget owned{100, 36};
  owned.owned = true;
  const MonthlyCost one = monthly_cost(e, m, TestWorkload{}, price, owned);
  BOOST_TEST(one.up_hours == 173.333333, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(one.electricity_usd.value() == 2.9575, boost::test_tools::tolerance(1e-6));
  TestWorkload team;
  team.users = 2;
  BOOST_TEST(hours_up(team, 90.28) == 730.0);
  TestWorkload four;
  four.hours_per_day = 4;
  const MonthlyCost part = monthly_cost(e, m, four, price, owned);
  BOOST_TEST(part.up_hours == 121.666667, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(part.electricity_usd.value() == 2.708333 + (121.666667 - 90.277778) * 0.01 * 0.30,
             boost::test_tools::tolerance(1e-6));
  BOOST_TEST(hours_up(TestWorkload{}, 300) == 300.0);  // busier than a working day: up while busy
  e.decode_tps = 0.5;
  BOOST_TEST(!monthly_cost(e, m, four, price, owned).can_serve);
}

BOOST_AUTO_TEST_CASE(owned_hardware_amortises_nothing_and_unknown_figures_stay_unknown) {
  // The same $3600 machine owned, always on: hardware $0, the electricity alone ($4.628, above).
  Estimate e;
  e.decode_tps = 10, e.prefill_tps = 100;
  Machine m = cpu_machine(33, 300, 24 * kGiB);
  m.price_usd = {3600, "test"};
  Budget owned{100, 36};
  owned.owned = true;
  TestWorkload always;
  always.hours_per_day = 24;
  const MonthlyCost c = monthly_cost(e, m, always, Electricity{0.30, "test", ""}, owned);
  BOOST_TEST(c.hardware_usd.value() == 0.0);
  BOOST_TEST(c.total_usd.value() == 2.708333 + 1.919167, boost::test_tools::tolerance(1e-6));
  // Bought, with no price in the catalog: the amortisation is unknown, not $0, and so is the total.
  m.price_usd = {};
  const MonthlyCost unpriced = monthly_cost(e, m, TestWorkload{}, Electricity{0.30, "test", ""}, Budget{100, 36});
  BOOST_TEST(!unpriced.hardware_usd.has_value());
  BOOST_TEST(!unpriced.total_usd.has_value());
  BOOST_TEST(unpriced.electricity_usd.has_value());
  // No power figure (a catalog TDP of 0): the electricity is unknown, not free.
  m.devices[0].power_w = {};
  const MonthlyCost no_tdp = monthly_cost(e, m, TestWorkload{}, Electricity{0.30, "test", ""}, owned);
  BOOST_TEST(!no_tdp.electricity_usd.has_value());
  BOOST_TEST(!no_tdp.total_usd.has_value());
}

BOOST_AUTO_TEST_CASE(a_machine_too_slow_for_the_volume_cannot_serve_it) {
  // 2.5M output tokens at 0.5 tok/s = 1389 h > 730 h in a month.
  Estimate e;
  e.decode_tps = 0.5, e.prefill_tps = 100;
  const MonthlyCost c = monthly_cost(e, cpu_machine(33, 300, 24 * kGiB), TestWorkload{},
                                     Electricity{0.30, "test", ""}, Budget{});
  BOOST_TEST(!c.can_serve);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(advice)

BOOST_AUTO_TEST_CASE(the_best_model_that_fits_fast_enough_is_recommended) {
  // 24 GiB at 33 GB/s: the 8B at Q8_0 (quality 20 x 1.0) fits but decodes at ~4 tok/s < 10;
  // Q4_K_M (20 x 0.97) decodes at ~7 tok/s < 10 too; TinyLlama (quality 5) at Q8_0 decodes at
  // ~30 tok/s and is recommended. A 100B-class model (quality 50) does not fit.
  Catalog c;
  c.models = {llama_3_1_8b(), tinyllama()};
  c.models[1].quality = 5;
  ModelSpec big = llama_3_1_8b();
  big.id = "big", big.layers = 400, big.quality = 50;
  c.models.push_back(big);
  c.quants = {q8_0(), q4_k_m()};
  c.quants[1].quality_retention = 0.97;
  c.electricity = {0.2, "test", ""};
  ApiOffer closed;
  closed.id = "frontier", closed.name = "Frontier", closed.quality = 60;
  closed.usd_per_mtok_input = 1.25, closed.usd_per_mtok_output = 10;
  c.apis = {closed};
  TestWorkload w;
  w.context_tokens = 2048;
  const Advice a = advise(c, cpu_machine(33, 300, 24 * kGiB), w, Budget{100, 36});
  BOOST_REQUIRE(a.recommended.has_value());
  const Candidate& best = a.ranked[*a.recommended];
  BOOST_TEST(best.estimate.model == "tinyllama-1.1b");
  BOOST_TEST(best.estimate.quant == "Q8_0");
  for (const auto& cand : a.ranked) {
    if (cand.estimate.model == "big") BOOST_TEST(cand.why_not.find("needs") == 0u);
    if (cand.estimate.model == "llama-3.1-8b") BOOST_TEST(cand.why_not.find("too slow") == 0u);
  }
  // $34.38 for the frontier API (7.5 x 1.25 + 2.5 x 10) is within budget but the local model is
  // cheaper and nothing as good as it is cheaper: run it here.
  BOOST_TEST(a.verdict == Verdict::run_local);
  BOOST_REQUIRE(a.best_api.has_value());
  BOOST_TEST(a.apis[*a.best_api].usd == 34.375);
}

BOOST_AUTO_TEST_CASE(a_quant_keeps_less_of_a_small_model_and_more_of_a_large_one) {
  // Q3_K_S keeps 0.7924 of Llama 3 8B (8.03B): a log-perplexity loss of -ln 0.7924 = 0.2327, which
  // scales by (8.03 / params)^0.363 (kRetentionSizeExponent): x 1.2300 for a 4.54B model,
  // e^-0.2862 = 0.7511; x 2.1302 for a 1.0B, e^-0.4957 = 0.6092; as measured at 8.03B and above
  // (a 70B is credited no more than measured).
  QuantSpec q = quant("Q3_K_S", "Q3_K");
  q.quality_retention = 0.7924, q.quality_retention_params_b = 8.03;
  ModelSpec m = llama_3_1_8b();
  m.params_b = 4.54;
  BOOST_TEST(quality_retention(q, m) == 0.7511, boost::test_tools::tolerance(1e-4));
  m.params_b = 1.0;
  BOOST_TEST(quality_retention(q, m) == 0.6092, boost::test_tools::tolerance(1e-4));
  m.params_b = 70;
  BOOST_TEST(quality_retention(q, m) == 0.7924, boost::test_tools::tolerance(1e-9));
  m.params_b = 8.03;
  BOOST_TEST(quality_retention(q, m) == 0.7924, boost::test_tools::tolerance(1e-9));
  // A source that names no size, or a lossless format, is taken as it stands.
  q.quality_retention_params_b = 0, m.params_b = 1;
  BOOST_TEST(quality_retention(q, m) == 0.7924);
  QuantSpec f16 = quant("F16", "F16");
  f16.quality_retention_params_b = 8.03;
  BOOST_TEST(quality_retention(f16, m) == 1.0);
}

BOOST_AUTO_TEST_CASE(a_hybrid_too_slow_for_its_thinking_is_offered_with_its_thinking_off) {
  // The 8B thinks (quality 40; 30 with its thinking off) and decodes at 1.2x the floor: below the
  // 1.5x a thinking model needs, above the plain floor. TinyLlama (quality 10) is fast enough in any
  // mode. The pick is the 8B with its thinking off (30 x its Q8_0 retention), and its command
  // turns thinking off; with a floor its thinking clears, the 8B thinks (quality 40).
  Catalog c;
  c.models = {llama_3_1_8b(), tinyllama()};
  c.models[0].thinks = true, c.models[0].quality = 40, c.models[0].quality_no_thinking = 30;
  c.models[1].quality = 10;
  c.quants = {q8_0()};
  c.quants[0].quality_retention = 0.9996;
  c.electricity = {0.2, "test", ""};
  const Machine machine = cpu_machine(200, 300, 24 * kGiB);
  TestWorkload w;
  w.context_tokens = 2048;
  const double tps = estimate(c.models[0], c.quants[0], machine, w).decode_tps;
  w.min_decode_tps = tps / 1.2;
  const Advice a = advise(c, machine, w, Budget{100, 36, true});
  BOOST_REQUIRE(a.recommended.has_value());
  const Candidate& best = a.ranked[*a.recommended];
  BOOST_TEST(best.estimate.model == "llama-3.1-8b");
  BOOST_TEST(best.thinking_off);
  BOOST_TEST(best.quality == 30 * 0.9996, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(best.estimate.launch.find(" --reasoning off") != std::string::npos);
  for (const auto& cand : a.ranked)
    if (cand.estimate.model == "llama-3.1-8b" && !cand.thinking_off)
      BOOST_TEST(cand.why_not.find("(thinking)") != std::string::npos);
  w.min_decode_tps = tps / 1.6;
  const Advice fast = advise(c, machine, w, Budget{100, 36, true});
  BOOST_REQUIRE(fast.recommended.has_value());
  BOOST_TEST(!fast.ranked[*fast.recommended].thinking_off);
  BOOST_TEST(fast.ranked[*fast.recommended].quality == 40 * 0.9996, boost::test_tools::tolerance(1e-9));
  // Unknown non-thinking quality: no thinking-off candidate at all (never a quality of 0).
  c.models[0].quality_no_thinking.reset();
  w.min_decode_tps = tps / 1.2;
  for (const auto& cand : advise(c, machine, w, Budget{100, 36, true}).ranked) BOOST_TEST(!cand.thinking_off);
}

BOOST_AUTO_TEST_CASE(compare_runs_a_hybrid_with_its_thinking_off_where_only_that_meets_the_floor) {
  // The 8B thinks (quality 40; 30 with its thinking off). On the fast machine it decodes at 1.6x
  // the floor (thinking clears its 1.5x); on the slow one, at 0.8 of that, 1.28x: only with its
  // thinking off, as advise would run it there (quality 30 x retention, a command that turns it
  // off). The slow machine is the cheaper ($500 against $3000, electricity free), but it runs
  // the model below the quality asked for: the verdict compares first the machines that run it
  // as scored, and names the fast one. With the floor where neither runs it thinking (1.35x and
  // 1.08x), both meet it with thinking off and the cheaper wins.
  Catalog c;
  c.models = {llama_3_1_8b()};
  c.models[0].thinks = true, c.models[0].quality = 40, c.models[0].quality_no_thinking = 30;
  c.quants = {q8_0()};
  c.electricity = {0, "test", ""};
  Machine fast = cpu_machine(200, 300, 24 * kGiB), slow = cpu_machine(160, 300, 24 * kGiB);
  fast.price_usd = {3000, "test"}, slow.price_usd = {500, "test"};
  fast.devices[0].power_w = slow.devices[0].power_w = {100, "test"};  // a known cost (electricity free)
  TestWorkload w;
  w.context_tokens = 2048;
  const double tps = estimate(c.models[0], c.quants[0], fast, w).decode_tps;
  w.min_decode_tps = tps / 1.6;
  const std::vector<CompareMachine> machines{{"slow", slow, false, ""}, {"fast", fast, false, ""}};
  const Comparison cmp = compare(c, c.models[0], {&c.quants[0]}, machines, w, Budget{0, 36});
  BOOST_REQUIRE(cmp.options.size() == 2u);
  const Candidate& s = cmp.options[0].candidate;
  BOOST_TEST(cmp.options[0].meets);
  BOOST_TEST(s.thinking_off);
  BOOST_TEST(s.quality == 30 * s.retention, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(s.estimate.launch.find(" --reasoning off") != std::string::npos);
  BOOST_TEST(!cmp.options[1].candidate.thinking_off);
  BOOST_TEST(cmp.options[1].meets);
  BOOST_REQUIRE(cmp.verdict.better.has_value());
  BOOST_TEST(*cmp.verdict.better == 1u);
  w.min_decode_tps = tps / 1.35;
  const Comparison both_off = compare(c, c.models[0], {&c.quants[0]}, machines, w, Budget{0, 36});
  BOOST_TEST(both_off.options[0].meets);
  BOOST_TEST(both_off.options[1].candidate.thinking_off);
  BOOST_REQUIRE(both_off.verdict.better.has_value());
  BOOST_TEST(*both_off.verdict.better == 0u);
}

BOOST_AUTO_TEST_CASE(the_longest_context_pick_allocates_its_context) {
  // One model, one quant: the pick is also the longest-context pick, and its command for that
  // use allocates its largest context in whole 1024-token steps, not the 2048 asked for.
  Catalog c;
  c.models = {llama_3_1_8b()};
  c.quants = {q8_0()};
  c.electricity = {0.2, "test", ""};
  TestWorkload w;
  w.context_tokens = 2048, w.min_decode_tps = 1;
  const Advice a = advise(c, cpu_machine(200, 300, 24 * kGiB), w, Budget{100, 36, true});
  BOOST_REQUIRE(a.picks.longest_context.has_value());
  const int64_t most = a.ranked[*a.picks.longest_context].estimate.max_context;
  BOOST_TEST(most > 4096);
  BOOST_TEST(a.picks.longest_context_launch.find(" -c " + std::to_string(most / 1024 * 1024) + " ") !=
             std::string::npos);
  BOOST_TEST(a.ranked[*a.recommended].estimate.launch.find(" -c 2048 ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(no_local_model_and_an_api_in_budget_means_use_the_api) {
  Catalog c;
  c.models = {llama_3_1_8b()};
  c.quants = {q8_0()};
  ApiOffer closed;
  closed.id = "frontier", closed.name = "Frontier", closed.quality = 60;
  closed.usd_per_mtok_input = 1, closed.usd_per_mtok_output = 2;
  c.apis = {closed};
  const Advice a = advise(c, cpu_machine(33, 300, 4 * kGiB), TestWorkload{}, Budget{100, 36});
  BOOST_TEST(!a.recommended.has_value());
  BOOST_TEST(a.verdict == Verdict::use_api);
  const Advice poor = advise(c, cpu_machine(33, 300, 4 * kGiB), TestWorkload{}, Budget{5, 36});
  BOOST_TEST(poor.verdict == Verdict::neither);  // $12.50 > $5
}

BOOST_AUTO_TEST_CASE(an_api_twice_as_good_for_a_tenth_of_the_budget_more_beats_the_local_pick) {
  // The local pick scores 20 x Q8_0's retention and costs under $5 a month; an API of quality 60
  // costs $18.75 for the workload's 10M tokens (7.5M in at $1.5, 2.5M out at $3). Within a tenth of the budget of what the pick costs here it is the
  // answer (budget 200: $20 more allowed); at budget 100 ($10 more) the pick stays, and so does
  // it against an API of less than twice its quality at any budget.
  Catalog c;
  c.models = {llama_3_1_8b()};
  c.quants = {q8_0()};
  c.electricity = {0.2, "test", ""};
  ApiOffer better;
  better.id = "better", better.name = "Better", better.quality = 60;
  better.usd_per_mtok_input = 1.5, better.usd_per_mtok_output = 3;
  c.apis = {better};
  TestWorkload w;
  w.min_decode_tps = 1;
  const Machine m = cpu_machine(200, 300, 24 * kGiB);
  const Advice rich = advise(c, m, w, Budget{200, 36, true});
  BOOST_REQUIRE(rich.recommended.has_value());
  BOOST_TEST(rich.ranked[*rich.recommended].cost.at_least_usd() < 5.0);
  BOOST_TEST(rich.verdict == Verdict::use_api);
  BOOST_TEST(rich.much_better_api.has_value());
  BOOST_TEST(rich.verdict_reason.find("the best this machine runs") != std::string::npos, rich.verdict_reason);
  const Advice modest = advise(c, m, w, Budget{100, 36, true});
  BOOST_TEST(modest.recommended.has_value());
  BOOST_TEST(modest.verdict == Verdict::run_local);
  c.apis.front().quality = 1.9 * rich.ranked[*rich.recommended].quality;
  BOOST_TEST(advise(c, m, w, Budget{200, 36, true}).verdict == Verdict::run_local);
}

BOOST_AUTO_TEST_CASE(without_a_pick_the_runners_up_are_the_quants_that_came_closest) {
  // Nothing reaches 1000 tok/s on a 33 GB/s CPU with 4 GiB: of each model the runner-up is its
  // fastest quant that fits (Q4_K_M, not Q8_0, which is slower, or F32, which does not fit),
  // fastest first; a model that fits nowhere comes after, at its smallest quant.
  Catalog c;
  // Ranked by quality, the 8B's F32 would come first: the better model, at its best quant.
  c.models = {llama_3_1_8b(), tinyllama()};
  c.models[0].quality = 50, c.models[1].quality = 10;
  c.quants = {q8_0(), q4_k_m(), quant("F32", "F32")};
  c.quants[0].quality_retention = 0.999, c.quants[1].quality_retention = 0.97;
  TestWorkload w;
  w.context_tokens = 2048;
  w.min_decode_tps = 1000;
  const Advice a = advise(c, cpu_machine(33, 300, 4 * kGiB), w, Budget{100, 36});
  BOOST_REQUIRE(!a.recommended.has_value());
  const auto r = runners_up(a, 3);
  BOOST_REQUIRE_EQUAL(r.size(), 2u);
  BOOST_TEST(r[0]->estimate.model == tinyllama().id);
  BOOST_TEST(r[0]->estimate.quant == "Q4_K_M");
  BOOST_TEST(r[0]->estimate.fits);
  BOOST_TEST(r[1]->estimate.model == llama_3_1_8b().id);
  BOOST_TEST(r[1]->estimate.quant == "Q4_K_M");  // 4.6 GiB: nearest to fitting 4 GiB
  BOOST_TEST(!r[1]->estimate.fits);
}

BOOST_AUTO_TEST_CASE(owned_hardware_always_gets_a_pick_whatever_the_budget) {
  // TinyLlama at Q8_0 on a $36,000 machine: bought, $1000 a month over 36 months is over a $0
  // budget and nothing is recommended; owned, nothing is amortised and the budget rules nothing
  // out -- the pick is the same model, with only its electricity as its cost.
  Catalog c;
  c.models = {tinyllama()};
  c.models[0].quality = 5;
  c.quants = {q8_0()};
  c.electricity = {0.2, "test", ""};
  Machine m = cpu_machine(100, 300, 24 * kGiB);
  m.price_usd = {36000, "test"};
  TestWorkload w;
  w.context_tokens = 2048;
  const Advice bought = advise(c, m, w, Budget{0, 36});
  BOOST_TEST(!bought.recommended.has_value());
  BOOST_TEST(bought.ranked[0].why_not.find("over budget: $1001") == 0u, bought.ranked[0].why_not);  // + power
  Budget owned{0, 36};
  owned.owned = true;
  const Advice mine = advise(c, m, w, owned);
  BOOST_REQUIRE(mine.recommended.has_value());
  BOOST_TEST(mine.ranked[*mine.recommended].cost.hardware_usd.value() == 0.0);
  BOOST_TEST(mine.ranked[*mine.recommended].cost.total_usd.value() > 0.0);  // the electricity
  // Bought with no price known: its electricity (cents) is within $100, the rest unknown: not
  // ruled out by a budget it cannot be set against, and its cost is unknown, not $0.
  m.price_usd = {};
  const Advice unpriced = advise(c, m, w, Budget{100, 36});
  BOOST_REQUIRE(unpriced.recommended.has_value());
  BOOST_TEST(!unpriced.ranked[*unpriced.recommended].cost.total_usd.has_value());
  BOOST_TEST(unpriced.verdict_reason.find("no purchase price") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(f16_never_beats_a_faster_q8_0_but_q8_0_beats_a_faster_q4_k_m) {
  // Llama 3.1 8B's shape on 1000 GB/s: F16 reads ~16 GB a token (~62 tok/s), Q8_0 ~8.5 GB (~117
  // tok/s), Q4_K_M ~4.9 GB (~200 tok/s); all clear 20 tok/s. Counted as a small model (3B, below
  // kSmallModelParamsB): F16 (retention 1) and Q8_0 (0.9996) differ by 0.04% < kRetentionTie 0.5%:
  // a tie, won by the faster Q8_0. Q4_K_M (0.9726) is 2.7% below: no tie, so the better quality,
  // Q8_0, stays the pick although Q4_K_M is faster still.
  Catalog c;
  c.models = {llama_3_1_8b()};
  c.models[0].params_b = 3;
  c.quants = {quant("F16", "F16"), q8_0(), q4_k_m()};
  c.quants[1].quality_retention = 0.9996;
  c.quants[2].quality_retention = 0.9726;
  c.electricity = {0.2, "test", ""};
  const Advice a = advise(c, cpu_machine(1000, 5000, 64 * kGiB), TestWorkload{}, Budget{100, 36});
  BOOST_REQUIRE(a.recommended.has_value());
  BOOST_TEST(a.ranked[*a.recommended].estimate.quant == "Q8_0");
  BOOST_TEST(a.ranked[0].estimate.decode_tps > 100);
  BOOST_TEST(a.ranked[1].estimate.quant == "F16");  // same tier, slower
  BOOST_TEST(a.ranked[2].estimate.quant == "Q4_K_M");  // next tier
  // Top picks: fastest good is Q4_K_M (19.45 is 0.54 below Q8_0's 19.99, within 4 points); best
  // quality F16 (20 x 1); the most context of F16's tier is Q8_0's, its weights half the size.
  BOOST_REQUIRE(a.picks.fastest_good.has_value());
  BOOST_TEST(a.ranked[*a.picks.fastest_good].estimate.quant == "Q4_K_M");
  BOOST_TEST(a.ranked[*a.picks.best_quality].estimate.quant == "F16");
  BOOST_TEST(a.ranked[*a.picks.longest_context].estimate.quant == "Q8_0");

  // The same at its real 8.03B (>= kSmallModelParamsB): Q4_K_M is within kRetentionTieLarge 3.7% of
  // F16 and Q8_0, a tie it wins by decoding fastest -- the usual default for such models.
  c.models[0].params_b = 8.03;
  const Advice large = advise(c, cpu_machine(1000, 5000, 64 * kGiB), TestWorkload{}, Budget{100, 36});
  BOOST_REQUIRE(large.recommended.has_value());
  BOOST_TEST(large.ranked[*large.recommended].estimate.quant == "Q4_K_M");
}

BOOST_AUTO_TEST_CASE(top_picks_follow_their_rules) {
  // Ranked: {74, 73, 72.5} tie (anchor 74), fastest first: the pick is 73 at 45 tok/s. Fastest
  // good: within 2 x 2 = 4 points of 73, so 71 at 120 tok/s, not 68 at 300 (5 below) nor the
  // ineligible 80 at 500. Best quality: 74. Longest context: of those tied with 74, 72.5's 131072
  // tokens -- not the ineligible candidate's 500000.
  auto cand = [](double quality, double tps, int64_t context, bool eligible = true) {
    Candidate x;
    x.eligible = eligible, x.model_quality = quality, x.quality = quality;
    x.estimate.decode_tps = tps, x.estimate.max_context = context;
    return x;
  };
  std::vector<Candidate> c{cand(74, 30, 100000), cand(73, 45, 40000),  cand(71, 120, 8000),
                           cand(68, 300, 8000),  cand(80, 500, 8000, false), cand(72.5, 20, 131072),
                           cand(73.5, 10, 500000, false)};
  rank_candidates(c);
  BOOST_REQUIRE(c[0].quality == 73.0);
  const TopPicks t = top_picks(c, 0);
  BOOST_TEST(c[*t.fastest_good].quality == 71.0);
  BOOST_TEST(c[*t.best_quality].quality == 74.0);
  BOOST_TEST(c[*t.longest_context].quality == 72.5);
  // No pick, no top picks.
  const TopPicks none = top_picks(c, std::nullopt);
  BOOST_TEST(!none.fastest_good.has_value());
  BOOST_TEST(!none.best_quality.has_value());
  BOOST_TEST(!none.longest_context.has_value());
}

BOOST_AUTO_TEST_CASE(a_nearly_as_good_moe_three_times_faster_beats_the_dense_model) {
  // On 200 GB/s, both at Q4_K_M: the dense 8B shape reads ~4.9 GB a token, ~41 tok/s (quality
  // 72 x 0.9726), clearing the default 20 tok/s floor; the small MoE (16 layers, 8 of 64 experts
  // of 1024, ~1.4B parameters touched, ~0.9 GB a token) over 200 tok/s (quality 70 x 0.9726).
  // 72 - 70 = 2 <= kQualityTiePoints: a tie, won by the MoE. At 75 the dense model is 5 points
  // better: no tie, and it is the pick however much faster the MoE is.
  Catalog c;
  c.models = {llama_3_1_8b(), small_moe()};
  c.models[0].quality = 72;
  c.models[1].quality = 70;
  c.quants = {q4_k_m()};
  c.quants[0].quality_retention = 0.9726;
  c.electricity = {0.2, "test", ""};
  TestWorkload w;
  BOOST_TEST(w.min_decode_tps == 20.0);
  const Machine m = cpu_machine(200, 5000, 64 * kGiB);
  const Advice a = advise(c, m, w, Budget{100, 36});
  BOOST_REQUIRE(a.recommended.has_value());
  const Candidate& pick = a.ranked[*a.recommended];
  BOOST_TEST(pick.estimate.model == "qwen3moe-16L-64x8");
  BOOST_TEST(a.ranked[1].estimate.model == "llama-3.1-8b");
  BOOST_TEST(a.ranked[1].eligible);  // it cleared the floor and lost on speed alone
  BOOST_TEST(pick.estimate.decode_tps > 3 * a.ranked[1].estimate.decode_tps);
  BOOST_TEST(quality_tie(pick, a.ranked[1]));

  c.models[0].quality = 75;
  const Advice b = advise(c, m, w, Budget{100, 36});
  BOOST_REQUIRE(b.recommended.has_value());
  BOOST_TEST(b.ranked[*b.recommended].estimate.model == "llama-3.1-8b");
}

/// An eligible candidate of `quality` (retention 1) decoding at `tps`, for the ranking tests.
Candidate ranked_candidate(double quality, double tps) {
  Candidate x;
  x.eligible = true, x.model_quality = quality, x.quality = quality, x.estimate.decode_tps = tps;
  return x;
}

BOOST_AUTO_TEST_CASE(ties_are_anchored_on_the_best_so_the_order_is_transitive) {
  // Qualities 74, 72.5, 71 (retention 1): 72.5 ties with both, but 71 is 3 below 74. The tier is
  // anchored on 74: {74, 72.5}, fastest first; then 71 alone, 2.5x as fast as the first (under the
  // kMuchFasterFactor of 3 that would put it first).
  std::vector<Candidate> c{ranked_candidate(71, 150), ranked_candidate(74, 30), ranked_candidate(72.5, 60)};
  rank_candidates(c);
  BOOST_TEST(c[0].model_quality == 72.5);
  BOOST_TEST(c[1].model_quality == 74.0);
  BOOST_TEST(c[2].model_quality == 71.0);
}

BOOST_AUTO_TEST_CASE(a_slightly_weaker_candidate_three_times_as_fast_goes_first) {
  // 71 is 3.5 points below 74.5 (within the 4-point fastest-good band, outside the 2-point tie)
  // and decodes 3x as fast (90 vs 30): it goes first, the rest keep their order. 70 at 300 is 4.5
  // below: outside the band, however fast.
  std::vector<Candidate> c{ranked_candidate(70, 300), ranked_candidate(74.5, 30), ranked_candidate(71, 90)};
  rank_candidates(c);
  BOOST_TEST(c[0].model_quality == 71.0);
  BOOST_TEST(c[1].model_quality == 74.5);
  BOOST_TEST(c[2].model_quality == 70.0);
  c = {ranked_candidate(74.5, 30), ranked_candidate(71, 89)};  // 2.97x: not enough
  rank_candidates(c);
  BOOST_TEST(c[0].model_quality == 74.5);
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// A datacenter-like GPU: `gbps` of decode bandwidth, no per-layer overhead, `gflops` of compute.
Device gpu_device(double gbps, double gflops, double memory_gib) {
  Device d;
  d.kind = DeviceKind::gpu;
  d.backend = Backend::cuda;
  d.name = "test GPU";
  d.read_gbps = {gbps, "test"};
  d.compute_gflops = {gflops, "test"};
  d.memory_bytes = {memory_gib * kGiB, "test"};
  d.power_w = {500, "test"};
  return d;
}

Machine gpus(int n, double gbps, double gflops, double memory_gib) {
  Machine m;
  m.name = std::to_string(n) + " test GPUs";
  m.devices.assign(n, gpu_device(gbps, gflops, memory_gib));
  m.gpu_link = "nvlink4";
  m.gpu_link_gbps = {450, "test"};
  return m;
}

QuantSpec fp8() {
  QuantSpec q = quant("FP8", "FP8");
  q.format = QuantFormat::fp8;
  q.backends = {Backend::cuda, Backend::rocm};  // as data/quants.toml: GPU engines only
  return q;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(multi_gpu_and_batching)

BOOST_AUTO_TEST_CASE(tensor_parallel_reads_a_share_of_each_layer_and_all_reduces_twice_a_layer) {
  // 2 GPUs at 1000 GB/s read half of the 8B's FP8 bytes each, at the same time; every one of the
  // 32 layers adds 2 all-reduces of 4096 x 2 B over NVLink: 10 us latency (vLLM's custom
  // all-reduce on H100, speed.cpp) + 2 (2-1)/2 x 8192 B / 450 GB/s, and the serving engine's
  // 60 us a dense layer (speed.cpp), paid once: the ranks run together.
  ModelSpec m = llama_3_1_8b();
  m.hf_repo = "meta-llama/Llama-3.1-8B-Instruct";  // a BF16 release: vLLM makes FP8 of it on load
  const QuantSpec q = fp8();
  Placement p;
  p.kind = PlacementKind::tensor_parallel;
  p.gpu_count = 2;
  const auto e = estimate(m, q, gpus(2, 1000, 1e6, 80), TestWorkload{}, p);
  const double per_gpu_s = weight_bytes_per_token(m, q) / 2 / 1000e9;
  const double comm_s = 2 * 32 * (10e-6 + 8192 / 450e9);
  BOOST_TEST(1 / e.decode_tps == per_gpu_s + comm_s + 32 * 60e-6, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(e.launch.find("vllm serve meta-llama/Llama-3.1-8B-Instruct") == 0u, e.launch);
  BOOST_TEST(e.launch.find("--tensor-parallel-size 2") != std::string::npos);
  BOOST_TEST(e.launch.find("--quantization fp8") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_serving_engine_pays_its_own_cost_per_layer_more_for_moe_layers) {
  // On one GPU with llama.cpp's CUDA overhead of 34 us a layer: a GGUF file pays that, 35 us
  // more for an MoE layer's extra kernels (fitted on bench/corpus/); an FP8 checkpoint
  // (vLLM) 60 us a dense layer and 238 an MoE layer (fitted on bench/published_multigpu.csv),
  // never less than the backend's own (ROCm's 200 us).
  Machine g = gpus(1, 1000, 1e6, 80);
  g.devices[0].layer_overhead_s = {34e-6, "test"};
  auto seconds = [&](const ModelSpec& m, const QuantSpec& q) { return 1 / estimate(m, q, g, TestWorkload{}).decode_tps; };
  auto read_s = [](const ModelSpec& m, const QuantSpec& q) { return weight_bytes_per_token(m, q) / 1000e9; };
  const ModelSpec dense = llama_3_1_8b(), moe = small_moe();
  BOOST_TEST(seconds(dense, q8_0()) - read_s(dense, q8_0()) == 32 * 34e-6, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(seconds(moe, q8_0()) - read_s(moe, q8_0()) == 16 * (34e-6 + 35e-6), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(seconds(dense, fp8()) - read_s(dense, fp8()) == 32 * 60e-6, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(seconds(moe, fp8()) - read_s(moe, fp8()) == 16 * 238e-6, boost::test_tools::tolerance(1e-6));
  g.devices[0].layer_overhead_s.value = 200e-6;
  BOOST_TEST(seconds(dense, fp8()) - read_s(dense, fp8()) == 32 * 200e-6, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(seconds(moe, fp8()) - read_s(moe, fp8()) == 16 * 238e-6, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(what_fits_nowhere_is_placed_where_it_comes_closest) {
  // 100 users at 8K context on 2 x 40 GiB: the 8B's FP8 weights (8.5 GiB) and 100 x 1 GiB of KV
  // cache fit neither GPU nor both; the estimate says so over both GPUs, not over the first
  // device alone -- the host CPU here, which an FP8 checkpoint cannot even run on.
  Machine m = gpus(2, 1000, 1e6, 40);
  Device cpu;
  cpu.kind = DeviceKind::cpu, cpu.backend = Backend::cpu, cpu.name = "test CPU";
  cpu.read_gbps = {50, "test"}, cpu.compute_gflops = {500, "test"}, cpu.memory_bytes = {64 * kGiB, "test"};
  m.devices.insert(m.devices.begin(), cpu);
  TestWorkload w;
  w.users = 100;
  const auto e = estimate(llama_3_1_8b(), fp8(), m, w);
  BOOST_TEST(!e.fits);
  BOOST_TEST(e.placement.kind == PlacementKind::tensor_parallel);
  BOOST_TEST(e.placement.gpus() == 2);
  BOOST_TEST(e.decode_tps > 0);
}

BOOST_AUTO_TEST_CASE(kv_heads_are_shared_out_over_ranks_until_each_has_one) {
  BOOST_TEST(kv_share(llama_3_1_8b(), 2) == 0.5);     // 8 KV heads: 4 a rank
  BOOST_TEST(kv_share(llama_3_1_8b(), 16) == 0.125);  // 16 ranks, 8 heads: one each, replicated
  ModelSpec mla = llama_3_1_8b();
  mla.kv_lora_rank = 512, mla.qk_rope_head_dim = 64;
  BOOST_TEST(kv_share(mla, 8) == 1.0);  // vLLM keeps the whole latent on every rank
}

BOOST_AUTO_TEST_CASE(batched_users_share_one_weight_read) {
  // With compute to spare, 4 users cost one weight read per step: each decodes as fast as one
  // user alone, and the machine makes 4 x as many tokens.
  Workload one, four;
  four.users = 4;
  const Machine g = gpus(1, 1000, 1e9, 80);
  const auto a = estimate(llama_3_1_8b(), q8_0(), g, one);
  const auto b = estimate(llama_3_1_8b(), q8_0(), g, four);
  BOOST_TEST(b.decode_tps == a.decode_tps, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(b.aggregate_tps == 4 * a.decode_tps, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(b.memory.kv_cache_bytes == 4 * a.memory.kv_cache_bytes);  // a KV cache per user
}

BOOST_AUTO_TEST_CASE(many_users_make_decode_compute_bound_with_the_others_prompts) {
  // 4 users, input:output 1:1: each step computes their 4 tokens and 3 arriving prompt tokens
  // (3 other users x 1 input token per output token) = 7 tokens x 2 x params at 1 TFLOP/s, which
  // is longer than the 8.5 GB weight read at 1000 GB/s.
  TestWorkload w;
  w.users = 4;
  w.input_share = 0.5;
  const ModelSpec m = llama_3_1_8b();
  double params = 0;
  for (const auto& l : per_token_load(m, q8_0())) params += l.params;
  const auto e = estimate(m, q8_0(), gpus(1, 1000, 1000, 80), w);
  BOOST_TEST(1 / e.decode_tps == 7 * 2 * params / 1e12, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(e.bottleneck.find("compute") == 0u);
}

BOOST_AUTO_TEST_CASE(a_batch_reads_the_experts_any_of_its_tokens_routes_to) {
  // 64 experts, 8 active: one token reads 8/64 of them; 8 tokens (uniform routing) read
  // 1 - (56/64)^8 = 65.6% of them.
  const ModelSpec m = small_moe();
  const QuantSpec q = q8_0();
  Slice experts;
  experts.dense = false, experts.output = false, experts.embedding = false;
  double all = 0, one = 0, eight = 0;
  for (const auto& l : slice_load(m, q, experts, false)) all += l.bytes;
  for (const auto& l : slice_load(m, q, experts, true, 1)) one += l.bytes;
  for (const auto& l : slice_load(m, q, experts, true, 8)) eight += l.bytes;
  BOOST_TEST(one / all == 8.0 / 64, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(eight / all == 1 - std::pow(56.0 / 64, 8), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(pipeline_stages_across_machines_add_a_hop_each) {
  // 2 machines x 2 GPUs: each GPU reads a quarter of the weights; the two stages run in turn
  // (2 x a quarter); each stage all-reduces over its 16 layers; one hop of 4096 x 2 B between
  // the machines: 10 us + 8192 B / 47 GB/s (InfiniBand NDR, speed.cpp); 60 us a layer of
  // serving engine, 16 layers a stage.
  const ModelSpec m = llama_3_1_8b();
  Placement p;
  p.kind = PlacementKind::tensor_parallel;
  p.gpu_count = 2;
  p.nodes = 2;
  const auto e = estimate(m, fp8(), gpus(4, 1000, 1e6, 80), TestWorkload{}, p);
  const double read_s = 2 * weight_bytes_per_token(m, fp8()) / 4 / 1000e9;
  const double allreduce_s = 2 * 32 * (10e-6 + 8192 / 450e9);
  const double hop_s = 10e-6 + 8192 / 47e9;
  BOOST_TEST(1 / e.decode_tps == read_s + allreduce_s + hop_s + 32 * 60e-6, boost::test_tools::tolerance(1e-3));
  BOOST_TEST(e.launch.find("--pipeline-parallel-size 2") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(layer_split_gives_each_gpu_layers_in_proportion_to_its_memory) {
  // 24 + 8 GiB: the first holds 3/4 of the layers, so 3/4 of the layers' weights; the input
  // embedding stays in host RAM (llama.cpp never offloads it), the output matrix on the last.
  Machine m = gpus(2, 1000, 1e6, 24);
  m.devices[1].memory_bytes.value = 8 * kGiB;
  Placement p;
  p.kind = PlacementKind::layer_split;
  p.gpu_count = 2;
  const auto e = estimate(llama_3_1_8b(), q8_0(), m, TestWorkload{}, p);
  Slice s;
  s.layers = 0.75, s.output = false, s.embedding = false;
  BOOST_TEST(e.memory.weights_bytes == memory_need(llama_3_1_8b(), q8_0(), TestWorkload{}, m.devices[0], s).weights_bytes);
  BOOST_TEST(e.launch.find("--split-mode layer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(two_unlike_gpus_share_a_model_neither_holds) {
  // A 24 GiB and a 14 GiB card; the 8B at F32 (29.9 GiB + 1 GiB of KV + buffers) fits neither
  // alone (24 x 0.95 = 22.8 GiB) but both together, 24/38 of its layers on the larger (llama.cpp's
  // default split): 16.4 GiB of layers + the 2 GiB embedding there, 9.6 + the 2 GiB output
  // matrix on the smaller (under 14 x 0.95 = 13.3 with its KV and buffers).
  Machine m = gpus(2, 1000, 1e6, 24);
  m.devices[1].name = "small GPU";
  m.devices[1].memory_bytes.value = 14 * kGiB;
  const auto e = estimate(llama_3_1_8b(), quant("F32", "F32"), m, TestWorkload{});
  BOOST_TEST(e.placement.kind == PlacementKind::layer_split);
  BOOST_TEST(e.placement.gpu_count == 2);
  BOOST_TEST(e.fits);
}

BOOST_AUTO_TEST_CASE(vllm_formats_run_only_on_the_architectures_their_kernels_support) {
  QuantSpec nvfp4 = fp8();
  nvfp4.archs = {"blackwell"};
  Device d = gpu_device(1000, 1e6, 24);
  d.arch = "ampere";
  BOOST_TEST(!nvfp4.runs_on(d, false));
  d.arch = "blackwell";
  BOOST_TEST(nvfp4.runs_on(d, false));
  d.arch.clear();  // an unmatched probed GPU: not ruled out
  BOOST_TEST(nvfp4.runs_on(d, false));
  // vLLM runs FP8 on Ampere through weight-only Marlin kernels, but not an MoE's experts.
  QuantSpec fp8_q = fp8();
  fp8_q.archs = {"ampere", "hopper"};
  fp8_q.moe_archs = {"hopper"};
  d.arch = "ampere";
  BOOST_TEST(fp8_q.runs_on(d, false));
  BOOST_TEST(!fp8_q.runs_on(d, true));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(planning)

namespace {

HardwareSpec card(const char* id, double gib, double gbps, double price) {
  HardwareSpec h;
  h.id = id, h.name = id, h.kind = HardwareKind::gpu, h.backend = Backend::cuda, h.backends = {Backend::cuda};
  h.memory_gib = gib, h.memory_bandwidth_gbps = gbps, h.fp16_tflops = 100, h.tdp_w = 350, h.price_usd = price;
  return h;
}

ModelSpec llama_70b() {
  ModelSpec m = llama_3_1_8b();
  m.id = "llama-3.3-70b";
  m.layers = 80, m.hidden = 8192, m.heads = 64, m.kv_heads = 8, m.ffn = 28672;
  m.quality = 28;
  return m;
}

/// The planning tests' catalog: the 70B at Q4_K_M, electricity at $0.20/kWh; hardware added by
/// each test.
Catalog catalog_70b() {
  Catalog c;
  c.models = {llama_70b()};
  c.quants = {q4_k_m()};
  c.electricity = {0.2, "test", ""};
  return c;
}

HardwareSpec mac(const char* id, double gib, double price) {
  HardwareSpec h;
  h.id = id, h.name = id, h.kind = HardwareKind::apple, h.backend = Backend::metal, h.backends = {Backend::metal};
  h.memory_gib = gib, h.memory_bandwidth_gbps = 400, h.fp16_tflops = 30, h.tdp_w = 100, h.price_usd = price;
  h.unified_memory = true;
  return h;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_70b_at_q4_k_m_needs_two_24gb_cards_or_a_64gb_mac) {
  // Llama 70B at Q4_K_M: 42.5 GB = 39.6 GiB of weights, + 2.5 GiB of KV at 8192 tokens. One
  // 24 GiB card cannot hold it; two hold 21.3 GiB each, under 24 x 0.95 = 22.8. A 64 GiB Mac
  // lets its GPU wire 3/4 of it, 48 GiB.
  Catalog c = catalog_70b();
  c.hardware = {card("card-24", 24, 936, 750), mac("mac-64", 64, 3000)};
  TestWorkload w;
  w.min_decode_tps = 1;
  const Plan p = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, PlanScope{});
  int card_count = 0;
  bool mac_fits = false;
  for (const auto& o : p.options) {
    if (o.hardware_id == "card-24" && o.candidate.estimate.fits) card_count = o.count;
    if (o.hardware_id == "mac-64") mac_fits = o.candidate.estimate.fits;
  }
  BOOST_TEST(card_count == 2);
  BOOST_TEST(mac_fits);
}

BOOST_AUTO_TEST_CASE(macs_too_small_alone_are_joined_over_rpc) {
  // A 48 GiB Mac lets its GPU wire 3/4 of it, 36 GiB: less than the 70B at Q4_K_M (42 GiB with
  // its KV cache). Two of them, llama.cpp RPC between them, hold half the layers each.
  Catalog c = catalog_70b();
  c.hardware = {mac("mac-48", 48, 2000)};
  TestWorkload w;
  w.min_decode_tps = 1;
  const Plan p = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, PlanScope{});
  BOOST_REQUIRE(p.cheapest.has_value());
  const PlanOption& o = p.options[*p.cheapest];
  BOOST_TEST(o.count == 2);
  BOOST_TEST(o.nodes == 2);
  BOOST_TEST(o.candidate.cost.hardware_usd.value() == 2 * 2000.0 / 36, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(o.candidate.estimate.launch.find("--rpc HOST1:50052") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_graphics_card_is_bought_with_its_host_unless_the_buyer_has_one) {
  // Two $750 cards hold the 70B at Q4_K_M (above) in one machine: with a $1500 host the purchase
  // is 2 x 750 + 1500 = $3000, $83.33 a month over 36 months; with --have-host $1500, $41.67. A
  // host with no catalog price leaves the total unknown, never the card's alone.
  Catalog c = catalog_70b();
  c.hardware = {card("card-24", 24, 936, 750)};
  TestWorkload w;
  w.min_decode_tps = 1;
  PlanScope scope;
  scope.host_name = "desk", scope.host_price_usd = 1500;
  auto two_cards = [&](const PlanScope& s) {
    const Plan p = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, s);
    for (const auto& o : p.options)
      if (o.count == 2) return o.candidate.cost.hardware_usd;
    return std::optional<double>(-1.0);
  };
  BOOST_TEST(two_cards(scope).value() == 3000.0 / 36, boost::test_tools::tolerance(1e-9));
  scope.host_owned = true;
  BOOST_TEST(two_cards(scope).value() == 1500.0 / 36, boost::test_tools::tolerance(1e-9));
  scope.host_owned = false, scope.host_price_usd = 0;
  BOOST_TEST(!two_cards(scope).has_value());
}

BOOST_AUTO_TEST_CASE(a_buyers_plan_shows_purchases_within_the_price_only) {
  // --buy leaves the rentals out; --max-price 2000 also leaves out 2 cards + host ($3000) and, a
  // rental having no purchase price, the rentals: nothing is left that holds the 70B.
  Catalog c = catalog_70b();
  c.hardware = {card("card-24", 24, 936, 750)};
  Rental r;
  r.id = "card-24@cloud", r.hardware = "card-24", r.provider = "cloud", r.usd_per_hour = 0.5, r.gpus = 1;
  c.rentals = {r};
  TestWorkload w;
  w.min_decode_tps = 1;
  PlanScope scope;
  scope.host_name = "desk", scope.host_price_usd = 1500, scope.buy_only = true;
  const Plan buy = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, scope);
  BOOST_TEST(std::none_of(buy.options.begin(), buy.options.end(), [](const PlanOption& o) { return o.how == PlanHow::rent; }));
  BOOST_REQUIRE(buy.cheapest.has_value());
  scope.buy_only = false, scope.max_price_usd = 2000;
  const Plan capped = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, scope);
  BOOST_TEST(!capped.cheapest.has_value());
  for (const auto& o : capped.options) BOOST_TEST((o.how == PlanHow::buy && o.count * 750 + 1500 <= 2000));
}

BOOST_AUTO_TEST_CASE(the_verdict_is_the_cheapest_of_buying_renting_and_the_api) {
  // Buying: $3000 / 36 = $83.33 a month plus power. An API as good at $1/M tokens costs $10 for
  // 10M tokens: use the API, with the purchase's break-even volume. At $100/M ($1000 a month)
  // buying wins.
  Catalog c = catalog_70b();
  c.hardware = {card("card-24", 24, 936, 750)};
  ApiOffer api;
  api.id = "host", api.model = c.models[0].id, api.name = "Host", api.provider = "p";
  api.usd_per_mtok_input = api.usd_per_mtok_output = 1;
  c.apis = {api};
  TestWorkload w;
  w.min_decode_tps = 1;
  PlanScope scope;
  scope.host_name = "desk", scope.host_price_usd = 1500;
  const Plan cheap_api = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, scope);
  BOOST_TEST((cheap_api.verdict.kind == PlanVerdict::Kind::api));
  BOOST_REQUIRE(cheap_api.verdict.purchase.has_value());
  BOOST_TEST(cheap_api.options[*cheap_api.verdict.purchase].breakeven_tokens_per_month.has_value());
  c.apis[0].usd_per_mtok_input = c.apis[0].usd_per_mtok_output = 100;
  const Plan dear_api = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, scope);
  BOOST_TEST((dear_api.verdict.kind == PlanVerdict::Kind::buy));
  BOOST_TEST(*dear_api.verdict.option == *dear_api.cheapest);
}

BOOST_AUTO_TEST_CASE(a_comparison_names_the_cheaper_machine_unless_the_costs_tie) {
  // The 70B at Q4_K_M with electricity free, so a month costs the purchase over 36 months: two
  // $750 cards, $1500 / 36 = $41.67; a 64 GiB Mac (its GPU wires 48 GiB) at $1000, $27.78. Both
  // hold the model; one card does not. $41.67 > $27.78 x 1.1 = $30.56: the Mac is the better buy,
  // cheaper. At $1450 ($40.28) the cards are within 10% of it ($44.31): a tie, won by the cards'
  // faster decode (2 x 936 GB/s against 400).
  Catalog c = catalog_70b();
  c.electricity = {0, "test", ""};
  ApiOffer api;
  api.id = "host", api.model = c.models[0].id, api.name = "Host", api.provider = "p";
  api.usd_per_mtok_input = api.usd_per_mtok_output = 1;
  c.apis = {api};
  TestWorkload w;
  w.min_decode_tps = 1;
  const HardwareSpec card24 = card("card-24", 24, 936, 750);
  auto machines = [&](double mac_price) {
    return std::vector<CompareMachine>{{"card-24", machine_from_hardware(card24, 1), false, ""},
                                       {"2xcard-24", machine_from_hardware(card24, 2), false, ""},
                                       {"mac-64", machine_from_hardware(mac("mac-64", 64, mac_price)), false, ""}};
  };
  const Comparison cheap_mac = compare(c, c.models[0], {&c.quants[0]}, machines(1000), w, Budget{0, 36});
  BOOST_REQUIRE(cheap_mac.options.size() == 3u);
  BOOST_TEST(!cheap_mac.options[0].meets);  // one 24 GiB card: 42 GiB do not fit
  BOOST_TEST(cheap_mac.options[1].meets);   // a budget of $0 rules nothing out in a comparison
  BOOST_TEST(cheap_mac.options[1].monthly_usd.value() == 1500.0 / 36, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(cheap_mac.price_usd[1].value() == 1500.0);
  BOOST_REQUIRE(cheap_mac.verdict.better.has_value());
  BOOST_TEST(*cheap_mac.verdict.better == 2u);
  BOOST_TEST(*cheap_mac.verdict.runner_up == 1u);
  BOOST_TEST((cheap_mac.verdict.reason == CompareVerdict::Reason::cheaper));
  // Break-even against the $1/M API with free power: $41.67 / $1e-6 a token = 41.67M tokens.
  BOOST_TEST(cheap_mac.options[1].breakeven_tokens_per_month.value() == 1500.0 / 36 * 1e6,
             boost::test_tools::tolerance(1e-9));

  const Comparison close = compare(c, c.models[0], {&c.quants[0]}, machines(1450), w, Budget{0, 36});
  BOOST_TEST(close.options[1].candidate.estimate.decode_tps > close.options[2].candidate.estimate.decode_tps);
  BOOST_TEST(*close.verdict.better == 1u);
  BOOST_TEST((close.verdict.reason == CompareVerdict::Reason::faster));

  // A Mac with no price has an unknown cost, which never beats a known one: the cards win.
  const Comparison unpriced = compare(c, c.models[0], {&c.quants[0]}, machines(0), w, Budget{0, 36});
  BOOST_TEST(!unpriced.options[2].monthly_usd.has_value());
  BOOST_TEST(!unpriced.price_usd[2].has_value());
  BOOST_TEST(*unpriced.verdict.better == 1u);

  // Owned, the Mac costs its electricity only ($0 here): cheaper than any purchase.
  auto owned = machines(3000);
  owned[2].owned = true;
  const Comparison mine = compare(c, c.models[0], {&c.quants[0]}, owned, w, Budget{0, 36});
  BOOST_TEST(mine.options[2].monthly_usd.value() == 0.0);
  BOOST_TEST(!mine.price_usd[2].has_value());
  BOOST_TEST(*mine.verdict.better == 2u);

  // Only the pair meets a 70B at 15 tok/s (one card does not fit; the Mac's 400 GB/s read 42 GB
  // a token, under 10 tok/s).
  w.min_decode_tps = 15;
  const Comparison fast = compare(c, c.models[0], {&c.quants[0]}, machines(1000), w, Budget{0, 36});
  BOOST_TEST(fast.options[2].why_not.find("too slow") == 0u, fast.options[2].why_not);
  BOOST_TEST(*fast.verdict.better == 1u);
  BOOST_TEST((fast.verdict.reason == CompareVerdict::Reason::only_one_meets));
  w.min_decode_tps = 1000;
  const Comparison none = compare(c, c.models[0], {&c.quants[0]}, machines(1000), w, Budget{0, 36});
  BOOST_TEST(!none.verdict.better.has_value());
  BOOST_TEST((none.verdict.reason == CompareVerdict::Reason::none_meets));
}

BOOST_AUTO_TEST_CASE(a_rental_too_small_is_taken_twice_and_billed_for_the_hours_it_is_up) {
  // The 70B at Q4_K_M does not fit one rented 24 GiB card; two instances hold it. They are billed
  // for every hour they are up, each at the hourly rate. One user's working day (the default):
  // 173.33 h x $0.50 x 2 = $173.33, though they are busy only ~43 h. For 4 users, always on:
  // 730 h x $0.50 for each instance (4 of them: each user's KV cache of 2.5 GiB needs a third
  // and fourth card): $1460.
  Catalog c = catalog_70b();
  c.hardware = {card("card-24", 24, 936, 0)};
  Rental r;
  r.id = "card-24@cloud", r.hardware = "card-24", r.provider = "cloud", r.usd_per_hour = 0.5, r.gpus = 1;
  c.rentals = {r};
  TestWorkload w;
  w.min_decode_tps = 1;
  const Plan p = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, PlanScope{});
  BOOST_REQUIRE(p.cheapest.has_value());
  const PlanOption& o = p.options[*p.cheapest];
  BOOST_TEST(o.how == PlanHow::rent);
  BOOST_TEST(o.count == 2);
  BOOST_TEST(o.label == "2 x card-24@cloud");
  BOOST_TEST(o.candidate.cost.busy_hours < 173.3);
  BOOST_TEST(o.monthly_usd.value() == 173.333333, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(o.candidate.cost.electricity_usd.value() == 0.0);  // in the rate
  BOOST_TEST(p.unpriced == 1);  // the card itself has no purchase price
  w.users = 4;
  const Plan team = plan(c, c.models[0], {&c.quants[0]}, w, Budget{5000, 36}, PlanScope{});
  BOOST_REQUIRE(team.cheapest.has_value());
  BOOST_TEST(team.options[*team.cheapest].count == 4);
  BOOST_TEST(team.options[*team.cheapest].monthly_usd.value() == 1460.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(used_prices_replace_new_ones_where_the_catalog_has_them) {
  // 2 cards at $750 used over 36 months: $41.67 a month of hardware, against $1000 new.
  Catalog c = catalog_70b();
  c.hardware = {card("card-24", 24, 936, 1000)};
  c.hardware[0].used_price_usd = 750;
  PlanScope used;
  used.used = true;
  const Plan p = plan(c, c.models[0], {&c.quants[0]}, TestWorkload{}, Budget{1000, 36}, used);
  bool seen = false;
  for (const auto& o : p.options)
    if (o.count == 2) {
      seen = true;
      BOOST_TEST(o.how == PlanHow::buy_used);
      BOOST_TEST(o.candidate.cost.hardware_usd.value() == 2 * 750.0 / 36, boost::test_tools::tolerance(1e-9));
    }
  BOOST_TEST(seen);
}

BOOST_AUTO_TEST_CASE(owned_machines_too_small_alone_join_over_rpc) {
  // Two machines of 24 GiB of RAM each cannot hold the 70B at Q4_K_M (42 GiB) alone; joined by
  // llama.cpp RPC, each holds half of the layers, and every token pays the 8 ms hop.
  const Catalog c = catalog_70b();
  PlanScope fleet;
  fleet.fleet = {cpu_machine(60, 1000, 24 * kGiB), cpu_machine(60, 1000, 24 * kGiB)};
  TestWorkload w;
  w.min_decode_tps = 0.1;
  w.tokens_per_month = 1e5;  // about 1 tok/s: a light load
  const Plan p = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, fleet);
  BOOST_REQUIRE_EQUAL(p.options.size(), 3u);
  BOOST_REQUIRE(p.cheapest.has_value());
  const PlanOption& joined = p.options[*p.cheapest];
  BOOST_TEST(joined.count == 2);
  BOOST_TEST(joined.how == PlanHow::own);
  BOOST_TEST(joined.candidate.estimate.launch.find("--rpc HOST1:50052") != std::string::npos);
  const double read_s = weight_bytes_per_token(c.models[0], c.quants[0]) / 60e9;
  BOOST_TEST(1 / joined.candidate.estimate.decode_tps == read_s + 8e-3 + 8192 * 4 / 0.125e9,
             boost::test_tools::tolerance(1e-3));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(gpu_calibration)

BOOST_AUTO_TEST_CASE(an_unknown_gpu_measured_through_vulkan_takes_models_at_its_measured_rate) {
  // A GPU the catalog does not know has no bandwidth until Vulkan measures it: then decode goes at
  // the measured read, on the Vulkan backend, and the CPU keeps its own figures.
  Machine m = cpu_machine(33, 300, 24 * kGiB);
  Device gpu;
  gpu.kind = DeviceKind::gpu;
  gpu.name = "Mystery GPU";
  gpu.memory_bytes = {16 * kGiB, "Vulkan heap 0"};
  m.devices.push_back(gpu);
  Calibration c;
  DeviceCalibration dc;
  dc.device = "Mystery GPU", dc.isa = "vulkan", dc.read_gbps = 500, dc.fma_gflops = 20000;
  c.devices = {dc};
  const Machine cal = with_calibration(m, c);
  BOOST_TEST(cal.devices[0].read_gbps.value == 33.0);  // the CPU: untouched by a GPU's figures
  BOOST_TEST(cal.devices[1].read_gbps.value == 500.0);
  BOOST_TEST(cal.devices[1].backend == Backend::vulkan);
  const auto e = estimate(llama_3_1_8b(), q8_0(), cal, TestWorkload{});
  BOOST_TEST(e.placement.kind == PlacementKind::all_gpu);
  // 32 layers x Vulkan's fitted per-layer overhead + the bytes at 500 GB/s.
  BOOST_TEST(1 / e.decode_tps == weight_bytes_per_token(llama_3_1_8b(), q8_0()) / 500e9 +
                                     32 * decode_overhead_s_per_layer(Backend::vulkan),
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(launch_commands)

BOOST_AUTO_TEST_CASE(a_published_gguf_is_named_by_repo_and_quant_tag) {
  // llama-server -hf ORG/REPO:QUANT: the Hub resolves the tag to the file (split files too).
  ModelSpec m = llama_3_1_8b();
  m.repos = {{"bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", m.id, {"Q4_K_M", "Q8_0"}, "test", ""}};
  const auto e = estimate(m, q4_k_m(), gpus(1, 1000, 1e6, 24), TestWorkload{});
  BOOST_TEST(e.launch == "llama-server -hf bartowski/Meta-Llama-3.1-8B-Instruct-GGUF:Q4_K_M -c 8192 -ngl 999");
  BOOST_TEST(offered(m, q4_k_m()));
  BOOST_TEST(!offered(m, q4_0()));  // the repos known publish no Q4_0: not a pick
}

BOOST_AUTO_TEST_CASE(an_unpublished_quant_says_so_and_shows_how_to_make_it) {
  ModelSpec m = llama_3_1_8b();
  m.hf_repo = "meta-llama/Llama-3.1-8B-Instruct";
  m.repos = {{"bartowski/Meta-Llama-3.1-8B-Instruct-GGUF", m.id, {"Q8_0"}, "test", ""}};
  const auto e = estimate(m, q4_k_m(), gpus(1, 1000, 1e6, 24), TestWorkload{});
  BOOST_TEST(e.launch.find("(no published Q4_K_M GGUF of llama-3.1-8b in the catalog) hf download "
                           "meta-llama/Llama-3.1-8B-Instruct") == 0u, e.launch);
  BOOST_TEST(e.launch.find("llama-quantize llama-3.1-8b-BF16.gguf llama-3.1-8b-Q4_K_M.gguf Q4_K_M; llama-server "
                           "-m llama-3.1-8b-Q4_K_M.gguf") != std::string::npos, e.launch);
  BOOST_TEST(e.launch.find('<') == std::string::npos);
  // A vLLM format with no checkpoint: said, never a "<... checkpoint>" placeholder.
  QuantSpec awq = fp8();
  awq.id = "AWQ-4bit", awq.format = QuantFormat::awq;
  const auto v = estimate(m, awq, gpus(1, 1000, 1e6, 24), TestWorkload{});
  BOOST_TEST(v.launch.find("(no published AWQ-4bit checkpoint of llama-3.1-8b in the catalog") == 0u, v.launch);
  BOOST_TEST(v.launch.find('<') == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_checkpoint_on_a_cpu_runs_on_llama_cpp_converted) {
  // `fit` on a Hugging Face folder on a machine without a GPU: the speed is llama.cpp's CPU
  // backend's, so the command is too -- converted to GGUF in the folder's own type.
  ModelSpec m = llama_3_1_8b();
  m.local_path = "/models/Llama-3.1-8B-Instruct";
  QuantSpec bf16 = quant("BF16", "BF16");
  bf16.format = QuantFormat::safetensors;
  const auto e = estimate(m, bf16, cpu_machine(50, 500, 64 * kGiB), TestWorkload{});
  BOOST_TEST(e.engine == Engine::llama_cpp);
  BOOST_TEST(e.launch == "python3 convert_hf_to_gguf.py /models/Llama-3.1-8B-Instruct --outtype bf16 --outfile "
                         "model-bf16.gguf; llama-server -m model-bf16.gguf -c 8192 -ngl 0", e.launch);
  BOOST_TEST((engine_of(fp8(), Backend::cuda) == Engine::vllm));
}

BOOST_AUTO_TEST_SUITE_END()

// The catalog's strings map to enums and back one to one, and a name outside them is an error that
// says where it was read and what was expected.
BOOST_AUTO_TEST_CASE(kind_format_and_how_names_round_trip) {
  for (auto k : {HardwareKind::gpu, HardwareKind::apple, HardwareKind::cpu, HardwareKind::apu})
    BOOST_TEST((parse_hardware_kind(to_string(k), "here") == k));
  for (auto f : {QuantFormat::gguf, QuantFormat::mlx, QuantFormat::safetensors, QuantFormat::fp8, QuantFormat::awq,
                 QuantFormat::gptq, QuantFormat::nvfp4})
    BOOST_TEST((parse_quant_format(to_string(f), "here") == f));
  BOOST_TEST(to_string(PlanHow::buy_used) == "buy used");
  BOOST_TEST(bought(PlanHow::buy_used));
  BOOST_TEST(!bought(PlanHow::rent));
  try {
    parse_quant_format("ggfu", "quants.toml:12: quant 'x': field 'format'");
    BOOST_FAIL("no error");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()) ==
               "quants.toml:12: quant 'x': field 'format': unknown quant format 'ggfu' (expected gguf, mlx, "
               "safetensors, fp8, awq, gptq or nvfp4)");
  }
  BOOST_CHECK_THROW(parse_hardware_kind("GPU", "here"), InputError);
}

// Plan and advise share one eligibility rule (first_unmet): a context longer than the model takes
// is reported as such in a plan, not as the memory it would need.
BOOST_AUTO_TEST_CASE(plan_reports_a_too_long_context_as_such) {
  Catalog c = planning::catalog_70b();
  c.hardware = {planning::card("card-24", 24, 936, 0)};
  Rental r;
  r.id = "card-24@cloud", r.hardware = "card-24", r.provider = "cloud", r.usd_per_hour = 0.5, r.gpus = 1;
  c.rentals = {r};
  TestWorkload w;
  w.min_decode_tps = 1;
  w.context_tokens = c.models[0].context_max * 2;
  const Plan p = plan(c, c.models[0], {&c.quants[0]}, w, Budget{1000, 36}, PlanScope{});
  BOOST_TEST(!p.cheapest.has_value());
  BOOST_REQUIRE(!p.options.empty());
  for (const auto& o : p.options) {
    BOOST_TEST(!o.meets);
    BOOST_TEST(o.why_not == "context " + std::to_string(w.context_tokens) + " > model max " +
                                std::to_string(c.models[0].context_max));
  }
  BOOST_TEST((first_unmet(p.options.front().candidate, c.models[0], w, Budget{1000, 36}) == Unmet::context));
}

BOOST_AUTO_TEST_CASE(without_flash_attention_a_gpu_reads_the_kv_cache_again_for_each_group) {
  // Llama 3.1 8B: 32 query heads over 8 KV heads, so each KV head serves 4; at depth 8192 its f16
  // KV cache is 32 layers x 8192 x 2 x 8 x 128 x 2 B = 1 GiB a token. Without flash attention the
  // other 3 query heads of each group read it again: 3 GiB, of which kNoFlashKvRereadShare reach
  // DRAM at the GPU's 1000 GB/s.
  TestWorkload w;
  w.depth_tokens = 8192;
  const Machine m = gpus(1, 1000, 100000, 80);
  const auto fa = estimate(llama_3_1_8b(), q4_k_m(), m, w);
  w.flash_attention = false;
  const auto off = estimate(llama_3_1_8b(), q4_k_m(), m, w);
  BOOST_TEST(fa.pools[0].kv_reread_bytes == 0);
  BOOST_TEST(off.pools[0].kv_reread_bytes == 3 * kGiB, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(off.bytes_per_token == fa.bytes_per_token);  // the cache is no larger
  BOOST_TEST(1 / off.decode_tps - 1 / fa.decode_tps == kNoFlashKvRereadShare * 3 * kGiB / 1e12,
             boost::test_tools::tolerance(1e-6));
  // A CPU's attention is its calibration's measured arithmetic: no such term.
  const auto cpu = estimate(llama_3_1_8b(), q4_k_m(), cpu_machine(33, 300, 24 * kGiB), w);
  BOOST_TEST(cpu.pools[0].kv_reread_bytes == 0);
}

BOOST_AUTO_TEST_CASE(mla_without_a_flash_attention_kernel_reads_its_latent_once_per_query_head) {
  // An MLA model with 20 query heads (GLM-4.7-Flash's count) has no flash-attention kernel in
  // llama.cpp's CUDA backend (it needs a multiple of 16 per KV head), so it attends without one
  // even when asked: each query head reads the 576-wide latent cache, 19 reads more than one.
  ModelSpec mla = llama_3_1_8b();
  mla.kv_lora_rank = 512, mla.qk_rope_head_dim = 64, mla.heads = 20;
  TestWorkload w;
  w.depth_tokens = 8192;
  Machine m = gpus(1, 1000, 100000, 80);
  const double latent = kv_cache_bytes(mla, 8192, w.kv_type);
  const auto cuda = estimate(mla, q4_k_m(), m, w);
  BOOST_TEST(cuda.pools[0].kv_reread_bytes == 19 * latent, boost::test_tools::tolerance(1e-9));
  // Its prompt moves the attention scores, 4 passes of 4 B per head, layer and position cached
  // when its micro-batch runs (depth + (prompt + micro-batch) / 2 on average), at the read rate.
  const double positions = 8192 + (w.prompt_tokens + w.ubatch_tokens) / 2.0;
  BOOST_TEST(cuda.pools[0].prefill_attention_scores_s == 16.0 * 20 * 32 * positions / 1e12,
             boost::test_tools::tolerance(1e-9));
  // 32 heads: the kernel runs; the latent is read once and no scores are written.
  mla.heads = 32;
  const auto heads32 = estimate(mla, q4_k_m(), m, w);
  BOOST_TEST(heads32.pools[0].kv_reread_bytes == 0);
  BOOST_TEST(heads32.pools[0].prefill_attention_scores_s == 0);
  // Its layers run 7 more kernels of 22 (counted from llama.cpp's deepseek2 graph): each costs
  // that share of the backend's per-layer overhead more than a GQA layer.
  Machine slow = m;
  slow.devices[0].layer_overhead_s = {40e-6, "test"};
  BOOST_TEST(estimate(mla, q4_k_m(), slow, w).pools[0].overhead_s == 32 * 40e-6 * (1 + 7.0 / 22),
             boost::test_tools::tolerance(1e-9));
  BOOST_TEST(estimate(llama_3_1_8b(), q4_k_m(), slow, w).pools[0].overhead_s == 32 * 40e-6,
             boost::test_tools::tolerance(1e-9));
  // Metal has its kernel for 20 heads.
  mla.heads = 20;
  m.devices[0].backend = Backend::metal;
  BOOST_TEST(estimate(mla, q4_k_m(), m, w).pools[0].kv_reread_bytes == 0);
  // llama.cpp attends in the latent space for the prompt too: 2 x 20 heads x (576 + 512) FLOPs a
  // layer and position, over twice the uncompressed heads' 2 x 20 x (128 + 128). A 4096-token
  // prompt's tokens see 1792 more positions on average than a 512-token one's.
  w.depth_tokens = 0;
  w.prompt_tokens = 512;
  const auto short_prompt = estimate(mla, q4_k_m(), m, w);
  w.prompt_tokens = 4096;
  const auto long_prompt = estimate(mla, q4_k_m(), m, w);
  // (Metal's flash-attention kernel at 0.52 of the GEMM rate: kGpuAttentionShare.)
  BOOST_TEST(1 / long_prompt.prefill_tps - 1 / short_prompt.prefill_tps == 32 * 2.0 * 20 * 1088 * 1792 / (0.52 * 100000e9),
             boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(flash_attention_runs_at_a_share_of_the_gemm_rate_and_half_that_for_wide_heads_on_cuda) {
  // Llama 3.1 8B's prompt: a 4096-token prompt's tokens attend 1792 more positions on average
  // than a 512-token one's, 2 x 32 heads x (128 + 128) FLOPs a layer and position. With flash
  // attention on a GPU under llama.cpp that runs at 0.52 of the GEMM rate (kGpuAttentionShare).
  ModelSpec model = llama_3_1_8b();
  TestWorkload w;
  Machine m = gpus(1, 1000, 100000, 80);
  const auto extra = [&](const ModelSpec& x, const Machine& on) {
    w.prompt_tokens = 512;
    const auto short_prompt = estimate(x, q4_k_m(), on, w);
    w.prompt_tokens = 4096;
    const auto long_prompt = estimate(x, q4_k_m(), on, w);
    BOOST_TEST(long_prompt.pools[0].attention_share == short_prompt.pools[0].attention_share);
    return std::pair{long_prompt.pools[0].prefill_attention_s - short_prompt.pools[0].prefill_attention_s,
                     long_prompt.pools[0].attention_share};
  };
  const double flops = 32 * 2.0 * 32 * 256 * 1792;
  auto [cuda_s, cuda_share] = extra(model, m);
  BOOST_TEST(cuda_s == flops / (0.52 * 100000e9), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(cuda_share == 0.52, boost::test_tools::tolerance(1e-9));
  // Head dim 256 on CUDA: the kernel steps over 32 cached positions a tile, not 64; half the rate.
  ModelSpec wide = model;
  wide.head_dim = wide.v_head_dim = 256;
  auto [wide_s, wide_share] = extra(wide, m);
  BOOST_TEST(wide_s == 2 * flops / (0.26 * 100000e9), boost::test_tools::tolerance(1e-9));
  BOOST_TEST(wide_share == 0.26, boost::test_tools::tolerance(1e-9));
  // Vulkan's kernel has no such step: the share alone.
  Machine vulkan = m;
  vulkan.devices[0].backend = Backend::vulkan;
  BOOST_TEST(extra(wide, vulkan).second == 0.52, boost::test_tools::tolerance(1e-9));
  // Without flash attention KQ and KQV are matrix products at the GEMM rate (their scores' memory
  // traffic counted apart).
  w.flash_attention = false;
  auto [plain_s, plain_share] = extra(model, m);
  BOOST_TEST(plain_s == flops / 100000e9, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(plain_share == 1.0, boost::test_tools::tolerance(1e-9));
  // A CPU attends at its compute rate, flash attention or not.
  w.flash_attention = true;
  Machine cpu = m;
  cpu.devices[0].kind = DeviceKind::cpu;
  cpu.devices[0].backend = Backend::cpu;
  BOOST_TEST(extra(model, cpu).second == 1.0, boost::test_tools::tolerance(1e-9));
}

// The 80% bands (estimator/accuracy.cpp), as bench/check_accuracy.py calibrated them on the
// published corpus: each row's held-out coverage 77-81%.
BOOST_AUTO_TEST_CASE(band_scales_the_prediction_by_its_class_and_backend_edges) {
  // A dense model on a CUDA card: gpu-dense on CUDA, decode x0.81..x1.12 of 100 tok/s.
  const Range cuda = band(100, AccuracyClass::gpu_dense, Backend::cuda, true);
  BOOST_TEST(cuda.low == 81, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(cuda.high == 112, boost::test_tools::tolerance(1e-9));
  // Vulkan has its own prefill band (x0.78..x1.31), narrower than ROCm's, the class's
  // (x0.58..x1.27: ROCm's own prompt rows are too few for a band): the backends' residuals differ.
  const Range vulkan = band(1000, AccuracyClass::gpu_dense, Backend::vulkan, false);
  const Range rocm = band(1000, AccuracyClass::gpu_dense, Backend::rocm, false);
  BOOST_TEST(vulkan.low == 780, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(rocm.low == 580, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(vulkan.high - vulkan.low < rocm.high - rocm.low);
}

BOOST_AUTO_TEST_CASE(band_of_a_backend_without_its_own_is_its_classs) {
  // Metal is no backend of the gpu-dense class's own rows: the class's band (x0.83..x1.16 decode).
  const Range r = band(10, AccuracyClass::gpu_dense, Backend::metal, true);
  BOOST_TEST(r.low == 8.3, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(r.high == 11.6, boost::test_tools::tolerance(1e-9));
  // The APUs' prefill band is calibrated and the widest (x0.62..x1.86: one chip's builds and
  // drivers against two other chips), far wider than their decode band (x0.78..x1.06).
  const Range apu = band(1000, AccuracyClass::apu, Backend::rocm, false);
  BOOST_TEST(apu.low == 620, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(apu.high == 1860, boost::test_tools::tolerance(1e-9));
  // An Arm CPU's decode band is wider above than an x86 CPU's (x0.70..x1.52 against x0.72..x1.27):
  // an M2 Max's cores decode F16 and Q8_0 up to 3x faster than their per-core rates give.
  const Range arm = band(10, AccuracyClass::cpu_arm, Backend::cpu, true);
  const Range x86 = band(10, AccuracyClass::cpu, Backend::cpu, true);
  BOOST_TEST(arm.high == 15.2, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(x86.high == 12.7, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(band_calibrated(AccuracyClass::apu, Backend::vulkan, false));
  const Range apu_decode = band(1000, AccuracyClass::apu, Backend::rocm, true);
  BOOST_TEST(apu.high - apu.low > 4 * (apu_decode.high - apu_decode.low));
}

BOOST_AUTO_TEST_CASE(band_is_empty_where_none_is_calibrated_or_the_figure_unknown) {
  // No prefill runs were measured on a calibrated CPU: no band, and band_calibrated says why.
  const Range r = band(50, AccuracyClass::cpu_calibrated, Backend::cpu, false);
  BOOST_TEST(r.low == 0);
  BOOST_TEST(r.high == 0);
  BOOST_TEST(!band_calibrated(AccuracyClass::cpu_calibrated, Backend::cpu, false));
  BOOST_TEST(band_calibrated(AccuracyClass::cpu_calibrated, Backend::cpu, true));
  // An unknown figure (0 tok/s) has no range, whatever its class.
  BOOST_TEST(band(0, AccuracyClass::gpu_dense, Backend::cuda, true).high == 0);
}
