#include "gguf.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "estimator.hpp"

namespace benchr {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Errors and small helpers
// ---------------------------------------------------------------------------------------------

[[noreturn]] void fail(const std::string& file, uint64_t at, std::string_view field,
                       const std::string& problem) {
  throw InputError(file + ": byte " + std::to_string(at) + ": field " + std::string(field) + ": " +
                   problem);
}

/// A name from the file as it may appear in a message: printable ASCII, at most 80 characters.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  if (s.size() > 80) out += "...";
  return out;
}

std::string in_quotes(std::string_view s) { return "'" + printable(s) + "'"; }

std::string plural(uint64_t n, std::string_view what) {
  return std::to_string(n) + " " + std::string(what) + (n == 1 ? "" : "s");
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool mul_overflows(uint64_t a, uint64_t b, uint64_t& out) { return __builtin_mul_overflow(a, b, &out); }

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

// ---------------------------------------------------------------------------------------------
// Storage types
// ---------------------------------------------------------------------------------------------

struct GgmlType {
  uint32_t id;
  std::string_view name;
  uint64_t block_elements, block_bytes;
};

// ggml_type ids and (elements, bytes) per block: llama.cpp gguf-py/gguf/constants.py
// (GGMLQuantizationType, GGML_QUANT_SIZES), the Python twin of ggml/src/ggml-common.h.
// Ids 4, 5 (Q4_2, Q4_3), 31-33 (Q4_0_4_4 ...) and 36-38 (IQ4_NL_4_4 ...) are retired.
constexpr std::array<GgmlType, 34> kGgmlTypes{{
    {0, "F32", 1, 4},           {1, "F16", 1, 2},          {2, "Q4_0", 32, 18},
    {3, "Q4_1", 32, 20},        {6, "Q5_0", 32, 22},       {7, "Q5_1", 32, 24},
    {8, "Q8_0", 32, 34},        {9, "Q8_1", 32, 36},       {10, "Q2_K", 256, 84},
    {11, "Q3_K", 256, 110},     {12, "Q4_K", 256, 144},    {13, "Q5_K", 256, 176},
    {14, "Q6_K", 256, 210},     {15, "Q8_K", 256, 292},    {16, "IQ2_XXS", 256, 66},
    {17, "IQ2_XS", 256, 74},    {18, "IQ3_XXS", 256, 98},  {19, "IQ1_S", 256, 50},
    {20, "IQ4_NL", 32, 18},     {21, "IQ3_S", 256, 110},   {22, "IQ2_S", 256, 82},
    {23, "IQ4_XS", 256, 136},   {24, "I8", 1, 1},          {25, "I16", 1, 2},
    {26, "I32", 1, 4},          {27, "I64", 1, 8},         {28, "F64", 1, 8},
    {29, "IQ1_M", 256, 56},     {30, "BF16", 1, 2},        {34, "TQ1_0", 256, 54},
    {35, "TQ2_0", 256, 66},     {39, "MXFP4", 32, 17},     {40, "NVFP4", 64, 36},
    {41, "Q1_0", 128, 18},
}};

const GgmlType* ggml_type(uint32_t id) {
  for (const auto& t : kGgmlTypes)
    if (t.id == id) return &t;
  return nullptr;
}

/// llama_ftype values of general.file_type and their names: llama.cpp gguf-py/gguf/constants.py
/// (LlamaFileType); values 4-6 and 33-35 are retired, and 1024 marks a guessed type.
struct FileType {
  uint32_t id;
  std::string_view name;
};
constexpr std::array<FileType, 35> kFileTypes{{
    {0, "F32"},      {1, "F16"},       {2, "Q4_0"},     {3, "Q4_1"},      {7, "Q8_0"},
    {8, "Q5_0"},     {9, "Q5_1"},      {10, "Q2_K"},    {11, "Q3_K_S"},   {12, "Q3_K_M"},
    {13, "Q3_K_L"},  {14, "Q4_K_S"},   {15, "Q4_K_M"},  {16, "Q5_K_S"},   {17, "Q5_K_M"},
    {18, "Q6_K"},    {19, "IQ2_XXS"},  {20, "IQ2_XS"},  {21, "Q2_K_S"},   {22, "IQ3_XS"},
    {23, "IQ3_XXS"}, {24, "IQ1_S"},    {25, "IQ4_NL"},  {26, "IQ3_S"},    {27, "IQ3_M"},
    {28, "IQ2_S"},   {29, "IQ2_M"},    {30, "IQ4_XS"},  {31, "IQ1_M"},    {32, "BF16"},
    {36, "TQ1_0"},   {37, "TQ2_0"},    {38, "MXFP4_MOE"}, {39, "NVFP4"},  {40, "Q1_0"},
}};
constexpr int64_t kFileTypeGuessed = 1024;

struct Dtype {
  std::string_view name;
  uint64_t bits;
};

// safetensors dtypes and their widths: huggingface/safetensors safetensors/src/tensor.rs (Dtype).
constexpr std::array<Dtype, 20> kDtypes{{
    {"BOOL", 8},  {"U8", 8},   {"I8", 8},       {"F8_E5M2", 8},  {"F8_E4M3", 8},
    {"F8_E8M0", 8}, {"F4", 4}, {"F6_E2M3", 6},  {"F6_E3M2", 6},  {"I16", 16},
    {"U16", 16},  {"F16", 16}, {"BF16", 16},    {"I32", 32},     {"U32", 32},
    {"F32", 32},  {"I64", 64}, {"U64", 64},     {"F64", 64},     {"C64", 64},
}};

const Dtype* find_dtype(std::string_view name) {
  for (const auto& d : kDtypes)
    if (d.name == name) return &d;
  return nullptr;
}

/// Bits per weight of a stored type name (ggml or safetensors); 0 when unknown.
double type_bits(std::string_view name) {
  for (const auto& t : kGgmlTypes)
    if (t.name == name) return 8.0 * double(t.block_bytes) / double(t.block_elements);
  if (const Dtype* d = find_dtype(name)) return double(d->bits);
  return 0;
}

/// The estimator's format for a stored type; `exact` false when it is only the nearest in bits.
const BlockFormat* estimator_format(std::string_view type, bool& exact) {
  exact = true;
  if (type == "F8_E4M3" || type == "F8_E5M2") return find_block_format("FP8");
  if (const BlockFormat* f = find_block_format(type)) return f;
  exact = false;
  const double bits = type_bits(type);
  const BlockFormat* best = nullptr;
  for (const auto& f : block_formats())
    if (!best || std::abs(f.bits_per_weight() - bits) < std::abs(best->bits_per_weight() - bits))
      best = &f;
  return best;
}

// ---------------------------------------------------------------------------------------------
// File access: one descriptor, reads through a bounded buffer
// ---------------------------------------------------------------------------------------------

class File {
 public:
  explicit File(const std::string& path) : path_(path) {
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);  // a FIFO: no wait for a writer
    if (fd_ < 0) throw InputError(path + ": cannot open: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd_);
      throw InputError(path + ": not a regular file");
    }
    size_ = uint64_t(st.st_size);
  }
  ~File() { ::close(fd_); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  /// Reads exactly n bytes at `at`; the caller has checked that they lie within the file.
  void read_at(uint64_t at, char* dst, std::size_t n) const {
    while (n > 0) {
      const ssize_t got = ::pread(fd_, dst, n, off_t(at));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0)
        fail(path_, at, "data", got == 0 ? "the file got shorter while being read"
                                         : std::string("read failed: ") + std::strerror(errno));
      dst += got, at += uint64_t(got), n -= std::size_t(got);
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
};

/// A read position in a File. Every read checks the bytes left first.
class Cursor {
 public:
  explicit Cursor(const File& f)
      : f_(f), buf_(std::size_t(std::min<uint64_t>(f.size(), kBufferBytes))) {}

  uint64_t pos() const { return pos_; }
  uint64_t left() const { return f_.size() - pos_; }
  const std::string& path() const { return f_.path(); }

  [[noreturn]] void fail_at(uint64_t at, std::string_view field, const std::string& problem) const {
    fail(f_.path(), at, field, problem);
  }

  void need(uint64_t n, std::string_view field) const {
    if (n > left())
      fail_at(pos_, field, "needs " + plural(n, "byte") + ", but the file ends after " +
                               plural(left(), "more byte") + " (truncated?)");
  }

  void skip(uint64_t n, std::string_view field) {
    need(n, field);
    pos_ += n;
  }

  void read(char* dst, uint64_t n, std::string_view field) {
    need(n, field);
    while (n > 0) {
      if (pos_ >= buf_at_ && pos_ < buf_at_ + buf_len_) {
        const uint64_t k = std::min(n, buf_at_ + buf_len_ - pos_);
        std::memcpy(dst, buf_.data() + (pos_ - buf_at_), std::size_t(k));
        dst += k, pos_ += k, n -= k;
      } else if (n >= buf_.size()) {
        f_.read_at(pos_, dst, std::size_t(n));
        pos_ += n, n = 0;
      } else {
        buf_at_ = pos_;
        buf_len_ = std::min<uint64_t>(buf_.size(), left());
        f_.read_at(buf_at_, buf_.data(), std::size_t(buf_len_));
      }
    }
  }

  /// Little-endian unsigned integer of `N` bytes.
  template <int N>
  uint64_t uint(std::string_view field) {
    unsigned char b[N];
    read(reinterpret_cast<char*>(b), N, field);
    uint64_t v = 0;
    for (int i = N - 1; i >= 0; --i) v = (v << 8) | b[i];
    return v;
  }
  uint32_t u32(std::string_view field) { return uint32_t(uint<4>(field)); }
  uint64_t u64(std::string_view field) { return uint<8>(field); }

  /// A GGUF string: u64 length, then the bytes.
  std::string string(std::string_view field) {
    const uint64_t at = pos_;
    const uint64_t n = u64(field);
    if (n > left())
      fail_at(at, field, "a string of " + plural(n, "byte") + " runs past the end of the file (" +
                             plural(left(), "byte") + " left)");
    std::string s(std::size_t(n), '\0');
    read(s.data(), n, field);
    return s;
  }

  void skip_string(std::string_view field) {
    const uint64_t at = pos_;
    const uint64_t n = u64(field);
    if (n > left())
      fail_at(at, field, "a string of " + plural(n, "byte") + " runs past the end of the file (" +
                             plural(left(), "byte") + " left)");
    pos_ += n;
  }

 private:
  static constexpr uint64_t kBufferBytes = 1 << 20;
  const File& f_;
  uint64_t pos_ = 0;
  std::vector<char> buf_;
  uint64_t buf_at_ = 0, buf_len_ = 0;
};

// ---------------------------------------------------------------------------------------------
// GGUF: ggml/src/gguf.cpp and docs/gguf.md in ggml-org/llama.cpp
//   magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv | n_kv x (string key, u32 type, value)
//   | n_tensors x (string name, u32 n_dims, n_dims x i64 ne, u32 ggml_type, u64 offset)
//   | padding to general.alignment (default 32) | tensor data, each tensor's offset aligned
// ---------------------------------------------------------------------------------------------

enum ValueType : uint32_t {
  kU8, kI8, kU16, kI16, kU32, kI32, kF32, kBool, kString, kArray, kU64, kI64, kF64, kValueTypes
};
constexpr std::array<uint64_t, kValueTypes> kValueBytes{1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
constexpr std::array<std::string_view, kValueTypes> kValueNames{
    "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64", "f64"};

constexpr uint64_t kDefaultAlignment = 32;   // GGUF_DEFAULT_ALIGNMENT
constexpr uint64_t kMaxNameBytes = 63;       // ggml GGML_MAX_NAME = 64, with the terminating NUL
constexpr uint32_t kMaxDims = 4;             // GGML_MAX_DIMS
constexpr uint64_t kKvFixedBytes = 8 + 1 + 4 + 1;           // key length, 1-byte key, type, u8
constexpr uint64_t kTensorInfoFixedBytes = 8 + 1 + 4 + 4 + 8;  // name, n_dims, type, offset
constexpr uint64_t kKeptArrayElements = 4096;  // per-layer arrays; longer ones are only counted

bool is_integer(uint32_t t) {
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

int64_t read_integer(Cursor& c, uint32_t type, bool& too_large, std::string_view field) {
  switch (type) {
    case kU8: return int64_t(c.uint<1>(field));
    case kI8: return int8_t(c.uint<1>(field));
    case kBool: return c.uint<1>(field) != 0;
    case kU16: return int64_t(c.uint<2>(field));
    case kI16: return int16_t(c.uint<2>(field));
    case kU32: return int64_t(c.uint<4>(field));
    case kI32: return int32_t(c.uint<4>(field));
    case kU64: {
      const uint64_t v = c.u64(field);
      if (v > uint64_t(std::numeric_limits<int64_t>::max())) too_large = true;
      return too_large ? std::numeric_limits<int64_t>::max() : int64_t(v);
    }
    case kI64: return int64_t(c.u64(field));
  }
  return 0;
}

Value read_value(Cursor& c, const std::string& field) {
  Value v;
  v.at = c.pos();
  v.type = c.u32(field + " type");
  if (v.type >= kValueTypes)
    c.fail_at(v.at, field + " type", "unknown value type " + std::to_string(v.type));
  if (v.type == kArray) {
    v.array = true;
    const uint64_t elem_at = c.pos();
    v.type = c.u32(field + " element type");
    if (v.type >= kValueTypes || v.type == kArray)
      c.fail_at(elem_at, field + " element type",
                v.type == kArray ? "arrays of arrays are not allowed"
                                 : "unknown value type " + std::to_string(v.type));
    const uint64_t count_at = c.pos();
    v.count = c.u64(field + " length");
    const uint64_t least = v.type == kString ? 8 : kValueBytes[v.type];
    if (v.count > c.left() / least)
      c.fail_at(count_at, field + " length",
                plural(v.count, std::string(kValueNames[v.type]) + " element") +
                    " cannot fit in the " + plural(c.left(), "byte") + " left");
    if (v.type == kString) {
      const std::string element = field + " element";
      for (uint64_t i = 0; i < v.count; ++i) c.skip_string(element);
    } else if (is_integer(v.type) && v.count <= kKeptArrayElements) {
      v.ints.reserve(std::size_t(v.count));
      for (uint64_t i = 0; i < v.count; ++i) v.ints.push_back(read_integer(c, v.type, v.too_large, field));
    } else {
      c.skip(v.count * kValueBytes[v.type], field);
    }
    return v;
  }
  if (v.type == kString) {
    v.text = c.string(field);
  } else if (is_integer(v.type)) {
    v.ints.push_back(read_integer(c, v.type, v.too_large, field));
  } else {
    c.skip(kValueBytes[v.type], field);
  }
  return v;
}

struct GgufShard {
  uint32_t version = 0;
  Metadata md;
  std::vector<TensorInfo> tensors;
};

/// Names seen so far (across shards), with the file and byte of their first appearance.
using SeenNames = std::map<std::string, std::string, std::less<>>;

GgufShard read_gguf_shard(const std::string& path, SeenNames& seen) {
  const File f(path);
  Cursor c(f);
  GgufShard g;

  char magic[4];
  c.read(magic, 4, "magic");
  if (std::string_view(magic, 4) != "GGUF")
    c.fail_at(0, "magic", in_quotes(std::string_view(magic, 4)) + " is not 'GGUF'");

  g.version = c.u32("version");
  if (g.version == 1)
    c.fail_at(4, "version", "GGUF version 1 (2023) is not supported; convert the model again");
  if (g.version != 0 && (g.version & 0xFFFF) == 0)
    c.fail_at(4, "version", std::to_string(g.version) +
                                " looks byte-swapped: big-endian GGUF files are not supported");
  if (g.version < 2 || g.version > 3)
    c.fail_at(4, "version", "unknown GGUF version " + std::to_string(g.version) +
                                " (this reader knows 2 and 3)");

  const uint64_t n_tensors = c.u64("n_tensors");
  if (n_tensors > c.left() / kTensorInfoFixedBytes)
    c.fail_at(8, "n_tensors", plural(n_tensors, "tensor") + " cannot be described in the " +
                                  plural(c.left(), "byte") + " left");
  const uint64_t n_kv = c.u64("n_kv");
  if (n_kv > c.left() / kKvFixedBytes)
    c.fail_at(16, "n_kv", plural(n_kv, "key-value pair") + " cannot fit in the " +
                              plural(c.left(), "byte") + " left");

  for (uint64_t i = 0; i < n_kv; ++i) {
    const uint64_t key_at = c.pos();
    const std::string field = "kv[" + std::to_string(i) + "]";
    std::string key = c.string(field + " key");
    if (key.empty()) c.fail_at(key_at, field + " key", "empty key");
    const std::string kfield = "kv " + in_quotes(key);
    Value v = read_value(c, kfield);
    if (!g.md.emplace(std::move(key), std::move(v)).second)
      c.fail_at(key_at, kfield, "duplicate key");
  }

  uint64_t alignment = kDefaultAlignment;
  if (auto it = g.md.find("general.alignment"); it != g.md.end()) {
    const Value& a = it->second;
    if (a.array || a.type != kU32)
      c.fail_at(a.at, "general.alignment", "must be a u32, found " +
                                               std::string(a.array ? "an array" : kValueNames[a.type]));
    alignment = uint64_t(a.ints.at(0));
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
      c.fail_at(a.at, "general.alignment", std::to_string(alignment) + " is not a power of 2");
  }

  std::vector<uint64_t> offset_at;
  g.tensors.reserve(std::size_t(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    const uint64_t name_at = c.pos();
    TensorInfo t;
    t.name = c.string("tensor[" + std::to_string(i) + "] name");
    if (t.name.empty()) c.fail_at(name_at, "tensor[" + std::to_string(i) + "] name", "empty name");
    const std::string field = "tensor " + in_quotes(t.name);
    if (t.name.size() > kMaxNameBytes)
      c.fail_at(name_at, field, "name of " + plural(t.name.size(), "byte") +
                                    " is longer than ggml's limit of " + std::to_string(kMaxNameBytes));
    if (auto [it, fresh] = seen.emplace(t.name, path + " byte " + std::to_string(name_at)); !fresh)
      c.fail_at(name_at, field, "duplicate tensor name (first at " + it->second + ")");

    const uint64_t dims_at = c.pos();
    const uint32_t n_dims = c.u32(field + " n_dims");
    if (n_dims > kMaxDims)
      c.fail_at(dims_at, field + " n_dims", std::to_string(n_dims) + " dimensions, at most " +
                                                std::to_string(kMaxDims) + " allowed");
    uint64_t elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t dim_at = c.pos();
      const uint64_t ne = c.u64(field + " shape");
      if (ne > uint64_t(std::numeric_limits<int64_t>::max()))
        c.fail_at(dim_at, field + " shape",
                  "dimension " + std::to_string(d) + " is negative (" + std::to_string(int64_t(ne)) + ")");
      t.shape.push_back(ne);
      if (mul_overflows(elements, ne, elements) ||
          elements > uint64_t(std::numeric_limits<int64_t>::max()))
        c.fail_at(dims_at, field + " shape",
                  "the element count of shape " + shape_text(t.shape) + "... overflows 63 bits");
    }

    const uint64_t type_at = c.pos();
    const uint32_t type_id = c.u32(field + " type");
    const GgmlType* type = ggml_type(type_id);
    if (!type)
      c.fail_at(type_at, field + " type", "unknown or retired ggml type id " + std::to_string(type_id));
    t.type = std::string(type->name);
    const uint64_t row = t.shape.empty() ? 1 : t.shape[0];
    if (row % type->block_elements != 0)
      c.fail_at(type_at, field + " type",
                "rows of " + std::to_string(row) + " elements are not whole " + t.type + " blocks of " +
                    std::to_string(type->block_elements));
    if (mul_overflows(elements / type->block_elements, type->block_bytes, t.bytes))
      c.fail_at(type_at, field + " type", "the size in bytes overflows 64 bits");

    offset_at.push_back(c.pos());
    t.offset = c.u64(field + " offset");
    g.tensors.push_back(std::move(t));
  }

  if (g.tensors.empty()) return g;

  // The data section starts at the next multiple of the alignment after the tensor infos.
  const uint64_t data_start = (c.pos() + alignment - 1) / alignment * alignment;
  if (data_start > f.size())
    c.fail_at(c.pos(), "tensor data", "starts at byte " + std::to_string(data_start) +
                                          ", past the end of the file (" + plural(f.size(), "byte") + ")");
  const uint64_t data_bytes = f.size() - data_start;
  std::vector<std::size_t> order(g.tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
    const TensorInfo& t = g.tensors[i];
    const std::string field = "tensor " + in_quotes(t.name) + " offset";
    if (t.offset % alignment != 0)
      c.fail_at(offset_at[i], field, std::to_string(t.offset) + " is not a multiple of the alignment " +
                                         std::to_string(alignment));
    if (t.offset > data_bytes || t.bytes > data_bytes - t.offset)
      c.fail_at(offset_at[i], field,
                "data at " + std::to_string(t.offset) + " + " + plural(t.bytes, "byte") +
                    " ends past the end of the file (" + plural(data_bytes, "data byte") + " from byte " +
                    std::to_string(data_start) + ")");
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return g.tensors[a].offset < g.tensors[b].offset;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const TensorInfo& prev = g.tensors[order[k - 1]];
    const TensorInfo& t = g.tensors[order[k]];
    if (t.offset < prev.offset + prev.bytes)
      c.fail_at(offset_at[order[k]], "tensor " + in_quotes(t.name) + " offset",
                "data at " + std::to_string(t.offset) + " overlaps tensor " + in_quotes(prev.name) + " (" +
                    std::to_string(prev.offset) + " + " + plural(prev.bytes, "byte") + ")");
  }
  return g;
}

/// "NAME-0000i-of-0000N.gguf": llama.cpp's split naming (llama_split_path: "%s-%05d-of-%05d.gguf").
struct SplitName {
  std::string prefix;
  int index = 0, count = 0;
};

std::optional<SplitName> split_name(const std::string& filename) {
  constexpr std::string_view kExt = ".gguf";
  constexpr std::size_t kTail = 15;  // "-00001-of-00003"
  if (!ends_with(filename, kExt) || filename.size() < kExt.size() + kTail + 1) return std::nullopt;
  const std::string stem = filename.substr(0, filename.size() - kExt.size());
  const std::string tail = stem.substr(stem.size() - kTail);
  auto digits = [&](std::size_t from) {
    int v = 0;
    for (std::size_t i = from; i < from + 5; ++i) {
      if (tail[i] < '0' || tail[i] > '9') return -1;
      v = v * 10 + (tail[i] - '0');
    }
    return v;
  };
  if (tail[0] != '-' || tail.substr(6, 4) != "-of-") return std::nullopt;
  SplitName s{stem.substr(0, stem.size() - kTail), digits(1), digits(10)};
  if (s.index < 1 || s.count < 1 || s.index > s.count) return std::nullopt;
  return s;
}

std::string split_file(const SplitName& s, int index) {
  char tail[32];
  std::snprintf(tail, sizeof tail, "-%05d-of-%05d.gguf", index, s.count);
  return s.prefix + tail;
}

// ---------------------------------------------------------------------------------------------
// Metadata to ModelSpec
// ---------------------------------------------------------------------------------------------

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

const TensorInfo* find_tensor(const std::vector<TensorInfo>& ts, std::string_view name) {
  for (const auto& t : ts)
    if (t.name == name) return &t;
  return nullptr;
}

int int_of(uint64_t v) { return v > uint64_t(INT_MAX) ? 0 : int(v); }

/// Sliding-window pattern (every n-th layer global) where the metadata does not carry it:
/// llama.cpp src/llama-model.cpp hard-codes hparams.set_swa_pattern(n) for these architectures.
struct ArchSwa {
  std::string_view arch;
  int pattern;
};
constexpr std::array<ArchSwa, 5> kArchSwa{{
    {"gemma2", 2}, {"gemma3", 6}, {"cohere2", 4}, {"gpt-oss", 2}, {"llama4", 4}}};

/// a x b + c in int64_t, or nullopt when it overflows (each operand comes from a file).
std::optional<int64_t> mul_add(int64_t a, int64_t b, int64_t c = 0) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r) || __builtin_add_overflow(r, c, &r)) return std::nullopt;
  return r;
}

/// A recurrent layer's shape, in llama.cpp's ssm terms: Gated DeltaNet (Qwen3-Next, Qwen3.5:
/// groups = key heads, d_state = key head dim, heads = value heads, d_inner = value heads x value
/// head dim) or Mamba2 (groups, d_state, heads, d_inner = heads x head dim). Each size is at most
/// INT_MAX as read; their products are checked: a projection wider than INT_MAX or a state of more
/// than INT64_MAX elements describes no model and is an InputError naming `fields` in `where`.
void set_recurrent(ModelSpec& s, bool delta_net, int64_t d_inner, int d_state, int groups, int heads, int conv,
                   const std::string& where, std::string_view fields) {
  s.recurrent_kind = delta_net ? RecurrentKind::gated_delta_net : RecurrentKind::mamba2;
  const auto too_large = [&](const char* what) {
    throw InputError(where + ": " + std::string(fields) + ": the recurrent layer's " + what +
                     " overflows (d_inner " + std::to_string(d_inner) + ", d_state " + std::to_string(d_state) +
                     ", groups " + std::to_string(groups) + ", heads " + std::to_string(heads) + ", conv " +
                     std::to_string(conv) + "; at most " + std::to_string(INT_MAX) + " a projection)");
  };
  // Inputs: q/B and k/C (groups x d_state each), v/x and the output gate z (d_inner each), and per
  // head beta and alpha (DeltaNet: attn_qkv, attn_gate, ssm_beta_alpha) or dt (Mamba2: ssm_in).
  const auto qk = mul_add(2 * int64_t(groups), d_state);
  const auto in_proj = qk ? mul_add(2, d_inner, *qk) : std::nullopt;
  const auto with_heads = in_proj ? mul_add(delta_net ? 2 : 1, heads, *in_proj) : std::nullopt;
  if (!with_heads || *with_heads > INT_MAX || d_inner > INT_MAX) too_large("input projection");
  s.recurrent_in_proj = int(*with_heads);
  s.recurrent_out_proj = int(d_inner);
  // llama_hparams::n_embd_r() + n_embd_s(): the convolution's last conv - 1 inputs, and the state.
  const auto conv_width = mul_add(2 * int64_t(groups), d_state, d_inner);
  const auto conv_state = conv_width ? mul_add(std::max(conv - 1, 0), *conv_width) : std::nullopt;
  const auto state = conv_state ? mul_add(d_state, d_inner, *conv_state) : std::nullopt;
  if (!state) too_large("state");
  s.recurrent_state = *state;
}

/// What `fit` notes about recurrent layers.
std::string recurrent_note(const ModelSpec& s) {
  return std::to_string(s.recurrent_layers) + " of " + std::to_string(s.layers) + " layers recurrent (" +
         (s.recurrent_kind == RecurrentKind::mamba2 ? "Mamba2" : "Gated DeltaNet") + "), " +
         std::to_string(s.recurrent_state) + " f32 of state each";
}

/// Gated DeltaNet architectures: llama.cpp marks every layer recurrent but each 4th
/// (llama_model::load_hparams for qwen3next: recurrent_layer_arr[i] = (i + 1) % 4 != 0).
bool delta_net_arch(std::string_view arch) { return arch.rfind("qwen3next", 0) == 0 || arch.rfind("qwen35", 0) == 0; }
constexpr int kDeltaNetFullAttentionInterval = 4;

void fill_spec_gguf(ModelFile& mf, const Metadata& md) {
  GgufFields m(mf.path, md, mf.notes);
  const std::string a = mf.architecture + ".";
  ModelSpec& s = mf.spec;
  s.layers = m.count(a + "block_count");
  s.hidden = m.count(a + "embedding_length");
  s.heads = m.count(a + "attention.head_count");
  s.kv_heads = m.count(a + "attention.head_count_kv");
  if (!m.find(a + "attention.head_count_kv")) {
    s.kv_heads = s.heads;
    if (s.heads) mf.notes.push_back(a + "attention.head_count_kv missing: as many KV heads as heads");
  }
  s.kv_lora_rank = m.count(a + "attention.kv_lora_rank");
  s.q_lora_rank = m.count(a + "attention.q_lora_rank");
  if (s.is_mla()) {
    // DeepSeek-style MLA: newer conversions keep the per-head sizes in *_mla and store the
    // compressed MQA view (kv_lora_rank + rope) in key_length.
    const bool mla_keys = m.find(a + "attention.key_length_mla") != nullptr;
    s.head_dim = m.count(a + (mla_keys ? "attention.key_length_mla" : "attention.key_length"));
    s.v_head_dim = m.count(a + (mla_keys ? "attention.value_length_mla" : "attention.value_length"));
    s.qk_rope_head_dim = m.count(a + "rope.dimension_count");
  } else {
    s.head_dim = m.count(a + "attention.key_length");
    if (!s.head_dim && s.heads) s.head_dim = s.hidden / s.heads;
    s.v_head_dim = m.count(a + "attention.value_length");
    if (!s.v_head_dim) s.v_head_dim = s.head_dim;
  }
  s.ffn = m.count(a + "feed_forward_length");
  if (auto v = m.integer(a + "context_length")) s.context_max = *v;

  s.experts = m.count(a + "expert_count");
  s.experts_active = m.count(a + "expert_used_count");
  s.shared_experts = m.count(a + "expert_shared_count");
  s.expert_ffn = m.count(a + "expert_feed_forward_length");
  s.dense_layers = m.count(a + "leading_dense_block_count");
  if (s.is_moe() && !s.expert_ffn) {
    s.expert_ffn = s.ffn;  // Mixtral-style: feed_forward_length is the expert's width
    mf.notes.push_back(a + "expert_feed_forward_length missing: experts are feed_forward_length wide");
  }
  if (s.is_moe() && !s.shared_experts && s.expert_ffn) {
    const int shared_ffn = m.count(a + "expert_shared_feed_forward_length");
    if (shared_ffn) {
      s.shared_experts = std::max(1, int(std::lround(double(shared_ffn) / s.expert_ffn)));
      mf.notes.push_back("shared expert " + std::to_string(shared_ffn) + " wide counted as " +
                         plural(s.shared_experts, "expert") + " of " + std::to_string(s.expert_ffn));
    }
  }

  s.sliding_window = m.count(a + "attention.sliding_window");
  if (const Value* p = m.find(a + "attention.sliding_window_pattern")) {
    if (p->array && p->ints.size() == p->count && p->count > 0) {
      // Per-layer flags, true for a sliding-window layer (llama_hparams::swa_layers).
      const auto global = std::count(p->ints.begin(), p->ints.end(), 0);
      s.sliding_window_pattern = global ? int(std::lround(double(p->count) / double(global)))
                                        : int_of(p->count + 1);
      mf.notes.push_back("sliding-window flags per layer: " + std::to_string(global) + " of " +
                         std::to_string(p->count) + " layers global, pattern " +
                         std::to_string(s.sliding_window_pattern));
    } else {
      s.sliding_window_pattern = m.count(a + "attention.sliding_window_pattern");
    }
  }
  if (!s.sliding_window_pattern) {
    for (const auto& rule : kArchSwa) {
      if (rule.arch != mf.architecture) continue;
      if (rule.arch == "llama4" && !m.find(a + "attention.sliding_window")) s.sliding_window = 8192;
      if (s.sliding_window) {
        s.sliding_window_pattern = rule.pattern;
        mf.notes.push_back("sliding window pattern " + std::to_string(rule.pattern) +
                           " from llama.cpp's rule for " + mf.architecture + " (not in the metadata)");
      }
    }
  }
  if (s.sliding_window && !s.sliding_window_pattern)
    mf.notes.push_back("sliding window pattern not in metadata: every layer counted as global attention");

  // Recurrent layers (llama_hparams::recurrent_layer_arr): Gated DeltaNet all but every
  // full_attention_interval-th; hybrids with a per-layer KV head count (Granite 4.0-H, Jamba) the
  // layers with none; Mamba alone every layer.
  if (const int d_inner = m.count(a + "ssm.inner_size")) {
    const bool delta_net = delta_net_arch(mf.architecture);
    const Value* kv = m.find(a + "attention.head_count_kv");
    if (delta_net) {
      int every = m.count(a + "full_attention_interval");
      if (!every) every = kDeltaNetFullAttentionInterval;
      s.recurrent_layers = s.layers - s.layers / every;
    } else if (kv && kv->array) {
      s.recurrent_layers = int(std::count(kv->ints.begin(), kv->ints.end(), 0));
    } else if (!s.heads) {
      s.recurrent_layers = s.layers;
    }
    set_recurrent(s, delta_net, d_inner, m.count(a + "ssm.state_size"), m.count(a + "ssm.group_count"),
                  m.count(a + "ssm.time_step_rank"), m.count(a + "ssm.conv_kernel"), mf.path,
                  "field " + a + "ssm.*");
    s.attn_output_gate = delta_net;  // llama.cpp's qwen3next/qwen35 attn_q: n_embd_head_k x n_head x 2
    mf.notes.push_back(recurrent_note(s));
  }

  const TensorInfo* embd = find_tensor(mf.tensors, "token_embd.weight");
  if (auto v = m.integer(a + "vocab_size")) {
    s.vocab = int_of(uint64_t(*v));
  } else if (const Value* tokens = m.find("tokenizer.ggml.tokens"); tokens && tokens->array) {
    s.vocab = int_of(tokens->count);
  } else if (embd && embd->shape.size() >= 2) {
    s.vocab = int_of(embd->shape[1]);
  }
  s.tied_embeddings = !mf.tensors.empty() && !find_tensor(mf.tensors, "output.weight");
  if (auto lic = m.text("general.license")) s.license = *lic;
  if (const Value* ft = m.find("general.file_type"); ft && !ft->array && ft->ints.size() == 1) {
    const int64_t id = ft->ints[0] & ~kFileTypeGuessed;
    for (const auto& t : kFileTypes)
      if (t.id == id) mf.file_type = std::string(t.name);
    if (mf.file_type.empty()) mf.notes.push_back("general.file_type " + std::to_string(ft->ints[0]) + " is unknown");
  }

  const std::pair<std::string_view, int> required[] = {
      {"block_count", s.layers}, {"embedding_length", s.hidden}, {"attention.head_count", s.heads}};
  for (const auto& [key, value] : required)
    if (!value) mf.notes.push_back(a + std::string(key) + " missing: the estimate cannot use it");
}

// ---------------------------------------------------------------------------------------------
// Whole-file summaries shared by both formats
// ---------------------------------------------------------------------------------------------

bool is_routed_expert(std::string_view name) {
  if (name.find("shexp") != std::string_view::npos || name.find("shared") != std::string_view::npos)
    return false;
  return name.find("_exps") != std::string_view::npos || name.find(".experts.") != std::string_view::npos;
}

bool is_vision(std::string_view name) {
  for (std::string_view k : {"vision", "visual", "multi_modal_projector", "mm_projector"})
    if (name.find(k) != std::string_view::npos) return true;
  return false;
}

void summarize(ModelFile& mf) {
  double elements = 0, routed = 0, vision = 0;
  for (const auto& t : mf.tensors) {
    mf.weight_bytes += t.bytes;
    mf.bytes_by_type[t.type] += t.bytes;
    const double n = double(t.elements());
    elements += n;
    if (is_routed_expert(t.name)) routed += n;
    if (is_vision(t.name)) vision += n;
  }
  ModelSpec& s = mf.spec;
  s.params_b = elements / 1e9;
  s.vision_params_b = vision / 1e9;
  if (s.is_moe() && s.experts_active > 0)
    s.active_params_b = (elements - vision - routed * (1.0 - double(s.experts_active) / s.experts)) / 1e9;
  if (mf.tensors.empty()) mf.notes.push_back("the file holds no tensors");
  for (const auto& [type, bytes] : mf.bytes_by_type) {
    bool exact = true;
    const BlockFormat* f = estimator_format(type, exact);
    if (!exact)
      mf.notes.push_back(type + " is not an estimator format: counted as " + std::string(f->name) +
                         " (nearest in bits per weight)");
  }
}

std::string file_stem_id(const fs::path& p) {
  std::string stem = p.stem().string();
  if (auto s = split_name(p.filename().string())) stem = s->prefix;
  return stem;
}

// ---------------------------------------------------------------------------------------------
// GGUF model: one file or all shards of a split
// ---------------------------------------------------------------------------------------------

ModelFile read_gguf(const std::string& path) {
  const fs::path given(path);
  const auto split = split_name(given.filename().string());
  ModelFile mf;
  mf.format = "gguf";
  mf.path = split ? (given.parent_path() / split_file(*split, 1)).string() : path;
  SeenNames seen;
  GgufShard first = read_gguf_shard(mf.path, seen);
  mf.files.push_back(mf.path);
  mf.version = first.version;
  mf.tensors = std::move(first.tensors);

  GgufFields m(mf.path, first.md, mf.notes);
  const int count_meta = m.count("split.count");
  if (!split && count_meta > 1)
    fail(mf.path, first.md.at("split.count").at, "split.count",
         "the model is split into " + std::to_string(count_meta) +
             " files, but the file name lacks the -00001-of-" + std::to_string(count_meta) +
             " part that finds the others");
  if (split && m.find("split.count") && count_meta != split->count)
    fail(mf.path, first.md.at("split.count").at, "split.count",
         "says " + std::to_string(count_meta) + " files, the file name says " + std::to_string(split->count));

  for (int i = 2; split && i <= split->count; ++i) {
    const std::string shard = (given.parent_path() / split_file(*split, i)).string();
    if (!fs::exists(shard))
      throw InputError(mf.path + ": shard " + std::to_string(i) + " of " + std::to_string(split->count) +
                       " is missing: " + shard);
    GgufShard g = read_gguf_shard(shard, seen);
    GgufFields sm(shard, g.md, mf.notes);
    if (sm.find("split.no") && sm.count("split.no") != i - 1)
      fail(shard, g.md.at("split.no").at, "split.no",
           "says shard " + std::to_string(sm.count("split.no")) + ", the file name says " +
               std::to_string(i - 1) + " (counting from 0)");
    mf.files.push_back(shard);
    for (auto& t : g.tensors) mf.tensors.push_back(std::move(t));
  }
  if (auto v = m.integer("split.tensors.count"); v && uint64_t(*v) != mf.tensors.size())
    fail(mf.path, first.md.at("split.tensors.count").at, "split.tensors.count",
         "says " + plural(uint64_t(*v), "tensor") + ", the " + plural(mf.files.size(), "file") +
             " hold " + std::to_string(mf.tensors.size()));

  auto arch = m.text("general.architecture");
  if (!arch || arch->empty())
    fail(mf.path, 24, "general.architecture", "missing: the model's architecture is unknown");
  mf.architecture = *arch;
  mf.name = m.text("general.name").value_or("");
  mf.spec.id = file_stem_id(given);
  mf.spec.name = mf.name.empty() ? mf.spec.id : mf.name;
  mf.spec.source = mf.path;
  fill_spec_gguf(mf, first.md);
  summarize(mf);
  return mf;
}

// ---------------------------------------------------------------------------------------------
// safetensors: 8-byte little-endian header length N | N bytes of JSON header | tensor data.
// Header: {"NAME": {"dtype": "BF16", "shape": [..], "data_offsets": [begin, end]}, ...,
//          "__metadata__": {string: string}}; offsets relative to the data start.
// ---------------------------------------------------------------------------------------------

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the safetensors library's own limit
constexpr int kMaxJsonDepth = 3;                    // root object > tensor entry > shape array

/// Byte of `"key"` in JSON text starting at file byte `base`; `base` when not found.
uint64_t key_at(const std::string& text, uint64_t base, std::string_view key) {
  const auto p = text.find("\"" + std::string(key) + "\"");
  return base + (p == std::string::npos ? 0 : p);
}

std::string json_kind(const json& j) { return j.type_name(); }

/// The shape checks a header gets before it is parsed into a DOM, in one linear SAX pass: at most
/// `max_depth` nested containers, and no top-level key twice (a DOM keeps the last of two, silently).
/// nlohmann's callback parser cannot do it: on each closed object it scans its parent for discarded
/// values, so a header of n tensors took O(n^2) (10k tensors 2.7 s, 40k 158 s on this VM).
struct JsonShape : nlohmann::json_sax<json> {
  int max_depth = 0, depth = 0;
  std::unordered_set<std::string> top_keys;
  std::string problem, problem_key;  ///< what is wrong; the duplicate key, to point at it
  std::size_t error_byte = 0;
  bool syntax_error = false;

  bool open() {
    if (++depth <= max_depth) return true;
    problem = "JSON nested deeper than " + std::to_string(max_depth) + " levels";
    return false;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(); }
  bool end_object() override { return --depth, true; }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return --depth, true; }
  bool key(string_t& k) override {
    if (depth != 1 || top_keys.insert(k).second) return true;
    problem = "duplicate key " + in_quotes(k);
    problem_key = k;
    return false;
  }
  bool parse_error(std::size_t byte, const std::string&, const nlohmann::detail::exception& e) override {
    if (e.id == 406) {  // out_of_range: a number too large for a double (found by bench/fuzz_gguf.sh)
      problem = "not valid JSON: a number is out of range";
      return false;
    }
    syntax_error = true;
    error_byte = byte;
    return false;
  }
};

/// Parses JSON text from `file` that starts at byte `base`; errors point at the byte. With
/// max_depth > 0, at most that many nested containers and no duplicate top-level key.
json parse_json(const std::string& file, uint64_t base, const std::string& text, std::string_view field,
                int max_depth) {
  try {
    if (max_depth > 0) {
      JsonShape shape;
      shape.max_depth = max_depth;
      if (!json::sax_parse(text, &shape)) {
        if (shape.syntax_error) fail(file, base + (shape.error_byte > 0 ? shape.error_byte - 1 : 0), field, "not valid JSON");
        fail(file, shape.problem_key.empty() ? base : key_at(text, base, shape.problem_key), field, shape.problem);
      }
    }
    return json::parse(text);
  } catch (const json::parse_error& e) {
    fail(file, base + (e.byte > 0 ? e.byte - 1 : 0), field, "not valid JSON");
  } catch (const json::exception&) {
    // out_of_range 406: a number too large for a double (found by bench/fuzz_gguf.sh).
    fail(file, base, field, "not valid JSON: a number is out of range");
  }
}

std::optional<uint64_t> json_uint(const json& j) {
  if (j.is_number_unsigned()) return j.get<uint64_t>();
  if (j.is_number_integer() && j.get<int64_t>() >= 0) return uint64_t(j.get<int64_t>());
  return std::nullopt;
}

std::vector<TensorInfo> read_safetensors(const std::string& path, SeenNames& seen,
                                         const std::set<std::string>* wanted = nullptr) {
  const File f(path);
  Cursor c(f);
  const uint64_t n = c.u64("header length");
  if (n > kMaxHeaderBytes)
    c.fail_at(0, "header length", plural(n, "byte") + " is over the format's limit of " +
                                      std::to_string(kMaxHeaderBytes));
  if (n > c.left())
    c.fail_at(0, "header length", plural(n, "byte") + ", but only " + plural(c.left(), "byte") +
                                      " follow");
  std::string text(std::size_t(n), '\0');
  c.read(text.data(), n, "header");
  if (text.empty() || text[0] != '{') c.fail_at(8, "header", "does not start with '{'");
  const json header = parse_json(path, 8, text, "header", kMaxJsonDepth);
  if (!header.is_object()) c.fail_at(8, "header", "is not a JSON object");

  const uint64_t data_start = 8 + n, data_bytes = f.size() - data_start;
  std::vector<TensorInfo> tensors;
  for (const auto& item : header.items()) {
    const std::string& name = item.key();
    const json& entry = item.value();
    // The entry's byte is looked up only for a message: a search per tensor would be quadratic.
    const auto fail_here = [&](std::string_view where, const std::string& problem) {
      c.fail_at(key_at(text, 8, name), where, problem);
    };
    if (name == "__metadata__") {
      if (!entry.is_object()) fail_here("__metadata__", "is not an object");
      continue;
    }
    const std::string field = "tensor " + in_quotes(name);
    if (name.empty()) fail_here(field, "empty name");
    if (!entry.is_object()) fail_here(field, "expected an object, found " + json_kind(entry));
    if (wanted && !wanted->count(name)) continue;
    if (auto [it, fresh] = seen.emplace(name, path); !fresh)
      fail_here(field, "duplicate tensor name (first in " + it->second + ")");

    TensorInfo t;
    t.name = name;
    const auto dtype = entry.find("dtype");
    if (dtype == entry.end() || !dtype->is_string()) fail_here(field + " dtype", "missing or not a string");
    const Dtype* d = find_dtype(dtype->get<std::string>());
    if (!d) fail_here(field + " dtype", "unknown dtype " + in_quotes(dtype->get<std::string>()));
    t.type = std::string(d->name);

    const auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array()) fail_here(field + " shape", "missing or not an array");
    uint64_t elements = 1;
    for (const auto& dim : *shape) {
      const auto v = json_uint(dim);
      if (!v) fail_here(field + " shape", "dimensions must be non-negative integers");
      t.shape.push_back(*v);
      if (mul_overflows(elements, *v, elements))
        fail_here(field + " shape", "the element count of " + shape_text(t.shape) + "... overflows 64 bits");
    }
    uint64_t bits = 0;
    if (mul_overflows(elements, d->bits, bits))
      fail_here(field + " shape", "the size in bits overflows 64 bits");
    if (bits % 8 != 0)
      fail_here(field + " shape", plural(elements, t.type + " element") + " are not a whole number of bytes");
    t.bytes = bits / 8;

    const auto offsets = entry.find("data_offsets");
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2)
      fail_here(field + " data_offsets", "missing or not a [begin, end] pair");
    const auto begin = json_uint((*offsets)[0]), end = json_uint((*offsets)[1]);
    if (!begin || !end || *end < *begin)
      fail_here(field + " data_offsets", "must be non-negative integers with begin <= end");
    if (*end - *begin != t.bytes)
      fail_here(field + " data_offsets",
                "[" + std::to_string(*begin) + ", " + std::to_string(*end) + "] holds " +
                    plural(*end - *begin, "byte") + ", but " + t.type + " " + shape_text(t.shape) + " needs " +
                    std::to_string(t.bytes));
    if (*end > data_bytes)
      fail_here(field + " data_offsets",
                "data ends at byte " + std::to_string(data_start + *end) + ", past the end of the file (" +
                    plural(f.size(), "byte") + ")");
    t.offset = *begin;
    tensors.push_back(std::move(t));
  }

  std::vector<const TensorInfo*> order;
  for (const auto& t : tensors) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(),
                   [](const TensorInfo* a, const TensorInfo* b) { return a->offset < b->offset; });
  for (std::size_t k = 1; k < order.size(); ++k)
    if (order[k]->offset < order[k - 1]->offset + order[k - 1]->bytes)
      c.fail_at(key_at(text, 8, order[k]->name), "tensor " + in_quotes(order[k]->name) + " data_offsets",
                "data at " + std::to_string(order[k]->offset) + " overlaps tensor " +
                    in_quotes(order[k - 1]->name));
  // The header's object order is not the file order; present the tensors as stored.
  std::stable_sort(tensors.begin(), tensors.end(),
            [](const TensorInfo& a, const TensorInfo& b) { return a.offset < b.offset; });
  return tensors;
}

// ---------------------------------------------------------------------------------------------
// Hugging Face config.json to ModelSpec
// ---------------------------------------------------------------------------------------------

class ConfigFields {
 public:
  ConfigFields(const std::string& file, const std::string& text, const json& cfg)
      : file_(file), text_(text), cfg_(cfg) {}

  const json* find(std::string_view key) const {
    const auto it = cfg_.find(key);
    return it == cfg_.end() || it->is_null() ? nullptr : &*it;
  }

  /// The first of `keys` present, as a non-negative integer.
  std::optional<int64_t> integer(std::initializer_list<std::string_view> keys) const {
    for (auto key : keys) {
      const json* j = find(key);
      if (!j) continue;
      if (j->is_number_float() && std::floor(j->get<double>()) == j->get<double>() &&
          std::abs(j->get<double>()) < 9e15)
        return check(key, int64_t(j->get<double>()));
      if (j->is_number_unsigned()) {
        if (j->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()))
          fail(file_, key_at(text_, 0, key), key, "value is too large");
        return int64_t(j->get<uint64_t>());
      }
      if (j->is_number_integer()) return check(key, j->get<int64_t>());
      fail(file_, key_at(text_, 0, key), key, "expected an integer, found " + json_kind(*j));
    }
    return std::nullopt;
  }

  int count(std::initializer_list<std::string_view> keys) const {
    const auto v = integer(keys);
    if (v && *v > INT_MAX) fail(file_, key_at(text_, 0, *keys.begin()), *keys.begin(), "value is too large");
    return v ? int(*v) : 0;
  }

  std::optional<bool> flag(std::string_view key) const {
    const json* j = find(key);
    if (!j) return std::nullopt;
    if (!j->is_boolean()) fail(file_, key_at(text_, 0, key), key, "expected true or false, found " + json_kind(*j));
    return j->get<bool>();
  }

  std::string text(std::string_view key) const {
    const json* j = find(key);
    if (!j) return "";
    if (!j->is_string()) fail(file_, key_at(text_, 0, key), key, "expected a string, found " + json_kind(*j));
    return j->get<std::string>();
  }

 private:
  int64_t check(std::string_view key, int64_t v) const {
    if (v < 0) fail(file_, key_at(text_, 0, key), key, "negative value " + std::to_string(v));
    return v;
  }
  const std::string& file_;
  const std::string& text_;
  const json& cfg_;
};

void fill_spec_config(ModelFile& mf, const std::string& file, const std::string& text, const json& cfg) {
  // Multimodal configs keep the language model in text_config.
  const auto tc = cfg.find("text_config");
  const json& lm = tc != cfg.end() && tc->is_object() ? *tc : cfg;
  const ConfigFields top(file, text, cfg), c(file, text, lm);
  mf.architecture = top.text("model_type");
  if (mf.architecture.empty()) mf.architecture = c.text("model_type");
  if (mf.architecture.empty()) mf.notes.push_back("config.json has no model_type");

  ModelSpec& s = mf.spec;
  s.layers = c.count({"num_hidden_layers", "n_layer", "num_layers"});
  s.hidden = c.count({"hidden_size", "n_embd", "d_model"});
  s.heads = c.count({"num_attention_heads", "n_head"});
  s.kv_heads = c.count({"num_key_value_heads"});
  if (!s.kv_heads) s.kv_heads = s.heads;
  s.kv_lora_rank = c.count({"kv_lora_rank"});
  s.q_lora_rank = c.count({"q_lora_rank"});
  if (s.is_mla()) {
    s.qk_rope_head_dim = c.count({"qk_rope_head_dim"});
    const int64_t head_dim = int64_t(c.count({"qk_nope_head_dim"})) + s.qk_rope_head_dim;
    if (head_dim > INT_MAX)
      fail(file, key_at(text, 0, "qk_nope_head_dim"), "qk_nope_head_dim + qk_rope_head_dim",
           std::to_string(head_dim) + " is above " + std::to_string(INT_MAX));
    s.head_dim = int(head_dim);
  } else {
    s.head_dim = c.count({"head_dim"});
  }
  if (!s.head_dim && s.heads) s.head_dim = s.hidden / s.heads;
  s.v_head_dim = c.count({"v_head_dim"});
  if (!s.v_head_dim) s.v_head_dim = s.head_dim;
  s.ffn = c.count({"intermediate_size", "n_inner", "ffn_dim"});
  s.vocab = c.count({"vocab_size"});
  if (auto v = c.integer({"max_position_embeddings", "n_positions", "max_sequence_length"})) s.context_max = *v;

  s.experts = c.count({"num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"});
  s.experts_active = c.count({"num_experts_per_tok", "num_experts_per_token", "moe_top_k"});
  s.shared_experts = c.count({"n_shared_experts", "num_shared_experts"});
  s.expert_ffn = c.count({"moe_intermediate_size"});
  s.dense_layers = c.count({"first_k_dense_replace"});
  if (s.is_moe() && !s.expert_ffn) s.expert_ffn = s.ffn;  // Mixtral: intermediate_size is per expert
  if (s.is_moe() && !s.shared_experts && s.expert_ffn) {
    if (const int shared = c.count({"shared_expert_intermediate_size"})) {
      s.shared_experts = std::max(1, int(std::lround(double(shared) / s.expert_ffn)));
      mf.notes.push_back("shared expert " + std::to_string(shared) + " wide counted as " +
                         plural(s.shared_experts, "expert") + " of " + std::to_string(s.expert_ffn));
    }
  }

  s.sliding_window = c.flag("use_sliding_window").value_or(true) ? c.count({"sliding_window"}) : 0;
  s.sliding_window_pattern = c.count({"sliding_window_pattern"});
  if (const json* types = c.find("layer_types"); types && types->is_array() && !s.sliding_window_pattern) {
    const auto global = std::count(types->begin(), types->end(), json("full_attention"));
    const auto n = types->size();
    if (s.sliding_window && global < std::ptrdiff_t(n))
      s.sliding_window_pattern = global ? int(std::lround(double(n) / double(global))) : int_of(n + 1);
  }
  if (s.sliding_window && !s.sliding_window_pattern)
    mf.notes.push_back("sliding window pattern not in config.json: every layer counted as global attention");

  // Recurrent layers: Gated DeltaNet (Qwen3-Next, Qwen3.5: linear_* keys, layer_types
  // "linear_attention" or every full_attention_interval-th layer full) or Mamba2 (Granite 4.0-H:
  // mamba_* keys, layer_types "mamba").
  const json* types = c.find("layer_types");
  const auto typed = [&](const char* kind) {
    return types && types->is_array() ? int(std::count(types->begin(), types->end(), json(kind))) : 0;
  };
  if (const int value_heads = c.count({"linear_num_value_heads"})) {
    const int every = c.count({"full_attention_interval"});
    s.recurrent_layers = typed("linear_attention");
    if (!s.recurrent_layers) s.recurrent_layers = s.layers - s.layers / (every ? every : kDeltaNetFullAttentionInterval);
    set_recurrent(s, true, int64_t(value_heads) * c.count({"linear_value_head_dim"}), c.count({"linear_key_head_dim"}),
                  c.count({"linear_num_key_heads"}), value_heads, c.count({"linear_conv_kernel_dim"}), file,
                  "linear_num_value_heads, linear_value_head_dim, linear_key_head_dim, linear_num_key_heads, "
                  "linear_conv_kernel_dim");
    // Qwen3-Next gates its attention output always; Qwen3.5 says so in attn_output_gate.
    s.attn_output_gate = c.flag("attn_output_gate").value_or(mf.architecture == "qwen3_next");
  } else if (const int mamba_heads = c.count({"mamba_n_heads"})) {
    s.recurrent_layers = typed("mamba");
    set_recurrent(s, false, int64_t(mamba_heads) * c.count({"mamba_d_head"}), c.count({"mamba_d_state"}),
                  std::max(1, c.count({"mamba_n_groups"})), mamba_heads, c.count({"mamba_d_conv"}), file,
                  "mamba_n_heads, mamba_d_head, mamba_d_state, mamba_n_groups, mamba_d_conv");
  }
  if (s.recurrent_layers) mf.notes.push_back(recurrent_note(s));

  if (auto q = cfg.find("quantization_config"); q != cfg.end() && q->is_object()) {
    const auto method = q->find("quant_method");
    mf.notes.push_back("quantized checkpoint (" +
                       (method != q->end() && method->is_string() ? method->get<std::string>() : "unknown") +
                       "): packed tensors store several weights per element, so params_b from "
                       "element counts is low");
  }
}

// ---------------------------------------------------------------------------------------------
// Hugging Face folder
// ---------------------------------------------------------------------------------------------

std::string read_text(const std::string& path, std::string_view field) {
  const File f(path);
  if (f.size() > kMaxHeaderBytes)
    fail(path, 0, field, plural(f.size(), "byte") + " is too large for a JSON file here");
  Cursor c(f);
  std::string text(std::size_t(f.size()), '\0');
  c.read(text.data(), f.size(), field);
  return text;
}

bool plain_file_name(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\\') == std::string::npos;
}

ModelFile read_hf(const fs::path& dir, const std::optional<fs::path>& single) {
  ModelFile mf;
  mf.format = "safetensors";
  const fs::path config = dir / "config.json", index = dir / "model.safetensors.index.json";
  const fs::path model = dir / "model.safetensors";
  SeenNames seen;

  if (!single && fs::exists(index)) {
    const std::string text = read_text(index.string(), "index");
    const json idx = parse_json(index.string(), 0, text, "index", 0);
    const auto map = idx.is_object() ? idx.find("weight_map") : idx.end();
    if (map == idx.end() || !map->is_object())
      fail(index.string(), key_at(text, 0, "weight_map"), "weight_map", "missing or not an object");
    std::vector<std::string> shards;
    std::map<std::string, std::set<std::string>> wanted;
    for (const auto& [tensor, file] : map->items()) {
      if (!file.is_string() || !plain_file_name(file.get<std::string>()) ||
          !ends_with(file.get<std::string>(), ".safetensors"))
        fail(index.string(), key_at(text, 0, tensor), "weight_map " + in_quotes(tensor),
             "must name a .safetensors file in the same folder");
      const std::string name = file.get<std::string>();
      if (!wanted.count(name)) shards.push_back(name);
      wanted[name].insert(tensor);
    }
    std::sort(shards.begin(), shards.end());
    for (const auto& name : shards) {
      const std::string shard = (dir / name).string();
      if (!fs::exists(shard))
        fail(index.string(), key_at(text, 0, name), "weight_map", "names " + in_quotes(name) + ", which is missing");
      auto ts = read_safetensors(shard, seen, &wanted[name]);
      std::set<std::string> found;
      for (const auto& t : ts) found.insert(t.name);
      for (const auto& tensor : wanted[name])
        if (!found.count(tensor))
          fail(index.string(), key_at(text, 0, tensor), "weight_map " + in_quotes(tensor),
               "not found in " + name);
      mf.files.push_back(shard);
      for (auto& t : ts) mf.tensors.push_back(std::move(t));
    }
    mf.path = mf.files.empty() ? index.string() : mf.files.front();
    uint64_t stored = 0;
    for (const auto& t : mf.tensors) stored += t.bytes;
    if (const auto meta = idx.find("metadata"); meta != idx.end() && meta->is_object())
      if (const auto total = meta->find("total_size"); total != meta->end())
        if (const auto v = json_uint(*total); v && *v != stored)
          mf.notes.push_back("the index's total_size says " + std::to_string(*v) + " bytes, the tensors hold " +
                             std::to_string(stored));
  } else {
    const fs::path file = single.value_or(model);
    if (!fs::exists(file))
      throw InputError(dir.string() + ": no model.safetensors or model.safetensors.index.json");
    mf.tensors = read_safetensors(file.string(), seen);
    mf.files.push_back(file.string());
    mf.path = file.string();
  }

  if (fs::exists(config)) {
    const std::string text = read_text(config.string(), "config.json");
    const json cfg = parse_json(config.string(), 0, text, "config.json", 0);
    if (!cfg.is_object()) fail(config.string(), 0, "config.json", "is not a JSON object");
    fill_spec_config(mf, config.string(), text, cfg);
  } else {
    mf.notes.push_back("no config.json beside the weights: the architecture is unknown");
  }

  const bool has_lm_head = std::any_of(mf.tensors.begin(), mf.tensors.end(), [](const TensorInfo& t) {
    return ends_with(t.name, "lm_head.weight");
  });
  mf.spec.tied_embeddings = !mf.tensors.empty() && !has_lm_head;
  if (!mf.spec.vocab) {
    for (const auto& t : mf.tensors)
      if (ends_with(t.name, "embed_tokens.weight") && t.shape.size() == 2) mf.spec.vocab = int_of(t.shape[0]);
  }
  if (single && single->stem() != "model") {
    mf.spec.id = single->stem().string();
  } else {
    std::error_code ec;
    fs::path folder = fs::absolute(dir, ec).lexically_normal();
    if (folder.filename().empty()) folder = folder.parent_path();
    mf.spec.id = folder.filename().string();
  }
  mf.name = mf.spec.id;
  mf.spec.name = mf.name;
  mf.spec.source = mf.path;
  summarize(mf);
  return mf;
}

// ---------------------------------------------------------------------------------------------
// Roles for quant_spec
// ---------------------------------------------------------------------------------------------

Role role_of(std::string_view n, bool tied) {
  auto has = [&](std::string_view s) { return n.find(s) != std::string_view::npos; };
  auto any = [&](std::initializer_list<std::string_view> keys) {
    return std::any_of(keys.begin(), keys.end(), has);
  };
  if (any({"token_embd.", "embed_tokens.", "wte.", "word_embeddings."}))
    return tied ? Role::output : Role::embedding;
  if (n == "output.weight" || has("lm_head.")) return Role::output;
  if (any({"norm", "gate_inp", ".gate.", "router", "rope_freqs"})) return Role::other;
  if (any({"attn_output.", "o_proj."})) return Role::attn_o;
  // MLA's kv_b (or its k_b/v_b halves) expands the latent into keys and values: the estimator's
  // attn_v role (estimator/memory.cpp).
  if (any({"attn_v.", "attn_kv_b.", "attn_k_b.", "attn_v_b.", "v_proj.", "kv_b_proj."})) return Role::attn_v;
  if (any({"attn_q", "attn_k", "q_proj.", "k_proj.", "qkv_proj.", "q_a_proj.", "q_b_proj.", "kv_a_proj"}))
    return Role::attn_qk;
  if (any({"ffn_down", "down_proj", ".w2."})) return Role::ffn_down;
  if (any({"ffn_gate", "ffn_up", "gate_proj", "up_proj", "gate_up_proj", ".w1.", ".w3."})) return Role::ffn_up;
  return Role::other;
}

}  // namespace

uint64_t TensorInfo::elements() const {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  return n;
}

ModelFile read_model_file(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw InputError(path + ": no such file or folder");
  fs::path p(path);
  if (fs::is_directory(st)) {
    if (p.filename().empty()) p = p.parent_path();
    return read_hf(p, std::nullopt);
  }
  const std::string filename = p.filename().string();
  const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (filename == "config.json" || filename == "model.safetensors.index.json") return read_hf(dir, std::nullopt);

  char head[9] = {};
  uint64_t size = 0;
  {
    const File f(path);
    Cursor c(f);
    size = f.size();
    c.read(head, std::min<uint64_t>(size, sizeof head), "magic");
  }
  if (size >= 4 && std::string_view(head, 4) == "GGUF") return read_gguf(path);
  if (ends_with(filename, ".safetensors") || (size >= 9 && head[8] == '{')) {
    if (fs::exists(dir / "model.safetensors.index.json") && !ends_with(filename, "model.safetensors"))
      return read_hf(dir, std::nullopt);
    return read_hf(dir, p);
  }
  fail(path, 0, "magic", "neither a GGUF file ('GGUF') nor safetensors (header length, then '{')");
}

QuantSpec quant_spec(const ModelFile& f) {
  std::array<std::map<const BlockFormat*, double>, kRoles> elements;
  std::map<const BlockFormat*, uint64_t> bytes;
  for (const auto& t : f.tensors) {
    bool exact = true;
    const BlockFormat* format = estimator_format(t.type, exact);
    elements[static_cast<std::size_t>(role_of(t.name, f.spec.tied_embeddings))][format] += double(t.elements());
    bytes[format] += t.bytes;
  }
  QuantSpec q;
  q.format = f.format;
  q.source = f.path;
  const auto top = std::max_element(bytes.begin(), bytes.end(),
                                    [](const auto& a, const auto& b) { return a.second < b.second; });
  q.block_format = top == bytes.end() ? find_block_format("F16") : top->first;
  q.id = f.file_type.empty() ? std::string(q.block_format->name) : f.file_type;
  q.name = "as stored (" + std::string(q.block_format->name) + " and others)";
  if (bytes.size() <= 1) q.name = "as stored (" + std::string(q.block_format->name) + ")";
  for (std::size_t r = 0; r < kRoles; ++r) {
    double sum = 0;
    for (const auto& [format, n] : elements[r]) sum += n;
    if (sum <= 0) {
      q.roles[r] = {{q.block_format, 1.0}};
      continue;
    }
    for (const auto& [format, n] : elements[r]) q.roles[r].push_back({format, n / sum});
  }
  return q;
}

}  // namespace benchr
