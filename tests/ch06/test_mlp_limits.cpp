// Self-checks of program 01 (chapters/06_rnn_lstm_seq/01_mlp_limits.cpp): an MLP has a fixed input
// size, a bag of embeddings cannot see order, and on an order task it stays at chance where a small
// RNN with the same budget learns.
#include "book/files.h"
#include "lib/order_models.h"
#include "lib/toy_sequences.h"
#include "process.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace ch06;

TEST_CASE("an MLP built for 5 tokens takes 5 and refuses 3 or 7 with a shape error") {
  torch::manual_seed(1);
  FixedLengthMlp mlp(8, 4, 5, 16, 2);
  const ShapeAttempt five = try_fixed_mlp(mlp, torch::randint(0, 8, {2, 5}, torch::kLong));
  REQUIRE(five.ok);
  CHECK(five.output_shape == std::vector<std::int64_t>{2, 2});
  for (std::int64_t length : {3, 7}) {
    CAPTURE(length);
    const ShapeAttempt a = try_fixed_mlp(mlp, torch::randint(0, 8, {1, length}, torch::kLong));
    CHECK_FALSE(a.ok);
    CHECK(a.error.find("shapes cannot be multiplied") != std::string::npos);
    CHECK(a.error.find(std::to_string(length * 4)) != std::string::npos);  // the length·E numbers it got
    CHECK(a.error.find('\n') == std::string::npos);                          // one line, no backtrace
  }
}

TEST_CASE("a bag of embeddings gives bitwise identical outputs for \"dog bites man\" and \"man bites dog\"") {
  torch::manual_seed(2);
  BagOfEmbeddings bag(3, 8, 16, 2);
  torch::NoGradGuard no_grad;
  const auto a = bag->forward(torch::tensor({0, 1, 2}, torch::kLong).unsqueeze(0));
  const auto b = bag->forward(torch::tensor({2, 1, 0}, torch::kLong).unsqueeze(0));
  CHECK(torch::equal(a, b));  // bit for bit, not just close
}

TEST_CASE("a bag of embeddings is blind to any reordering, an RNN is not") {
  torch::manual_seed(3);
  BagOfEmbeddings bag(20, 8, 16, 2);
  SmallRnnClassifier rnn(20, 8, 16, 2);
  book::Rng rng(3);
  torch::NoGradGuard no_grad;
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::int64_t> ids(9);
    for (auto& id : ids) id = book::uniform_int(rng, 0, 19);
    std::vector<std::int64_t> shuffled = ids;
    while (shuffled == ids) book::shuffle(shuffled, rng);
    const auto x = torch::tensor(ids, torch::kLong).unsqueeze(0);
    const auto y = torch::tensor(shuffled, torch::kLong).unsqueeze(0);
    CHECK(torch::equal(bag->forward(x), bag->forward(y)));
    CHECK((rnn->forward(x) - rnn->forward(y)).abs().max().item<float>() > 1e-4f);
  }
}

TEST_CASE("the RNN's outputs for \"dog bites man\" and \"man bites dog\" differ") {
  torch::manual_seed(4);
  SmallRnnClassifier rnn(3, 8, 16, 2);
  torch::NoGradGuard no_grad;
  const auto a = rnn->forward(torch::tensor({0, 1, 2}, torch::kLong).unsqueeze(0));
  const auto b = rnn->forward(torch::tensor({2, 1, 0}, torch::kLong).unsqueeze(0));
  CHECK((a - b).abs().max().item<float>() > 1e-4f);
}

TEST_CASE("the order task: one A and one B per sequence, the label says which comes first, balanced classes") {
  book::Rng rng(5);
  const TokenDataset d = make_order_task(4000, 8, 6, rng);
  REQUIRE(d.ids.size() == 4000);
  CHECK(d.vocab_size == 8);
  int positives = 0;
  for (std::size_t n = 0; n < d.ids.size(); ++n) {
    const auto& s = d.ids[n];
    REQUIRE(s.size() == 8);
    REQUIRE(std::count(s.begin(), s.end(), 0) == 1);
    REQUIRE(std::count(s.begin(), s.end(), 1) == 1);
    const auto a = std::find(s.begin(), s.end(), 0) - s.begin();
    const auto b = std::find(s.begin(), s.end(), 1) - s.begin();
    REQUIRE(d.labels[n] == (a < b ? 1 : 0));
    positives += static_cast<int>(d.labels[n]);
  }
  CHECK(positives > 1800);  // 2,000 expected; 200 is more than 6 standard deviations
  CHECK(positives < 2200);
}

TEST_CASE("with the same budget the bag-of-embeddings MLP stays at chance (<= 60%) and the RNN reaches >= 95%") {
  torch::manual_seed(42);
  book::Rng rng(42);
  const OrderTaskOptions options;  // the program's defaults
  const auto results = run_order_task(options, rng);
  REQUIRE(results.size() == 2);
  CHECK(results[0].name == "bag-of-embeddings MLP");
  CHECK(results[0].test_acc.size() == static_cast<std::size_t>(options.epochs));
  CHECK(results[1].test_acc.size() == static_cast<std::size_t>(options.epochs));
  MESSAGE("bag " << results[0].test_acc.back() << "%, RNN " << results[1].test_acc.back() << "%");
  CHECK(results[0].test_acc.back() <= 60.0);
  CHECK(results[1].test_acc.back() >= 95.0);
}

TEST_CASE("ch06_01_mlp_limits runs, explains the shape error, prints both accuracies and writes its figure") {
  book::test::TempDir dir("p01");
  const auto r = book::test::run_process({book::test::program("ch06_01_mlp_limits"), "--epochs", "2",
                                          "--train_samples", "600", "--test_samples", "200", "--out_dir",
                                          dir.path().string()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("shapes cannot be multiplied") != std::string::npos);
  CHECK(r.out.find("bag-of-embeddings MLP  [") != std::string::npos);
  CHECK(r.out.find("test accuracy") != std::string::npos);
  CHECK(book::fs::exists(dir / "order_task_accuracy.csv"));
  CHECK(book::fs::exists(dir / "order_task_accuracy.gp"));
  const auto bad = book::test::run_process({book::test::program("ch06_01_mlp_limits"), "--length", "1"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--length") != std::string::npos);
}
