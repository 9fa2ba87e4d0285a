/// \file
/// Program 09: exploding gradients and gradient clipping; norm clipping against value clipping;
/// masking the loss on a padded sequence-labelling task.
///
/// Run: ch06_09_clipping_masking            (all three parts, a few seconds)
#include "book/cli.h"
#include "book/files.h"
#include "book/facts.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/clipping.h"
#include "lib/masking.h"

#include <cmath>
#include <iostream>
#include <optional>

namespace {

constexpr const char* kProgram = "ch06_09_clipping_masking";

// [options]
struct Options {
  book::CommonOptions common;
  int steps = 100;           // part 1: SGD steps per run
  int seq_len = 50;          // part 1: time steps per sequence
  int hidden = 32;           // part 1: RNN hidden units
  double gain = 1.05;        // part 1: W_hh = gain · I
  double lr = 0.1;           // part 1: SGD learning rate
  double max_norm = 1.0;     // parts 1 and 2: clip_grad_norm_ threshold
  double clip_value = 1.0;   // part 2: clip_grad_value_ threshold
  int tag_steps = 300;       // part 3: Adam steps per run
  int tag_len = 20;          // part 3: padded length
  int tag_batch = 64;        // part 3: sequences per step
};
// [options]

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir(kProgram));
  app.add_option("--steps", o.steps, "Part 1: SGD steps of each run (with and without clipping)")->capture_default_str()->check(book::int_range(1, 100000));
  app.add_option("--seq_len", o.seq_len, "Part 1: time steps per sequence")->capture_default_str()->check(book::int_range(3, 2000));
  app.add_option("--hidden", o.hidden, "Part 1: hidden units of the ReLU RNN")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--gain", o.gain, "Part 1: recurrent weights W_hh = gain * identity")->capture_default_str()->check(book::real_range(0, 10));
  app.add_option("--lr", o.lr, "Part 1: SGD learning rate")->capture_default_str()->check(book::real_range(0, 100, true));
  app.add_option("--max_norm", o.max_norm, "Parts 1-2: clip the global gradient norm to this")->capture_default_str()->check(book::real_range(0, 1e6, true));
  app.add_option("--clip_value", o.clip_value, "Part 2: clip every gradient entry to [-v, v]")->capture_default_str()->check(book::real_range(0, 1e6, true));
  app.add_option("--tag_steps", o.tag_steps, "Part 3: Adam steps of each tagging run (masked and unmasked)")->capture_default_str()->check(book::int_range(1, 100000));
  app.add_option("--tag_len", o.tag_len, "Part 3: padded sequence length")->capture_default_str()->check(book::int_range(2, 200));
  app.add_option("--tag_batch", o.tag_batch, "Part 3: sequences per training step")->capture_default_str()->check(book::int_range(1, 1024));
}

// A number for the console: 4 significant digits, or "nan" / "inf" / "-inf".
std::string number(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  return fmt::format("{:.4g}", x);
}

// A number for a CSV: full precision, or "nan" / "inf" / "-inf" (gnuplot skips those points).
book::Cell csv_number(double x) {
  if (std::isfinite(x)) return x;
  return number(x);
}

void wrote(const std::optional<book::fs::path>& path) {
  if (path) std::cout << "Wrote " << path->string() << '\n';
}

// Steps shown in the console: the first 10 one by one, then every 10th (the CSV has every step).
bool shown(int step) { return step <= 10 || step % 10 == 0; }

// The table of both runs, and what became of each.
void print_runs(const Options& o, const ch06::ExplodingRun& plain, const ch06::ExplodingRun& clipped,
                book::Facts& facts) {
  std::cout << fmt::format(
      "Part 1: exploding gradients. A ReLU RNN with W_hh = {} * I reads {} steps; SGD, lr {}; the same weights and\n"
      "batches in both runs. 'norm' is the global gradient norm BEFORE clipping, as backward() computed it;\n"
      "max |h_T| and max |logit| are the largest final state and logit of the step's batch. Steps 1-10, then\n"
      "every 10th:\n\n",
      o.gain, o.seq_len, o.lr);
  book::Table table({"step", "loss (no clip)", "norm (no clip)", "loss (clipped)", "norm (clipped)",
                     "max |h_T| (clipped)", "max |logit| (clipped)"});
  for (std::size_t i = 0; i < clipped.steps.size(); ++i) {
    const auto& c = clipped.steps[i];
    if (!shown(c.step)) continue;
    const bool taken = i < plain.steps.size();
    table.add_row({static_cast<std::int64_t>(c.step), taken ? number(plain.steps[i].loss) : std::string("-"),
                   taken ? number(plain.steps[i].grad_norm) : std::string("-"), number(c.loss),
                   number(c.grad_norm), number(c.largest_state), number(c.largest_logit)});
  }
  std::cout << table.to_text() << "\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(4, clipped.steps.size()); ++i) {
    const std::string n = std::to_string(i + 1);
    facts.put("clipped_loss_" + n, number(clipped.steps[i].loss));
    facts.put("clipped_norm_" + n, number(clipped.steps[i].grad_norm));
    facts.put("clipped_logit_" + n, number(clipped.steps[i].largest_logit));
    facts.put("clipped_state_" + n, number(clipped.steps[i].largest_state));
  }
  facts.put("clipped_state_last", number(clipped.steps.back().largest_state));
  if (plain.first_non_finite > 0) {
    std::cout << fmt::format("Without clipping the loss became {} at step {}: the weights are no longer numbers, and\n"
                             "every later step would be nan too ('-' above).\n",
                             facts.put("plain_last_loss", number(plain.steps.back().loss)),
                             facts.put("plain_nan_step", std::to_string(plain.first_non_finite)));
  } else {
    std::cout << "Without clipping the loss stayed finite for all " << plain.steps.size() << " steps.\n";
  }
  double tail = 0, radius_min = clipped.steps.front().radius, radius_max = radius_min;
  const std::size_t n_tail = std::min<std::size_t>(10, clipped.steps.size());
  for (std::size_t i = clipped.steps.size() - n_tail; i < clipped.steps.size(); ++i) tail += clipped.steps[i].loss;
  tail /= static_cast<double>(n_tail);
  int capped = 0;
  for (const auto& c : clipped.steps) {
    capped += c.grad_norm > o.max_norm ? 1 : 0;
    radius_min = std::min(radius_min, c.radius);
    radius_max = std::max(radius_max, c.radius);
  }
  std::cout << fmt::format(
      "With clip_grad_norm_({}) the loss went from {} to {} (mean of the last {} steps; chance level ln 2 = 0.693);\n"
      "clipping cut the gradient on {} of the {} steps. The spectral radius of W_hh stayed between {} and {}.\n\n",
      o.max_norm, number(clipped.steps.front().loss), facts.put("clipped_tail_loss", number(tail)), n_tail,
      facts.put("capped_steps", std::to_string(capped)), clipped.steps.size(),
      facts.put("radius_min", number(radius_min)), facts.put("radius_max", number(radius_max)));
}

// [first_step]
// Why one capped step can still make the loss jump: the first gradient, followed for several
// lengths on the first batch.
void explain_first_step(const Options& o, const ch06::ExplodingConfig& config,
                        const ch06::ExplodingRun& plain, book::Facts& facts) {
  const double norm = plain.steps.front().grad_norm;
  const double capped = o.lr * o.max_norm, uncapped = o.lr * norm;  // the two runs' first steps
  const auto probes = ch06::probe_first_step(config, {0.0, capped / 100, capped / 10, capped, uncapped});
  std::cout << fmt::format(
      "Why the clipped loss jumps at step 2. Clipping caps the step's length (lr * {} = {}), not what the\n"
      "step does to the loss. The first gradient has norm {}: to first order, a step of length s along -g\n"
      "lowers the loss by {} * s. On the first batch, after a step of length s:\n",
      o.max_norm, facts.put("capped_length", number(capped)), number(norm), number(norm));
  book::Table table({"step length s", "loss", "first-order promise", "max |h_T|", "max |logit|"});
  for (std::size_t k = 0; k < probes.size(); ++k) {
    const auto& p = probes[k];
    const std::string label = number(p.length) + (k == 3 ? " (clipped)" : k == 4 ? " (no clipping)" : "");
    table.add_row({label, number(p.loss), number(probes[0].loss - norm * p.length), number(p.largest_state),
                   number(p.largest_logit)});
  }
  std::cout << table.to_text();
  const std::vector<std::string> keys = {"start", "tiny", "small", "capped", "uncapped"};
  for (std::size_t k = 0; k < keys.size(); ++k) {
    facts.put("probe_" + keys[k] + "_length", number(probes[k].length));
    facts.put("probe_" + keys[k] + "_loss", table.text(k, 1));
    facts.put("probe_" + keys[k] + "_state", table.text(k, 3));
    facts.put("probe_" + keys[k] + "_logit", table.text(k, 4));
  }
  std::cout << "The first gradient, tensor by tensor:";
  for (const auto& [name, n] : ch06::first_gradient_by_tensor(config)) {
    std::cout << ' ' << name << ' ' << facts.put("grad_" + name, number(n));
  }
  std::cout << ".\n\n";
}
// [first_step]

// Part 1: the same model, data and learning rate, trained without and with clipping.
void exploding_part(const Options& o, const book::fs::path& dir, book::Facts& facts) {
  // [exploding]
  ch06::ExplodingConfig config;
  config.steps = o.steps;
  config.seq_len = o.seq_len;
  config.hidden = o.hidden;
  config.recurrent_gain = o.gain;
  config.lr = o.lr;
  config.seed = o.common.seed;
  const ch06::ExplodingRun plain = ch06::run_exploding(config);
  ch06::ExplodingConfig clipping = config;
  clipping.max_norm = o.max_norm;
  const ch06::ExplodingRun clipped = ch06::run_exploding(clipping);
  // [exploding]
  print_runs(o, plain, clipped, facts);
  explain_first_step(o, config, plain, facts);

  // CSV (gnuplot skips the '-' of steps never taken) and the figure.
  book::Table csv({"step", "loss_no_clip", "norm_no_clip", "loss_clip", "norm_clip", "norm_used", "radius_clip",
                   "max_state_clip", "max_logit_clip"}, 8);
  for (std::size_t i = 0; i < clipped.steps.size(); ++i) {
    const auto& c = clipped.steps[i];
    const bool taken = i < plain.steps.size();
    csv.add_row({static_cast<std::int64_t>(c.step), taken ? csv_number(plain.steps[i].loss) : std::string("-"),
                 taken ? csv_number(plain.steps[i].grad_norm) : std::string("-"), csv_number(c.loss),
                 csv_number(c.grad_norm), csv_number(c.applied_norm), csv_number(c.radius),
                 csv_number(c.largest_state), csv_number(c.largest_logit)});
  }
  csv.save_csv(dir / "exploding_gradients.csv");
  std::cout << "Wrote " << (dir / "exploding_gradients.csv").string() << '\n';
  // A dashed line and a note where the unclipped run's loss stopped being a number.
  const std::string nan_marker =
      plain.first_non_finite == 0
          ? std::string()
          : fmt::format("set arrow 1 from {0}, graph 0 to {0}, graph 1 nohead dt 3 lw 2 lc 2\n"
                        "set label 1 'no clipping: loss = {1} from step {0} on' at first {2}, graph 0.06 "
                        "tc rgb '#d62728'\n",
                        plain.first_non_finite, number(plain.steps.back().loss), plain.first_non_finite + 2);
  wrote(book::plot_svg(
      nan_marker +
          "set datafile missing '-'\nset key autotitle columnhead\nset grid\nset logscale y\n"
          "set xlabel 'training step'\nset format y '10^{%L}'\n"
          "set multiplot layout 1,2 title 'Exploding gradients: a ReLU RNN with and without clip\\_grad\\_norm\\_'\n"
          "set title 'gradient norm before clipping'\n"
          "plot 'exploding_gradients.csv' using 1:3 with linespoints pt 7 ps 0.8 lw 2 lc 2 title 'no clipping', "
          "'' using 1:5 with lines lw 2 lc 1 title 'clipped run', "
          "'' using 1:6 with lines dt 2 lc 7 title 'norm used (clipped)'\n"
          "set title 'training loss'\n"
          "plot 'exploding_gradients.csv' using 1:2 with linespoints pt 7 ps 0.8 lw 2 lc 2 title 'no clipping', "
          "'' using 1:4 with lines lw 2 lc 1 title 'clipped'\n"
          "unset multiplot\n",
      dir / "exploding_gradients.svg"));
}

// Part 2: one gradient, clipped two ways.
void clipping_part(const Options& o, const book::fs::path& dir, book::Facts& facts) {
  // [norm_vs_value]
  const std::vector<torch::Tensor> toy = {torch::tensor({10.0, 1.0})};
  ch06::ExplodingConfig config;
  config.seq_len = o.seq_len;
  config.hidden = o.hidden;
  config.recurrent_gain = o.gain;
  config.seed = o.common.seed;
  const std::vector<torch::Tensor> real = ch06::first_exploding_gradient(config);
  const ch06::ClipComparison a = ch06::compare_clipping(toy, o.max_norm, o.clip_value);
  const ch06::ClipComparison b = ch06::compare_clipping(real, o.max_norm, o.clip_value);
  // [norm_vs_value]
  std::cout << fmt::format(
      "Part 2: norm clipping vs value clipping (clip_grad_norm_({}) and clip_grad_value_({})).\n"
      "The toy gradient is (10, 1); the real one is the first gradient of part 1 ({} numbers in {} tensors).\n\n",
      o.max_norm, o.clip_value, facts.put("real_entries", std::to_string([&] {
        std::int64_t n = 0;
        for (const auto& t : real) n += t.numel();
        return n;
      }())), facts.put("real_tensors", std::to_string(real.size())));
  book::Table table({"gradient", "clipping", "global norm", "largest |entry|", "cosine with the original"}, 6);
  for (const auto& [name, c] : {std::pair<std::string, ch06::ClipComparison>{"toy (10, 1)", a}, {"real (part 1)", b}}) {
    table.add_row({name, std::string("none"), c.norm_before, c.max_abs_before, 1.0});
    table.add_row({name, std::string("by norm"), c.norm_after_norm_clip, c.max_abs_after_norm_clip, c.cosine_norm_clip});
    table.add_row({name, std::string("by value"), c.norm_after_value_clip, c.max_abs_after_value_clip, c.cosine_value_clip});
  }
  facts.put("toy_value_cosine", table.text(2, 4));
  facts.put("toy_value_norm", table.text(2, 2));
  facts.put("real_norm", table.text(3, 2));
  facts.put("real_value_norm", table.text(5, 2));
  facts.put("real_value_cosine", table.text(5, 4));
  std::cout << table.to_text()
            << "\nNorm clipping rescales the whole gradient: same direction (cosine 1), global norm capped at the "
               "threshold.\nValue clipping cuts each entry on its own: the large entries lose more than the small "
               "ones, so the\ndirection changes (cosine below 1), and the global norm is not capped at anything fixed.\n\n";
  table.save_csv(dir / "norm_vs_value.csv");
  std::cout << "Wrote " << (dir / "norm_vs_value.csv").string() << "\n\n";
}

// Part 3a: the masked loss and its sanity checks.
void masking_checks(const Options& o) {
  std::cout << "Part 3: masking. Digit sequences of 1.." << o.tag_len
            << " digits, padded with the digit 0; each real digit is tagged\n"
               "1 + (running sum mod 3); padded positions carry the tag PAD (0).\n\n";
  // [ratio_check]
  // Three identical sequences with valid lengths 4, 2 and 0: every real position has the same loss,
  // so the summed masked losses must be in the ratio 4 : 2 : 0 = 2 : 1 : 0.
  torch::manual_seed(o.common.seed);
  const torch::Tensor step_logits = torch::randn({ch06::kTagCount});
  const torch::Tensor logits = step_logits.expand({3, 4, ch06::kTagCount});
  const torch::Tensor targets = torch::full({3, 4}, 2, torch::kInt64);
  const torch::Tensor mask = ch06::sequence_mask(torch::tensor({4, 2, 0}, torch::kInt64), 4);
  const torch::Tensor sums = ch06::masked_cross_entropy(logits, targets, mask).per_sequence;
  // [ratio_check]
  const double s0 = sums[0].item<double>(), s1 = sums[1].item<double>(), s2 = sums[2].item<double>();
  std::cout << fmt::format("Sanity check, lengths 4, 2, 0: summed masked losses {:.4f}, {:.4f}, {:.4f} -> ratio "
                           "{:.4f} : 1 : {:.4f} (expected 2 : 1 : 0)\n",
                           s0, s1, s2, s0 / s1, s2 / s1);
  // [ignore_check]
  book::Rng rng(o.common.seed);
  const ch06::TaggingBatch probe = ch06::make_tagging_batch(8, o.tag_len, rng);
  const torch::Tensor random_logits = torch::randn({8, o.tag_len, ch06::kTagCount});
  const double manual = ch06::masked_cross_entropy(random_logits, probe.targets, probe.mask).mean.item<double>();
  const double ignored = ch06::ignore_index_cross_entropy(random_logits, probe.targets).item<double>();
  const double everything = ch06::unmasked_cross_entropy(random_logits, probe.targets).item<double>();
  // [ignore_check]
  std::cout << fmt::format("Random logits on 8 sequences: manual mask {:.6f}, ignore_index {:.6f} (difference {:.1e});\n"
                           "the same loss without a mask (padding included) {:.6f}.\n\n",
                           manual, ignored, std::abs(manual - ignored), everything);
}

// Part 3b: what training with and without a mask learns.
void masking_training(const Options& o, const book::fs::path& dir, book::Facts& facts) {

  // [masked_training]
  ch06::TaggingConfig config;
  config.steps = o.tag_steps;
  config.max_len = o.tag_len;
  config.batch = o.tag_batch;
  config.eval_every = std::max(1, o.tag_steps / 12);
  config.seed = o.common.seed;
  const ch06::TaggingRun masked = ch06::train_tagger(config, /*masked=*/true);
  const ch06::TaggingRun unmasked = ch06::train_tagger(config, /*masked=*/false);
  // [masked_training]
  std::cout << "Training two taggers on the same batches, one with the masked loss, one with the loss over every\n"
               "position; scores on the same 2,000 held-out sequences:\n\n";
  book::Table curve({"step", "masked: acc on real", "unmasked: acc on real", "unmasked: real tagged PAD"}, 4);
  for (std::size_t i = 0; i < masked.curve.size(); ++i) {
    curve.add_row({static_cast<std::int64_t>(masked.curve[i].step), masked.curve[i].eval.real_accuracy,
                   unmasked.curve[i].eval.real_accuracy, unmasked.curve[i].eval.predicted_pad});
  }
  std::cout << curve.to_text() << "\n";
  book::Table summary({"trained with", "loss on real positions", "loss on all positions", "acc on real (%)",
                       "real tagged PAD (%)", "real zeros tagged PAD (%)", "padding tagged PAD (%)"}, 4);
  for (const auto& [name, r] : {std::pair<std::string, const ch06::TaggingRun*>{"masked loss", &masked},
                                {"unmasked loss", &unmasked}}) {
    const auto& s = r->curve.back().eval;
    summary.add_row({name, s.masked_loss, s.unmasked_loss, s.real_accuracy, s.predicted_pad, s.zeros_as_pad,
                     s.padding_as_pad});
  }
  const std::vector<std::string> keys = {"loss_real", "loss_all", "acc_real", "real_as_pad", "zeros_as_pad",
                                         "padding_as_pad"};
  for (std::size_t col = 1; col <= keys.size(); ++col) {
    facts.put("masked_" + keys[col - 1], summary.text(0, col));
    facts.put("unmasked_" + keys[col - 1], summary.text(1, col));
  }
  std::cout << summary.to_text()
            << "\nWithout a mask the pads are about half of all positions, and the loss teaches the tagger to predict\n"
               "them. A 0 may be the end of a sequence, so the unmasked tagger answers PAD for many real zeros.\n"
               "The masked tagger never sees a PAD target and never answers PAD. The loss over all positions\n"
               "ranks the two the wrong way round: it punishes the masked tagger for the pads it was never asked about.\n";
  book::Table csv({"step", "masked_acc_real", "unmasked_acc_real", "unmasked_pred_pad"}, 6);
  for (const auto& row : curve.rows()) csv.add_row(row);
  csv.save_csv(dir / "masking_accuracy.csv");
  summary.save_csv(dir / "masking_summary.csv");
  std::cout << "Wrote " << (dir / "masking_accuracy.csv").string() << '\n'
            << "Wrote " << (dir / "masking_summary.csv").string() << '\n';
  wrote(book::plot_svg("set title 'Padded tagging: masked vs unmasked loss'\nset xlabel 'training step'\n"
                            "set ylabel 'percent of real positions'\nset yrange [0:105]\nset grid\n"
                            "set key autotitle columnhead\n"
                            "plot 'masking_accuracy.csv' using 1:2 with linespoints pt 7 lw 2 lc 1 title 'masked: accuracy', "
                            "'' using 1:3 with linespoints pt 5 lw 2 lc 2 title 'unmasked: accuracy', "
                            "'' using 1:4 with linespoints pt 9 lw 2 dt 2 lc 2 title 'unmasked: tagged PAD'\n",
                            dir / "masking_accuracy.svg"));
}

int run(const Options& o) {
  const book::fs::path dir = book::fs::path(o.common.out_dir) / "results";
  book::ensure_writable_dir(dir);
  book::start_run(o.common, /*force_cpu=*/true);
  book::Facts facts;
  exploding_part(o, dir, facts);
  clipping_part(o, dir, facts);
  masking_checks(o);
  masking_training(o, dir, facts);
  facts.write(o.common.out_dir);
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 09: exploding gradients with and without clip_grad_norm_; norm clipping vs value clipping;\n"
               "masking the loss on a padded sequence-labelling task.",
               kProgram};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] { return run(options); });
}
