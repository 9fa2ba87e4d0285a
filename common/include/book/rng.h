#pragma once
/// \file
/// A portable random engine for the book's own data generators.
///
/// `std::uniform_int_distribution` and `std::shuffle` may give different sequences with different
/// standard libraries. These helpers are defined here, so a seed gives the same data everywhere.
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace book {

/// The engine every generator of the book uses (its output sequence is fixed by the standard).
using Rng = std::mt19937_64;

/// A uniform integer in [0, n), without modulo bias. `n` must be positive.
inline std::uint64_t uniform_below(Rng& rng, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;  // largest multiple of n
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % n;
}

/// A uniform integer in [lo, hi], both ends included.
inline std::int64_t uniform_int(Rng& rng, std::int64_t lo, std::int64_t hi) {
  return lo + static_cast<std::int64_t>(uniform_below(rng, static_cast<std::uint64_t>(hi - lo) + 1));
}

/// A uniform real in [0, 1) with 53 random bits.
inline double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// Fisher–Yates shuffle of `items`.
template <class T>
void shuffle(std::vector<T>& items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[uniform_below(rng, i)]);
  }
}

}  // namespace book
