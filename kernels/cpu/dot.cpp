// Dot products of one GGUF weight row with quantized activations, as llama.cpp's CPU backend does
// them during decode (ggml-cpu: Q4_0/Q8_0 weights against Q8_0 activations, K-quants against
// Q8_K, F16 against F16). ONE source, compiled once per instruction set by kernels/CMakeLists.txt
// with BENCHR_ISA naming the variant: the generic C++ below is every format's slow twin, and the
// AVX2 blocks (also used, with VNNI where present, in the AVX-512 build) are the fast paths.
// Everything here has internal linkage and no std:: templates are instantiated: a function
// compiled for AVX-512 must never be merged into the generic build by the linker.
#include <cmath>
#include <cstddef>
#include <cstring>

#include "dot.hpp"

#if defined(__AVX2__)
#include <immintrin.h>
#endif

#ifndef BENCHR_ISA
#error "BENCHR_ISA must name the instruction-set variant"
#endif

namespace benchr::kernels::BENCHR_ISA {
namespace {

// ---- generic: the reference every variant is tested against --------------------------------

[[maybe_unused]] float dot_q4_0_generic(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const BlockQ4_0*>(vw);
  const auto* x = static_cast<const BlockQ8_0*>(vx);
  float sum = 0;
  for (int b = 0; b < n / kQK; ++b) {
    int sumi = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      sumi += ((w[b].qs[j] & 0xF) - 8) * x[b].qs[j];
      sumi += ((w[b].qs[j] >> 4) - 8) * x[b].qs[j + kQK / 2];
    }
    sum += sumi * fp16_to_float(w[b].d) * fp16_to_float(x[b].d);
  }
  return sum;
}

[[maybe_unused]] float dot_q8_0_generic(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const BlockQ8_0*>(vw);
  const auto* x = static_cast<const BlockQ8_0*>(vx);
  float sum = 0;
  for (int b = 0; b < n / kQK; ++b) {
    int sumi = 0;
    for (int j = 0; j < kQK; ++j) sumi += w[b].qs[j] * x[b].qs[j];
    sum += sumi * fp16_to_float(w[b].d) * fp16_to_float(x[b].d);
  }
  return sum;
}

[[maybe_unused]] float dot_q3_k_generic(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const BlockQ3_K*>(vw);
  const auto* x = static_cast<const BlockQ8_K*>(vx);
  float sum = 0;
  for (int b = 0; b < n / kQKK; ++b) {
    int8_t scales[16];
    scales_q3_k(w[b].scales, scales);
    int sumi = 0;
    for (int g = 0; g < 8; ++g) {  // 8 groups of 32: 2 bits from qs, the third from hmask
      const uint8_t* q3 = w[b].qs + (g / 4) * 32;
      for (int l = 0; l < 32; ++l) {
        const int q = ((q3[l] >> (2 * (g % 4))) & 3) - (((w[b].hmask[l] >> g) & 1) ? 0 : 4);
        sumi += scales[2 * g + l / 16] * q * x[b].qs[g * 32 + l];
      }
    }
    sum += fp16_to_float(w[b].d) * x[b].d * sumi;
  }
  return sum;
}

/// Q4_K and Q5_K: eight sub-blocks of 32 with 6-bit scales and mins; Q5_K adds a fifth bit.
template <bool kFifthBit, class Block>
float dot_q45_k_generic(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const Block*>(vw);
  const auto* x = static_cast<const BlockQ8_K*>(vx);
  float sum = 0;
  for (int b = 0; b < n / kQKK; ++b) {
    int sumi = 0, summ = 0;
    for (int j = 0; j < 8; ++j) {  // pairs of sub-blocks share 32 bytes of nibbles
      uint8_t sc, m;
      scale_min_k4(j, w[b].scales, sc, m);
      const uint8_t* q4 = w[b].qs + (j / 2) * 32;
      int s = 0;
      for (int l = 0; l < 32; ++l) {
        int q = j % 2 ? q4[l] >> 4 : q4[l] & 0xF;
        if constexpr (kFifthBit) q |= ((w[b].qh[l] >> j) & 1) << 4;
        s += q * x[b].qs[j * 32 + l];
      }
      sumi += sc * s;
      summ += m * (x[b].bsums[2 * j] + x[b].bsums[2 * j + 1]);
    }
    sum += x[b].d * (fp16_to_float(w[b].d) * sumi - fp16_to_float(w[b].dmin) * summ);
  }
  return sum;
}

[[maybe_unused]] float dot_q6_k_generic(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const BlockQ6_K*>(vw);
  const auto* x = static_cast<const BlockQ8_K*>(vx);
  float sum = 0;
  for (int b = 0; b < n / kQKK; ++b) {
    int sumi = 0;
    for (int h = 0; h < 2; ++h) {  // two halves of 128
      const uint8_t* ql = w[b].ql + 64 * h;
      const uint8_t* qh = w[b].qh + 32 * h;
      const int8_t* sc = w[b].scales + 8 * h;
      const int8_t* q8 = x[b].qs + 128 * h;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        sumi += sc[is] * q1 * q8[l] + sc[is + 2] * q2 * q8[l + 32] + sc[is + 4] * q3 * q8[l + 64] +
                sc[is + 6] * q4 * q8[l + 96];
      }
    }
    sum += fp16_to_float(w[b].d) * x[b].d * sumi;
  }
  return sum;
}

[[maybe_unused]] float dot_f16_generic(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const fp16_t*>(vw);
  const auto* x = static_cast<const fp16_t*>(vx);
  float sum = 0;
  for (int i = 0; i < n; ++i) sum += fp16_to_float(w[i]) * fp16_to_float(x[i]);
  return sum;
}

[[maybe_unused]] void dot8_q4_0_generic(int n, const BlockQ4_0x8* w, const void* vx, float* y) {
  const auto* x = static_cast<const BlockQ8_0*>(vx);
  for (int r = 0; r < 8; ++r) {
    float sum = 0;
    for (int b = 0; b < n / kQK; ++b) {
      int sumi = 0;
      for (int j = 0; j < kQK / 2; ++j) {
        const int q = w[b].qs[j / 8][r][j % 8] ^ 0x88;  // undo the repack's XOR: plain Q4_0 nibbles
        sumi += ((q & 0xF) - 8) * x[b].qs[j] + ((q >> 4) - 8) * x[b].qs[j + kQK / 2];
      }
      sum += sumi * fp16_to_float(w[b].d[r]) * fp16_to_float(x[b].d);
    }
    y[r] = sum;
  }
}

[[maybe_unused]] void tile4_q8_0_generic(int n, const void* vw, std::size_t w_stride, const void* vx,
                                         std::size_t x_stride, float* y) {
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i)
      y[4 * j + i] = dot_q8_0_generic(n, static_cast<const uint8_t*>(vw) + i * w_stride,
                                      static_cast<const uint8_t*>(vx) + j * x_stride);
}

[[maybe_unused]] void attend_generic(int hd, int positions, const fp16_t* q, const fp16_t* k, const fp16_t* v,
                                     int stride, float* out) {
  // As ggml's one-row flash attention over an f16 cache: rescale the accumulator only when the
  // maximum moves (one exp a position), and keep the weighted values in f16 (VKQ16), rounded
  // after every position.
  fp16_t acc[kMaxAttendHeadDim];
  float m = -INFINITY, sum = 0;
  for (int i = 0; i < hd; ++i) acc[i] = float_to_fp16(0);
  for (int p = 0; p < positions; ++p) {
    const float s = dot_f16_generic(hd, q, k + std::size_t(p) * stride);
    float weight = 1;
    if (s > m) {
      const float scale = std::exp(m - s);
      for (int i = 0; i < hd; ++i) acc[i] = float_to_fp16(fp16_to_float(acc[i]) * scale);
      sum *= scale;
      m = s;
    } else {
      weight = std::exp(s - m);
    }
    for (int i = 0; i < hd; ++i)
      acc[i] = float_to_fp16(fp16_to_float(acc[i]) + weight * fp16_to_float(v[std::size_t(p) * stride + i]));
    sum += weight;
  }
  for (int i = 0; i < hd; ++i) out[i] = fp16_to_float(acc[i]) / sum;
}

#if defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline float half(fp16_t h) { return _cvtsh_ss(h); }

/// 16 bytes of nibbles -> 32 bytes: low nibbles first (elements 0..15), then high (16..31).
inline __m256i nibbles(const uint8_t* p) {
  const __m128i t = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0F));
}

/// Sum of products of unsigned (u) and signed (s) bytes, in 8 int32 lanes.
inline __m256i dot_u8s8(__m256i u, __m256i s) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
#else
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
#endif
}

/// Signed x signed bytes, summed in 8 int32 lanes (the sign moved onto the second operand).
inline __m256i dot_s8s8(__m256i a, __m256i b) {
  return dot_u8s8(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
}

inline __m256i load(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }

/// acc + the products of unsigned (u) and signed (s) bytes, four per int32 lane.
inline __m256i dot_u8s8_acc(__m256i acc, __m256i u, __m256i s) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
  return _mm256_dpbusd_epi32(acc, u, s);
#else
  return _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1)));
#endif
}

/// Eight interleaved Q4_0 rows the way llama.cpp's x86 repacked GEMV computes them
/// (arch/x86/repack.cpp, ggml_gemv_q4_0_8x8_q8_0): per block four 32-byte loads (rows 0-3 and 4-7,
/// nibble pairs 0-7 and 8-15), each nibble sign-extended by a byte shuffle through {0..7, -8..-1};
/// then eight signed dot products of 4-byte groups, each on a vector that blends two loads so that
/// it holds the same group of every row (rows in the order 0 4 1 5 2 6 3 7), all chained through
/// one int32 accumulator; the scales shuffled into that row order and one FMA a block; the rows put
/// back in order at the end. The chain of eight dependent dot products a block sets its in-cache
/// rate: 2 Zen 4 threads, 2048 x 512 tiles in L2, 150 GFLOP/s for ggml's kernel, 287 with four
/// independent sums, which MoE prefill, one GEMV per routed token (repack.cpp
/// forward_mul_mat_id), does not get.
void dot8_q4_0_fast(int n, const BlockQ4_0x8* w, const void* vx, float* y) {
  const auto* x = static_cast<const BlockQ8_0*>(vx);
  const __m256i lut = _mm256_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1,  //
                                       0, 1, 2, 3, 4, 5, 6, 7, -8, -7, -6, -5, -4, -3, -2, -1);
  const __m256i m4 = _mm256_set1_epi8(0xF);
  const __m128i scale_order = _mm_setr_epi8(0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
  // Signed x signed bytes into the accumulator: the sign moved onto the activations.
  const auto dot_signed = [](__m256i acc, __m256i wq, __m256i xq) {
    return dot_u8s8_acc(acc, _mm256_sign_epi8(wq, wq), _mm256_sign_epi8(xq, wq));
  };
  __m256 acc = _mm256_setzero_ps();
  for (int b = 0; b < n / kQK; ++b) {
    __m256i lo[4], hi[4];  // [rows 0-3 pairs 0-7, rows 4-7 pairs 0-7, rows 0-3 pairs 8-15, rows 4-7 pairs 8-15]
    for (int k = 0; k < 4; ++k) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w[b].qs) + k);
      lo[k] = _mm256_shuffle_epi8(lut, _mm256_and_si256(raw, m4));
      hi[k] = _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4));
    }
    const __m256i xlo = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs)));
    const __m256i xhi = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].qs + 16)));
    __m256i iacc = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {  // weights 0-15 (low nibbles), then 16-31 (high)
      const __m256i* q = h ? hi : lo;
      const __m256i xs = h ? xhi : xlo;
      for (int k = 0; k < 4; k += 2) {  // pairs 0-7, then 8-15: two 4-byte groups each
        const __m256i first = _mm256_blend_epi32(q[k], _mm256_shuffle_epi32(q[k + 1], 0xB1), 0xAA);
        const __m256i second = _mm256_blend_epi32(_mm256_shuffle_epi32(q[k], 0xB1), q[k + 1], 0xAA);
        iacc = dot_signed(iacc, first, k ? _mm256_shuffle_epi32(xs, 0xAA) : _mm256_shuffle_epi32(xs, 0x00));
        iacc = dot_signed(iacc, second, k ? _mm256_shuffle_epi32(xs, 0xFF) : _mm256_shuffle_epi32(xs, 0x55));
      }
    }
    const __m128i d = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].d)), scale_order);
    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(iacc), _mm256_mul_ps(_mm256_cvtph_ps(d), _mm256_set1_ps(half(x[b].d))), acc);
  }
  _mm256_storeu_ps(y, _mm256_permutevar8x32_ps(acc, _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7)));
}

/// A 4 x 4 tile of Q8_0 rows x Q8_0 activation rows as llama.cpp's tinyBLAS computes it
/// (llamafile/sgemm.cpp, tinyBLAS_Q0_AVX::gemm4xN<4>, the x86 path with F16C): the four rows'
/// block scales converted in one instruction and multiplied by each column's; each of the 16
/// products a signed byte dot (sign moved onto the activations) made float and added, scaled, into
/// an accumulator of its own, so sixteen independent chains hide the dot's latency (the per-row
/// dot that mul_mat_id runs has one). Measured for prefill: llama.cpp multiplies a prompt's Q8_0
/// matrices this way (local-llamacpp.csv: Q8_0 pp512 1.21-1.27x over at the 8-bit GEMM rate).
void tile4_q8_0_fast(int n, const void* vw, std::size_t w_stride, const void* vx, std::size_t x_stride, float* y) {
  const auto* w = static_cast<const uint8_t*>(vw);
  const auto* x = static_cast<const uint8_t*>(vx);
  const auto row = [](const uint8_t* base, std::size_t stride, int r, int b) {
    return reinterpret_cast<const BlockQ8_0*>(base + r * stride) + b;
  };
  __m256 acc[4][4];
  for (auto& a : acc)
    for (auto& v : a) v = _mm256_setzero_ps();
  for (int b = 0; b < n / kQK; ++b) {
    const __m128 dw = _mm_cvtph_ps(_mm_setr_epi16(row(w, w_stride, 0, b)->d, row(w, w_stride, 1, b)->d,
                                                  row(w, w_stride, 2, b)->d, row(w, w_stride, 3, b)->d, 0, 0, 0, 0));
    __m256i wq[4];
    for (int i = 0; i < 4; ++i) wq[i] = load(row(w, w_stride, i, b)->qs);
    for (int j = 0; j < 4; ++j) {
      const BlockQ8_0* xb = row(x, x_stride, j, b);
      const __m128 d4 = _mm_mul_ps(dw, _mm_set1_ps(half(xb->d)));
      const __m256 d = _mm256_set_m128(d4, d4);
      const __m256i xq = load(xb->qs);
      acc[j][0] = _mm256_fmadd_ps(_mm256_shuffle_ps(d, d, 0x00),
                                  _mm256_cvtepi32_ps(dot_u8s8(_mm256_sign_epi8(wq[0], wq[0]), _mm256_sign_epi8(xq, wq[0]))),
                                  acc[j][0]);
      acc[j][1] = _mm256_fmadd_ps(_mm256_shuffle_ps(d, d, 0x55),
                                  _mm256_cvtepi32_ps(dot_u8s8(_mm256_sign_epi8(wq[1], wq[1]), _mm256_sign_epi8(xq, wq[1]))),
                                  acc[j][1]);
      acc[j][2] = _mm256_fmadd_ps(_mm256_shuffle_ps(d, d, 0xAA),
                                  _mm256_cvtepi32_ps(dot_u8s8(_mm256_sign_epi8(wq[2], wq[2]), _mm256_sign_epi8(xq, wq[2]))),
                                  acc[j][2]);
      acc[j][3] = _mm256_fmadd_ps(_mm256_shuffle_ps(d, d, 0xFF),
                                  _mm256_cvtepi32_ps(dot_u8s8(_mm256_sign_epi8(wq[3], wq[3]), _mm256_sign_epi8(xq, wq[3]))),
                                  acc[j][3]);
    }
  }
  for (int j = 0; j < 4; ++j)
    for (int i = 0; i < 4; ++i) y[4 * j + i] = hsum(acc[j][i]);
}

/// Q4_0 and Q8_0 one block at a time into one accumulator, as ggml-cpu's x86 kernels do
/// (arch/x86/quants.c, ggml_vec_dot_q8_0_q8_0): each block's FMA waits for the last, and its two
/// scales come from the fp16 table. Four accumulators compute Q8_0 ~25% faster in L2 than
/// llama.cpp's own kernel and stream 10-15% faster from DRAM on 2 Zen 4 threads
/// (bench/ggml_gemv.cpp), where llama.cpp's Q8_0 decode runs at 0.85-0.9x the read bandwidth
/// (local-notes.md: 29-34 GB/s implied against a 34.5 GB/s read).
template <class Block, class Quants>
float dot_32_fast(int n, const void* vw, const void* vx, Quants quants) {
  const auto* w = static_cast<const Block*>(vw);
  const auto* x = static_cast<const BlockQ8_0*>(vx);
  const float* f32 = fp16_table();
  __m256 acc = _mm256_setzero_ps();
  for (int b = 0; b < n / kQK; ++b) {
    const __m256 d = _mm256_set1_ps(f32[w[b].d] * f32[x[b].d]);
    acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(dot_s8s8(quants(w[b]), load(x[b].qs))), acc);
  }
  return hsum(acc);
}

float dot_q4_0_fast(int n, const void* w, const void* x) {
  return dot_32_fast<BlockQ4_0>(n, w, x, [](const BlockQ4_0& b) {
    return _mm256_sub_epi8(nibbles(b.qs), _mm256_set1_epi8(8));
  });
}

float dot_q8_0_fast(int n, const void* w, const void* x) {
  return dot_32_fast<BlockQ8_0>(n, w, x, [](const BlockQ8_0& b) { return load(b.qs); });
}

/// 16 int16 lanes: int8 scale `i` of `scales` in the first 8, scale i + 1 in the last 8 (the two
/// 16-weight halves of a 32-weight group).
inline __m256i scale_pair(__m128i scales, int i) {
  const __m128i mask = _mm_unpacklo_epi64(_mm_set1_epi8(char(i)), _mm_set1_epi8(char(i + 1)));
  return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, mask));
}

/// 16 int16 lanes holding int16 lane `i` of `v`.
inline __m256i broadcast16(__m128i v, int i) {
  return _mm256_broadcastw_epi16(_mm_shuffle_epi8(v, _mm_set1_epi16(int16_t(((2 * i + 1) << 8) | (2 * i)))));
}

/// The 16 int8 scales of a K-quant block (one per 16 weights) as int16 in the order the 32-weight
/// groups use them: lane 0 holds the even scales, lane 1 the odd ones, so group g's pair
/// (2g for its first 16 weights, 2g + 1 for the rest) is int16 g of each lane.
inline __m256i scales_even_odd(__m128i scales) {
  return _mm256_cvtepi8_epi16(
      _mm_shuffle_epi8(scales, _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15)));
}

/// Group g's two scales over its 32 weights (see scales_even_odd): one in-lane shuffle.
template <int g>
inline __m256i group_scales(__m256i even_odd) {
  return _mm256_shuffle_epi8(even_odd, _mm256_set1_epi16(int16_t(((2 * g + 1) << 8) | (2 * g))));
}

/// Q3_K's 16 scales (6 bits, minus 32) as int8, as scales_q3_k unpacks them: low 4 bits from the
/// nibbles of bytes 0..7, high 2 bits from bytes 8..11 (scale j: byte 8 + j % 4, bits 2 (j / 4)).
inline __m128i q3_k_scales(const BlockQ3_K& b) {
  // One 16-byte load that stays inside the block (the last two bytes of qs, the 12 scale bytes, d),
  // shifted so that byte i is scale byte i.
  static_assert(offsetof(BlockQ3_K, scales) >= 2 && offsetof(BlockQ3_K, scales) + 14 <= sizeof(BlockQ3_K));
  const auto* p = reinterpret_cast<const uint8_t*>(&b) + offsetof(BlockQ3_K, scales) - 2;
  const __m128i v = _mm_srli_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), 2);
  const __m128i m4 = _mm_set1_epi8(0xF);
  const __m128i low = _mm_unpacklo_epi64(_mm_and_si128(v, m4), _mm_and_si128(_mm_srli_epi16(v, 4), m4));
  const __m128i h = _mm_shuffle_epi8(v, _mm_set1_epi32(0x0b0a0908));  // bytes 8..11, four times
  const __m128i high = _mm_and_si128(_mm_srlv_epi32(h, _mm_setr_epi32(0, 2, 4, 6)), _mm_set1_epi8(3));
  return _mm_sub_epi8(_mm_or_si128(low, _mm_slli_epi16(high, 4)), _mm_set1_epi8(32));
}

/// One 32-weight group of a Q3_K block with the work ggml-cpu's AVX2 kernel does for it
/// (llama.cpp ggml/src/ggml-cpu/arch/x86/quants.c, ggml_vec_dot_q3_K_q8_K; no AVX-512 or VNNI
/// path there): the 2 low bits (bits 2 (g % 4) of `q2`, 0..3) and 4 where the high bit (bit g of
/// `hmask`) is clear are each dotted with the activations (two maddubs) and subtracted, so
/// q = low + 4 high - 4; then the group's two int16 scales (one in-lane shuffle) in a madd.
/// A leaner kernel is possible (low bits dotted where they lie, the -4 through the bsums, VNNI:
/// 2.2x this rate on Zen 4), but the calibration measures what llama.cpp's decode gets, and
/// with it Q3_K_M decode came out 1.2-1.4x llama.cpp's measured rate.
template <int g>
inline __m256i q3_k_group(__m256i acc, __m256i q2, __m256i hmask, __m256i scales, const int8_t* q8) {
  if constexpr (g % 4 != 0) q2 = _mm256_srli_epi16(q2, 2 * (g % 4));
  const __m256i low = _mm256_and_si256(q2, _mm256_set1_epi8(3));
  __m256i four = _mm256_andnot_si256(hmask, _mm256_set1_epi8(char(1 << g)));  // bit g where clear
  if constexpr (g < 2) four = _mm256_slli_epi16(four, 2 - g);
  if constexpr (g > 2) four = _mm256_srli_epi16(four, g - 2);
  const __m256i x = load(q8 + 32 * g);
  const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(low, x), _mm256_maddubs_epi16(four, x));
  return _mm256_add_epi32(acc, _mm256_madd_epi16(p, group_scales<g>(scales)));
}

/// Q3_K: 256 weights of 3 bits (2 in qs, 1 in hmask) with 16 6-bit scales.
float dot_q3_k_fast(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const BlockQ3_K*>(vw);
  const auto* x = static_cast<const BlockQ8_K*>(vx);
  __m256 acc = _mm256_setzero_ps();
  for (int b = 0; b < n / kQKK; ++b) {
    const __m256i scales = scales_even_odd(q3_k_scales(w[b]));
    const __m256i hmask = load(w[b].hmask), qa = load(w[b].qs), qb = load(w[b].qs + 32);
    const int8_t* q8 = x[b].qs;
    __m256i sumi = _mm256_setzero_si256();
    sumi = q3_k_group<0>(sumi, qa, hmask, scales, q8);
    sumi = q3_k_group<1>(sumi, qa, hmask, scales, q8);
    sumi = q3_k_group<2>(sumi, qa, hmask, scales, q8);
    sumi = q3_k_group<3>(sumi, qa, hmask, scales, q8);
    sumi = q3_k_group<4>(sumi, qb, hmask, scales, q8);
    sumi = q3_k_group<5>(sumi, qb, hmask, scales, q8);
    sumi = q3_k_group<6>(sumi, qb, hmask, scales, q8);
    sumi = q3_k_group<7>(sumi, qb, hmask, scales, q8);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(half(w[b].d) * x[b].d), _mm256_cvtepi32_ps(sumi), acc);
  }
  return hsum(acc);
}

/// Q4_K and Q5_K share everything but the fifth bit.
template <bool kFifthBit, class Block>
float dot_q45_k_fast(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const Block*>(vw);
  const auto* x = static_cast<const BlockQ8_K*>(vx);
  const __m256i m4 = _mm256_set1_epi8(0xF), one = _mm256_set1_epi8(1);
  __m256 acc = _mm256_setzero_ps();
  __m128 acc_min = _mm_setzero_ps();
  for (int b = 0; b < n / kQKK; ++b) {
    // The eight 6-bit scales (bytes 0..7) and mins (bytes 8..15), as scale_min_k4 unpacks them.
    uint32_t u[4];
    std::memcpy(u, w[b].scales, 12);
    const uint32_t k1 = 0x3f3f3f3f, k2 = 0x0f0f0f0f, k3 = 0x03030303;
    u[3] = ((u[2] >> 4) & k2) | (((u[1] >> 6) & k3) << 4);
    const uint32_t mins_lo = u[1] & k1;
    u[1] = (u[2] & k2) | (((u[0] >> 6) & k3) << 4);
    u[2] = mins_lo;
    u[0] &= k1;
    const __m256i scales_mins = _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(u)));
    // Mins: each sub-block's min times the sum of its 32 activations (pairs of bsums).
    const __m256i bsums = load(x[b].bsums);
    const __m128i sums32 = _mm_hadd_epi16(_mm256_castsi256_si128(bsums), _mm256_extracti128_si256(bsums, 1));
    const __m128i mins = _mm_madd_epi16(_mm256_extracti128_si256(scales_mins, 1), sums32);
    acc_min = _mm_fmadd_ps(_mm_set1_ps(half(w[b].dmin) * x[b].d), _mm_cvtepi32_ps(mins), acc_min);
    const __m128i sc = _mm256_castsi256_si128(scales_mins);
    __m256i hbits = _mm256_setzero_si256();
    if constexpr (kFifthBit) hbits = load(w[b].qh);
    __m256i sumi = _mm256_setzero_si256();
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const __m256i q4 = load(w[b].qs + 32 * j);
      __m256i lo = _mm256_and_si256(q4, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
      if constexpr (kFifthBit) {
        lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j), one), 4));
        hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * j + 1), one), 4));
      }
      const __m256i pl = _mm256_maddubs_epi16(lo, load(x[b].qs + 64 * j));
      const __m256i ph = _mm256_maddubs_epi16(hi, load(x[b].qs + 64 * j + 32));
      sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(_mm256_madd_epi16(pl, broadcast16(sc, 2 * j)),
                                                     _mm256_madd_epi16(ph, broadcast16(sc, 2 * j + 1))));
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(half(w[b].d) * x[b].d), _mm256_cvtepi32_ps(sumi), acc);
  }
  __m128 m = _mm_add_ps(acc_min, _mm_movehl_ps(acc_min, acc_min));
  m = _mm_add_ss(m, _mm_movehdup_ps(m));
  return hsum(acc) - _mm_cvtss_f32(m);
}

/// Q6_K as ggml-cpu's AVX2 kernel does it (llama.cpp ggml/src/ggml-cpu/arch/x86/quants.c,
/// ggml_vec_dot_q6_K_q8_K; no AVX-512 or VNNI path there): per 32 weights the 6-bit value
/// (0..63) and 32 are each dotted with the activations (two maddubs) and subtracted, then the
/// pair of int8 scales is widened (shuffle + sign extension) for the madd. It computes about
/// 18 GB/s of weights per Zen 4 core in L2, so 2 threads keep up with DRAM (34.5 GB/s read), as
/// llama.cpp's Q6_K decode does (30-39 GB/s implied, local-notes.md).
float dot_q6_k_fast(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const BlockQ6_K*>(vw);
  const auto* x = static_cast<const BlockQ8_K*>(vx);
  const __m256i m4 = _mm256_set1_epi8(0xF), m2 = _mm256_set1_epi8(3), k32 = _mm256_set1_epi8(32);
  __m256 acc = _mm256_setzero_ps();
  for (int b = 0; b < n / kQKK; ++b) {
    const __m128i scales = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w[b].scales));
    __m256i sumi = _mm256_setzero_si256();
#pragma GCC unroll 2
    for (int h = 0; h < 2; ++h) {
      const __m256i l1 = load(w[b].ql + 64 * h), l2 = load(w[b].ql + 64 * h + 32);
      const __m256i hb = load(w[b].qh + 32 * h);
      const __m256i q[4] = {
          _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4)),
          _mm256_or_si256(_mm256_and_si256(l2, m4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4)),
          _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4),
                          _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4))};
#pragma GCC unroll 4
      for (int k = 0; k < 4; ++k) {
        const __m256i q8 = load(x[b].qs + 128 * h + 32 * k);
        const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[k], q8), _mm256_maddubs_epi16(k32, q8));
        sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(scales, 8 * h + 2 * k)));
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(half(w[b].d) * x[b].d), _mm256_cvtepi32_ps(sumi), acc);
  }
  return hsum(acc);
}

float dot_f16_fast(int n, const void* vw, const void* vx) {
  const auto* w = static_cast<const fp16_t*>(vw);
  const auto* x = static_cast<const fp16_t*>(vx);
  __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
  int i = 0;
  auto ph = [](const fp16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); };
  for (; i + 32 <= n; i += 32)
    for (int k = 0; k < 4; ++k) acc[k] = _mm256_fmadd_ps(ph(w + i + 8 * k), ph(x + i + 8 * k), acc[k]);
  float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc[0], acc[1]), _mm256_add_ps(acc[2], acc[3])));
  for (; i < n; ++i) sum += half(w[i]) * half(x[i]);
  return sum;
}

void attend_fast(int hd, int positions, const fp16_t* q, const fp16_t* k, const fp16_t* v, int stride,
                 float* out) {
  // The weighted values accumulate in f16 as in ggml (ggml_vec_mad_f16 on VKQ16): every position
  // widens the accumulator, adds, and narrows it back, a chain through memory that makes this
  // loop ~1.3x slower than an f32 accumulator (9.9 against 7.6 ns per position at head_dim 64 on
  // a Zen 4 core; llama.cpp's depth rows imply 11.3-11.6, local-llamacpp.csv).
  fp16_t acc[kMaxAttendHeadDim];
  float m = -INFINITY, sum = 0;
  for (int i = 0; i < hd; ++i) acc[i] = 0;  // +0.0 in f16
  auto ph = [](const fp16_t* p) { return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p))); };
  auto store = [](fp16_t* p, __m256 x) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
  };
  auto narrow = [](float x) { return fp16_t(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT)); };
  for (int p = 0; p < positions; ++p) {
    const float s = dot_f16_fast(hd, q, k + std::size_t(p) * stride);
    float weight = 1;
    if (s > m) {  // the maximum moved: rescale what is accumulated (rare after the first few)
      const float scale = std::exp(m - s);
      int i = 0;
      for (; i + 8 <= hd; i += 8) store(acc + i, _mm256_mul_ps(ph(acc + i), _mm256_set1_ps(scale)));
      for (; i < hd; ++i) acc[i] = narrow(half(acc[i]) * scale);
      sum *= scale;
      m = s;
    } else {
      weight = std::exp(s - m);
    }
    const __m256 vw = _mm256_set1_ps(weight);
    const fp16_t* vp = v + std::size_t(p) * stride;
    int i = 0;
    for (; i + 8 <= hd; i += 8) store(acc + i, _mm256_fmadd_ps(ph(vp + i), vw, ph(acc + i)));
    for (; i < hd; ++i) acc[i] = narrow(half(acc[i]) + weight * half(vp[i]));
    sum += weight;
  }
  for (int i = 0; i < hd; ++i) out[i] = half(acc[i]) / sum;
}

/// Ten independent accumulators cover the FMA latency (4 cycles) x 2 pipes of current cores.
double fma_fast(long iterations, float* sink) {
  __m256 acc[10];
  for (int k = 0; k < 10; ++k) acc[k] = _mm256_set1_ps(float(k));
  const __m256 a = _mm256_set1_ps(0.999f), b = _mm256_set1_ps(0.001f);
  for (long i = 0; i < iterations; ++i)
    for (int k = 0; k < 10; ++k) acc[k] = _mm256_fmadd_ps(acc[k], a, b);
  __m256 t = acc[0];
  for (int k = 1; k < 10; ++k) t = _mm256_add_ps(t, acc[k]);
  *sink = hsum(t);
  return double(iterations) * 10 * 8 * 2;
}

uint64_t read_fast(const uint8_t* p, std::size_t bytes) {
  __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;
  for (std::size_t i = 0; i < bytes; i += 128) {
    a = _mm256_xor_si256(a, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i)));
    b = _mm256_xor_si256(b, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    c = _mm256_xor_si256(c, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    d = _mm256_xor_si256(d, _mm256_load_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  const __m256i x = _mm256_xor_si256(_mm256_xor_si256(a, b), _mm256_xor_si256(c, d));
  return uint64_t(_mm256_extract_epi64(x, 0) ^ _mm256_extract_epi64(x, 1) ^ _mm256_extract_epi64(x, 2) ^
                  _mm256_extract_epi64(x, 3));
}

#define BENCHR_FAST 1
#endif

[[maybe_unused]] double fma_generic(long iterations, float* sink) {
  float acc[8] = {0, 1, 2, 3, 4, 5, 6, 7};
  for (long i = 0; i < iterations; ++i)
    for (float& x : acc) x = x * 0.999f + 0.001f;
  float t = 0;
  for (float x : acc) t += x;
  *sink = t;
  return double(iterations) * 8 * 2;
}

[[maybe_unused]] uint64_t read_generic(const uint8_t* p, std::size_t bytes) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (std::size_t i = 0; i < bytes; i += 32) {
    uint64_t v[4];
    std::memcpy(v, p + i, 32);
    a ^= v[0], b ^= v[1], c ^= v[2], d ^= v[3];
  }
  return a ^ b ^ c ^ d;
}

}  // namespace

const DotKernels& dot_kernels() {
#if defined(BENCHR_FAST)
  static const DotKernels k{BENCHR_ISA_NAME,
                            {dot_q4_0_fast, dot_q8_0_fast, dot_q3_k_fast,
                             dot_q45_k_fast<false, BlockQ4_K>, dot_q45_k_fast<true, BlockQ5_K>,
                             dot_q6_k_fast, dot_f16_fast},
                            read_fast, attend_fast, fma_fast, dot8_q4_0_fast, tile4_q8_0_fast};
#else
  static const DotKernels k{BENCHR_ISA_NAME,
                            {dot_q4_0_generic, dot_q8_0_generic, dot_q3_k_generic,
                             dot_q45_k_generic<false, BlockQ4_K>, dot_q45_k_generic<true, BlockQ5_K>,
                             dot_q6_k_generic, dot_f16_generic},
                            read_generic, attend_generic, fma_generic, dot8_q4_0_generic, tile4_q8_0_generic};
#endif
  return k;
}

}  // namespace benchr::kernels::BENCHR_ISA
