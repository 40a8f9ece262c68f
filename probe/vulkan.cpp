// GPUs through Vulkan, the one API that sees NVIDIA, AMD, Intel and integrated GPUs on Linux,
// through the loader shared with the Vulkan kernels (vulkan_loader.hpp). A machine without the
// loader or a driver still runs, CPU only, with a note. No Vk type leaves the probe's Vulkan files.
#include "vulkan_loader.hpp"

namespace benchr {

std::vector<GpuInfo> probe_vulkan(std::vector<std::string>& notes) {
  try {
    const vk::Loader loader;
    std::vector<GpuInfo> out;
    for (VkPhysicalDevice pd : loader.physical_devices()) out.push_back(vk::describe(loader, pd));
    if (out.empty()) notes.push_back("Vulkan: no device reported by any driver: CPU only");
    return out;
  } catch (const vk::Error& e) {
    notes.push_back(std::string("Vulkan: ") + e.what() + ": GPUs not probed, CPU only");
    return {};
  }
}

std::string_view to_string(GpuKind k) {
  switch (k) {
    case GpuKind::discrete: return "discrete";
    case GpuKind::integrated: return "integrated";
    case GpuKind::virtual_gpu: return "virtual";
    case GpuKind::cpu: return "cpu";
    case GpuKind::other: return "other";
  }
  return "other";
}

}  // namespace benchr
