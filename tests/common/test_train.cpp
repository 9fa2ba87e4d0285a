// Self-checks of common/train: the epoch loop weights the loss by batch size, counts accuracy,
// clips, learns, and stops on a non-finite loss with the step number; the cosine learning-rate decay.
#include "book/train.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

namespace {

// Two Gaussian blobs in 2-D, labels 0 and 1, split into batches of the given sizes.
std::vector<book::Batch> blobs(const std::vector<int>& sizes, std::uint64_t seed) {
  torch::manual_seed(seed);
  std::vector<book::Batch> batches;
  for (int n : sizes) {
    book::Batch b;
    b.targets = torch::randint(0, 2, {n}, torch::kInt64);
    b.inputs = torch::randn({n, 2}) * 0.5 + (b.targets.to(torch::kFloat).unsqueeze(1) * 2 - 1) * 2;
    batches.push_back(b);
  }
  return batches;
}

}  // namespace

TEST_CASE("evaluate weights each batch's loss by its size and reports accuracy in percent") {
  torch::manual_seed(0);
  torch::nn::Linear model(2, 2);
  const auto batches = blobs({1, 3, 6}, 1);
  const book::ForwardFn forward = [&](const book::Batch& b) { return model(b.inputs); };
  const auto stats = book::evaluate(*model, forward, batches, {"valid", 0, false});
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> xs, ys;
  for (const auto& b : batches) {
    xs.push_back(b.inputs);
    ys.push_back(b.targets);
  }
  const auto x = torch::cat(xs), y = torch::cat(ys);
  const auto logits = model(x);
  CHECK(stats.samples == 10);
  CHECK(stats.loss == doctest::Approx(torch::nn::functional::cross_entropy(logits, y).item<double>()).epsilon(1e-6));
  CHECK(stats.accuracy == doctest::Approx(100.0 * logits.argmax(1).eq(y).sum().item<double>() / 10.0));
}

TEST_CASE("train_epoch learns a separable problem and reports the gradient norm before clipping") {
  torch::manual_seed(0);
  torch::nn::Linear model(2, 2);
  torch::optim::SGD optimizer(model->parameters(), 0.5);
  const book::ForwardFn forward = [&](const book::Batch& b) { return model(b.inputs); };
  const auto data = blobs({32, 32, 32, 32}, 2);
  // The gradient norm of the first step, computed by hand.
  torch::nn::functional::cross_entropy(model(data[0].inputs), data[0].targets).backward();
  double first_norm = 0;
  for (const auto& p : model->parameters()) first_norm += p.grad().pow(2).sum().item<double>();
  first_norm = std::sqrt(first_norm);
  optimizer.zero_grad();
  const auto before = book::evaluate(*model, forward, data, {"valid", 0, false});
  const auto first = book::train_epoch(*model, forward, optimizer, data, {"train", 1e-3, false});
  CHECK(first.max_grad_norm >= first_norm * (1 - 1e-6));  // the norm before clipping, not 1e-3
  for (int epoch = 0; epoch < 5; ++epoch) book::train_epoch(*model, forward, optimizer, data, {"train", 1.0, false});
  const auto after = book::evaluate(*model, forward, data, {"valid", 0, false});
  CHECK(after.loss < before.loss);
  CHECK(after.accuracy >= 95.0);
}

TEST_CASE("clipping caps each update: a tiny max_grad_norm moves the weights less") {
  const auto data = blobs({64}, 3);
  auto step_size = [&](double clip) {
    torch::manual_seed(0);
    torch::nn::Linear model(2, 2);
    torch::optim::SGD optimizer(model->parameters(), 1.0);
    const auto w0 = model->weight.clone();
    const book::ForwardFn forward = [&](const book::Batch& b) { return model(b.inputs); };
    book::train_epoch(*model, forward, optimizer, data, {"train", clip, false});
    return (model->weight - w0).norm().item<double>();
  };
  const double clipped = step_size(1e-3);
  CHECK(clipped <= 1e-3 + 1e-9);
  CHECK(step_size(0.0) > 10 * clipped);
}

TEST_CASE("a non-finite loss stops training with the step number") {
  torch::nn::Linear model(2, 2);
  torch::optim::SGD optimizer(model->parameters(), 0.1);
  int calls = 0;
  const book::ForwardFn forward = [&](const book::Batch& b) {
    auto logits = model(b.inputs);
    return ++calls == 3 ? logits * std::numeric_limits<float>::quiet_NaN() : logits;
  };
  try {
    book::train_epoch(*model, forward, optimizer, blobs({4, 4, 4, 4}, 4), {"train", 0, false});
    FAIL("expected NonFiniteLoss");
  } catch (const book::NonFiniteLoss& e) {
    CHECK(e.step == 3);
    CHECK(std::string(e.what()).find("step 3") != std::string::npos);
  }
}

TEST_CASE("History keeps one value per epoch in the original's JSON layout") {
  book::History h;
  book::EpochStats train{1.5, 40.0, 10, 0.1, 0}, val{1.2, 50.0, 5, 0.05, 0};
  h.add(train, val);
  h.add(train, val);
  const auto j = h.to_json();
  CHECK(j.size() == 4);
  CHECK(j.at("train_loss").size() == 2);
  CHECK(j.at("val_acc")[1] == 50.0);
}

TEST_CASE("CosineLR: full rate first, half at the midpoint, the floor at the end and after") {
  torch::Tensor w = torch::zeros({1}, torch::requires_grad());
  torch::optim::Adam adam({w}, torch::optim::AdamOptions(0.2));
  book::CosineLR decay(adam, 4, 0.1);
  std::vector<double> rates;
  for (int i = 0; i < 6; ++i) {
    decay.step();
    rates.push_back(adam.param_groups()[0].options().get_lr());
  }
  // step i uses 0.2 · (0.1 + 0.9 · (1 + cos(π i / 4)) / 2)
  const double expected[] = {0.2, 0.2 * (0.1 + 0.9 * (1 + std::sqrt(0.5)) / 2), 0.2 * 0.55,
                             0.2 * (0.1 + 0.9 * (1 - std::sqrt(0.5)) / 2), 0.02, 0.02};
  for (int i = 0; i < 6; ++i) {
    CAPTURE(i);
    CHECK(rates[static_cast<std::size_t>(i)] == doctest::Approx(expected[i]).epsilon(1e-12));
  }
  CHECK_THROWS_AS(book::CosineLR(adam, 0), std::invalid_argument);
  CHECK_THROWS_AS(book::CosineLR(adam, 5, 1.5), std::invalid_argument);
}
