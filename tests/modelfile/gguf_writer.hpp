// A small GGUF and safetensors writer for tests and fuzz seeds: headers with known metadata and
// tensors, the data region left as a hole (a sparse file), so an 8B-shaped model costs a few
// kilobytes of disk. Written from the format descriptions (llama.cpp ggml/src/gguf.cpp, docs/gguf.md;
// huggingface/safetensors README), independently of modelfile/.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gguf_test {

namespace fs = std::filesystem;

/// ggml types: id and (elements, bytes) per block, worked out from ggml-common.h's structs
/// (ggml_half = 2 bytes, QK_K = 256).
struct TypeRule {
  std::string_view name;
  uint32_t id;
  uint64_t block_elements, block_bytes;
};
inline constexpr TypeRule kTypeRules[] = {
    {"F32", 0, 1, 4},
    {"F16", 1, 1, 2},
    {"Q4_0", 2, 32, 18},      // d + 16 B of nibbles
    {"Q4_1", 3, 32, 20},      // d, m + 16 B
    {"Q5_0", 6, 32, 22},      // d + 4 B high bits + 16 B
    {"Q5_1", 7, 32, 24},      // d, m + 4 B + 16 B
    {"Q8_0", 8, 32, 34},      // d + 32 int8
    {"Q2_K", 10, 256, 84},    // 16 B scales + 64 B quants + d, dmin
    {"Q3_K", 11, 256, 110},   // 32 B hmask + 64 B quants + 12 B scales + d
    {"Q4_K", 12, 256, 144},   // d, dmin + 12 B scales + 128 B quants
    {"Q5_K", 13, 256, 176},   // d, dmin + 12 B scales + 32 B high bits + 128 B quants
    {"Q6_K", 14, 256, 210},   // 128 B low + 64 B high + 16 B scales + d
    {"IQ2_XXS", 16, 256, 66}, // d + 64 B
    {"IQ2_XS", 17, 256, 74},  // d + 64 B + 8 B scales
    {"IQ3_XXS", 18, 256, 98}, // d + 96 B
    {"IQ1_S", 19, 256, 50},   // d + 32 B + 16 B
    {"IQ4_NL", 20, 32, 18},   // d + 16 B
    {"IQ3_S", 21, 256, 110},  // d + 64 + 32 + 8 + 4 B
    {"IQ2_S", 22, 256, 82},   // d + 64 + 16 B
    {"IQ4_XS", 23, 256, 136}, // d + 2 B scales_h + 4 B scales_l + 128 B
    {"I8", 24, 1, 1},
    {"I16", 25, 1, 2},
    {"I32", 26, 1, 4},
    {"I64", 27, 1, 8},
    {"F64", 28, 1, 8},
    {"IQ1_M", 29, 256, 56},   // 32 + 16 + 8 B (scale inside)
    {"BF16", 30, 1, 2},
    {"TQ1_0", 34, 256, 54},   // 48 + 4 B + d
    {"TQ2_0", 35, 256, 66},   // 64 B + d
    {"MXFP4", 39, 32, 17},    // e8m0 scale + 16 B
    {"NVFP4", 40, 64, 36},    // 4 UE4M3 scales (one per 16) + 32 B of E2M1 nibbles
    {"Q1_0", 41, 128, 18},    // d + 16 B of sign bits
};

inline const TypeRule& rule(std::string_view name) {
  for (const auto& r : kTypeRules)
    if (r.name == name) return r;
  throw std::invalid_argument("no type rule " + std::string(name));
}

/// Little-endian byte string builder.
class Bytes {
 public:
  Bytes& uint(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s_ += char((v >> (8 * i)) & 0xff);
    return *this;
  }
  Bytes& u8(uint8_t v) { return uint(v, 1); }
  Bytes& u16(uint16_t v) { return uint(v, 2); }
  Bytes& u32(uint32_t v) { return uint(v, 4); }
  Bytes& u64(uint64_t v) { return uint(v, 8); }
  Bytes& str(std::string_view v) {
    u64(v.size());
    s_ += v;
    return *this;
  }
  Bytes& raw(std::string_view v) {
    s_ += v;
    return *this;
  }
  const std::string& data() const { return s_; }
  std::size_t size() const { return s_.size(); }

 private:
  std::string s_;
};

enum ValueType : uint32_t { kU8, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64 };

inline std::string kv_u32(std::string_view key, uint32_t v) { return Bytes().str(key).u32(kU32).u32(v).data(); }
inline std::string kv_u16(std::string_view key, uint16_t v) { return Bytes().str(key).u32(kU16).u16(v).data(); }
inline std::string kv_i32(std::string_view key, int32_t v) {
  return Bytes().str(key).u32(kI32).u32(uint32_t(v)).data();
}
inline std::string kv_u64(std::string_view key, uint64_t v) { return Bytes().str(key).u32(kU64).u64(v).data(); }
inline std::string kv_f32(std::string_view key, uint32_t bits) { return Bytes().str(key).u32(kF32).u32(bits).data(); }
inline std::string kv_str(std::string_view key, std::string_view v) {
  return Bytes().str(key).u32(kString).str(v).data();
}
inline std::string kv_str_array(std::string_view key, const std::vector<std::string>& v) {
  Bytes b;
  b.str(key).u32(kArray).u32(kString).u64(v.size());
  for (const auto& s : v) b.str(s);
  return b.data();
}
inline std::string kv_bool_array(std::string_view key, const std::vector<bool>& v) {
  Bytes b;
  b.str(key).u32(kArray).u32(kBool).u64(v.size());
  for (bool x : v) b.u8(x);
  return b.data();
}
inline std::string kv_i32_array(std::string_view key, const std::vector<int32_t>& v) {
  Bytes b;
  b.str(key).u32(kArray).u32(kI32).u64(v.size());
  for (int32_t x : v) b.u32(uint32_t(x));
  return b.data();
}

struct Tensor {
  std::string name;
  std::vector<uint64_t> shape;    ///< ggml order: row length first
  std::string type;               ///< a kTypeRules name
  std::optional<uint64_t> offset; ///< default: packed after the previous one, aligned
  std::optional<uint32_t> type_id;  ///< default: the rule's id

  uint64_t elements() const {
    uint64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
  uint64_t bytes() const { return elements() / rule(type).block_elements * rule(type).block_bytes; }
};

struct Gguf {
  uint32_t version = 3;
  std::vector<std::string> kvs;  ///< encoded key-value pairs (kv_* above)
  std::vector<Tensor> tensors;
  uint64_t alignment = 32;       ///< the padding used; say so in kvs when not 32
  std::optional<uint64_t> data_bytes;  ///< default: up to the end of the last tensor
};

/// Where the writer put things, for expected byte offsets.
struct Layout {
  std::vector<uint64_t> kv_at;        ///< each key-value pair
  std::vector<uint64_t> tensor_at;    ///< each tensor info (its name)
  std::vector<uint64_t> type_at;      ///< each tensor's type field
  std::vector<uint64_t> offset_at;    ///< each tensor's offset field
  uint64_t data_start = 0;
  uint64_t file_bytes = 0;
};

/// The header bytes of `g` and their layout; tensor data is `data_bytes` after data_start.
inline std::string gguf_header(const Gguf& g, Layout& layout, uint64_t& data_bytes) {
  Bytes b;
  b.raw("GGUF").u32(g.version).u64(g.tensors.size()).u64(g.kvs.size());
  for (const auto& kv : g.kvs) {
    layout.kv_at.push_back(b.size());
    b.raw(kv);
  }
  uint64_t next = 0;
  data_bytes = 0;
  for (const auto& t : g.tensors) {
    layout.tensor_at.push_back(b.size());
    b.str(t.name).u32(uint32_t(t.shape.size()));
    for (auto d : t.shape) b.u64(d);
    layout.type_at.push_back(b.size());
    b.u32(t.type_id.value_or(rule(t.type).id));
    layout.offset_at.push_back(b.size());
    const uint64_t offset = t.offset.value_or(next);
    b.u64(offset);
    next = (offset + t.bytes() + g.alignment - 1) / g.alignment * g.alignment;
    data_bytes = std::max(data_bytes, offset + t.bytes());
  }
  while (!g.tensors.empty() && b.size() % g.alignment != 0) b.u8(0);
  layout.data_start = b.size();
  return b.data();
}

/// Writes the header and extends the file over the data region without writing it (a hole).
inline Layout write_gguf(const fs::path& path, const Gguf& g) {
  Layout layout;
  uint64_t data_bytes = 0;
  const std::string header = gguf_header(g, layout, data_bytes);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(header.data(), std::streamsize(header.size()));
    if (!out) throw std::runtime_error("cannot write " + path.string());
  }
  layout.file_bytes = layout.data_start + g.data_bytes.value_or(data_bytes);
  fs::resize_file(path, layout.file_bytes);
  return layout;
}

inline void write_bytes(const fs::path& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
}

/// A safetensors file: 8-byte header length, the JSON header padded with spaces to 8 bytes, then
/// `data_bytes` of data as a hole.
inline void write_safetensors(const fs::path& path, std::string header_json, uint64_t data_bytes) {
  while ((8 + header_json.size()) % 8 != 0) header_json += ' ';
  Bytes b;
  b.u64(header_json.size()).raw(header_json);
  write_bytes(path, b.data());
  fs::resize_file(path, b.size() + data_bytes);
}

/// Llama-3.1-8B's tensors as llama.cpp's Q4_K_M stores them (llama_tensor_get_type):
/// token_embd Q4_K, output Q6_K, attn_v and ffn_down Q6_K where use_more_bits(i, 32)
/// (i < 4 || i >= 28 || (i - 4) % 3 == 2), other matrices Q4_K, norms and rope_freqs F32.
inline Gguf llama_3_1_8b_q4_k_m() {
  const uint64_t h = 4096, kv = 1024, ffn = 14336, vocab = 128256;
  const int layers = 32;
  Gguf g;
  g.kvs = {kv_str("general.architecture", "llama"),
           kv_str("general.name", "Meta Llama 3.1 8B Instruct"),
           kv_u32("llama.block_count", layers),
           kv_u32("llama.context_length", 131072),
           kv_u32("llama.embedding_length", h),
           kv_u32("llama.feed_forward_length", ffn),
           kv_u32("llama.attention.head_count", 32),
           kv_u32("llama.attention.head_count_kv", 8),
           kv_u32("llama.rope.dimension_count", 128),
           kv_u32("llama.vocab_size", vocab),
           kv_u32("general.file_type", 15)};
  g.tensors.push_back({"token_embd.weight", {h, vocab}, "Q4_K", {}, {}});
  g.tensors.push_back({"rope_freqs.weight", {64}, "F32", {}, {}});
  for (int i = 0; i < layers; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    const bool more_bits = i < 4 || i >= 28 || (i - 4) % 3 == 2;
    const char* vd = more_bits ? "Q6_K" : "Q4_K";
    g.tensors.push_back({p + "attn_norm.weight", {h}, "F32", {}, {}});
    g.tensors.push_back({p + "attn_q.weight", {h, h}, "Q4_K", {}, {}});
    g.tensors.push_back({p + "attn_k.weight", {h, kv}, "Q4_K", {}, {}});
    g.tensors.push_back({p + "attn_v.weight", {h, kv}, vd, {}, {}});
    g.tensors.push_back({p + "attn_output.weight", {h, h}, "Q4_K", {}, {}});
    g.tensors.push_back({p + "ffn_norm.weight", {h}, "F32", {}, {}});
    g.tensors.push_back({p + "ffn_gate.weight", {h, ffn}, "Q4_K", {}, {}});
    g.tensors.push_back({p + "ffn_up.weight", {h, ffn}, "Q4_K", {}, {}});
    g.tensors.push_back({p + "ffn_down.weight", {ffn, h}, vd, {}, {}});
  }
  g.tensors.push_back({"output_norm.weight", {h}, "F32", {}, {}});
  g.tensors.push_back({"output.weight", {h, vocab}, "Q6_K", {}, {}});
  return g;
}

/// A tiny llama-shaped model: 2 layers, hidden 256, every matrix in `type`.
inline Gguf tiny_llama(const std::string& type = "Q8_0") {
  const uint64_t h = 256, kv = 128, ffn = 512, vocab = 1000;
  Gguf g;
  g.kvs = {kv_str("general.architecture", "llama"), kv_str("general.name", "tiny"),
           kv_u32("llama.block_count", 2),          kv_u32("llama.context_length", 4096),
           kv_u32("llama.embedding_length", h),     kv_u32("llama.feed_forward_length", ffn),
           kv_u32("llama.attention.head_count", 4), kv_u32("llama.attention.head_count_kv", 2),
           kv_str_array("tokenizer.ggml.tokens", std::vector<std::string>(vocab, "tok"))};
  g.tensors.push_back({"token_embd.weight", {h, vocab}, type, {}, {}});
  for (int i = 0; i < 2; ++i) {
    const std::string p = "blk." + std::to_string(i) + ".";
    g.tensors.push_back({p + "attn_norm.weight", {h}, "F32", {}, {}});
    g.tensors.push_back({p + "attn_q.weight", {h, h}, type, {}, {}});
    g.tensors.push_back({p + "attn_k.weight", {h, kv}, type, {}, {}});
    g.tensors.push_back({p + "attn_v.weight", {h, kv}, type, {}, {}});
    g.tensors.push_back({p + "attn_output.weight", {h, h}, type, {}, {}});
    g.tensors.push_back({p + "ffn_norm.weight", {h}, "F32", {}, {}});
    g.tensors.push_back({p + "ffn_gate.weight", {h, ffn}, type, {}, {}});
    g.tensors.push_back({p + "ffn_up.weight", {h, ffn}, type, {}, {}});
    g.tensors.push_back({p + "ffn_down.weight", {ffn, h}, type, {}, {}});
  }
  g.tensors.push_back({"output_norm.weight", {h}, "F32", {}, {}});
  return g;
}

}  // namespace gguf_test
