// The one Vulkan loader and device description (vulkan_loader.hpp). Every VkResult is checked; a
// failure throws vk::Error with the call and the result named.
#include "vulkan_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

namespace benchr::vk {
namespace {

const char* result_name(VkResult r) {
  switch (r) {
#define BENCHR_VK_RESULT(name) \
  case name: return #name;
    BENCHR_VK_RESULT(VK_SUCCESS)
    BENCHR_VK_RESULT(VK_NOT_READY)
    BENCHR_VK_RESULT(VK_TIMEOUT)
    BENCHR_VK_RESULT(VK_INCOMPLETE)
    BENCHR_VK_RESULT(VK_ERROR_OUT_OF_HOST_MEMORY)
    BENCHR_VK_RESULT(VK_ERROR_OUT_OF_DEVICE_MEMORY)
    BENCHR_VK_RESULT(VK_ERROR_INITIALIZATION_FAILED)
    BENCHR_VK_RESULT(VK_ERROR_DEVICE_LOST)
    BENCHR_VK_RESULT(VK_ERROR_MEMORY_MAP_FAILED)
    BENCHR_VK_RESULT(VK_ERROR_LAYER_NOT_PRESENT)
    BENCHR_VK_RESULT(VK_ERROR_EXTENSION_NOT_PRESENT)
    BENCHR_VK_RESULT(VK_ERROR_FEATURE_NOT_PRESENT)
    BENCHR_VK_RESULT(VK_ERROR_INCOMPATIBLE_DRIVER)
    BENCHR_VK_RESULT(VK_ERROR_TOO_MANY_OBJECTS)
    BENCHR_VK_RESULT(VK_ERROR_FORMAT_NOT_SUPPORTED)
    BENCHR_VK_RESULT(VK_ERROR_FRAGMENTED_POOL)
    BENCHR_VK_RESULT(VK_ERROR_UNKNOWN)
    BENCHR_VK_RESULT(VK_ERROR_OUT_OF_POOL_MEMORY)
    BENCHR_VK_RESULT(VK_ERROR_INVALID_SHADER_NV)
#undef BENCHR_VK_RESULT
    default: return nullptr;
  }
}

std::string version_string(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
         std::to_string(VK_API_VERSION_PATCH(v));
}

/// The one mapping of Vulkan's device type to the program's.
GpuKind kind_of(VkPhysicalDeviceType t) {
  switch (t) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return GpuKind::discrete;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return GpuKind::integrated;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return GpuKind::virtual_gpu;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return GpuKind::cpu;
    default: return GpuKind::other;
  }
}

bool has_extension(const std::vector<VkExtensionProperties>& exts, const char* name) {
  for (const auto& e : exts)
    if (std::strcmp(e.extensionName, name) == 0) return true;
  return false;
}

}  // namespace

void check(VkResult r, const char* what) {
  if (r == VK_SUCCESS) return;
  const char* name = result_name(r);
  throw Error(std::string(what) + " failed: " + (name ? name : "VkResult " + std::to_string(int(r))));
}

Loader::Loader() {
  library_ = dlopen("libvulkan.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library_) throw Error("no Vulkan loader (libvulkan.so.1)");
  auto get = reinterpret_cast<PFN_vkGetInstanceProcAddr>(dlsym(library_, "vkGetInstanceProcAddr"));
  auto create = get ? reinterpret_cast<PFN_vkCreateInstance>(get(nullptr, "vkCreateInstance")) : nullptr;
  if (!create) {
    dlclose(library_);
    throw Error("the Vulkan loader lacks vkGetInstanceProcAddr / vkCreateInstance");
  }
  auto app = make<VkApplicationInfo>(VK_STRUCTURE_TYPE_APPLICATION_INFO);
  app.pApplicationName = "benchr-advise";
  app.apiVersion = VK_API_VERSION_1_1;
  auto info = make<VkInstanceCreateInfo>(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO);
  info.pApplicationInfo = &app;
  if (const VkResult r = create(&info, nullptr, &instance_); r != VK_SUCCESS) {
    dlclose(library_);
    check(r, "vkCreateInstance (no driver?)");
  }
  bool complete = true;
#define BENCHR_VK_LOAD(name) \
  complete &= (fn_.name = reinterpret_cast<PFN_##name>(get(instance_, #name))) != nullptr;
  BENCHR_VK_INSTANCE_FUNCTIONS(BENCHR_VK_LOAD)
#undef BENCHR_VK_LOAD
  if (!complete) {
    if (fn_.vkDestroyInstance) fn_.vkDestroyInstance(instance_, nullptr);
    dlclose(library_);
    throw Error("Vulkan 1.1 instance entry points missing");
  }
}

Loader::~Loader() {
  fn_.vkDestroyInstance(instance_, nullptr);
  dlclose(library_);
}

std::vector<VkPhysicalDevice> Loader::physical_devices() const {
  uint32_t n = 0;
  check(fn_.vkEnumeratePhysicalDevices(instance_, &n, nullptr), "vkEnumeratePhysicalDevices");
  std::vector<VkPhysicalDevice> out(n);
  const VkResult r = fn_.vkEnumeratePhysicalDevices(instance_, &n, out.data());
  if (r != VK_INCOMPLETE) check(r, "vkEnumeratePhysicalDevices");
  out.resize(n);
  return out;
}

std::optional<uint32_t> compute_family(const InstanceFunctions& fn, VkPhysicalDevice pd, uint32_t* timestamp_bits) {
  uint32_t n = 0;
  fn.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  fn.vkGetPhysicalDeviceQueueFamilyProperties(pd, &n, families.data());
  std::optional<uint32_t> best;
  int best_score = -1;
  for (uint32_t i = 0; i < n; ++i) {
    const auto flags = families[i].queueFlags;
    if (!(flags & VK_QUEUE_COMPUTE_BIT)) continue;
    const int score = 2 * (families[i].timestampValidBits > 0) + !(flags & VK_QUEUE_GRAPHICS_BIT);
    if (score > best_score) best = i, best_score = score;
  }
  if (best && timestamp_bits) *timestamp_bits = families[*best].timestampValidBits;
  return best;
}

GpuInfo describe(const Loader& loader, VkPhysicalDevice pd) {
  const InstanceFunctions& fn = loader.fn();
  uint32_t n = 0;
  std::vector<VkExtensionProperties> exts;
  if (fn.vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, nullptr) == VK_SUCCESS) {
    exts.resize(n);
    if (fn.vkEnumerateDeviceExtensionProperties(pd, nullptr, &n, exts.data()) != VK_SUCCESS) exts.clear();
    exts.resize(std::min<std::size_t>(exts.size(), n));
  }
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
  fn.vkGetPhysicalDeviceProperties2(pd, &props);

  auto f16 = make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
  auto dot = make<VkPhysicalDeviceShaderIntegerDotProductFeatures>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_INTEGER_DOT_PRODUCT_FEATURES);
  auto feats = make<VkPhysicalDeviceFeatures2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2);
  void** tail = &feats.pNext;
  if (f16_ext) *tail = &f16, tail = &f16.pNext;
  if (dot_ext) *tail = &dot, tail = &dot.pNext;
  fn.vkGetPhysicalDeviceFeatures2(pd, &feats);

  auto budget = make<VkPhysicalDeviceMemoryBudgetPropertiesEXT>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT);
  auto mem = make<VkPhysicalDeviceMemoryProperties2>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2);
  if (budget_ext) mem.pNext = &budget;
  fn.vkGetPhysicalDeviceMemoryProperties2(pd, &mem);

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
  g.max_storage_range_bytes = double(p.limits.maxStorageBufferRange);
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
  g.compute_queue = compute_family(fn, pd, &g.timestamp_bits).has_value();
  return g;
}

}  // namespace benchr::vk
