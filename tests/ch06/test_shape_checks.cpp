// Self-checks of program 05 (chapters/06_rnn_lstm_seq/05_shape_checks.cpp): every row of its shape
// table, the bidirectional halves, the layouts, the loop of cells, and the padded-batch mistake, for
// each of RNN, LSTM and GRU. Expected shapes are written here from the documented formulas, not
// copied from a run.
#include "book/files.h"
#include "lib/shapes.h"
#include "process.h"

#include <doctest/doctest.h>

#include <set>
#include <tuple>

using namespace ch06;
using Sizes = std::vector<std::int64_t>;

namespace {

// The three layers as types, for TEST_CASE_TEMPLATE.
struct Rnn {
  static constexpr CellType kCell = CellType::kRnn;
  static constexpr bool kHasCellState = false;
};
struct Lstm {
  static constexpr CellType kCell = CellType::kLstm;
  static constexpr bool kHasCellState = true;
};
struct Gru {
  static constexpr CellType kCell = CellType::kGru;
  static constexpr bool kHasCellState = false;
};

// Rounding in float64 over a few dozen operations stays far below this; any real mix-up is above 1e-3.
constexpr double kTol = 1e-12;

}  // namespace

TEST_CASE("the original demo: [3, 5, 10] in, [3, 5, 20] out, h_n and c_n [1, 3, 20], output[:, -1] == h_n[-1]") {
  torch::manual_seed(0);
  const OriginalDemo d = original_demo();
  CHECK(d.input.sizes().vec() == Sizes{3, 5, 10});
  CHECK(d.result.output.sizes().vec() == Sizes{3, 5, 20});
  CHECK(d.result.h_n.sizes().vec() == Sizes{1, 3, 20});
  CHECK(d.result.c_n.sizes().vec() == Sizes{1, 3, 20});
  CHECK(d.last_step_equals_h);
  CHECK(shape_string(d.result.output) == "[3, 5, 20]");
  CHECK(shape_string(torch::Tensor()) == "-");
}

TEST_CASE_TEMPLATE("every row of the shape table matches the formulas", T, Rnn, Lstm, Gru) {
  torch::manual_seed(1);
  // The program's table (B 3, T 5, in 10, H 20) and one with all sizes different (a swap would show).
  for (const ShapeProblem p : {ShapeProblem{}, ShapeProblem{2, 7, 3, 4}}) {
    const std::vector<ShapeRow> rows = shape_table(T::kCell, p);
    REQUIRE(rows.size() == 8);
    std::set<std::tuple<bool, std::int64_t, bool>> seen;
    for (const ShapeRow& r : rows) {
      CAPTURE(r.batch_first);
      CAPTURE(r.num_layers);
      CAPTURE(r.bidirectional);
      seen.insert({r.batch_first, r.num_layers, r.bidirectional});
      CHECK(r.cell == T::kCell);
      const std::int64_t d = r.bidirectional ? 2 : 1;
      const std::int64_t l = r.num_layers;
      CHECK(r.input == (r.batch_first ? Sizes{p.batch, p.steps, p.input} : Sizes{p.steps, p.batch, p.input}));
      CHECK(r.output == (r.batch_first ? Sizes{p.batch, p.steps, d * p.hidden} : Sizes{p.steps, p.batch, d * p.hidden}));
      CHECK(r.h_n == Sizes{l * d, p.batch, p.hidden});  // the same in both layouts
      CHECK(r.c_n == (T::kHasCellState ? Sizes{l * d, p.batch, p.hidden} : Sizes{}));
      CHECK(r.final_state_error <= kTol);
    }
    CHECK(seen.size() == 8);  // batch_first × layers 1/2 × bidirectional, each once
  }
}

TEST_CASE_TEMPLATE("bidirectional: forward half of the last step is h_n[-2], backward half of the first step is h_n[-1]",
                   T, Rnn, Lstm, Gru) {
  torch::manual_seed(2);
  for (std::int64_t layers : {1, 2}) {
    CAPTURE(layers);
    const BidirectionalCheck c = bidirectional_check(T::kCell, layers);
    CHECK(c.forward_last_vs_h_fwd <= kTol);
    CHECK(c.backward_first_vs_h_bwd <= kTol);
    CHECK(c.backward_last_vs_h_bwd > 1e-3);  // output[:, -1]'s backward half has read one step only
  }
}

TEST_CASE_TEMPLATE("time-first and batch-first layouts give the same numbers after a transpose", T, Rnn, Lstm, Gru) {
  torch::manual_seed(3);
  for (std::int64_t layers : {1, 2}) {
    for (bool bidirectional : {false, true}) {
      CAPTURE(layers);
      CAPTURE(bidirectional);
      CHECK(layout_difference(T::kCell, layers, bidirectional) <= kTol);
    }
  }
}

TEST_CASE_TEMPLATE("a loop of cells with the module's weights equals the module", T, Rnn, Lstm, Gru) {
  torch::manual_seed(4);
  for (std::int64_t layers : {1, 2}) {
    for (bool bidirectional : {false, true}) {
      CAPTURE(layers);
      CAPTURE(bidirectional);
      const CellLoopCheck c = cell_loop_check(T::kCell, layers, bidirectional, ShapeProblem{2, 6, 3, 5});
      CHECK(c.output <= kTol);
      CHECK(c.h_n <= kTol);
      CHECK(c.c_n <= kTol);
    }
  }
}

TEST_CASE_TEMPLATE("a loop of cells that forgets to reverse the backward direction is caught", T, Rnn, Lstm, Gru) {
  // The check has teeth: feed the loop a time-reversed input for a unidirectional layer; it must differ.
  torch::manual_seed(5);
  LayerSpec spec;
  spec.cell = T::kCell;
  spec.input_size = 3;
  spec.hidden_size = 4;
  RecurrentLayer layer(spec);
  layer.to(torch::kFloat64);
  const torch::Tensor x = torch::randn({2, 6, 3}, torch::kFloat64);
  const LayerOutput module = layer.forward(x);
  const LayerOutput loop = run_as_cell_loop(layer, x.flip(1));
  CHECK((module.h_n - loop.h_n).abs().max().item<double>() > 1e-3);
}

TEST_CASE_TEMPLATE("the output[:, -1] mistake on a padded batch is shown and caught", T, Rnn, Lstm, Gru) {
  torch::manual_seed(6);
  const std::vector<std::int64_t> lengths = {5, 3, 2};
  const FinalStateMistake m = padded_final_state_mistake(T::kCell, lengths);
  REQUIRE(m.naive_error.size() == 3);
  CHECK(m.truth.sizes().vec() == Sizes{3, 20});
  CHECK(m.naive_error[0] <= kTol);  // the longest sequence has no pads: right by luck
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    CAPTURE(b);
    CHECK(m.gathered_error[b] <= kTol);
    if (b > 0) {
      CHECK(m.naive_error[b] > 1e-6);
      CHECK(m.padded_h_n_error[b] > 1e-6);
    }
  }
  CHECK_THROWS_AS(expect_same_state(m.naive, m.truth, kSameStateTol, "output[:, -1]"), std::logic_error);
  CHECK_THROWS_WITH(expect_same_state(m.padded_h_n, m.truth, kSameStateTol, "h_n[-1]"),
                    doctest::Contains("h_n[-1] is not the final state"));
  CHECK_NOTHROW(expect_same_state(m.gathered, m.truth, kSameStateTol, "output[b, length-1]"));
}

TEST_CASE("last_real_step picks output[b, length - 1]") {
  const torch::Tensor output = torch::arange(12, torch::kFloat64).view({2, 3, 2});  // [B 2, T 3, H 2]
  const torch::Tensor picked = last_real_step(output, torch::tensor({2, 3}, torch::kLong));
  // Row 0 at step 1: values 2, 3. Row 1 at step 2: values 10, 11.
  CHECK(picked.sizes().vec() == Sizes{2, 2});
  CHECK(picked[0][0].item<double>() == 2.0);
  CHECK(picked[0][1].item<double>() == 3.0);
  CHECK(picked[1][0].item<double>() == 10.0);
  CHECK(picked[1][1].item<double>() == 11.0);
  CHECK_THROWS_AS(padded_final_state_mistake(CellType::kRnn, {3, 0}), std::invalid_argument);
}

TEST_CASE_TEMPLATE("pad drift: the state is the true one at the last real step and moves away after it", T, Rnn, Lstm,
                   Gru) {
  torch::manual_seed(7);
  const std::vector<double> drift = pad_drift(T::kCell, 4, 12);
  REQUIRE(drift.size() == 12);
  CHECK(drift[3] == 0.0);
  for (std::size_t t = 4; t < drift.size(); ++t) CHECK(drift[t] > 1e-6);
}

TEST_CASE("the program prints its checks, writes its CSV and figure, and refuses bad flags") {
  using book::test::ProcessResult;
  book::test::TempDir dir("shapes");
  const ProcessResult r = book::test::run_process({book::test::program("ch06_05_shape_checks"), "--out_dir",
                                                   dir.path().string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("allclose(output.select(1, -1), h_n[-1]) = true") != std::string::npos);
  CHECK(r.out.find("Caught: output.select(1, -1) of the padded LSTM batch is not the final state") != std::string::npos);
  CHECK(r.out.find("All shape checks passed.") != std::string::npos);
  CHECK(r.out.find("DIFFERENT") == std::string::npos);
  CHECK(book::fs::exists(dir / "shape_table.csv"));
  CHECK(book::fs::exists(dir / "pad_drift.csv"));
  CHECK(book::fs::exists(dir / "pad_drift.gp"));
  // 24 rows (3 layers × 8 configurations) plus the header.
  CHECK(book::test::count_lines(book::read_file(dir / "shape_table.csv")) == 25);

  const ProcessResult bad = book::test::run_process(
      {book::test::program("ch06_05_shape_checks"), "--hidden_size", "0", "--out_dir", dir.path().string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--hidden_size") != std::string::npos);
  const ProcessResult contradiction = book::test::run_process({book::test::program("ch06_05_shape_checks"),
                                                               "--drift_length", "9", "--drift_padded_to", "5",
                                                               "--out_dir", dir.path().string()});
  CHECK(contradiction.exit_code == 2);
  CHECK(contradiction.err.find("--drift_padded_to") != std::string::npos);
}
