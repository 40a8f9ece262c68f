#include "runner.hpp"

#include <algorithm>
#include <cstring>
#include <optional>

namespace benchr::kernels::vk {
namespace {

constexpr uint64_t kFenceTimeoutNs = 20'000'000'000;  // a hung driver is a note, not a hang

}  // namespace

// ---- Gpu -------------------------------------------------------------------------------------

Gpu::Gpu(const Loader& loader, VkPhysicalDevice pd, bool f16) {
  const auto& ifn = loader.fn();
  ifn.vkGetPhysicalDeviceProperties(pd, &props_);
  ifn.vkGetPhysicalDeviceMemoryProperties(pd, &memory_);
  const auto family = benchr::vk::compute_family(ifn, pd, &timestamp_bits_);
  if (!family) throw Error("no compute queue");
  queue_family_ = *family;

  const float priority = 1.0f;
  auto queue = make<VkDeviceQueueCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO);
  queue.queueFamilyIndex = queue_family_;
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  auto f16_features = make<VkPhysicalDeviceShaderFloat16Int8Features>(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES);
  f16_features.shaderFloat16 = VK_TRUE;
  const char* f16_ext = VK_KHR_SHADER_FLOAT16_INT8_EXTENSION_NAME;
  auto info = make<VkDeviceCreateInfo>(VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO);
  info.queueCreateInfoCount = 1;
  info.pQueueCreateInfos = &queue;
  if (f16) {
    info.pNext = &f16_features;
    info.enabledExtensionCount = 1;
    info.ppEnabledExtensionNames = &f16_ext;
  }
  check(ifn.vkCreateDevice(pd, &info, nullptr, &device_), "vkCreateDevice");

  bool complete = true;
#define BENCHR_VK_LOAD(name) \
  complete &= (fn_.name = reinterpret_cast<PFN_##name>(ifn.vkGetDeviceProcAddr(device_, #name))) != nullptr;
  BENCHR_VK_DEVICE_FUNCTIONS(BENCHR_VK_LOAD)
#undef BENCHR_VK_LOAD
  if (!complete) {
    if (fn_.vkDestroyDevice) fn_.vkDestroyDevice(device_, nullptr);
    throw Error("Vulkan device entry points missing");
  }
  fn_.vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

  const VkDevice dev = device_;
  const DeviceFunctions& fn = fn_;
  auto pool_info = make<VkCommandPoolCreateInfo>(VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO);
  pool_info.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pool_info.queueFamilyIndex = queue_family_;
  VkCommandPool pool = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  auto fence_info = make<VkFenceCreateInfo>(VK_STRUCTURE_TYPE_FENCE_CREATE_INFO);
  auto alloc = make<VkCommandBufferAllocateInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO);
  alloc.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  alloc.commandBufferCount = 1;
  try {
    check(fn.vkCreateCommandPool(dev, &pool_info, nullptr, &pool), "vkCreateCommandPool");
    pool_ = Owned<VkCommandPool>(pool, [&fn, dev](VkCommandPool p) { fn.vkDestroyCommandPool(dev, p, nullptr); });
    alloc.commandPool = pool;
    check(fn.vkAllocateCommandBuffers(dev, &alloc, &cmd_), "vkAllocateCommandBuffers");
    check(fn.vkCreateFence(dev, &fence_info, nullptr, &fence), "vkCreateFence");
    fence_ = Owned<VkFence>(fence, [&fn, dev](VkFence f) { fn.vkDestroyFence(dev, f, nullptr); });
  } catch (...) {
    pool_.reset();
    fn_.vkDestroyDevice(device_, nullptr);
    throw;
  }
}

Gpu::~Gpu() {
  fence_.reset();
  pool_.reset();  // frees cmd_
  fn_.vkDestroyDevice(device_, nullptr);
}

Buffer Gpu::buffer(std::size_t bytes, bool device_local, bool map) {
  const VkDevice dev = device_;
  const DeviceFunctions& fn = fn_;
  Buffer b;
  b.bytes = bytes;
  auto info = make<VkBufferCreateInfo>(VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO);
  info.size = bytes;
  info.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  info.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  VkBuffer handle = VK_NULL_HANDLE;
  check(fn.vkCreateBuffer(dev, &info, nullptr, &handle), "vkCreateBuffer");
  b.buffer = Owned<VkBuffer>(handle, [&fn, dev](VkBuffer x) { fn.vkDestroyBuffer(dev, x, nullptr); });

  VkMemoryRequirements req{};
  fn.vkGetBufferMemoryRequirements(dev, handle, &req);
  // Ranked choices: device-local memory the host cannot map (a discrete card's VRAM, not its
  // small BAR window), then any device-local (unified memory, lavapipe), then anything allowed.
  // Staging: host-visible and coherent.
  auto score = [&](uint32_t i) -> int {
    if (!(req.memoryTypeBits & (1u << i))) return -1;
    const auto f = memory_.memoryTypes[i].propertyFlags;
    const bool local = f & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, visible = f & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT,
               coherent = f & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    if (device_local) return local && !visible ? 3 : local ? 2 : 1;
    return visible && coherent ? 3 - local : visible ? 1 : -1;
  };
  int best = -1, best_score = -1;
  for (uint32_t i = 0; i < memory_.memoryTypeCount; ++i)
    if (score(i) > best_score) best = int(i), best_score = score(i);
  if (best < 0) throw Error("no memory type for a " + std::string(device_local ? "device" : "staging") + " buffer");

  auto alloc = make<VkMemoryAllocateInfo>(VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO);
  alloc.allocationSize = req.size;
  alloc.memoryTypeIndex = uint32_t(best);
  VkDeviceMemory memory = VK_NULL_HANDLE;
  check(fn.vkAllocateMemory(dev, &alloc, nullptr, &memory), "vkAllocateMemory");
  b.memory = Owned<VkDeviceMemory>(memory, [&fn, dev](VkDeviceMemory m) { fn.vkFreeMemory(dev, m, nullptr); });
  check(fn.vkBindBufferMemory(dev, handle, memory, 0), "vkBindBufferMemory");
  const auto flags = memory_.memoryTypes[best].propertyFlags;
  if (map && (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)) {
    check(fn.vkMapMemory(dev, memory, 0, VK_WHOLE_SIZE, 0, &b.mapped), "vkMapMemory");
    b.coherent = flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
  }
  return b;
}

void Gpu::submit(const std::function<void(VkCommandBuffer)>& record) {
  check(fn_.vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
  auto begin = make<VkCommandBufferBeginInfo>(VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO);
  begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT;
  check(fn_.vkBeginCommandBuffer(cmd_, &begin), "vkBeginCommandBuffer");
  record(cmd_);
  check(fn_.vkEndCommandBuffer(cmd_), "vkEndCommandBuffer");
  auto submit = make<VkSubmitInfo>(VK_STRUCTURE_TYPE_SUBMIT_INFO);
  submit.commandBufferCount = 1;
  submit.pCommandBuffers = &cmd_;
  const VkFence fence = fence_.get();
  check(fn_.vkQueueSubmit(queue_, 1, &submit, fence), "vkQueueSubmit");
  const VkResult waited = fn_.vkWaitForFences(device_, 1, &fence, VK_TRUE, kFenceTimeoutNs);
  check(waited, "vkWaitForFences");
  check(fn_.vkResetFences(device_, 1, &fence), "vkResetFences");
}

namespace {
// Transfers and shader accesses before it complete, and are visible, before those after it.
void full_barrier(const DeviceFunctions& fn, VkCommandBuffer cmd) {
  auto m = make<VkMemoryBarrier>(VK_STRUCTURE_TYPE_MEMORY_BARRIER);
  m.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  m.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                    VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
  const auto stages = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT;
  fn.vkCmdPipelineBarrier(cmd, stages, stages | VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &m, 0, nullptr, 0, nullptr);
}
}  // namespace

void Gpu::upload(Buffer& dst, std::size_t offset, const void* src, std::size_t bytes) {
  if (offset + bytes > dst.bytes) throw Error("upload beyond the end of a buffer");
  if (dst.mapped) {
    std::memcpy(static_cast<char*>(dst.mapped) + offset, src, bytes);
    if (!dst.coherent) {
      auto range = make<VkMappedMemoryRange>(VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE);
      range.memory = dst.memory.get();
      range.size = VK_WHOLE_SIZE;
      check(fn_.vkFlushMappedMemoryRanges(device_, 1, &range), "vkFlushMappedMemoryRanges");
    }
    return;
  }
  Buffer staging = buffer(bytes, false);
  upload(staging, 0, src, bytes);
  submit([&](VkCommandBuffer cmd) {
    const VkBufferCopy region{0, offset, bytes};
    fn_.vkCmdCopyBuffer(cmd, staging.buffer.get(), dst.buffer.get(), 1, &region);
    full_barrier(fn_, cmd);
  });
}

void Gpu::download(const Buffer& src, void* dst, std::size_t bytes) {
  if (bytes > src.bytes) throw Error("download beyond the end of a buffer");
  if (src.mapped) {
    if (!src.coherent) {
      auto range = make<VkMappedMemoryRange>(VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE);
      range.memory = src.memory.get();
      range.size = VK_WHOLE_SIZE;
      check(fn_.vkInvalidateMappedMemoryRanges(device_, 1, &range), "vkInvalidateMappedMemoryRanges");
    }
    std::memcpy(dst, src.mapped, bytes);
    return;
  }
  Buffer staging = buffer(bytes, false);
  submit([&](VkCommandBuffer cmd) {
    const VkBufferCopy region{0, 0, bytes};
    fn_.vkCmdCopyBuffer(cmd, src.buffer.get(), staging.buffer.get(), 1, &region);
    full_barrier(fn_, cmd);
  });
  download(staging, dst, bytes);
}

void Gpu::replicate(Buffer& dst, std::size_t tile, std::size_t total) {
  total = std::min(total, dst.bytes);
  std::vector<VkBufferCopy> regions;
  for (std::size_t off = tile; off < total; off += tile) regions.push_back({0, off, std::min(tile, total - off)});
  if (regions.empty()) return;
  submit([&](VkCommandBuffer cmd) {
    fn_.vkCmdCopyBuffer(cmd, dst.buffer.get(), dst.buffer.get(), uint32_t(regions.size()), regions.data());
    full_barrier(fn_, cmd);
  });
}

std::vector<double> Gpu::run(const Benchmark& b, int warmups, int repetitions) {
  const VkDevice dev = device_;
  const DeviceFunctions& fn = fn_;
  if (repetitions > 0 && timestamp_bits_ == 0) throw Error("the compute queue has no timestamps");

  auto module_info = make<VkShaderModuleCreateInfo>(VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO);
  module_info.codeSize = b.spirv.size_bytes();
  module_info.pCode = b.spirv.data();
  VkShaderModule module_handle = VK_NULL_HANDLE;
  check(fn.vkCreateShaderModule(dev, &module_info, nullptr, &module_handle), "vkCreateShaderModule");
  Owned<VkShaderModule> module(module_handle, [&fn, dev](VkShaderModule m) { fn.vkDestroyShaderModule(dev, m, nullptr); });

  std::vector<VkDescriptorSetLayoutBinding> bindings(b.buffers.size());
  for (std::size_t i = 0; i < bindings.size(); ++i)
    bindings[i] = {uint32_t(i), VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, 1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  auto set_info = make<VkDescriptorSetLayoutCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO);
  set_info.bindingCount = uint32_t(bindings.size());
  set_info.pBindings = bindings.data();
  VkDescriptorSetLayout set_layout_handle = VK_NULL_HANDLE;
  check(fn.vkCreateDescriptorSetLayout(dev, &set_info, nullptr, &set_layout_handle), "vkCreateDescriptorSetLayout");
  Owned<VkDescriptorSetLayout> set_layout(
      set_layout_handle, [&fn, dev](VkDescriptorSetLayout l) { fn.vkDestroyDescriptorSetLayout(dev, l, nullptr); });

  const VkPushConstantRange push{VK_SHADER_STAGE_COMPUTE_BIT, 0, uint32_t(4 * b.push.size())};
  auto layout_info = make<VkPipelineLayoutCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO);
  layout_info.setLayoutCount = 1;
  layout_info.pSetLayouts = &set_layout_handle;
  layout_info.pushConstantRangeCount = b.push.empty() ? 0 : 1;
  layout_info.pPushConstantRanges = &push;
  VkPipelineLayout layout_handle = VK_NULL_HANDLE;
  check(fn.vkCreatePipelineLayout(dev, &layout_info, nullptr, &layout_handle), "vkCreatePipelineLayout");
  Owned<VkPipelineLayout> layout(layout_handle, [&fn, dev](VkPipelineLayout l) { fn.vkDestroyPipelineLayout(dev, l, nullptr); });

  auto pipeline_info = make<VkComputePipelineCreateInfo>(VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO);
  pipeline_info.stage = make<VkPipelineShaderStageCreateInfo>(VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO);
  pipeline_info.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  pipeline_info.stage.module = module_handle;
  pipeline_info.stage.pName = "main";
  pipeline_info.layout = layout_handle;
  VkPipeline pipeline_handle = VK_NULL_HANDLE;
  check(fn.vkCreateComputePipelines(dev, VK_NULL_HANDLE, 1, &pipeline_info, nullptr, &pipeline_handle),
        "vkCreateComputePipelines");
  Owned<VkPipeline> pipeline(pipeline_handle, [&fn, dev](VkPipeline p) { fn.vkDestroyPipeline(dev, p, nullptr); });

  const VkDescriptorPoolSize size{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, uint32_t(std::max<std::size_t>(1, b.buffers.size()))};
  auto pool_info = make<VkDescriptorPoolCreateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO);
  pool_info.maxSets = 1;
  pool_info.poolSizeCount = 1;
  pool_info.pPoolSizes = &size;
  VkDescriptorPool pool_handle = VK_NULL_HANDLE;
  check(fn.vkCreateDescriptorPool(dev, &pool_info, nullptr, &pool_handle), "vkCreateDescriptorPool");
  Owned<VkDescriptorPool> pool(pool_handle, [&fn, dev](VkDescriptorPool p) { fn.vkDestroyDescriptorPool(dev, p, nullptr); });
  auto set_alloc = make<VkDescriptorSetAllocateInfo>(VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO);
  set_alloc.descriptorPool = pool_handle;
  set_alloc.descriptorSetCount = 1;
  set_alloc.pSetLayouts = &set_layout_handle;
  VkDescriptorSet set = VK_NULL_HANDLE;
  check(fn.vkAllocateDescriptorSets(dev, &set_alloc, &set), "vkAllocateDescriptorSets");
  std::vector<VkDescriptorBufferInfo> infos(b.buffers.size());
  std::vector<VkWriteDescriptorSet> writes(b.buffers.size());
  for (std::size_t i = 0; i < infos.size(); ++i) {
    infos[i] = {b.buffers[i]->buffer.get(), 0, VK_WHOLE_SIZE};
    writes[i] = make<VkWriteDescriptorSet>(VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET);
    writes[i].dstSet = set;
    writes[i].dstBinding = uint32_t(i);
    writes[i].descriptorCount = 1;
    writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
    writes[i].pBufferInfo = &infos[i];
  }
  fn.vkUpdateDescriptorSets(dev, uint32_t(writes.size()), writes.data(), 0, nullptr);

  const int runs = warmups + repetitions;
  Owned<VkQueryPool> queries;
  if (repetitions > 0) {
    auto query_info = make<VkQueryPoolCreateInfo>(VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO);
    query_info.queryType = VK_QUERY_TYPE_TIMESTAMP;
    query_info.queryCount = uint32_t(2 * repetitions);
    VkQueryPool query_handle = VK_NULL_HANDLE;
    check(fn.vkCreateQueryPool(dev, &query_info, nullptr, &query_handle), "vkCreateQueryPool");
    queries = Owned<VkQueryPool>(query_handle, [&fn, dev](VkQueryPool q) { fn.vkDestroyQueryPool(dev, q, nullptr); });
  }

  submit([&](VkCommandBuffer cmd) {
    if (queries.get()) fn.vkCmdResetQueryPool(cmd, queries.get(), 0, uint32_t(2 * repetitions));
    fn.vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline_handle);
    fn.vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, layout_handle, 0, 1, &set, 0, nullptr);
    if (!b.push.empty())
      fn.vkCmdPushConstants(cmd, layout_handle, VK_SHADER_STAGE_COMPUTE_BIT, 0, uint32_t(4 * b.push.size()), b.push.data());
    for (int r = 0; r < runs; ++r) {
      // Each dispatch alone: the barrier keeps the next from overlapping this one, and a
      // bottom-of-pipe timestamp is written once every earlier command has completed.
      if (r > 0) full_barrier(fn, cmd);
      const int q = r - warmups;
      if (q >= 0) fn.vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries.get(), uint32_t(2 * q));
      fn.vkCmdDispatch(cmd, b.groups_x, b.groups_y, 1);
      if (q >= 0) fn.vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, queries.get(), uint32_t(2 * q + 1));
    }
    full_barrier(fn, cmd);
  });

  std::vector<double> seconds;
  if (repetitions == 0) return seconds;
  std::vector<uint64_t> stamps(2 * std::size_t(repetitions));
  check(fn.vkGetQueryPoolResults(dev, queries.get(), 0, uint32_t(stamps.size()), stamps.size() * 8, stamps.data(), 8,
                                 VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
        "vkGetQueryPoolResults");
  const uint64_t mask = timestamp_bits_ >= 64 ? ~uint64_t(0) : (uint64_t(1) << timestamp_bits_) - 1;
  for (int r = 0; r < repetitions; ++r) {
    const uint64_t ticks = (stamps[2 * r + 1] - stamps[2 * r]) & mask;
    seconds.push_back(double(ticks) * double(props_.limits.timestampPeriod) * 1e-9);
  }
  return seconds;
}

}  // namespace benchr::kernels::vk
