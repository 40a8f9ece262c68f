// The one Vulkan loader of the program, shared by probe/ (what the GPUs are) and kernels/vulkan/
// (what they measure): the loader opened at run time (dlopen libvulkan.so.1, so a machine
// without it still builds and runs), one Vulkan 1.1 instance with its entry points, and the one
// description of a physical device (GpuInfo, its type as GpuKind).
// Names Vk types: included only by probe/vulkan*.cpp and kernels/vulkan/*, never by a public header.
#pragma once

#define VK_NO_PROTOTYPES
#include <vulkan/vulkan.h>

#include <stdexcept>
#include <vector>

#include "probe.hpp"

namespace benchr::vk {

/// A failed Vulkan call, named with its result.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Throws Error("<what> failed: VK_...") unless `r` is VK_SUCCESS.
void check(VkResult r, const char* what);

/// A zeroed Vulkan structure with its type set.
template <class T>
T make(VkStructureType type) {
  T x{};
  x.sType = type;
  return x;
}

// The instance-level entry points used, loaded through vkGetInstanceProcAddr.
#define BENCHR_VK_INSTANCE_FUNCTIONS(X)                                                          \
  X(vkDestroyInstance) X(vkEnumeratePhysicalDevices) X(vkGetPhysicalDeviceProperties)             \
  X(vkGetPhysicalDeviceFeatures2) X(vkGetPhysicalDeviceMemoryProperties)                           \
  X(vkGetPhysicalDeviceMemoryProperties2) X(vkGetPhysicalDeviceQueueFamilyProperties)              \
  X(vkEnumerateDeviceExtensionProperties) X(vkGetPhysicalDeviceProperties2) X(vkCreateDevice)      \
  X(vkGetDeviceProcAddr)

#define BENCHR_VK_DECLARE(name) PFN_##name name = nullptr;
struct InstanceFunctions {
  BENCHR_VK_INSTANCE_FUNCTIONS(BENCHR_VK_DECLARE)
};
#undef BENCHR_VK_DECLARE

/// The loader opened at run time and one Vulkan 1.1 instance over every installed driver.
class Loader {
 public:
  /// Throws Error when the loader, its entry points or an instance are missing; its message says
  /// which ("no Vulkan loader (libvulkan.so.1)", "vkCreateInstance (no driver?) failed: ...").
  Loader();
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  std::vector<VkPhysicalDevice> physical_devices() const;
  const InstanceFunctions& fn() const { return fn_; }
  VkInstance instance() const { return instance_; }

 private:
  void* library_ = nullptr;
  VkInstance instance_ = VK_NULL_HANDLE;
  InstanceFunctions fn_;
};

/// The first queue family with compute (a compute-only family first: on discrete GPUs that is
/// the async compute queue, free of the desktop's graphics work), and its timestamp bits.
std::optional<uint32_t> compute_family(const InstanceFunctions& fn, VkPhysicalDevice pd, uint32_t* timestamp_bits);

/// What a physical device is, before any logical device is made.
GpuInfo describe(const Loader& loader, VkPhysicalDevice pd);

}  // namespace benchr::vk
