#include "book/train.h"

#include "book/progress.h"
#include "book/timer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace book {

NonFiniteLoss::NonFiniteLoss(std::int64_t step_, double loss)
    : std::runtime_error("training loss became " + std::to_string(loss) + " at step " + std::to_string(step_) +
                         "; lower --lr or --max_grad_norm"),
      step(step_) {}

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

CosineLR::CosineLR(torch::optim::Optimizer& optimizer, std::int64_t total_steps, double floor)
    : torch::optim::LRScheduler(optimizer), total_steps_(total_steps), floor_(floor) {
  if (total_steps < 1) throw std::invalid_argument("CosineLR: total_steps must be at least 1");
  if (!(floor >= 0.0 && floor <= 1.0)) throw std::invalid_argument("CosineLR: floor must be in [0, 1]");
  base_ = get_current_lrs();
}

std::vector<double> CosineLR::get_lrs() {
  const double progress =
      std::min(1.0, static_cast<double>(step_count_) / static_cast<double>(total_steps_));
  const double factor = floor_ + (1.0 - floor_) * 0.5 * (1.0 + std::cos(kPi * progress));
  std::vector<double> rates;
  for (const double base : base_) rates.push_back(base * factor);
  return rates;
}

namespace {

std::string running(double loss_sum, std::int64_t correct, std::int64_t seen) {
  char text[64];
  std::snprintf(text, sizeof text, "loss %.4f acc %.2f%%", loss_sum / static_cast<double>(seen),
                100.0 * static_cast<double>(correct) / static_cast<double>(seen));
  return text;
}

// The global norm of the gradients, sqrt(sum over parameters of |grad|^2), without changing them.
double global_grad_norm(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> norms;
  for (const auto& p : parameters) {
    if (p.grad().defined()) norms.push_back(p.grad().norm());
  }
  return norms.empty() ? 0.0 : torch::stack(norms).norm().item<double>();
}

EpochStats finish(double loss_sum, std::int64_t correct, std::int64_t seen, const Timer& timer) {
  EpochStats stats;
  stats.samples = seen;
  stats.loss = seen > 0 ? loss_sum / static_cast<double>(seen) : 0.0;
  stats.accuracy = seen > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(seen) : 0.0;
  stats.seconds = timer.seconds();
  return stats;
}

}  // namespace

EpochStats train_epoch(torch::nn::Module& model, const ForwardFn& forward, torch::optim::Optimizer& optimizer,
                       const std::vector<Batch>& batches, const EpochOptions& options) {
  model.train();
  Timer timer;
  ProgressBar bar(options.desc, static_cast<std::int64_t>(batches.size()), options.progress && stdout_is_terminal());
  double loss_sum = 0;
  double max_norm_seen = 0;
  double norm_sum = 0;
  std::int64_t correct = 0;
  std::int64_t seen = 0;
  std::int64_t step = 0;
  const auto parameters = model.parameters();
  for (const Batch& batch : batches) {
    ++step;
    // [train step]
    optimizer.zero_grad();
    const torch::Tensor logits = forward(batch);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, batch.targets);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) throw NonFiniteLoss(step, loss_value);
    loss.backward();
    // The norm before clipping: clip_grad_norm_ returns it (log it: its size guides the threshold).
    const double norm = options.max_grad_norm > 0
                            ? torch::nn::utils::clip_grad_norm_(parameters, options.max_grad_norm)
                            : global_grad_norm(parameters);
    norm_sum += norm;
    max_norm_seen = std::max(max_norm_seen, norm);
    optimizer.step();
    // [train step]
    const std::int64_t n = batch.targets.size(0);
    loss_sum += loss_value * static_cast<double>(n);
    correct += logits.argmax(1).eq(batch.targets).sum().item<std::int64_t>();
    seen += n;
    bar.update(step, running(loss_sum, correct, seen));
  }
  bar.finish();
  EpochStats stats = finish(loss_sum, correct, seen, timer);
  stats.max_grad_norm = max_norm_seen;
  stats.mean_grad_norm = step > 0 ? norm_sum / static_cast<double>(step) : 0.0;
  return stats;
}

EpochStats evaluate(torch::nn::Module& model, const ForwardFn& forward, const std::vector<Batch>& batches,
                    const EpochOptions& options) {
  model.eval();
  torch::NoGradGuard no_grad;
  Timer timer;
  ProgressBar bar(options.desc, static_cast<std::int64_t>(batches.size()), options.progress && stdout_is_terminal());
  double loss_sum = 0;
  std::int64_t correct = 0;
  std::int64_t seen = 0;
  std::int64_t step = 0;
  for (const Batch& batch : batches) {
    const torch::Tensor logits = forward(batch);
    const std::int64_t n = batch.targets.size(0);
    loss_sum += torch::nn::functional::cross_entropy(logits, batch.targets).item<double>() * static_cast<double>(n);
    correct += logits.argmax(1).eq(batch.targets).sum().item<std::int64_t>();
    seen += n;
    bar.update(++step, running(loss_sum, correct, seen));
  }
  bar.finish();
  return finish(loss_sum, correct, seen, timer);
}

void History::add(const EpochStats& train, const EpochStats& val) {
  train_loss.push_back(train.loss);
  train_acc.push_back(train.accuracy);
  val_loss.push_back(val.loss);
  val_acc.push_back(val.accuracy);
}

nlohmann::json History::to_json() const {
  return {{"train_loss", train_loss}, {"train_acc", train_acc}, {"val_loss", val_loss}, {"val_acc", val_acc}};
}

}  // namespace book
