// The types a model file stores its tensors in, by the names the files use: ggml types by id (the
// one table, estimator/block_format.hpp), llama.cpp's file types (general.file_type) and
// safetensors dtypes; and the estimator format each counts as. Private to modelfile/.
#pragma once

#include <cstdint>
#include <string_view>

#include "types.hpp"

namespace benchr::modelfile {

/// The name llama.cpp gives a general.file_type value (llama_ftype), e.g. "Q4_K_M"; empty when
/// the value is unknown.
std::string_view file_type_name(int64_t value);

/// A safetensors dtype and its width.
struct Dtype {
  std::string_view name;
  uint64_t bits;
};
/// nullptr for a dtype safetensors does not define.
const Dtype* find_dtype(std::string_view name);

/// Bits per weight of a stored type name (ggml or safetensors); 0 when unknown.
double type_bits(std::string_view name);

/// The estimator's format for a stored type; `exact` false when it is only the nearest in bits.
const BlockFormat* estimator_format(std::string_view type, bool& exact);

}  // namespace benchr::modelfile
