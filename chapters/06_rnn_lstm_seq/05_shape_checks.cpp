/// \file
/// Program 05: the shapes of RNN, LSTM and GRU layers, and where their final states sit in the
/// output: the original demo, a shape table over every layout, the two halves of a bidirectional
/// output, time-first against batch-first, a loop of cells against the module, and the common
/// mistake of taking output[:, -1] as the final state.
///
///   ch06_05_shape_checks                    every check, CSV + SVG in --out_dir
///   ch06_05_shape_checks --hidden_size 7    the same table for another H
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/shapes.h"

#include <fmt/format.h>

#include <iostream>
#include <limits>

namespace {

struct Options {
  book::CommonOptions common;
  ch06::ShapeProblem problem;
  std::int64_t drift_length = 4;
  std::int64_t drift_padded_to = 16;
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_05_shape_checks"));
  auto& p = o.problem;
  app.add_option("--batch", p.batch, "B of the shape table")->capture_default_str()->check(book::int_range(1, 64));
  app.add_option("--steps", p.steps, "T of the shape table")->capture_default_str()->check(book::int_range(1, 64));
  app.add_option("--input_size", p.input, "Features per step in the shape table")->capture_default_str()->check(book::int_range(1, 256));
  app.add_option("--hidden_size", p.hidden, "H of the shape table")->capture_default_str()->check(book::int_range(1, 256));
  app.add_option("--drift_length", o.drift_length, "True length of the sequence in the padding-drift figure")->capture_default_str()->check(book::int_range(1, 100));
  app.add_option("--drift_padded_to", o.drift_padded_to, "Padded length in the padding-drift figure (at least --drift_length)")->capture_default_str()->check(book::int_range(1, 200));
}

const std::vector<ch06::CellType> kCells = {ch06::CellType::kRnn, ch06::CellType::kLstm, ch06::CellType::kGru};

std::string sizes(const std::vector<std::int64_t>& v) {
  return v.empty() ? std::string("-") : fmt::format("[{}]", fmt::join(v, ", "));
}

std::string verdict(double diff) { return diff <= ch06::kSameStateTol ? "equal" : "DIFFERENT"; }

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// Counts failed checks, so the program can end with exit code 1 if LibTorch ever disagrees.
struct Failures {
  int count = 0;
  void expect(bool ok) { count += ok ? 0 : 1; }
};

void show_original(Failures& failures) {
  std::cout << "== 1. The original demo: LSTM(10 -> 20), input randn(3, 5, 10), batch_first = true ==\n";
  // [demo]
  const ch06::OriginalDemo demo = ch06::original_demo();
  std::cout << "Input shape:  " << ch06::shape_string(demo.input) << "   (batch, steps, features)\n"
            << "Output shape: " << ch06::shape_string(demo.result.output) << "   (batch, steps, H): the state at every step\n"
            << "h_n shape:    " << ch06::shape_string(demo.result.h_n) << "   (layers x directions, batch, H): the final state\n"
            << "c_n shape:    " << ch06::shape_string(demo.result.c_n) << "   the LSTM's final cell state\n";
  std::cout << "allclose(output.select(1, -1), h_n[-1]) = " << (demo.last_step_equals_h ? "true" : "false")
            << ": the output's last step (output[:, -1] in PyTorch)\nis the final hidden state.\n";
  // [demo]
  failures.expect(demo.last_step_equals_h);
}

void show_table(const Options& o, const book::fs::path& out_dir, Failures& failures, book::Facts& facts) {
  const auto& p = o.problem;
  std::cout << fmt::format("\n== 2. Shapes for B = {}, T = {}, input {}, H = {} ==\n", p.batch, p.steps, p.input, p.hidden)
            << "Expected: output [B, T, D*H] if batch_first, else [T, B, D*H]; h_n and c_n [L*D, B, H] in both layouts\n"
            << "(L layers, D = 2 if bidirectional). 'final states' compares h_n with the output: the last step\n"
            << "against h_n[-1] (unidirectional), or the forward half of the last step against h_n[-2] and the\n"
            << "backward half of the first step against h_n[-1] (bidirectional). Float64, tolerance 1e-12.\n";
  book::Table table({"layer", "batch_first", "layers", "bidirectional", "input", "output", "h_n", "c_n", "final states"});
  book::Table csv({"layer", "batch_first", "layers", "bidirectional", "input", "output", "h_n", "c_n", "final_state_error"});
  int equal = 0;
  for (auto cell : kCells) {
    // [table]
    for (const ch06::ShapeRow& r : ch06::shape_table(cell, p)) {
      // [table]
      const std::string layer = upper(ch06::cell_type_name(cell));
      table.add_row({layer, std::string(r.batch_first ? "true" : "false"), r.num_layers,
                     std::string(r.bidirectional ? "true" : "false"), sizes(r.input), sizes(r.output), sizes(r.h_n),
                     sizes(r.c_n), verdict(r.final_state_error)});
      csv.add_row({layer, std::int64_t{r.batch_first}, r.num_layers, std::int64_t{r.bidirectional}, sizes(r.input),
                   sizes(r.output), sizes(r.h_n), sizes(r.c_n), r.final_state_error});
      failures.expect(r.final_state_error <= ch06::kSameStateTol);
      equal += r.final_state_error <= ch06::kSameStateTol ? 1 : 0;
    }
  }
  std::cout << table.to_text()
            << fmt::format("{} configurations; in {} of them h_n sits where the formulas put it.\n",
                           facts.put("configurations", std::to_string(table.rows().size())),
                           facts.put("configurations_equal", std::to_string(equal)));
  const auto path = out_dir / "shape_table.csv";
  csv.save_csv(path);
  std::cout << "Wrote " << path.string() << '\n';
}

void show_bidirectional(const Options& o, Failures& failures) {
  std::cout << "\n== 3. A bidirectional layer: which half of the output is the final state? ==\n"
            << "The forward direction ends at the last step; the backward direction reads from the end and ends\n"
            << "at step 0. The forward half of the output is output.narrow(2, 0, H), the backward half\n"
            << "output.narrow(2, H, H) (output[:, :, :H] and output[:, :, H:] in PyTorch).\n"
            << "Max |difference| (float64):\n";
  book::Table table({"layer", "layers", "forward half, last step vs h_n[-2]",
                     "backward half, first step vs h_n[-1]", "backward half, last step vs h_n[-1] (mistake)"}, 3);
  for (auto cell : kCells) {
    for (std::int64_t layers : {1, 2}) {
      const ch06::BidirectionalCheck c = ch06::bidirectional_check(cell, layers, o.problem);
      table.add_row({upper(ch06::cell_type_name(cell)), layers, c.forward_last_vs_h_fwd, c.backward_first_vs_h_bwd,
                     c.backward_last_vs_h_bwd});
      failures.expect(c.forward_last_vs_h_fwd <= ch06::kSameStateTol && c.backward_first_vs_h_bwd <= ch06::kSameStateTol);
      failures.expect(c.backward_last_vs_h_bwd > 1e-6);
    }
  }
  std::cout << table.to_text()
            << "The last column is not rounding: the backward half of the last step has read only that step.\n"
            << "The whole-sequence summary of a bidirectional layer is torch::cat({h_n[-2], h_n[-1]}, 1),\n"
            << "not output.select(1, -1).\n";
}

void show_layouts_and_loops(const Options& o, Failures& failures) {
  std::cout << "\n== 4. Time-first vs batch-first, and a loop of cells vs the module (float64) ==\n"
            << "Layouts: the same weights; the time-first output transposed to [B, T, D*H] against the batch-first one.\n"
            << "Cells: RNNCell / LSTMCell / GRUCell with the module's weights copied in, called once per step,\n"
            << "layer by layer, the backward direction over the reversed sequence.\n";
  book::Table table({"layer", "layers", "bidirectional", "layouts max |diff|", "cell loop: output", "cell loop: h_n",
                     "cell loop: c_n"}, 3);
  for (auto cell : kCells) {
    for (auto [layers, bidirectional] : std::vector<std::pair<std::int64_t, bool>>{{1, false}, {2, true}}) {
      const double layout = ch06::layout_difference(cell, layers, bidirectional, o.problem);
      // [loop]
      const ch06::CellLoopCheck loop = ch06::cell_loop_check(cell, layers, bidirectional, o.problem);
      // [loop]
      table.add_row({upper(ch06::cell_type_name(cell)), layers, std::string(bidirectional ? "true" : "false"), layout,
                     loop.output, loop.h_n, loop.c_n});
      failures.expect(layout <= ch06::kSameStateTol);
      failures.expect(loop.output <= ch06::kSameStateTol && loop.h_n <= ch06::kSameStateTol && loop.c_n <= ch06::kSameStateTol);
    }
  }
  std::cout << table.to_text() << "All differences are float64 rounding: the layouts and the loops compute the same numbers.\n";
}

void show_mistake(const Options& o, const book::fs::path& out_dir, Failures& failures, book::Facts& facts) {
  const std::vector<std::int64_t> lengths = {5, 3, 2};
  std::cout << "\n== 5. The common mistake: output.select(1, -1) of a padded batch as \"the final state\" ==\n"
            << "A batch of 3 sequences of lengths 5, 3, 2, right-padded with zeros to 5 steps, run WITHOUT packing.\n"
            << "The truth is each sequence run alone, unpadded. Max |difference| per sequence:\n";
  book::Table table({"layer", "length", "output[b][-1]", "h_n[-1][b] (padded run)", "output[b][length - 1]"}, 3);
  ch06::FinalStateMistake lstm;
  double wrong_min = std::numeric_limits<double>::infinity(), wrong_max = 0;
  for (auto cell : kCells) {
    // [mistake]
    const ch06::FinalStateMistake m = ch06::padded_final_state_mistake(cell, lengths, o.problem);
    // [mistake]
    for (std::size_t b = 0; b < lengths.size(); ++b) {
      table.add_row({upper(ch06::cell_type_name(cell)), lengths[b], m.naive_error[b], m.padded_h_n_error[b],
                     m.gathered_error[b]});
      failures.expect(m.gathered_error[b] <= ch06::kSameStateTol);
      failures.expect(b == 0 || m.naive_error[b] > 1e-6);
      if (lengths[b] < lengths[0]) {
        wrong_min = std::min(wrong_min, m.naive_error[b]);
        wrong_max = std::max(wrong_max, m.naive_error[b]);
      }
    }
    if (cell == ch06::CellType::kLstm) lstm = m;
  }
  std::cout << table.to_text()
            << fmt::format("The padded sequences' last outputs are off by {} to {}.\n",
                           facts.put("padded_error_min", fmt::format("{:.3g}", wrong_min)),
                           facts.put("padded_error_max", fmt::format("{:.3g}", wrong_max)))
            << "The full-length sequence (length 5) is right either way; every padded one is wrong unless you read\n"
            << "its state at its own last real step, or pack the batch (program 06) so h_n is right by itself.\n";
  // [caught]
  try {
    ch06::expect_same_state(lstm.naive, lstm.truth, ch06::kSameStateTol,
                            "output.select(1, -1) of the padded LSTM batch");
    failures.expect(false);  // never reached: the mistake is real
  } catch (const std::logic_error& e) {
    std::cout << "Caught: " << e.what() << '\n';
  }
  ch06::expect_same_state(lstm.gathered, lstm.truth, ch06::kSameStateTol, "output[b][length - 1]");
  std::cout << "Passed: output[b][length - 1] (ch06::last_real_step) is the final state of every "
               "sequence.\n";
  // [caught]

  // The figure: how far the state drifts from the true final state once it reads pads.
  book::Table drift({"step", "rnn", "lstm", "gru"}, 6);
  std::vector<std::vector<double>> curves;
  for (auto cell : kCells) curves.push_back(ch06::pad_drift(cell, o.drift_length, o.drift_padded_to, o.problem));
  for (std::int64_t t = 0; t < o.drift_padded_to; ++t) {
    const auto i = static_cast<std::size_t>(t);
    drift.add_row({t + 1, curves[0][i], curves[1][i], curves[2][i]});
  }
  const auto csv_path = out_dir / "pad_drift.csv";
  std::cout.flush();  // gnuplot writes to the same terminal
  drift.save_csv(csv_path);
  const auto svg = book::plot_svg(
      fmt::format("set grid\nset key outside right top vertical\nset xlabel 'time step t (the sequence has {0} real steps, then zeros)'\n"
                  "set ylabel '|h_t - h_{{true}}|'\nset title 'The state keeps moving after the last real step'\n"
                  "set arrow from {0},graph 0 to {0},graph 1 nohead dt 2 lc rgb '#888888'\n"
                  "plot 'pad_drift.csv' using 1:2 skip 1 with linespoints lw 2 title 'RNN', "
                  "'' using 1:3 skip 1 with linespoints lw 2 title 'LSTM', '' using 1:4 skip 1 with linespoints lw 2 title 'GRU'\n",
                  o.drift_length),
      out_dir / "pad_drift.svg");
  std::cout << "Wrote " << csv_path.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
}

int run(const Options& o) {
  if (o.drift_padded_to < o.drift_length) {
    throw book::UsageError("--drift_padded_to must be at least --drift_length");
  }
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::start_run(o.common, /*force_cpu=*/true);
  Failures failures;
  book::Facts facts;
  show_original(failures);
  show_table(o, out_dir, failures, facts);
  show_bidirectional(o, failures);
  show_layouts_and_loops(o, failures);
  show_mistake(o, out_dir, failures, facts);
  facts.write(out_dir);
  if (failures.count > 0) throw std::runtime_error(std::to_string(failures.count) + " shape checks failed");
  std::cout << "\nAll shape checks passed.\n";
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 05: shapes of RNN/LSTM/GRU layers and where their final states sit in the output "
               "(batch_first, layers, bidirectional, cell loops, the output.select(1, -1) mistake).",
               "ch06_05_shape_checks"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] { return run(options); });
}
