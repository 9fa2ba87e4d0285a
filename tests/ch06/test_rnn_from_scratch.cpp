// Self-checks of program 02 (chapters/06_rnn_lstm_seq/02_rnn_from_scratch.cpp): the unrolled Eigen
// RNN equals torch::nn::RNN with copied weights, the concatenated form is the same sum, and the
// from-scratch RNN learns "hell" -> "ello" with its manual gradients.
#include "book/files.h"
#include "lib/scratch_parity.h"
#include "lib/scratch_rnn.h"
#include "process.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace ch06;

namespace {

Mat random_matrix(Eigen::Index rows, Eigen::Index cols, book::Rng& rng) {
  return Mat::NullaryExpr(rows, cols, [&] { return 2.0 * book::uniform01(rng) - 1.0; });
}

}  // namespace

TEST_CASE("the Eigen RNN equals torch::nn::RNN + Linear within 1e-6 in float64, for several sizes and two layers") {
  const std::vector<RnnSizes> sizes = {{1, 1, 1, 1}, {3, 5, 2, 1}, {10, 16, 4, 1}, {7, 32, 3, 2}, {4, 6, 5, 2}, {2, 3, 2, 3}};
  std::uint64_t seed = 100;
  double worst = 0;
  for (const auto& s : sizes) {
    CAPTURE(s.input);
    CAPTURE(s.hidden);
    CAPTURE(s.layers);
    const Parity p = rnn_parity(s, 11, 4, seed++);
    CHECK(p.outputs <= 1e-6);
    CHECK(p.final_state <= 1e-6);
    worst = std::max(worst, p.max());
  }
  MESSAGE("largest difference " << worst);
}

TEST_CASE("unrolling shares one set of weights: T steps at once equal T single steps that carry the state") {
  book::Rng rng(7);
  const ScratchRnn model = make_scratch_rnn({3, 5, 2, 2}, rng);
  Sequence xs;
  for (int t = 0; t < 6; ++t) xs.push_back(random_matrix(3, 1, rng));
  const RnnForward all = rnn_forward(model, xs);
  std::vector<Vec> state = {Vec::Zero(5), Vec::Zero(5)};
  for (std::size_t t = 0; t < xs.size(); ++t) {
    const RnnForward one = rnn_forward(model, {xs[t]}, state);
    CHECK((one.outputs[0] - all.outputs[t]).cwiseAbs().maxCoeff() == 0.0);
    state = one.final_state();
  }
  CHECK(all.hidden[0].size() == xs.size() + 1);  // h_0 .. h_T
}

TEST_CASE("W_hh h + W_ih x equals [W_hh, W_ih] [h, x] (h stacked above x), and with the batch as rows it reads S W_hh^T + X W_ih^T") {
  book::Rng rng(8);
  for (auto [batch, in, hidden] : std::vector<std::tuple<int, int, int>>{{1, 1, 1}, {4, 3, 5}, {16, 10, 32}}) {
    const Mat h = random_matrix(hidden, batch, rng), x = random_matrix(in, batch, rng);  // one column per sequence
    const Mat w_hh = random_matrix(hidden, hidden, rng), w_ih = random_matrix(hidden, in, rng);
    const Mat a = two_products(w_hh, w_ih, h, x);
    const Mat b = concatenated_product(w_hh, w_ih, h, x);
    REQUIRE(a.rows() == hidden);
    REQUIRE(a.cols() == batch);
    // The same terms summed in another order: equal up to rounding of sums of in + hidden products.
    CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-13 * (in + hidden));
    // LibTorch's layout, one sequence per row: H W_hh^T + X W_ih^T is the transpose of the above.
    const Mat rows = h.transpose() * w_hh.transpose() + x.transpose() * w_ih.transpose();
    CHECK((rows - a.transpose()).cwiseAbs().maxCoeff() <= 1e-13 * (in + hidden));
  }
  // The order of the blocks matters: [W_ih, W_hh] against [h; x] is another sum (when the sizes fit).
  const Mat h = random_matrix(3, 2, rng), x = random_matrix(3, 2, rng);
  const Mat w_hh = random_matrix(3, 3, rng), w_ih = random_matrix(3, 3, rng);
  CHECK((concatenated_product(w_ih, w_hh, h, x) - two_products(w_hh, w_ih, h, x)).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("a size mismatch is an error, not a crash") {
  book::Rng rng(9);
  const ScratchRnn model = make_scratch_rnn({3, 4, 2, 1}, rng);
  CHECK_THROWS_AS(rnn_forward(model, {Vec::Zero(2)}), std::invalid_argument);
  CHECK_THROWS_AS(rnn_forward(model, {Vec::Zero(3)}, {Vec::Zero(4), Vec::Zero(4)}), std::invalid_argument);
  CHECK_THROWS_AS(make_char_task("hell", "ell"), std::invalid_argument);
}

TEST_CASE("\"hell\" -> \"ello\": the loss starts near ln 4, falls, and the trained RNN produces \"ello\"") {
  const CharTask task = make_char_task("hell", "ello");
  REQUIRE(task.vocab == "helo");
  REQUIRE(task.targets == std::vector<int>{1, 2, 2, 3});
  std::vector<double> losses;
  book::Rng rng(42);
  const ScratchRnn model = train_char_rnn(task, CharTrainOptions{}, rng,
                                          [&](const CharTrainStep& s) { losses.push_back(s.loss); });
  REQUIRE(losses.size() == 300);
  // Small random weights give nearly uniform predictions over 4 characters: a loss near ln 4.
  CHECK(std::abs(losses.front() - std::log(4.0)) < 0.5);
  CHECK(losses.back() < 0.1 * losses.front());
  CHECK(predict_chars(model, task) == "ello");
}

TEST_CASE("clipping happens in the SGD step: the update is capped at lr * max_norm and keeps its direction") {
  book::Rng rng(10);
  ScratchRnn model = make_scratch_rnn({2, 3, 2, 1}, rng);
  ScratchRnn before = model;
  ScratchRnn grads = make_scratch_rnn({2, 3, 2, 1}, rng);  // any gradient-shaped numbers
  const double norm = sgd_step(model, grads, 0.5, 0.01);
  REQUIRE(norm > 0.01);
  double step_sq = 0, dot = 0, g_sq = 0;
  auto m = parameters(model);
  auto b = parameters(before);
  auto g = parameters(grads);
  for (std::size_t k = 0; k < m.size(); ++k) {
    for (Eigen::Index e = 0; e < m[k].size(); ++e) {
      const double step = b[k].data[e] - m[k].data[e];
      step_sq += step * step;
      dot += step * g[k].data[e];
      g_sq += g[k].data[e] * g[k].data[e];
    }
  }
  CHECK(std::sqrt(step_sq) == doctest::Approx(0.5 * 0.01).epsilon(1e-12));
  CHECK(dot / std::sqrt(step_sq * g_sq) == doctest::Approx(1.0).epsilon(1e-12));  // same direction
  CHECK(std::sqrt(g_sq) == doctest::Approx(norm).epsilon(1e-12));  // the gradient itself is untouched
}

TEST_CASE("ch06_02_rnn_from_scratch runs: parity table, loss falling, \"ello\", figure written") {
  book::test::TempDir dir("p02");
  const auto r = book::test::run_process(
      {book::test::program("ch06_02_rnn_from_scratch"), "--iterations", "200", "--out_dir", dir.path().string()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("NO") == std::string::npos);  // every parity row within 1e-6
  CHECK(r.out.find("produces \"ello\"") != std::string::npos);
  CHECK(book::fs::exists(dir / "hello_loss.csv"));
  const auto bad = book::test::run_process(
      {book::test::program("ch06_02_rnn_from_scratch"), "--input", "abc", "--target", "ab"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--target") != std::string::npos);
}
