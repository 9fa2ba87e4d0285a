#include "lib/masking.h"

#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace F = torch::nn::functional;

torch::Tensor sequence_mask(const torch::Tensor& lengths, std::int64_t max_len) {
  return torch::arange(max_len, lengths.options()).unsqueeze(0).lt(lengths.unsqueeze(1));
}

std::vector<std::int64_t> running_sum_tags(const std::vector<std::int64_t>& digits) {
  std::vector<std::int64_t> tags;
  std::int64_t sum = 0;
  for (auto d : digits) {
    sum += d;
    tags.push_back(1 + sum % 3);
  }
  return tags;
}

// [task]
TaggingBatch make_tagging_batch(std::int64_t batch, std::int64_t max_len, book::Rng& rng) {
  if (batch < 1 || max_len < 1)
    throw std::invalid_argument("a tagging batch needs at least one sequence and step");
  TaggingBatch b;
  b.inputs = torch::zeros({batch, max_len}, torch::kInt64);           // padded with the digit 0
  b.targets = torch::full({batch, max_len}, kPadTag, torch::kInt64);  // padded with the pad tag
  b.lengths = torch::empty({batch}, torch::kInt64);
  auto in = b.inputs.accessor<std::int64_t, 2>();
  auto out = b.targets.accessor<std::int64_t, 2>();
  auto lengths = b.lengths.accessor<std::int64_t, 1>();
  for (std::int64_t i = 0; i < batch; ++i) {
    const std::int64_t length = book::uniform_int(rng, 1, max_len);
    std::vector<std::int64_t> digits;
    for (std::int64_t t = 0; t < length; ++t) digits.push_back(book::uniform_int(rng, 0, 9));
    const std::vector<std::int64_t> tags = running_sum_tags(digits);
    for (std::int64_t t = 0; t < length; ++t) {
      in[i][t] = digits[static_cast<std::size_t>(t)];
      out[i][t] = tags[static_cast<std::size_t>(t)];
    }
    lengths[i] = length;
  }
  b.mask = sequence_mask(b.lengths, max_len);
  return b;
}
// [task]

torch::Tensor token_losses(const torch::Tensor& logits, const torch::Tensor& targets) {
  const auto c = logits.size(-1);
  return F::cross_entropy(logits.reshape({-1, c}), targets.reshape({-1}),
                          F::CrossEntropyFuncOptions().reduction(torch::kNone))
      .view_as(targets);
}

// [masked_loss]
MaskedLoss masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets,
                                const torch::Tensor& mask) {
  const torch::Tensor m = mask.to(logits.dtype());
  const torch::Tensor losses = token_losses(logits, targets) * m;  // padded positions → exactly 0
  MaskedLoss out;
  out.per_sequence = losses.sum(1);
  out.sum = losses.sum();
  out.mean = out.sum / m.sum().clamp_min(1.0);  // no real position at all: 0, not 0/0
  return out;
}
// [masked_loss]

torch::Tensor unmasked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets) {
  return F::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}));
}

// [ignore_index]
torch::Tensor ignore_index_cross_entropy(const torch::Tensor& logits,
                                         const torch::Tensor& targets) {
  return F::cross_entropy(logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
                          F::CrossEntropyFuncOptions().ignore_index(kPadTag));
}
// [ignore_index]

TaggerImpl::TaggerImpl(const TaggingConfig& c) {
  embedding_ = register_module("embedding", torch::nn::Embedding(10, c.embed_dim));
  lstm_ = register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(c.embed_dim, c.hidden_dim).batch_first(true)));
  fc_ = register_module("fc", torch::nn::Linear(c.hidden_dim, kTagCount));
}

torch::Tensor TaggerImpl::forward(const torch::Tensor& digits) {
  return fc_(std::get<0>(lstm_->forward(embedding_(digits))));
}

TaggingScores score_tagger(Tagger& model, const TaggingBatch& b) {
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor logits = model->forward(b.inputs);
  const torch::Tensor predicted = logits.argmax(-1);
  const torch::Tensor real = b.mask;
  const torch::Tensor padded = b.mask.logical_not();
  const torch::Tensor real_zero = real.logical_and(b.inputs.eq(0));
  const torch::Tensor as_pad = predicted.eq(kPadTag);
  auto percent = [](const torch::Tensor& hits, const torch::Tensor& where) {
    const double n = where.sum().item<double>();
    return n > 0 ? 100.0 * hits.logical_and(where).sum().item<double>() / n : 0.0;
  };
  TaggingScores s;
  s.real_accuracy = percent(predicted.eq(b.targets), real);
  s.predicted_pad = percent(as_pad, real);
  s.zeros_as_pad = percent(as_pad, real_zero);
  s.padding_as_pad = percent(as_pad, padded);
  s.masked_loss = masked_cross_entropy(logits, b.targets, b.mask).mean.item<double>();
  s.unmasked_loss = unmasked_cross_entropy(logits, b.targets).item<double>();
  return s;
}

// [train]
TaggingRun train_tagger(const TaggingConfig& c, bool masked,
                        const std::function<void(const TaggingPoint&)>& on_eval) {
  torch::manual_seed(c.seed);
  book::Rng rng(c.seed);  // the same weights and batches for the masked and the unmasked run
  book::Rng eval_rng(c.seed + 1);
  const TaggingBatch eval_batch = make_tagging_batch(c.eval_batch, c.max_len, eval_rng);
  TaggingRun run{Tagger(c), {}};
  torch::optim::Adam optimizer(run.model->parameters(), torch::optim::AdamOptions(c.lr));
  for (int step = 1; step <= c.steps; ++step) {
    const TaggingBatch b = make_tagging_batch(c.batch, c.max_len, rng);
    run.model->train();
    optimizer.zero_grad();
    const torch::Tensor logits = run.model->forward(b.inputs);
    const torch::Tensor loss = masked ? masked_cross_entropy(logits, b.targets, b.mask).mean
                                      : unmasked_cross_entropy(logits, b.targets);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      throw std::runtime_error("tagging loss became " + std::to_string(loss_value) + " at step " +
                               std::to_string(step) + " of the " +
                               (masked ? "masked" : "unmasked") + " run");
    }
    loss.backward();
    optimizer.step();
    if (step % c.eval_every == 0 || step == c.steps) {
      TaggingPoint point{step, loss_value, score_tagger(run.model, eval_batch)};
      run.curve.push_back(point);
      if (on_eval) on_eval(point);
    }
  }
  return run;
}
// [train]

}  // namespace ch06
