#include "lib/scratch_parity.h"

#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace {

double max_abs_diff(const Vec& a, const Vec& b) { return (a - b).cwiseAbs().maxCoeff(); }

torch::Tensor named(const torch::nn::Module& m, const std::string& name) {
  const auto params = m.named_parameters();
  const torch::Tensor* p = params.find(name);
  if (p == nullptr) throw std::runtime_error("the module has no parameter '" + name + "'");
  return *p;
}

}  // namespace

// [to_eigen]
Mat to_eigen_matrix(const torch::Tensor& t) {
  if (t.dim() != 2) throw std::invalid_argument("to_eigen_matrix needs a 2-D tensor");
  const torch::Tensor d = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  // LibTorch is row-major, Eigen's default column-major: map as row-major, then copy.
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  return Eigen::Map<const RowMajor>(d.data_ptr<double>(), d.size(0), d.size(1));
}
// [to_eigen]

Vec to_eigen_vector(const torch::Tensor& t) {
  if (t.dim() != 1) throw std::invalid_argument("to_eigen_vector needs a 1-D tensor");
  const torch::Tensor d = t.detach().to(torch::kCPU, torch::kDouble).contiguous();
  return Eigen::Map<const Vec>(d.data_ptr<double>(), d.size(0));
}

torch::Tensor to_tensor(const Mat& m) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor r = m;
  return torch::from_blob(const_cast<double*>(r.data()), {r.rows(), r.cols()}, torch::kDouble).clone();
}

// [copy_rnn]
ScratchRnn copy_rnn_weights(const torch::nn::RNN& rnn, const torch::nn::Linear& fc) {
  ScratchRnn m;
  for (std::int64_t l = 0; l < rnn->options.num_layers(); ++l) {
    const std::string s = "_l" + std::to_string(l);
    m.layers.push_back({to_eigen_matrix(named(*rnn, "weight_ih" + s)),
                        to_eigen_matrix(named(*rnn, "weight_hh" + s)),
                        to_eigen_vector(named(*rnn, "bias_ih" + s)),
                        to_eigen_vector(named(*rnn, "bias_hh" + s))});
  }
  m.w_hy = to_eigen_matrix(fc->weight);
  m.b_hy = to_eigen_vector(fc->bias);
  return m;
}
// [copy_rnn]

// [copy_lstm]
LstmWeights copy_lstm_weights(const torch::nn::LSTMCell& cell) {
  // LibTorch stacks the four blocks as i, f, g, o; LstmWeights uses the same order, so a plain
  // copy.
  return {to_eigen_matrix(cell->weight_ih), to_eigen_matrix(cell->weight_hh),
          to_eigen_vector(cell->bias_ih), to_eigen_vector(cell->bias_hh)};
}
// [copy_lstm]

LstmWeights copy_lstm_weights(const torch::nn::LSTM& lstm, int layer) {
  const std::string s = "_l" + std::to_string(layer);
  return {to_eigen_matrix(named(*lstm, "weight_ih" + s)), to_eigen_matrix(named(*lstm, "weight_hh" + s)),
          to_eigen_vector(named(*lstm, "bias_ih" + s)), to_eigen_vector(named(*lstm, "bias_hh" + s))};
}

// [rnn_parity]
Parity rnn_parity(const RnnSizes& sizes, int steps, int batch, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::RNN rnn(torch::nn::RNNOptions(sizes.input, sizes.hidden).num_layers(sizes.layers));
  torch::nn::Linear fc(sizes.hidden, sizes.output);
  rnn->to(torch::kDouble);
  fc->to(torch::kDouble);
  const ScratchRnn scratch = copy_rnn_weights(rnn, fc);

  const auto x = torch::randn({steps, batch, sizes.input}, torch::kDouble);           // [T, B, in]
  const auto h0 = torch::randn({sizes.layers, batch, sizes.hidden}, torch::kDouble);  // [L, B, H]
  torch::NoGradGuard no_grad;
  const auto [out, h_n] = rnn->forward(x, h0);  // out: the top layer's h_t, [T, B, H]
  const auto y = fc->forward(out);              // [T, B, O]

  Parity p;
  for (int b = 0; b < batch; ++b) {
    Sequence xs;
    for (int t = 0; t < steps; ++t) xs.push_back(to_eigen_vector(x[t][b]));
    std::vector<Vec> init;
    for (int l = 0; l < sizes.layers; ++l) init.push_back(to_eigen_vector(h0[l][b]));
    const RnnForward f = rnn_forward(scratch, xs, init);
    for (int t = 0; t < steps; ++t)
      p.outputs = std::max(p.outputs, max_abs_diff(f.outputs[t], to_eigen_vector(y[t][b])));
    for (int l = 0; l < sizes.layers; ++l) {
      p.final_state =
          std::max(p.final_state, max_abs_diff(f.hidden[l].back(), to_eigen_vector(h_n[l][b])));
    }
  }
  return p;
}
// [rnn_parity]

// [lstm_cell_parity]
Parity lstm_cell_parity(std::int64_t input, std::int64_t hidden, int batch, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::LSTMCell cell(input, hidden);
  cell->to(torch::kDouble);
  const LstmWeights w = copy_lstm_weights(cell);
  const auto x = torch::randn({batch, input}, torch::kDouble);
  const auto h = torch::randn({batch, hidden}, torch::kDouble);
  const auto c = torch::randn({batch, hidden}, torch::kDouble) *
                 2.0;  // |c| > 1 often: a squashed c would show
  torch::NoGradGuard no_grad;
  const auto [h1, c1] = cell->forward(x, std::make_tuple(h, c));
  Parity p;
  for (int b = 0; b < batch; ++b) {
    const LstmStep s =
        lstm_cell(w, to_eigen_vector(x[b]), to_eigen_vector(h[b]), to_eigen_vector(c[b]));
    p.outputs = std::max(p.outputs, max_abs_diff(s.h, to_eigen_vector(h1[b])));
    p.final_state = std::max(p.final_state, max_abs_diff(s.c, to_eigen_vector(c1[b])));
  }
  return p;
}
// [lstm_cell_parity]

Parity lstm_layer_parity(std::int64_t input, std::int64_t hidden, int steps, int batch, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(input, hidden));
  lstm->to(torch::kDouble);
  const LstmWeights w = copy_lstm_weights(lstm, 0);
  const auto x = torch::randn({steps, batch, input}, torch::kDouble);
  const auto h0 = torch::randn({1, batch, hidden}, torch::kDouble);
  const auto c0 = torch::randn({1, batch, hidden}, torch::kDouble);
  torch::NoGradGuard no_grad;
  const auto [out, state] = lstm->forward(x, std::make_tuple(h0, c0));
  const auto& [h_n, c_n] = state;
  Parity p;
  for (int b = 0; b < batch; ++b) {
    Sequence xs;
    for (int t = 0; t < steps; ++t) xs.push_back(to_eigen_vector(x[t][b]));
    const auto trace = lstm_sequence(w, xs, to_eigen_vector(h0[0][b]), to_eigen_vector(c0[0][b]));
    for (int t = 0; t < steps; ++t) p.outputs = std::max(p.outputs, max_abs_diff(trace[t].h, to_eigen_vector(out[t][b])));
    p.final_state = std::max({p.final_state, max_abs_diff(trace.back().h, to_eigen_vector(h_n[0][b])),
                              max_abs_diff(trace.back().c, to_eigen_vector(c_n[0][b]))});
  }
  return p;
}

// [autograd]
BpttVsAutograd bptt_vs_autograd(const RnnSizes& sizes, int steps, std::uint64_t seed,
                                const GradTolerance& tol) {
  torch::manual_seed(seed);
  torch::nn::RNN rnn(torch::nn::RNNOptions(sizes.input, sizes.hidden).num_layers(sizes.layers));
  torch::nn::Linear fc(sizes.hidden, sizes.output);
  rnn->to(torch::kDouble);
  fc->to(torch::kDouble);
  ScratchRnn scratch = copy_rnn_weights(rnn, fc);

  // The same random inputs, initial states and targets for both.
  const auto x = torch::randn({steps, 1, sizes.input}, torch::kDouble).requires_grad_(true);
  const auto h0 =
      torch::randn({sizes.layers, 1, sizes.hidden}, torch::kDouble).requires_grad_(true);
  const auto targets = torch::randint(0, sizes.output, {steps}, torch::kLong);
  Sequence xs;
  std::vector<int> target_list;
  for (int t = 0; t < steps; ++t) {
    xs.push_back(to_eigen_vector(x[t][0]));
    target_list.push_back(static_cast<int>(targets[t].item<std::int64_t>()));
  }
  std::vector<Vec> init;
  for (int l = 0; l < sizes.layers; ++l) init.push_back(to_eigen_vector(h0[l][0]));

  // Manual BPTT.
  const LossGradients manual = loss_and_gradients(scratch, xs, target_list, init);

  // Autograd, one step and one layer at a time with LibTorch's own RNN cell op on the module's
  // parameters: each h_t of each layer is one tensor that feeds the next step, the layer above (or
  // the readout), and whose gradient autograd keeps.
  std::vector<std::vector<torch::Tensor>> hs(
      static_cast<std::size_t>(sizes.layers));  // hs[l][t], h_1..h_T
  std::vector<torch::Tensor> logits;
  std::vector<torch::Tensor> h;
  for (int l = 0; l < sizes.layers; ++l) h.push_back(h0[l]);  // [1, H]
  for (int t = 0; t < steps; ++t) {
    torch::Tensor below = x[t];  // [1, in]
    for (int l = 0; l < sizes.layers; ++l) {
      const std::string s = "_l" + std::to_string(l);
      h[l] = torch::rnn_tanh_cell(below, h[l], named(*rnn, "weight_ih" + s),
                                  named(*rnn, "weight_hh" + s), named(*rnn, "bias_ih" + s),
                                  named(*rnn, "bias_hh" + s));
      h[l].retain_grad();
      hs[l].push_back(h[l]);
      below = h[l];
    }
    logits.push_back(fc->forward(below));
  }
  const auto loss = torch::nn::functional::cross_entropy(
      torch::cat(logits, 0), targets,
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  loss.backward();

  BpttVsAutograd r;
  r.loss_manual = manual.loss;
  r.loss_torch = loss.item<double>();
  ScratchRnn manual_params = manual.grads.params;
  for (const ParamView& v : parameters(manual_params)) {
    const torch::Tensor param =
        v.name.rfind("fc.", 0) == 0 ? named(*fc, v.name.substr(3)) : named(*rnn, v.name);
    const Mat reference =
        param.dim() == 2 ? to_eigen_matrix(param.grad()) : Mat(to_eigen_vector(param.grad()));
    compare_gradients(v.name, v.data, reference.data(), v.rows, v.cols, tol, r.params);
  }
  for (int l = 0; l < sizes.layers; ++l) {
    const Vec g0 = to_eigen_vector(h0.grad()[l][0]);
    compare_gradients("h0", manual.grads.hidden[l][0].data(), g0.data(), g0.size(), 1, tol,
                      r.hidden);
    for (int t = 0; t < steps; ++t) {
      const Vec g = to_eigen_vector(hs[l][t].grad()[0]);
      compare_gradients("h_" + std::to_string(t + 1), manual.grads.hidden[l][t + 1].data(),
                        g.data(), g.size(), 1, tol, r.hidden);
    }
  }
  for (int t = 0; t < steps; ++t) {
    const Vec g = to_eigen_vector(x.grad()[t][0]);
    compare_gradients("x_" + std::to_string(t + 1), manual.grads.inputs[t].data(), g.data(),
                      g.size(), 1, tol, r.inputs);
  }
  return r;
}
// [autograd]

namespace {

// The written-out cell must be the module: compare its h_t with the module's own forward pass.
void check_against_module(torch::nn::LSTM& lstm, const std::vector<torch::Tensor>& xts,
                          const std::vector<torch::Tensor>& hs) {
  torch::NoGradGuard no_grad;
  const auto out = std::get<0>(lstm->forward(torch::stack(xts).unsqueeze(1)));  // [T, 1, H]
  const double diff = (out.squeeze(1) - torch::stack(hs)).abs().max().item<double>();
  if (!(diff <= 1e-10)) throw std::runtime_error("the written-out LSTM step differs from torch::nn::LSTM");
}

// Splits autograd's dL/dc_t into the cell lane and what joins it at each step, and checks that
// dL/dc_t = f_{t+1} * dL/dc_{t+1} + o_t * tanh'(c_t) * dL/dh_t holds at every step.
LstmGradientFlow lane_decomposition(const std::vector<torch::Tensor>& hs, const std::vector<torch::Tensor>& cs,
                                    const std::vector<torch::Tensor>& fs, const std::vector<torch::Tensor>& os) {
  const std::size_t T = hs.size();
  LstmGradientFlow r;
  torch::Tensor product = torch::ones_like(fs.back());  // f_{t+1} * ... * f_T
  double forget_sum = 0;
  for (std::size_t k = 0; k < T; ++k) {
    const std::size_t t = T - 1 - k;
    const auto dc = cs[t].grad(), dh = hs[t].grad();
    const auto gate = os[t] * (1 - cs[t].detach().tanh().pow(2));  // o_t * tanh'(c_t)
    const auto joining = gate * dh;
    const auto lane = t + 1 < T ? fs[t + 1] * cs[t + 1].grad() : torch::zeros_like(dc);
    const double dc_norm = dc.norm().item<double>();
    r.identity_error = std::max(r.identity_error, (dc - lane - joining).norm().item<double>() / dc_norm);
    r.dh.push_back(dh.norm().item<double>());
    r.dc.push_back(dc_norm);
    r.lane_only.push_back((product * cs[T - 1].grad()).norm().item<double>());
    r.joining.push_back(joining.norm().item<double>());
    r.join_gate.push_back(gate.mean().item<double>());
    r.cell_size.push_back(cs[t].detach().abs().mean().item<double>());
    if (t > 0) {
      product = product * fs[t];
      forget_sum += fs[t].mean().item<double>();
    }
  }
  r.forget_product = product.mean().item<double>();
  r.mean_forget = T > 1 ? forget_sum / static_cast<double>(T - 1) : 0.0;
  return r;
}

}  // namespace

// [lstm_curve]
LstmGradientFlow lstm_gradient_norms(std::int64_t input, std::int64_t hidden, double forget_bias,
                                     const Sequence& xs, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(input, hidden));
  lstm->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    named(*lstm, "bias_ih_l0")
        .slice(0, hidden, 2 * hidden)
        .fill_(forget_bias);  // block 1 of i, f, g, o
    named(*lstm, "bias_hh_l0").slice(0, hidden, 2 * hidden).zero_();
  }
  const auto w_ih = named(*lstm, "weight_ih_l0"), w_hh = named(*lstm, "weight_hh_l0");
  const auto b_ih = named(*lstm, "bias_ih_l0"), b_hh = named(*lstm, "bias_hh_l0");
  auto v = torch::randn({hidden}, torch::kDouble);
  v /= v.norm();
  // The cell written out in LibTorch ops, so that c_t is a node of its own (LibTorch's fused LSTM
  // step hides the c_t -> h_t edge inside one node, and the gradient of c_t would miss that path).
  auto h = torch::zeros({hidden}, torch::kDouble);
  auto c = torch::zeros({hidden}, torch::kDouble);
  std::vector<torch::Tensor> hs, cs, fs, os, xts;
  for (const Vec& x : xs) {
    const auto xt = to_tensor(x).reshape({input});
    const auto gates = (w_ih.mv(xt) + b_ih + w_hh.mv(h) + b_hh).chunk(4);  // i, f, g, o
    const auto f = torch::sigmoid(gates[1]), o = torch::sigmoid(gates[3]);
    c = f * c + torch::sigmoid(gates[0]) * torch::tanh(gates[2]);
    h = o * torch::tanh(c);
    h.retain_grad();
    c.retain_grad();
    hs.push_back(h);
    cs.push_back(c);
    fs.push_back(f.detach());
    os.push_back(o.detach());
    xts.push_back(xt);
  }
  check_against_module(lstm, xts, hs);
  (h * v).sum().backward();  // L = v·h_T
  return lane_decomposition(hs, cs, fs, os);
}
// [lstm_curve]

// [cell_jacobian]
CellJacobianCheck cell_state_jacobian(std::int64_t input, std::int64_t hidden, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::LSTMCell cell(input, hidden);
  cell->to(torch::kDouble);
  const auto x = torch::randn({1, input}, torch::kDouble);
  const auto h = torch::randn({1, hidden}, torch::kDouble);
  const auto c = torch::randn({1, hidden}, torch::kDouble).requires_grad_(true);
  const auto c_next = std::get<1>(cell->forward(x, std::make_tuple(h, c)));

  CellJacobianCheck r;
  r.forget_gate = lstm_cell(copy_lstm_weights(cell), to_eigen_vector(x[0]), to_eigen_vector(h[0]),
                            to_eigen_vector(c[0]))
                      .f;
  for (std::int64_t j = 0; j < hidden; ++j) {
    // Row j of the Jacobian: the gradient of c_t[j] with respect to c_{t-1}.
    const auto row = torch::autograd::grad({c_next[0][j]}, {c}, {}, /*retain_graph=*/true)[0][0];
    for (std::int64_t k = 0; k < hidden; ++k) {
      const double value = row[k].item<double>();
      if (j == k) {
        r.max_diagonal_error = std::max(r.max_diagonal_error, std::abs(value - r.forget_gate(j)));
      } else {
        r.max_off_diagonal = std::max(r.max_off_diagonal, std::abs(value));
      }
    }
  }
  return r;
}
// [cell_jacobian]

}  // namespace ch06
