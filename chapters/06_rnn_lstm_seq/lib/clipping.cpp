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

// The final states [B, H], the logits [B, 2] and the loss of one batch.
struct Forward {
  torch::Tensor h_T, logits, loss;
};

Forward exploding_forward(ExplodingModel& m, const torch::Tensor& x, const torch::Tensor& y) {
  Forward f;
  f.h_T = std::get<1>(m.rnn->forward(x))[0];  // h_n [1, B, H] -> [B, H]
  f.logits = m.head->forward(f.h_T);
  f.loss = torch::nn::functional::cross_entropy(f.logits, y);
  return f;
}

// A fresh model after the backward pass of the first batch: its parameters' .grad() hold the
// first gradient, before any clipping or step.
struct FirstBackward {
  ExplodingModel model;
  torch::Tensor x, y;
};

FirstBackward first_backward(const ExplodingConfig& c) {
  ExplodingModel model = make_exploding_model(c);
  auto [x, y] = exploding_batch(c);
  exploding_forward(model, x, y).loss.backward();
  return {model, x, y};
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
    const Forward f = exploding_forward(model, x, y);
    f.loss.backward();
    StepRecord r;
    r.step = step;
    r.loss = f.loss.item<double>();
    r.largest_state = f.h_T.detach().abs().max().item<double>();
    r.largest_logit = f.logits.detach().abs().max().item<double>();
    r.grad_norm = global_grad_norm(parameters);  // before clipping: what the gradient really was
    if (c.max_norm > 0) torch::nn::utils::clip_grad_norm_(parameters, c.max_norm);
    r.applied_norm = global_grad_norm(parameters);
    optimizer.step();  // no check: a non-finite loss is recorded, not refused
    r.radius = spectral_radius(model.rnn->named_parameters()["weight_hh_l0"]);
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

double spectral_radius(const torch::Tensor& w) {
  const torch::Tensor d = w.detach().to(torch::kFloat64);
  if (!torch::isfinite(d).all().item<bool>()) return std::numeric_limits<double>::quiet_NaN();
  // at::linalg_eigvals, not torch::linalg::eigvals: Debian 13's LibTorch 2.6 ships no torch/linalg.h.
  return at::linalg_eigvals(d).abs().max().item<double>();
}

std::vector<std::pair<std::string, double>> first_gradient_by_tensor(const ExplodingConfig& c) {
  ExplodingModel model = first_backward(c).model;
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [prefix, module] : {std::pair<std::string, torch::nn::Module*>{"rnn.", model.rnn.get()},
                                       {"head.", model.head.get()}}) {
    for (const auto& p : module->named_parameters()) {
      out.emplace_back(prefix + p.key(), p.value().grad().to(torch::kFloat64).norm().item<double>());
    }
  }
  return out;
}

// [probe]
std::vector<StepProbe> probe_first_step(const ExplodingConfig& c,
                                        const std::vector<double>& lengths) {
  auto [model, x, y] = first_backward(c);  // the first batch, and its gradient in .grad()
  const std::vector<torch::Tensor> parameters = model.parameters();
  const double norm = global_grad_norm(parameters);
  std::vector<torch::Tensor> start, direction;  // the weights, and -g/||g||
  for (const auto& p : parameters) {
    start.push_back(p.detach().clone());
    direction.push_back(-p.grad().detach() / norm);
  }
  std::vector<StepProbe> out;
  torch::NoGradGuard no_grad;
  for (double s : lengths) {
    for (std::size_t k = 0; k < parameters.size(); ++k)
      parameters[k].copy_(start[k] + s * direction[k]);  // w = w_0 - s g/||g||
    const Forward f = exploding_forward(model, x, y);
    StepProbe r;
    r.length = s;
    r.loss = f.loss.item<double>();
    r.largest_state = f.h_T.abs().max().item<double>();
    r.largest_logit = f.logits.abs().max().item<double>();
    out.push_back(r);
  }
  return out;
}
// [probe]

std::vector<torch::Tensor> first_exploding_gradient(const ExplodingConfig& c) {
  std::vector<torch::Tensor> out;
  for (const auto& p : first_backward(c).model.parameters()) out.push_back(p.grad().detach().clone());
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
