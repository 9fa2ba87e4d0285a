// Self-checks of program 06 (chapters/06_rnn_lstm_seq/06_packed_sequences.cpp): what a
// PackedSequence stores (worked out by hand below), packed final states equal to lone unpadded runs
// for RNN, LSTM and GRU (bidirectional too) while padded ones are wrong, the pad_packed_sequence
// round trip, the timing's bookkeeping, and the bad-lengths errors.
#include "book/files.h"
#include "lib/packing.h"
#include "process.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

using namespace ch06;
using Sizes = std::vector<std::int64_t>;

namespace {

struct Rnn {
  static constexpr CellType kCell = CellType::kRnn;
};
struct Lstm {
  static constexpr CellType kCell = CellType::kLstm;
};
struct Gru {
  static constexpr CellType kCell = CellType::kGru;
};

constexpr double kTol = 1e-12;  // float64 rounding; a state read at the wrong step is off by > 1e-3

std::vector<double> as_doubles(const torch::Tensor& t) {
  const torch::Tensor c = t.flatten().to(torch::kFloat64).contiguous();
  return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

LayerSpec spec_of(CellType cell, std::int64_t layers, bool bidirectional) {
  LayerSpec s;
  s.cell = cell;
  s.input_size = 4;
  s.hidden_size = 6;
  s.num_layers = layers;
  s.bidirectional = bidirectional;
  return s;
}

}  // namespace

TEST_CASE("a packed batch of lengths 2, 4, 1, 3: data, batch_sizes and both index permutations") {
  const PackDemo demo = make_pack_demo({2, 4, 1, 3});
  // Sequence b holds 10(b+1) + t + 1: row 0 = 11 12, row 1 = 21 22 23 24, row 2 = 31, row 3 = 41 42 43.
  CHECK(as_doubles(demo.padded) == std::vector<double>{11, 12, 0, 0, 21, 22, 23, 24, 31, 0, 0, 0, 41, 42, 43, 0});
  // Sorted by decreasing length: rows 1 (4), 3 (3), 0 (2), 2 (1).
  CHECK(as_doubles(demo.packed.sorted_indices()) == std::vector<double>{1, 3, 0, 2});
  // Row 0 went to position 2, row 1 to 0, row 2 to 3, row 3 to 1.
  CHECK(as_doubles(demo.packed.unsorted_indices()) == std::vector<double>{2, 0, 3, 1});
  // Sequences still running at steps 0, 1, 2, 3.
  CHECK(as_doubles(demo.packed.batch_sizes()) == std::vector<double>{4, 3, 2, 1});
  // Step by step, in sorted order: 21 41 11 31 | 22 42 12 | 23 43 | 24. No padding.
  CHECK(as_doubles(demo.packed.data()) == std::vector<double>{21, 41, 11, 31, 22, 42, 12, 23, 43, 24});
  CHECK((demo.lengths.scalar_type() == torch::kLong));
  CHECK(demo.lengths.device().is_cpu());
}

TEST_CASE_TEMPLATE("packed h_n equals each sequence run alone, the padded batch's h_n does not", T, Rnn, Lstm, Gru) {
  torch::manual_seed(10);
  for (auto [layers, bidirectional] : std::vector<std::pair<std::int64_t, bool>>{{1, false}, {1, true}, {2, false}, {2, true}}) {
    CAPTURE(layers);
    CAPTURE(bidirectional);
    const PackedCheck c = packed_vs_alone(spec_of(T::kCell, layers, bidirectional), {3, 7, 1, 5, 7, 2});
    CHECK(c.packed_h_n <= kTol);
    CHECK(c.packed_c_n <= kTol);
    CHECK(c.packed_output <= kTol);
    CHECK(c.padded_h_n > 1e-3);
  }
}

TEST_CASE_TEMPLATE("with equal lengths there are no pads, and padded and packed agree", T, Rnn, Lstm, Gru) {
  // The control case: the padded run is only wrong because of the pads.
  torch::manual_seed(11);
  const PackedCheck c = packed_vs_alone(spec_of(T::kCell, 1, true), {5, 5, 5});
  CHECK(c.packed_h_n <= kTol);
  CHECK(c.padded_h_n <= kTol);
}

TEST_CASE_TEMPLATE("pad_packed_sequence restores the input, the lengths, and exact zeros at padded steps", T, Rnn, Lstm,
                   Gru) {
  torch::manual_seed(12);
  const std::vector<std::int64_t> lengths = {4, 1, 6, 3};
  for (bool bidirectional : {false, true}) {
    CAPTURE(bidirectional);
    const RoundTrip r = pad_packed_round_trip(spec_of(T::kCell, 1, bidirectional), lengths);
    CHECK(r.input_restored);
    CHECK(r.lengths_restored);
    // Padded steps: (6-4) + (6-1) + 0 + (6-3) = 10, each with D·H values.
    CHECK(r.padded_values == 10 * (bidirectional ? 2 : 1) * 6);
    CHECK(r.nonzero_padded == 0);
  }
}

TEST_CASE("the length distributions: names are 5 to 15 long, the long tail is capped and heavy") {
  book::Rng rng(3);
  const auto names = names_lengths(2000, rng);
  REQUIRE(names.size() == 2000);
  CHECK(*std::min_element(names.begin(), names.end()) >= 5);
  CHECK(*std::max_element(names.begin(), names.end()) <= 15);
  const auto tail = long_tailed_lengths(5000, 200, rng);
  CHECK(*std::min_element(tail.begin(), tail.end()) >= 4);
  CHECK(*std::max_element(tail.begin(), tail.end()) <= 200);
  // P(length > 40) = P(u < 10^-1.2) = 6.3 %: about 315 of 5,000 (standard deviation 17).
  const auto above_40 = std::count_if(tail.begin(), tail.end(), [](std::int64_t l) { return l > 40; });
  CHECK(above_40 > 200);
  CHECK(above_40 < 450);
}

TEST_CASE("the timing counts computed and real steps as the strategies imply") {
  torch::manual_seed(13);
  const std::vector<std::int64_t> lengths = {2, 9, 3, 3, 1, 8, 5, 2};
  TimingSetup setup;
  setup.input_size = 3;
  setup.hidden_size = 4;
  setup.batch_size = 4;
  setup.repeats = 1;
  int reports = 0;
  const auto t = time_strategies(lengths, setup, [&](int, int) { ++reports; });
  REQUIRE(t.size() == 3);
  CHECK(reports == 2);  // the warm-up and one timed repeat
  CHECK(t[0].strategy == BatchStrategy::kPadded);
  CHECK(t[1].strategy == BatchStrategy::kPacked);
  CHECK(t[2].strategy == BatchStrategy::kBucketed);
  for (const auto& s : t) {
    CHECK(s.real_steps == 33);  // the sum of the lengths
    CHECK(s.forward_s > 0);
    CHECK(s.train_s > 0);
  }
  // Padded in the given order: batches {2,9,3,3} and {1,8,5,2} → 4·9 + 4·8 = 68.
  CHECK(t[0].computed_steps == 68);
  // Packed computes only real steps.
  CHECK(t[1].computed_steps == 33);
  // Bucketed: sorted 1,2,2,3 | 3,5,8,9 → 4·3 + 4·9 = 48.
  CHECK(t[2].computed_steps == 48);
  CHECK(strategy_name(BatchStrategy::kBucketed) == "bucketed");
}

TEST_CASE("bad lengths: LibTorch raises, check_lengths explains") {
  const torch::Tensor x = torch::randn({3, 4, 2});
  // LibTorch's own errors (caught as c10::Error).
  CHECK(libtorch_packing_error(x, torch::tensor({4, 0, 2}, torch::kLong), false).find("greater than 0") !=
        std::string::npos);
  CHECK(libtorch_packing_error(x, torch::tensor({4, 3, 2}, torch::kLong).to(torch::kMeta), true).find("CPU") !=
        std::string::npos);
  CHECK(libtorch_packing_error(x, torch::tensor({2, 4, 3}, torch::kLong), true).find("sorted") != std::string::npos);
  CHECK(libtorch_packing_error(x, torch::tensor({2, 4, 3}, torch::kLong), false).empty());
  CHECK(libtorch_packing_error(x, torch::tensor({2, 4, 3}, torch::kInt), false).empty());  // int32 is converted

  // Our check, before LibTorch's.
  CHECK_NOTHROW(check_lengths(torch::tensor({2, 4, 3}, torch::kLong), 3, 4));
  CHECK_NOTHROW(check_lengths(torch::tensor({2, 4, 3}, torch::kInt), 3, 4));
  CHECK_THROWS_WITH_AS(check_lengths(torch::tensor({4, 0, 2}, torch::kLong), 3, 4), doctest::Contains("length 0"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(check_lengths(torch::tensor({4, 3, 2}, torch::kLong).to(torch::kMeta), 3, 4),
                       doctest::Contains("lengths.to(torch::kCPU)"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(check_lengths(torch::tensor({5, 3, 2}, torch::kLong), 3, 4), doctest::Contains("only 4 steps"),
                       std::invalid_argument);
  CHECK_THROWS_AS(check_lengths(torch::tensor({4, 3}, torch::kLong), 3, 4), std::invalid_argument);
  CHECK_THROWS_AS(check_lengths(torch::tensor({4.0, 3.0, 2.0}), 3, 4), std::invalid_argument);

  const auto cases = packing_error_cases();
  REQUIRE(cases.size() == 3);
  for (const auto& c : cases) {
    CAPTURE(c.what);
    CHECK(!c.libtorch.empty());
  }
  CHECK(!cases[0].our_check.empty());
  CHECK(!cases[1].our_check.empty());
  CHECK(cases[2].our_check.empty());  // unsorted lengths are fine for check_lengths: we pack with enforce_sorted = false
}

TEST_CASE("speed_words: a ratio of two times names the faster one, with a tie band of kSpeedTie") {
  CHECK(kSpeedTie == doctest::Approx(0.10));
  CHECK(speed_words(0.5) == "faster than");
  CHECK(speed_words(2.0) == "slower than");
  CHECK(speed_words(1.0) == "about as fast as");
  CHECK(speed_words(1.09) == "about as fast as");
  CHECK(speed_words(1.11) == "slower than");
  CHECK(speed_words(0.92) == "about as fast as");  // 1 / 1.1 = 0.909...
  CHECK(speed_words(0.90) == "faster than");
  CHECK(speed_words(1.3, 0.5) == "about as fast as");  // a wider band
  // Symmetric: A against B is the mirror of B against A.
  for (double r : {0.3, 0.85, 0.95, 1.05, 1.15, 3.0}) {
    CAPTURE(r);
    const std::string there = speed_words(r), back = speed_words(1 / r);
    CHECK((there == "faster than") == (back == "slower than"));
    CHECK((there == "about as fast as") == (back == "about as fast as"));
  }
  CHECK_THROWS_AS(speed_words(0.0), std::invalid_argument);
  CHECK_THROWS_AS(speed_words(std::nan("")), std::invalid_argument);
  CHECK_THROWS_AS(speed_words(1.0, -0.1), std::invalid_argument);
}

TEST_CASE("the program runs small, writes its CSVs and figure, and refuses bad flags") {
  using book::test::ProcessResult;
  book::test::TempDir dir("packed");
  const std::string exe = book::test::program("ch06_06_packed_sequences");
  const ProcessResult r = book::test::run_process({exe, "--samples", "64", "--batch_size", "16", "--hidden_size", "8",
                                                   "--repeats", "1", "--max_length", "40", "--out_dir", dir.path().string()});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("batch_sizes      [4, 3, 2, 1]") != std::string::npos);
  CHECK(r.out.find("data             [21, 41, 11, 31, 22, 42, 12, 23, 43, 24]") != std::string::npos);
  CHECK(r.out.find("greater than 0") != std::string::npos);
  CHECK(book::fs::exists(dir / "packing_timing.csv"));
  CHECK(book::fs::exists(dir / "packing_ratios.csv"));
  // 2 distributions × 2 passes × 3 strategies, plus the header.
  CHECK(book::test::count_lines(book::read_file(dir / "packing_timing.csv")) == 13);
  // The verdict it prints says what its own printed ratios say (skipping a ratio that rounding could
  // have moved across a boundary of the tie band).
  const auto facts = book::read_json(dir / "facts.json");
  int verdicts = 0;
  for (const std::string d : {"names", "long"}) {
    for (const std::string p : {"fwd", "train"}) {
      const std::string label = std::string(d == "names" ? "names" : "long-tailed") + ", " +
                                (p == "fwd" ? "forward:" : "forward+backward:");
      const auto at = r.out.find("  " + label);
      REQUIRE_MESSAGE(at != std::string::npos, label);
      const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
      const double packed = std::stod(facts.at(d + "_" + p + "_packed").get<std::string>());
      const double near = std::min(std::abs(packed - (1 + kSpeedTie)), std::abs(packed - 1 / (1 + kSpeedTie)));
      if (near > 0.01) {
        CHECK_MESSAGE(line.find("packed is " + speed_words(packed) + " padded") != std::string::npos, line);
        ++verdicts;
      }
    }
  }
  CHECK(verdicts >= 2);
  for (const char* key : {"names_steps", "long_steps", "padded_h_n_min", "padded_h_n_max"}) {
    CAPTURE(key);
    CHECK(r.out.find(facts.at(key).get<std::string>()) != std::string::npos);
  }

  const ProcessResult bad = book::test::run_process({exe, "--batch_size", "0", "--out_dir", dir.path().string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--batch_size") != std::string::npos);
  const ProcessResult cell = book::test::run_process({exe, "--model_type", "transformer", "--out_dir", dir.path().string()});
  CHECK(cell.exit_code == 2);
}
