// Every dot-product variant against its generic twin and a float64 reference, for every format,
// at awkward sizes; a calibration run measures every step whatever its time budget.
#define BOOST_TEST_MODULE kernels
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>
#include <atomic>
#include <vector>

#include "calibrate.hpp"
#include "dot.hpp"

using namespace benchr;
using namespace benchr::kernels;

namespace {

// The accumulated error of a dot product scales with sum |w_i x_i|, not with the (possibly
// cancelling) result: error / sum|w_i x_i| is the relative error that means something here.
constexpr double kRelativeTolerance = 1e-3;

struct Case {
  double got, reference, magnitude;
};

Case dot_case(const DotKernels& k, Format f, int n, unsigned seed) {
  const auto w = random_weights(f, 1, n, seed);
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> x(n);
  for (auto& v : x) v = normal(rng);
  const auto xq = quantize_activations(f, x);
  const auto wd = dequantize_row(f, w.data(), n);
  const auto xd = dequantize_activations(f, xq, n);
  Case c{k.dot[static_cast<std::size_t>(f)](n, w.data(), xq.data()), 0, 0};
  for (int i = 0; i < n; ++i) c.reference += wd[i] * xd[i], c.magnitude += std::abs(wd[i] * xd[i]);
  return c;
}

}  // namespace

BOOST_AUTO_TEST_CASE(half_precision_round_trips_every_finite_value) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;  // infinities and NaNs
    BOOST_TEST_REQUIRE(float_to_fp16(fp16_to_float(fp16_t(h))) == h, "half 0x" << std::hex << h);
  }
  BOOST_TEST(fp16_to_float(0x3c00) == 1.0f);
  BOOST_TEST(fp16_to_float(0x0001) == std::ldexp(1.0f, -24));  // smallest subnormal
}

BOOST_AUTO_TEST_CASE(every_variant_matches_the_float64_reference_for_every_format) {
  const auto variants = dot_variants();
  BOOST_TEST(variants.front().supported);  // generic always runs
  for (const auto& v : variants) {
    if (!v.supported) {
      BOOST_TEST_MESSAGE("skipped: this CPU cannot run the " << v.kernels->isa << " variant");
      continue;
    }
    for (const auto& fi : kFormatInfo) {
      // One block, an odd number of blocks, and a long row that is not a power of two.
      for (int blocks : {1, 3, 17, 4096 / fi.block_elements + 5}) {
        const int n = blocks * std::max(fi.block_elements, 32);
        for (unsigned seed : {1u, 7u, 1234u}) {
          const Case c = dot_case(*v.kernels, fi.format, n, seed);
          BOOST_TEST(std::abs(c.got - c.reference) / c.magnitude < kRelativeTolerance,
                     v.kernels->isa << " " << fi.name << " n=" << n << " seed " << seed << ": got "
                                    << c.got << ", float64 " << c.reference);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(fast_variants_agree_with_the_generic_twin) {
  const DotKernels& generic = *dot_variants().front().kernels;
  for (const auto& v : dot_variants()) {
    if (!v.supported || v.kernels == &generic) continue;
    for (const auto& fi : kFormatInfo) {
      const int n = 4096;
      const Case fast = dot_case(*v.kernels, fi.format, n, 99), slow = dot_case(generic, fi.format, n, 99);
      BOOST_TEST(std::abs(fast.got - slow.got) / slow.magnitude < 1e-5, v.kernels->isa << " " << fi.name);
    }
  }
}

BOOST_AUTO_TEST_CASE(k_quant_kernels_are_exact_at_the_extremes) {
  // The fast Q3_K/Q6_K paths dot unsigned values (Q3_K: the 2 low bits and 4 where the high
  // bit is clear; Q6_K: 0..63 and 32) with the activations in int16 pairs (maddubs saturates at
  // 2^15) before the int16 scales: every weight at its largest or smallest value, the largest
  // and most negative scales, activations at +-127 must not saturate. Sums are integers times
  // one scale here, so every variant must agree with the generic twin to float rounding.
  const DotKernels& generic = *dot_variants().front().kernels;
  const int n = 3 * kQKK;
  for (Format f : {Format::q3_k, Format::q6_k}) {
    for (uint8_t pattern : {uint8_t(0x00), uint8_t(0xFF), uint8_t(0x80), uint8_t(0x55), uint8_t(0xAA)}) {
      std::vector<uint8_t> w(std::size_t(n / kQKK) * info(f).block_bytes, pattern);
      for (std::size_t off = 0; off < w.size(); off += info(f).block_bytes) {  // d = 1.0 in each block
        const std::size_t d_at = info(f).block_bytes - sizeof(fp16_t);       // d is last in both layouts
        const fp16_t one = 0x3c00;
        std::memcpy(&w[off + d_at], &one, sizeof one);
      }
      for (float sign : {1.0f, -1.0f}) {
        std::vector<float> x(n);
        for (int i = 0; i < n; ++i) x[i] = i % 3 == 2 ? -sign : sign;  // every q8 is +-127
        const auto xq = quantize_activations(f, x);
        const auto wd = dequantize_row(f, w.data(), n);
        const auto xd = dequantize_activations(f, xq, n);
        double ref = 0, mag = 0;
        for (int i = 0; i < n; ++i) ref += wd[i] * xd[i], mag += std::abs(wd[i] * xd[i]);
        const float slow = generic.dot[static_cast<std::size_t>(f)](n, w.data(), xq.data());
        for (const auto& v : dot_variants()) {
          if (!v.supported) continue;
          const float got = v.kernels->dot[static_cast<std::size_t>(f)](n, w.data(), xq.data());
          BOOST_TEST(std::abs(got - ref) <= kRelativeTolerance * mag + 1e-6,
                     v.kernels->isa << " " << info(f).name << " bytes 0x" << std::hex << int(pattern) << std::dec
                                    << " sign " << sign << ": got " << got << ", float64 " << ref);
          BOOST_TEST(std::abs(got - slow) <= 1e-5 * mag + 1e-6, v.kernels->isa << " " << info(f).name << " vs generic");
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(eight_interleaved_q4_0_rows_match_the_float64_reference) {
  // Eight rows of 4096 + 5 x 32 weights, interleaved as llama.cpp repacks them; each row's dot
  // product checked against the float64 reference, for every variant.
  const int n = 4096 + 5 * 32;
  const std::size_t row_bytes = std::size_t(n / 32) * sizeof(BlockQ4_0);
  const auto w = random_weights(Format::q4_0, 8, n, 5);
  std::mt19937 rng(3);
  std::normal_distribution<float> normal(0, 1);
  std::vector<float> x(n);
  for (auto& v : x) v = normal(rng);
  const auto xq = quantize_activations(Format::q4_0, x);
  const auto xd = dequantize_activations(Format::q4_0, xq, n);
  for (const auto& v : dot_variants()) {
    if (!v.supported) continue;
    float y[8];
    const auto columns = interleave_q4_0x8(w.data(), row_bytes, n);
    v.kernels->dot8_q4_0(n, columns.data(), xq.data(), y);
    for (int r = 0; r < 8; ++r) {
      const auto wd = dequantize_row(Format::q4_0, w.data() + r * row_bytes, n);
      double ref = 0, mag = 0;
      for (int i = 0; i < n; ++i) ref += wd[i] * xd[i], mag += std::abs(wd[i] * xd[i]);
      BOOST_TEST(std::abs(y[r] - ref) / mag < kRelativeTolerance, v.kernels->isa << " row " << r);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_q8_0_tile_of_four_rows_by_four_columns_matches_the_float64_reference) {
  // Four Q8_0 weight rows x four Q8_0 activation rows of 4096 + 5 x 32 weights, with row strides
  // wider than a row (as in a matrix view): each of the 16 products against the float64 reference.
  const int n = 4096 + 5 * 32;
  const std::size_t row_bytes = std::size_t(n / 32) * sizeof(BlockQ8_0), stride = row_bytes + 3 * sizeof(BlockQ8_0);
  const auto rows = random_weights(Format::q8_0, 4, n, 9);
  std::vector<uint8_t> w(4 * stride), x(4 * stride);
  std::vector<std::vector<double>> wd, xd;
  std::mt19937 rng(4);
  std::normal_distribution<float> normal(0, 1);
  for (int r = 0; r < 4; ++r) {
    std::memcpy(w.data() + r * stride, rows.data() + r * row_bytes, row_bytes);
    const auto d = dequantize_row(Format::q8_0, rows.data() + r * row_bytes, n);
    wd.emplace_back(d.begin(), d.end());
    std::vector<float> v(n);
    for (auto& e : v) e = normal(rng);
    const auto q = quantize_activations(Format::q8_0, v);
    std::memcpy(x.data() + r * stride, q.data(), row_bytes);
    const auto dq = dequantize_activations(Format::q8_0, q, n);
    xd.emplace_back(dq.begin(), dq.end());
  }
  for (const auto& v : dot_variants()) {
    if (!v.supported) continue;
    float y[16];
    v.kernels->tile4_q8_0(n, w.data(), stride, x.data(), stride, y);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 4; ++i) {
        double ref = 0, mag = 0;
        for (int k = 0; k < n; ++k) ref += wd[i][k] * xd[j][k], mag += std::abs(wd[i][k] * xd[j][k]);
        BOOST_TEST(std::abs(y[4 * j + i] - ref) / mag < kRelativeTolerance,
                   v.kernels->isa << " row " << i << " column " << j);
      }
  }
}

BOOST_AUTO_TEST_CASE(attention_matches_a_float64_softmax) {
  // One query head over 300 cached positions, head_dim 64 and 128 (and an odd 72), with the K/V
  // rows of 4 KV heads interleaved as in llama.cpp's cache: stride = 4 x head_dim. The weighted
  // values are summed in f16 as llama.cpp does (11-bit significand): each position may round the
  // running sum by 2^-11 of itself, so the outputs (averages of N(0,1) values) may drift by a few
  // 1e-3 over 300 positions; a wrong softmax or a dropped rescale is off by 0.1 or more.
  constexpr double kF16SumTolerance = 1e-2;
  for (const auto& v : dot_variants()) {
    if (!v.supported) continue;
    for (int hd : {64, 72, 128}) {
      const int positions = 300, stride = 4 * hd;
      std::mt19937 rng(hd);
      std::normal_distribution<float> normal(0, 1);
      std::vector<fp16_t> q(hd), k(std::size_t(positions) * stride), val(k.size());
      for (auto& x : q) x = float_to_fp16(normal(rng) * 0.3f);
      for (auto& x : k) x = float_to_fp16(normal(rng));
      for (auto& x : val) x = float_to_fp16(normal(rng));
      std::vector<float> out(hd);
      v.kernels->attend(hd, positions, q.data(), k.data(), val.data(), stride, out.data());
      std::vector<double> score(positions), ref(hd, 0.0);
      double top = -1e300, total = 0;
      for (int p = 0; p < positions; ++p) {
        score[p] = 0;
        for (int i = 0; i < hd; ++i) score[p] += double(fp16_to_float(q[i])) * fp16_to_float(k[std::size_t(p) * stride + i]);
        top = std::max(top, score[p]);
      }
      for (int p = 0; p < positions; ++p) {
        const double w = std::exp(score[p] - top);
        total += w;
        for (int i = 0; i < hd; ++i) ref[i] += w * fp16_to_float(val[std::size_t(p) * stride + i]);
      }
      double worst = 0;
      for (int i = 0; i < hd; ++i) worst = std::max(worst, std::abs(out[i] - ref[i] / total));
      BOOST_TEST(worst < kF16SumTolerance, v.kernels->isa << " hd " << hd << ": off by " << worst);
    }
  }
}

BOOST_AUTO_TEST_CASE(a_tiny_budget_still_measures_every_step) {
  CpuInfo cpu;
  cpu.cores = {1, "test"};
  cpu.l3_bytes = {4.0 * (1 << 20), "test"};  // -> the minimum 128 MiB buffer
  const double budget = 0.2;
  const Calibration c = calibrate_cpu(cpu, CalibrationOptions{budget, 1, {}});
  BOOST_REQUIRE_EQUAL(c.devices.size(), 1u);
  const DeviceCalibration& d = c.devices[0];
  BOOST_TEST(d.read_gbps > 0.0);
  BOOST_TEST(d.read_gbps_1t > 0.0);
  // Every format's GEMV (one thread: cores 1) and GEMM, the tinyBLAS tile, attention, the FMA peak.
  BOOST_TEST(d.gemv.size() == kFormats);
  BOOST_TEST(d.gemm.size() == kFormats);
  BOOST_TEST(d.tinyblas.size() == 1u);
  for (const auto& r : d.gemv) BOOST_TEST(r.weight_gbps > 0.0, r.format);
  BOOST_TEST(d.attention_ns_hd64 > 0.0);
  BOOST_TEST(d.attention_ns_hd128 > 0.0);
  BOOST_TEST(d.fma_gflops > 0.0);
  for (const auto& n : c.notes) BOOST_TEST(n.find("not measured") == std::string::npos, n);
  // A read, 7 x (GEMV, GEMM) on one thread, tinyBLAS, 2 attention, FMA, 7 more reads: 26 timed
  // steps, at least 2 repetitions each, less the 6 repeated reads between formats that a spent
  // budget leaves out (a note says how many); a run past its budget says so.
  int left_out = 0;
  for (const auto& n : c.notes)
    if (n.find("repeated streaming reads between formats left out") != std::string::npos) left_out = std::stoi(n);
  BOOST_TEST(left_out <= 6);
  BOOST_TEST(c.quality.repetitions >= 2 * (26 - left_out));
  BOOST_TEST(c.quality.quiet_repetitions <= c.quality.repetitions);
  BOOST_TEST(c.budget_s == budget);
  bool said = false;
  for (const auto& n : c.notes) said = said || n.find("s budget") != std::string::npos;
  BOOST_TEST(said == (c.duration_s > budget + 0.25), c.duration_s << " s");
  BOOST_TEST(c.kernel_version == kKernelVersion);
}

BOOST_AUTO_TEST_CASE(a_budget_shorter_than_a_pass_cuts_repetitions_to_time_slices) {
  // A 1 GiB buffer (8 x a 128 MiB L3) on one thread: three whole passes a streaming step (a
  // warm-up and two repetitions), 15 such steps, took 25-28 s on this 2-core VM under load with a
  // 3 s budget. Repetitions cut to time slices keep every step measured in a bounded time: the
  // buffer written once, then at most a few tens of ms a step.
  CpuInfo cpu;
  cpu.cores = {1, "test"};
  cpu.l3_bytes = {128.0 * (1 << 20), "test"};
  const Calibration c = calibrate_cpu(cpu, CalibrationOptions{0.2, 1, {}});
  BOOST_REQUIRE_EQUAL(c.devices.size(), 1u);
  const DeviceCalibration& d = c.devices[0];
  BOOST_TEST(d.gemv.size() == kFormats);
  for (const auto& r : d.gemv) BOOST_TEST(r.weight_gbps > 0.0, r.format);
  BOOST_TEST(d.read_gbps > 0.0);
  BOOST_TEST(c.duration_s < 20.0, c.duration_s << " s");
  // A step whose passes did not fit its slice says so, naming itself.
  for (const auto& n : c.notes)
    if (n.find("read only part of the buffer") != std::string::npos) BOOST_TEST(n.find("GEMV, 1 thread") != std::string::npos, n);
}

BOOST_AUTO_TEST_CASE(a_read_only_calibration_measures_the_streaming_read_alone) {
  CpuInfo cpu;
  cpu.cores = {1, "test"};
  cpu.l3_bytes = {4.0 * (1 << 20), "test"};
  CalibrationOptions o{0.1, 1, {}};
  o.read_only = true;
  const Calibration c = calibrate_cpu(cpu, o);
  BOOST_REQUIRE_EQUAL(c.devices.size(), 1u);
  BOOST_TEST(c.devices[0].read_gbps > 0.0);
  BOOST_TEST(c.devices[0].gemv.empty());
  BOOST_TEST(c.devices[0].fma_gflops == 0.0);
  BOOST_TEST(c.quality.repetitions >= 2);  // one read step (one thread), 2 repetitions at least
}

BOOST_AUTO_TEST_CASE(a_busy_cpu_does_not_slow_the_streaming_read_it_reports) {
  // Other tasks on every CPU take time slices from the calibration's threads: timed by the wall,
  // the streaming read fell to 1.3-1.9 GB/s where a quiet run reads ~30 (2-core VM, one spinner
  // per CPU), and ten fresh calibrations gave four different picks. A step with no quiet
  // repetition is timed by its threads' CPU time, so what it reports is what the cores read while
  // they ran. Three spinners per CPU leave each of this test's threads about a quarter of a core:
  // wall-timed, its read would be a quarter of the quiet one at best.
  CpuInfo cpu;
  cpu.cores = {2, "test"};
  cpu.l3_bytes = {16.0 * (1 << 20), "test"};
  CalibrationOptions o{0.3, 2, {}};
  o.read_only = true;
  const double quiet = calibrate_cpu(cpu, o).devices.at(0).read_gbps;
  std::atomic<bool> stop{false};
  std::vector<std::thread> spinners;
  for (unsigned i = 0; i < 3 * std::max(1u, std::thread::hardware_concurrency()); ++i)
    spinners.emplace_back([&stop] {
      volatile double x = 1;
      while (!stop.load(std::memory_order_relaxed)) x = x * 1.0000001 + 1e-9;
    });
  const Calibration busy = calibrate_cpu(cpu, o);
  stop = true;
  for (auto& t : spinners) t.join();
  BOOST_TEST_MESSAGE("quiet " << quiet << " GB/s, with spinners " << busy.devices.at(0).read_gbps << " GB/s");
  BOOST_TEST(busy.devices.at(0).read_gbps > 0.5 * quiet);
}
