// GPUs through Vulkan, the one API that sees NVIDIA, AMD, Intel and integrated GPUs on Linux.
// The loader is opened at run time (dlopen libvulkan.so.1) so a machine without it still runs,
// CPU only, with a note. No Vk type leaves this file.
#define VK_NO_PROTOTYPES
#include <dlfcn.h>
#include <vulkan/vulkan.h>

#include <cstring>

#include "probe.hpp"

namespace benchr {
namespace {

struct Library {
  void* handle = nullptr;
  ~Library() {
    if (handle) dlclose(handle);
  }
};

struct Instance {
  VkInstance handle = VK_NULL_HANDLE;
  PFN_vkDestroyInstance destroy = nullptr;
  ~Instance() {
    if (handle && destroy) destroy(handle, nullptr);
  }
};

std::string version_string(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
         std::to_string(VK_API_VERSION_PATCH(v));
}

GpuKind kind_of(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return GpuKind::discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return GpuKind::integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return GpuKind::virtual_gpu;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return GpuKind::cpu;
    default: return GpuKind::other;
  }
}

/// A zeroed Vulkan structure with its type set.
template <class T>
T make(VkStructureType type) {
  T x{};
  x.sType = type;
  return x;
}

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

}  // namespace

std::vector<GpuInfo> probe_vulkan(std::vector<std::string>& notes) {
  Library lib;
  lib.handle = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib.handle) {
    notes.push_back("no Vulkan loader (libvulkan.so.1): GPUs not probed, CPU only");
    return {};
  }
  auto get_instance_proc = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(lib.handle, "vkGetInstanceProcAddr"));
  if (!get_instance_proc) {
    notes.push_back("the Vulkan loader lacks vkGetInstanceProcAddr: GPUs not probed");
    return {};
  }
  auto create_instance = reinterpret_cast<PFN_vkCreateInstance>(get_instance_proc(nullptr, "vkCreateInstance"));
  auto app = make<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  app.pApplicationName = "benchr-advise";
  app.apiVersion = VK_API_VERSION_1_1;
  auto info = make<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  info.pApplicationInfo = &app;
  Instance owner;
  if (!create_instance || create_instance(&info, nullptr, &owner.handle) != VK_SUCCESS) {
    notes.push_back("Vulkan: no instance could be created (no driver?): GPUs not probed, CPU only");
    return {};
  }
  const VkInstance instance = owner.handle;
  auto load = [&](const char* name) { return get_instance_proc(instance, name); };
  owner.destroy = reinterpret_cast<PFN_vkDestroyInstance>(load("vkDestroyInstance"));
  auto enumerate = reinterpret_cast<PFN_vkEnumeratePhysicalDevices>(load("vkEnumeratePhysicalDevices"));
  auto properties2 = reinterpret_cast<PFN_vkGetPhysicalDeviceProperties2>(load("vkGetPhysicalDeviceProperties2"));
  auto memory2 = reinterpret_cast<PFN_vkGetPhysicalDeviceMemoryProperties2>(load("vkGetPhysicalDeviceMemoryProperties2"));
  auto features2 = reinterpret_cast<PFN_vkGetPhysicalDeviceFeatures2>(load("vkGetPhysicalDeviceFeatures2"));
  auto extensions = reinterpret_cast<PFN_vkEnumerateDeviceExtensionProperties>(load("vkEnumerateDeviceExtensionProperties"));
  if (!enumerate || !properties2 || !memory2 || !features2 || !extensions) {
    notes.push_back("Vulkan 1.1 entry points missing: GPUs not probed");
    return {};
  }

  uint32_t count = 0;
  enumerate(instance, &count, nullptr);
  std::vector<VkPhysicalDevice> devices(count);
  enumerate(instance, &count, devices.data());
  if (count == 0) notes.push_back("Vulkan: no device reported by any driver: CPU only");

  std::vector<GpuInfo> out;
  for (VkPhysicalDevice pd : devices) {
    uint32_t n = 0;
    extensions(pd, nullptr, &n, nullptr);
    std::vector<VkExtensionProperties> exts(n);
    extensions(pd, nullptr, &n, exts.data());
    const bool driver_props = has_extension(exts, VK_KHR_DRIVER_PROPERTIES_EXTENSION_NAME);
    const bool budget_ext = has_extension(exts, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME);
    const bool dot_ext = has_extension(exts, VK_KHR_SHADER_INTEGER_DOT_PRODUCT_EXTENSION_NAME);
    const bool f16_ext = has_extension(exts, VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME);

    auto driver = make<VkPhysicalDeviceDriverProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES);
    auto subgroup = make<VkPhysicalDeviceSubgroupProperties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES);
    auto maint3 = make<VkPhysicalDeviceMaintenance3Properties>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES);
    auto props = make<VkPhysicalDeviceProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2);
    props.pNext = &subgroup;
    subgroup.pNext = &maint3;
    if (driver_props) maint3.pNext = &driver;
    properties2(pd, &props);

    auto f16 = make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
    auto dot = make<VkPhysicalDeviceShaderIntegerDotProductFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES);
    auto feats = make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
    void** tail = &feats.pNext;
    if (f16_ext) *tail = &f16, tail = &f16.pNext;
    if (dot_ext) *tail = &dot, tail = &dot.pNext;
    features2(pd, &feats);

    auto budget = make<VkPhysicalDeviceMemoryBudgetPropertiesEXT>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT);
    auto mem = make<VkPhysicalDeviceMemoryProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2);
    if (budget_ext) mem.pNext = &budget;
    memory2(pd, &mem);

    GpuInfo g;
    const auto& p = props.properties;
    g.name = p.deviceName;
    g.vendor_id = p.vendorID;
    g.device_id = p.deviceID;
    g.kind = kind_of(p.deviceType);
    g.api_version = version_string(p.apiVersion);
    g.driver_version = std::to_string(p.driverVersion);
    if (driver_props) g.driver_name = driver.driverName;
    g.subgroup_size = subgroup.subgroupSize;
    g.max_allocation_bytes = double(maint3.maxMemoryAllocationSize);
    g.fp16 = f16_ext && f16.shaderFloat16;
    g.int8_dot = dot_ext && dot.shaderIntegerDotProduct;
    g.has_budget = budget_ext;
    for (uint32_t h = 0; h < mem.memoryProperties.memoryHeapCount; ++h) {
      if (!(mem.memoryProperties.memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)) continue;
      g.device_local_bytes += double(mem.memoryProperties.memoryHeaps[h].size);
      if (budget_ext) {
        g.budget_bytes += double(budget.heapBudget[h]);
        g.usage_bytes += double(budget.heapUsage[h]);
      }
    }
    // Integrated GPUs and CPU devices allocate from system RAM: their "VRAM" is the host's.
    g.unified_memory = g.kind == GpuKind::integrated || g.kind == GpuKind::cpu;
    out.push_back(g);
  }
  return out;
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
