// Reading model files: GGUF and Hugging Face checkpoints written here with known contents (sparse,
// so an 8B model is a few kilobytes), and every kind of malformed header, which must give one
// InputError naming the file, the byte and the field.
#define BOOST_TEST_MODULE gguf
#include <boost/test/unit_test.hpp>

#include <stdlib.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "estimator.hpp"
#include "modelfile.hpp"
#include "gguf_writer.hpp"

using namespace benchr;
using namespace gguf_test;

namespace {

/// A fresh folder under the system temp dir, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "benchr-gguf-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path operator/(const std::string& name) const { return path / name; }
};

/// The InputError message reading `path` gives; fails the test when there is none.
std::string error_of(const fs::path& path) {
  try {
    read_model_file(path.string());
  } catch (const InputError& e) {
    return e.what();
  }
  BOOST_ERROR("no InputError for " << path);
  return "";
}

#define CHECK_ERROR(path, fragment)                                                  \
  do {                                                                               \
    const std::string message_ = error_of(path);                                     \
    BOOST_TEST(message_.find(fragment) != std::string::npos,                         \
               "'" << message_ << "' lacks '" << (fragment) << "'");                 \
  } while (false)

std::string at(uint64_t byte, const std::string& field) {
  return ": byte " + std::to_string(byte) + ": field " + field + ": ";
}

/// Overwrites bytes of a file in place.
void patch(const fs::path& path, uint64_t offset, const std::string& bytes) {
  std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
  f.seekp(std::streamoff(offset));
  f.write(bytes.data(), std::streamsize(bytes.size()));
}

Gguf one_tensor(Tensor t, std::vector<std::string> extra_kvs = {}) {
  Gguf g;
  g.kvs = {kv_str("general.architecture", "llama")};
  for (auto& kv : extra_kvs) g.kvs.push_back(std::move(kv));
  g.tensors.push_back(std::move(t));
  return g;
}

/// Role of a quant mix as one number: bits per weight averaged over its formats.
double role_bits(const QuantSpec& q, Role r) {
  double b = 0;
  for (const auto& s : q.roles[static_cast<std::size_t>(r)]) b += s.fraction * s.format->bits_per_weight();
  return b;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(gguf_files)

BOOST_AUTO_TEST_CASE(metadata_fills_the_model_spec) {
  TempDir dir;
  const auto path = dir / "tiny-Q8_0.gguf";
  write_gguf(path, tiny_llama("Q8_0"));
  const ModelFile f = read_model_file(path.string());
  BOOST_TEST(to_string(f.format) == "gguf");
  BOOST_TEST(f.version == 3u);
  BOOST_TEST(f.architecture == "llama");
  BOOST_TEST(f.name == "tiny");
  BOOST_TEST(f.spec.id == "tiny-Q8_0");
  BOOST_TEST(f.spec.source == path.string());
  BOOST_TEST(f.spec.layers == 2);
  BOOST_TEST(f.spec.hidden == 256);
  BOOST_TEST(f.spec.heads == 4);
  BOOST_TEST(f.spec.kv_heads == 2);
  BOOST_TEST(f.spec.head_dim == 64);  // no key_length: hidden / heads
  BOOST_TEST(f.spec.v_head_dim == 64);
  BOOST_TEST(f.spec.ffn == 512);
  BOOST_TEST(f.spec.vocab == 1000);   // no vocab_size: the tokenizer's 1000 tokens
  BOOST_TEST(f.spec.context_max == 4096);
  BOOST_TEST(f.spec.tied_embeddings);  // no output.weight
  BOOST_TEST(f.tensors.size() == 20u);
  // Elements: embedding 256 x 1000 = 256,000; per layer q 65,536 + k 32,768 + v 32,768 +
  // o 65,536 + gate, up, down 3 x 131,072 = 589,824; norms 2 x 2 x 256 + 256 = 1,280.
  BOOST_TEST(f.spec.params_b * 1e9 == 256000.0 + 2 * 589824 + 1280, boost::test_tools::tolerance(1e-12));
  // Q8_0: 34 bytes per 32 weights: (256,000 + 1,179,648) / 32 x 34 = 1,525,376; F32 1,280 x 4.
  BOOST_TEST(f.bytes_by_type.at("Q8_0") == 1525376u);
  BOOST_TEST(f.bytes_by_type.at("F32") == 5120u);
  BOOST_TEST(f.weight_bytes == 1525376u + 5120u);
  BOOST_TEST(f.tensors[0].name == "token_embd.weight");
  BOOST_TEST(f.tensors[0].offset == 0u);
  BOOST_TEST(f.tensors[1].offset == 272000u);  // 256,000 / 32 x 34, already 32-aligned
}

BOOST_AUTO_TEST_CASE(every_type_has_its_block_size) {
  // One [512, 3] tensor (1,536 weights) per type: 48 blocks of 32 or 6 blocks of 256 weights,
  // times the bytes per block of ggml-common.h (see gguf_writer.hpp).
  const std::pair<const char*, uint64_t> expected[] = {
      {"F32", 6144},    {"F16", 3072},    {"BF16", 3072},   {"Q4_0", 864},   {"Q4_1", 960},
      {"Q5_0", 1056},   {"Q5_1", 1152},   {"Q8_0", 1632},   {"Q2_K", 504},   {"Q3_K", 660},
      {"Q4_K", 864},    {"Q5_K", 1056},   {"Q6_K", 1260},   {"IQ2_XXS", 396}, {"IQ2_XS", 444},
      {"IQ2_S", 492},   {"IQ3_XXS", 588}, {"IQ3_S", 660},   {"IQ1_S", 300},  {"IQ1_M", 336},
      {"IQ4_NL", 864},  {"IQ4_XS", 816},  {"MXFP4", 816},   {"TQ1_0", 324},  {"TQ2_0", 396},
      {"I8", 1536},     {"I16", 3072},    {"I32", 6144},    {"I64", 12288},  {"F64", 12288}};
  TempDir dir;
  Gguf g;
  g.kvs = {kv_str("general.architecture", "llama")};
  for (const auto& [type, bytes] : expected) g.tensors.push_back({std::string("t.") + type, {512, 3}, type, {}, {}});
  write_gguf(dir / "types.gguf", g);
  const ModelFile f = read_model_file((dir / "types.gguf").string());
  BOOST_TEST_REQUIRE(f.tensors.size() == std::size(expected));
  uint64_t sum = 0;
  for (std::size_t i = 0; i < f.tensors.size(); ++i) {
    BOOST_TEST_CONTEXT(expected[i].first) {
      BOOST_TEST(f.tensors[i].type == expected[i].first);
      BOOST_TEST(f.tensors[i].bytes == expected[i].second);
      BOOST_TEST(f.tensors[i].elements() == 1536u);
      BOOST_TEST(f.tensors[i].offset % 32 == 0u);
    }
    sum += expected[i].second;
  }
  BOOST_TEST(f.weight_bytes == sum);
  BOOST_TEST(f.bytes_by_type.at("Q4_K") == 864u);
  // Types the estimator has no format for are counted as the nearest one, and said so.
  const auto noted = [&](const std::string& s) {
    return std::any_of(f.notes.begin(), f.notes.end(), [&](const std::string& n) { return n.find(s) == 0; });
  };
  BOOST_TEST(noted("TQ2_0 is not an estimator format"));
  BOOST_TEST(!noted("Q4_K is not"));
}

BOOST_AUTO_TEST_CASE(nvfp4_is_ggmls_block_of_64_weights_in_36_bytes) {
  // ggml-common.h block_nvfp4: 64 weights, 4 UE4M3 scales + 32 B; the estimator's own format at
  // 4.5 bits per weight, not a nearest one. A row of 32 is no whole block.
  TempDir dir;
  Gguf g;
  g.kvs = {kv_str("general.architecture", "llama")};
  g.tensors.push_back({"blk.0.ffn_up.weight", {512, 3}, "NVFP4", {}, {}});
  g.tensors.push_back({"blk.0.ffn_down.weight", {128, 3}, "Q1_0", {}, {}});
  write_gguf(dir / "fp4.gguf", g);
  const ModelFile f = read_model_file((dir / "fp4.gguf").string());
  BOOST_TEST_REQUIRE(f.tensors.size() == 2u);
  BOOST_TEST(f.tensors[0].bytes == 1536u / 64 * 36);
  BOOST_TEST(f.tensors[1].bytes == 3u * 18);
  const auto noted = [&](const std::string& s) {
    return std::any_of(f.notes.begin(), f.notes.end(), [&](const std::string& n) { return n.find(s) == 0; });
  };
  BOOST_TEST(!noted("NVFP4 is not"));
  BOOST_TEST(noted("Q1_0 is not an estimator format"));
  const QuantSpec q = quant_spec(f);
  BOOST_TEST(q.block_format->name == "NVFP4");
  BOOST_TEST(q.block_format->bits_per_weight() == 4.5);

  g.tensors = {{"blk.0.ffn_up.weight", {32, 3}, "NVFP4", {}, {}}};
  write_gguf(dir / "short.gguf", g);
  try {
    read_model_file((dir / "short.gguf").string());
    BOOST_FAIL("a 32-weight NVFP4 row was read");
  } catch (const InputError& e) {
    BOOST_TEST(std::string(e.what()).find("not whole NVFP4 blocks of 64") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(llama_3_1_8b_q4_k_m_matches_the_real_file) {
  // bench/validation/local-llamacpp.csv: llama-3.1-8b Q4_K_M file_bytes 4,916,393,984,
  // n_params 8,030,261,248. Tensor data worked out by hand (Q4_K 144/256 B, Q6_K 210/256 B):
  //   token_embd 525,336,576 x Q4_K = 295,501,824      output 525,336,576 x Q6_K = 430,940,160
  //   32 x (q, k, o, gate, up = 155,189,248 weights) x Q4_K = 2,793,406,464
  //   attn_v + ffn_down (62,914,560 weights) 16 layers Q6_K + 16 Q4_K = 1,391,984,640
  //   norms and rope_freqs (266,304 F32) = 1,065,216              sum = 4,912,898,304
  // The other 3,495,680 bytes of the real file are its header (tokenizer) and padding.
  TempDir dir;
  const auto path = dir / "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf";
  const Layout layout = write_gguf(path, llama_3_1_8b_q4_k_m());
  BOOST_TEST(layout.file_bytes > 4'900'000'000u);  // sparse: the data region is a hole
  const ModelFile f = read_model_file(path.string());
  BOOST_TEST(f.weight_bytes == 4912898304u);
  BOOST_TEST(std::abs(double(f.weight_bytes) / 4916393984.0 - 1) < 0.01);
  BOOST_TEST(f.bytes_by_type.at("Q6_K") == 430940160u + 16 * 51609600u);
  // llama.cpp's n_params leaves out the 64-element rope_freqs tensor.
  BOOST_TEST(f.spec.params_b * 1e9 == 8030261248.0 + 64, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.spec.layers == 32);
  BOOST_TEST(f.spec.kv_heads == 8);
  BOOST_TEST(f.spec.head_dim == 128);
  BOOST_TEST(f.spec.ffn == 14336);
  BOOST_TEST(f.spec.vocab == 128256);
  BOOST_TEST(f.spec.context_max == 131072);
  BOOST_TEST(!f.spec.tied_embeddings);
  BOOST_TEST(f.name == "Meta Llama 3.1 8B Instruct");

  // The file's mix as a QuantSpec: the estimator's weight bytes from the ModelSpec's shapes agree
  // with the tensors to the rope_freqs' 256 bytes.
  BOOST_TEST(f.file_type == "Q4_K_M");  // general.file_type 15, LLAMA_FTYPE_MOSTLY_Q4_K_M

  const QuantSpec q = quant_spec(f);
  BOOST_TEST(q.id == "Q4_K_M");
  BOOST_TEST(q.block_format->name == "Q4_K");
  BOOST_TEST(role_bits(q, Role::output) == 6.5625, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(role_bits(q, Role::embedding) == 4.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(role_bits(q, Role::attn_v) == (6.5625 + 4.5) / 2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(role_bits(q, Role::ffn_down) == (6.5625 + 4.5) / 2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(role_bits(q, Role::attn_qk) == 4.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(weight_bytes(f.spec, q) == double(f.weight_bytes), boost::test_tools::tolerance(1e-6));

  // And so the file goes through the whole estimate, here on a 24 GiB GPU: every tensor but
  // token_embd (Q4_K, 128256 x 4096 x 4.5 bits), which llama.cpp keeps in host RAM.
  HardwareSpec gpu;
  gpu.id = "gpu-24g", gpu.name = "24 GiB GPU", gpu.kind = HardwareKind::gpu, gpu.backend = Backend::cuda;
  gpu.memory_gib = 24, gpu.memory_bandwidth_gbps = 1008, gpu.fp16_tflops = 165;
  Workload w;
  w.context_tokens = 8192;
  const Estimate e = estimate(f.spec, q, machine_from_hardware(gpu), w);
  BOOST_TEST(e.memory.weights_bytes == double(f.weight_bytes) - 128256.0 * 4096 * 4.5 / 8,
             boost::test_tools::tolerance(1e-6));
  BOOST_TEST(e.fits);
  BOOST_TEST(e.decode_tps > 0);
}

BOOST_AUTO_TEST_CASE(moe_metadata_and_active_parameters) {
  // One MoE layer: 8 experts of 128, top 2. Elements: embedding and output 256,000 each,
  // attn_q 65,536, experts 3 x 256 x 128 x 8 = 786,432, router 2,048: total 1,366,016.
  // Active: all but 6/8 of the experts = 1,366,016 - 589,824 = 776,192.
  TempDir dir;
  Gguf g;
  g.kvs = {kv_str("general.architecture", "qwen3moe"), kv_u32("qwen3moe.block_count", 1),
           kv_u32("qwen3moe.embedding_length", 256), kv_u32("qwen3moe.attention.head_count", 4),
           kv_u32("qwen3moe.expert_count", 8),       kv_u32("qwen3moe.expert_used_count", 2),
           kv_u32("qwen3moe.expert_feed_forward_length", 128), kv_u32("qwen3moe.vocab_size", 1000)};
  g.tensors = {{"token_embd.weight", {256, 1000}, "F16", {}, {}},
               {"blk.0.attn_q.weight", {256, 256}, "Q8_0", {}, {}},
               {"blk.0.ffn_gate_inp.weight", {256, 8}, "F32", {}, {}},
               {"blk.0.ffn_gate_exps.weight", {256, 128, 8}, "Q8_0", {}, {}},
               {"blk.0.ffn_up_exps.weight", {256, 128, 8}, "Q8_0", {}, {}},
               {"blk.0.ffn_down_exps.weight", {128, 256, 8}, "Q8_0", {}, {}},
               {"output.weight", {256, 1000}, "Q6_K", {}, {}}};
  write_gguf(dir / "moe.gguf", g);
  const ModelFile f = read_model_file((dir / "moe.gguf").string());
  BOOST_TEST(f.spec.experts == 8);
  BOOST_TEST(f.spec.experts_active == 2);
  BOOST_TEST(f.spec.expert_ffn == 128);
  BOOST_TEST(f.spec.kv_heads == 4);  // head_count_kv missing: as many as heads, with a note
  BOOST_TEST(f.spec.params_b * 1e9 == 1366016.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.spec.active_params_b * 1e9 == 776192.0, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(f.tensors[3].shape == (std::vector<uint64_t>{256, 128, 8}));
  const QuantSpec q = quant_spec(f);
  BOOST_TEST(role_bits(q, Role::ffn_up) == 8.5, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(role_bits(q, Role::other) == 32.0, boost::test_tools::tolerance(1e-12));  // the router
}

BOOST_AUTO_TEST_CASE(mla_and_sliding_window_metadata) {
  TempDir dir;
  // DeepSeek-V3 as newer llama.cpp conversions store it: key_length is the compressed MQA view
  // (512 + 64), the per-head sizes are in *_mla.
  Gguf ds = one_tensor({"token_embd.weight", {256, 10}, "F16", {}, {}},
                       {kv_u32("llama.attention.kv_lora_rank", 512), kv_u32("llama.attention.q_lora_rank", 1536),
                        kv_u32("llama.attention.key_length", 576), kv_u32("llama.attention.value_length", 512),
                        kv_u32("llama.attention.key_length_mla", 192),
                        kv_u32("llama.attention.value_length_mla", 128), kv_u32("llama.rope.dimension_count", 64)});
  write_gguf(dir / "mla.gguf", ds);
  const ModelFile mla = read_model_file((dir / "mla.gguf").string());
  BOOST_TEST(mla.spec.kv_lora_rank == 512);
  BOOST_TEST(mla.spec.q_lora_rank == 1536);
  BOOST_TEST(mla.spec.head_dim == 192);
  BOOST_TEST(mla.spec.v_head_dim == 128);
  BOOST_TEST(mla.spec.qk_rope_head_dim == 64);

  // Gemma 3 files carry the window but not the pattern: llama.cpp's rule for gemma3 is 6.
  Gguf gemma;
  gemma.kvs = {kv_str("general.architecture", "gemma3"), kv_u32("gemma3.block_count", 12),
               kv_u32("gemma3.attention.sliding_window", 1024)};
  write_gguf(dir / "gemma.gguf", gemma);
  const ModelFile g3 = read_model_file((dir / "gemma.gguf").string());
  BOOST_TEST(g3.spec.sliding_window == 1024);
  BOOST_TEST(g3.spec.sliding_window_pattern == 6);
  BOOST_TEST(g3.tensors.empty());

  // Per-layer flags (true = sliding): 2 of 12 layers global, so every 6th.
  std::vector<bool> flags;
  for (int i = 0; i < 12; ++i) flags.push_back(i % 6 != 5);
  gemma.kvs.push_back(kv_bool_array("gemma3.attention.sliding_window_pattern", flags));
  write_gguf(dir / "flags.gguf", gemma);
  BOOST_TEST(read_model_file((dir / "flags.gguf").string()).spec.sliding_window_pattern == 6);

  // A per-layer head count gives its largest value.
  Gguf elm = one_tensor({"token_embd.weight", {256, 10}, "F16", {}, {}},
                        {kv_i32_array("llama.attention.head_count_kv", {2, 4, 8, 4})});
  write_gguf(dir / "elm.gguf", elm);
  BOOST_TEST(read_model_file((dir / "elm.gguf").string()).spec.kv_heads == 8);
}

BOOST_AUTO_TEST_CASE(version_2_and_custom_alignment) {
  TempDir dir;
  Gguf g = tiny_llama("Q4_0");
  g.version = 2;
  g.alignment = 64;
  g.kvs.push_back(kv_u32("general.alignment", 64));
  const Layout layout = write_gguf(dir / "v2.gguf", g);
  const ModelFile f = read_model_file((dir / "v2.gguf").string());
  BOOST_TEST(f.version == 2u);
  BOOST_TEST(layout.data_start % 64 == 0u);
  for (const auto& t : f.tensors) BOOST_TEST(t.offset % 64 == 0u);
}

BOOST_AUTO_TEST_CASE(split_files_are_read_together) {
  TempDir dir;
  Gguf whole = tiny_llama("Q8_0");
  Gguf first, second;
  first.kvs = whole.kvs;
  for (auto kv : {kv_u16("split.no", 0), kv_u16("split.count", 2), kv_i32("split.tensors.count", 20)})
    first.kvs.push_back(kv);
  second.kvs = {kv_u16("split.no", 1), kv_u16("split.count", 2), kv_i32("split.tensors.count", 20)};
  first.tensors.assign(whole.tensors.begin(), whole.tensors.begin() + 11);
  second.tensors.assign(whole.tensors.begin() + 11, whole.tensors.end());
  write_gguf(dir / "tiny-00001-of-00002.gguf", first);
  write_gguf(dir / "tiny-00002-of-00002.gguf", second);

  for (const char* given : {"tiny-00001-of-00002.gguf", "tiny-00002-of-00002.gguf"}) {
    const ModelFile f = read_model_file((dir / given).string());
    BOOST_TEST(f.files.size() == 2u);
    BOOST_TEST(f.path == (dir / "tiny-00001-of-00002.gguf").string());
    BOOST_TEST(f.spec.id == "tiny");
    BOOST_TEST(f.tensors.size() == 20u);
    BOOST_TEST(f.weight_bytes == 1525376u + 5120u);  // as the single file
    BOOST_TEST(f.spec.layers == 2);
  }

  // A missing shard, a wrong tensor count and a tensor in both shards are errors.
  fs::rename(dir / "tiny-00002-of-00002.gguf", dir / "moved.gguf");
  CHECK_ERROR(dir / "tiny-00001-of-00002.gguf", "shard 2 of 2 is missing");
  fs::rename(dir / "moved.gguf", dir / "tiny-00002-of-00002.gguf");

  Gguf wrong = first;
  wrong.kvs.back() = kv_i32("split.tensors.count", 21);
  const Layout l = write_gguf(dir / "tiny-00001-of-00002.gguf", wrong);
  CHECK_ERROR(dir / "tiny-00001-of-00002.gguf",
              at(l.kv_at.back() + 8 + 19, "split.tensors.count") + "says 21 tensors, the 2 files hold 20");

  Gguf dup = second;
  dup.tensors.push_back(first.tensors.front());
  write_gguf(dir / "tiny-00001-of-00002.gguf", first);
  const Layout d = write_gguf(dir / "tiny-00002-of-00002.gguf", dup);
  CHECK_ERROR(dir / "tiny-00001-of-00002.gguf",
              at(d.tensor_at.back(), "tensor 'token_embd.weight'") + "duplicate tensor name (first at " +
                  (dir / "tiny-00001-of-00002.gguf").string());

  // split.count > 1 in a file whose name cannot find the other shards.
  write_gguf(dir / "renamed.gguf", first);
  CHECK_ERROR(dir / "renamed.gguf", "split.count: the model is split into 2 files");
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(malformed_gguf)

BOOST_AUTO_TEST_CASE(truncated_files) {
  TempDir dir;
  const auto path = dir / "t.gguf";
  const Layout l = write_gguf(path, tiny_llama());
  fs::resize_file(path, 12);
  CHECK_ERROR(path, path.string() + at(8, "n_tensors") + "needs 8 bytes, but the file ends after 4 more bytes");
  fs::resize_file(path, 20);  // n_tensors read, but 20 tensor infos need at least 25 bytes each
  CHECK_ERROR(path, at(8, "n_tensors") + "20 tensors cannot be described in the 4 bytes left");

  write_gguf(path, tiny_llama());
  fs::resize_file(path, l.tensor_at[3] + 10);  // tensor[3]'s name length and 2 of its 19 bytes
  CHECK_ERROR(path, at(l.tensor_at[3], "tensor[3] name") + "a string of 19 bytes runs past the end of the file (2 bytes left)");

  write_gguf(path, tiny_llama());
  fs::resize_file(path, l.file_bytes - 1);  // the last tensor's data is one byte short
  CHECK_ERROR(path, at(l.offset_at.back(), "tensor 'output_norm.weight' offset") + "data at");
  CHECK_ERROR(path, "ends past the end of the file");

  fs::resize_file(path, 2);
  CHECK_ERROR(path, at(0, "magic"));
}

BOOST_AUTO_TEST_CASE(wrong_magic_and_versions) {
  TempDir dir;
  const auto path = dir / "m.gguf";
  write_gguf(path, tiny_llama());
  patch(path, 0, "GGUX");
  CHECK_ERROR(path, at(0, "magic") + "neither a GGUF file");

  write_gguf(path, tiny_llama());
  patch(path, 4, Bytes().u32(1).data());
  CHECK_ERROR(path, at(4, "version") + "GGUF version 1 (2023) is not supported");
  patch(path, 4, Bytes().u32(4).data());
  CHECK_ERROR(path, at(4, "version") + "unknown GGUF version 4");
  patch(path, 4, Bytes().u32(0x03000000).data());
  CHECK_ERROR(path, at(4, "version") + "50331648 looks byte-swapped");
}

BOOST_AUTO_TEST_CASE(absurd_counts) {
  TempDir dir;
  const auto path = dir / "c.gguf";
  write_gguf(path, tiny_llama());
  const uint64_t left = fs::file_size(path) - 16;  // after reading n_tensors
  patch(path, 8, Bytes().u64(uint64_t(1) << 60).data());
  CHECK_ERROR(path, at(8, "n_tensors") + "1152921504606846976 tensors cannot be described in the " +
                        std::to_string(left) + " bytes left");

  write_gguf(path, tiny_llama());
  patch(path, 16, Bytes().u64(uint64_t(1) << 60).data());
  CHECK_ERROR(path, at(16, "n_kv") + "1152921504606846976 key-value pairs cannot fit");

  // An array of 2^61 u32 after the key "big" (24 + 8 + 3 + type 4 + element type 4 = byte 43).
  Gguf g;
  g.kvs = {Bytes().str("big").u32(kArray).u32(kU32).u64(uint64_t(1) << 61).data()};
  write_gguf(path, g);
  CHECK_ERROR(path, at(43, "kv 'big' length") + "2305843009213693952 u32 elements cannot fit in the 0 bytes left");
  g.kvs = {Bytes().str("strs").u32(kArray).u32(kString).u64(uint64_t(1) << 40).u64(0).data()};
  write_gguf(path, g);
  CHECK_ERROR(path, at(44, "kv 'strs' length") + "1099511627776 string elements cannot fit");
}

BOOST_AUTO_TEST_CASE(strings_past_the_end) {
  TempDir dir;
  const auto path = dir / "s.gguf";
  Gguf g;
  g.kvs = {Bytes().u64(1000000).raw("abc").raw(std::string(20, '\0')).data()};
  write_gguf(path, g);
  CHECK_ERROR(path, at(24, "kv[0] key") + "a string of 1000000 bytes runs past the end of the file (23 bytes left)");

  g.kvs = {Bytes().str("general.name").u32(kString).u64(uint64_t(1) << 62).data()};
  write_gguf(path, g);
  CHECK_ERROR(path, at(24 + 8 + 12 + 4, "kv 'general.name'") + "a string of 4611686018427387904 bytes");
}

BOOST_AUTO_TEST_CASE(bad_values) {
  TempDir dir;
  const auto path = dir / "v.gguf";
  Gguf g;
  g.kvs = {Bytes().str("k").u32(13).u32(0).u64(0).data()};
  write_gguf(path, g);
  CHECK_ERROR(path, at(33, "kv 'k' type") + "unknown value type 13");

  g.kvs = {Bytes().str("k").u32(kArray).u32(kArray).u64(0).data()};
  write_gguf(path, g);
  CHECK_ERROR(path, at(37, "kv 'k' element type") + "arrays of arrays are not allowed");

  g.kvs = {kv_str("general.architecture", "llama"), kv_str("general.architecture", "llama")};
  const Layout l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.kv_at[1], "kv 'general.architecture'") + "duplicate key");

  g.kvs = {kv_str("general.name", "no architecture")};
  write_gguf(path, g);
  CHECK_ERROR(path, at(24, "general.architecture") + "missing");

  g.kvs = {kv_str("general.architecture", "llama"), kv_str("llama.block_count", "two")};
  const Layout s = write_gguf(path, g);
  CHECK_ERROR(path, at(s.kv_at[1] + 8 + 17, "llama.block_count") + "expected an integer");

  g.kvs = {kv_str("general.architecture", "llama"), kv_u32("general.alignment", 48)};
  const Layout a = write_gguf(path, g);
  CHECK_ERROR(path, at(a.kv_at[1] + 8 + 17, "general.alignment") + "48 is not a power of 2");
  g.kvs.back() = kv_u64("general.alignment", 32);
  write_gguf(path, g);
  CHECK_ERROR(path, "general.alignment: must be a u32, found u64");
}

BOOST_AUTO_TEST_CASE(bad_shapes_and_types) {
  TempDir dir;
  const auto path = dir / "x.gguf";
  // Dimensions start after the name (8 + 1) and n_dims (4).
  Gguf g = one_tensor({"w", {uint64_t(1) << 32, uint64_t(1) << 32}, "F32", uint64_t(0), {}});
  g.data_bytes = 0;
  Layout l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.tensor_at[0] + 9, "tensor 'w' shape") + "the element count of shape [4294967296, 4294967296]... overflows 63 bits");

  g.tensors[0].shape = {uint64_t(1) << 40, uint64_t(1) << 23};  // 2^63: past int64
  l = write_gguf(path, g);
  CHECK_ERROR(path, "overflows 63 bits");

  g.tensors[0].shape = {uint64_t(-5)};
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.tensor_at[0] + 13, "tensor 'w' shape") + "dimension 0 is negative (-5)");

  g.tensors[0].shape = {32, 1, 1, 1, 1};
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.tensor_at[0] + 9, "tensor 'w' n_dims") + "5 dimensions, at most 4 allowed");

  g.tensors[0].shape = {32};
  g.tensors[0].type_id = 200;
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.type_at[0], "tensor 'w' type") + "unknown or retired ggml type id 200");
  g.tensors[0].type_id = 33;  // Q4_0_8_8: no longer stored in files
  write_gguf(path, g);
  CHECK_ERROR(path, "unknown or retired ggml type id 33");

  g = one_tensor({"w", {100, 2}, "Q4_K", {}, {}});
  g.data_bytes = 0;
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.type_at[0], "tensor 'w' type") + "rows of 100 elements are not whole Q4_K blocks of 256");

  g = one_tensor({std::string(64, 'n'), {32}, "F32", {}, {}});
  write_gguf(path, g);
  CHECK_ERROR(path, "name of 64 bytes is longer than ggml's limit of 63");
}

BOOST_AUTO_TEST_CASE(bad_offsets) {
  TempDir dir;
  const auto path = dir / "o.gguf";
  Gguf g = tiny_llama("F32");
  g.tensors[1].offset = 1024000;              // the embedding is 256 x 1000 x 4 bytes
  g.tensors[2].offset = 1024000 + 1024 + 16;  // 16 past the attn_norm's end: misaligned
  Layout l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.offset_at[2], "tensor 'blk.0.attn_q.weight' offset") +
                        "1025040 is not a multiple of the alignment 32");

  g = tiny_llama("F32");
  g.tensors[3].offset = 0;  // on top of token_embd
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.offset_at[3], "tensor 'blk.0.attn_k.weight' offset") +
                        "data at 0 overlaps tensor 'token_embd.weight' (0 + 1024000 bytes)");

  g = tiny_llama("F32");
  g.tensors[0].offset = uint64_t(1) << 62;
  g.data_bytes = 4096;
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.offset_at[0], "tensor 'token_embd.weight' offset") + "data at 4611686018427387904");

  g = tiny_llama("F32");
  g.tensors[5].name = g.tensors[4].name;
  l = write_gguf(path, g);
  CHECK_ERROR(path, at(l.tensor_at[5], "tensor 'blk.0.attn_v.weight'") + "duplicate tensor name (first at " +
                        path.string() + " byte " + std::to_string(l.tensor_at[4]) + ")");
}

BOOST_AUTO_TEST_CASE(not_a_model_file) {
  TempDir dir;
  write_bytes(dir / "notes.txt", "hello, world");
  CHECK_ERROR(dir / "notes.txt", at(0, "magic") + "neither a GGUF file");
  CHECK_ERROR(dir / "absent.gguf", "absent.gguf: no such file or folder");
  write_bytes(dir / "empty.gguf", "");
  CHECK_ERROR(dir / "empty.gguf", at(0, "magic"));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------
BOOST_AUTO_TEST_SUITE(huggingface)

namespace {

using nlohmann::json;

struct StTensor {
  std::string name, dtype;
  std::vector<uint64_t> shape;  ///< row-major
};

uint64_t st_bytes(const StTensor& t) {
  uint64_t n = t.dtype == "F32" ? 4 : 2;
  for (auto d : t.shape) n *= d;
  return n;
}

void write_st(const fs::path& path, const std::vector<StTensor>& ts) {
  json h = json::object();
  uint64_t off = 0;
  for (const auto& t : ts) {
    h[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {off, off + st_bytes(t)}}};
    off += st_bytes(t);
  }
  h["__metadata__"] = {{"format", "pt"}};
  write_safetensors(path, h.dump(), off);
}

/// The tiny llama of gguf_writer.hpp with Hugging Face names, BF16, untied.
std::vector<StTensor> hf_tiny() {
  std::vector<StTensor> ts{{"model.embed_tokens.weight", "BF16", {1000, 256}}};
  for (int i = 0; i < 2; ++i) {
    const std::string p = "model.layers." + std::to_string(i) + ".";
    ts.push_back({p + "input_layernorm.weight", "BF16", {256}});
    ts.push_back({p + "self_attn.q_proj.weight", "BF16", {256, 256}});
    ts.push_back({p + "self_attn.k_proj.weight", "BF16", {128, 256}});
    ts.push_back({p + "self_attn.v_proj.weight", "BF16", {128, 256}});
    ts.push_back({p + "self_attn.o_proj.weight", "BF16", {256, 256}});
    ts.push_back({p + "post_attention_layernorm.weight", "BF16", {256}});
    ts.push_back({p + "mlp.gate_proj.weight", "BF16", {512, 256}});
    ts.push_back({p + "mlp.up_proj.weight", "BF16", {512, 256}});
    ts.push_back({p + "mlp.down_proj.weight", "BF16", {256, 512}});
  }
  ts.push_back({"model.norm.weight", "BF16", {256}});
  ts.push_back({"lm_head.weight", "BF16", {1000, 256}});
  return ts;
}

void write_config(const fs::path& dir, json extra = json::object()) {
  json c = {{"model_type", "llama"},           {"num_hidden_layers", 2},  {"hidden_size", 256},
            {"num_attention_heads", 4},        {"num_key_value_heads", 2}, {"intermediate_size", 512},
            {"vocab_size", 1000},              {"max_position_embeddings", 4096},
            {"tie_word_embeddings", false},    {"torch_dtype", "bfloat16"}};
  c.update(extra);
  write_bytes(dir / "config.json", c.dump(2));
}

// Elements: 2 x 256,000 (embedding, lm_head) + 2 x 589,824 + 1,280 norms = 1,692,928; BF16 2 B.
constexpr uint64_t kHfTinyBytes = 2 * 1692928;

}  // namespace

BOOST_AUTO_TEST_CASE(folder_with_one_safetensors_file) {
  TempDir dir;
  write_config(dir.path);
  write_st(dir / "model.safetensors", hf_tiny());
  for (const fs::path& given : {dir.path, dir / "model.safetensors", dir / "config.json"}) {
    const ModelFile f = read_model_file(given.string());
    BOOST_TEST(to_string(f.format) == "safetensors");
    BOOST_TEST(f.architecture == "llama");
    BOOST_TEST(f.files.size() == 1u);
    BOOST_TEST(f.tensors.size() == 21u);
    BOOST_TEST(f.weight_bytes == kHfTinyBytes);
    BOOST_TEST(f.bytes_by_type.at("BF16") == kHfTinyBytes);
    BOOST_TEST(f.spec.params_b * 1e9 == 1692928.0, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(f.spec.layers == 2);
    BOOST_TEST(f.spec.hidden == 256);
    BOOST_TEST(f.spec.kv_heads == 2);
    BOOST_TEST(f.spec.head_dim == 64);
    BOOST_TEST(f.spec.ffn == 512);
    BOOST_TEST(f.spec.vocab == 1000);
    BOOST_TEST(f.spec.context_max == 4096);
    BOOST_TEST(!f.spec.tied_embeddings);  // lm_head.weight is stored
    BOOST_TEST(f.spec.id == dir.path.filename().string());
  }
  const ModelFile f = read_model_file(dir.path.string());
  BOOST_TEST(f.tensors[0].name == "model.embed_tokens.weight");
  BOOST_TEST(f.tensors[0].shape == (std::vector<uint64_t>{1000, 256}));
  const QuantSpec q = quant_spec(f);
  BOOST_TEST(q.block_format->name == "BF16");
  BOOST_TEST(q.id == "BF16");  // no file type: the type holding most bytes
  BOOST_TEST(weight_bytes(f.spec, q) == double(f.weight_bytes), boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(sharded_folder_with_an_index) {
  TempDir dir;
  write_config(dir.path, {{"num_local_experts", 8}, {"num_experts_per_tok", 2}});
  const auto ts = hf_tiny();
  const std::vector<StTensor> a(ts.begin(), ts.begin() + 10), b(ts.begin() + 10, ts.end());
  write_st(dir / "model-00001-of-00002.safetensors", a);
  write_st(dir / "model-00002-of-00002.safetensors", b);
  json map = json::object();
  for (const auto& t : a) map[t.name] = "model-00001-of-00002.safetensors";
  for (const auto& t : b) map[t.name] = "model-00002-of-00002.safetensors";
  const json index = {{"metadata", {{"total_size", kHfTinyBytes}}}, {"weight_map", map}};
  write_bytes(dir / "model.safetensors.index.json", index.dump());

  for (const fs::path& given : {dir.path, dir / "model-00002-of-00002.safetensors"}) {
    const ModelFile f = read_model_file(given.string());
    BOOST_TEST(f.files.size() == 2u);
    BOOST_TEST(f.tensors.size() == 21u);
    BOOST_TEST(f.weight_bytes == kHfTinyBytes);
    BOOST_TEST(f.spec.experts == 8);
    BOOST_TEST(f.spec.experts_active == 2);
    BOOST_TEST(f.spec.expert_ffn == 512);  // Mixtral: intermediate_size is the expert's width
  }

  // The index must name files in this folder, that exist, holding the tensors it says.
  json bad = index;
  bad["weight_map"]["lm_head.weight"] = "../elsewhere.safetensors";
  write_bytes(dir / "model.safetensors.index.json", bad.dump());
  CHECK_ERROR(dir.path, "field weight_map 'lm_head.weight': must name a .safetensors file in the same folder");
  bad["weight_map"]["lm_head.weight"] = "model-00003-of-00002.safetensors";
  write_bytes(dir / "model.safetensors.index.json", bad.dump());
  CHECK_ERROR(dir.path, "'model-00003-of-00002.safetensors', which is missing");
  bad["weight_map"]["lm_head.weight"] = "model-00001-of-00002.safetensors";
  write_bytes(dir / "model.safetensors.index.json", bad.dump());
  CHECK_ERROR(dir.path, "field weight_map 'lm_head.weight': not found in model-00001-of-00002.safetensors");
}

BOOST_AUTO_TEST_CASE(malformed_safetensors) {
  TempDir dir;
  const auto path = dir / "m.safetensors";
  const std::string ok = R"({"w":{"dtype":"F32","shape":[2,4],"data_offsets":[0,32]}})";
  write_safetensors(path, ok, 32);
  BOOST_TEST(read_model_file(path.string()).weight_bytes == 32u);

  write_bytes(path, Bytes().u64(1000).raw("{}").data());
  CHECK_ERROR(path, at(0, "header length") + "1000 bytes, but only 2 bytes follow");
  write_bytes(path, Bytes().u64(uint64_t(1) << 62).raw("{}").data());
  CHECK_ERROR(path, at(0, "header length") + "4611686018427387904 bytes is over the format's limit");
  write_safetensors(path, R"({"w": [1, 2,})", 0);
  CHECK_ERROR(path, at(8 + 12, "header") + "not valid JSON");
  write_safetensors(path, R"({"w":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}})", 4);
  CHECK_ERROR(path, at(8, "header") + "not valid JSON: a number is out of range");
  write_safetensors(path, R"({"w":{"dtype":"Q4","shape":[2],"data_offsets":[0,2]}})", 2);
  CHECK_ERROR(path, at(9, "tensor 'w' dtype") + "unknown dtype 'Q4'");
  write_safetensors(path, R"({"w":{"dtype":"F32","shape":[2,4],"data_offsets":[0,30]}})", 32);
  CHECK_ERROR(path, "field tensor 'w' data_offsets: [0, 30] holds 30 bytes, but F32 [2, 4] needs 32");
  write_safetensors(path, ok, 31);
  // The 57-byte header is padded to 64, so the data starts at byte 72 and ends at 104.
  CHECK_ERROR(path, "field tensor 'w' data_offsets: data ends at byte 104, past the end of the file (103 bytes)");
  write_safetensors(path, R"({"w":{"dtype":"F32","shape":[-2,4],"data_offsets":[0,32]}})", 32);
  CHECK_ERROR(path, "field tensor 'w' shape: dimensions must be non-negative integers");
  write_safetensors(path, R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}})", 0);
  CHECK_ERROR(path, "overflows 64 bits");
  write_safetensors(path,
                    R"({"a":{"dtype":"F16","shape":[8],"data_offsets":[0,16]},)"
                    R"("b":{"dtype":"F16","shape":[8],"data_offsets":[8,24]}})",
                    24);
  CHECK_ERROR(path, "field tensor 'b' data_offsets: data at 8 overlaps tensor 'a'");
  write_safetensors(path, R"({"w":{"dtype":"F32","shape":[[[[1]]]],"data_offsets":[0,4]}})", 4);
  CHECK_ERROR(path, at(8, "header") + "JSON nested deeper than 3 levels");
  write_safetensors(path, R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{}})", 4);
  CHECK_ERROR(path, "duplicate key 'w'");
  write_safetensors(path, R"(["w"])", 0);
  CHECK_ERROR(path, at(8, "header") + "does not start with '{'");
}

BOOST_AUTO_TEST_CASE(config_errors_name_the_field) {
  TempDir dir;
  write_st(dir / "model.safetensors", hf_tiny());
  write_bytes(dir / "config.json", R"({"model_type": "llama", "num_hidden_layers": "two"})");
  CHECK_ERROR(dir.path, (dir / "config.json").string() + at(24, "num_hidden_layers") + "expected an integer, found string");
  write_bytes(dir / "config.json", R"({"model_type": "llama", "hidden_size": -1})");
  CHECK_ERROR(dir.path, "field hidden_size: negative value -1");
  write_bytes(dir / "config.json", R"({"model_type": "llama",)");
  CHECK_ERROR(dir.path, "field config.json: not valid JSON");
  // Found by bench/fuzz_gguf.sh: a number beyond a double's range.
  write_bytes(dir / "config.json", R"({"hidden_size": 1111e111111})");
  CHECK_ERROR(dir.path, "field config.json: not valid JSON: a number is out of range");
  fs::remove(dir / "model.safetensors");
  CHECK_ERROR(dir.path, "no model.safetensors or model.safetensors.index.json");
}

BOOST_AUTO_TEST_CASE(recurrent_layers_from_ssm_metadata) {
  TempDir dir;
  // Qwen3-Next-80B-A3B as llama.cpp converts it (ssm_* keys from the linear_* config fields, no
  // interval key: llama.cpp's rule makes every 4th layer full attention). Per layer: conv state
  // 3 x (4096 + 2 x 16 x 128) = 24576 and state 128 x 4096 = 524288 (llama-hparams.cpp n_embd_r,
  // n_embd_s); inputs 2 x 16 x 128 + 2 x 4096 + 2 x 32 = 12352 wide.
  Gguf next;
  next.kvs = {kv_str("general.architecture", "qwen3next"), kv_u32("qwen3next.block_count", 48),
              kv_u32("qwen3next.attention.head_count", 16), kv_u32("qwen3next.attention.head_count_kv", 2),
              kv_u32("qwen3next.ssm.inner_size", 4096), kv_u32("qwen3next.ssm.state_size", 128),
              kv_u32("qwen3next.ssm.group_count", 16), kv_u32("qwen3next.ssm.time_step_rank", 32),
              kv_u32("qwen3next.ssm.conv_kernel", 4)};
  write_gguf(dir / "next.gguf", next);
  const ModelSpec q = read_model_file((dir / "next.gguf").string()).spec;
  BOOST_TEST(q.recurrent_layers == 36);
  BOOST_TEST(to_string(q.recurrent_kind) == "gated_delta_net");
  BOOST_TEST(q.recurrent_state == 24576 + 524288);
  BOOST_TEST(q.recurrent_in_proj == 12352);
  BOOST_TEST(q.recurrent_out_proj == 4096);
  BOOST_TEST(q.attn_output_gate);

  // Granite 4.0-H-Small (Mamba2): KV heads per layer, 0 on the 36 Mamba layers; d_inner 8192,
  // one group, state 128, 128 heads: conv 3 x (8192 + 256), state 128 x 8192, inputs 2 x 8192 +
  // 256 + 128 (x, z, B, C, dt).
  std::vector<int32_t> kv(40, 0);
  for (int i : {5, 15, 25, 35}) kv[std::size_t(i)] = 8;
  Gguf granite;
  granite.kvs = {kv_str("general.architecture", "granitehybrid"), kv_u32("granitehybrid.block_count", 40),
                 kv_u32("granitehybrid.attention.head_count", 32), kv_i32_array("granitehybrid.attention.head_count_kv", kv),
                 kv_u32("granitehybrid.ssm.inner_size", 8192), kv_u32("granitehybrid.ssm.state_size", 128),
                 kv_u32("granitehybrid.ssm.group_count", 1), kv_u32("granitehybrid.ssm.time_step_rank", 128),
                 kv_u32("granitehybrid.ssm.conv_kernel", 4)};
  write_gguf(dir / "granite.gguf", granite);
  const ModelSpec g = read_model_file((dir / "granite.gguf").string()).spec;
  BOOST_TEST(g.recurrent_layers == 36);
  BOOST_TEST(to_string(g.recurrent_kind) == "mamba2");
  BOOST_TEST(g.kv_heads == 8);
  BOOST_TEST(g.recurrent_state == 3 * (8192 + 256) + 128 * 8192);
  BOOST_TEST(g.recurrent_in_proj == 2 * 8192 + 256 + 128);

  // The same shapes from config.json: Qwen3.5's layer_types and linear_* keys, Granite's mamba_*.
  write_st(dir / "model.safetensors", {{"model.embed_tokens.weight", "BF16", {1000, 256}}});
  json types = json::array();
  for (int i = 0; i < 40; ++i) types.push_back(i % 4 == 3 ? "full_attention" : "linear_attention");
  const json qwen = {{"num_hidden_layers", 40}, {"hidden_size", 2048}, {"num_attention_heads", 16},
                     {"num_key_value_heads", 2}, {"head_dim", 256}, {"attn_output_gate", true},
                     {"layer_types", types}, {"linear_num_key_heads", 16}, {"linear_num_value_heads", 32},
                     {"linear_key_head_dim", 128}, {"linear_value_head_dim", 128}, {"linear_conv_kernel_dim", 4}};
  write_bytes(dir / "config.json", json({{"model_type", "qwen3_5_moe"}, {"text_config", qwen}}).dump());
  const ModelSpec q35 = read_model_file(dir.path.string()).spec;
  BOOST_TEST(q35.recurrent_layers == 30);
  BOOST_TEST(q35.recurrent_state == 24576 + 524288);
  BOOST_TEST(q35.recurrent_in_proj == 12352);
  BOOST_TEST(q35.attn_output_gate);

  json mamba = json::array();
  for (int i = 0; i < 40; ++i) mamba.push_back(i % 10 == 5 ? "attention" : "mamba");
  const json gr = {{"num_hidden_layers", 40}, {"hidden_size", 4096}, {"num_attention_heads", 32},
                   {"num_key_value_heads", 8}, {"layer_types", mamba}, {"mamba_n_heads", 128},
                   {"mamba_d_head", 64}, {"mamba_d_state", 128}, {"mamba_n_groups", 1}, {"mamba_d_conv", 4}};
  write_bytes(dir / "config.json", json({{"model_type", "granitemoehybrid"}, {"text_config", gr}}).dump());
  const ModelSpec g2 = read_model_file(dir.path.string()).spec;
  BOOST_TEST(g2.recurrent_layers == 36);
  BOOST_TEST(g2.recurrent_state == g.recurrent_state);
  BOOST_TEST(g2.recurrent_in_proj == g.recurrent_in_proj);
  BOOST_TEST(!g2.attn_output_gate);
}

BOOST_AUTO_TEST_CASE(multimodal_and_sliding_window_configs) {
  TempDir dir;
  write_st(dir / "model.safetensors", {{"language_model.model.embed_tokens.weight", "BF16", {1000, 256}},
                                       {"vision_tower.patch.weight", "BF16", {256, 16}}});
  const json text = {{"num_hidden_layers", 12}, {"hidden_size", 256}, {"num_attention_heads", 4},
                     {"num_key_value_heads", 1}, {"head_dim", 128},   {"sliding_window", 512},
                     {"sliding_window_pattern", 6}};
  write_bytes(dir / "config.json", json({{"model_type", "gemma3"}, {"text_config", text}}).dump());
  const ModelFile f = read_model_file(dir.path.string());
  BOOST_TEST(f.architecture == "gemma3");
  BOOST_TEST(f.spec.layers == 12);
  BOOST_TEST(f.spec.head_dim == 128);
  BOOST_TEST(f.spec.sliding_window == 512);
  BOOST_TEST(f.spec.sliding_window_pattern == 6);
  BOOST_TEST(f.spec.tied_embeddings);
  BOOST_TEST(f.spec.vision_params_b * 1e9 == 4096.0, boost::test_tools::tolerance(1e-12));

  // gpt-oss style: layer_types alternate, so every 2nd layer is global.
  json types = json::array();
  for (int i = 0; i < 12; ++i) types.push_back(i % 2 ? "full_attention" : "sliding_attention");
  json t2 = text;
  t2.erase("sliding_window_pattern");
  t2["layer_types"] = types;
  write_bytes(dir / "config.json", json({{"model_type", "gpt_oss"}, {"text_config", t2}}).dump());
  BOOST_TEST(read_model_file(dir.path.string()).spec.sliding_window_pattern == 2);
}

BOOST_AUTO_TEST_SUITE_END()
