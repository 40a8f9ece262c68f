// y = W·x for one GGUF block format, chosen at build time (-DQ4_0, -DQ8_0 or -DQ4_K). W holds the
// raw blocks exactly as a GGUF file stores them (ggml-common.h: Q4_0 18 B, Q8_0 34 B, Q4_K 144 B
// per block, rows back to back) read as a uint array; f16 scales unpacked with unpackHalf2x16.
// x is f32: llama.cpp's Vulkan backend also dequantizes the weights against f32/f16 activations
// in its mat-vec shaders (mul_mat_vec*.comp); it does not quantize activations to 8 bits there.
// One workgroup per row: each invocation takes a few parts of the row's blocks, then a shared
// memory tree reduction. Rows beyond 65535 workgroups go on in y (row = y * groups_x + x).
#version 450

#define WG 64
layout(local_size_x = WG) in;

layout(std430, binding = 0) readonly buffer Weights { uint w[]; };
layout(std430, binding = 1) readonly buffer X { float x[]; };
layout(std430, binding = 2) writeonly buffer Y { float y[]; };

layout(push_constant) uniform Params {
  uint rows;
  uint blocks;  // blocks per row
} p;

shared float partial[WG];

// The 16-bit word at a 2-aligned byte offset (Q4_0 and Q8_0 blocks are 2-aligned only).
uint u16_at(uint offset) { return (w[offset >> 2] >> ((offset & 2u) * 8u)) & 0xFFFFu; }
// The 32 bits at a 2-aligned byte offset. The host pads W by 16 bytes, so w[i + 1] exists.
uint u32_at(uint offset) {
  const uint i = offset >> 2;
  return (offset & 2u) == 0u ? w[i] : (w[i] >> 16) | (w[i + 1] << 16);
}
float half_at(uint offset) { return unpackHalf2x16(u16_at(offset)).x; }

#if defined(Q4_0)
// block: f16 d, 16 bytes of nibbles; byte j holds weight j (low nibble) and j + 16 (high), q - 8.
const uint BLOCK_BYTES = 18u;
const uint PARTS = 4u;  // invocations per block, 4 bytes (8 weights) each
float part(uint row_offset, uint item) {
  const uint b = item / PARTS, q = item % PARTS;
  const uint base = row_offset + b * BLOCK_BYTES;
  const uint qs = u32_at(base + 2u + 4u * q);
  const uint xo = b * 32u + 4u * q;
  float s = 0.0;
  for (uint k = 0u; k < 4u; ++k) {
    const uint v = (qs >> (8u * k)) & 0xFFu;
    s += float(int(v & 0xFu) - 8) * x[xo + k] + float(int(v >> 4) - 8) * x[xo + 16u + k];
  }
  return half_at(base) * s;
}
#elif defined(Q8_0)
// block: f16 d, 32 signed bytes.
const uint BLOCK_BYTES = 34u;
const uint PARTS = 4u;  // invocations per block, 8 bytes each
float part(uint row_offset, uint item) {
  const uint b = item / PARTS, q = item % PARTS;
  const uint base = row_offset + b * BLOCK_BYTES;
  const uint xo = b * 32u + 8u * q;
  float s = 0.0;
  for (uint j = 0u; j < 2u; ++j) {
    const int qs = int(u32_at(base + 2u + 8u * q + 4u * j));
    for (int k = 0; k < 4; ++k) s += float(bitfieldExtract(qs, 8 * k, 8)) * x[xo + 4u * j + uint(k)];
  }
  return half_at(base) * s;
}
#elif defined(Q4_K)
// super-block: f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins for 8 sub-blocks of 32,
// 128 bytes of nibbles: bytes 32p..32p+31 hold sub-block 2p (low nibbles) and 2p+1 (high).
// weight = d * scale * q - dmin * min.
const uint BLOCK_BYTES = 144u;
const uint PARTS = 16u;  // invocations per super-block: 4 per nibble pair, 8 bytes each
uint scale_byte(uint base4, uint i) { return (w[base4 + 1u + i / 4u] >> (8u * (i % 4u))) & 0xFFu; }
// ggml's get_scale_min_k4.
vec2 scale_min(uint base4, uint j) {
  if (j < 4u) return vec2(scale_byte(base4, j) & 63u, scale_byte(base4, j + 4u) & 63u);
  const uint s = scale_byte(base4, j + 4u);
  return vec2((s & 0xFu) | ((scale_byte(base4, j - 4u) >> 6) << 4), (s >> 4) | ((scale_byte(base4, j) >> 6) << 4));
}
float part(uint row_offset, uint item) {
  const uint b = item / PARTS, t = item % PARTS;
  const uint pair = t / 4u, l0 = (t % 4u) * 8u;
  const uint base4 = (row_offset + b * BLOCK_BYTES) >> 2;  // 144-byte blocks are 4-aligned
  const vec2 dm = unpackHalf2x16(w[base4]);
  const vec2 lo = scale_min(base4, 2u * pair), hi = scale_min(base4, 2u * pair + 1u);
  const uint xlo = b * 256u + 64u * pair + l0, xhi = xlo + 32u;
  float qlo = 0.0, qhi = 0.0, slo = 0.0, shi = 0.0;
  for (uint j = 0u; j < 2u; ++j) {
    const uint qs = w[base4 + 4u + 8u * pair + l0 / 4u + j];
    for (uint k = 0u; k < 4u; ++k) {
      const float a = x[xlo + 4u * j + k], c = x[xhi + 4u * j + k];
      qlo += float((qs >> (8u * k)) & 0xFu) * a;
      qhi += float((qs >> (8u * k + 4u)) & 0xFu) * c;
      slo += a;
      shi += c;
    }
  }
  return dm.x * (lo.x * qlo + hi.x * qhi) - dm.y * (lo.y * slo + hi.y * shi);
}
#else
#error "define Q4_0, Q8_0 or Q4_K"
#endif

void main() {
  const uint row = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (row >= p.rows) return;  // the whole workgroup leaves together: barriers stay uniform
  const uint lid = gl_LocalInvocationID.x;
  const uint row_offset = row * p.blocks * BLOCK_BYTES;
  float s = 0.0;
  for (uint i = lid; i < p.blocks * PARTS; i += WG) s += part(row_offset, i);
  partial[lid] = s;
  barrier();
  for (uint h = WG / 2; h > 0u; h >>= 1) {
    if (lid < h) partial[lid] += partial[lid + h];
    barrier();
  }
  if (lid == 0u) y[row] = partial[0];
}
