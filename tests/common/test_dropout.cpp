// Self-checks of book::dropout: the fast-mask dropout the main job uses instead of torch's.
#include "book/dropout.h"

#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>

namespace {

// Share of zeros in a mask.
double dropped_share(const torch::Tensor& mask) { return mask.eq(0).to(torch::kDouble).mean().item<double>(); }

// Binomial standard deviation of a share over n draws.
double sigma(double p, std::int64_t n) { return std::sqrt(p * (1 - p) / static_cast<double>(n)); }

}  // namespace

TEST_CASE("dropout_mask drops a share p and scales the rest by 1 / (1 - p)") {
  const std::int64_t n = 1'000'000;
  for (double p : {0.1, 0.3, 0.5, 0.9}) {
    CAPTURE(p);
    const torch::Tensor mask = book::dropout_mask({n}, p, 12345, torch::kFloat);
    // Five standard deviations: a correct mask fails this about once in 3.5 million runs.
    CHECK(std::abs(dropped_share(mask) - p) < 5 * sigma(p, n));
    const torch::Tensor kept = mask.masked_select(mask.ne(0));
    CHECK(kept.eq(static_cast<float>(1.0 / (1.0 - p))).all().item<bool>());
  }
}

TEST_CASE("dropout_mask: neighbours, rows and bits are independent") {
  const double p = 0.5;
  const std::int64_t n = 1'000'000;
  const torch::Tensor dropped = book::dropout_mask({n}, p, 777, torch::kFloat).eq(0).to(torch::kDouble);
  // Both of two neighbours dropped: p^2 if independent.
  const double both = (dropped.narrow(0, 0, n - 1) * dropped.narrow(0, 1, n - 1)).mean().item<double>();
  CHECK(std::abs(both - p * p) < 5 * sigma(p * p, n));
  // Elements 1,024 apart (the same column of rows of 1,024): p^2 as well.
  const double column = (dropped.narrow(0, 0, n - 1024) * dropped.narrow(0, 1024, n - 1024)).mean().item<double>();
  CHECK(std::abs(column - p * p) < 5 * sigma(p * p, n));
  // Each block of 1,000 drops about half: the per-block shares spread like a binomial's.
  const torch::Tensor blocks = dropped.view({1000, 1000}).mean(1);
  const double spread = blocks.std().item<double>();
  CHECK(spread == doctest::Approx(sigma(p, 1000)).epsilon(0.15));
}

TEST_CASE("dropout_mask: the key decides the mask") {
  const torch::Tensor a = book::dropout_mask({4096}, 0.3, 1, torch::kFloat);
  CHECK(torch::equal(a, book::dropout_mask({4096}, 0.3, 1, torch::kFloat)));
  const torch::Tensor b = book::dropout_mask({4096}, 0.3, 2, torch::kFloat);
  CHECK_FALSE(torch::equal(a, b));
  // Different keys give unrelated masks: they agree on about p^2 + (1-p)^2 of the elements.
  const double agree = a.eq(b).to(torch::kDouble).mean().item<double>();
  CHECK(std::abs(agree - 0.58) < 5 * sigma(0.58, 4096));
  const bool double_mask = book::dropout_mask({3, 5}, 0.3, 1, torch::kDouble).scalar_type() == torch::kDouble;
  CHECK(double_mask);
  CHECK_THROWS_AS(book::dropout_mask({3}, 1.0, 1, torch::kFloat), std::invalid_argument);
  CHECK_THROWS_AS(book::dropout_mask({3}, -0.1, 1, torch::kFloat), std::invalid_argument);
}

TEST_CASE("dropout: identity outside training, seeded by torch, gradient through the mask") {
  torch::manual_seed(3);
  const torch::Tensor x = torch::randn({64, 32}, torch::requires_grad());
  CHECK(book::dropout(x, 0.3, /*training=*/false).is_same(x));
  CHECK(book::dropout(x, 0.0, true).is_same(x));
  CHECK(book::dropout(x, 1.0, true).eq(0).all().item<bool>());
  CHECK_THROWS_AS(book::dropout(x, 1.5, true), std::invalid_argument);

  torch::manual_seed(11);
  const torch::Tensor y = book::dropout(x, 0.3, true);
  torch::manual_seed(11);
  CHECK(torch::equal(y, book::dropout(x, 0.3, true)));  // same seed, same mask
  CHECK_FALSE(torch::equal(y, book::dropout(x, 0.3, true)));  // the next call draws a new key

  // y = x ⊙ mask, so dL/dx = mask for L = sum(y): 0 where dropped, 1 / (1 − p) where kept.
  y.sum().backward();
  const torch::Tensor mask = y.detach() / x.detach();
  CHECK(torch::allclose(x.grad(), mask, 1e-6, 1e-6));
  CHECK(torch::allclose(x.grad().masked_select(y.ne(0)), torch::full({1}, 1.0 / 0.7), 1e-6, 1e-6));
}

TEST_CASE("book::Dropout is a module that follows train() and eval()") {
  book::Dropout drop(0.5);
  const torch::Tensor x = torch::ones({10'000});
  drop->train();
  const torch::Tensor y = drop(x);
  CHECK(std::abs(y.eq(0).to(torch::kDouble).mean().item<double>() - 0.5) < 5 * sigma(0.5, 10'000));
  CHECK(std::abs(y.mean().item<double>() - 1.0) < 0.05);  // inverted dropout keeps the mean
  drop->eval();
  CHECK(torch::equal(drop(x), x));
  std::ostringstream printed;
  printed << *drop;
  CHECK(printed.str() == "book::Dropout(p=0.5)");
  CHECK_THROWS_AS(book::Dropout(2.0), std::invalid_argument);
}
