// Reliability, numerics: every training loop of the chapter stops at the first non-finite loss with
// an error naming the step, instead of training on (and reporting) NaN. The trigger is an infinite
// learning rate: the first step's loss is finite (fresh weights), its update makes the weights
// non-finite, so the second step's loss is not finite. (Program 09's exploding-gradient part records
// the NaN on purpose; its own tests check that. Its tagging part is checked here.) The flags cap
// --lr at finite values, so these checks call the loops the programs run, as the programs do.
// Metrics files cannot hold a NaN either: book::write_json refuses it (tests/common/test_files.cpp).
#include "book/rng.h"
#include "book/train.h"
#include "lib/g2p_data.h"
#include "lib/g2p_model.h"
#include "lib/gru_compare.h"
#include "lib/masking.h"
#include "lib/memory_lstm.h"
#include "lib/name_batches.h"
#include "lib/name_classifier.h"
#include "lib/name_training.h"
#include "lib/names.h"
#include "lib/order_models.h"
#include "lib/scratch_rnn.h"
#include "lib/sentiment.h"
#include "lib/sentiment_corpus.h"

#include <doctest/doctest.h>

#include <functional>
#include <limits>

using namespace ch06;

namespace {

constexpr double kInfiniteLr = std::numeric_limits<double>::infinity();

// The message of the exception `fn` throws ("" if none).
std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

void check_stops_at_step_2(const std::string& message) {
  CAPTURE(message);
  CHECK(message.find("nan at step 2") != std::string::npos);
}

}  // namespace

TEST_CASE("the main job's fit_classifier stops at a non-finite loss with the step number") {
  torch::manual_seed(1);
  book::Rng rng(1);
  const NameDataset data = make_synthetic_names(200, rng);
  const Split split = random_split(data.samples, 0.2, rng);
  const EncodedNames train = encode_names(split.train, data.vocab);
  const EncodedNames val = encode_names(split.val, data.vocab);
  ClassifierConfig c;
  c.vocab_size = data.vocab.size();
  c.embed_dim = 4;
  c.hidden_dim = 8;
  c.num_layers = 1;
  DynamicRNNClassifier model(c);
  FitOptions fit;
  fit.epochs = 1;
  fit.batch_size = 32;
  fit.progress = false;
  fit.lr = kInfiniteLr;
  const std::string message = error_of([&] { fit_classifier(model, train, val, fit, rng); });
  check_stops_at_step_2(message);
  CHECK(message.find("lower --lr") != std::string::npos);
  fit.lr = 1e-3;  // the same run with a finite rate trains
  DynamicRNNClassifier fresh(c);
  CHECK(error_of([&] { fit_classifier(fresh, train, val, fit, rng); }).empty());
}

TEST_CASE("program 01's order task stops at a non-finite loss with the step number") {
  torch::manual_seed(1);
  book::Rng rng(1);
  OrderTaskOptions o;
  o.train_samples = 200;
  o.test_samples = 50;
  o.epochs = 1;
  o.lr = kInfiniteLr;
  check_stops_at_step_2(error_of([&] { run_order_task(o, rng); }));
}

TEST_CASE("program 02's from-scratch RNN stops at a non-finite loss with the step number") {
  const CharTask task = make_char_task("hell", "ello");
  book::Rng rng(1);
  CharTrainOptions o;
  o.iterations = 10;
  o.max_grad_norm = 0;
  o.lr = kInfiniteLr;
  const std::string message = error_of([&] { train_char_rnn(task, o, rng); });
  CAPTURE(message);
  CHECK(message.find("not finite at step 2") != std::string::npos);
}

TEST_CASE("program 04's memory LSTM stops at a non-finite loss with the step number") {
  torch::manual_seed(1);
  book::Rng rng(1);
  MemoryTaskOptions o;
  o.gap = 5;
  o.train_samples = 100;
  o.test_samples = 20;
  o.epochs = 1;
  o.lr = kInfiniteLr;
  check_stops_at_step_2(error_of([&] { train_memory_lstm(o, rng); }));
}

TEST_CASE("program 07's text classifiers stop at a non-finite loss with the step number") {
  torch::manual_seed(1);
  book::Rng rng(1);
  std::vector<std::vector<std::string>> tokens;
  std::vector<std::int64_t> labels;
  for (const auto& s : generate_sentiment_corpus(100, rng)) {
    tokens.push_back(tokenize(s.text));
    labels.push_back(s.label);
  }
  const WordVocab vocab = WordVocab::build(tokens, 1, 1000);
  const EncodedNames data = encode_texts(tokens, labels, vocab, 50);
  TextFitOptions fit;
  fit.epochs = 1;
  fit.batch_size = 16;
  fit.progress = false;
  fit.lr = kInfiniteLr;
  SentimentConfig c;
  c.vocab_size = vocab.size();
  c.embed_dim = 4;
  c.hidden_dim = 4;
  c.num_layers = 1;
  SentimentLSTM lstm(c);
  const book::ForwardFn lstm_forward = [&](const book::Batch& b) { return lstm->forward(b.inputs, b.lengths); };
  check_stops_at_step_2(error_of([&] { fit_text_classifier(*lstm, lstm_forward, data, data, fit, rng); }));
  BagOfWords bow(vocab.size(), 4, 0, 2);
  const book::ForwardFn bow_forward = [&](const book::Batch& b) { return bow->forward(b.inputs, b.lengths); };
  check_stops_at_step_2(error_of([&] { fit_text_classifier(*bow, bow_forward, data, data, fit, rng); }));
}

TEST_CASE("program 08's long-range runs stop at a non-finite loss with the step number") {
  LongRangeSetup setup;
  setup.batch = 16;
  setup.max_steps = 5;
  setup.hidden = 8;
  setup.lr = kInfiniteLr;
  for (const CellType cell : {CellType::kRnn, CellType::kGru, CellType::kLstm}) {
    const std::string message = error_of([&] { train_first_token(cell, 4, setup, 1); });
    CAPTURE(message);
    check_stops_at_step_2(message);
    CHECK(message.find(cell_type_name(cell) + " run with T = 4") != std::string::npos);
  }
}

TEST_CASE("program 09's tagging runs stop at a non-finite loss with the step number") {
  TaggingConfig c;
  c.steps = 5;
  c.batch = 8;
  c.eval_batch = 16;
  c.lr = kInfiniteLr;
  for (const bool masked : {true, false}) {
    const std::string message = error_of([&] { train_tagger(c, masked); });
    CAPTURE(message);
    check_stops_at_step_2(message);
    CHECK(message.find(masked ? "of the masked run" : "of the unmasked run") != std::string::npos);
  }
}

TEST_CASE("program 10's grapheme-to-phoneme training stops at a non-finite loss with the step number") {
  torch::manual_seed(1);
  book::Rng rng(1);
  std::vector<Pronunciation> words;
  for (const char* w : {"cat", "dog", "bat", "cot", "dot", "bog", "tag", "god"}) {
    Pronunciation p;
    p.word = w;
    for (const char* ph : {"K", "AE", "T"}) p.phonemes.push_back(phoneme_id(ph));
    words.push_back(p);
  }
  G2PConfig config;
  config.embed_dim = 4;
  config.hidden_dim = 8;
  G2PModel model(config);
  G2PFitOptions fit;
  fit.epochs = 1;
  fit.batch_size = 2;
  fit.progress = false;
  fit.lr = kInfiniteLr;
  const std::string message = error_of([&] { fit_g2p(model, words, words, fit, rng); });
  CAPTURE(message);
  CHECK(message.find("nan at step 2 of epoch 1") != std::string::npos);
}
