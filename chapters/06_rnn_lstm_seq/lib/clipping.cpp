#include "lib/clipping.h"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace ch06 {

std::vector<torch::Tensor> ExplodingModel::parameters() const {
  std::vector<torch::Tensor> out = rnn->parameters();
  for (const auto& p : head->parameters()) out.push_back(p);
  return out;
}

// [setup]
ExplodingModel make_exploding_model(const ExplodingConfig& c) {
  torch::manual_seed(c.seed);
  ExplodingModel m;
  m.rnn = torch::nn::RNN(
      torch::nn::RNNOptions(1, c.hidden).nonlinearity(torch::kReLU).batch_first(true));
  m.head = torch::nn::Linear(c.hidden, 2);
  torch::NoGradGuard no_grad;
  m.rnn->named_parameters()["weight_hh_l0"].copy_(c.recurrent_gain *
                                                  torch::eye(c.hidden));  // W_hh = gain · I
  return m;
}
// [setup]

namespace {

// One batch of the task: inputs [B, T, 1] ~ N(0, 1); label 1 if the last `window` inputs sum above 0.
std::pair<torch::Tensor, torch::Tensor> exploding_batch(const ExplodingConfig& c) {
  const torch::Tensor x = torch::randn({c.batch, c.seq_len, 1});
  const torch::Tensor y = x.slice(1, c.seq_len - c.window).sum({1, 2}).gt(0).to(torch::kInt64);
  return {x, y};
}

torch::Tensor exploding_loss(ExplodingModel& m, const torch::Tensor& x, const torch::Tensor& y) {
  const torch::Tensor h_n = std::get<1>(m.rnn->forward(x));  // [1, B, H]
  return torch::nn::functional::cross_entropy(m.head->forward(h_n[0]), y);
}

}  // namespace

// [grad_norm]
double global_grad_norm(const std::vector<torch::Tensor>& parameters) {
  double sum = 0;
  for (const auto& p : parameters) {
    if (p.grad().defined()) sum += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
  }
  return std::sqrt(sum);
}
// [grad_norm]

// [loop]
ExplodingRun run_exploding(const ExplodingConfig& c,
                           const std::function<void(const StepRecord&)>& on_step) {
  if (c.window < 1 || c.window > c.seq_len)
    throw std::invalid_argument("the window must lie within the sequence");
  ExplodingModel model =
      make_exploding_model(c);  // seeds torch: every run sees the same weights and data
  const std::vector<torch::Tensor> parameters = model.parameters();
  torch::optim::SGD optimizer(parameters, torch::optim::SGDOptions(c.lr));
  ExplodingRun run;
  for (int step = 1; step <= c.steps; ++step) {
    const auto [x, y] = exploding_batch(c);
    optimizer.zero_grad();
    const torch::Tensor loss = exploding_loss(model, x, y);
    loss.backward();
    StepRecord r;
    r.step = step;
    r.loss = loss.item<double>();
    r.grad_norm = global_grad_norm(parameters);  // before clipping: what the gradient really was
    if (c.max_norm > 0) torch::nn::utils::clip_grad_norm_(parameters, c.max_norm);
    r.applied_norm = global_grad_norm(parameters);
    optimizer.step();  // no check: a non-finite loss is recorded, not refused
    run.steps.push_back(r);
    if (on_step) on_step(r);
    if (!std::isfinite(r.loss)) {
      run.first_non_finite = step;
      break;  // the weights are now inf or nan; every later step would be nan
    }
  }
  return run;
}
// [loop]

std::vector<torch::Tensor> first_exploding_gradient(const ExplodingConfig& c) {
  ExplodingModel model = make_exploding_model(c);
  const auto [x, y] = exploding_batch(c);
  exploding_loss(model, x, y).backward();
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.grad().detach().clone());
  return out;
}

namespace {

// Parameters (zero-valued) whose .grad() holds a copy of `gradient`, for the clipping functions.
std::vector<torch::Tensor> holders(const std::vector<torch::Tensor>& gradient) {
  std::vector<torch::Tensor> out;
  for (const auto& g : gradient) {
    torch::Tensor p = torch::zeros_like(g).set_requires_grad(true);
    p.mutable_grad() = g.detach().clone();
    out.push_back(p);
  }
  return out;
}

torch::Tensor flat(const std::vector<torch::Tensor>& tensors, bool grads) {
  std::vector<torch::Tensor> parts;
  for (const auto& t : tensors) parts.push_back((grads ? t.grad() : t).reshape({-1}).to(torch::kFloat64));
  return torch::cat(parts);
}

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.dot(b) / (a.norm() * b.norm())).item<double>();
}

}  // namespace

// [compare]
ClipComparison compare_clipping(const std::vector<torch::Tensor>& gradient, double max_norm,
                                double clip_value) {
  const std::vector<torch::Tensor> by_norm = holders(gradient);
  const std::vector<torch::Tensor> by_value = holders(gradient);
  torch::nn::utils::clip_grad_norm_(by_norm, max_norm);  // g ← g · min(1, max_norm / ‖g‖)
  torch::nn::utils::clip_grad_value_(by_value,
                                     clip_value);  // g_i ← clamp(g_i, −clip_value, clip_value)
  const torch::Tensor g = flat(gradient, false);
  const torch::Tensor n = flat(by_norm, true);
  const torch::Tensor v = flat(by_value, true);
  ClipComparison out;
  out.norm_before = g.norm().item<double>();
  out.norm_after_norm_clip = n.norm().item<double>();
  out.norm_after_value_clip = v.norm().item<double>();
  out.cosine_norm_clip = cosine(g, n);
  out.cosine_value_clip = cosine(g, v);
  out.max_abs_before = g.abs().max().item<double>();
  out.max_abs_after_norm_clip = n.abs().max().item<double>();
  out.max_abs_after_value_clip = v.abs().max().item<double>();
  return out;
}
// [compare]

}  // namespace ch06
