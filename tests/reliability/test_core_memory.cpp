// Reliability, memory: the chapter's torch-free code (the from-scratch Eigen RNN, LSTM and GRU, the
// text and data readers) driven through its paths in one small, fast executable without LibTorch,
// so that AddressSanitizer + UndefinedBehaviorSanitizer (CI) and valgrind memcheck can check it in
// seconds. Each case checks a property, so it is a test in the normal build as well.
#include "book/files.h"
#include "book/rng.h"
#include "book/text.h"
#include "lib/g2p_data.h"
#include "lib/names.h"
#include "lib/scratch_gru.h"
#include "lib/scratch_lstm.h"
#include "lib/scratch_rnn.h"
#include "lib/sentiment_corpus.h"
#include "process.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace ch06;

namespace {

Vec random_vec(Eigen::Index n, book::Rng& rng) {
  return Vec::NullaryExpr(n, [&] { return 2.0 * book::uniform01(rng) - 1.0; });
}

}  // namespace

TEST_CASE("Eigen RNN: manual BPTT equals central finite differences for one and two layers") {
  for (int layers : {1, 2}) {
    CAPTURE(layers);
    book::Rng rng(3);
    const ScratchRnn model = make_scratch_rnn({3, 5, 2, layers}, rng);
    Sequence xs;
    std::vector<int> targets;
    for (int t = 0; t < 7; ++t) {
      xs.push_back(random_vec(3, rng));
      targets.push_back(static_cast<int>(book::uniform_below(rng, 2)));
    }
    std::vector<Vec> h0;
    for (int l = 0; l < layers; ++l) h0.push_back(random_vec(5, rng));
    const GradCheck c = finite_difference_check(model, xs, targets, h0, 1e-5, GradTolerance{});
    CAPTURE(c.worst);
    CHECK(c.entries > 0);
    CHECK(c.ok());
  }
}

TEST_CASE("Eigen RNN: SGD with manual BPTT lowers the loss of \"hell\" -> \"ello\"") {
  const CharTask task = make_char_task("hell", "ello");
  book::Rng rng(4);
  CharTrainOptions o;
  o.iterations = 150;
  std::vector<double> losses;
  train_char_rnn(task, o, rng, [&](const CharTrainStep& s) { losses.push_back(s.loss); });
  REQUIRE(losses.size() == 150);
  for (double l : losses) CHECK(std::isfinite(l));
  CHECK(losses.back() < 0.5 * losses.front());
  CHECK_THROWS_AS(make_char_task("abc", "ab"), std::invalid_argument);
}

TEST_CASE("Eigen LSTM and GRU: forced gates keep the state exactly over 500 steps") {
  book::Rng rng(5);
  Sequence xs;
  for (int t = 0; t < 500; ++t) xs.push_back(random_vec(3, rng));
  const LstmWeights lstm = force_carry(make_lstm_weights(3, 4, rng));
  const Vec c0 = random_vec(4, rng);
  const auto steps = lstm_sequence(lstm, xs, random_vec(4, rng), c0);
  REQUIRE(steps.size() == 500);
  CHECK((steps.back().c.array() == c0.array()).all());
  const GruWeights gru = random_gru_weights(3, 4, rng);
  const Eigen::VectorXd h0 = random_vec(4, rng);
  GruForce keep;
  keep.z = 1.0;
  const auto gru_steps = gru_sequence(gru, xs, h0, keep);
  REQUIRE(gru_steps.size() == 500);
  CHECK(gru_steps.back().h == h0);
  // Unforced, the states move: the checks above can fail.
  CHECK_FALSE((lstm_sequence(make_lstm_weights(3, 4, rng), xs, random_vec(4, rng), c0).back().c.array() ==
               c0.array()).all());
}

TEST_CASE("text readers: invalid UTF-8, combining marks and emoji go through tokenizer and vocabulary") {
  const std::string text = "Bad \xff\xfe bytes, \xc3\x28 Mu\xcc\x88ller \xf0\x9f\x99\x82 end";
  for (const auto& word : tokenize(text)) {
    CAPTURE(word);
    CHECK(book::is_valid_utf8(word));
  }
  book::Rng rng(6);
  const NameDataset names = make_synthetic_names(50, rng);
  CHECK(names.samples.size() == 50);
  const auto ids = names.vocab.encode(text);
  CHECK(ids.size() == book::utf8_decode(text).size());  // one id per character, bad bytes included
  const CheckedWord w = check_word(std::string(100'000, '\xe9'));
  CHECK(book::is_valid_utf8(w.error));
  CHECK(w.error.size() < 160);  // 20 characters shown, not 100,000 bytes
}

TEST_CASE("the dictionary reader: good lines, and a bad line named by its number") {
  book::test::TempDir dir("core-mem");
  book::write_text(dir / "d.tsv", "cat\tK AE T\ndog\tD AO G\n");
  const auto entries = load_pronunciations(dir / "d.tsv");
  REQUIRE(entries.size() == 2);
  CHECK(entries[1].word == "dog");
  book::write_text(dir / "bad.tsv", "cat\tK AE T\nd\xff" "g\tD AO G\n");
  CHECK_THROWS_WITH(load_pronunciations(dir / "bad.tsv"), doctest::Contains("bad.tsv:2:"));
}
