/// \file
/// Program 02: the Elman RNN unrolled by hand in Eigen, checked against `torch::nn::RNN`, and
/// trained on "hello" with the manual BPTT gradients of program 03.
///
///   ch06_02_rnn_from_scratch                     every part, CSV + SVG in --out_dir
///   ch06_02_rnn_from_scratch --iterations 100    a shorter training run
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
  std::string input = "hell";  // the characters fed in
  std::string target = "ello";  // the characters that should come out
  int hidden = 8;
  int iterations = 300;
  double lr = 0.1;
  double max_grad_norm = 5.0;
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_02_rnn_from_scratch"));
  app.add_option("--input", o.input, "Characters fed to the RNN (ASCII, 1 to 64)")->capture_default_str();
  app.add_option("--target", o.target, "Characters it should produce, one per input character")->capture_default_str();
  app.add_option("--hidden", o.hidden, "Hidden size of the character RNN")->capture_default_str()->check(book::int_range(1, 256));
  app.add_option("--iterations", o.iterations, "SGD steps on the sequence")->capture_default_str()->check(book::int_range(1, 100000));
  app.add_option("--lr", o.lr, "SGD learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--max_grad_norm", o.max_grad_norm, "Clip the gradient norm in the SGD step (0 = no clipping)")
      ->capture_default_str()->check(book::real_range(0, 1e6));
}

void check_flags(const Options& o) {
  if (o.input.empty() || o.input.size() > 64) throw book::UsageError("--input must have 1 to 64 characters");
  if (o.target.size() != o.input.size()) {
    throw book::UsageError("--target must have as many characters as --input (" + std::to_string(o.input.size()) + ")");
  }
  for (char c : o.input + o.target) {
    if (static_cast<unsigned char>(c) < 32 || static_cast<unsigned char>(c) > 126) {
      throw book::UsageError("--input and --target must be printable ASCII");
    }
  }
}

// Part 1: a tiny RNN unrolled over a short input, printing h_t at every step.
void show_unrolled(std::uint64_t seed) {
  std::cout << "== 1. The unrolled RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), y_t = W_hy h_t + b_hy ==\n";
  // [unroll]
  const ch06::CharTask task = ch06::make_char_task("hell", "ello");  // one-hot x_t over {h, e, l, o}
  book::Rng rng(seed);
  const ch06::ScratchRnn model = ch06::make_scratch_rnn({4, 3, 4, 1}, rng);  // 4 inputs, H = 3, 4 outputs
  const ch06::RnnForward f = ch06::rnn_forward(model, task.inputs);          // the same weights at every step
  // [unroll]
  book::Table table({"t", "x_t", "h_t[0]", "h_t[1]", "h_t[2]", "argmax y_t"}, 4);
  for (std::size_t t = 0; t < task.inputs.size(); ++t) {
    const ch06::Vec& h = f.hidden[0][t + 1];
    Eigen::Index best = 0;
    f.outputs[t].maxCoeff(&best);
    table.add_row({static_cast<std::int64_t>(t + 1), std::string(1, "hell"[t]), h(0), h(1), h(2),
                   std::string(1, task.vocab[static_cast<std::size_t>(best)])});
  }
  std::cout << "Input \"hell\", one-hot over the vocabulary \"" << task.vocab << "\", H = 3, untrained weights:\n"
            << table.to_text()
            << "Each h_t depends on every earlier character through h_{t-1}; the two 'l' steps get different\n"
               "states because what came before them differs.\n";
}

// Part 2: parity with LibTorch for several sizes and two stacked layers.
bool show_parity(std::uint64_t seed, book::Facts& facts) {
  std::cout << "\n== 2. Parity: torch::nn::RNN + Linear weights copied into the Eigen model (float64) ==\n";
  book::Table table({"input", "hidden", "output", "layers", "steps", "batch", "max |dy|", "max |dh_n|", "within 1e-6"}, 3);
  bool ok = true;
  double largest = 0;
  const std::vector<ch06::RnnSizes> sizes = {{1, 1, 1, 1}, {3, 5, 2, 1}, {10, 16, 4, 1}, {7, 32, 3, 2}, {4, 6, 5, 2}};
  std::uint64_t k = 0;
  for (const auto& s : sizes) {
    const ch06::Parity p = ch06::rnn_parity(s, 9, 3, seed + k++);
    ok &= p.max() <= 1e-6;
    largest = std::max(largest, p.max());
    table.add_row({std::int64_t{s.input}, std::int64_t{s.hidden}, std::int64_t{s.output}, std::int64_t{s.layers},
                   std::int64_t{9}, std::int64_t{3}, p.outputs, p.final_state, std::string(p.max() <= 1e-6 ? "yes" : "NO")});
  }
  std::cout << table.to_text()
            << fmt::format("Largest difference over every row: {} (the test allows 1e-6).\n",
                           facts.put("parity_max", fmt::format("{:.1e}", largest)));

  // [concat_check]
  book::Rng rng(seed);
  const auto random = [&](Eigen::Index r, Eigen::Index c) {
    return ch06::Mat(ch06::Mat::NullaryExpr(r, c, [&] { return 2.0 * book::uniform01(rng) - 1.0; }));
  };
  // H = 5, 3 inputs, a batch of 4 sequences, one per column.
  const ch06::Mat w_hh = random(5, 5), w_ih = random(5, 3), h = random(5, 4), x = random(3, 4);
  const double diff = (ch06::two_products(w_hh, w_ih, h, x) -
                       ch06::concatenated_product(w_hh, w_ih, h, x)).cwiseAbs().maxCoeff();
  // [concat_check]
  std::cout << fmt::format("W_hh h + W_ih x versus [W_hh, W_ih] [h; x] (H = 5, 3 inputs, a batch of 4 as columns): "
                           "max difference {},\nthe same sum written as one product.\n",
                           facts.put("concat_diff", fmt::format("{:.1e}", diff)));
  return ok && diff <= 1e-12;
}

// Part 3: train on "hello" with the manual gradients.
bool train_hello(const Options& o, const book::fs::path& out_dir, book::Facts& facts) {
  std::cout << fmt::format("\n== 3. Training the Eigen RNN to map \"{}\" to \"{}\" with manual BPTT and SGD ==\n",
                           o.input, o.target);
  // [hello]
  const ch06::CharTask task = ch06::make_char_task(o.input, o.target);
  ch06::CharTrainOptions train;
  train.hidden = o.hidden;
  train.iterations = o.iterations;
  train.lr = o.lr;
  train.max_grad_norm = o.max_grad_norm;
  book::Table curve({"iteration", "loss", "grad_norm"}, 6);
  book::Rng rng(o.common.seed);
  const int every = std::max(1, o.iterations / 10);
  int last_wrong = 0;  // the last iteration whose prediction was not the target
  double first_loss = 0, last_loss = 0;
  const ch06::ScratchRnn model = ch06::train_char_rnn(task, train, rng, [&](const ch06::CharTrainStep& s) {
    curve.add_row({std::int64_t{s.iteration}, s.loss, s.grad_norm});
    if (s.prediction != o.target) last_wrong = s.iteration;
    if (s.iteration == 1) first_loss = s.loss;
    last_loss = s.loss;
    if (s.iteration == 1 || s.iteration % every == 0) {
      std::cout << fmt::format("iteration {:5d}  loss per character {:.4f}  gradient norm {:.3f}  prediction \"{}\"\n",
                               s.iteration, s.loss, s.grad_norm, s.prediction);
    }
  });
  const std::string prediction = ch06::predict_chars(model, task);
  // [hello]
  std::cout << fmt::format("The vocabulary has {} characters, so an untrained model starts near ln {} = {} per "
                           "character;\nthis one starts at {} and ends at {}.\n", task.vocab.size(), task.vocab.size(),
                           facts.put("ln_vocab", fmt::format("{:.4f}", std::log(double(task.vocab.size())))),
                           facts.put("first_loss", fmt::format("{:.4f}", first_loss)),
                           facts.put("last_loss", fmt::format("{:.4f}", last_loss)));
  std::cout << fmt::format("Given \"{}\" the trained RNN produces \"{}\" (target \"{}\"): {}\n", o.input, prediction,
                           o.target, prediction == o.target ? "correct" : "not yet correct");
  if (prediction == o.target) {
    std::cout << fmt::format("Its prediction is the target from iteration {} on.\n",
                             facts.put("correct_from", std::to_string(last_wrong + 1)));
  }
  const auto csv = out_dir / "hello_loss.csv";
  curve.save_csv(csv);
  const auto svg = book::plot_svg(
      "set xlabel 'SGD iteration'\nset ylabel 'cross-entropy per character (nats)'\nset logscale y\nset grid\n"
      "set title 'From-scratch RNN on \"" + o.input + "\" -> \"" + o.target + "\" (manual BPTT)'\n"
      "plot 'hello_loss.csv' using 1:2 with lines lw 2 title 'loss'\n",
      out_dir / "hello_loss.svg");
  std::cout << "Wrote " << csv.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
  return prediction == o.target;
}

int run(const Options& o) {
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::start_run(o.common, /*force_cpu=*/true);
  show_unrolled(o.common.seed);
  book::Facts facts;
  const bool parity_ok = show_parity(o.common.seed, facts);
  const bool trained = train_hello(o, out_dir, facts);
  facts.write(out_dir);
  if (!parity_ok) throw std::runtime_error("the Eigen RNN does not match torch::nn::RNN");
  if (!trained) std::cout << "(Try more --iterations or another --lr.)\n";
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 02: the Elman RNN unrolled in Eigen, equal to torch::nn::RNN with copied weights, and "
               "trained on \"hello\" with manual BPTT.",
               "ch06_02_rnn_from_scratch"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return run(options);
  });
}
