#pragma once
/// \file
/// Wall-clock timing and the statistics benchmarks report (medians, not means: the machine is
/// shared and noisy).
#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <vector>

namespace book {

/// Measures wall-clock time from construction (or the last reset()).
class Timer {
 public:
  Timer() : start_(std::chrono::steady_clock::now()) {}
  /// Restarts the clock.
  void reset() { start_ = std::chrono::steady_clock::now(); }
  /// Seconds since construction or the last reset().
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

/// The median of `values` (the mean of the two middle values for an even count).
inline double median(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("median of an empty list");
  const auto mid = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(mid), values.end());
  const double upper = values[mid];
  if (values.size() % 2 == 1) return upper;
  const double lower = *std::max_element(values.begin(), values.begin() + static_cast<long>(mid));
  return 0.5 * (lower + upper);
}

/// Runs `fn` `warmup` times untimed, then `repeats` times timed; returns the median in seconds.
template <class Fn>
double median_seconds(Fn&& fn, int repeats, int warmup = 1) {
  for (int i = 0; i < warmup; ++i) fn();
  std::vector<double> times;
  times.reserve(static_cast<std::size_t>(repeats));
  for (int i = 0; i < repeats; ++i) {
    Timer t;
    fn();
    times.push_back(t.seconds());
  }
  return median(times);
}

}  // namespace book
