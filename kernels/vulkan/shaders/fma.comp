// FMA peak: eight independent vec4 chains of fused multiply-adds per invocation, held in
// registers (no memory traffic in the loop). Compiled twice: f32, and with -DF16 as f16vec4
// (needs shaderFloat16; the host skips it with a reason where the device lacks it).
// FLOPs per invocation = iterations x 8 chains x 4 lanes x 2.
#version 450
#ifdef F16
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#define VEC f16vec4
#else
#define VEC vec4
#endif

layout(local_size_x = 256) in;

layout(std430, binding = 0) writeonly buffer Sink { float sink[]; };

layout(push_constant) uniform Params {
  uint iterations;
  float never;  // a sum the host treats as impossible
} p;

void main() {
  // a -> a * b + c converges to c / (1 - b) = 1: no overflow, no denormals, in f16 as in f32.
  const VEC b = VEC(0.875), c = VEC(0.125);
  const float seed = float(gl_LocalInvocationID.x) * (1.0 / 256.0);
  VEC a0 = VEC(seed), a1 = VEC(seed + 0.01), a2 = VEC(seed + 0.02), a3 = VEC(seed + 0.03);
  VEC a4 = VEC(seed + 0.04), a5 = VEC(seed + 0.05), a6 = VEC(seed + 0.06), a7 = VEC(seed + 0.07);
  for (uint i = 0; i < p.iterations; ++i) {
    a0 = fma(a0, b, c); a1 = fma(a1, b, c); a2 = fma(a2, b, c); a3 = fma(a3, b, c);
    a4 = fma(a4, b, c); a5 = fma(a5, b, c); a6 = fma(a6, b, c); a7 = fma(a7, b, c);
  }
  const VEC t = (a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7);
  const float s = float(t.x) + float(t.y) + float(t.z) + float(t.w);
  if (s == p.never) sink[0] = s;
}
