#include "dot.hpp"

namespace benchr::kernels {

std::vector<Variant> dot_variants() {
  std::vector<Variant> v{{&generic::dot_kernels(), true}};
#if defined(__x86_64__)
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("f16c");
  v.push_back({&avx2::dot_kernels(), avx2});
  v.push_back({&avx512::dot_kernels(), avx2 && __builtin_cpu_supports("avx512f") &&
                                           __builtin_cpu_supports("avx512bw") &&
                                           __builtin_cpu_supports("avx512vl") &&
                                           __builtin_cpu_supports("avx512vnni")});
#endif
  return v;
}

const DotKernels& best_dot_kernels() {
  const DotKernels* best = nullptr;
  for (const auto& v : dot_variants())
    if (v.supported) best = v.kernels;
  return *best;
}

}  // namespace benchr::kernels
