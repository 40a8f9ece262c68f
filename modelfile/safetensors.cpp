#include "safetensors.hpp"

#include <algorithm>

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

/// Parses JSON text from `file` that starts at byte `base`; errors point at the byte.
json parse_json(const std::string& file, uint64_t base, const std::string& text, std::string_view field,
                int max_depth) {
  std::set<std::string> top_keys;
  auto guard = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > max_depth)
      fail(file, base, field, "JSON nested deeper than " + std::to_string(max_depth) + " levels");
    if (event == json::parse_event_t::key && depth == 1 && !top_keys.insert(parsed.get<std::string>()).second)
      fail(file, key_at(text, base, parsed.get<std::string>()), field,
           "duplicate key " + in_quotes(parsed.get<std::string>()));
    return true;
  };
  try {
    return json::parse(text, max_depth > 0 ? json::parser_callback_t(guard) : nullptr);
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
