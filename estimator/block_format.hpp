// The weight storage formats, one table: every ggml type a GGUF file can store (its type id, its
// block of elements and bytes) and the formats beyond GGUF the catalog's quantizations use, with
// what the estimator and the calibration kernels need to know about each. The model-file reader
// (modelfile/) and the kernels (kernels/cpu/dot.hpp) take their block sizes from here.
#pragma once

#include <array>
#include <string_view>
#include <vector>

namespace benchr {

enum class SimdLevel { unknown, none, neon, avx2, avx512 };

/// ggml_id of a format GGUF does not store.
constexpr int kNotGgml = -1;

/// A weight storage format: ggml block types and the others (FP8, NVFP4 checkpoints, MLX groups).
struct BlockFormat {
  std::string_view name;  ///< ggml's type name (GGML_TYPE_<name>), or the format's own
  int ggml_id;            ///< the ggml_type id a GGUF tensor info stores; kNotGgml for the others
  int block_elements;     ///< weights per block
  int block_bytes;        ///< bytes per block, scales included
  SimdLevel cpu_repack;   ///< llama.cpp's x86 CPU backend keeps a repacked copy from this level up (none: never)
  bool cpu_gemm;          ///< llama.cpp's CPU prefill multiplies it with tinyBLAS's GEMM
  /// The calibration kernel (kernels/cpu/dot.hpp) that measures its dot product, by the name its
  /// measured rate is stored under; empty when none does.
  std::string_view kernel;
  /// Whether the estimator models it as a format of its own (block_formats()); a stored type it
  /// does not (I32, Q8_K, TQ1_0 ...) counts as the modelled format nearest in bits per weight.
  bool modelled;
  /// llama.cpp's CPU backend on an Arm core with dot-product instructions keeps a repacked copy
  /// of it and decodes it with an interleaved GEMV (ggml-cpu/repack.cpp); the other formats go
  /// through one vec_dot a row.
  bool arm_repack = false;

  /// Whether a CPU whose repacked kernels are at `cpu` (Device::cpu_repack) repacks this format.
  constexpr bool repacked_on(SimdLevel cpu) const { return cpu_repack >= SimdLevel::avx2 && cpu >= cpu_repack; }
  constexpr double bits_per_weight() const { return 8.0 * block_bytes / block_elements; }
  /// Whether a GPU kernel unpacks sub-block scales or a lookup grid for each weight: the K-quants
  /// and IQ formats (256 weights a block), IQ4_NL, MXFP4, NVFP4; not Q4_0 ... Q8_0 (one scale per
  /// 32 weights), F16, BF16, F32 or the formats beyond GGUF.
  constexpr bool unpacks_scales() const {
    return ggml_id != kNotGgml && (block_elements == 256 || name == "IQ4_NL" || name == "MXFP4" || name == "NVFP4");
  }
};

// ggml ids and blocks: ggml/src/ggml-common.h (block_q4_0 = fp16 d + 16 B of nibbles = 18 B per 32
// weights, block_q4_K = 2 fp16 + 12 B scales + 128 B = 144 B per 256, block_nvfp4 = 4 UE4M3
// scales, one per 16 weights, + 32 B of E2M1 nibbles = 36 B per 64, ...) and ggml/include/ggml.h
// (enum ggml_type), as gguf-py/gguf/constants.py (GGMLQuantizationType, GGML_QUANT_SIZES) repeats
// them. Ids 4, 5 (Q4_2, Q4_3), 31-33 (Q4_0_4_4 ...) and 36-38 (IQ4_NL_4_4 ...) are retired.
// cpu_repack: ggml-cpu/repack.cpp (ggml_repack_get_optimal_repack_type) converts Q4_0, Q4_K,
// IQ4_NL and MXFP4 to interleaved 8x8 layouts on AVX2 and AVX-512, and Q2_K on AVX-512 only; seen
// in bench/validation/local-memory.csv (CPU_REPACK buffer = exactly the Q4_0/Q4_K matmul tensors;
// Q8_0, Q6_K, F16 have none). On Arm (NEON with dotprod) it repacks Q4_0 (4x4; 4x8 with i8mm),
// Q4_K (8x4; 8x8 with i8mm) and IQ4_NL (4x4) (arm_repack): a live Arm CPU's decode streams those
// through the interleaved GEMV (Device::arm_repack), while its memory and prefill models count it
// as not repacking; a catalog CPU entry repacks AVX2's set whatever its ISA (machine.cpp).
// cpu_gemm: prefill in llama.cpp's CPU backend goes through llamafile's tinyBLAS
// (ggml-cpu/llamafile/sgemm.cpp: F32, F16, BF16, Q8_0, Q4_0, Q5_0, IQ4_NL) instead of one dot
// product per row and token; the repacked formats have their own GEMM (repack.cpp).
// Beyond GGUF: FP8 E4M3 one byte; MLX affine groups of 64 with fp16 scale and bias; AWQ/GPTQ int4
// in groups of 128 with an fp16 scale and a 4-bit zero point (written as 256-weight blocks of
// 133 B). NVIDIA's NVFP4 checkpoints (TensorRT Model Optimizer) store 16 E2M1 values per E4M3
// scale, the same 4.5 bits per weight as ggml's block_nvfp4, so one entry serves both.
namespace block_format_table {
constexpr SimdLevel no = SimdLevel::none, avx2 = SimdLevel::avx2, avx512 = SimdLevel::avx512;
constexpr bool gemm = true, gemv = false, own = true, nearest = false, arm = true;
inline constexpr std::array<BlockFormat, 38> kBlockFormats{{
    // name, ggml id, block elements, block bytes, cpu_repack, cpu_gemm, kernel, modelled, arm_repack; the
    // modelled formats first, in the order the estimator lists them (nearest-in-bits ties go to the first):
    {"F32", 0, 1, 4, no, gemm, "", own},
    {"F16", 1, 1, 2, no, gemm, "F16", own},
    {"BF16", 30, 1, 2, no, gemm, "", own},
    {"Q4_0", 2, 32, 18, avx2, gemm, "Q4_0", own, arm},
    {"Q4_1", 3, 32, 20, no, gemv, "", own},
    {"Q5_0", 6, 32, 22, no, gemm, "", own},
    {"Q5_1", 7, 32, 24, no, gemv, "", own},
    {"Q8_0", 8, 32, 34, no, gemm, "Q8_0", own},
    {"Q2_K", 10, 256, 84, avx512, gemv, "", own},
    {"Q3_K", 11, 256, 110, no, gemv, "Q3_K", own},
    {"Q4_K", 12, 256, 144, avx2, gemv, "Q4_K", own, arm},
    {"Q5_K", 13, 256, 176, no, gemv, "Q5_K", own},
    {"Q6_K", 14, 256, 210, no, gemv, "Q6_K", own},
    {"IQ2_XXS", 16, 256, 66, no, gemv, "", own},
    {"IQ2_XS", 17, 256, 74, no, gemv, "", own},
    {"IQ2_S", 22, 256, 82, no, gemv, "", own},
    {"IQ3_XXS", 18, 256, 98, no, gemv, "", own},
    {"IQ3_S", 21, 256, 110, no, gemv, "", own},
    {"IQ4_NL", 20, 32, 18, avx2, gemm, "", own, arm},
    {"IQ4_XS", 23, 256, 136, no, gemv, "", own},
    {"IQ1_S", 19, 256, 50, no, gemv, "", own},
    {"IQ1_M", 29, 256, 56, no, gemv, "", own},
    {"MXFP4", 39, 32, 17, avx2, gemv, "", own},
    {"FP8", kNotGgml, 1, 1, no, gemv, "", own},
    {"NVFP4", 40, 64, 36, no, gemv, "", own},
    {"MLX4", kNotGgml, 64, 36, no, gemv, "", own},
    {"MLX8", kNotGgml, 64, 68, no, gemv, "", own},
    {"INT4_G128", kNotGgml, 256, 133, no, gemv, "", own},
    // Stored in GGUF files, counted as the modelled format nearest in bits per weight:
    {"Q8_1", 9, 32, 36, no, gemv, "", nearest},
    {"Q8_K", 15, 256, 292, no, gemv, "", nearest},
    {"I8", 24, 1, 1, no, gemv, "", nearest},
    {"I16", 25, 1, 2, no, gemv, "", nearest},
    {"I32", 26, 1, 4, no, gemv, "", nearest},
    {"I64", 27, 1, 8, no, gemv, "", nearest},
    {"F64", 28, 1, 8, no, gemv, "", nearest},
    {"TQ1_0", 34, 256, 54, no, gemv, "", nearest},
    {"TQ2_0", 35, 256, 66, no, gemv, "", nearest},
    {"Q1_0", 41, 128, 18, no, gemv, "", nearest},
}};
}  // namespace block_format_table
using block_format_table::kBlockFormats;

/// The format a GGUF tensor info's type id names; nullptr for an unknown or retired id.
constexpr const BlockFormat* ggml_block_format(long id) {
  for (const auto& f : kBlockFormats)
    if (f.ggml_id != kNotGgml && f.ggml_id == id) return &f;
  return nullptr;
}

/// The format whose dot product the calibration kernel `kernel` measures; nullptr for none.
constexpr const BlockFormat* kernel_block_format(std::string_view kernel) {
  for (const auto& f : kBlockFormats)
    if (!kernel.empty() && f.kernel == kernel) return &f;
  return nullptr;
}

/// The formats the estimator models (each `modelled` entry), in table order.
const std::vector<BlockFormat>& block_formats();
/// A modelled format by name; nullptr for an unknown name (or one counted as its nearest).
const BlockFormat* find_block_format(std::string_view name);

}  // namespace benchr
