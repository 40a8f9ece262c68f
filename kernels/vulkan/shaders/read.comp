// Streaming read bandwidth: every invocation sums 16-byte words strided over the whole buffer
// (grid-stride, so neighbouring invocations read neighbouring words: coalesced on GPUs) and
// writes only when the sum equals a value the host never passes, so no load can be dropped.
#version 450

layout(local_size_x = 256) in;

layout(std430, binding = 0) readonly buffer Data { uvec4 data[]; };
layout(std430, binding = 1) writeonly buffer Sink { uint sink[]; };

layout(push_constant) uniform Params {
  uint count;   // 16-byte words in data
  uint never;   // a sum the host treats as impossible
} p;

void main() {
  const uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
  uvec4 acc = uvec4(0);
  for (uint i = gl_GlobalInvocationID.x; i < p.count; i += stride) acc += data[i];
  const uint s = acc.x + acc.y + acc.z + acc.w;
  if (s == p.never) sink[0] = s;
}
