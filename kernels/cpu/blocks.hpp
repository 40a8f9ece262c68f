// GGUF block layouts, byte for byte as ggml stores them (ggml/src/ggml-common.h), so a rate
// measured over these blocks is a rate for real model files. Private to kernels/.
#pragma once

#include <cstdint>
#include <cstring>

namespace benchr::kernels {

constexpr int kQK = 32;    // weights per Q4_0 / Q8_0 block
constexpr int kQKK = 256;  // weights per K-quant super-block

using fp16_t = uint16_t;

struct BlockQ4_0 { fp16_t d; uint8_t qs[kQK / 2]; };                              // 18 B
struct BlockQ8_0 { fp16_t d; int8_t qs[kQK]; };                                   // 34 B
struct BlockQ3_K { uint8_t hmask[kQKK / 8]; uint8_t qs[kQKK / 4]; uint8_t scales[12]; fp16_t d; };  // 110 B
struct BlockQ4_K { fp16_t d, dmin; uint8_t scales[12]; uint8_t qs[kQKK / 2]; };   // 144 B
struct BlockQ5_K { fp16_t d, dmin; uint8_t scales[12]; uint8_t qh[kQKK / 8]; uint8_t qs[kQKK / 2]; };  // 176 B
struct BlockQ6_K { uint8_t ql[kQKK / 2]; uint8_t qh[kQKK / 4]; int8_t scales[kQKK / 16]; fp16_t d; };  // 210 B
/// Activations for the K-quant dot products: float scale, 256 int8, sums of each 16.
struct BlockQ8_K { float d; int8_t qs[kQKK]; int16_t bsums[kQKK / 16]; };

static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ3_K) == 110 && sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176 && sizeof(BlockQ6_K) == 210);

/// IEEE half to float, exact (subnormals included), without F16C.
static inline float fp16_to_float(fp16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {  // subnormal: renormalise
      exp = 127 - 15 + 1;
      while (!(man & 0x400)) man <<= 1, --exp;
      bits = sign | (exp << 23) | ((man & 0x3ff) << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000 | (man << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

/// Float to IEEE half, round to nearest even; values beyond half's range saturate to infinity.
static inline fp16_t float_to_fp16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000;
  const int32_t exp = int32_t((x >> 23) & 0xff) - 127 + 15;
  uint32_t man = x & 0x7fffff;
  if (((x >> 23) & 0xff) == 0xff) return fp16_t(sign | 0x7c00 | (man ? 0x200 : 0));
  if (exp >= 31) return fp16_t(sign | 0x7c00);
  if (exp <= 0) {
    if (exp < -10) return fp16_t(sign);
    man |= 0x800000;
    const int shift = 14 - exp;
    uint32_t h = man >> shift;
    const uint32_t rem = man & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (h & 1))) ++h;
    return fp16_t(sign | h);
  }
  uint32_t h = (uint32_t(exp) << 10) | (man >> 13);
  const uint32_t rem = man & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (h & 1))) ++h;
  return fp16_t(sign | h);
}

/// Q4_K / Q5_K: the 6-bit scale and min of sub-block j (0..7) from the 12 packed bytes.
static inline void scale_min_k4(int j, const uint8_t* q, uint8_t& sc, uint8_t& m) {
  if (j < 4) {
    sc = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
  }
}

/// Q3_K: the 16 signed 6-bit scales from the 12 packed bytes (already minus 32).
static inline void scales_q3_k(const uint8_t* packed, int8_t out[16]) {
  for (int j = 0; j < 16; ++j) {
    const int low = j < 8 ? packed[j] & 0xF : packed[j - 8] >> 4;
    const int high = (packed[8 + (j % 4)] >> (2 * (j / 4))) & 3;
    out[j] = int8_t((low | (high << 4)) - 32);
  }
}

}  // namespace benchr::kernels
