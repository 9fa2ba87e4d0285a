#include "lib/scratch_rnn.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace {

// A uniform matrix in [-bound, bound] from the book's portable engine.
Mat uniform_matrix(Eigen::Index rows, Eigen::Index cols, double bound, book::Rng& rng) {
  Mat m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = (2.0 * book::uniform01(rng) - 1.0) * bound;
  }
  return m;
}

constexpr double kPi = 3.14159265358979323846;

// A standard normal number (Box-Muller on the portable uniform, so a seed gives the same
// numbers with every standard library).
double standard_normal(book::Rng& rng) {
  const double u1 = 1.0 - book::uniform01(rng);  // in (0, 1]
  const double u2 = book::uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

Mat normal_matrix(Eigen::Index rows, Eigen::Index cols, double stddev, book::Rng& rng) {
  Mat m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = stddev * standard_normal(rng);
  }
  return m;
}

void check_size(const Vec& v, Eigen::Index expected, const char* what) {
  if (v.size() != expected) {
    throw std::invalid_argument(std::string(what) + " has size " + std::to_string(v.size()) + ", expected " +
                                std::to_string(expected));
  }
}

// Squared L2 norm of every parameter of a gradient.
double squared_norm(const ScratchRnn& g) {
  double sum = g.w_hy.squaredNorm() + g.b_hy.squaredNorm();
  for (const auto& l : g.layers) sum += l.w_ih.squaredNorm() + l.w_hh.squaredNorm() + l.b_ih.squaredNorm() + l.b_hh.squaredNorm();
  return sum;
}

}  // namespace

ScratchRnn make_scratch_rnn(const RnnSizes& sizes, book::Rng& rng) {
  if (sizes.input < 1 || sizes.hidden < 1 || sizes.output < 1 || sizes.layers < 1) {
    throw std::invalid_argument("every size of an RNN must be at least 1");
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(sizes.hidden));
  ScratchRnn m;
  for (int l = 0; l < sizes.layers; ++l) {
    const Eigen::Index in = l == 0 ? sizes.input : sizes.hidden;
    RnnLayer layer;
    layer.w_ih = uniform_matrix(sizes.hidden, in, bound, rng);
    layer.w_hh = uniform_matrix(sizes.hidden, sizes.hidden, bound, rng);
    layer.b_ih = uniform_matrix(sizes.hidden, 1, bound, rng);
    layer.b_hh = uniform_matrix(sizes.hidden, 1, bound, rng);
    m.layers.push_back(std::move(layer));
  }
  m.w_hy = uniform_matrix(sizes.output, sizes.hidden, bound, rng);
  m.b_hy = uniform_matrix(sizes.output, 1, bound, rng);
  return m;
}

ScratchRnn zeros_like(const ScratchRnn& model) {
  ScratchRnn z;
  for (const auto& l : model.layers) {
    z.layers.push_back({Mat::Zero(l.w_ih.rows(), l.w_ih.cols()), Mat::Zero(l.w_hh.rows(), l.w_hh.cols()),
                        Vec::Zero(l.b_ih.size()), Vec::Zero(l.b_hh.size())});
  }
  z.w_hy = Mat::Zero(model.w_hy.rows(), model.w_hy.cols());
  z.b_hy = Vec::Zero(model.b_hy.size());
  return z;
}

std::vector<ParamView> parameters(ScratchRnn& model) {
  std::vector<ParamView> views;
  for (std::size_t l = 0; l < model.layers.size(); ++l) {
    auto& layer = model.layers[l];
    const std::string suffix = "_l" + std::to_string(l);
    views.push_back({"weight_ih" + suffix, layer.w_ih.data(), layer.w_ih.rows(), layer.w_ih.cols()});
    views.push_back({"weight_hh" + suffix, layer.w_hh.data(), layer.w_hh.rows(), layer.w_hh.cols()});
    views.push_back({"bias_ih" + suffix, layer.b_ih.data(), layer.b_ih.size(), 1});
    views.push_back({"bias_hh" + suffix, layer.b_hh.data(), layer.b_hh.size(), 1});
  }
  views.push_back({"fc.weight", model.w_hy.data(), model.w_hy.rows(), model.w_hy.cols()});
  views.push_back({"fc.bias", model.b_hy.data(), model.b_hy.size(), 1});
  return views;
}

std::vector<Vec> RnnForward::final_state() const {
  std::vector<Vec> out;
  for (const auto& h : hidden) out.push_back(h.back());
  return out;
}

// [forward]
RnnForward rnn_forward(const ScratchRnn& model, const Sequence& xs, const std::vector<Vec>& h0) {
  const Eigen::Index H = model.hidden_size();
  if (!h0.empty() && h0.size() != model.num_layers())
    throw std::invalid_argument("h0 needs one state per layer");
  RnnForward f;
  f.inputs = xs;
  f.hidden.resize(model.num_layers());
  for (std::size_t l = 0; l < model.num_layers(); ++l) {
    f.hidden[l].push_back(h0.empty() ? Vec::Zero(H) : h0[l]);
    check_size(f.hidden[l][0], H, "an initial state");
  }
  for (std::size_t t = 0; t < xs.size(); ++t) {
    check_size(xs[t], model.input_size(), "an input x_t");
    const Vec* below = &xs[t];  // the input of layer l at step t: x_t, or h_t of the layer below
    for (std::size_t l = 0; l < model.num_layers(); ++l) {
      const RnnLayer& w = model.layers[l];  // the same weights at every step
      const Vec& h_prev = f.hidden[l].back();
      f.hidden[l].push_back(
          (w.w_ih * *below + w.b_ih + w.w_hh * h_prev + w.b_hh).array().tanh().matrix());
      below = &f.hidden[l].back();
    }
    f.outputs.push_back(model.w_hy * *below + model.b_hy);
  }
  return f;
}
// [forward]

// [backward]
RnnGradients rnn_backward(const ScratchRnn& model, const RnnForward& f,
                          const Sequence& output_grads) {
  const std::size_t T = f.inputs.size();
  if (output_grads.size() != T)
    throw std::invalid_argument("one output gradient per step is needed");
  RnnGradients g;
  g.params = zeros_like(model);
  g.hidden.assign(model.num_layers(), Sequence(T + 1));
  // The gradient arriving at each step's top state from outside the recurrence: the readout.
  Sequence from_above(T);
  for (std::size_t t = 0; t < T; ++t) {
    const Vec& h = f.hidden.back()[t + 1];
    g.params.w_hy += output_grads[t] * h.transpose();
    g.params.b_hy += output_grads[t];
    from_above[t] = model.w_hy.transpose() * output_grads[t];
  }
  for (std::size_t l = model.num_layers(); l-- > 0;) {
    const RnnLayer& w = model.layers[l];
    RnnLayer& dw = g.params.layers[l];
    const Sequence& hs = f.hidden[l];
    const Sequence& layer_inputs = l == 0 ? f.inputs : f.hidden[l - 1];
    const std::size_t offset = l == 0 ? 0 : 1;  // hidden[l-1] holds the initial state at index 0
    Sequence to_below(T);
    Vec dh_next = Vec::Zero(model.hidden_size());  // dL/dh_t through step t+1
    for (std::size_t t = T; t-- > 0;) {
      const Vec dh = from_above[t] + dh_next;  // total dL/dh_{t+1}
      g.hidden[l][t + 1] = dh;
      const Vec da = dh.cwiseProduct((1.0 - hs[t + 1].array().square()).matrix());  // through tanh
      const Vec& x = layer_inputs[t + offset];
      dw.w_ih += da * x.transpose();
      dw.w_hh += da * hs[t].transpose();
      dw.b_ih += da;
      dw.b_hh += da;
      dh_next = w.w_hh.transpose() * da;      // to the previous step, through the shared W_hh
      to_below[t] = w.w_ih.transpose() * da;  // to this step's input
    }
    g.hidden[l][0] = dh_next;  // dL/dh_0
    from_above = std::move(to_below);
  }
  g.inputs = std::move(from_above);
  return g;
}
// [backward]

LossAndGrads softmax_cross_entropy(const Sequence& outputs, const std::vector<int>& targets) {
  if (outputs.size() != targets.size()) throw std::invalid_argument("one target per step is needed");
  LossAndGrads r;
  for (std::size_t t = 0; t < outputs.size(); ++t) {
    const Vec& y = outputs[t];
    if (targets[t] < 0) {
      r.output_grads.push_back(Vec::Zero(y.size()));
      continue;
    }
    if (targets[t] >= y.size()) throw std::invalid_argument("a target class is out of range");
    const double m = y.maxCoeff();
    const Vec e = (y.array() - m).exp().matrix();
    const double z = e.sum();
    r.loss += std::log(z) + m - y(targets[t]);
    Vec p = e / z;
    p(targets[t]) -= 1.0;  // d(-log softmax_k)/dy = softmax - one_hot(k)
    r.output_grads.push_back(std::move(p));
  }
  return r;
}

LossGradients loss_and_gradients(const ScratchRnn& model, const Sequence& xs, const std::vector<int>& targets,
                                 const std::vector<Vec>& h0) {
  LossGradients out;
  out.forward = rnn_forward(model, xs, h0);
  LossAndGrads lg = softmax_cross_entropy(out.forward.outputs, targets);
  out.loss = lg.loss;
  out.grads = rnn_backward(model, out.forward, lg.output_grads);
  return out;
}

void compare_gradients(const std::string& name, const double* analytic, const double* reference, Eigen::Index rows,
                       Eigen::Index cols, const GradTolerance& tol, GradCheck& check) {
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      const double a = analytic[j * rows + i];
      const double r = reference[j * rows + i];
      const double diff = std::abs(a - r);
      const double scale = std::max(std::abs(a), std::abs(r));
      ++check.entries;
      check.max_abs_error_all = std::max(check.max_abs_error_all, diff);
      if (!std::isfinite(diff)) {
        ++check.failures;
        continue;
      }
      if (scale <= tol.abs_floor) {
        check.max_abs_error = std::max(check.max_abs_error, diff);
        if (diff > tol.abs) ++check.failures;
        continue;
      }
      const double rel = diff / scale;
      if (rel > check.max_rel_error) {
        check.max_rel_error = rel;
        check.worst = name + "[" + std::to_string(i) + "," + std::to_string(j) + "]";
      }
      if (rel > tol.rel) ++check.failures;
    }
  }
}

// [finite_differences]
GradCheck finite_difference_check(const ScratchRnn& model, const Sequence& xs,
                                  const std::vector<int>& targets, const std::vector<Vec>& h0_given,
                                  double eps, const GradTolerance& tol) {
  std::vector<Vec> h0 = h0_given;
  if (h0.empty()) h0.assign(model.num_layers(), Vec::Zero(model.hidden_size()));
  const LossGradients analytic = loss_and_gradients(model, xs, targets, h0);
  ScratchRnn probe = model;  // perturbed one entry at a time
  Sequence xs_probe = xs;
  std::vector<Vec> h0_probe = h0;
  const auto loss = [&] {
    return softmax_cross_entropy(rnn_forward(probe, xs_probe, h0_probe).outputs, targets).loss;
  };
  // Central difference of the loss with respect to the number at `p`.
  const auto numeric = [&](double* p) {
    const double saved = *p;
    *p = saved + eps;
    const double up = loss();
    *p = saved - eps;
    const double down = loss();
    *p = saved;
    return (up - down) / (2.0 * eps);
  };
  GradCheck check;
  ScratchRnn analytic_params = analytic.grads.params;
  const auto probe_views = parameters(probe);
  const auto analytic_views = parameters(analytic_params);
  for (std::size_t k = 0; k < probe_views.size(); ++k) {
    const ParamView& v = probe_views[k];
    std::vector<double> fd(static_cast<std::size_t>(v.size()));
    for (Eigen::Index e = 0; e < v.size(); ++e)
      fd[static_cast<std::size_t>(e)] = numeric(v.data + e);
    compare_gradients(v.name, analytic_views[k].data, fd.data(), v.rows, v.cols, tol, check);
  }
  // The initial states and the inputs are numbers the loss depends on too.
  for (std::size_t l = 0; l < h0.size(); ++l) {
    Vec fd(h0[l].size());
    for (Eigen::Index e = 0; e < fd.size(); ++e) fd(e) = numeric(&h0_probe[l](e));
    compare_gradients("h0_l" + std::to_string(l), analytic.grads.hidden[l][0].data(), fd.data(),
                      fd.size(), 1, tol, check);
  }
  for (std::size_t t = 0; t < xs.size(); ++t) {
    Vec fd(xs[t].size());
    for (Eigen::Index e = 0; e < fd.size(); ++e) fd(e) = numeric(&xs_probe[t](e));
    compare_gradients("x_" + std::to_string(t + 1), analytic.grads.inputs[t].data(), fd.data(),
                      fd.size(), 1, tol, check);
  }
  return check;
}
// [finite_differences]

// [sgd_step]
double sgd_step(ScratchRnn& model, ScratchRnn grads, double lr, double max_norm) {
  const double norm = std::sqrt(squared_norm(grads));
  const double scale =
      (max_norm > 0 && norm > max_norm) ? max_norm / norm : 1.0;  // clip here, not in BPTT
  auto w = parameters(model);
  auto g = parameters(grads);
  for (std::size_t k = 0; k < w.size(); ++k) {
    for (Eigen::Index e = 0; e < w[k].size(); ++e) w[k].data[e] -= lr * scale * g[k].data[e];
  }
  return norm;
}
// [sgd_step]

double spectral_radius(const Mat& w) {
  if (w.rows() != w.cols() || w.rows() == 0) throw std::invalid_argument("the spectral radius needs a square matrix");
  Eigen::EigenSolver<Mat> solver(w, /*computeEigenvectors=*/false);
  return solver.eigenvalues().cwiseAbs().maxCoeff();
}

Mat scale_to_spectral_radius(const Mat& w, double radius) {
  const double current = spectral_radius(w);
  if (current == 0) throw std::invalid_argument("a matrix with spectral radius 0 cannot be scaled to another radius");
  return w * (radius / current);
}

// [concat]
Mat two_products(const Mat& w_hh, const Mat& w_ih, const Mat& h, const Mat& x) {
  return w_hh * h + w_ih * x;
}

Mat concatenated_product(const Mat& w_hh, const Mat& w_ih, const Mat& h, const Mat& x) {
  Mat w(w_hh.rows(), w_hh.cols() + w_ih.cols());
  w << w_hh, w_ih;  // [W_hh, W_ih]: side by side
  Mat hx(h.rows() + x.rows(), h.cols());
  hx << h, x;  // [h; x]: stacked, the state first
  return w * hx;
}
// [concat]

ScratchRnn make_gradient_flow_rnn(const GradientFlowSetup& setup, double radius, book::Rng& rng) {
  ScratchRnn m = make_scratch_rnn({setup.input, setup.hidden, 1, 1}, rng);
  RnnLayer& layer = m.layers[0];
  const double stddev = 1.0 / std::sqrt(static_cast<double>(setup.hidden));
  layer.w_hh = scale_to_spectral_radius(normal_matrix(setup.hidden, setup.hidden, stddev, rng), radius);
  layer.b_ih.setZero();
  layer.b_hh.setZero();
  Vec v = normal_matrix(setup.hidden, 1, 1.0, rng);
  m.w_hy = (v / v.norm()).transpose();
  m.b_hy.setZero();
  return m;
}

Sequence make_gradient_flow_inputs(const GradientFlowSetup& setup, book::Rng& rng) {
  Sequence xs;
  for (int t = 0; t < setup.steps; ++t) xs.push_back(normal_matrix(setup.input, 1, setup.input_scale, rng));
  return xs;
}

// [gradient_norms]
std::vector<double> rnn_gradient_norms(const ScratchRnn& model, const Sequence& xs) {
  const RnnForward f = rnn_forward(model, xs);
  Sequence dy(xs.size(), Vec::Zero(model.output_size()));
  dy.back() = Vec::Ones(model.output_size());  // L = y_T: only the last step has a loss
  const RnnGradients g = rnn_backward(model, f, dy);
  std::vector<double> norms;
  for (std::size_t k = 0; k < xs.size(); ++k)
    norms.push_back(g.hidden.back()[xs.size() - k].norm());
  return norms;
}
// [gradient_norms]

CharTask make_char_task(const std::string& input, const std::string& target) {
  if (input.empty() || input.size() != target.size()) {
    throw std::invalid_argument("the input and the target must be non-empty and of the same length");
  }
  CharTask task;
  for (char c : input + target) {
    if (task.vocab.find(c) == std::string::npos) task.vocab += c;
  }
  const auto size = static_cast<Eigen::Index>(task.vocab.size());
  for (std::size_t t = 0; t < input.size(); ++t) {
    task.inputs.push_back(Vec::Unit(size, static_cast<Eigen::Index>(task.vocab.find(input[t]))));
    task.targets.push_back(static_cast<int>(task.vocab.find(target[t])));
  }
  return task;
}

std::string predict_chars(const ScratchRnn& model, const CharTask& task) {
  std::string out;
  for (const Vec& y : rnn_forward(model, task.inputs).outputs) {
    Eigen::Index best = 0;
    y.maxCoeff(&best);
    out += task.vocab[static_cast<std::size_t>(best)];
  }
  return out;
}

// [train_char]
ScratchRnn train_char_rnn(const CharTask& task, const CharTrainOptions& options, book::Rng& rng,
                          const std::function<void(const CharTrainStep&)>& on_step) {
  const auto vocab = static_cast<Eigen::Index>(task.vocab.size());
  ScratchRnn model = make_scratch_rnn({vocab, options.hidden, vocab, 1}, rng);
  const double steps = static_cast<double>(task.targets.size());
  for (int it = 1; it <= options.iterations; ++it) {
    LossGradients lg = loss_and_gradients(model, task.inputs, task.targets);  // forward + BPTT
    CharTrainStep step;
    step.iteration = it;
    step.loss = lg.loss / steps;
    if (on_step) step.prediction = predict_chars(model, task);
    step.grad_norm = sgd_step(model, std::move(lg.grads.params), options.lr, options.max_grad_norm);
    if (!std::isfinite(step.loss))
      throw std::runtime_error("the loss is not finite at step " + std::to_string(it));
    if (on_step) on_step(step);
  }
  return model;
}
// [train_char]

}  // namespace ch06
