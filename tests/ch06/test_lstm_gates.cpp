// Self-checks of program 04 (chapters/06_rnn_lstm_seq/04_lstm_gates.cpp): the Eigen LSTM cell equals
// LibTorch's (and a squashed cell state or a wrong gate order would not), f = 1 and i = 0 carry the
// cell state unchanged, dC_t/dC_{t-1} = f_t, and a trained LSTM remembers a token over 20 steps.
#include "book/files.h"
#include "lib/memory_lstm.h"
#include "lib/scratch_lstm.h"
#include "lib/scratch_parity.h"
#include "process.h"

#include <doctest/doctest.h>

using namespace ch06;

namespace {

Vec random_vector(Eigen::Index n, double scale, book::Rng& rng) {
  return Vec::NullaryExpr(n, [&] { return scale * (2.0 * book::uniform01(rng) - 1.0); });
}

// A buggy cell seen in the wild: the cell state is squashed by tanh before it recurs.
Vec squashed_cell_state(const LstmWeights& w, const Vec& x, const Vec& h, const Vec& c) {
  const LstmStep s = lstm_cell(w, x, h, c);
  return s.c.array().tanh().matrix();
}

// Runs torch::nn::LSTMCell (float64) and returns (cell, x, h, c, c_next from LibTorch).
struct TorchStep {
  torch::nn::LSTMCell cell{nullptr};
  Vec x, h, c, c_next;
};

TorchStep torch_step(std::int64_t in, std::int64_t hidden, std::uint64_t seed) {
  torch::manual_seed(seed);
  TorchStep s;
  s.cell = torch::nn::LSTMCell(in, hidden);
  s.cell->to(torch::kDouble);
  const auto x = torch::randn({1, in}, torch::kDouble);
  const auto h = torch::randn({1, hidden}, torch::kDouble);
  const auto c = torch::randn({1, hidden}, torch::kDouble) * 3.0;
  torch::NoGradGuard no_grad;
  const auto out = s.cell->forward(x, std::make_tuple(h, c));
  s.x = to_eigen_vector(x[0]);
  s.h = to_eigen_vector(h[0]);
  s.c = to_eigen_vector(c[0]);
  s.c_next = to_eigen_vector(std::get<1>(out)[0]);
  return s;
}

}  // namespace

TEST_CASE("the Eigen LSTM cell equals torch::nn::LSTMCell within 1e-6 in float64") {
  double worst = 0;
  std::uint64_t seed = 1;
  for (auto [in, hidden] : std::vector<std::pair<int, int>>{{1, 1}, {3, 5}, {10, 16}, {8, 64}, {32, 7}}) {
    CAPTURE(in);
    CAPTURE(hidden);
    const Parity p = lstm_cell_parity(in, hidden, 5, seed++);
    CHECK(p.outputs <= 1e-6);
    CHECK(p.final_state <= 1e-6);
    worst = std::max(worst, p.max());
  }
  MESSAGE("largest difference " << worst);
}

TEST_CASE("the Eigen LSTM equals a one-layer torch::nn::LSTM over whole sequences within 1e-6 in float64") {
  std::uint64_t seed = 10;
  for (auto [in, hidden, steps] : std::vector<std::tuple<int, int, int>>{{1, 1, 5}, {3, 5, 25}, {10, 16, 40}}) {
    CAPTURE(hidden);
    const Parity p = lstm_layer_parity(in, hidden, steps, 3, seed++);
    CHECK(p.outputs <= 1e-6);
    CHECK(p.final_state <= 1e-6);
  }
}

TEST_CASE("parity catches a squashed cell state and a wrong gate order") {
  const TorchStep s = torch_step(4, 6, 3);
  const LstmWeights w = copy_lstm_weights(s.cell);
  CHECK((lstm_cell(w, s.x, s.h, s.c).c - s.c_next).cwiseAbs().maxCoeff() <= 1e-12);
  CHECK((squashed_cell_state(w, s.x, s.h, s.c) - s.c_next).cwiseAbs().maxCoeff() > 1e-3);
  // Reading LibTorch's blocks as f, i, g, o instead of i, f, g, o swaps two gates.
  LstmWeights swapped = w;
  for (Mat* m : {&swapped.w_ih, &swapped.w_hh}) {
    const Mat i = gate_rows(*m, LstmGate::kInput), f = gate_rows(*m, LstmGate::kForget);
    gate_rows(*m, LstmGate::kInput) = f;
    gate_rows(*m, LstmGate::kForget) = i;
  }
  for (Vec* b : {&swapped.b_ih, &swapped.b_hh}) {
    const Vec i = gate_rows(*b, LstmGate::kInput), f = gate_rows(*b, LstmGate::kForget);
    gate_rows(*b, LstmGate::kInput) = f;
    gate_rows(*b, LstmGate::kForget) = i;
  }
  CHECK((lstm_cell(swapped, s.x, s.h, s.c).c - s.c_next).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("the gates are in range and h_t = o * tanh(c_t), c_t = f * c_{t-1} + i * g at every step") {
  book::Rng rng(4);
  const LstmWeights w = make_lstm_weights(3, 5, rng);
  Sequence xs;
  for (int t = 0; t < 30; ++t) xs.push_back(random_vector(3, 2.0, rng));
  const auto trace = lstm_sequence(w, xs);
  Vec c_prev = Vec::Zero(5);
  for (const LstmStep& s : trace) {
    for (const Vec* gate : {&s.i, &s.f, &s.o}) {
      CHECK(gate->minCoeff() > 0.0);
      CHECK(gate->maxCoeff() < 1.0);
    }
    CHECK(s.g.cwiseAbs().maxCoeff() < 1.0);
    CHECK((s.c - (s.f.cwiseProduct(c_prev) + s.i.cwiseProduct(s.g))).cwiseAbs().maxCoeff() == 0.0);
    CHECK((s.h - s.o.cwiseProduct(s.c.array().tanh().matrix())).cwiseAbs().maxCoeff() == 0.0);
    c_prev = s.c;
  }
}

TEST_CASE("with f = 1 and i = 0 (forced through the biases) the cell state is carried unchanged for 1,000 steps") {
  book::Rng rng(5);
  const LstmWeights w = force_carry(make_lstm_weights(4, 6, rng));
  Sequence xs;
  for (int t = 0; t < 1000; ++t) xs.push_back(random_vector(4, 1.0, rng));
  const Vec c0 = random_vector(6, 2.0, rng);
  const auto trace = lstm_sequence(w, xs, random_vector(6, 1.0, rng), c0);
  for (const LstmStep& s : trace) {
    REQUIRE(s.f == Vec::Ones(6));
    REQUIRE((s.c.array() == c0.array()).all());  // bit for bit
  }
  // The same biases in LibTorch's own cell.
  torch::manual_seed(5);
  torch::nn::LSTMCell cell(4, 6);
  cell->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    cell->bias_ih.slice(0, 0, 6).fill_(-100.0);   // i
    cell->bias_ih.slice(0, 6, 12).fill_(100.0);   // f
    cell->bias_hh.slice(0, 0, 12).zero_();
  }
  const auto c_start = torch::randn({1, 6}, torch::kDouble);
  auto h = torch::randn({1, 6}, torch::kDouble);
  auto c = c_start.clone();
  torch::NoGradGuard no_grad;
  for (int t = 0; t < 1000; ++t) std::tie(h, c) = cell->forward(torch::randn({1, 4}, torch::kDouble), std::make_tuple(h, c));
  CHECK(torch::equal(c, c_start));
}

TEST_CASE("without the forced biases the cell state does change (the test above can fail)") {
  book::Rng rng(6);
  const LstmWeights w = make_lstm_weights(4, 6, rng);
  Sequence xs;
  for (int t = 0; t < 50; ++t) xs.push_back(random_vector(4, 1.0, rng));
  const Vec c0 = random_vector(6, 2.0, rng);
  CHECK((lstm_sequence(w, xs, Vec::Zero(6), c0).back().c - c0).cwiseAbs().maxCoeff() > 0.1);
}

TEST_CASE("dc_t/dc_{t-1} (h_{t-1} held fixed) equals f_t elementwise, a diagonal Jacobian, checked against autograd") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const CellJacobianCheck j = cell_state_jacobian(5, 8, seed);
    CHECK(j.max_diagonal_error <= 1e-12);
    CHECK(j.max_off_diagonal == 0.0);
    CHECK(j.forget_gate.size() == 8);
    CHECK(j.forget_gate.minCoeff() > 0.0);  // a real gate, not a degenerate case
    CHECK(j.forget_gate.maxCoeff() < 1.0);
  }
}

TEST_CASE("the memory task: the first token is the label and only distractors follow") {
  book::Rng rng(7);
  const TokenDataset d = make_memory_task(500, 20, 4, 4, rng);
  CHECK(d.num_classes == 4);
  CHECK(d.vocab_size == 8);
  for (std::size_t n = 0; n < d.ids.size(); ++n) {
    REQUIRE(d.ids[n].size() == 21);
    REQUIRE(d.ids[n][0] == d.labels[n]);
    for (std::size_t t = 1; t < d.ids[n].size(); ++t) REQUIRE(d.ids[n][t] >= 4);
  }
}

TEST_CASE("the most label-carrying unit is found") {
  std::vector<Vec> cells;
  std::vector<std::int64_t> labels;
  book::Rng rng(8);
  for (int n = 0; n < 200; ++n) {
    const std::int64_t label = n % 3;
    Vec c = random_vector(5, 1.0, rng);           // noise everywhere
    c(3) = static_cast<double>(label) + 0.01 * c(3);  // unit 3 holds the label
    cells.push_back(c);
    labels.push_back(label);
  }
  const auto [unit, share] = most_label_carrying_unit(cells, labels);
  CHECK(unit == 3);
  CHECK(share > 0.99);
}

TEST_CASE("a small LSTM learns to remember the first token over 20 steps (chance 25%), and its gates can be traced") {
  torch::manual_seed(42);
  book::Rng rng(42);
  MemoryTaskOptions o;  // the program's task: gap 20, 4 signals, 4 distractors
  o.train_samples = 1200;
  o.test_samples = 300;
  o.epochs = 3;
  MemoryTaskResult r = train_memory_lstm(o, rng);
  MESSAGE("test accuracy per epoch: " << r.test_acc[0] << ", " << r.test_acc[1] << ", " << r.test_acc[2]);
  CHECK(r.test_acc.back() >= 95.0);
  const GateTrace g = trace_gates(r.model, r.test, 0);
  CHECK(g.steps.size() == 21);
  CHECK(g.parity <= 1e-5);  // the float32 model against its float64 copy in Eigen
  CHECK(g.predicted == g.label);
  CHECK(g.class_cell.rows() == 4);
  CHECK(g.class_cell.cols() == 21);
  // The per-class ranges of the memory unit's c_T agree with the per-class means of its trace, and
  // h_T = o_T * tanh(c_T) lies in (-1, 1) with the sign of c_T.
  REQUIRE(g.final_c.size() == 4);
  REQUIRE(g.final_h.size() == 4);
  std::int64_t count = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    CAPTURE(k);
    count += g.final_c[k].count;
    CHECK(g.final_c[k].mean == doctest::Approx(g.class_cell(static_cast<Eigen::Index>(k), 20)).epsilon(1e-12));
    CHECK(g.final_c[k].min <= g.final_c[k].mean);
    CHECK(g.final_c[k].mean <= g.final_c[k].max);
    CHECK(g.final_h[k].min > -1.0);
    CHECK(g.final_h[k].max < 1.0);
    CHECK((g.final_h[k].mean > 0) == (g.final_c[k].mean > 0));
  }
  CHECK(count == 300);
}

TEST_CASE("class ranges: min, mean and max per class, and which pairs one threshold separates") {
  const std::vector<double> values = {0.1, 0.3, -2.0, -1.0, 0.2, 0.9, 1.1};
  const std::vector<std::int64_t> labels = {0, 0, 1, 1, 0, 2, 2};
  const auto r = class_ranges(values, labels, 4);
  REQUIRE(r.size() == 4);
  CHECK(r[0].min == 0.1);
  CHECK(r[0].max == 0.3);
  CHECK(r[0].mean == doctest::Approx(0.2));
  CHECK(r[0].count == 3);
  CHECK(r[1].min == -2.0);
  CHECK(r[1].max == -1.0);
  CHECK(r[3].count == 0);
  CHECK(ranges_apart(r[0], r[1]));
  CHECK(ranges_apart(r[2], r[0]));
  const ClassRange wide{0.0, 0.5, 1.0, 2};
  CHECK_FALSE(ranges_apart(r[0], wide));  // 0.1..0.3 lies inside 0..1
  CHECK_FALSE(ranges_apart(wide, r[2]));  // 0.9..1.1 overlaps 0..1
  // Classes 0 (0.1..0.3), 1 (-2..-1) and 2 (0.9..1.1) are pairwise apart; the wide range 0..1
  // overlaps 0 and 2, not 1.
  const ClassPairs pairs = class_pairs({r[0], r[1], r[2], wide});
  CHECK(pairs.apart == std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {0, 2}, {1, 2}, {1, 3}});
  CHECK(pairs.overlap == std::vector<std::pair<std::size_t, std::size_t>>{{0, 3}, {2, 3}});
  // Means 0.2, -1.5, 1.0: class 1 lies 2.1 from the mean of the others, class 0 0.45, class 2 1.65.
  CHECK(farthest_class({r[0], r[1], r[2]}) == 1);
  CHECK_THROWS_AS(farthest_class({r[0]}), std::invalid_argument);
  CHECK_THROWS_AS(class_ranges(values, {0, 1}, 4), std::invalid_argument);
  CHECK_THROWS_AS(class_ranges({1.0}, {4}, 4), std::invalid_argument);
}

TEST_CASE("ch06_04_lstm_gates runs: parity rows pass, the table and the trace files are written") {
  book::test::TempDir dir("p04");
  const auto r = book::test::run_process({book::test::program("ch06_04_lstm_gates"), "--gap", "8", "--epochs", "1",
                                          "--train_samples", "300", "--test_samples", "50", "--carry_steps", "100",
                                          "--out_dir", dir.path().string()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("NO") == std::string::npos);
  CHECK(r.out.find("100 steps: max |c_t - c_0| over every step = 0 ") != std::string::npos);
  CHECK(r.out.find("pairs of classes") != std::string::npos);
  CHECK(r.out.find("Pairs whose h_T ranges overlap: ") != std::string::npos);
  CHECK(book::fs::exists(dir / "facts.json"));
  const std::string csv = book::read_file(dir / "gate_trace.csv");
  CHECK(book::test::count_lines(csv) == 10);  // header + 9 steps
  CHECK(book::fs::exists(dir / "gate_trace_units.csv"));
  CHECK(book::fs::exists(dir / "memory_unit_by_class.csv"));
  CHECK(book::fs::exists(dir / "gate_trace.gp"));
}
