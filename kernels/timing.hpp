// Timing statistics of a benchmark's repetitions: the one place the CPU and Vulkan calibrations
// (and bench/) turn measured seconds into a figure and its spread. Private to kernels/ and bench/.
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace benchr::kernels {

/// The measured repetitions of one benchmark, in run order, in seconds. Every statistic of an
/// empty set is 0, and so is a spread over a zero median: a caller checks `empty()` (or a
/// positive fastest_s()) before dividing by any of them.
struct Timings {
  std::vector<double> seconds;

  bool empty() const { return seconds.empty(); }
  /// The fastest repetition: what the hardware gives when nothing else runs (STREAM reports the
  /// best of its trials too). On a shared machine another task only ever slows a repetition
  /// down; the median would carry that noise into every estimate.
  double fastest_s() const { return empty() ? 0 : *std::min_element(seconds.begin(), seconds.end()); }
  double median_s() const {
    if (empty()) return 0;
    std::vector<double> s = seconds;
    std::nth_element(s.begin(), s.begin() + std::ptrdiff_t(s.size() / 2), s.end());
    return s[s.size() / 2];
  }
  double mean_s() const { return empty() ? 0 : std::accumulate(seconds.begin(), seconds.end(), 0.0) / double(seconds.size()); }
  /// Sample standard deviation (n - 1); 0 below two repetitions.
  double stdev_s() const {
    if (seconds.size() < 2) return 0;
    const double mean = mean_s();
    double sum = 0;
    for (double s : seconds) sum += (s - mean) * (s - mean);
    return std::sqrt(sum / double(seconds.size() - 1));
  }
  /// (slowest - fastest) / median, as DeviceCalibration::read_spread reports it.
  double spread() const {
    const double median = median_s();
    if (!(median > 0)) return 0;
    const auto [lo, hi] = std::minmax_element(seconds.begin(), seconds.end());
    return (*hi - *lo) / median;
  }
};

}  // namespace benchr::kernels
