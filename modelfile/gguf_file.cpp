#include "gguf_file.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>

namespace benchr::modelfile {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kDefaultAlignment = 32;   // GGUF_DEFAULT_ALIGNMENT
constexpr uint64_t kMaxNameBytes = 63;       // ggml GGML_MAX_NAME = 64, with the terminating NUL
constexpr uint32_t kMaxDims = 4;             // GGML_MAX_DIMS
constexpr uint64_t kKvFixedBytes = 8 + 1 + 4 + 1;           // key length, 1-byte key, type, u8
constexpr uint64_t kTensorInfoFixedBytes = 8 + 1 + 4 + 4 + 8;  // name, n_dims, type, offset
constexpr uint64_t kKeptArrayElements = 4096;  // per-layer arrays; longer ones are only counted

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
    const BlockFormat* type = ggml_block_format(type_id);
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


std::string split_file(const SplitName& s, int index) {
  char tail[32];
  std::snprintf(tail, sizeof tail, "-%05d-of-%05d.gguf", index, s.count);
  return s.prefix + tail;
}

}  // namespace

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

ModelFile read_gguf(const std::string& path) {
  const fs::path given(path);
  const auto split = split_name(given.filename().string());
  ModelFile mf;
  mf.format = QuantFormat::gguf;
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

}  // namespace benchr::modelfile
