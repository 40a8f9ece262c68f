#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <utility>
#include <string>

#include "estimator.hpp"
#include "text.hpp"

namespace benchr {
namespace {

// Decode per backend: seconds per token = bytes / (datasheet bandwidth x efficiency) + layers x
// overhead per layer (kernel launches and synchronisation a token costs whatever its size).
// Fitted together on bench/corpus/ (669 published decode rows, 99 devices, 2023-2026 builds) by
// bench/check_accuracy.py, minimising the summed |relative error| (IRLS), which prints these and
// their leave-one-device-out error. A CPU's per-layer figure is its threads' barriers
// (kCpuSyncUsPerLayerThread below).
constexpr double kDecodeEfficiencyCuda = 0.838, kDecodeOverheadUsCuda = 41;
constexpr double kDecodeEfficiencyMetal = 0.909, kDecodeOverheadUsMetal = 178;
constexpr double kDecodeEfficiencyRocm = 0.864, kDecodeOverheadUsRocm = 148;
constexpr double kDecodeEfficiencyVulkan = 0.838, kDecodeOverheadUsVulkan = 40;
// These are fitted on every build. Fitted on 2025+ builds alone (older builds paying an extra per
// layer: check_accuracy.py --build-era) ROCm's falls to 93 us, CUDA's to 34 and Metal's to 107, and
// leave-one-device-out decode scores worse (MoE GPU 14.2% -> 19.3%, Metal's 2025+ rows 21% -> 45%;
// bench/NOTES.md, 2026-12-06 s12-m): within 2025 builds ROCm's rows differ by chip, not by date
// (llama.cpp #15021: Llama 2 7B Q4_0 leaves 46 us a layer on an RX 7900 XTX, 170-185 on MI50 to
// MI210; Strix Halo's 2025 rows ~107), which one figure per backend cannot follow.
// CUDA on a GPU typed without its SM count and clock (a user's --catalog entry with memory,
// bandwidth and FP16 only): no GEMV cap (kCudaGemvBytesPerSmClock) applies, and the constants are
// the ones fitted with every device's units withheld (bench/check_accuracy.py, "units withheld",
// all rows, 2026-12-06: 0.837 and 49 us, with kMoeLayerExtraUsCudaNoUnits 7 us in speed.cpp; with
// units the same fit gives 0.844, 42 us and 15 us; refitted with runs_moe2.csv's 2026 MoE rows:
// 0.863, 58 us and 19 us). The larger per-layer term slows fast parts most, which is where the
// A100, H100 PCIe and A30 rows, no longer bound by their SMs, decode 1.26x slower than their
// bandwidth says. Leave one device out there: decode 8.2% median error over all rows, dense GPU
// 8.7%, datacenter 26.4% (8.5% with units; 2026-12-06, 839 runs; 24.3% and 8.7% on 923 runs,
// 2026-12-07): nothing in memory, bandwidth and FP16 separates an A30 (24 GB, 933 GB/s, 165
// TFLOPS, 56 SMs) from an RTX 3090 (24 GB, 936 GB/s, 142 TFLOPS, 82 SMs), which decode Llama 2 7B
// Q4_0 at 125 and 158 tok/s (llama.cpp #15013).
constexpr double kDecodeEfficiencyCudaNoUnits = 0.863, kDecodeOverheadUsCudaNoUnits = 58;
// Vulkan on an Intel GPU (Arc A-series, B-series, Arc Pro): llama.cpp's Vulkan shaders stream far
// less of an Intel card's bandwidth than of an NVIDIA or AMD one's (Intel's drivers; its users run
// SYCL or Vulkan by what each reaches, e.g. kyuz0/ai-toolbox-cockpit #9 on an Arc Pro B50, llama.cpp
// #19918 on an A770), at the same per-layer overheads. Fitted by bench/check_accuracy.py on the
// corpus' Intel Vulkan decode rows (A770, B580, Arc Pro B50 and B70), cross-validated there.
constexpr double kDecodeEfficiencyVulkanIntel = 0.342;
constexpr int kPciVendorIntel = 0x8086;
// CPU datasheet (channels x MT/s x 8 B) to llama.cpp decode, all cores of one socket. Fitted by
// bench/check_accuracy.py on the corpus' CPU decode rows (59, 18 devices) together with
// kCpuDecodeGbpsPerCore, kCpuDotGbpsPerCore, kCpuDotGbpsPerCoreGhz and kCpuSyncUsPerLayerThread,
// each device weighted once.
constexpr double kDecodeEfficiencyCpu = 0.655;

// llama.cpp's CUDA GEMV (mul_mat_vec_q) streams at most this many bytes of weights per SM per
// clock, however fast the memory: a GPU with few SMs for its bandwidth is bound by it (A100 108
// SMs x 1.41 GHz -> 800 GB/s of its 1935-2039; H100 PCIe 114 x 1.755 -> 1050 of 2000; V100, A30,
// P40, M40, K80, Quadro RTX 6000 likewise), one with many is not (RTX 4090 128 x 2.52 -> 1690 of
// 1008). Little's law: what one SM keeps in flight over the DRAM latency (~5 KB over ~600 ns at
// 1.6 GHz). Fitted by bench/check_accuracy.py on the corpus' CUDA decode rows; datacenter decode,
// leave one device out: 44% median error without it, 10.9% with it (bench/accuracy_2026-12-06.txt, in git history).
constexpr double kCudaGemvBytesPerSmClock = 5.25;
// llama.cpp's CUDA prompt GEMM (MMQ: int8 mma.sync tiles; cuBLAS for F16) reaches about this many
// FLOPs per SM per clock on every architecture from Ampere on, whatever the datasheet's tensor
// peak: the mma.sync path runs at the same per-SM rate on A100 and H100 (Hopper's peak needs
// wgmma), and GeForce cards list 1024 FP16 FLOPs per SM and clock. So an A100 (108 SMs x 1.41 GHz)
// prefills about like an RTX 3090 Ti, and an H100 PCIe at 0.15-0.20 of its 756 TFLOPS. Fitted by
// bench/check_accuracy.py on the corpus' CUDA prefill rows; a device without SM count and clock
// keeps its datasheet FP16 x cuda prefill efficiency.
constexpr double kCudaGemmFlopsPerSmClock = 475;
// llama.cpp's ROCm prompt GEMM for quantized weights (MMQ) reaches a rate that follows the GPU's
// CUs x clock, not its datasheet FP16 figure, which counts the matrix cores: it computes int8 dot
// products on the vector ALUs unless ggml-cuda/common.cuh enables a matrix path (amd_mfma_available:
// CDNA; amd_wmma_available: RDNA4, later also RDNA3), and the CDNA parts' MFMA path measures no
// faster per CU. An MI100 (184.6 TFLOPS matrix FP16, 120 CUs x 1.502 GHz) prefills Llama 2 7B Q4_0
// at 2733 tok/s, an MI210 (181, 104 x 1.7) at 2486, a Radeon Pro V620 (41, 72 x 2.2) at 1804, an
// MI50 (26.5 without matrix cores, 60 x 1.725) at 1057 (llama.cpp scoreboard #15021): 130-200
// FLOPs per CU and clock where the datasheets differ 7x. FLOPs per CU and clock, fitted by
// bench/check_accuracy.py on the corpus' discrete ROCm dense prefill rows with the efficiencies
// refitted; --no-rocm-cu turns it off (leave one device out, 2025+ builds: datacenter prefill
// 32.8% -> 13.7% median error). RDNA4 (WMMA MMQ) runs above it (an RX 9070 XT ~350), which this
// cap under-predicts. An APU's cap takes its sustained share (kApuComputeShare): the package power
// limit lowers the clock. A device without CU count and clock keeps datasheet FP16 x efficiency.
constexpr double kRocmGemmFlopsPerCuClock = 190;

// Prefill efficiency: pp x 2 x active params (+ attention) / datasheet dense FP16 FLOP/s, per
// backend the median over devices of each device's median, on the corpus' dense prefill rows of
// 2025 and later builds (llama.cpp's prompt speed roughly doubled on CUDA since 2023-24; Metal's
// on all builds: its scoreboard rows carry no date), refitted
// with kCudaGemmFlopsPerSmClock by bench/check_accuracy.py; ROCm's on the rows its CU cap
// (kRocmGemmFlopsPerCuClock) does not decide: devices without a CU count, and those whose cap is
// above it. CPU: see host_device().
constexpr double kPrefillEfficiencyCuda = 0.574;
constexpr double kPrefillEfficiencyMetal = 0.651;
constexpr double kPrefillEfficiencyRocm = 0.522;
constexpr double kPrefillEfficiencyVulkan = 0.369;
// A CUDA or ROCm GPU typed without its SM / CU count and clock (a user's --catalog entry with the
// datasheet's memory, bandwidth and FP16 figure only) has no per-SM or per-CU limit to meet, and
// the efficiencies above, fitted beside those limits, would let datacenter parts' matrix-core
// peaks through (shipped constants with the units withheld: dense GPU prefill 1.55x too fast,
// datacenter 2.7x). Its efficiency is the one fitted with every device's units withheld:
// `bench/check_accuracy.py --no-units`, all rows (2026-12-06: cuda 0.475, rocm 0.341; leave one
// device out there: dense GPU prefill 21.8% median error on all builds, datacenter 110%).
constexpr double kPrefillEfficiencyCudaNoUnits = 0.475;
constexpr double kPrefillEfficiencyRocmNoUnits = 0.341;
// A catalog CPU: its cores x the per-core 8-bit rate of its vector ISA (kCpuPrefillGflopsPerCore*,
// measured on 2 Zen 4 cores) x this ratio, what llama.cpp's repacked and tinyBLAS GEMMs reach on
// the corpus' CPUs over that table (above 1: Zen 5's full-width AVX-512, ARM's i8mm SMMLA and
// Apple's BLAS path beat Zen 4's double-pumped VNNI per core); not scaled by the catalog's CPU
// clock, which only the dot products use. Fitted by bench/check_accuracy.py on the corpus' CPU
// prefill rows of 2025 and later builds (each device once), leave one device out there.
constexpr double kPrefillEfficiencyCpu = 1.305;
// An APU's GPU (Strix Halo, DGX Spark's GB10, the 780M) shares one package power limit with its CPU
// cores and memory controller: in a prompt's long, ALU-bound GEMMs it runs below the boost clock
// its datasheet FP16 figure is computed at, so it reaches this share of what a discrete card of its
// backend reaches. Prompt speed follows the power limit: Strix Halo's pp512 of Qwen3-30B-A3B falls
// from 1142 to 976 tok/s (0.85) from 120 W to 85 W on the same build and driver
// (github.com/visorcraft/strix-halo-llm-perf BENCHMARKS.md). An MoE's routed experts and flash
// attention are not slowed by it (speed.cpp, kMoeExpertReadShare, kGpuAttentionShare). Fitted by
// bench/check_accuracy.py on the APUs' dense prefill rows after the backends' efficiencies (each
// APU counted once), cross-validated there: 0.61 with the GPUs' units given, 0.59 without
// (2026-12-07, 839 runs); 0.59 / 0.57 once the MoE experts' tiles were padded (speed.cpp
// kMoeTileTokens), 0.66 / 0.57 on 923 runs, 0.49 / 0.56 once GB10 has its (derived) clock in
// bench/corpus/device_units.csv; 0.60 kept: with the backends' shipped prefill efficiencies (not
// refitted beside it) 0.49 puts the shipped estimate further from the APUs' rows (2025+ builds, in
// sample, units given: Strix Halo ROCm 0.98 -> 0.85 of measured, Vulkan 1.11 -> 0.97, DGX Spark
// 1.06 -> 0.89; median error 20.9% -> 23.3%). Leave one device out, APU prefill is 23.6% median
// error with units given and 23.0% without (31.5% / 28.2% before GB10's clock: with Strix Halo held
// out the share is fitted on the other two APUs, and GB10 typed without its clock had no per-SM
// cap), whatever value is shipped here (the folds refit it; bench/NOTES.md).
constexpr double kApuComputeShare = 0.60;

// llama.cpp's CPU backend ends every graph node with a barrier across its threads
// (ggml_graph_compute_thread: ggml_barrier after each node, ~20-30 nodes a transformer layer), so
// each layer of each token costs a synchronisation that grows with the thread count: the atomics
// bounce between more cores, and the slowest thread (an E-core, a remote CCD or socket) sets the
// pace. A many-core CPU on a small model spends most of a token there (bench/corpus: 64 EPYC 7702
// threads on Qwen2.5-3B Q4_K_M decode at a third of the bandwidth, 96 threads of 2 EPYC 9R14 on a
// 7B at an eighth). Seconds per layer and thread; fitted by bench/check_accuracy.py on the
// corpus' CPU decode rows with the per-core rates (leave one device out there): 2.64 us with every
// core's dot-product rate one figure, 4.07 with it scaled by the cores' clocks (kCpuDotGbpsPerCoreGhz),
// which no longer lends the barriers' cost to the slower dot products of the many-core rows.
constexpr double kCpuSyncUsPerLayerThread = 4.07;

// What one core streams through a GEMV that is not bound by its arithmetic (llama.cpp's repacked,
// interleaved GEMVs; the one-row dot products are kCpuDotGbpsPerCore): a catalog CPU entry with
// `cores` reads at most cores x this, and a live CPU until calibration measures it (its sum
// capped per NUMA node at a dual-channel DDR5-5600 desktop, 2 x 5600 MT/s x 8 B = 89.6 GB/s, x the
// CPU decode efficiency: a core count alone cannot see the memory channels). Fitted by bench/check_accuracy.py on the corpus' CPU
// decode rows (thread sweeps on Graviton3/4, Grace, M4 Pro); bench/validation/local-notes.md
// measured 16.5 on 2 Zen 4 cores ("tg ~ 33 GB/s / bytes per token"). Cores differ more than one
// figure says: 16.6 GB/s a Graviton4 core on repacked Q4_0, 36.6 an M4 Pro P-core. Not scaled by
// the core's clock: streaming is bound by the misses a core keeps in flight, not by its
// instructions; scaled by the catalog clock as the dot products are, the CPU decode rows' leave-
// one-device-out error rose from 23.2% to 32.7% (39.7% with the clock on this rate alone;
// bench/NOTES.md, CPU clocks, 2026-12-06).
constexpr double kCpuDecodeGbpsPerCore = 12.0;
constexpr double kDualChannelDdr5Gbps = 89.6;
// Prefill per core, 8-bit dot products (llama.cpp quantizes activations to Q8): pp512 on 2 Zen 4
// cores with AVX-512 VNNI, Q4_0 (repacked GEMM) rows of local-llamacpp.csv, FLOPs = 2 x matmul
// parameters without the output matrix (logits only for the last prompt token) + attention:
// TinyLlama 126, Llama-3.2-1B 132, 3B 131, 3.1-8B 137 GFLOP/s per core -> 131 (median).
// Over the measured f32 FMA peak of the same cores (117 GFLOP/s per core here, `benchr-advise
// calibrate`), that is 131 / 117 = 1.12: llama.cpp's 8-bit dot products (VNNI) beat f32 FMAs.
constexpr double kCpuPrefillOverFma = 1.12;
// Other ISAs by their 8-bit multiply-accumulates per clock and core (datasheet widths): Zen 4's
// AVX-512 VNNI runs two 256-bit VPDPBUSD a clock (64 MACs); a NEON core with four 128-bit SIMD
// pipes (Apple's P-cores, Neoverse V1/V2: Graviton3/4, Grace) does 64 with SDOT, twice that with
// i8mm's SMMLA, which llama.cpp's repacked ARM GEMMs use: the AVX-512 rate (bench/corpus: 190
// GFLOP/s a core on Graviton4's pp512, 186 on an M1 Max). AVX2 without VNNI needs two
// instructions (VPMADDUBSW, VPMADDWD) for what VNNI does in one: half. Scalar at 1/16 is an
// assumption.
constexpr double kCpuPrefillGflopsPerCoreAvx512 = 131;
constexpr double kCpuPrefillGflopsPerCoreNeon = 131;
constexpr double kCpuPrefillGflopsPerCoreAvx2 = 65.5;
constexpr double kCpuPrefillGflopsPerCoreScalar = 8;

double cpu_prefill_gflops_per_core(SimdLevel simd) {
  switch (simd) {
    case SimdLevel::avx512: return kCpuPrefillGflopsPerCoreAvx512;
    case SimdLevel::neon: return kCpuPrefillGflopsPerCoreNeon;
    case SimdLevel::avx2: return kCpuPrefillGflopsPerCoreAvx2;
    case SimdLevel::none:
    case SimdLevel::unknown: break;
  }
  return kCpuPrefillGflopsPerCoreScalar;
}
// What one core streams through ggml's one-row dot products (ggml_vec_dot_q6_K_q8_K and the like):
// the formats llama.cpp does not repack on that CPU (on x86 all but Q4_0, Q4_K, IQ4_NL, MXFP4 and,
// with AVX-512, Q2_K; on Arm all but Q4_0, Q4_K, IQ4_NL), bound by unpacking and scaling each
// block's weights rather than by reading them. A Graviton3 core decodes Q6_K, Q3_K_M and Q2_K at
// 5.8-7.7 GB/s at 2-4 threads, a Grace core Q6_K at 11.8, where a Graviton4 core streams repacked
// Q4_0 at 16.6 and an M4 Pro P-core at 36.6 (bench/corpus runs_cpu2.csv: tg x bytes per token /
// threads). Fitted by bench/check_accuracy.py on the corpus' CPU decode rows with
// kCpuDecodeGbpsPerCore, kDecodeEfficiencyCpu and kCpuSyncUsPerLayerThread (x86 runs of builds
// before load-time repacking, llama.cpp #10446, read every format this way); leave one device
// out, CPU decode 35.5% median error without it (--no-cpu-format), 25.0% with it. One figure for
// every vector ISA: fitted apart, NEON and x86 came out 8 and 10 and scored worse out of sample.
// A core without SIMD: the same share of it as its prefill rate (kCpuPrefillGflopsPerCoreScalar
// over the AVX2 figure), an assumption.
constexpr double kCpuDotGbpsPerCore = 7.0;
// The same per GHz of the core's clock where the catalog carries it (`boost_clock_mhz`: the
// datasheet maximum, a cloud CPU's fixed clock): unpacking and scaling each block's weights are
// instructions, so a core's rate on this path follows its clock. Graviton3 cores (2.6 GHz) read Q6_K
// at 2.2-3.0 GB/s per GHz, Grace's (3.45) at 3.4, a Lunar Lake P-core (4.8) at 2.3 (bench/corpus:
// tg x bytes per token / threads / clock). Fitted by bench/check_accuracy.py --cpu-only with
// kDecodeEfficiencyCpu and kCpuSyncUsPerLayerThread, every constant refitted per fold: CPU decode
// leave one device out 25.0% -> 23.2% median error, leave one source out 27.5% -> 25.0%
// (bench/NOTES.md, CPU clocks, 2026-12-06). A CPU without a clock keeps kCpuDotGbpsPerCore.
constexpr double kCpuDotGbpsPerCoreGhz = 3.0;

// A core's one-row dot-product rate: per GHz of its clock where known (clock_ghz > 0), else the
// clockless figure; a core without SIMD at its prefill share of the AVX2 rate.
double cpu_dot_gbps_per_core(SimdLevel simd, double clock_ghz = 0) {
  const double rate = clock_ghz > 0 ? kCpuDotGbpsPerCoreGhz * clock_ghz : kCpuDotGbpsPerCore;
  switch (simd) {
    case SimdLevel::avx512:
    case SimdLevel::neon:
    case SimdLevel::avx2: return rate;
    case SimdLevel::none:
    case SimdLevel::unknown: break;
  }
  return rate * kCpuPrefillGflopsPerCoreScalar / kCpuPrefillGflopsPerCoreAvx2;
}
// The cache line of the cores the per-core rates above were fitted on: 64 bytes on every x86 core
// and on Arm's Neoverse cores (Graviton3/4, Grace). A core streams as many lines as it keeps misses
// in flight, so a catalog CPU with longer lines (`cache_line_bytes`: Apple's M-series use 128-byte
// lines, bench/corpus/device_cache_lines.csv has the sources; an M1 P-core reads ~56-61 GB/s alone,
// krishankumar95/volatile-membench docs/RESULTS_M1.md, an M1 Max's 102 per AnandTech's review as
// quoted on its forum, where a desktop Zen 3 core reads 28) gets both its rates scaled by line /
// 64. That the one-row dot products scale too is measured, not explained: an M2 Max P-core runs
// them at 16-21 GB/s on Q4_0 / Q4_K_S / IQ4_XS at 2 threads (bench/corpus runs_cpu3.csv), twice the
// per-GHz rate of a Neoverse core. Leave one device out over the corpus' CPU decode rows, with
// every CPU constant refitted per fold: 30.2% -> 22.3% median error (M2 Max, M4 Pro, M4 from
// 0.43-0.48 of measured to 0.82-0.84; bench/NOTES.md, Apple's CPU cores, 2026-12-07; 20.2% once
// Strix Halo's cores read at their measured 118 GB/s).
constexpr double kCpuRateLineBytes = 64;

double cpu_line_factor(int cache_line_bytes) {
  return cache_line_bytes > 0 ? cache_line_bytes / kCpuRateLineBytes : 1.0;
}
// Power while generating: 170 W TDP / 16 cores of a Ryzen 9 7950X (AMD product page) ~ 10.6 W.
constexpr double kCpuWattsPerCore = 10.6;

// Apple: the GPU may wire only part of unified memory (Metal's recommendedMaxWorkingSetSize,
// printed in llama.cpp's Metal load log): about 2/3 of RAM on small Macs and 3/4 on larger ones,
// as commonly reported by llama.cpp users, not verified here; `sysctl iogpu.wired_limit_mb`
// raises it.
constexpr double kAppleSmallGpuFraction = 2.0 / 3.0;
constexpr double kAppleLargeGpuFraction = 0.75;
constexpr double kAppleLargeThresholdGib = 36;
// Other APUs (Strix Halo, DGX Spark) are set up to give the GPU most of the memory; keep 1/8 for
// the OS, an assumption.
constexpr double kApuGpuFraction = 7.0 / 8.0;

// Owners of large Macs raise the wired limit (`sudo sysctl iogpu.wired_limit_mb=N`, until reboot):
// planned at RAM less 8 GiB for macOS. macOS's own ceiling on the setting keeps about 6 GB of a
// 64 GB M2 Max ("iogpu sysctl cap=58.0GB", jundot/omlx issue #1533); 8 GiB leaves the owner's
// other apps 2 GiB more. Only where that is above the default (Macs of 32 GB and more).
constexpr double kMacOsReserveGiB = 8;
// Strix Halo (Ryzen AI Max, RDNA 3.5 APU): Linux's default GTT limit gives the iGPU half of RAM
// (the catalog's gpu_memory_fraction 0.5); owners raise it on the kernel command line
// (`ttm.pages_limit`, in 4 KiB pages; `amdgpu.gttsize` in MiB on older kernels). Planned at 7/8
// of RAM: Vulkan/RADV reached ~112 GB of 128 (LLMKube issue #1155; 96 GiB GTT measured with
// ttm.pages_limit, noamsto/nix-amd-ai #42); the rest for the OS.
constexpr double kStrixHaloRaisedFraction = 7.0 / 8.0;
constexpr const char* kStrixHaloArch = "rdna3.5";

/// Where owners raise the GPU's share of unified memory: the raised bytes and how.
std::optional<std::pair<double, RaisedLimit>> raised_gpu_memory(const HardwareSpec& hw, double default_bytes) {
  const double ram = hw.memory_gib * kGiB;
  if (hw.kind == HardwareKind::apple) {
    const double raised = ram - kMacOsReserveGiB * kGiB;
    if (raised <= default_bytes) return std::nullopt;
    return std::pair{raised, RaisedLimit{default_bytes,
                                         "sudo sysctl iogpu.wired_limit_mb=" + fixed(raised / kMiB, "%.0f"),
                                         "RAM less 8 GiB for macOS (macOS keeps ~6 GB of 64: jundot/omlx #1533)"}};
  }
  if (hw.kind == HardwareKind::apu && hw.arch == kStrixHaloArch) {
    const double raised = ram * kStrixHaloRaisedFraction;
    if (raised <= default_bytes) return std::nullopt;
    return std::pair{raised,
                     RaisedLimit{default_bytes,
                                 "kernel command line ttm.pages_limit=" + fixed(raised / 4096, "%.0f") +
                                     " amdgpu.gttsize=" + fixed(raised / kMiB, "%.0f") + ", then reboot",
                                 "7/8 of RAM: Vulkan/RADV reached ~112 GB of 128 (LLMKube #1155)"}};
  }
  return std::nullopt;
}

}  // namespace

double decode_efficiency(Backend b, bool units_known) {
  switch (b) {
    case Backend::cuda: return units_known ? kDecodeEfficiencyCuda : kDecodeEfficiencyCudaNoUnits;
    case Backend::metal: return kDecodeEfficiencyMetal;
    case Backend::rocm: return kDecodeEfficiencyRocm;
    case Backend::vulkan: return kDecodeEfficiencyVulkan;
    case Backend::cpu: return kDecodeEfficiencyCpu;
  }
  return kDecodeEfficiencyCpu;
}

double decode_overhead_s_per_layer(Backend b, bool units_known) {
  switch (b) {
    case Backend::cuda: return (units_known ? kDecodeOverheadUsCuda : kDecodeOverheadUsCudaNoUnits) * 1e-6;
    case Backend::metal: return kDecodeOverheadUsMetal * 1e-6;
    case Backend::rocm: return kDecodeOverheadUsRocm * 1e-6;
    case Backend::vulkan: return kDecodeOverheadUsVulkan * 1e-6;
    case Backend::cpu: return 0;  // the CPU's per-format rates are measured on this machine
  }
  return 0;
}

double prefill_efficiency(Backend b, bool units_known) {
  switch (b) {
    case Backend::cuda: return units_known ? kPrefillEfficiencyCuda : kPrefillEfficiencyCudaNoUnits;
    case Backend::metal: return kPrefillEfficiencyMetal;
    case Backend::rocm: return units_known ? kPrefillEfficiencyRocm : kPrefillEfficiencyRocmNoUnits;
    case Backend::vulkan: return kPrefillEfficiencyVulkan;
    case Backend::cpu: return kPrefillEfficiencyCpu;
  }
  return kPrefillEfficiencyCpu;
}

double plannable_ram_bytes(double total_bytes) { return std::max(0.0, total_bytes - kOsMemoryReserveBytes); }

Device host_device(const CpuInfo& cpu) {
  Device d;
  d.kind = DeviceKind::cpu;
  d.backend = Backend::cpu;
  d.name = cpu.model.empty() ? "CPU" : cpu.model;
  d.memory_bytes = cpu.ram_available_bytes;
  const int cores = std::max(1, cpu.cores.value);
  const int nodes = std::max<int>(1, static_cast<int>(cpu.numa_node_bytes.size()));
  const double per_core = cores * kCpuDecodeGbpsPerCore;
  const double cap = nodes * kDualChannelDdr5Gbps * kDecodeEfficiencyCpu;
  d.read_gbps = {std::min(per_core, cap),
                 "estimate: " + std::to_string(cores) + " cores x " + fixed(kCpuDecodeGbpsPerCore) + " GB/s" +
                     (per_core > cap ? ", capped at dual-channel DDR5 per NUMA node" : "") +
                     " (not measured)"};
  const SimdLevel simd = cpu.simd.value;
  const double per_core_gflops = cpu_prefill_gflops_per_core(simd);
  d.compute_gflops = {cores * per_core_gflops, "estimate: " + std::to_string(cores) + " cores x " +
                                                   fixed(per_core_gflops) + " GFLOP/s (" +
                                                   std::string(to_string(simd)) + ", not measured)"};
  d.power_w = {cores * kCpuWattsPerCore,
               "estimate: " + std::to_string(cores) + " cores x " + fixed(kCpuWattsPerCore) + " W (7950X TDP per core)"};
  if (simd == SimdLevel::avx2 || simd == SimdLevel::avx512) d.cpu_repack = simd;
  d.arm_repack = simd == SimdLevel::neon;
  d.gemv_dot_cap_gbps = cores * cpu_dot_gbps_per_core(simd);
  // Calibrated or not, a token pays the threads' barriers: the calibration times the kernels (and
  // kCpuDecodeKernelShare the rest of a 2-thread token, barrier spin 1.4% of it), not how they
  // grow with the threads.
  d.layer_overhead_s = {cores * kCpuSyncUsPerLayerThread * 1e-6,
                        std::to_string(cores) + " threads x " + fixed(kCpuSyncUsPerLayerThread) +
                            " us per layer (llama.cpp's thread barriers, fitted, bench/check_accuracy.py)"};
  return d;
}

Machine with_calibration(Machine m, const Calibration& c) {
  for (const auto& dc : c.devices)
    for (auto& d : m.devices) {
      if (dc.isa == "vulkan") {
        // A GPU measured through Vulkan compute. Its read rate is what decode gets when the
        // catalog has no datasheet figure for it (with_catalog_gpus prefers the datasheet x the
        // backend efficiency fitted on llama.cpp's own decode); llama.cpp would run it on Vulkan.
        if (d.kind != DeviceKind::gpu || d.software || d.name != dc.device) continue;
        d.measured = dc;
        d.backend = Backend::vulkan;
        d.read_gbps = {dc.read_gbps, "measured: Vulkan streaming read (" + c.measured_at + ")"};
        d.decode_efficiency = 0;
        const double flops = std::max(dc.fma_f16_gflops, dc.fma_gflops);
        if (flops > 0 && !d.compute_gflops.known())
          d.compute_gflops = {flops, "measured: Vulkan FMA peak (shader cores, no matrix units)"};
        d.layer_overhead_s = {decode_overhead_s_per_layer(Backend::vulkan),
                              "vulkan per-layer overhead " + fixed(decode_overhead_s_per_layer(Backend::vulkan) * 1e6) +
                                  " us (fitted, bench/check_accuracy.py)"};
        continue;
      }
      if (d.kind != DeviceKind::cpu) continue;
      d.decode_efficiency = d.prefill_efficiency = 0;
      d.gemv_dot_cap_gbps = 0;  // each format's GEMV rate is measured
      d.read_gbps = {dc.read_gbps, "measured: streaming read " + fixed(dc.read_gbps) + " GB/s (" +
                                       std::to_string(dc.threads) + " threads, " + c.measured_at + ")"};
      if (dc.fma_gflops > 0)
        d.compute_gflops = {dc.fma_gflops * kCpuPrefillOverFma,
                            "measured: f32 FMA peak " + fixed(dc.fma_gflops) + " GFLOP/s x " + fixed(kCpuPrefillOverFma) +
                                " (llama.cpp's 8-bit prefill over the FMA peak)"};
      d.measured = dc;
    }
  return m;
}

Machine with_catalog_gpus(Machine m, const Catalog& c) {
  auto lower = [](std::string s) {
    for (auto& ch : s) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    return s;
  };
  std::vector<std::pair<const HardwareSpec*, std::string>> matched;  // entry, the GPU's name
  for (auto& d : m.devices) {
    if (d.kind != DeviceKind::gpu || d.software || (d.read_gbps.known() && !d.measured)) continue;
    const HardwareSpec* match = nullptr;
    for (const auto& h : c.hardware)
      if (h.pci_vendor_id && h.pci_vendor_id == d.pci_vendor_id && h.pci_device_id == d.pci_device_id) match = &h;
    for (const auto& h : c.hardware)
      if (!match && h.kind != HardwareKind::cpu && lower(h.name) == lower(d.name)) match = &h;
    if (!match) {
      m.notes.push_back(d.name + (d.measured ? ": not in the catalog (PCI ids or name): its measured Vulkan figures are used"
                                             : ": not in the catalog (PCI ids or name): no bandwidth figure, not used for models"));
      continue;
    }
    if (d.measured)
      m.notes.push_back(d.name + ": measured " + fixed(d.measured->read_gbps) + " GB/s Vulkan streaming read; decode uses "
                        "the catalog's datasheet figure x the backend efficiency fitted on llama.cpp decode");
    const Device spec = machine_from_hardware(*match).devices.front();
    d.backend = spec.backend;
    d.read_gbps = spec.read_gbps;
    d.compute_gflops = spec.compute_gflops;
    d.power_w = spec.power_w;
    d.layer_overhead_s = spec.layer_overhead_s;
    d.decode_efficiency = spec.decode_efficiency;
    d.datasheet_gbps = spec.datasheet_gbps;
    d.gemv_cap_gbps = spec.gemv_cap_gbps;
    d.datasheet_gflops = spec.datasheet_gflops;
    d.gemm_cap_gflops = spec.gemm_cap_gflops;
    d.prefill_efficiency = spec.prefill_efficiency;
    d.units_unknown = spec.units_unknown;
    d.arch = spec.arch;
    // Seen on the PCI bus only (no Vulkan driver, or a recorded topology): the datasheet's memory.
    if (!d.memory_bytes.known()) d.memory_bytes = spec.memory_bytes;
    matched.emplace_back(match, d.name);
  }
  // One note per catalog entry; GPUs of one entry side by side are joined by its link (NVLink,
  // NVSwitch) unless the machine says otherwise.
  for (std::size_t i = 0; i < matched.size();) {
    std::size_t n = 1;
    while (i + n < matched.size() && matched[i + n].first == matched[i].first) ++n;
    const HardwareSpec& h = *matched[i].first;
    m.notes.push_back((n > 1 ? std::to_string(n) + " x " : "") + matched[i].second + " matched to catalog '" + h.id +
                      "' (" + h.source + ")");
    if (n > 1 && m.gpu_link.empty() && !h.link.empty()) {
      m.gpu_link = h.link;
      m.gpu_link_gbps = {h.link_gbps, "catalog: " + h.link + " of " + h.id};
    }
    i += n;
  }
  return m;
}

namespace {

Machine one_machine(const HardwareSpec& hw) {
  Machine m;
  m.name = hw.name;
  m.hardware_id = hw.id;
  if (hw.price_usd > 0) m.price_usd = {hw.price_usd, "catalog: " + hw.source};

  Device d;
  d.name = hw.name;
  d.backend = hw.backend;
  d.kind = hw.kind == HardwareKind::cpu ? DeviceKind::cpu : DeviceKind::gpu;
  d.unified_memory = hw.unified_memory;
  double fraction = 1.0;
  std::string mem_note = "datasheet";
  if (hw.gpu_memory_fraction > 0) {
    fraction = hw.gpu_memory_fraction;
    mem_note = "datasheet x " + fixed(fraction) + " (GPU share of unified memory, catalog)";
  } else if (hw.kind == HardwareKind::apple) {
    fraction = hw.memory_gib > kAppleLargeThresholdGib ? kAppleLargeGpuFraction
                                                       : kAppleSmallGpuFraction;
    mem_note = "datasheet x " + fixed(fraction) + " (Metal GPU working-set limit)";
  } else if (hw.kind == HardwareKind::apu) {
    fraction = kApuGpuFraction;
    mem_note = "datasheet x 7/8 (GPU share of unified memory, assumed)";
  }
  d.memory_bytes = {hw.memory_gib * kGiB * fraction, mem_note};
  if (auto raised = raised_gpu_memory(hw, d.memory_bytes.value)) {
    d.memory_bytes = {raised->first, "raised from the default " + gib(d.memory_bytes.value) + " (" + mem_note +
                                         ") with `" + raised->second.setting + "`: " + raised->second.source};
    d.raised_limit = raised->second;
  }
  const bool intel_vulkan = hw.backend == Backend::vulkan && hw.pci_vendor_id == kPciVendorIntel;
  const bool units_known = hw.compute_units > 0 && hw.boost_clock_mhz > 0;
  const double eff = intel_vulkan ? kDecodeEfficiencyVulkanIntel : decode_efficiency(hw.backend, units_known);
  d.read_gbps = {hw.memory_bandwidth_gbps * eff, "datasheet " + fixed(hw.memory_bandwidth_gbps) +
                                                     " GB/s x " + std::string(to_string(hw.backend)) +
                                                     (intel_vulkan ? " (Intel)" : "") + " decode efficiency " + fixed(eff)};
  // The backend efficiencies were fitted on discrete GPUs; no backend reads faster than the memory
  // system sustains, which on an APU's LPDDR5X is well below its datasheet figure.
  d.decode_efficiency = eff;
  d.datasheet_gbps = hw.memory_bandwidth_gbps;
  d.units_unknown = (hw.backend == Backend::cuda || hw.backend == Backend::rocm) && d.kind == DeviceKind::gpu && !units_known;
  if (hw.backend == Backend::cuda && hw.compute_units > 0 && hw.boost_clock_mhz > 0) {
    d.gemv_cap_gbps = hw.compute_units * hw.boost_clock_mhz * 1e6 * kCudaGemvBytesPerSmClock / 1e9;
    if (d.gemv_cap_gbps < d.read_gbps.value)
      d.read_gbps = {d.gemv_cap_gbps, std::to_string(hw.compute_units) + " SMs x " + fixed(hw.boost_clock_mhz, "%.0f") +
                                          " MHz x " + fixed(kCudaGemvBytesPerSmClock) +
                                          " B per SM and clock (llama.cpp's CUDA GEMV), below datasheet " +
                                          fixed(hw.memory_bandwidth_gbps) + " GB/s x cuda decode efficiency " + fixed(eff)};
  }
  if (d.kind == DeviceKind::cpu && hw.cores > 0) {
    // Few cores cannot draw a socket's bandwidth: each streams at most kCpuDecodeGbpsPerCore
    // (scaled by its cache line).
    const double line = cpu_line_factor(hw.cache_line_bytes);
    d.gemv_cap_gbps = hw.cores * kCpuDecodeGbpsPerCore * line;
    if (d.gemv_cap_gbps < d.read_gbps.value)
      d.read_gbps = {d.gemv_cap_gbps, std::to_string(hw.cores) + " cores x " + fixed(kCpuDecodeGbpsPerCore * line) +
                                          " GB/s" +
                                          (line != 1 ? " (" + std::to_string(hw.cache_line_bytes) + "-byte lines)" : "") +
                                          ", below datasheet " + fixed(hw.memory_bandwidth_gbps) +
                                          " GB/s x cpu decode efficiency " + fixed(eff)};
    d.layer_overhead_s = {hw.cores * kCpuSyncUsPerLayerThread * 1e-6,
                          std::to_string(hw.cores) + " threads x " + fixed(kCpuSyncUsPerLayerThread) +
                              " us per layer (llama.cpp's thread barriers, fitted, bench/check_accuracy.py)"};
    // Prefill: the cores' 8-bit rate by vector ISA (AVX2 where the catalog does not say).
    const SimdLevel simd = hw.simd == SimdLevel::unknown ? SimdLevel::avx2 : hw.simd;
    // The one-row dot products: per GHz of the cores' clock where the catalog has one.
    d.gemv_dot_cap_gbps = hw.cores * cpu_dot_gbps_per_core(simd, hw.boost_clock_mhz / 1000) * line;
    d.arm_repack = simd == SimdLevel::neon;
    const double per_core = cpu_prefill_gflops_per_core(simd);
    d.datasheet_gflops = hw.cores * per_core;
    d.prefill_efficiency = kPrefillEfficiencyCpu;
    d.compute_gflops = {d.datasheet_gflops * kPrefillEfficiencyCpu,
                        std::to_string(hw.cores) + " cores x " + fixed(per_core) + " GFLOP/s (" +
                            std::string(to_string(simd)) + (hw.simd == SimdLevel::unknown ? ", assumed" : "") +
                            ") x cpu prefill efficiency " + fixed(kPrefillEfficiencyCpu)};
  }
  if (hw.measured_bandwidth_gbps > 0 && hw.measured_bandwidth_gbps < d.read_gbps.value) {
    d.decode_efficiency = 0;
    d.read_gbps = {hw.measured_bandwidth_gbps, "measured " + fixed(hw.measured_bandwidth_gbps) + " GB/s sustained (" +
                                                   hw.measured_bandwidth_source + "), below datasheet " +
                                                   fixed(hw.memory_bandwidth_gbps) + " GB/s x " +
                                                   std::string(to_string(hw.backend)) + " decode efficiency " + fixed(eff)};
  }
  if (hw.fp16_tflops > 0) {
    const bool apu = hw.kind == HardwareKind::apu && hw.backend != Backend::cpu;
    const double base_eff = prefill_efficiency(hw.backend, units_known);
    const double peff = base_eff * (apu ? kApuComputeShare : 1.0);
    d.prefill_efficiency = peff;
    d.apu_compute_share = apu ? kApuComputeShare : 1.0;
    d.datasheet_gflops = hw.fp16_tflops * 1000;
    d.compute_gflops = {hw.fp16_tflops * 1000 * peff,
                        "datasheet " + fixed(hw.fp16_tflops) + " FP16 TFLOPS x " +
                            std::string(to_string(hw.backend)) + " prefill efficiency " +
                            fixed(base_eff) +
                            (apu ? " x " + fixed(kApuComputeShare) + " (an APU's sustained share under its package power)"
                                 : std::string())};
    if (hw.backend == Backend::cuda && hw.compute_units > 0 && hw.boost_clock_mhz > 0) {
      d.gemm_cap_gflops = hw.compute_units * hw.boost_clock_mhz * 1e6 * kCudaGemmFlopsPerSmClock / 1e9;
      if (d.gemm_cap_gflops < d.compute_gflops.value)
        d.compute_gflops = {d.gemm_cap_gflops, std::to_string(hw.compute_units) + " SMs x " +
                                                   fixed(hw.boost_clock_mhz, "%.0f") + " MHz x " +
                                                   fixed(kCudaGemmFlopsPerSmClock, "%.0f") +
                                                   " FLOPs per SM and clock (llama.cpp's CUDA GEMM), below datasheet " +
                                                   fixed(hw.fp16_tflops) + " FP16 TFLOPS x cuda prefill efficiency " + fixed(peff)};
    }
    if (hw.backend == Backend::rocm && hw.compute_units > 0 && hw.boost_clock_mhz > 0) {
      const double share = apu ? kApuComputeShare : 1.0;
      d.gemm_cap_gflops = hw.compute_units * hw.boost_clock_mhz * 1e6 * kRocmGemmFlopsPerCuClock * share / 1e9;
      if (d.gemm_cap_gflops < d.compute_gflops.value)
        d.compute_gflops = {d.gemm_cap_gflops,
                            std::to_string(hw.compute_units) + " CUs x " + fixed(hw.boost_clock_mhz, "%.0f") + " MHz x " +
                                fixed(kRocmGemmFlopsPerCuClock, "%.0f") +
                                " FLOPs per CU and clock (llama.cpp's ROCm GEMM on the vector ALUs)" +
                                (apu ? " x " + fixed(kApuComputeShare) + " (an APU's sustained share)" : std::string()) +
                                ", below datasheet " + fixed(hw.fp16_tflops) + " FP16 TFLOPS x rocm prefill efficiency " +
                                fixed(peff)};
    }
  }
  if (hw.tdp_w > 0) d.power_w = {hw.tdp_w, "datasheet TDP"};
  if (const double o = decode_overhead_s_per_layer(hw.backend, units_known); o > 0)
    d.layer_overhead_s = {o, std::string(to_string(hw.backend)) + " per-layer overhead " + fixed(o * 1e6) +
                                 " us (fitted, bench/check_accuracy.py)"};
  // llama.cpp's repacked kernels: AVX2 where the catalog gives no SIMD level (every x86 server and
  // desktop CPU since 2013 has it: Haswell, Zen); AVX-512 only adds Q2_K's repack.
  if (d.kind == DeviceKind::cpu && hw.backend == Backend::cpu)
    d.cpu_repack = hw.simd == SimdLevel::avx512 ? SimdLevel::avx512 : SimdLevel::avx2;
  d.arch = hw.arch;
  m.devices.push_back(d);
  if (hw.link_gbps > 0) {
    m.gpu_link = hw.link;
    m.gpu_link_gbps = {hw.link_gbps, "catalog: " + hw.link};
  }
  if (d.kind == DeviceKind::cpu) {
    m.cpu.model = hw.name;
    m.cpu.ram_total_bytes = {hw.memory_gib * kGiB, "datasheet"};
    m.cpu.ram_available_bytes = m.cpu.ram_total_bytes;
  }
  return m;
}

}  // namespace

Machine machine_from_hardware(const HardwareSpec& hw, int count) {
  Machine m = one_machine(hw);
  if (count > 1 && hw.kind != HardwareKind::cpu) {
    const Device one = m.devices.front();
    m.devices.assign(count, one);
    m.name = std::to_string(count) + " x " + hw.name;
    if (m.price_usd.known()) m.price_usd.value *= count;
  }
  return m;
}

}  // namespace benchr
