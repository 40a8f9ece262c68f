#include "safetensors.hpp"

#include <algorithm>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "reader.hpp"
#include "storage_types.hpp"

namespace benchr::modelfile {

using nlohmann::json;


constexpr int kMaxJsonDepth = 3;                    // root object > tensor entry > shape array

// Byte of `"key"` in JSON text starting at file byte `base`; `base` when not found.
uint64_t key_at(const std::string& text, uint64_t base, std::string_view key) {
  std::string quoted(1, '"');  // appended: g++ 12 warns falsely on "\"" + ... (-Wrestrict, GCC PR 105651)
  quoted += key;
  const auto p = text.find(quoted += '"');
  return base + (p == std::string::npos ? 0 : p);
}

std::string json_kind(const json& j) { return j.type_name(); }

namespace {

/// The shape checks a header gets before it is parsed into a DOM, in one linear SAX pass: at most
/// `max_depth` nested containers, and no top-level key twice (a DOM keeps the last of two, silently).
/// nlohmann's callback parser cannot do it: on each closed object it scans its parent for discarded
/// values, so a header of n tensors took O(n^2) (10k tensors 2.7 s, 40k 158 s on this VM;
/// bench/check_safetensors_scaling.py).
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

}  // namespace

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
                                         const std::set<std::string>* wanted) {
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

}  // namespace benchr::modelfile
