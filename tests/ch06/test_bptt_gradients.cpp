// Self-checks of program 03 (chapters/06_rnn_lstm_seq/03_bptt_gradients.cpp): manual BPTT equals
// central finite differences and LibTorch autograd, and the gradient norm decays below spectral
// radius 1 and grows above it, while an LSTM with an open forget gate keeps it.
#include "book/files.h"
#include "lib/scratch_parity.h"
#include "lib/scratch_rnn.h"
#include "process.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace ch06;

namespace {

struct Problem {
  ScratchRnn model;
  Sequence xs;
  std::vector<int> targets;
  std::vector<Vec> h0;
};

Problem tiny_problem(int layers, std::uint64_t seed) {
  book::Rng rng(seed);
  Problem p;
  p.model = make_scratch_rnn({3, 4, 3, layers}, rng);
  for (int t = 0; t < 6; ++t) {
    p.xs.push_back(Vec::NullaryExpr(3, [&] { return 2.0 * book::uniform01(rng) - 1.0; }));
    p.targets.push_back(t == 2 ? -1 : static_cast<int>(book::uniform_below(rng, 3)));  // step 3 has no loss
  }
  for (int l = 0; l < layers; ++l) p.h0.push_back(Vec::NullaryExpr(4, [&] { return book::uniform01(rng) - 0.5; }));
  return p;
}

// Curves of the gradient-flow experiment for one seed: RNNs at radius 0.5, 1.0 and 1.5.
std::vector<std::vector<double>> rnn_curves(const GradientFlowSetup& setup, std::uint64_t seed) {
  book::Rng input_rng(seed + 1);
  const Sequence xs = make_gradient_flow_inputs(setup, input_rng);
  std::vector<std::vector<double>> curves;
  for (double r : {0.5, 1.0, 1.5}) {
    book::Rng rng(seed);
    curves.push_back(rnn_gradient_norms(make_gradient_flow_rnn(setup, r, rng), xs));
  }
  return curves;
}

}  // namespace

TEST_CASE("manual BPTT equals central finite differences on every entry (relative error <= 1e-6)") {
  const GradTolerance tol;  // relative 1e-6; absolute 1e-10 where |gradient| <= 1e-6
  REQUIRE(tol.rel == 1e-6);
  for (int layers : {1, 2}) {
    for (std::uint64_t seed : {1u, 2u, 3u}) {
      CAPTURE(layers);
      CAPTURE(seed);
      const Problem p = tiny_problem(layers, seed);
      const GradCheck c = finite_difference_check(p.model, p.xs, p.targets, p.h0, 1e-5, tol);
      const Eigen::Index params = layers == 1 ? (12 + 16 + 8) + (12 + 3) : (12 + 16 + 8) + (16 + 16 + 8) + (12 + 3);
      CHECK(c.entries == params + 4 * layers + 6 * 3);  // every parameter, h_0 of every layer, every x_t
      CAPTURE(c.worst);
      CHECK(c.ok());
      CHECK(c.max_rel_error <= 1e-6);
      MESSAGE("max relative error " << c.max_rel_error << ", max absolute error near zero " << c.max_abs_error);
    }
  }
}

TEST_CASE("the comparison tells full BPTT from BPTT truncated to one step") {
  const Problem p = tiny_problem(1, 4);
  const LossGradients full = loss_and_gradients(p.model, p.xs, p.targets, p.h0);
  // Truncated: each step's loss sends its gradient into that step's weights only, as if h_{t-1}
  // were a constant. A common bug; the exact gradient must differ from it.
  ScratchRnn truncated = zeros_like(p.model);
  for (std::size_t t = 0; t < p.xs.size(); ++t) {
    std::vector<int> one_target(1, p.targets[t]);
    const LossGradients step = loss_and_gradients(p.model, {p.xs[t]}, one_target, {full.forward.hidden[0][t]});
    truncated.layers[0].w_hh += step.grads.params.layers[0].w_hh;
  }
  ScratchRnn exact = full.grads.params;
  GradCheck same, differs;
  const auto e = parameters(exact);
  const auto tr = parameters(truncated);
  REQUIRE(e[1].name == "weight_hh_l0");
  compare_gradients(e[1].name, e[1].data, e[1].data, e[1].rows, e[1].cols, GradTolerance{}, same);
  compare_gradients(e[1].name, tr[1].data, e[1].data, e[1].rows, e[1].cols, GradTolerance{}, differs);
  CHECK(same.ok());
  CHECK_FALSE(differs.ok());
}

TEST_CASE("near zero the comparison is absolute, elsewhere relative") {
  const GradTolerance tol;  // relative 1e-6 above 1e-6 in magnitude, absolute 1e-10 below
  const double analytic[] = {1e-12, 2e-7, 1.0, 1.0};
  const double reference[] = {-5e-11, 2e-7 + 5e-11, 1.0 + 5e-7, 1.0 + 2e-6};
  GradCheck c;
  compare_gradients("g", analytic, reference, 4, 1, tol, c);
  CHECK(c.entries == 4);
  CHECK(c.failures == 1);  // only the last: relative error 2e-6
  CHECK(c.max_abs_error == doctest::Approx(5.1e-11));
  CHECK(c.max_rel_error == doctest::Approx(2e-6).epsilon(1e-3));
}

TEST_CASE("manual BPTT equals LibTorch autograd within 1e-9 in float64: parameters, every h_t, every x_t") {
  GradTolerance tol;
  tol.rel = 1e-9;
  tol.abs_floor = 1e-9;
  tol.abs = 1e-12;
  for (int layers : {1, 2, 3}) {
    CAPTURE(layers);
    const BpttVsAutograd r = bptt_vs_autograd({5, 8, 4, layers}, 12, 20 + layers, tol);
    CHECK(r.loss_manual == doctest::Approx(r.loss_torch).epsilon(1e-12));
    CHECK(r.params.ok());
    CHECK(r.hidden.ok());
    CHECK(r.inputs.ok());
    CHECK(r.hidden.entries == layers * 13 * 8);  // h_0 .. h_12 of each layer
    MESSAGE("relative errors: parameters " << r.params.max_rel_error << ", h_t " << r.hidden.max_rel_error
                                           << ", x_t " << r.inputs.max_rel_error);
  }
}

TEST_CASE("scaling W_hh sets its spectral radius") {
  book::Rng rng(5);
  const Mat w = Mat::NullaryExpr(12, 12, [&] { return book::uniform01(rng) - 0.5; });
  for (double r : {0.5, 1.0, 1.5}) CHECK(spectral_radius(scale_to_spectral_radius(w, r)) == doctest::Approx(r).epsilon(1e-10));
}

TEST_CASE("at the origin the gradient norm decays when the radius is below 1 and grows when it is above 1") {
  const GradientFlowSetup setup;  // the program's: H = 32, T = 30 by default, inputs 0
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    CAPTURE(seed);
    const auto c = rnn_curves(setup, seed);
    CHECK(c[0][0] == doctest::Approx(1.0));  // ||dL/dh_T|| = ||v|| = 1
    // Over the first steps back from the loss: down for r = 0.5, up for r = 1.5.
    CHECK(c[0][5] < c[0][0]);
    CHECK(c[0][10] < c[0][5]);
    CHECK(c[2][10] > c[2][0]);
    CHECK(c[2][20] > c[2][10]);
    // The same W_hh scaled three ways: the curves are ordered at every distance.
    for (std::size_t k = 1; k < c[0].size(); ++k) {
      CHECK(c[0][k] < c[1][k]);
      CHECK(c[1][k] < c[2][k]);
    }
  }
}

TEST_CASE("with inputs (tanh' < 1) a radius below 1 still vanishes") {
  GradientFlowSetup setup;
  setup.input_scale = 0.5;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const auto c = rnn_curves(setup, seed);
    CHECK(c[0][5] < c[0][0]);
    CHECK(c[0][10] < c[0][5]);
    CHECK(c[0].back() < c[0][10]);
  }
}

TEST_CASE("through an LSTM with an open forget gate the gradient survives where the RNN's vanishes") {
  GradientFlowSetup setup;
  book::Rng input_rng(2);
  const Sequence xs = make_gradient_flow_inputs(setup, input_rng);
  book::Rng rng(1);
  const auto rnn = rnn_gradient_norms(make_gradient_flow_rnn(setup, 0.5, rng), xs);
  const auto open = lstm_gradient_norms(setup.input, setup.hidden, 3.0, xs, 1);    // f = 0.95 at the origin
  const auto closed = lstm_gradient_norms(setup.input, setup.hidden, 0.0, xs, 1);  // f = 0.5 at the origin
  const std::size_t far = xs.size() - 1;
  CHECK(open.dh[0] == doctest::Approx(1.0));
  CHECK(open.dc[far] > rnn[far]);
  CHECK(open.dh[far] > rnn[far]);
  // The gate decides: with f near 0.5 the LSTM's gradient decays too.
  CHECK(open.dc[far] > closed.dc[far]);
  CHECK(closed.dc[far] < closed.dc[0]);
}

TEST_CASE("the LSTM's dL/dc_t is the cell lane plus what joins it through h_t at every step") {
  GradientFlowSetup setup;
  for (const double scale : {0.0, 0.5}) {
    setup.input_scale = scale;
    book::Rng input_rng(3);
    const Sequence xs = make_gradient_flow_inputs(setup, input_rng);
    for (const double bias : {0.0, 3.0}) {
      CAPTURE(scale);
      CAPTURE(bias);
      const LstmGradientFlow g = lstm_gradient_norms(setup.input, setup.hidden, bias, xs, 4);
      // dL/dc_t = f_{t+1} * dL/dc_{t+1} + o_t * tanh'(c_t) * dL/dh_t, from autograd's own gradients.
      CHECK(g.identity_error <= 1e-12);
      // At the loss nothing has joined yet: the lane and the measured gradient are the same.
      CHECK(g.lane_only[0] == doctest::Approx(g.dc[0]).epsilon(1e-12));
      CHECK(g.joining[0] == doctest::Approx(g.dc[0]).epsilon(1e-12));
      // Every forget gate is below 1, so the lane alone can only shrink.
      for (std::size_t k = 1; k < g.lane_only.size(); ++k) CHECK(g.lane_only[k] < g.lane_only[k - 1]);
      CHECK(g.forget_product > 0.0);
      CHECK(g.forget_product < 1.0);
    }
  }
}

TEST_CASE("with the open forget gate the measured dL/dc far from the loss exceeds the lane alone") {
  // The page's claim: the forget gates alone would leave less than autograd measures, in both
  // regimes of program 03 (bias 3, T = 50), for several seeds (how much less depends on the weights).
  GradientFlowSetup setup;
  for (const double scale : {0.0, 0.5}) {
    setup.input_scale = scale;
    for (std::uint64_t seed = 1; seed <= 5; ++seed) {
      CAPTURE(scale);
      CAPTURE(seed);
      book::Rng input_rng(seed + 1);
      const Sequence xs = make_gradient_flow_inputs(setup, input_rng);
      const LstmGradientFlow g = lstm_gradient_norms(setup.input, setup.hidden, 3.0, xs, seed);
      CHECK(g.dc.back() > g.lane_only.back());
    }
  }
}

TEST_CASE("ch06_03_bptt_gradients runs: checks pass, CSV with one row per distance, figure script written") {
  book::test::TempDir dir("p03");
  const auto r = book::test::run_process(
      {book::test::program("ch06_03_bptt_gradients"), "--steps", "20", "--out_dir", dir.path().string()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("FAIL") == std::string::npos);
  const std::string csv = book::read_file(dir / "gradient_norms.csv");
  CHECK(book::test::count_lines(csv) == 21);
  CHECK(csv.rfind("k,t,rnn_r0.5,rnn_r1.0,rnn_r1.5,lstm_h,lstm_c", 0) == 0);
  CHECK(book::fs::exists(dir / "gradient_norms.gp"));
}
