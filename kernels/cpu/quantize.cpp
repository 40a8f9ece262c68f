#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>

#include "dot.hpp"

namespace benchr::kernels {
namespace {

/// splitmix64: fast, deterministic bytes for benchmark buffers of hundreds of MiB.
struct Bytes {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  void fill(uint8_t* p, std::size_t n) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      const uint64_t v = next();
      std::memcpy(p + i, &v, 8);
    }
    for (const uint64_t v = next(); i < n; ++i) p[i] = uint8_t(v >> (8 * (i % 8)));
  }
};

/// A normal, positive fp16 scale in [2^-9, 2^-8): small like real weight scales, never NaN.
fp16_t scale(uint64_t r) { return fp16_t(0x1800 | (r & 0x3FF)); }

template <class Block, class Patch>
void patch(uint8_t* buf, std::size_t bytes, Bytes& rng, Patch p) {
  for (std::size_t off = 0; off + sizeof(Block) <= bytes; off += sizeof(Block)) {
    Block b;
    std::memcpy(&b, buf + off, sizeof b);
    p(b, rng.next());
    std::memcpy(buf + off, &b, sizeof b);
  }
}

}  // namespace

const float* fp16_table() {
  static const std::vector<float> table = [] {
    std::vector<float> t(1 << 16);
    for (uint32_t h = 0; h < t.size(); ++h) t[h] = fp16_to_float(fp16_t(h));
    return t;
  }();
  return table.data();
}

void fill_weights(Format f, uint8_t* buf, std::size_t bytes, uint64_t seed) {
  Bytes rng{seed};
  if (f == Format::f16) {
    // Sign and mantissa random, exponent 12 (values of 2^-3 to 2^-2): normal halves of weight-like
    // size, four at a time.
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
      const uint64_t v = (rng.next() & 0x83FF83FF83FF83FFULL) | 0x3000300030003000ULL;
      std::memcpy(buf + i, &v, 8);
    }
    for (; i + 2 <= bytes; i += 2) {
      const uint16_t h = uint16_t((rng.next() & 0x83FF) | 0x3000);
      std::memcpy(buf + i, &h, 2);
    }
    return;
  }
  rng.fill(buf, bytes);
  switch (f) {
    case Format::q4_0: patch<BlockQ4_0>(buf, bytes, rng, [](auto& b, uint64_t r) { b.d = scale(r); }); break;
    case Format::q8_0: patch<BlockQ8_0>(buf, bytes, rng, [](auto& b, uint64_t r) { b.d = scale(r); }); break;
    case Format::q3_k: patch<BlockQ3_K>(buf, bytes, rng, [](auto& b, uint64_t r) { b.d = scale(r); }); break;
    case Format::q4_k:
      patch<BlockQ4_K>(buf, bytes, rng, [](auto& b, uint64_t r) { b.d = scale(r), b.dmin = scale(r >> 16); });
      break;
    case Format::q5_k:
      patch<BlockQ5_K>(buf, bytes, rng, [](auto& b, uint64_t r) { b.d = scale(r), b.dmin = scale(r >> 16); });
      break;
    case Format::q6_k: patch<BlockQ6_K>(buf, bytes, rng, [](auto& b, uint64_t r) { b.d = scale(r); }); break;
    case Format::f16:
    case Format::count: break;
  }
}

void fill_f16_pages(uint8_t* buf, std::size_t bytes, uint64_t seed) {
  constexpr std::size_t kPage = 4096;
  uint64_t page[kPage / 8];
  fill_weights(Format::f16, reinterpret_cast<uint8_t*>(page), kPage, seed);
  Bytes rng{seed ^ 0xD1B54A32D192ED03ULL};
  for (std::size_t off = 0; off < bytes; off += kPage) {
    // Flipping mantissa bits only (the low 10 of each half) keeps every half normal in range.
    const uint64_t mask = rng.next() & 0x03FF03FF03FF03FFULL;
    const std::size_t n = std::min(kPage, bytes - off) / 8;
    for (std::size_t i = 0; i < n; ++i) {
      const uint64_t v = page[i] ^ mask;
      std::memcpy(buf + off + 8 * i, &v, 8);
    }
  }
}

void fill_q4_0x8(uint8_t* buf, std::size_t bytes, uint64_t seed) {
  Bytes rng{seed};
  rng.fill(buf, bytes);
  for (std::size_t off = 0; off + sizeof(BlockQ4_0x8) <= bytes; off += sizeof(BlockQ4_0x8))
    for (int r = 0; r < 8; ++r) {
      const fp16_t d = scale(rng.next());
      std::memcpy(buf + off + 2 * r, &d, 2);
    }
}

std::vector<BlockQ4_0x8> interleave_q4_0x8(const uint8_t* rows, std::size_t row_bytes, int n) {
  std::vector<BlockQ4_0x8> out(n / kQK);
  for (int r = 0; r < 8; ++r)
    for (int b = 0; b < n / kQK; ++b) {
      BlockQ4_0 blk;
      std::memcpy(&blk, rows + r * row_bytes + b * sizeof blk, sizeof blk);
      out[b].d[r] = blk.d;
      for (int j = 0; j < kQK / 2; ++j) out[b].qs[j / 8][r][j % 8] = blk.qs[j] ^ 0x88;
    }
  return out;
}

std::vector<uint8_t> random_weights(Format f, int rows, int n, unsigned seed) {
  const FormatInfo& fi = info(f);
  if (n % fi.block_elements) throw std::invalid_argument("row length is not a multiple of the block");
  std::vector<uint8_t> buf(std::size_t(rows) * (n / fi.block_elements) * fi.block_bytes);
  fill_weights(f, buf.data(), buf.size(), seed);
  return buf;
}

std::vector<uint8_t> quantize_activations(Format f, const std::vector<float>& x) {
  const int n = static_cast<int>(x.size());
  std::vector<uint8_t> out;
  switch (info(f).activation) {
    case Activation::q8_0: {
      out.resize((n / kQK) * sizeof(BlockQ8_0));
      for (int b = 0; b < n / kQK; ++b) {
        float amax = 0;
        for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::abs(x[b * kQK + j]));
        const float d = amax / 127, id = d ? 1 / d : 0;
        BlockQ8_0 blk;
        blk.d = float_to_fp16(d);
        for (int j = 0; j < kQK; ++j) blk.qs[j] = int8_t(std::lround(x[b * kQK + j] * id));
        std::memcpy(out.data() + b * sizeof blk, &blk, sizeof blk);
      }
      break;
    }
    case Activation::q8_k: {
      out.resize((n / kQKK) * sizeof(BlockQ8_K));
      for (int b = 0; b < n / kQKK; ++b) {
        float amax = 0;
        for (int j = 0; j < kQKK; ++j) amax = std::max(amax, std::abs(x[b * kQKK + j]));
        BlockQ8_K blk{};
        blk.d = amax / 127;
        const float id = blk.d ? 1 / blk.d : 0;
        for (int j = 0; j < kQKK; ++j) {
          blk.qs[j] = int8_t(std::clamp<long>(std::lround(x[b * kQKK + j] * id), -127, 127));
          blk.bsums[j / 16] = int16_t(blk.bsums[j / 16] + blk.qs[j]);
        }
        std::memcpy(out.data() + b * sizeof blk, &blk, sizeof blk);
      }
      break;
    }
    case Activation::f16: {
      out.resize(std::size_t(n) * 2);
      for (int i = 0; i < n; ++i) {
        const fp16_t h = float_to_fp16(x[i]);
        std::memcpy(out.data() + 2 * i, &h, 2);
      }
      break;
    }
  }
  return out;
}

std::vector<double> dequantize_activations(Format f, const std::vector<uint8_t>& q, int n) {
  std::vector<double> x(n);
  switch (info(f).activation) {
    case Activation::q8_0:
      for (int b = 0; b < n / kQK; ++b) {
        BlockQ8_0 blk;
        std::memcpy(&blk, q.data() + b * sizeof blk, sizeof blk);
        for (int j = 0; j < kQK; ++j) x[b * kQK + j] = double(fp16_to_float(blk.d)) * blk.qs[j];
      }
      break;
    case Activation::q8_k:
      for (int b = 0; b < n / kQKK; ++b) {
        BlockQ8_K blk;
        std::memcpy(&blk, q.data() + b * sizeof blk, sizeof blk);
        for (int j = 0; j < kQKK; ++j) x[b * kQKK + j] = double(blk.d) * blk.qs[j];
      }
      break;
    case Activation::f16:
      for (int i = 0; i < n; ++i) {
        fp16_t h;
        std::memcpy(&h, q.data() + 2 * i, 2);
        x[i] = fp16_to_float(h);
      }
      break;
  }
  return x;
}

std::vector<double> dequantize_row(Format f, const uint8_t* row, int n) {
  std::vector<double> y(n);
  const int nb = n / info(f).block_elements;
  for (int b = 0; b < nb; ++b) {
    double* out = y.data() + std::size_t(b) * info(f).block_elements;
    switch (f) {
      case Format::q4_0: {
        BlockQ4_0 blk;
        std::memcpy(&blk, row + b * sizeof blk, sizeof blk);
        const double d = fp16_to_float(blk.d);
        for (int j = 0; j < kQK / 2; ++j) {
          out[j] = d * ((blk.qs[j] & 0xF) - 8);
          out[j + kQK / 2] = d * ((blk.qs[j] >> 4) - 8);
        }
        break;
      }
      case Format::q8_0: {
        BlockQ8_0 blk;
        std::memcpy(&blk, row + b * sizeof blk, sizeof blk);
        for (int j = 0; j < kQK; ++j) out[j] = double(fp16_to_float(blk.d)) * blk.qs[j];
        break;
      }
      case Format::q3_k: {
        BlockQ3_K blk;
        std::memcpy(&blk, row + b * sizeof blk, sizeof blk);
        int8_t sc[16];
        scales_q3_k(blk.scales, sc);
        const double d = fp16_to_float(blk.d);
        for (int g = 0; g < 8; ++g)
          for (int l = 0; l < 32; ++l) {
            const int q = ((blk.qs[(g / 4) * 32 + l] >> (2 * (g % 4))) & 3) - (((blk.hmask[l] >> g) & 1) ? 0 : 4);
            out[g * 32 + l] = d * sc[2 * g + l / 16] * q;
          }
        break;
      }
      case Format::q4_k:
      case Format::q5_k: {
        const bool five = f == Format::q5_k;
        BlockQ5_K b5{};
        BlockQ4_K b4{};
        const uint8_t *scales, *qs, *qh = nullptr;
        double d, dmin;
        if (five) {
          std::memcpy(&b5, row + b * sizeof b5, sizeof b5);
          scales = b5.scales, qs = b5.qs, qh = b5.qh, d = fp16_to_float(b5.d), dmin = fp16_to_float(b5.dmin);
        } else {
          std::memcpy(&b4, row + b * sizeof b4, sizeof b4);
          scales = b4.scales, qs = b4.qs, d = fp16_to_float(b4.d), dmin = fp16_to_float(b4.dmin);
        }
        for (int j = 0; j < 8; ++j) {
          uint8_t sc, m;
          scale_min_k4(j, scales, sc, m);
          for (int l = 0; l < 32; ++l) {
            int q = j % 2 ? qs[(j / 2) * 32 + l] >> 4 : qs[(j / 2) * 32 + l] & 0xF;
            if (five) q |= ((qh[l] >> j) & 1) << 4;
            out[j * 32 + l] = d * sc * q - dmin * m;
          }
        }
        break;
      }
      case Format::q6_k: {
        BlockQ6_K blk;
        std::memcpy(&blk, row + b * sizeof blk, sizeof blk);
        const double d = fp16_to_float(blk.d);
        for (int h = 0; h < 2; ++h) {
          const uint8_t* ql = blk.ql + 64 * h;
          const uint8_t* qh = blk.qh + 32 * h;
          const int8_t* sc = blk.scales + 8 * h;
          double* o = out + 128 * h;
          for (int l = 0; l < 32; ++l) {
            const int is = l / 16;
            o[l] = d * sc[is] * (((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
            o[l + 32] = d * sc[is + 2] * (((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
            o[l + 64] = d * sc[is + 4] * (((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            o[l + 96] = d * sc[is + 6] * (((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
          }
        }
        break;
      }
      case Format::f16: {
        fp16_t h;
        std::memcpy(&h, row + 2 * b, 2);
        out[0] = fp16_to_float(h);
        break;
      }
      case Format::count: break;
    }
  }
  return y;
}

}  // namespace benchr::kernels
