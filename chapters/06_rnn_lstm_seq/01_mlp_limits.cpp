/// \file
/// Program 01: what an MLP cannot do with sequences. It needs a fixed input size, and a
/// bag-of-embeddings MLP cannot see order, where a small RNN can.
///
///   ch06_01_mlp_limits                 the three demonstrations, CSV + SVG in --out_dir
///   ch06_01_mlp_limits --length 12     a longer order task
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/order_models.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>

namespace {

struct Options {
  book::CommonOptions common;
  ch06::OrderTaskOptions task;
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_01_mlp_limits"));
  auto& t = o.task;
  app.add_option("--length", t.length, "Tokens per sequence of the order task")->capture_default_str()->check(book::int_range(2, 256));
  app.add_option("--fillers", t.fillers, "Filler tokens besides A and B")->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--train_samples", t.train_samples, "Training sequences")->capture_default_str()->check(book::int_range(10, 1'000'000));
  app.add_option("--test_samples", t.test_samples, "Held-out test sequences")->capture_default_str()->check(book::int_range(10, 1'000'000));
  app.add_option("--embed_dim", t.embed, "Embedding size of both models")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--hidden_dim", t.hidden, "Hidden size of both models")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--epochs", t.epochs, "Training epochs (the same budget for both models)")->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--batch_size", t.batch_size, "Sequences per batch")->capture_default_str()->check(book::int_range(1, 65536));
  app.add_option("--lr", t.lr, "Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
}

// Data larger than this is refused before anything is generated.
constexpr std::int64_t kMaxTokens = 20'000'000;

void check_flags(const Options& o) {
  const auto& t = o.task;
  const std::int64_t tokens = (t.train_samples + t.test_samples) * t.length;
  if (tokens > kMaxTokens) {
    throw book::UsageError("--train_samples/--test_samples/--length give " + book::with_thousands(tokens) + " tokens; the limit is " +
                           book::with_thousands(kMaxTokens));
  }
}

// [fixed_size]
void show_fixed_size() {
  std::cout << "== 1. An MLP has a fixed input size ==\n";
  // 8 tokens in the vocabulary, embeddings of 4 numbers, built for sequences of exactly 5 tokens.
  ch06::FixedLengthMlp mlp(/*vocab=*/8, /*embed=*/4, /*length=*/5, /*hidden=*/16, /*classes=*/2);
  for (std::int64_t length : {5, 7}) {
    const auto ids = torch::randint(0, 8, {1, length}, torch::kLong);
    const ch06::ShapeAttempt a = ch06::try_fixed_mlp(mlp, ids);
    if (a.ok) {
      std::cout << fmt::format("length {}: fine, logits of shape [{}]\n", length,
                               fmt::join(a.output_shape, ", "));
    } else {
      std::cout << fmt::format("length {}: LibTorch refuses: {}\n", length, a.error);
    }
  }
  std::cout << "Why: the MLP flattens the 5 embeddings into one vector of 5 x 4 = 20 numbers,\n"
               "and its first Linear layer has exactly 20 inputs. 7 tokens make 28 numbers, which\n"
               "no weight matrix of that layer can take. Padding or cutting every sequence to 5\n"
               "tokens is the only way in, and it either wastes inputs or throws tokens away. A\n"
               "recurrent network reads one token at a time with the same weights, so any length\n"
               "fits.\n";
}
// [fixed_size]

// [no_order]
void show_no_order() {
  std::cout << "\n== 2. A bag of embeddings cannot see order ==\n";
  const std::vector<std::string> words = {"dog", "bites", "man"};
  const auto dog_bites_man = torch::tensor({0, 1, 2}, torch::kLong).unsqueeze(0);
  const auto man_bites_dog = torch::tensor({2, 1, 0}, torch::kLong).unsqueeze(0);
  ch06::BagOfEmbeddings bag(3, 8, 16, 2);
  ch06::SmallRnnClassifier rnn(3, 8, 16, 2);
  torch::NoGradGuard no_grad;
  const auto bag_a = bag->forward(dog_bites_man), bag_b = bag->forward(man_bites_dog);
  const auto rnn_a = rnn->forward(dog_bites_man), rnn_b = rnn->forward(man_bites_dog);
  const auto show = [](const torch::Tensor& t) {
    return fmt::format("[{:+.6f}, {:+.6f}]", t[0][0].item<float>(), t[0][1].item<float>());
  };
  book::Table table({"model", "\"dog bites man\"", "\"man bites dog\"", "bitwise equal"});
  table.add_row({std::string("bag-of-embeddings MLP"), show(bag_a), show(bag_b),
                 std::string(torch::equal(bag_a, bag_b) ? "yes" : "no")});
  table.add_row({std::string("RNN"), show(rnn_a), show(rnn_b), std::string(torch::equal(rnn_a, rnn_b) ? "yes" : "no")});
  std::cout << "Logits of two untrained models for the same three words in two orders:\n" << table.to_text()
            << "The bag counts each word once in both sentences, so every number after the count is the\n"
               "same. The RNN's state after \"dog\" differs from its state after \"man\", and the difference\n"
               "carries through to the end.\n";
}
// [no_order]

int run(Options& o) {
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common, /*force_cpu=*/true);
  show_fixed_size();
  show_no_order();

  const auto& t = o.task;
  std::cout << fmt::format("\n== 3. The order task: label = does A come before B? ==\n"
                           "{} tokens per sequence: one A, one B, {} filler kinds elsewhere; "
                           "{} training and {} test sequences.\n"
                           "Both models: embedding {}, hidden {}, {} epochs of batches of {}, "
                           "Adam lr {}, clipping at {}.\n",
                           t.length, t.fillers, t.train_samples, t.test_samples, t.embed, t.hidden, t.epochs,
                           t.batch_size, t.lr, t.max_grad_norm);
  // [order_task]
  const auto results = ch06::run_order_task(t, run.rng, [](const std::string& name, int epoch, double tr, double te) {
    std::cout << fmt::format("{:<22} epoch {:3d}  train accuracy {:6.2f}%  test accuracy {:6.2f}%\n", name, epoch, tr, te);
  });
  // [order_task]
  book::Facts facts;
  book::Table summary({"model", "parameters", "test accuracy", "seconds"}, 4);
  for (std::size_t m = 0; m < results.size(); ++m) {
    const auto& r = results[m];
    const std::string key = m == 0 ? "bag" : "rnn";
    summary.add_row({r.name, book::with_thousands(r.parameters),
                     facts.put(key + "_test_accuracy", fmt::format("{:.2f}%", r.test_acc.back())), r.seconds});
    facts.put(key + "_first_epoch_test_accuracy", fmt::format("{:.2f}%", r.test_acc.front()));
  }
  std::cout << "\nAfter the same training budget:\n" << summary.to_text()
            << "Chance is 50%. Both classes contain the same tokens, so the bag model has nothing to go on;\n"
               "the RNN reads A and B in order and only has to remember which one it saw first.\n";

  book::Table csv({"epoch", "bag_train", "bag_test", "rnn_train", "rnn_test"}, 6);
  for (std::size_t e = 0; e < results[0].test_acc.size(); ++e) {
    csv.add_row({static_cast<std::int64_t>(e + 1), results[0].train_acc[e], results[0].test_acc[e],
                 results[1].train_acc[e], results[1].test_acc[e]});
  }
  const auto csv_path = out_dir / "order_task_accuracy.csv";
  csv.save_csv(csv_path);
  const auto svg = book::plot_svg(
      "set xlabel 'epoch'\nset ylabel 'test accuracy (%)'\nset yrange [0:100]\nset grid\n"
      "set title 'Order task: does A come before B?'\n"
      "plot 'order_task_accuracy.csv' using 1:3 with linespoints lw 2 title 'bag-of-embeddings MLP', "
      "'' using 1:5 with linespoints lw 2 title 'RNN', 50 with lines dt 2 lc rgb '#888888' title 'chance'\n",
      out_dir / "order_task_accuracy.svg");
  std::cout << "Wrote " << csv_path.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
  facts.write(out_dir);
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 01: an MLP needs a fixed input size and cannot see order; a small RNN can.",
               "ch06_01_mlp_limits"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return run(options);
  });
}
