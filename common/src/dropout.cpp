#include "book/dropout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <stdexcept>
#include <string>

namespace book {

namespace {

// A 32-bit integer hash with good avalanche (Chris Wellons' "lowbias32"): every output bit depends
// on every input bit. Only 32-bit multiplies and shifts, so loops over it vectorize.
inline std::uint32_t mix32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

template <typename T>
void fill_mask(T* out, std::int64_t n, std::uint64_t key, std::uint32_t drop_below, T scale) {
  const auto k0 = static_cast<std::uint32_t>(key);
  const auto k1 = static_cast<std::uint32_t>(key >> 32);
  // Element i's counter is its index: the low 32 bits in the loop, the high ones in the block key
  // (a tensor of more than 2^32 elements takes more than one block).
  constexpr std::int64_t kBlock = std::int64_t{1} << 32;
  for (std::int64_t base = 0; base < n; base += kBlock) {
    const std::int64_t len = std::min(kBlock, n - base);
    const std::uint32_t k1_block = k1 + static_cast<std::uint32_t>(base >> 32);
    T* block = out + base;
    // [mask]
    for (std::int64_t j = 0; j < len; ++j) {
      const std::uint32_t h = mix32(mix32(static_cast<std::uint32_t>(j) ^ k0) + k1_block);
      block[j] = h < drop_below ? T(0) : scale;
    }
    // [mask]
  }
}

// Throws std::invalid_argument unless p lies in [0, 1] (or [0, 1) when one is not allowed).
void check_probability(double p, const char* where, bool one_allowed) {
  if (p >= 0.0 && (one_allowed ? p <= 1.0 : p < 1.0)) return;
  throw std::invalid_argument(std::string(where) + ": p must lie in [0, 1" + (one_allowed ? "]" : ")") + ", got " +
                              std::to_string(p));
}

}  // namespace

torch::Tensor dropout_mask(torch::IntArrayRef shape, double p, std::uint64_t key, const torch::TensorOptions& options) {
  check_probability(p, "dropout_mask", /*one_allowed=*/false);
  torch::Tensor mask = torch::empty(shape, options.device(torch::kCPU));
  // Drop when the hash is below p · 2^32, i.e. with probability p (to within 2^−32).
  const auto drop_below = static_cast<std::uint32_t>(std::min(std::ldexp(p, 32), 4294967295.0));
  AT_DISPATCH_FLOATING_TYPES(mask.scalar_type(), "dropout_mask", [&] {
    fill_mask<scalar_t>(mask.data_ptr<scalar_t>(), mask.numel(), key, drop_below, static_cast<scalar_t>(1.0 / (1.0 - p)));
  });
  return mask.to(options.device());
}

torch::Tensor dropout(const torch::Tensor& x, double p, bool training) {
  check_probability(p, "dropout", /*one_allowed=*/true);
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0;
  // One draw from torch's default generator per call: manual_seed fixes the whole sequence of masks.
  const auto key = static_cast<std::uint64_t>(torch::randint(std::numeric_limits<std::int64_t>::max(), {1}, torch::kInt64).item<std::int64_t>());
  return x * dropout_mask(x.sizes(), p, key, x.options());
}

DropoutImpl::DropoutImpl(double p) : p_(p) { check_probability(p, "Dropout", /*one_allowed=*/true); }

torch::Tensor DropoutImpl::forward(const torch::Tensor& x) { return book::dropout(x, p_, is_training()); }

void DropoutImpl::pretty_print(std::ostream& stream) const { stream << "book::Dropout(p=" << p_ << ")"; }

}  // namespace book
