// The per-format dot-product kernels and their one dispatch point. Private to kernels/.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <vector>

#include "block_format.hpp"
#include "blocks.hpp"

namespace benchr::kernels {

/// The weight formats the kernels measure, with the activation format each is dotted with.
enum class Format { q4_0, q8_0, q3_k, q4_k, q5_k, q6_k, f16, count };
constexpr std::size_t kFormats = static_cast<std::size_t>(Format::count);
enum class Activation { q8_0, q8_k, f16 };

struct FormatInfo {
  Format format;
  std::string_view name;   ///< the kernel's name: BlockFormat::kernel, the key its measured rate is stored under
  int block_elements, block_bytes;
  Activation activation;
};
/// A kernel's row, its block taken from the one table of formats (estimator/block_format.hpp).
/// (A loop over the table, not kernel_block_format's pointer: under -fsanitize=address or
/// undefined, g++ 12 cannot compare an element's address with null in a constant expression.)
constexpr FormatInfo kernel_format(Format f, std::string_view name, Activation a) {
  for (const auto& b : kBlockFormats)
    if (!name.empty() && b.kernel == name) return {f, name, b.block_elements, b.block_bytes, a};
  return {f, name, 0, 0, a};
}
constexpr std::array<FormatInfo, kFormats> kFormatInfo{{
    kernel_format(Format::q4_0, "Q4_0", Activation::q8_0),
    kernel_format(Format::q8_0, "Q8_0", Activation::q8_0),
    kernel_format(Format::q3_k, "Q3_K", Activation::q8_k),
    kernel_format(Format::q4_k, "Q4_K", Activation::q8_k),
    kernel_format(Format::q5_k, "Q5_K", Activation::q8_k),
    kernel_format(Format::q6_k, "Q6_K", Activation::q8_k),
    kernel_format(Format::f16, "F16", Activation::f16),
}};
// The table and the kernels' block structs (blocks.hpp, ggml-common.h's layouts) agree, and every
// format the table says a kernel measures has one here.
static_assert(kFormatInfo[0].block_elements == kQK && kFormatInfo[0].block_bytes == sizeof(BlockQ4_0));
static_assert(kFormatInfo[1].block_elements == kQK && kFormatInfo[1].block_bytes == sizeof(BlockQ8_0));
static_assert(kFormatInfo[2].block_elements == kQKK && kFormatInfo[2].block_bytes == sizeof(BlockQ3_K));
static_assert(kFormatInfo[3].block_elements == kQKK && kFormatInfo[3].block_bytes == sizeof(BlockQ4_K));
static_assert(kFormatInfo[4].block_elements == kQKK && kFormatInfo[4].block_bytes == sizeof(BlockQ5_K));
static_assert(kFormatInfo[5].block_elements == kQKK && kFormatInfo[5].block_bytes == sizeof(BlockQ6_K));
static_assert(kFormatInfo[6].block_elements == 1 && kFormatInfo[6].block_bytes == sizeof(fp16_t));
constexpr bool every_table_kernel_here() {
  std::size_t with_kernel = 0;
  for (const auto& f : kBlockFormats) with_kernel += !f.kernel.empty();
  for (std::size_t i = 0; i < kFormats; ++i)
    if (kFormatInfo[i].format != static_cast<Format>(i)) return false;
  return with_kernel == kFormats;
}
static_assert(every_table_kernel_here());
inline const FormatInfo& info(Format f) { return kFormatInfo[static_cast<std::size_t>(f)]; }

/// y = w · x for one row of `n` weights (a multiple of the block size) against activations in
/// the format's activation type.
using DotFn = float (*)(int n, const void* w, const void* x);

/// Reads `bytes` (a multiple of 128, 64-byte aligned) and returns a value that depends on all
/// of them, so the compiler cannot drop the loads: the streaming-read bandwidth kernel.
using ReadFn = uint64_t (*)(const uint8_t* p, std::size_t bytes);

/// Decode attention for one query head over `positions` cached keys and values, as llama.cpp's
/// CPU flash attention does it for a single token: q (f16) · each f16 key, online softmax, and
/// the weighted f16 values accumulated in f16 (ggml's VKQ16), then written to `out` (head_dim
/// floats, at most kMaxAttendHeadDim). K and V rows are `stride` halves apart (the KV heads of one
/// position are contiguous).
constexpr int kMaxAttendHeadDim = 1024;
using AttendFn = void (*)(int head_dim, int positions, const fp16_t* q, const fp16_t* k, const fp16_t* v,
                          int stride, float* out);

/// Runs `iterations` rounds of independent f32 fused multiply-adds held in registers and returns
/// the FLOPs done (2 per lane per FMA): the compute peak of one core.
using FmaFn = double (*)(long iterations, float* sink);

/// Eight Q4_0 rows interleaved as llama.cpp's x86 CPU backend repacks them (repack.cpp,
/// block_q4_0x8 with an 8-byte interleave): for each block column the eight fp16 scales, then
/// eight bytes of each row in turn (rows 0-7: nibble pairs 0-7), then the next eight of each (pairs
/// 8-15), every nibble XOR 8 so that it reads as a signed 4-bit value (q - 8): 144 B per column,
/// the eight rows one sequential run.
struct BlockQ4_0x8 {
  fp16_t d[8];
  uint8_t qs[2][8][8];  ///< [half of the block's nibble pairs][row][byte], each byte XOR 0x88
};
static_assert(sizeof(BlockQ4_0x8) == 8 * sizeof(BlockQ4_0));
/// Eight standard Q4_0 rows of `n` weights (`row_bytes` apart) -> `n / 32` interleaved columns.
std::vector<BlockQ4_0x8> interleave_q4_0x8(const uint8_t* rows, std::size_t row_bytes, int n);

/// y[0..8) = the eight interleaved rows · one Q8_0 activation row, computed as llama.cpp's x86
/// repacked GEMV (ggml_gemv_q4_0_8x8_q8_0) does: the nibbles sign-extended through a 16-entry
/// byte table, signed x signed byte products, and the block's eight dot products chained through
/// one int32 accumulator before one scaled FMA.
using Dot8Fn = void (*)(int n, const BlockQ4_0x8* w, const void* x, float* y);

/// y[4 j + i] = Q8_0 weight row i · Q8_0 activation row j for a 4 x 4 tile (rows `w_stride` and
/// `x_stride` bytes apart), computed as llama.cpp's tinyBLAS does a prompt's Q8_0 product
/// (llamafile/sgemm.cpp, tinyBLAS_Q0_AVX::gemm4xN<4>): per block the four rows' scales converted
/// together, each of the 16 products a signed dot of the 32 bytes turned to floats and added with
/// its scale into an accumulator of its own.
using Tile4Fn = void (*)(int n, const void* w, std::size_t w_stride, const void* x, std::size_t x_stride, float* y);

struct DotKernels {
  const char* isa;                       ///< "generic", "avx2", "avx512"
  std::array<DotFn, kFormats> dot;
  ReadFn read;
  AttendFn attend;
  FmaFn fma;
  Dot8Fn dot8_q4_0;
  Tile4Fn tile4_q8_0;
};

// One source (dot.cpp) compiled once per instruction set; each defines its table.
namespace generic { const DotKernels& dot_kernels(); }
#if defined(__x86_64__)
namespace avx2 { const DotKernels& dot_kernels(); }
namespace avx512 { const DotKernels& dot_kernels(); }
#endif

/// Every variant this build has, best last; `supported` says which this CPU can run.
struct Variant {
  const DotKernels* kernels;
  bool supported;
};
std::vector<Variant> dot_variants();
/// The dispatch point: the best variant this CPU supports.
const DotKernels& best_dot_kernels();

// ---- data for the kernels (quantize.cpp) -----------------------------------------------------

/// Every half as a float (65536 entries, 256 KiB): llama.cpp's x86 build converts the scalar fp16
/// block scales of its dot products through such a table (ggml-cpu/simd-mappings.h: with F16C
/// only the vector conversion is native, GGML_CPU_FP16_TO_FP32 reads ggml_table_f32_f16), and
/// the Q8_0/Q4_0 kernels do the same so their cost per block is llama.cpp's.
const float* fp16_table();

/// Fills `bytes` (whole blocks) with random weights in `f`'s layout with valid scales (no NaN, no
/// subnormals), as a benchmark needs; deterministic for a seed. Every page differs: a VM that
/// merges identical pages (KSM, DAMON) would otherwise turn a DRAM stream into a cache hit.
void fill_weights(Format f, uint8_t* buf, std::size_t bytes, uint64_t seed);
/// Random F16 halves of fill_weights(Format::f16)'s range (normal, 2^-3 to 2^-2 in magnitude) at
/// the speed of a memory write: one random 4 KiB page, and every page of `buf` that page with a
/// page-dependent random mask over the halves' mantissas (so every page differs). `bytes` a
/// multiple of 8.
void fill_f16_pages(uint8_t* buf, std::size_t bytes, uint64_t seed);
/// Random interleaved Q4_0 columns (see BlockQ4_0x8), valid scales, every page distinct.
void fill_q4_0x8(uint8_t* buf, std::size_t bytes, uint64_t seed);
/// `rows` x `n` random weights (fill_weights into a new buffer).
std::vector<uint8_t> random_weights(Format f, int rows, int n, unsigned seed);
/// Activations quantized the way llama.cpp does for `f`'s dot product.
std::vector<uint8_t> quantize_activations(Format f, const std::vector<float>& x);
/// The weights of one row as floats (the reference for tests).
std::vector<double> dequantize_row(Format f, const uint8_t* row, int n);
/// The activations as the kernel sees them, as floats.
std::vector<double> dequantize_activations(Format f, const std::vector<uint8_t>& q, int n);

}  // namespace benchr::kernels
