// The Vulkan layer of kernels/: device, queue, buffers, pipelines and timestamp queries, each
// owned by RAII, over the program's one loader and instance (probe/vulkan_loader.hpp); a
// benchmark is a small descriptor the runner executes. Private to kernels/vulkan/: with
// vulkan_loader.hpp, the only headers of the module that name Vk types.
//
// Every VkResult is checked; a failure throws vk::Error with the call and the result named
// ("vkCreateComputePipelines failed: VK_ERROR_OUT_OF_DEVICE_MEMORY"), which the caller turns into
// a note for that scenario alone.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "vulkan_kernels.hpp"
#include "vulkan_loader.hpp"

namespace benchr::kernels::vk {

using benchr::vk::check;
using benchr::vk::describe;
using benchr::vk::Error;
using benchr::vk::InstanceFunctions;
using benchr::vk::Loader;
using benchr::vk::make;

/// One Vulkan handle and the call that destroys it. Move-only; destroys on reset and destruction.
template <class T>
class Owned {
 public:
  Owned() = default;
  Owned(T handle, std::function<void(T)> destroy) : handle_(handle), destroy_(std::move(destroy)) {}
  Owned(Owned&& o) noexcept : handle_(std::exchange(o.handle_, T{})), destroy_(std::move(o.destroy_)) {}
  Owned& operator=(Owned&& o) noexcept {
    if (this != &o) {
      reset();
      handle_ = std::exchange(o.handle_, T{});
      destroy_ = std::move(o.destroy_);
    }
    return *this;
  }
  Owned(const Owned&) = delete;
  Owned& operator=(const Owned&) = delete;
  ~Owned() { reset(); }
  void reset() {
    if (handle_ && destroy_) destroy_(handle_);
    handle_ = T{};
  }
  T get() const { return handle_; }

 private:
  T handle_{};
  std::function<void(T)> destroy_;
};

// The device-level entry points used, loaded through vkGetDeviceProcAddr.
#define BENCHR_VK_DEVICE_FUNCTIONS(X)                                                                   \
  X(vkDestroyDevice) X(vkGetDeviceQueue) X(vkCreateBuffer) X(vkDestroyBuffer)                            \
  X(vkGetBufferMemoryRequirements) X(vkAllocateMemory) X(vkFreeMemory) X(vkBindBufferMemory)             \
  X(vkMapMemory) X(vkFlushMappedMemoryRanges) X(vkInvalidateMappedMemoryRanges)                          \
  X(vkCreateShaderModule) X(vkDestroyShaderModule) X(vkCreateDescriptorSetLayout)                        \
  X(vkDestroyDescriptorSetLayout) X(vkCreatePipelineLayout) X(vkDestroyPipelineLayout)                   \
  X(vkCreateComputePipelines) X(vkDestroyPipeline) X(vkCreateDescriptorPool) X(vkDestroyDescriptorPool)  \
  X(vkAllocateDescriptorSets) X(vkUpdateDescriptorSets) X(vkCreateCommandPool) X(vkDestroyCommandPool)   \
  X(vkAllocateCommandBuffers) X(vkResetCommandBuffer) X(vkBeginCommandBuffer) X(vkEndCommandBuffer)      \
  X(vkCmdBindPipeline) X(vkCmdBindDescriptorSets) X(vkCmdPushConstants) X(vkCmdDispatch)                 \
  X(vkCmdPipelineBarrier) X(vkCmdCopyBuffer) X(vkCmdResetQueryPool) X(vkCmdWriteTimestamp)               \
  X(vkCreateQueryPool) X(vkDestroyQueryPool) X(vkGetQueryPoolResults) X(vkQueueSubmit)                   \
  X(vkCreateFence) X(vkDestroyFence) X(vkWaitForFences) X(vkResetFences)

#define BENCHR_VK_DECLARE(name) PFN_##name name = nullptr;
struct DeviceFunctions {
  BENCHR_VK_DEVICE_FUNCTIONS(BENCHR_VK_DECLARE)
};
#undef BENCHR_VK_DECLARE

/// A buffer bound to its own memory; `mapped` is non-null when that memory is host-visible
/// (kept mapped for the buffer's life).
struct Buffer {
  Owned<VkBuffer> buffer;
  Owned<VkDeviceMemory> memory;
  std::size_t bytes = 0;
  void* mapped = nullptr;
  bool coherent = false;
};

/// A benchmark or one-off kernel: the shader, its storage buffers (bindings 0, 1, ... in order),
/// push constants, the workgroup grid, and what one run moves and computes.
struct Benchmark {
  std::string name;                     ///< as notes name the scenario: "Q4_K GEMV"
  std::span<const uint32_t> spirv;
  std::vector<const Buffer*> buffers;
  std::vector<uint32_t> push;           ///< push constants, 4 bytes each
  uint32_t groups_x = 1, groups_y = 1;
  double bytes = 0, flops = 0;          ///< per run, for the caller's rates
};

/// One logical device with a compute queue, a command buffer, a fence; makes buffers and runs
/// benchmarks. Buffers it returns must be destroyed before it.
class Gpu {
 public:
  /// Throws Error when no compute queue or device can be had. `f16` enables shaderFloat16.
  Gpu(const Loader& loader, VkPhysicalDevice pd, bool f16);
  ~Gpu();
  Gpu(const Gpu&) = delete;
  Gpu& operator=(const Gpu&) = delete;

  /// device_local: the GPU's own memory when it has any that the host cannot map (discrete
  /// cards), else what it has; otherwise host-visible, coherent memory (staging). `map` false
  /// leaves even host-visible memory unmapped, so transfers go through staging copies as they do
  /// to a discrete card's VRAM (tests take that path on lavapipe, whose memory is all visible).
  Buffer buffer(std::size_t bytes, bool device_local, bool map = true);
  /// Copies host bytes into `dst` at `offset`: mapped directly when it is host-visible, else
  /// through a staging buffer and a copy on the queue.
  void upload(Buffer& dst, std::size_t offset, const void* src, std::size_t bytes);
  void download(const Buffer& src, void* dst, std::size_t bytes);
  /// Copies dst[0, tile) over dst[tile, total) on the device, tile after tile.
  void replicate(Buffer& dst, std::size_t tile, std::size_t total);

  /// Builds the pipeline, runs `warmups` unmeasured and `repetitions` measured dispatches in one
  /// submission, each alone (a barrier between), and returns each measured one's seconds from
  /// GPU timestamps. repetitions = 0 just runs it (tests read the result buffers).
  std::vector<double> run(const Benchmark& b, int warmups, int repetitions);

 private:
  void submit(const std::function<void(VkCommandBuffer)>& record);

  VkPhysicalDeviceProperties props_{};
  VkPhysicalDeviceMemoryProperties memory_{};
  uint32_t queue_family_ = 0, timestamp_bits_ = 0;
  VkDevice device_ = VK_NULL_HANDLE;
  DeviceFunctions fn_;
  VkQueue queue_ = VK_NULL_HANDLE;
  Owned<VkCommandPool> pool_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  Owned<VkFence> fence_;
};

}  // namespace benchr::kernels::vk
