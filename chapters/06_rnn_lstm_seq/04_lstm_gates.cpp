/// \file
/// Program 04: the LSTM cell from scratch in Eigen, equal to LibTorch's, its cell-state highway,
/// and the gates of a trained LSTM traced over a sequence that needs memory.
///
///   ch06_04_lstm_gates                 every part, CSV + SVG in --out_dir
///   ch06_04_lstm_gates --gap 40        remember the first token over 40 steps
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/memory_lstm.h"
#include "lib/scratch_lstm.h"
#include "lib/scratch_parity.h"

#include <fmt/format.h>

#include <iostream>

namespace {

struct Options {
  book::CommonOptions common;
  ch06::MemoryTaskOptions task;
  int carry_steps = 1000;
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_04_lstm_gates"));
  auto& t = o.task;
  app.add_option("--gap", t.gap, "Distractor steps between the token to remember and the answer")->capture_default_str()->check(book::int_range(1, 500));
  app.add_option("--signals", t.signals, "Tokens to remember (classes; chance is 1/signals)")->capture_default_str()->check(book::int_range(2, 26));
  app.add_option("--distractors", t.distractors, "Distractor tokens")->capture_default_str()->check(book::int_range(1, 26));
  app.add_option("--train_samples", t.train_samples, "Training sequences")->capture_default_str()->check(book::int_range(10, 1'000'000));
  app.add_option("--test_samples", t.test_samples, "Held-out sequences")->capture_default_str()->check(book::int_range(10, 100'000));
  app.add_option("--hidden_dim", t.hidden, "LSTM units")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--embed_dim", t.embed, "Embedding size")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--epochs", t.epochs, "Training epochs")->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--batch_size", t.batch_size, "Sequences per batch")->capture_default_str()->check(book::int_range(1, 65536));
  app.add_option("--lr", t.lr, "Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--forget_bias", t.forget_bias, "Initial forget-gate bias")->capture_default_str()->check(book::real_range(-20, 20));
  app.add_option("--carry_steps", o.carry_steps, "Steps of the f = 1, i = 0 demonstration")->capture_default_str()->check(book::int_range(1, 1'000'000));
}

// Data larger than this is refused before anything is generated.
constexpr std::int64_t kMaxTokens = 20'000'000;

void check_flags(const Options& o) {
  const auto& t = o.task;
  const std::int64_t tokens = (t.train_samples + t.test_samples) * (t.gap + 1);
  if (tokens > kMaxTokens) {
    throw book::UsageError("--train_samples/--test_samples/--gap give " + book::with_thousands(tokens) + " tokens; the limit is " +
                           book::with_thousands(kMaxTokens));
  }
}

// The name of a token of the memory task: signals are upper-case, distractors lower-case.
std::string token_name(std::int64_t id, std::int64_t signals) {
  return id < signals ? std::string(1, static_cast<char>('A' + id)) : std::string(1, static_cast<char>('z' - (id - signals)));
}

bool show_parity(std::uint64_t seed) {
  std::cout << "== 1. Parity with LibTorch (weights copied in the order i, f, g, o; float64) ==\n";
  book::Table table({"module", "input", "hidden", "steps", "max |dh|", "max |dc|", "within 1e-6"}, 3);
  bool ok = true;
  std::uint64_t k = 0;
  for (auto [in, hidden] : std::vector<std::pair<int, int>>{{1, 1}, {3, 5}, {10, 16}, {8, 64}}) {
    // [cell_parity]
    const ch06::Parity p = ch06::lstm_cell_parity(in, hidden, 4, seed + k++);
    // [cell_parity]
    ok &= p.max() <= 1e-6;
    table.add_row({std::string("LSTMCell"), std::int64_t{in}, std::int64_t{hidden}, std::int64_t{1}, p.outputs,
                   p.final_state, std::string(p.max() <= 1e-6 ? "yes" : "NO")});
  }
  for (auto [in, hidden] : std::vector<std::pair<int, int>>{{3, 5}, {10, 16}}) {
    const ch06::Parity p = ch06::lstm_layer_parity(in, hidden, 25, 3, seed + k++);
    ok &= p.max() <= 1e-6;
    table.add_row({std::string("LSTM (1 layer)"), std::int64_t{in}, std::int64_t{hidden}, std::int64_t{25}, p.outputs,
                   p.final_state, std::string(p.max() <= 1e-6 ? "yes" : "NO")});
  }
  std::cout << table.to_text();
  return ok;
}

// [carry]
void show_carry(int steps, std::uint64_t seed) {
  std::cout
      << "\n== 2. The cell-state highway: c_t = f * c_{t-1} + i * g with f = 1 and i = 0 ==\n";
  book::Rng rng(seed);
  const auto random = [&](Eigen::Index n, double scale) {
    return ch06::Vec(
        ch06::Vec::NullaryExpr(n, [&] { return scale * (2.0 * book::uniform01(rng) - 1.0); }));
  };
  const ch06::LstmWeights carry =
      ch06::force_carry(ch06::make_lstm_weights(4, 6, rng));           // f -> +100, i -> -100
  const ch06::LstmWeights plain = ch06::make_lstm_weights(4, 6, rng);  // ordinary random biases
  const ch06::Vec c0 = random(6, 2.0);
  ch06::Vec h_carry = ch06::Vec::Zero(6), c_carry = c0, h_plain = h_carry, c_plain = c0;
  double drift = 0;  // the largest |c_t - c_0| at any step
  for (int t = 0; t < steps; ++t) {
    const ch06::Vec x = random(4, 1.0);
    const ch06::LstmStep a = ch06::lstm_cell(carry, x, h_carry, c_carry);
    const ch06::LstmStep b = ch06::lstm_cell(plain, x, h_plain, c_plain);
    h_carry = a.h, c_carry = a.c, h_plain = b.h, c_plain = b.c;
    drift = std::max(drift, (c_carry - c0).cwiseAbs().maxCoeff());
  }
  std::cout << fmt::format(
      "Forget bias +100, input bias -100, random inputs, {} steps: max |c_t - c_0| over every "
      "step = {:g} (c_0 has entries up to {:.3f}).\n",
      steps, drift, c0.cwiseAbs().maxCoeff());
  std::cout << fmt::format(
      "With ordinary random biases instead, |c_{} - c_0| reaches {:.3f}: the old contents fade.\n",
      steps, (c_plain - c0).cwiseAbs().maxCoeff());
}
// [carry]

bool show_jacobian(std::uint64_t seed) {
  std::cout << "\n== 3. dc_t/dc_{t-1} = diag(f_t), holding h_{t-1} fixed, checked against LibTorch autograd ==\n";
  double diag = 0, off = 0;
  for (std::uint64_t k = 0; k < 3; ++k) {
    const ch06::CellJacobianCheck j = ch06::cell_state_jacobian(5, 8, seed + k);
    diag = std::max(diag, j.max_diagonal_error);
    off = std::max(off, j.max_off_diagonal);
  }
  std::cout << fmt::format("3 random cells (5 inputs, 8 units): max |J_jj - f_j| = {:.1e}, max |J_jk| off the "
                           "diagonal = {:.1e}.\nAlong the cell state the gradient is only multiplied by f_t: no "
                           "weight matrix, no tanh'.\n", diag, off);
  return diag <= 1e-12 && off <= 1e-12;
}

// The trace of one test sequence: the gates averaged over the units, then the memory unit's.
void show_trace(const ch06::GateTrace& g, const ch06::MemoryTaskOptions& t, book::Facts& facts) {
  const Eigen::Index u = g.memory_unit;
  std::cout << fmt::format("Unit {} carries the first token best: {}% of the variance of its final c lies "
                           "between the classes.\nSequence 0 (label {}, predicted {}); means over all {} units, "
                           "then unit {}:\n",
                           facts.put("memory_unit", std::to_string(u)),
                           facts.put("memory_share", fmt::format("{:.0f}", 100 * g.memory_share)),
                           token_name(g.label, t.signals), token_name(g.predicted, t.signals), t.hidden, u);
  book::Table table({"t", "token", "mean i", "mean f", "mean o", "unit i", "unit f", "unit o", "unit c"}, 3);
  for (std::size_t s = 0; s < g.steps.size(); ++s) {
    const ch06::LstmStep& st = g.steps[s];
    table.add_row({static_cast<std::int64_t>(s + 1), token_name(g.tokens[s], t.signals), st.i.mean(),
                   st.f.mean(), st.o.mean(), st.i(u), st.f(u), st.o(u), st.c(u)});
  }
  std::cout << table.to_text();
  // What the trace shows, in numbers: the gates over the distractors.
  double f_min = 1, f_max = 0, f_sum = 0, i_sum = 0, mean_f_min = 1, mean_f_max = 0;
  for (std::size_t s = 1; s < g.steps.size(); ++s) {
    f_min = std::min(f_min, g.steps[s].f(u));
    f_max = std::max(f_max, g.steps[s].f(u));
    f_sum += g.steps[s].f(u);
    i_sum += g.steps[s].i(u);
    mean_f_min = std::min(mean_f_min, g.steps[s].f.mean());
    mean_f_max = std::max(mean_f_max, g.steps[s].f.mean());
  }
  const double distractor_steps = static_cast<double>(g.steps.size() - 1);
  std::cout << fmt::format(
      "Over the distractors the mean f of all units stays between {} and {}; unit {} keeps f\n"
      "between {} and {} (mean {}): each step keeps that share of c. Its input gate is {}\n"
      "at the signal and {} on average after it.\n",
      facts.put("mean_f_min", fmt::format("{:.3f}", mean_f_min)),
      facts.put("mean_f_max", fmt::format("{:.3f}", mean_f_max)), u,
      facts.put("unit_f_min", fmt::format("{:.3f}", f_min)), facts.put("unit_f_max", fmt::format("{:.3f}", f_max)),
      facts.put("unit_f_mean", fmt::format("{:.3f}", f_sum / distractor_steps)),
      facts.put("unit_i_signal", fmt::format("{:.3f}", g.steps[0].i(u))),
      facts.put("unit_i_after", fmt::format("{:.3f}", i_sum / distractor_steps)));
}

// The names of pairs of classes: "A|B, C|D", or "none".
std::string pair_names(const std::vector<std::pair<std::size_t, std::size_t>>& pairs, std::int64_t signals) {
  std::vector<std::string> names;
  for (auto [a, b] : pairs) {
    names.push_back(token_name(static_cast<std::int64_t>(a), signals) + "|" +
                    token_name(static_cast<std::int64_t>(b), signals));
  }
  return names.empty() ? "none" : fmt::format("{}", fmt::join(names, ", "));
}

// What the memory unit holds at the end, class by class: the ranges of its c_T and h_T.
void print_class_ranges(const ch06::GateTrace& g, std::int64_t signals, book::Facts& facts) {
  book::Table table({"first token", "c_T mean", "c_T from", "c_T to", "h_T mean", "h_T from", "h_T to"});
  const auto number = [](double x) { return fmt::format("{:+.3f}", x); };
  for (std::size_t k = 0; k < g.final_c.size(); ++k) {
    const ch06::ClassRange &c = g.final_c[k], &h = g.final_h[k];
    const std::string key = std::to_string(k);  // class k: the first token token_name(k)
    table.add_row({token_name(static_cast<std::int64_t>(k), signals),
                   facts.put("c_mean_" + key, number(c.mean)), number(c.min), number(c.max),
                   facts.put("h_mean_" + key, number(h.mean)), number(h.min), number(h.max)});
  }
  std::cout << table.to_text();
  const std::size_t far = ch06::farthest_class(g.final_c);
  std::cout << fmt::format("In c_T the class farthest from the others is {} (mean {}).\n",
                           facts.put("c_far_class", token_name(static_cast<std::int64_t>(far), signals)),
                           facts.put("c_far_mean", number(g.final_c[far].mean)));
}

// [memory_unit]
// Which pairs of classes one threshold on the memory unit's h_T (what the head reads) tells apart.
void show_memory_unit(const ch06::GateTrace& g, const ch06::MemoryTaskOptions& t,
                      book::Facts& facts) {
  std::cout << fmt::format("What unit {} holds at the end, over the test sequences of each first "
                           "token\n(the head reads h_T = o_T * tanh(c_T) of all {} units):\n",
                           g.memory_unit, t.hidden);
  print_class_ranges(g, t.signals, facts);
  const ch06::ClassPairs pairs = ch06::class_pairs(g.final_h);  // ranges of h_T per class
  std::cout << fmt::format(
      "One threshold on unit {}'s h_T tells apart {} of the {} pairs of classes: {}.\n",
      g.memory_unit, facts.put("pairs_apart", std::to_string(pairs.apart.size())),
      pairs.apart.size() + pairs.overlap.size(),
      facts.put("pairs_apart_list", pair_names(pairs.apart, t.signals)));
  const std::string overlap = facts.put("pairs_overlap_list", pair_names(pairs.overlap, t.signals));
  const char* others = pairs.overlap.empty() ? "" : " (the head tells them apart with other units)";
  std::cout << fmt::format("Pairs whose h_T ranges overlap: {}{}.\n", overlap, others);
}
// [memory_unit]

// The trace as CSV files and the three-panel figure.
void save_gate_files(const ch06::GateTrace& g, const ch06::MemoryTaskOptions& t, const book::fs::path& out_dir) {
  const Eigen::Index u = g.memory_unit;
  book::Table csv({"t", "token", "mean_i", "mean_f", "mean_o", "unit_i", "unit_f", "unit_o", "unit_c"}, 6);
  book::Table units({"t", "unit", "i", "f", "g", "o", "c", "h"}, 6);
  for (std::size_t s = 0; s < g.steps.size(); ++s) {
    const ch06::LstmStep& st = g.steps[s];
    csv.add_row({static_cast<std::int64_t>(s + 1), token_name(g.tokens[s], t.signals), st.i.mean(), st.f.mean(),
                 st.o.mean(), st.i(u), st.f(u), st.o(u), st.c(u)});
    for (Eigen::Index k = 0; k < t.hidden; ++k) {
      units.add_row({static_cast<std::int64_t>(s + 1), std::int64_t{k}, st.i(k), st.f(k), st.g(k), st.o(k), st.c(k), st.h(k)});
    }
  }
  std::vector<std::string> class_columns = {"t"};
  for (Eigen::Index k = 0; k < g.class_cell.rows(); ++k) class_columns.push_back("c_" + token_name(k, t.signals));
  book::Table by_class(class_columns, 6);
  const Eigen::Index T = g.class_cell.cols();
  for (Eigen::Index s = 0; s < T; ++s) {
    std::vector<book::Cell> row(static_cast<std::size_t>(g.class_cell.rows()) + 1, book::Cell(0.0));
    row[0] = std::int64_t{s + 1};
    for (Eigen::Index k = 0; k < g.class_cell.rows(); ++k) row[static_cast<std::size_t>(k) + 1] = g.class_cell(k, s);
    by_class.add_row(row);
  }
  const auto csv_path = out_dir / "gate_trace.csv";
  const auto units_path = out_dir / "gate_trace_units.csv";
  const auto class_path = out_dir / "memory_unit_by_class.csv";
  csv.save_csv(csv_path);
  units.save_csv(units_path);
  by_class.save_csv(class_path);
  std::string class_plot = "plot ";
  for (Eigen::Index k = 0; k < g.class_cell.rows(); ++k) {
    class_plot += fmt::format("{}'memory_unit_by_class.csv' using 1:{} with linespoints lw 2 title 'first token {}'",
                              k == 0 ? "" : ", ", k + 2, token_name(k, t.signals));
  }
  const auto svg = book::plot_svg(
      "set terminal svg size 900,960 dynamic enhanced font 'Helvetica,13'\n"
      "set output 'gate_trace.svg'\nset multiplot layout 3,1\nset grid\nset key outside right top vertical\n"
      "set lmargin 10\nset rmargin 26\nset xrange [1:" + std::to_string(T) + "]\n"
      "set xlabel 'time step t (t = 1 is the token to remember)'\nset yrange [0:1]\n"
      "set title 'Gates averaged over all units, one test sequence'\n"
      "plot 'gate_trace.csv' using 1:4 with linespoints lw 2 title 'f (forget)', '' using 1:3 with linespoints lw 2 "
      "title 'i (input)', '' using 1:5 with linespoints lw 2 title 'o (output)'\n"
      "set title 'Memory unit " + std::to_string(u) + ", the same sequence'\nset yrange [*:*]\n"
      "plot 'gate_trace.csv' using 1:7 with linespoints lw 2 title 'f', '' using 1:6 with linespoints lw 2 title 'i', "
      "'' using 1:8 with linespoints lw 2 title 'o', '' using 1:9 with lines lw 3 dt 2 title 'c'\n"
      "set title 'Memory unit " + std::to_string(u) + ": c_t averaged over the test sequences of each first token'\n"
      + class_plot + "\nunset multiplot\n",
      out_dir / "gate_trace.svg");
  std::cout << "Wrote " << csv_path.string() << '\n' << "Wrote " << units_path.string() << '\n'
            << "Wrote " << class_path.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
}

void show_gates(const Options& o, book::RunContext& run, const book::fs::path& out_dir, book::Facts& facts) {
  const auto& t = o.task;
  std::cout << fmt::format("\n== 4. Gates of a trained LSTM: remember the first token over {} steps ==\n"
                           "The first token is one of {} signals ({}..{}); {} distractors ({}..{}) follow; the answer "
                           "is the first token. Chance is {:.0f}%.\n",
                           t.gap, t.signals, token_name(0, t.signals), token_name(t.signals - 1, t.signals), t.gap,
                           token_name(t.signals, t.signals), token_name(t.signals + t.distractors - 1, t.signals),
                           100.0 / static_cast<double>(t.signals));
  // [train]
  ch06::MemoryTaskResult r = ch06::train_memory_lstm(t, run.rng, [](int epoch, double tr, double te) {
    std::cout << fmt::format("epoch {:3d}  train accuracy {:6.2f}%  test accuracy {:6.2f}%\n", epoch, tr, te);
  });
  const ch06::GateTrace g = ch06::trace_gates(r.model, r.test, 0);
  // [train]
  facts.put("test_accuracy", fmt::format("{:.2f}%", r.test_acc.back()));
  std::cout << fmt::format("Trained in {:.1f} s. The trace below comes from the Eigen cell with the trained weights "
                           "copied in (max |h_t - LibTorch's h_t| = {}).\n",
                           r.seconds, facts.put("trace_parity", fmt::format("{:.1e}", g.parity)));
  show_trace(g, t, facts);
  show_memory_unit(g, t, facts);
  save_gate_files(g, t, out_dir);
}

int run(const Options& o) {
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common, /*force_cpu=*/true);
  const bool parity_ok = show_parity(o.common.seed);
  show_carry(o.carry_steps, o.common.seed);
  const bool jacobian_ok = show_jacobian(o.common.seed);
  book::Facts facts;
  show_gates(o, run, out_dir, facts);
  facts.write(out_dir);
  if (!parity_ok) throw std::runtime_error("the Eigen LSTM does not match LibTorch");
  if (!jacobian_ok) throw std::runtime_error("dc_t/dc_{t-1} differs from f_t");
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 04: the LSTM cell from scratch (Eigen), equal to torch::nn::LSTMCell and LSTM; the cell "
               "state carried unchanged when f = 1, i = 0; dc_t/dc_{t-1} = f_t; gates traced on a memory task.",
               "ch06_04_lstm_gates"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return run(options);
  });
}
