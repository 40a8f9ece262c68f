// GGUF files (llama.cpp's format), read from their headers: the metadata values, the split-file
// names, and the model they describe. Private to modelfile/.
// GGUF: ggml/src/gguf.cpp and docs/gguf.md in ggml-org/llama.cpp
//   magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv | n_kv x (string key, u32 type, value)
//   | n_tensors x (string name, u32 n_dims, n_dims x i64 ne, u32 ggml_type, u64 offset)
//   | padding to general.alignment (default 32) | tensor data, each tensor's offset aligned
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "modelfile.hpp"
#include "reader.hpp"

namespace benchr::modelfile {

enum ValueType : uint32_t {
  kU8, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64, kValueTypes
};
constexpr std::array<uint64_t, kValueTypes> kValueBytes{1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
constexpr std::array<std::string_view, kValueTypes> kValueNames{
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};


inline bool is_integer(uint32_t t) {
  return t == kU8 || t == kI8 || t == kU16 || t == kI16 || t == kU32 || t == kI32 || t == kU64 ||
         t == kI64 || t == kBool;
}

/// One metadata value. Integers (and bools) are kept; strings only as scalars; floats skipped.
struct Value {
  uint32_t type = 0;        ///< element type for arrays
  bool array = false;
  uint64_t count = 1;       ///< array length
  uint64_t at = 0;          ///< byte offset of the type field
  std::vector<int64_t> ints;
  bool too_large = false;   ///< a u64 above INT64_MAX
  std::string text;
};
using Metadata = std::map<std::string, Value, std::less<>>;

/// Reads hyperparameters from GGUF metadata; errors name the key and its byte.
class GgufFields {
 public:
  GgufFields(const std::string& file, const Metadata& md, std::vector<std::string>& notes)
      : file_(file), md_(md), notes_(notes) {}

  const Value* find(std::string_view key) const {
    auto it = md_.find(key);
    return it == md_.end() ? nullptr : &it->second;
  }

  std::optional<std::string> text(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (v->array || v->type != kString) fail(file_, v->at, key, "expected a string, found " + kind(*v));
    return v->text;
  }

  /// A non-negative integer; a per-layer array gives its largest element (with a note).
  std::optional<int64_t> integer(std::string_view key) const {
    const Value* v = find(key);
    if (!v) return std::nullopt;
    if (!is_integer(v->type) || v->type == kBool || (v->array && v->ints.size() != v->count))
      fail(file_, v->at, key, "expected an integer or a per-layer array of them, found " + kind(*v));
    if (v->too_large) fail(file_, v->at, key, "value is too large");
    if (v->ints.empty()) return std::nullopt;
    const int64_t m = *std::max_element(v->ints.begin(), v->ints.end());
    if (*std::min_element(v->ints.begin(), v->ints.end()) < 0)
      fail(file_, v->at, key, "negative value");
    if (v->array && *std::min_element(v->ints.begin(), v->ints.end()) != m)
      notes_.push_back(std::string(key) + " varies by layer; the largest, " + std::to_string(m) +
                       ", is used");
    return m;
  }

  int count(std::string_view key) const {
    const auto v = integer(key);
    if (v && *v > INT_MAX) fail(file_, find(key)->at, key, std::to_string(*v) + " is too large");
    return v ? int(*v) : 0;
  }

 private:
  static std::string kind(const Value& v) {
    return v.array ? "an array of " + std::string(kValueNames[v.type]) : std::string(kValueNames[v.type]);
  }
  const std::string& file_;
  const Metadata& md_;
  std::vector<std::string>& notes_;
};

/// "NAME-0000i-of-0000N.gguf": llama.cpp's split naming (llama_split_path: "%s-%05d-of-%05d.gguf").
struct SplitName {
  std::string prefix;
  int index = 0, count = 0;
};
/// The split name of a file name; nullopt when it is not one.
std::optional<SplitName> split_name(const std::string& filename);

/// A GGUF model: one file, or every shard of a split when `path` names one of them.
ModelFile read_gguf(const std::string& path);

/// The architecture from the metadata of the first shard into mf.spec (and mf.file_type), with
/// notes on what was assumed or missing.
void fill_spec_gguf(ModelFile& mf, const Metadata& md);

}  // namespace benchr::modelfile
