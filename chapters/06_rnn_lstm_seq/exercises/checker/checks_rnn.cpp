// Checks of the exercises rnn_forward (page 02) and rnn_backward (page 03).
#include "exercises/checker/checks.h"
#include "exercises/checker/tensors.h"

#include <fmt/format.h>

namespace ex::check {

namespace {

struct RnnCase {
  std::int64_t input, hidden, steps;
  std::uint64_t seed;
};

// A square case first (input = hidden), so that a transposed W_ih runs and can be recognised.
std::vector<RnnCase> rnn_cases() {
  std::vector<RnnCase> cases = {{3, 3, 4, 1}, {2, 4, 5, 2}};
  for (std::uint64_t seed = 3; seed <= 14; ++seed) {
    cases.push_back({1 + static_cast<std::int64_t>(seed % 5), 1 + static_cast<std::int64_t>(seed * 7 % 6),
                     1 + static_cast<std::int64_t>(seed * 3 % 8), seed});
  }
  cases.push_back({1, 1, 1, 15});   // the smallest layer, one step
  cases.push_back({4, 1, 6, 16});   // hidden 1
  cases.push_back({2, 5, 1, 17});   // one step
  cases.push_back({3, 4, 30, 18});  // a long sequence
  return cases;
}

std::string describe(const RnnCase& c) {
  return say(Msg::kCaseSizesSteps, c.input, c.hidden,
             c.steps == 1 ? say(Msg::kOneStep) : say(Msg::kSteps, c.steps), c.seed);
}

// A one-layer float64 torch::nn::RNN of the case's sizes, initialised by LibTorch.
torch::nn::RNN make_rnn(const RnnCase& c) {
  torch::nn::RNN rnn(torch::nn::RNNOptions(c.input, c.hidden));
  rnn->to(torch::kDouble);
  return rnn;
}

// The layer's weights from torch::nn::RNN's own initialisation.
RnnWeights rnn_weights(const torch::nn::RNN& rnn) {
  return {mat_of(param(*rnn, "weight_ih_l0")), mat_of(param(*rnn, "weight_hh_l0")),
          vec_of(param(*rnn, "bias_ih_l0")), vec_of(param(*rnn, "bias_hh_l0"))};
}

// The forward pass with a known mistake switched on, for the diagnosis.
struct ForwardMistake {
  bool transpose_ih = false, transpose_hh = false, no_b_ih = false, no_b_hh = false;
  bool no_tanh = false, h0_every_step = false;
};

std::vector<Vec> mistaken_forward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0,
                                  const ForwardMistake& m) {
  std::vector<Vec> hs;
  Vec h = h0;
  for (const Vec& x : xs) {
    const Vec& h_prev = m.h0_every_step ? h0 : h;
    Vec a = (m.transpose_ih ? Mat(w.w_ih.transpose()) : w.w_ih) * x +
            (m.transpose_hh ? Mat(w.w_hh.transpose()) : w.w_hh) * h_prev;
    if (!m.no_b_ih) a += w.b_ih;
    if (!m.no_b_hh) a += w.b_hh;
    h = m.no_tanh ? a : Vec(a.array().tanh().matrix());
    hs.push_back(h);
  }
  return hs;
}

}  // namespace

Verdict check_rnn_forward() {
  std::vector<Case> cases;
  for (const RnnCase& c : rnn_cases()) {
    cases.push_back({describe(c), [c]() -> std::optional<Failure> {
      torch::manual_seed(c.seed);
      torch::nn::RNN rnn = make_rnn(c);
      const RnnWeights w = rnn_weights(rnn);
      const auto x = torch::randn({c.steps, 1, c.input}, torch::kDouble);
      const auto h0 = torch::randn({1, 1, c.hidden}, torch::kDouble);
      const auto out = std::get<0>(rnn->forward(x, h0)).detach();  // [T, 1, H]: h_1..h_T
      std::vector<Vec> xs, expected;
      for (std::int64_t t = 0; t < c.steps; ++t) {
        xs.push_back(vec_of(x[t][0]));
        expected.push_back(vec_of(out[t][0]));
      }
      const Vec h0v = vec_of(h0[0][0]);

      const std::vector<Vec> got = rnn_forward(w, xs, h0v);
      std::string mismatch = compare("h", expected, got, kForwardTol);
      if (mismatch.empty()) return std::nullopt;
      auto variant = [&](ForwardMistake m) {
        return [&, m] { return matches(mistaken_forward(w, xs, h0v, m), got, 1e-9); };
      };
      return diagnose(std::move(mismatch), {
          {{"includes_h0"},
           [&] {
             return got.size() == xs.size() + 1 && got.front().size() == h0v.size() &&
                    got.front().isApprox(h0v);
           }},
          {{"transposed_w_hh"}, variant({false, true})},
          {{"transposed_w_ih"}, variant({true})},
          {{"bias_once", {"b_hh"}}, variant({false, false, false, true})},
          {{"bias_once", {"b_ih"}}, variant({false, false, true})},
          {{"no_tanh"}, variant({false, false, false, false, true})},
          {{"state_not_carried"}, variant({false, false, false, false, false, true})},
      });
    }});
  }
  return run_cases(cases);
}

namespace {

struct BackwardMistake {
  bool no_later = false, tanh_prev = false, transpose_hh = false, no_b_hh = false;
};

RnnGrads mistaken_backward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0,
                           const std::vector<Vec>& hs, const std::vector<Vec>& dh,
                           const BackwardMistake& m) {
  RnnGrads g{Mat::Zero(w.w_ih.rows(), w.w_ih.cols()), Mat::Zero(w.w_hh.rows(), w.w_hh.cols()),
             Vec::Zero(w.b_ih.size()), Vec::Zero(w.b_hh.size()), Vec(), std::vector<Vec>(xs.size())};
  Vec from_later = Vec::Zero(h0.size());
  for (auto t = xs.size(); t-- > 0;) {
    const Vec& h_prev = t == 0 ? h0 : hs[t - 1];
    const Vec total = m.no_later ? dh[t] : Vec(dh[t] + from_later);
    const Vec& h_at = m.tanh_prev ? h_prev : hs[t];
    const Vec da = total.array() * (1.0 - h_at.array().square());
    g.w_ih += da * xs[t].transpose();
    g.w_hh += da * h_prev.transpose();
    g.b_ih += da;
    g.xs[t] = w.w_ih.transpose() * da;
    from_later = (m.transpose_hh ? w.w_hh : Mat(w.w_hh.transpose())) * da;
  }
  g.b_hh = m.no_b_hh ? Vec(Vec::Zero(g.b_ih.size())) : g.b_ih;
  g.h0 = from_later;
  return g;
}

std::string compare_grads(const RnnGrads& expected, const RnnGrads& got, double tol) {
  for (const std::string& text :
       {compare("dL/dW_ih", expected.w_ih, got.w_ih, tol), compare("dL/dW_hh", expected.w_hh, got.w_hh, tol),
        compare("dL/db_ih", expected.b_ih, got.b_ih, tol), compare("dL/db_hh", expected.b_hh, got.b_hh, tol),
        compare("dL/dh_0", expected.h0, got.h0, tol), compare("dL/dx", expected.xs, got.xs, tol)}) {
    if (!text.empty()) return text;
  }
  return "";
}

// The loss the gradients belong to: L = sum_t <dh_t, h_t>, with the reference forward pass.
double probe_loss(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0,
                  const std::vector<Vec>& dh) {
  const std::vector<Vec> hs = mistaken_forward(w, xs, h0, {});
  double loss = 0;
  for (std::size_t t = 0; t < hs.size(); ++t) loss += dh[t].dot(hs[t]);
  return loss;
}

// Central finite differences of probe_loss with respect to every weight entry and h0.
RnnGrads finite_differences(RnnWeights w, const std::vector<Vec>& xs, Vec h0,
                            const std::vector<Vec>& dh) {
  const double eps = 1e-6;
  auto diff = [&](double& entry) {
    const double keep = entry;
    entry = keep + eps;
    const double up = probe_loss(w, xs, h0, dh);
    entry = keep - eps;
    const double down = probe_loss(w, xs, h0, dh);
    entry = keep;
    return (up - down) / (2 * eps);
  };
  RnnGrads g{w.w_ih, w.w_hh, w.b_ih, w.b_hh, h0, {}};
  for (Eigen::Index k = 0; k < w.w_ih.size(); ++k) g.w_ih.data()[k] = diff(w.w_ih.data()[k]);
  for (Eigen::Index k = 0; k < w.w_hh.size(); ++k) g.w_hh.data()[k] = diff(w.w_hh.data()[k]);
  for (Eigen::Index k = 0; k < w.b_ih.size(); ++k) g.b_ih(k) = diff(w.b_ih(k));
  for (Eigen::Index k = 0; k < w.b_hh.size(); ++k) g.b_hh(k) = diff(w.b_hh(k));
  for (Eigen::Index k = 0; k < h0.size(); ++k) g.h0(k) = diff(h0(k));
  return g;
}

}  // namespace

Verdict check_rnn_backward() {
  std::vector<Case> cases;
  for (const RnnCase& c : rnn_cases()) {
    cases.push_back({describe(c), [c]() -> std::optional<Failure> {
      torch::manual_seed(c.seed);
      torch::nn::RNN rnn = make_rnn(c);
      const RnnWeights w = rnn_weights(rnn);
      // Autograd through LibTorch's own RNN cell, one step at a time.
      auto w_ih = tensor_of(w.w_ih).requires_grad_(), w_hh = tensor_of(w.w_hh).requires_grad_();
      auto b_ih = tensor_of(w.b_ih).requires_grad_(), b_hh = tensor_of(w.b_hh).requires_grad_();
      auto h0 = torch::randn({1, c.hidden}, torch::kDouble).requires_grad_();
      std::vector<torch::Tensor> x, h;
      std::vector<Vec> xs, hs, dh;
      torch::Tensor loss = torch::zeros({}, torch::kDouble);
      torch::Tensor state = h0;
      for (std::int64_t t = 0; t < c.steps; ++t) {
        x.push_back(torch::randn({1, c.input}, torch::kDouble).requires_grad_());
        state = torch::rnn_tanh_cell(x.back(), state, w_ih, w_hh, b_ih, b_hh);
        dh.push_back(random_vec(c.hidden));
        loss = loss + (state[0] * tensor_of(dh.back())).sum();
        xs.push_back(vec_of(x.back()));
        hs.push_back(vec_of(state.detach()));
      }
      loss.backward();
      RnnGrads expected{mat_of(w_ih.grad()), mat_of(w_hh.grad()), vec_of(b_ih.grad()),
                        vec_of(b_hh.grad()), vec_of(h0.grad()), {}};
      for (const auto& xt : x) expected.xs.push_back(vec_of(xt.grad()));
      const Vec h0v = vec_of(h0.detach());

      const RnnGrads got = rnn_backward(w, xs, h0v, hs, dh);
      std::string mismatch = compare_grads(expected, got, 1e-8);
      if (mismatch.empty() && c.steps <= 8) {  // and against finite differences
        RnnGrads numeric = finite_differences(w, xs, h0v, dh);
        numeric.xs = got.xs;  // dL/dx is checked against autograd only
        mismatch = compare_grads(numeric, got, 1e-6);
        if (!mismatch.empty()) mismatch += say(Msg::kAgainstFiniteDifferences);
      }
      if (mismatch.empty()) return std::nullopt;
      auto variant = [&](BackwardMistake m) {
        return [&, m] {
          return compare_grads(mistaken_backward(w, xs, h0v, hs, dh, m), got, 1e-8).empty();
        };
      };
      return diagnose(std::move(mismatch), {
          {{"no_later_gradient"}, variant({true})},
          {{"tanh_prime_wrong_state"}, variant({false, true})},
          {{"transposed_w_hh"}, variant({false, false, true})},
          {{"no_b_hh"}, variant({false, false, false, true})},
      });
    }});
  }
  return run_cases(cases);
}

}  // namespace ex::check

namespace ex::check {

void prepare_reference() {
  // The cases are tiny, and the checker runs each exercise in a forked child: one thread keeps
  // LibTorch from starting a thread pool that a fork would not copy.
  torch::set_num_threads(1);
}

}  // namespace ex::check
