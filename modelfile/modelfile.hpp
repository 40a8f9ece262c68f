// Model files as the estimator's inputs: a GGUF file (llama.cpp) or a Hugging Face checkpoint
// (config.json + safetensors), read from their headers only. Every file is untrusted input.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "types.hpp"

namespace benchr {

/// One stored tensor. `shape` is in the file's own order: ggml's (fastest-varying first) for GGUF,
/// row-major (slowest first) for safetensors.
struct TensorInfo {
  std::string name;
  std::string type;             ///< ggml type name ("Q4_K", "F32", ...) or safetensors dtype ("BF16")
  std::vector<uint64_t> shape;
  uint64_t offset = 0;          ///< from the start of the file's tensor data
  uint64_t bytes = 0;           ///< exact, from the type's block size
  uint64_t elements() const;    ///< product of `shape` (1 for a scalar)
};

/// What a model file says about the model and how its weights are stored.
struct ModelFile {
  std::string path;                  ///< the first file (shard 1 of a split GGUF)
  std::vector<std::string> files;    ///< every file read, in order
  QuantFormat format = QuantFormat::gguf;  ///< gguf or safetensors
  uint32_t version = 0;              ///< GGUF version; 0 for safetensors
  std::string architecture;          ///< general.architecture, or config.json model_type
  std::string name;                  ///< general.name (or the folder name)
  std::string file_type;             ///< the mix general.file_type names ("Q4_K_M"), as the catalog's quant ids
  /// Architecture from the metadata, in the catalog's terms. params_b (and active_params_b for
  /// MoE) count the stored tensors' elements; id is the file stem; source is the path. Counts the
  /// metadata does not give stay 0; missing layers, hidden size or heads get a note.
  ModelSpec spec;
  std::vector<TensorInfo> tensors;   ///< in file order, shard after shard
  uint64_t weight_bytes = 0;         ///< sum of the tensors' bytes
  std::map<std::string, uint64_t> bytes_by_type;
  std::vector<std::string> notes;    ///< what was assumed or missing, one sentence each
};

/// Reads a model's headers, never its tensor data:
///  - a .gguf file, version 2 or 3; a split "NAME-0000i-of-0000N.gguf" reads all N shards;
///  - a Hugging Face folder: config.json with model.safetensors, or model.safetensors.index.json
///    and its shards (or the path of one of those files);
///  - a single .safetensors file (config.json beside it is read when present).
/// Any malformed input throws InputError "FILE: byte OFFSET: field WHAT: problem" (for a JSON
/// header, OFFSET is where the JSON text or the named entry starts). Memory use is bounded by
/// the files' sizes: counts are checked against the bytes left before anything is reserved.
ModelFile read_model_file(const std::string& path);

/// The weights as stored, for estimate(): per tensor role (embedding, output, attention, FFN,
/// other), the share of each block format by element count. A type the estimator does not know
/// counts as the known format nearest in bits per weight (read_model_file notes which).
/// `id` is the file's file_type, else the type holding most bytes (also `block_format`);
/// `format` is the file's format.
QuantSpec quant_spec(const ModelFile& f);

}  // namespace benchr
