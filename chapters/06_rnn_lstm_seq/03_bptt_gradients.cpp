/// \file
/// Program 03: backpropagation through time by hand, checked two ways, and the vanishing and
/// exploding gradients it reveals.
///
///   ch06_03_bptt_gradients                 the checks, then the experiment (CSV + SVG in --out_dir)
///   ch06_03_bptt_gradients --steps 60      a longer sequence
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/scratch_parity.h"
#include "lib/scratch_rnn.h"

#include <fmt/format.h>

#include <iostream>

namespace {

struct Options {
  book::CommonOptions common;
  int steps = 50;             // T of the experiment
  int hidden = 32;            // H of the experiment
  double input_scale = 0.5;   // inputs of the second regime
  double forget_bias = 3.0;   // the LSTM's initial forget-gate bias
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_03_bptt_gradients"));
  app.add_option("--steps", o.steps, "Sequence length T of the experiment; the loss looks at step T")
      ->capture_default_str()->check(book::int_range(2, 1000));
  app.add_option("--hidden", o.hidden, "Hidden size H of the experiment's RNNs and LSTM")
      ->capture_default_str()->check(book::int_range(2, 512));
  app.add_option("--input_scale", o.input_scale, "Standard deviation of the inputs in the second regime")
      ->capture_default_str()->check(book::real_range(0, 100));
  app.add_option("--forget_bias", o.forget_bias, "Initial bias of the LSTM's forget gate (0 = LibTorch's init)")
      ->capture_default_str()->check(book::real_range(-20, 20));
}

std::string verdict(bool ok) { return ok ? "PASS" : "FAIL"; }

// [checks]
bool run_gradient_checks(std::uint64_t seed) {
  bool all_ok = true;
  std::cout
      << "1. Manual BPTT against central finite differences, every entry, float64\n"
         "   (pass: relative error <= 1e-6, or absolute error <= 1e-10 where |gradient| <= 1e-6)\n";
  ch06::GradTolerance fd_tol;  // rel 1e-6, absolute 1e-10 below 1e-6
  for (int layers : {1, 2}) {
    book::Rng rng(seed + static_cast<std::uint64_t>(layers));
    const ch06::RnnSizes sizes{3, 4, 3, layers};
    const ch06::ScratchRnn model = ch06::make_scratch_rnn(sizes, rng);
    ch06::Sequence xs;
    std::vector<int> targets;
    for (int t = 0; t < 6; ++t) {
      xs.push_back(ch06::Vec::NullaryExpr(3, [&] { return 2.0 * book::uniform01(rng) - 1.0; }));
      targets.push_back(static_cast<int>(book::uniform_below(rng, 3)));
    }
    const ch06::GradCheck c = ch06::finite_difference_check(model, xs, targets, {}, 1e-5, fd_tol);
    std::cout << fmt::format(
        "   {} layer(s), T = 6: {} entries, max relative error {:.2e} (at {}), "
        "max absolute error near zero {:.2e}: {}\n",
        layers, c.entries, c.max_rel_error, c.worst, c.max_abs_error, verdict(c.ok()));
    all_ok &= c.ok();
  }
  std::cout
      << "2. Manual BPTT against LibTorch autograd on the same weights, float64 (pass: <= 1e-9)\n";
  ch06::GradTolerance ag_tol;
  ag_tol.rel = 1e-9;
  ag_tol.abs_floor = 1e-9;
  ag_tol.abs = 1e-12;
  for (int layers : {1, 2}) {
    const ch06::BpttVsAutograd r =
        ch06::bptt_vs_autograd({5, 8, 4, layers}, 12, seed + 10 + layers, ag_tol);
    const bool ok = r.params.ok() && r.hidden.ok() && r.inputs.ok();
    std::cout << fmt::format(
        "   {} layer(s), T = 12: loss {:.12f} vs {:.12f}; max relative error: parameters {:.1e}, "
        "dL/dh_t {:.1e}, dL/dx_t {:.1e}: {}\n",
        layers, r.loss_manual, r.loss_torch, r.params.max_rel_error, r.hidden.max_rel_error,
        r.inputs.max_rel_error, verdict(ok));
    all_ok &= ok;
  }
  return all_ok;
}
// [checks]

// The curves of one regime: the three RNNs by BPTT, and the LSTM by autograd, on the same inputs.
struct Curves {
  std::vector<std::vector<double>> rnn;  // one per radius
  ch06::LstmGradientFlow lstm;
};

const std::vector<double> kRadii = {0.5, 1.0, 1.5};

// [experiment]
Curves run_regime(const Options& o, double input_scale) {
  ch06::GradientFlowSetup setup;
  setup.hidden = o.hidden;
  setup.steps = o.steps;
  setup.input_scale = input_scale;
  book::Rng input_rng(o.common.seed + 1);
  const ch06::Sequence xs = ch06::make_gradient_flow_inputs(setup, input_rng);
  Curves c;
  for (double radius : kRadii) {
    book::Rng rng(o.common.seed);  // the same random W_hh for every radius, only scaled differently
    const ch06::ScratchRnn model = ch06::make_gradient_flow_rnn(setup, radius, rng);
    c.rnn.push_back(ch06::rnn_gradient_norms(model, xs));
  }
  c.lstm = ch06::lstm_gradient_norms(setup.input, setup.hidden, o.forget_bias, xs, o.common.seed);
  return c;
}
// [experiment]

// The distances shown in the tables: the first few, then every 10, then the first step.
std::vector<int> shown_distances(int steps) {
  std::vector<int> shown;
  for (int k : {0, 1, 2, 5, 10, 20, 30, 40, 100, 200, 500}) {
    if (k < steps - 1) shown.push_back(k);
  }
  shown.push_back(steps - 1);  // the first step of the sequence
  return shown;
}

// Prints one regime's table and records, under `prefix`, the norms at the far end (k = T - 1) and
// each RNN column's factor per step back (the geometric mean over the T - 1 steps).
void print_regime(const std::string& title, const Curves& c, int steps, const std::string& prefix,
                  book::Facts& facts) {
  std::cout << title << '\n';
  book::Table table({"distance k", "RNN r=0.5", "RNN r=1.0", "RNN r=1.5", "LSTM dL/dh", "LSTM dL/dc"}, 3);
  for (int k : shown_distances(steps)) {
    const auto K = static_cast<std::size_t>(k);
    table.add_row({std::int64_t{k}, c.rnn[0][K], c.rnn[1][K], c.rnn[2][K], c.lstm.dh[K], c.lstm.dc[K]});
  }
  std::vector<book::Cell> factor = {std::string("per step")};
  for (const auto& curve : c.rnn) factor.push_back(std::pow(curve.back() / curve.front(), 1.0 / (steps - 1)));
  factor.push_back(std::string("-"));
  factor.push_back(std::string("-"));
  table.add_row(factor);
  std::cout << table.to_text();
  const std::size_t far = table.rows().size() - 2, per_step = far + 1;
  const std::vector<std::string> names = {"r05", "r10", "r15", "lstm_dh", "lstm_dc"};
  for (std::size_t col = 1; col <= names.size(); ++col) {
    facts.put(prefix + "_far_" + names[col - 1], table.text(far, col));
    if (col <= 3) facts.put(prefix + "_per_step_" + names[col - 1], table.text(per_step, col));
  }
  facts.put(prefix + "_lstm_dc_0", table.text(0, 5));
}

// [lane]
// The LSTM's dL/dc_t split into the cell lane and what joins it at each step: the table for
// regime (a), then the far end of both regimes in words.
void print_lstm_lane(const Curves& a, const Curves& b, int steps, book::Facts& facts) {
  std::cout << "\nThe LSTM's cell lane, (a) at the origin. Going back one step,\n"
               "  dL/dc_t = f_{t+1} * dL/dc_{t+1} + o_t * tanh'(c_t) * dL/dh_t:\n"
               "the lane carries the gradient back through the forget gates, and at every step more\n"
               "joins it through h_t.\n";
  book::Table table({"distance k", "dL/dc", "lane only", "joins at t", "mean o_t tanh'(c_t)",
                     "mean |c_t|"}, 3);
  for (int k : shown_distances(steps)) {
    const auto K = static_cast<std::size_t>(k);
    table.add_row({std::int64_t{k}, a.lstm.dc[K], a.lstm.lane_only[K], a.lstm.joining[K],
                   a.lstm.join_gate[K], a.lstm.cell_size[K]});
  }
  std::cout << table.to_text() << "(lane only: ||f_{t+1} * ... * f_T * dL/dc_T||, what the forget "
                                  "gates alone would leave of dL/dc_T.)\n";
  const std::size_t far = table.rows().size() - 1;
  facts.put("a_join_gate_far", table.text(far, 4));
  facts.put("a_join_gate_0", table.text(0, 4));
  facts.put("a_cell_size_far", table.text(far, 5));
  facts.put("a_cell_size_0", table.text(0, 5));
  facts.put("a_joins_far", table.text(far, 3));
  std::size_t mid = 0;  // the row nearest the middle of the sequence
  for (std::size_t r = 0; r < table.rows().size(); ++r) {
    const auto k = static_cast<double>(std::get<std::int64_t>(table.rows()[r][0]));
    const auto best = static_cast<double>(std::get<std::int64_t>(table.rows()[mid][0]));
    if (std::abs(k - (steps - 1) / 2.0) < std::abs(best - (steps - 1) / 2.0)) mid = r;
  }
  facts.put("a_joins_mid", table.text(mid, 3));
  facts.put("a_mid_k", table.text(mid, 0));
  for (const auto& [name, c] : {std::pair<std::string, const Curves*>{"a", &a}, {"b", &b}}) {
    const double ratio = c->lstm.dc.back() / c->lstm.lane_only.back();
    std::cout << fmt::format(
        "({}) Over the {} steps the forget gates multiply to {} (mean f {}): along the lane alone\n"
        "    ||dL/dc_1|| would be {}; autograd measures {}, {} times {}.\n",
        name, steps - 1, facts.put(name + "_forget_product", fmt::format("{:.3g}", c->lstm.forget_product)),
        facts.put(name + "_mean_forget", fmt::format("{:.3f}", c->lstm.mean_forget)),
        facts.put(name + "_lane_far", fmt::format("{:.3g}", c->lstm.lane_only.back())),
        fmt::format("{:.3g}", c->lstm.dc.back()),
        facts.put(name + "_lane_ratio", fmt::format("{:.0f}", ratio >= 1 ? ratio : 1 / ratio)),
        ratio >= 1 ? "more" : "less");
  }
  std::cout << fmt::format("The split holds at every step to a relative {} (autograd against the "
                           "formula).\n",
                           facts.put("lane_identity_error",
                                     fmt::format("{:.0e}", std::max(a.lstm.identity_error,
                                                                    b.lstm.identity_error))));
}
// [lane]

int run(const Options& o) {
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::start_run(o.common, /*force_cpu=*/true);
  std::cout << "== Gradient checks of the from-scratch BPTT ==\n";
  const bool checks_ok = run_gradient_checks(o.common.seed);

  std::cout << fmt::format("\n== ||dL/dh_t|| for a loss at step T = {}, at distance k = T - t ==\n", o.steps)
            << fmt::format("RNN: H = {}, W_hh ~ N(0, 1/H) scaled to spectral radius r; "
                           "LSTM: H = {}, forget-gate bias {} (f = {:.3f} at zero input)\n",
                           o.hidden, o.hidden, o.forget_bias, 1.0 / (1.0 + std::exp(-o.forget_bias)));
  const Curves origin = run_regime(o, 0.0);
  const Curves inputs = run_regime(o, o.input_scale);
  book::Facts facts;
  print_regime("(a) at the origin (x_t = 0, so h_t = 0, tanh' = 1 and dh_t/dh_{t-1} = W_hh):", origin, o.steps,
               "a", facts);
  print_regime(fmt::format("(b) with inputs x_t ~ N(0, {}^2) (states move away from 0, tanh' < 1):", o.input_scale),
               inputs, o.steps, "b", facts);
  print_lstm_lane(origin, inputs, o.steps, facts);

  // [csv]
  book::Table csv({"k", "t", "rnn_r0.5", "rnn_r1.0", "rnn_r1.5", "lstm_h", "lstm_c", "rnn_r0.5_inputs",
                   "rnn_r1.0_inputs", "rnn_r1.5_inputs", "lstm_h_inputs", "lstm_c_inputs"},
                  8);
  for (int k = 0; k < o.steps; ++k) {
    const auto K = static_cast<std::size_t>(k);
    csv.add_row({std::int64_t{k}, std::int64_t{o.steps - k}, origin.rnn[0][K], origin.rnn[1][K], origin.rnn[2][K],
                 origin.lstm.dh[K], origin.lstm.dc[K], inputs.rnn[0][K], inputs.rnn[1][K], inputs.rnn[2][K],
                 inputs.lstm.dh[K], inputs.lstm.dc[K]});
  }
  const auto csv_path = out_dir / "gradient_norms.csv";
  csv.save_csv(csv_path);
  const std::string style =
      "set logscale y\nset format y '10^{%L}'\nset xlabel 'distance k = T - t (steps back from the loss)'\n"
      "set ylabel 'gradient norm'\nset key outside right top vertical\nset grid\n";
  const std::string curves = "'gradient_norms.csv' using 1:{0} with lines lw 2 title 'RNN r = 0.5', "
                             "'' using 1:{1} with lines lw 2 title 'RNN r = 1.0', "
                             "'' using 1:{2} with lines lw 2 title 'RNN r = 1.5', "
                             "'' using 1:{3} with lines lw 2 dt 2 title 'LSTM ||dL/dh_t||', "
                             "'' using 1:{4} with lines lw 2 dt 3 title 'LSTM ||dL/dc_t||'\n";
  const auto svg = book::plot_svg(
      "set terminal svg size 900,720 dynamic enhanced font 'Helvetica,13'\n"
      "set output 'gradient_norms.svg'\n" + style + "set multiplot layout 2,1\n"
      "set title '(a) at the origin: dh_t/dh_{t-1} = W_{hh}'\nplot " + fmt::format(curves, 3, 4, 5, 6, 7) +
      "set title '(b) with inputs: tanh saturates'\nplot " + fmt::format(curves, 8, 9, 10, 11, 12) + "unset multiplot\n",
      out_dir / "gradient_norms.svg");
  // [csv]
  std::cout << "\nReading the curves: below radius 1 the gradient shrinks geometrically (vanishing); above 1 it\n"
               "grows geometrically while tanh' stays near 1 (exploding), and saturating states cap the growth.\n"
               "Along the LSTM's cell lane each step multiplies the gradient by f_t, not by W_hh tanh'; what\n"
               "joins the lane through h_t at every step keeps dL/dc_t from following the product of the f_t.\n";
  std::cout << "Wrote " << csv_path.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
  facts.write(out_dir);
  if (!checks_ok) throw std::runtime_error("a gradient check failed");
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 03: backpropagation through time by hand, checked against finite differences and "
               "LibTorch autograd; vanishing and exploding gradients for spectral radius 0.5, 1.0 and 1.5, "
               "and an LSTM for comparison.",
               "ch06_03_bptt_gradients"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] { return run(options); });
}
