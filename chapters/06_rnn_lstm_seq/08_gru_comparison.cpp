/// \file
/// Program 08: the GRU. A GRU cell from scratch in Eigen equal to torch::nn::GRUCell, LibTorch's
/// convention against the textbook form, parameter counts of RNN / GRU / LSTM from one formula,
/// their training speed, and their accuracy on a long-range task as the dependency length grows.
///
///   ch06_08_gru_comparison                          every part, CSV + SVG in --out_dir
///   ch06_08_gru_comparison --lengths 5 20 50 100    accuracy at more lengths (slower)
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/progress.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/gru_compare.h"
#include "lib/packing.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace {

struct Options {
  book::CommonOptions common;
  ch06::SpeedSetup speed;
  ch06::LongRangeSetup task;
  std::vector<std::int64_t> lengths = {5, 10, 20, 40};
  double threshold = 90.0;
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_08_gru_comparison"));
  auto& s = o.speed;
  app.add_option("--speed_batch", s.batch, "Batch size of the speed comparison")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--speed_steps", s.steps, "Sequence length of the speed comparison")->capture_default_str()->check(book::int_range(1, 2000));
  app.add_option("--speed_hidden", s.hidden, "H of the speed comparison")->capture_default_str()->check(book::int_range(1, 2048));
  app.add_option("--repeats", s.repeats, "Timed batches per layer in the speed comparison")->capture_default_str()->check(book::int_range(1, 100));
  auto& t = o.task;
  app.add_option("--lengths", o.lengths, "Sequence lengths T of the long-range task")->capture_default_str()->check(book::int_range(2, 1000));
  app.add_option("--max_steps", t.max_steps, "Training steps per run at most")->capture_default_str()->check(book::int_range(1, 100000));
  app.add_option("--batch_size", t.batch, "Sequences per training step")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--hidden_dim", t.hidden, "H of the long-range task")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--lr", t.lr, "Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--keep_gate_bias", t.keep_gate_bias, "Initial bias of the LSTM forget gate and the GRU update gate (0 = LibTorch's init)")->capture_default_str()->check(book::real_range(-20, 20));
  app.add_option("--threshold", o.threshold, "Accuracy (%) below which a layer counts as failing")->capture_default_str()->check(book::real_range(0, 100));
}

const std::vector<ch06::CellType> kCells = {ch06::CellType::kRnn, ch06::CellType::kGru, ch06::CellType::kLstm};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

struct Failures {
  int count = 0;
  void expect(bool ok) { count += ok ? 0 : 1; }
};

void show_parity(const Options& o, Failures& failures, book::Facts& facts) {
  std::cout << "== 1. A GRU cell from scratch (Eigen) against torch::nn::GRUCell, float64 ==\n"
            << "LibTorch's convention: r, z gates; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (1 - z) * n + z * h.\n";
  book::Table table({"input", "hidden", "steps x batch", "max |h_eigen - h_torch|", "within 1e-6"}, 3);
  for (auto [in, hidden] : std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 1}, {3, 5}, {10, 16}, {8, 64}}) {
    // [parity]
    const ch06::GruParity p = ch06::gru_cell_parity(in, hidden, /*steps=*/6, /*batch=*/3);
    // [parity]
    table.add_row({in, hidden, std::string("6 x 3"), p.max_diff, std::string(p.max_diff <= 1e-6 ? "yes" : "NO")});
    failures.expect(p.max_diff <= 1e-6);
  }
  std::cout << table.to_text();

  std::cout << "\n== 2. The textbook form, and z = 1 ==\n";
  book::Rng rng(o.common.seed);
  const ch06::GruWeights w = ch06::random_gru_weights(4, 6, rng);
  std::vector<Eigen::VectorXd> xs;
  for (int t = 0; t < 20; ++t) xs.push_back(Eigen::VectorXd::NullaryExpr(4, [&] { return 2.0 * book::uniform01(rng) - 1.0; }));
  const Eigen::VectorXd h0 = Eigen::VectorXd::NullaryExpr(6, [&] { return 2.0 * book::uniform01(rng) - 1.0; });
  // [textbook]
  const double free_gates = ch06::textbook_difference(w, xs, h0);
  ch06::GruForce reset_open;
  reset_open.r = 1.0;
  const double r_one = ch06::textbook_difference(w, xs, h0, reset_open);
  // [textbook]
  std::cout << "The textbook cell applies r to h before the product, tilde-h = tanh(W [r * h; x] + b), and lets z weight\n"
            << "the NEW state: h' = (1 - z) * h + z * tilde-h. Given the same numbers (the update gate negated, so that\n"
            << "its z is LibTorch's 1 - z), the two cells over 20 random steps differ by:\n"
            << fmt::format("  max |h_library - h_textbook| = {} with the gates free,\n",
                           facts.put("textbook_difference", fmt::format("{:.3g}", free_gates)))
            << fmt::format("  max |h_library - h_textbook| = {:.3g} with r forced to 1 (where r acts no longer matters).\n", r_one);
  failures.expect(free_gates > 1e-3 && r_one <= 1e-12);
  // [keep]
  ch06::GruForce keep;
  keep.z = 1.0;
  double eigen_drift = 0;
  for (const auto& step : ch06::gru_sequence(w, xs, h0, keep))
    eigen_drift = std::max(eigen_drift, (step.h - h0).cwiseAbs().maxCoeff());
  const double torch_drift = ch06::torch_gru_keep_check(4, 6, 20);
  // [keep]
  std::cout << fmt::format("z forced to 1 (LibTorch's meaning: keep the old state), 20 random inputs:\n"
                           "  Eigen cell:               max |h_t - h_0| = {:g}\n"
                           "  torch::nn::GRUCell, b_iz = 1000 (so z = sigmoid(...) = 1 exactly): max |h_t - h_0| = {:.3g}\n"
                           "  (LibTorch computes h' = n + z * (h - n), which equals h up to one rounding.)\n",
                           eigen_drift, torch_drift);
  failures.expect(eigen_drift == 0.0 && torch_drift <= 1e-12);
}

void show_parameters(const book::fs::path& out_dir, Failures& failures, book::Facts& facts) {
  std::cout << "\n== 3. Parameters of one layer (one direction): G * (H*in + H*H + 2H), G = 1 (RNN), 3 (GRU), 4 (LSTM) ==\n";
  book::Table table({"layer", "in", "H", "formula", "torch::nn layer", "torch::nn cell", "vs LSTM"}, 3);
  book::Table csv({"layer", "input", "hidden", "formula", "layer_count", "cell_count"});
  // [parameters]
  const auto rows = ch06::parameter_table({{10, 20}, {28, 64}, {128, 256}, {256, 512}, {1, 1}});
  // [parameters]
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const auto& lstm = rows[i - i % 3 + 2];  // rows come as RNN, GRU, LSTM for each size
    table.add_row({upper(ch06::cell_type_name(r.cell)), r.input_size, r.hidden_size, book::with_thousands(r.formula),
                   book::with_thousands(r.layer), book::with_thousands(r.cell_module),
                   static_cast<double>(r.formula) / static_cast<double>(lstm.formula)});
    csv.add_row({ch06::cell_type_name(r.cell), r.input_size, r.hidden_size, r.formula, r.layer, r.cell_module});
    failures.expect(r.formula == r.layer && r.formula == r.cell_module);
  }
  facts.put("rnn_vs_lstm_parameters", table.text(0, 6));  // rows 0, 1: RNN, GRU at the first size
  facts.put("gru_vs_lstm_parameters", table.text(1, 6));
  std::cout << table.to_text() << "A GRU layer has 3/4 of an LSTM's parameters, an RNN 1/4: the counts differ only by G.\n";
  const auto path = out_dir / "parameters.csv";
  csv.save_csv(path);
  std::cout << "Wrote " << path.string() << '\n';
}

void show_speed(const Options& o, const book::fs::path& out_dir, book::Facts& facts) {
  const auto& s = o.speed;
  std::cout << fmt::format("\n== 4. Speed: forward + backward of one batch (B {}, T {}, input {}, H {}), median of {} ==\n",
                           s.batch, s.steps, s.input, s.hidden, s.repeats);
  book::ProgressBar bar("timing", s.repeats + 1);
  // [speed]
  const auto rows = ch06::speed_comparison(s, [&](int done, int) { bar.update(done); });
  // [speed]
  bar.finish();
  book::Table table({"layer", "ms per batch", "time vs RNN", "time vs LSTM", "GEMM FLOPs vs RNN"}, 3);
  book::Table csv({"layer", "median_ms", "ratio_to_rnn", "ratio_to_lstm", "gemm_flops"}, 6);
  for (const auto& r : rows) {
    const double ms = 1000 * r.train_s;
    table.add_row({upper(ch06::cell_type_name(r.cell)), ms, r.train_s / rows[0].train_s, r.train_s / rows[2].train_s,
                   r.gemm_flops / rows[0].gemm_flops});
    csv.add_row({ch06::cell_type_name(r.cell), ms, r.train_s / rows[0].train_s, r.train_s / rows[2].train_s, r.gemm_flops});
  }
  facts.put("gru_vs_rnn", table.text(1, 2));  // rows: RNN, GRU, LSTM
  facts.put("lstm_vs_rnn", table.text(2, 2));
  facts.put("gru_vs_lstm", table.text(1, 3));
  std::cout << table.to_text() << "The machine may be shared: compare the ratios, not the milliseconds.\n";
  // [speed_verdict]
  const double rnn = rows[0].train_s, gru = rows[1].train_s, lstm = rows[2].train_s;
  const double gru_work = rows[1].gemm_flops / rows[0].gemm_flops;
  const double lstm_work = rows[2].gemm_flops / rows[0].gemm_flops;
  std::cout << fmt::format(
      "In this run (times within {:.0f} % of each other count as a tie):\n"
      "  the GRU was {} the RNN and {} the LSTM;\n"
      "  per unit of matrix work ({:g} and {:g} times the RNN's), the GRU was {} the RNN,\n"
      "  the LSTM {} the RNN.\n",
      100 * ch06::kSpeedTie, ch06::speed_words(gru / rnn), ch06::speed_words(gru / lstm),
      gru_work, lstm_work, ch06::speed_words(gru / rnn / gru_work),
      ch06::speed_words(lstm / rnn / lstm_work));
  // [speed_verdict]
  const auto path = out_dir / "speed.csv";
  csv.save_csv(path);
  std::cout << "Wrote " << path.string() << '\n';
}

void show_long_range(const Options& o, const book::fs::path& out_dir, book::Facts& facts) {
  const auto& t = o.task;
  std::cout << fmt::format(
      "\n== 5. Accuracy against dependency length: name the FIRST token of a length-T sequence ==\n"
      "{} classes (chance {:.0f}%), then T - 1 random distractors; embedding {} -> one layer, H {} -> linear on h_n.\n"
      "Adam lr {}, batches of {} fresh sequences, at most {} steps (stopping early after {} batches in a row at\n"
      "100%), clipping at {}. The LSTM forget gate and the GRU update gate start with bias {} (keep memory).\n"
      "Accuracy on {} fresh sequences. The same seed, so the same data, for every layer.\n",
      t.classes, 100.0 / static_cast<double>(t.classes), t.embed, t.hidden, t.lr, t.batch, t.max_steps, t.solved_streak,
      t.clip, t.keep_gate_bias, t.test_size);
  book::Table table({"T", "layer", "accuracy %", "steps", "seconds"}, 4);
  book::Table csv({"T", "rnn", "gru", "lstm"}, 6);
  std::vector<std::vector<ch06::LongRangeResult>> results;
  book::ProgressBar bar("training", static_cast<std::int64_t>(o.lengths.size() * kCells.size()));
  std::int64_t done = 0;
  for (std::int64_t length : o.lengths) {
    std::vector<ch06::LongRangeResult> row;
    for (auto cell : kCells) {
      // [long_range]
      const ch06::LongRangeResult r = ch06::train_first_token(cell, length, t, o.common.seed);
      // [long_range]
      row.push_back(r);
      bar.update(++done, fmt::format("T {} {}", length, ch06::cell_type_name(cell)));
    }
    results.push_back(row);
  }
  bar.finish();
  for (const auto& row : results) {
    for (const auto& r : row) {
      table.add_row({r.length, upper(ch06::cell_type_name(r.cell)), r.accuracy, r.steps, r.seconds});
      const std::string key = ch06::cell_type_name(r.cell) + "_t" + std::to_string(r.length);
      facts.put(key + "_accuracy", table.text(table.rows().size() - 1, 2));
      facts.put(key + "_steps", table.text(table.rows().size() - 1, 3));
    }
    csv.add_row({row[0].length, row[0].accuracy, row[1].accuracy, row[2].accuracy});
  }
  std::cout << table.to_text();
  // Which layer fails first as T grows?
  for (std::size_t c = 0; c < kCells.size(); ++c) {
    std::string at = "never";
    for (const auto& row : results) {
      if (row[c].accuracy < o.threshold) {
        at = "T = " + std::to_string(row[c].length);
        break;
      }
    }
    std::cout << fmt::format("{:<5} first below {:.0f}%: {}\n", upper(ch06::cell_type_name(kCells[c])), o.threshold,
                             facts.put(ch06::cell_type_name(kCells[c]) + "_first_below", at));
  }
  auto failing_index = [&](std::size_t c) {
    for (std::size_t i = 0; i < results.size(); ++i) {
      if (results[i][c].accuracy < o.threshold) return i;
    }
    return results.size();
  };
  const std::size_t rnn = failing_index(0), gru = failing_index(1), lstm = failing_index(2);
  if (rnn < gru && rnn < lstm) {
    std::cout << "The RNN degrades first, as the chapter says: its gradient through T steps shrinks (program 03),\n"
                 "while the gates' additive path lets the GRU and the LSTM carry the first token to the end.\n";
  } else {
    std::cout << "In this run the RNN did NOT degrade first (see the table): more steps, other lengths or seeds\n"
                 "may change the order.\n";
  }
  std::cout.flush();  // gnuplot writes to the same terminal
  const auto path = out_dir / "gru_accuracy_vs_length.csv";
  csv.save_csv(path);
  const auto svg = book::plot_svg(
      fmt::format("set grid\nset logscale x\nset xrange [{:g}:{:g}]\nset xtics ({})\nset xlabel 'sequence length T (dependency distance T - 1)'\n"
                  "set ylabel 'test accuracy (%)'\nset yrange [0:105]\n"
                  "set title 'Remembering the first token: RNN vs GRU vs LSTM'\n"
                  "plot 'gru_accuracy_vs_length.csv' using 1:2 skip 1 with linespoints lw 2 pt 7 title 'RNN', "
                  "'' using 1:3 skip 1 with linespoints lw 2 pt 5 title 'GRU', "
                  "'' using 1:4 skip 1 with linespoints lw 2 pt 9 title 'LSTM', "
                  "{:.2f} with lines dt 2 lc rgb '#888888' title 'chance'\n",
                  0.8 * static_cast<double>(*std::min_element(o.lengths.begin(), o.lengths.end())),
                  1.25 * static_cast<double>(*std::max_element(o.lengths.begin(), o.lengths.end())),
                  fmt::join(o.lengths, ", "),
                  100.0 / static_cast<double>(t.classes)),
      out_dir / "gru_accuracy_vs_length.svg");
  std::cout << "Wrote " << path.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
}

// Sizes whose activations would not fit are refused before anything is allocated: a training batch
// keeps about 8 values per hidden unit and step for the backward pass (an LSTM's four gates, its cell
// and hidden states, and their gradients), plus its inputs.
constexpr std::int64_t kMaxValues = 250'000'000;  // 1 GB of float32

void check_flags(const Options& o) {
  const auto& s = o.speed;
  const std::int64_t speed = s.batch * s.steps * (8 * s.hidden + s.input);
  if (speed > kMaxValues) {
    throw book::UsageError("--speed_batch/--speed_steps/--speed_hidden give " + book::with_thousands(speed) +
                           " values of activations; the limit is " + book::with_thousands(kMaxValues));
  }
  const auto& t = o.task;
  const std::int64_t longest = *std::max_element(o.lengths.begin(), o.lengths.end());
  const std::int64_t task = std::max(t.batch, t.test_size) * longest * (8 * t.hidden + t.embed);
  if (task > kMaxValues) {
    throw book::UsageError("--batch_size/--lengths/--hidden_dim give " + book::with_thousands(task) +
                           " values of activations; the limit is " + book::with_thousands(kMaxValues));
  }
}

int run(const Options& o) {
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common, /*force_cpu=*/true);
  std::cout << fmt::format("Threads: torch {}, BLAS {} | {}\n\n", run.threads.torch_threads, run.threads.blas_threads,
                           run.threads.blas);
  Failures failures;
  book::Facts facts;  // the numbers the page quotes, as printed
  show_parity(o, failures, facts);
  show_parameters(out_dir, failures, facts);
  show_speed(o, out_dir, facts);
  show_long_range(o, out_dir, facts);
  facts.write(out_dir);
  if (failures.count > 0) throw std::runtime_error(std::to_string(failures.count) + " GRU checks failed");
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 08: a GRU cell from scratch equal to torch::nn::GRUCell; parameter counts, speed and "
               "long-range accuracy of RNN, GRU and LSTM.",
               "ch06_08_gru_comparison"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return run(options);
  });
}
