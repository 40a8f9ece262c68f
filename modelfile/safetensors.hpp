// safetensors files (Hugging Face), read from their headers, and the JSON helpers the
// Hugging Face files share (errors at the byte of the key). Private to modelfile/.
// safetensors: 8-byte little-endian header length N | N bytes of JSON header | tensor data.
// Header: {"NAME": {"dtype": "BF16", "shape": [..], "data_offsets": [begin, end]}, ...,
//          "__metadata__": {string: string}}; offsets relative to the data start.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common.hpp"

namespace benchr::modelfile {

constexpr uint64_t kMaxHeaderBytes = 100'000'000;  // the safetensors library's own limit

/// Byte of `"key"` in JSON text starting at file byte `base`; `base` when not found.
uint64_t key_at(const std::string& text, uint64_t base, std::string_view key);

/// The JSON type's name for a message ("string", "array", ...).
std::string json_kind(const nlohmann::json& j);

/// Parses JSON text from `file` that starts at byte `base`; errors point at the byte. With
/// max_depth > 0, deeper nesting and a duplicate top-level key are errors.
nlohmann::json parse_json(const std::string& file, uint64_t base, const std::string& text,
                          std::string_view field, int max_depth);

/// A non-negative integer; nullopt for anything else.
std::optional<uint64_t> json_uint(const nlohmann::json& j);

/// The tensors of one .safetensors file, in file order; only those in `wanted` when given.
/// Every name is recorded in `seen`: a name already there is an error.
std::vector<TensorInfo> read_safetensors(const std::string& path, SeenNames& seen,
                                         const std::set<std::string>* wanted = nullptr);

}  // namespace benchr::modelfile
