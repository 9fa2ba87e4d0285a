// Self-checks of program 08 (chapters/06_rnn_lstm_seq/08_gru_comparison.cpp): the Eigen GRU cell
// (checked by hand and against torch::nn::GRUCell), the textbook form and how it differs, z = 1,
// the parameter formula, the speed table's bookkeeping, the long-range task, and the claim that the
// RNN is the first to fail as the dependency grows.
#include "book/files.h"
#include "lib/gru_compare.h"
#include "lib/packing.h"
#include "process.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace ch06;

namespace {

double sigmoid(double a) { return 1.0 / (1.0 + std::exp(-a)); }

// A one-unit GRU with hand-picked numbers: rows r, z, n.
GruWeights tiny_gru() {
  GruWeights w;
  w.w_ih = Eigen::MatrixXd(3, 1);
  w.w_ih << 0.5, -0.3, 0.8;
  w.w_hh = Eigen::MatrixXd(3, 1);
  w.w_hh << 0.2, 0.4, -0.6;
  w.b_ih = Eigen::VectorXd(3);
  w.b_ih << 0.1, 0.2, -0.1;
  w.b_hh = Eigen::VectorXd(3);
  w.b_hh << -0.2, 0.1, 0.3;
  return w;
}

Eigen::VectorXd scalar(double v) { return Eigen::VectorXd::Constant(1, v); }

std::vector<Eigen::VectorXd> random_inputs(int steps, Eigen::Index size, book::Rng& rng) {
  std::vector<Eigen::VectorXd> xs;
  for (int t = 0; t < steps; ++t) xs.push_back(Eigen::VectorXd::NullaryExpr(size, [&] { return 2 * book::uniform01(rng) - 1; }));
  return xs;
}

}  // namespace

TEST_CASE("one GRU step by hand, in LibTorch's convention") {
  const double x = 0.7, h = -0.4;
  const double r = sigmoid(0.5 * x + 0.1 + 0.2 * h - 0.2);
  const double z = sigmoid(-0.3 * x + 0.2 + 0.4 * h + 0.1);
  const double n = std::tanh(0.8 * x - 0.1 + r * (-0.6 * h + 0.3));  // r scales W_hn·h + b_hn
  const double expected = (1 - z) * n + z * h;                        // z keeps the old state
  const GruStep s = gru_step(tiny_gru(), scalar(x), scalar(h));
  CHECK(s.r(0) == doctest::Approx(r).epsilon(1e-14));
  CHECK(s.z(0) == doctest::Approx(z).epsilon(1e-14));
  CHECK(s.n(0) == doctest::Approx(n).epsilon(1e-14));
  CHECK(s.h(0) == doctest::Approx(expected).epsilon(1e-14));
}

TEST_CASE("one textbook step by hand: r before the product, z weights the new candidate") {
  const double x = 0.7, h = -0.4;
  const TextbookGruWeights t = to_textbook(tiny_gru());
  // The textbook's z is LibTorch's 1 − z; r is the same gate.
  const double z_library = sigmoid(-0.3 * x + 0.2 + 0.4 * h + 0.1);
  const double r = sigmoid(0.5 * x + 0.1 + 0.2 * h - 0.2);
  const double candidate = std::tanh(-0.6 * (r * h) + 0.8 * x - 0.1 + 0.3);  // W_hn (r h) + W_in x + b_in + b_hn
  const double z = 1 - z_library;
  const double expected = (1 - z) * h + z * candidate;
  CHECK(textbook_gru_step(t, scalar(x), scalar(h))(0) == doctest::Approx(expected).epsilon(1e-14));
}

TEST_CASE("the Eigen GRU cell equals torch::nn::GRUCell in float64") {
  torch::manual_seed(20);
  for (auto [in, hidden] : std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}, {3, 5}, {10, 16}, {8, 64}}) {
    CAPTURE(in);
    CAPTURE(hidden);
    const GruParity p = gru_cell_parity(in, hidden, 6, 3);
    CHECK(p.values == 6 * 3 * hidden);
    CHECK(p.max_diff <= 1e-12);  // the issue asks for 1e-6; float64 rounding is near 1e-16
  }
}

TEST_CASE("the copied weights keep LibTorch's r, z, n order (a swapped order is caught)") {
  torch::manual_seed(21);
  torch::nn::GRUCell cell(3, 4);
  cell->to(torch::kFloat64);
  GruWeights w = gru_weights_from(cell);
  const torch::Tensor x = torch::randn({1, 3}, torch::kFloat64);
  const torch::Tensor h = torch::randn({1, 4}, torch::kFloat64);
  const torch::Tensor expected = cell->forward(x, h)[0].contiguous();
  auto eigen = [](const torch::Tensor& t) {
    const torch::Tensor c = t.flatten().contiguous();
    return Eigen::VectorXd(Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.numel()));
  };
  CHECK((gru_step(w, eigen(x), eigen(h)).h - eigen(expected)).cwiseAbs().maxCoeff() <= 1e-12);
  // Swap the r and z blocks (rows 0-3 and 4-7): the cell no longer matches.
  auto swap_blocks = [](auto& m) {
    const Eigen::MatrixXd r = m.middleRows(0, 4);
    m.middleRows(0, 4) = m.middleRows(4, 4);
    m.middleRows(4, 4) = r;
  };
  swap_blocks(w.w_ih);
  swap_blocks(w.w_hh);
  swap_blocks(w.b_ih);
  swap_blocks(w.b_hh);
  CHECK((gru_step(w, eigen(x), eigen(h)).h - eigen(expected)).cwiseAbs().maxCoeff() > 1e-3);
}

TEST_CASE("the textbook form differs from LibTorch's, and agrees when r = 1") {
  book::Rng rng(22);
  const GruWeights w = random_gru_weights(4, 6, rng);
  const auto xs = random_inputs(20, 4, rng);
  const Eigen::VectorXd h0 = Eigen::VectorXd::NullaryExpr(6, [&] { return 2 * book::uniform01(rng) - 1; });
  CHECK(textbook_difference(w, xs, h0) > 1e-3);
  GruForce r_one;
  r_one.r = 1.0;
  CHECK(textbook_difference(w, xs, h0, r_one) <= 1e-12);
  GruForce both;
  both.r = 1.0;
  both.z = 0.3;
  CHECK(textbook_difference(w, xs, h0, both) <= 1e-12);
}

TEST_CASE("with z forced to 1 the state never changes: h_t = h_{t-1}") {
  book::Rng rng(23);
  const GruWeights w = random_gru_weights(5, 7, rng);
  const auto xs = random_inputs(30, 5, rng);
  const Eigen::VectorXd h0 = Eigen::VectorXd::NullaryExpr(7, [&] { return 2 * book::uniform01(rng) - 1; });
  GruForce keep;
  keep.z = 1.0;
  for (const GruStep& s : gru_sequence(w, xs, h0, keep)) CHECK(s.h == h0);  // exactly
  // And with z forced to 0 the state is the candidate n.
  GruForce replace;
  replace.z = 0.0;
  for (const GruStep& s : gru_sequence(w, xs, h0, replace)) CHECK((s.h - s.n).cwiseAbs().maxCoeff() == 0.0);
  // LibTorch's cell with b_iz = 1000: z = 1 in float64, h' = n + z (h − n) = h up to one rounding.
  torch::manual_seed(23);
  CHECK(torch_gru_keep_check(5, 7, 30) <= 1e-12);
}

TEST_CASE("parameter counts: G·(H·in + H·H + 2H) with G = 1, 3, 4 matches the layers and cells") {
  CHECK(recurrent_layer_parameter_formula(1, 10, 20) == 640);    // 200 + 400 + 40
  CHECK(recurrent_layer_parameter_formula(3, 10, 20) == 1920);
  CHECK(recurrent_layer_parameter_formula(4, 10, 20) == 2560);
  CHECK(recurrent_layer_parameter_formula(4, 128, 256) == 395264);  // 4·(32768 + 65536 + 512)
  const auto rows = parameter_table({{10, 20}, {1, 1}, {7, 3}, {256, 512}});
  REQUIRE(rows.size() == 12);
  for (const auto& r : rows) {
    CAPTURE(cell_type_name(r.cell));
    CAPTURE(r.input_size);
    CAPTURE(r.hidden_size);
    CHECK(r.formula == recurrent_layer_parameter_formula(gate_count(r.cell), r.input_size, r.hidden_size));
    CHECK(r.layer == r.formula);
    CHECK(r.cell_module == r.formula);
  }
  CHECK(rows[0].cell == CellType::kRnn);
  CHECK(rows[1].cell == CellType::kGru);
  CHECK(rows[2].cell == CellType::kLstm);
}

TEST_CASE("the speed comparison times RNN, GRU and LSTM and counts their GEMM FLOPs as 1 : 3 : 4") {
  SpeedSetup s;
  s.batch = 4;
  s.steps = 5;
  s.input = 3;
  s.hidden = 8;
  s.repeats = 2;
  int reports = 0;
  const auto rows = speed_comparison(s, [&](int, int) { ++reports; });
  REQUIRE(rows.size() == 3);
  CHECK(reports == 3);
  CHECK(rows[0].cell == CellType::kRnn);
  CHECK(rows[1].cell == CellType::kGru);
  CHECK(rows[2].cell == CellType::kLstm);
  CHECK(rows[0].gemm_flops == 3.0 * 2 * 1 * 8 * (3 + 8) * 4 * 5);
  CHECK(rows[1].gemm_flops == 3 * rows[0].gemm_flops);
  CHECK(rows[2].gemm_flops == 4 * rows[0].gemm_flops);
  for (const auto& r : rows) CHECK(r.train_s > 0);
}

TEST_CASE("the long-range task: the label is the first token, distractors come after it") {
  LongRangeSetup setup;
  book::Rng a(5), b(5);
  const LongRangeBatch x = first_token_batch(64, 9, setup, a);
  const LongRangeBatch y = first_token_batch(64, 9, setup, b);
  CHECK(torch::equal(x.tokens, y.tokens));  // the same seed, the same data
  CHECK(x.tokens.sizes().vec() == std::vector<std::int64_t>{64, 9});
  CHECK(torch::equal(x.labels, x.tokens.select(1, 0)));
  CHECK(x.labels.min().item<std::int64_t>() >= 0);
  CHECK(x.labels.max().item<std::int64_t>() < setup.classes);
  const torch::Tensor rest = x.tokens.narrow(1, 1, 8);
  CHECK(rest.min().item<std::int64_t>() >= setup.classes);
  CHECK(rest.max().item<std::int64_t>() < setup.classes + setup.distractors);
  CHECK(std::get<0>(torch::_unique(x.labels)).numel() == setup.classes);  // all 4 classes appear in 64 draws
}

TEST_CASE("as the dependency grows, the RNN fails first: T = 5 all learn, T = 40 only the gated layers") {
  // The program's default task and budget (200 steps, keep-gate bias 3), at its shortest and longest length.
  const LongRangeSetup setup;
  for (CellType cell : {CellType::kRnn, CellType::kGru, CellType::kLstm}) {
    CAPTURE(cell_type_name(cell));
    const LongRangeResult short_run = train_first_token(cell, 5, setup, 42);
    CHECK(short_run.accuracy >= 95.0);
    CHECK(short_run.steps < setup.max_steps);  // solved early
  }
  const LongRangeResult rnn = train_first_token(CellType::kRnn, 40, setup, 42);
  const LongRangeResult gru = train_first_token(CellType::kGru, 40, setup, 42);
  const LongRangeResult lstm = train_first_token(CellType::kLstm, 40, setup, 42);
  CHECK(rnn.accuracy < 60.0);  // chance is 25 %
  CHECK(gru.accuracy >= 90.0);
  CHECK(lstm.accuracy >= 90.0);
}

TEST_CASE("the program runs small, writes its CSVs and figure, and refuses bad flags") {
  using book::test::ProcessResult;
  book::test::TempDir dir("gru");
  const std::string exe = book::test::program("ch06_08_gru_comparison");
  const ProcessResult r = book::test::run_process({exe, "--lengths", "3", "4", "--max_steps", "5", "--repeats", "1",
                                                   "--speed_steps", "4", "--speed_hidden", "8", "--out_dir",
                                                   dir.path().string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("within 1e-6") != std::string::npos);
  for (const char* file : {"parameters.csv", "speed.csv", "gru_accuracy_vs_length.csv", "gru_accuracy_vs_length.gp"}) {
    CAPTURE(file);
    CHECK(book::fs::exists(dir / file));
  }
  CHECK(book::test::count_lines(book::read_file(dir / "gru_accuracy_vs_length.csv")) == 3);  // header + T 3, 4
  // The speed verdict it prints says what its own printed ratios say (unless rounding could have
  // moved a ratio across a boundary of the tie band), and every recorded fact is in the output.
  const auto facts = book::read_json(dir / "facts.json");
  auto ratio = [&](const char* key) { return std::stod(facts.at(key).get<std::string>()); };
  auto clear = [](double r) {
    return std::min(std::abs(r - (1 + kSpeedTie)), std::abs(r - 1 / (1 + kSpeedTie))) > 0.01;
  };
  if (clear(ratio("gru_vs_rnn")) && clear(ratio("gru_vs_lstm"))) {
    CHECK(r.out.find("the GRU was " + speed_words(ratio("gru_vs_rnn")) + " the RNN and " +
                     speed_words(ratio("gru_vs_lstm")) + " the LSTM") != std::string::npos);
  }
  for (const auto& [key, text] : facts.items()) {
    CAPTURE(key);
    CHECK(r.out.find(text.get<std::string>()) != std::string::npos);
  }
  CHECK(facts.contains("rnn_t4_accuracy"));
  CHECK(facts.at("gru_vs_lstm_parameters").get<std::string>() == "0.75");

  const ProcessResult bad = book::test::run_process({exe, "--lengths", "1", "--out_dir", dir.path().string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--lengths") != std::string::npos);
  const ProcessResult lr = book::test::run_process({exe, "--lr", "nan", "--out_dir", dir.path().string()});
  CHECK(lr.exit_code == 2);
}
