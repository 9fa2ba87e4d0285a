// Self-checks of program 07 (chapters/06_rnn_lstm_seq/07_sentiment_lstm.cpp): the SentimentLSTM's
// sizes and head, the grammar and its labels, the tokenizer and the word vocabulary, the aclImdb
// reader on a tiny fixture, a short training run in which the LSTM beats the bag of words most on
// negated sentences, and the program as a reader runs it (training, predict mode, bad data folders);
// the real sentences of --corpus uci: the loader, the attribution, the folds, the negation
// detector, and a short training run on a subset.
#include "book/files.h"
#include "book/text.h"
#include "book/torch_utils.h"
#include "lib/sentiment.h"
#include "lib/sentiment_corpus.h"
#include "lib/g2p_data.h"
#include "lib/sentiment_cv.h"
#include "lib/sentiment_real.h"
#include "lib/sentiment_splits.h"
#include "lib/sentiment_uci.h"
#include "process.h"
#include "test_paths.h"

#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

using namespace ch06;
using book::test::ProcessResult;
using book::test::TempDir;

namespace {

const book::fs::path kFixture = book::fs::path(BOOK_TEST_SOURCE_DIR) / "tests" / "fixtures" / "aclImdb_tiny";

std::int64_t label_of(const std::string& sentence) {
  const auto label = grammar_label(tokenize(sentence));
  REQUIRE_MESSAGE(label.has_value(), sentence);
  return *label;
}

ProcessResult program07(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), book::test::program("ch06_07_sentiment_lstm"));
  return book::test::run_process(args, input);
}

// The facts a run recorded (<out_dir>/facts.json), each checked against what the run printed: the
// book's pages quote them, and the docs check compares them with the printed output the same way.
std::map<std::string, std::string> facts_printed(const book::fs::path& out_dir, const std::string& out) {
  const nlohmann::json json = book::read_json(out_dir / "facts.json");
  std::map<std::string, std::string> facts;
  for (const auto& [key, value] : json.items()) {
    facts[key] = value.get<std::string>();
    CAPTURE(key);
    CHECK(out.find(facts[key]) != std::string::npos);
  }
  return facts;
}

// A run of the program small enough for a test (about a second).
std::vector<std::string> tiny(const TempDir& dir) {
  return {"--embed_dim", "8", "--hidden_dim", "8", "--num_layers", "1", "--epochs", "1", "--bow_epochs", "1",
          "--out_dir", dir.path().string()};
}

// A small SentimentLSTM (vocabulary 12, embedding 6) in eval mode, so without dropout.
SentimentLSTM small_model(std::uint64_t seed, std::int64_t hidden, std::int64_t layers) {
  torch::manual_seed(seed);
  SentimentConfig c;
  c.vocab_size = 12;
  c.embed_dim = 6;
  c.hidden_dim = hidden;
  c.num_layers = layers;
  SentimentLSTM model(c);
  model->eval();
  return model;
}

// Four texts of unsorted lengths 3, 6, 1, 4 as one padded batch.
book::Batch four_texts() {
  EncodedNames data;
  data.ids = {{2, 3, 4}, {5, 6, 7, 8, 9, 2}, {3}, {10, 11, 4, 4}};
  data.labels = {0, 1, 0, 1};
  return collate(data, {0, 1, 2, 3});
}

}  // namespace

TEST_CASE("the chapter's SentimentLSTM: sizes and parameter count") {
  SentimentConfig c;  // the chapter's demo: vocabulary 1000, embedding 128, hidden 256, 2 layers, dropout 0.5
  CHECK(c.embed_dim == 128);
  CHECK(c.hidden_dim == 256);
  CHECK(c.num_layers == 2);
  CHECK(c.dropout == 0.5);
  SentimentLSTM model(c);
  // embedding 1000·128; layer 1: 2 directions · 4 gates · (256·128 + 256·256 + 2·256);
  // layer 2: the same with input 2·256; head: Linear(512 → 2).
  const std::int64_t expected = 1000 * 128 + 2 * 4 * (256 * 128 + 256 * 256 + 512) +
                                2 * 4 * (256 * 512 + 256 * 256 + 512) + 512 * 2 + 2;
  CHECK(book::count_parameters(*model).total == expected);
  CHECK(sentiment_parameter_count(c) == expected);
  SentimentConfig small;
  small.vocab_size = 13;
  small.embed_dim = 5;
  small.hidden_dim = 3;
  small.num_layers = 3;
  CHECK(book::count_parameters(*SentimentLSTM(small)).total == sentiment_parameter_count(small));
}

TEST_CASE("the activation estimate grows with the batch, the text length, the width and the depth") {
  SentimentConfig c;  // the chapter's sizes: E 128, H 256, 2 layers
  const double base = sentiment_activation_bytes(c, 32, 200);
  // Per word: 6·H floats per layer and direction, and the embedding twice (input and dropout).
  CHECK(base == doctest::Approx(4.0 * 32 * 200 * (6.0 * 256 * 2 * 2 + 2 * 128)));
  CHECK(sentiment_activation_bytes(c, 64, 200) == doctest::Approx(2 * base));
  CHECK(sentiment_activation_bytes(c, 32, 100) == doctest::Approx(base / 2));
  SentimentConfig deeper = c;
  deeper.num_layers = 4;
  CHECK(sentiment_activation_bytes(deeper, 32, 200) > 1.9 * base);
  SentimentConfig wider = c;
  wider.hidden_dim = 512;
  CHECK(sentiment_activation_bytes(wider, 32, 200) > 1.9 * base);
}

TEST_CASE("the head joins the forward state at the last real word and the backward state at the first") {
  SentimentLSTM model = small_model(5, 4, 2);
  torch::NoGradGuard no_grad;
  const book::Batch b = four_texts();
  const auto features = model->final_features(b.inputs, b.lengths);
  const auto steps = model->step_outputs(b.inputs, b.lengths);  // [B, T, 2H]
  REQUIRE(features.sizes() == torch::IntArrayRef({4, 8}));
  REQUIRE(model->forward(b.inputs, b.lengths).sizes() == torch::IntArrayRef({4, 2}));
  for (std::int64_t i = 0; i < 4; ++i) {
    const auto last = b.lengths[i].item<std::int64_t>() - 1;
    CHECK(torch::allclose(features[i].slice(0, 0, 4), steps[i][last].slice(0, 0, 4)));
    CHECK(torch::allclose(features[i].slice(0, 4, 8), steps[i][0].slice(0, 4, 8)));
  }
}

TEST_CASE("the fused path and the packed module give the same logits and gradients") {
  SentimentLSTM model = small_model(11, 5, 2);  // eval mode: both paths compute one function
  const book::Batch b = four_texts();
  const auto run = [&](RecurrentPath path) {
    model->set_path(path);
    model->zero_grad();
    const torch::Tensor logits = model->forward(b.inputs, b.lengths);
    torch::nn::functional::cross_entropy(logits, b.targets).backward();
    std::vector<torch::Tensor> grads;
    for (const auto& p : model->parameters()) grads.push_back(p.grad().clone());
    return std::make_pair(logits.detach(), grads);
  };
  CHECK(model->path() == RecurrentPath::kFused);  // the default
  const auto [fused_logits, fused_grads] = run(RecurrentPath::kFused);
  const auto [packed_logits, packed_grads] = run(RecurrentPath::kPacked);
  CHECK(torch::allclose(fused_logits, packed_logits, 1e-5, 1e-6));
  REQUIRE(fused_grads.size() == packed_grads.size());
  for (std::size_t i = 0; i < fused_grads.size(); ++i) {
    CAPTURE(i);
    CHECK(torch::allclose(fused_grads[i], packed_grads[i], 1e-4, 1e-6));
  }
  CHECK_THROWS_AS(model->set_path(RecurrentPath::kPadded), std::invalid_argument);
}

TEST_CASE("the grammar's rules: negation flips a clause, the clause after 'but' wins") {
  CHECK(label_of("the plot was good") == 1);
  CHECK(label_of("the plot was not good") == 0);
  CHECK(label_of("the plot is never very dull") == 1);
  CHECK(label_of("the acting was good but the ending was boring") == 0);
  CHECK(label_of("the ending was boring but the acting was good") == 1);
  CHECK(label_of("the cast was not bad but the script was not clever") == 0);
  CHECK(label_of("in the end the music was extremely moving") == 1);
  CHECK_FALSE(grammar_label(tokenize("a good movie")).has_value());
  CHECK_FALSE(grammar_label(tokenize("the plot was good but")).has_value());
  CHECK_FALSE(grammar_label(tokenize("the plot was good and the cast was great")).has_value());
}

TEST_CASE("every generated sentence carries the label its rules give, and its flags are right") {
  book::Rng rng(7);
  const auto corpus = generate_sentiment_corpus(3000, rng);
  std::int64_t positive = 0, negated = 0, contrast = 0;
  const std::set<std::string> negators(sentiment_words().negators.begin(), sentiment_words().negators.end());
  for (const auto& s : corpus) {
    const auto words = tokenize(s.text);
    REQUIRE_MESSAGE(grammar_label(words) == s.label, s.text);
    bool has_negator = false;
    for (const auto& w : words) has_negator |= negators.count(w) > 0;
    CHECK(has_negator == s.negated);
    CHECK((std::find(words.begin(), words.end(), "but") != words.end()) == s.contrast);
    if (s.contrast) {  // the two clauses disagree: the first alone has the opposite label
      const auto but = std::find(words.begin(), words.end(), "but");
      const auto first_label = grammar_label(std::vector<std::string>(words.begin(), but));  // opener + clause
      REQUIRE(first_label.has_value());
      CHECK(*first_label == 1 - s.label);
    }
    positive += s.label;
    negated += s.negated ? 1 : 0;
    contrast += s.contrast ? 1 : 0;
  }
  // Binomial counts with p = 0.5 (label), 0.5·0.4 + 0.5·(1 − 0.6²) = 0.52 (a negator in one clause or
  // in either of two) and 0.5 (contrast): each within 5 standard deviations (5·27 = 137).
  CHECK(std::abs(positive - 1500) < 140);
  CHECK(std::abs(negated - 1560) < 140);
  CHECK(std::abs(contrast - 1500) < 140);
}

TEST_CASE("the tokenizer: lower case, punctuation and <br /> split words, UTF-8 stays whole") {
  CHECK(tokenize("The plot, however, was NOT good!") ==
        std::vector<std::string>{"the", "plot", "however", "was", "not", "good"});
  CHECK(tokenize("Great.<br /><br />I didn't care") == std::vector<std::string>{"great", "i", "didn't", "care"});
  CHECK(tokenize("Amélie's café") == std::vector<std::string>{"amélie's", "café"});
  CHECK(tokenize("a < b > c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(tokenize("  \t\n").empty());
  const auto bad = tokenize("ok \xFF\xFE bytes");  // invalid UTF-8: replaced, never a failure
  REQUIRE(bad.size() == 3);
  CHECK(bad[1] == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("the word vocabulary: specials, minimum frequency, maximum size, ties, truncation") {
  const std::vector<std::vector<std::string>> docs = {
      {"good", "film", "good"}, {"bad", "film", "good"}, {"dull", "bad"}, {"odd"}};
  const WordVocab all = WordVocab::build(docs, 1, 100);
  CHECK(all.tokens() == std::vector<std::string>{"<pad>", "<unk>", "good", "bad", "film", "dull", "odd"});
  const WordVocab frequent = WordVocab::build(docs, 2, 100);  // good 3, bad 2, film 2
  CHECK(frequent.tokens() == std::vector<std::string>{"<pad>", "<unk>", "good", "bad", "film"});
  const WordVocab capped = WordVocab::build(docs, 1, 4);  // room for two words after the specials
  CHECK(capped.tokens() == std::vector<std::string>{"<pad>", "<unk>", "good", "bad"});
  CHECK(capped.id("film") == WordVocab::kUnk);
  CHECK(capped.encode({"bad", "film", "good", "good"}) == std::vector<std::int64_t>{3, 1, 2, 2});
  CHECK(capped.encode({"bad", "film", "good", "good"}, 2) == std::vector<std::int64_t>{3, 1});
  CHECK(WordVocab::from_tokens(frequent.tokens()).tokens() == frequent.tokens());
  CHECK_THROWS_AS(WordVocab::from_tokens({"good", "bad"}), std::invalid_argument);
  CHECK_THROWS_AS(WordVocab::build(docs, 0, 10), std::invalid_argument);
  CHECK_THROWS_AS(WordVocab::build(docs, 1, 1), std::invalid_argument);
  // Documents in another order give the same vocabulary.
  const std::vector<std::vector<std::string>> reversed(docs.rbegin(), docs.rend());
  CHECK(WordVocab::build(reversed, 1, 100).tokens() == all.tokens());
}

TEST_CASE("the aclImdb reader on the shipped fixture") {
  const ReviewData data = read_review_folder(kFixture);
  REQUIRE(data.train.texts.size() == 10);
  REQUIRE(data.test.texts.size() == 6);
  CHECK(std::count(data.train.labels.begin(), data.train.labels.end(), 1) == 5);
  CHECK(std::count(data.test.labels.begin(), data.test.labels.end(), 0) == 3);
  CHECK(data.train.labels.front() == 1);  // train/pos first, in file-name order
  CHECK(data.train.sources.front().find("train/pos/0_9.txt") != std::string::npos);
  CHECK(tokenize(data.train.texts.front()).front() == "a");
  const ReviewData capped = read_review_folder(kFixture, 2);
  CHECK(capped.train.texts.size() == 4);
  CHECK(capped.test.texts.size() == 4);
}

TEST_CASE("a missing or malformed review folder is one clear error that says where it looked") {
  TempDir dir("imdb");
  auto message = [](const book::fs::path& root) {
    try {
      read_review_folder(root);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const auto missing = dir / "nowhere";
  CHECK(message(missing).find(missing.string()) != std::string::npos);
  // The fixture without test/neg.
  const auto partial = dir / "partial";
  book::fs::copy(kFixture, partial, book::fs::copy_options::recursive);
  book::fs::remove_all(partial / "test" / "neg");
  const std::string no_neg = message(partial);
  CHECK(no_neg.find((partial / "test" / "neg").string()) != std::string::npos);
  CHECK(no_neg.find("missing") != std::string::npos);
  // An empty class folder.
  book::fs::create_directories(partial / "test" / "neg");
  book::fs::copy_file(kFixture / "README.txt", partial / "test" / "neg" / "notes.md");
  CHECK(message(partial).find("no .txt reviews") != std::string::npos);
}

TEST_CASE("trained on the grammar, the LSTM beats the bag of words, most of all on negated sentences") {
  book::Rng rng(11);
  torch::manual_seed(11);
  const auto corpus = generate_sentiment_corpus(2000, rng);
  const std::vector<SentimentSample> train(corpus.begin(), corpus.begin() + 1500);
  const std::vector<SentimentSample> test(corpus.begin() + 1500, corpus.end());
  auto split = [](const std::vector<SentimentSample>& samples) {
    std::vector<std::vector<std::string>> tokens;
    std::vector<std::int64_t> labels;
    for (const auto& s : samples) {
      tokens.push_back(tokenize(s.text));
      labels.push_back(s.label);
    }
    return std::make_pair(tokens, labels);
  };
  const auto [train_tokens, train_labels] = split(train);
  const auto [test_tokens, test_labels] = split(test);
  const WordVocab vocab = WordVocab::build(train_tokens, 1, 1000);
  const EncodedNames train_set = encode_texts(train_tokens, train_labels, vocab, 64);
  const EncodedNames test_set = encode_texts(test_tokens, test_labels, vocab, 64);

  BagOfWords bow(vocab.size(), 16, 0, 2);
  const book::ForwardFn bow_forward = [&](const book::Batch& b) { return bow->forward(b.inputs, b.lengths); };
  TextFitOptions bow_fit;
  bow_fit.epochs = 10;
  bow_fit.lr = 1e-2;
  bow_fit.max_grad_norm = 0;
  bow_fit.progress = false;
  fit_text_classifier(*bow, bow_forward, train_set, test_set, bow_fit, rng);

  SentimentConfig config;  // the same architecture, smaller
  config.vocab_size = vocab.size();
  config.embed_dim = 24;
  config.hidden_dim = 32;
  config.dropout = 0.1;
  SentimentLSTM lstm(config);
  const book::ForwardFn lstm_forward = [&](const book::Batch& b) { return lstm->forward(b.inputs, b.lengths); };
  TextFitOptions fit;
  fit.epochs = 4;
  fit.batch_size = 32;
  fit.lr = 5e-3;
  fit.progress = false;
  fit_text_classifier(*lstm, lstm_forward, train_set, test_set, fit, rng);

  const auto bow_pred = predict_classes(*bow, bow_forward, test_set);
  const auto lstm_pred = predict_classes(*lstm, lstm_forward, test_set);
  std::vector<bool> all(test.size(), true), negated, contrast;
  for (const auto& s : test) {
    negated.push_back(s.negated);
    contrast.push_back(s.contrast);
  }
  const auto bow_all = subset_accuracy(bow_pred, test_labels, all);
  const auto lstm_all = subset_accuracy(lstm_pred, test_labels, all);
  const auto bow_neg = subset_accuracy(bow_pred, test_labels, negated);
  const auto lstm_neg = subset_accuracy(lstm_pred, test_labels, negated);
  const auto bow_but = subset_accuracy(bow_pred, test_labels, contrast);
  const auto lstm_but = subset_accuracy(lstm_pred, test_labels, contrast);
  MESSAGE("bag of words: all " << bow_all.accuracy << " negation " << bow_neg.accuracy << " contrast "
                               << bow_but.accuracy << "; LSTM: all " << lstm_all.accuracy << " negation "
                               << lstm_neg.accuracy << " contrast " << lstm_but.accuracy);
  // The grammar is deterministic: an order-aware model can be right on every sentence.
  CHECK(lstm_all.accuracy >= 90.0);
  CHECK(lstm_neg.accuracy >= 90.0);
  CHECK(lstm_but.accuracy >= 90.0);
  // "A but B" and "B but A" are the same bag with opposite labels, equally likely: a bag-of-words
  // model is at chance on them (50 %; 62 % is more than 3.5 standard deviations above for ~250 sentences).
  CHECK(bow_but.accuracy < 62.0);
  // The gap is largest on negated sentences.
  const double gap_all = lstm_all.accuracy - bow_all.accuracy;
  const double gap_neg = lstm_neg.accuracy - bow_neg.accuracy;
  CHECK(gap_all > 20.0);
  CHECK(gap_neg > gap_all);
  CHECK(gap_neg > lstm_but.accuracy - bow_but.accuracy);
}

TEST_CASE("subset accuracy counts only the rows of the subset") {
  const auto a = subset_accuracy({1, 0, 1, 1}, {1, 1, 1, 0}, {true, true, false, true});
  CHECK(a.count == 3);
  CHECK(a.accuracy == doctest::Approx(100.0 / 3.0));
  CHECK(subset_accuracy({1}, {1}, {false}).count == 0);
  CHECK_THROWS_AS(subset_accuracy({1, 0}, {1}, {true}), std::invalid_argument);
}

TEST_CASE("predict: one answer per sentence, an error only for the empty or wordless ones") {
  torch::manual_seed(1);
  SentimentConfig c;
  c.vocab_size = 6;
  c.embed_dim = 4;
  c.hidden_dim = 3;
  SentimentLSTM model(c);
  const WordVocab vocab = WordVocab::from_tokens({"<pad>", "<unk>", "the", "plot", "was", "good"});
  const auto answers =
      predict_sentiment(model, vocab, {"the plot was good", "", "   ", "?!", "Ünïcödé wörds \xFF", "the plot was good"}, 2);
  REQUIRE(answers.size() == 6);
  CHECK(answers[0].error.empty());
  CHECK((answers[0].label == 0 || answers[0].label == 1));
  CHECK(answers[0].probability >= 0.5);
  CHECK(answers[0].truncated);
  CHECK(answers[0].words == 2);
  CHECK(answers[0].grammar == std::optional<std::int64_t>(1));
  CHECK(answers[1].error == "empty sentence");
  CHECK(answers[2].error == "empty sentence");
  CHECK(answers[3].error == "no words in the sentence");
  CHECK(answers[4].error.empty());
  CHECK(book::is_valid_utf8(answers[4].input));
  CHECK(answers[5].label == answers[0].label);  // same sentence, same batch: same answer
  CHECK(answers[5].probability == doctest::Approx(answers[0].probability));
}

TEST_CASE("the program trains, saves, and predicts from the command line and from stdin") {
  TempDir dir("p07");
  const ProcessResult train = program07(
      [&] {
        auto a = tiny(dir);
        a.insert(a.end(), {"--corpus_size", "200"});
        return a;
      }());
  CAPTURE(train.err);
  REQUIRE(train.exit_code == 0);
  CHECK(train.out.find("negation") != std::string::npos);
  CHECK(train.out.find("the plot was not good") != std::string::npos);
  const auto facts = facts_printed(dir.path(), train.out);
  CHECK(facts.at("train_texts") == "150");  // --corpus_size 200, --test_split 0.25
  CHECK(facts.at("test_texts") == "50");
  for (const char* subset : {"all", "negation", "contrast", "plain"}) {
    for (const char* column : {"texts", "bow", "lstm", "gap", "bow_vs_chance"}) {
      CHECK(facts.count(std::string(subset) + "." + column) == 1);
    }
  }
  CHECK(book::fs::exists(dir / "results" / "sentiment_accuracy.csv"));
  CHECK(book::fs::exists(dir / "data" / "corpus_train.tsv"));
  const auto checkpoint = dir / "checkpoints" / "sentiment_lstm.pth";
  REQUIRE(book::fs::exists(checkpoint));

  const ProcessResult args = program07({"--predict", "--out_dir", dir.path().string(), "the plot was not good",
                                        "Ça, c'était génial"});
  CAPTURE(args.err);
  CHECK(args.exit_code == 0);
  CHECK(book::test::count_lines(args.out) == 2);
  CHECK(args.out.find("[grammar: negative]") != std::string::npos);
  CHECK(args.out.find("génial") != std::string::npos);

  const ProcessResult piped = program07({"--predict", "--checkpoint", checkpoint.string()},
                                        "the music was good\n\nthe ending was dull\r\n");
  CHECK(piped.exit_code == 1);                          // one line failed ...
  CHECK(book::test::count_lines(piped.out) == 2);       // ... the other two were answered
  CHECK(book::test::count_lines(piped.err) == 1);
  CHECK(piped.err.find("sentence 2: empty sentence") != std::string::npos);
}

TEST_CASE("the program reads an aclImdb folder, and refuses a bad one with one line") {
  TempDir dir("p07imdb");
  auto args = tiny(dir);
  args.insert(args.end(), {"--data_dir", kFixture.string(), "--min_freq", "1", "--max_vocab", "50", "--max_len", "12"});
  const ProcessResult r = program07(args);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("10 training and 6 test texts") != std::string::npos);
  CHECK(r.out.find("vocabulary 50 words") != std::string::npos);
  const ReviewData fixture = read_review_folder(kFixture);
  auto longer = [](const LabelledTexts& texts) {
    std::int64_t n = 0;
    for (const auto& t : texts.texts) n += tokenize(t).size() > 12 ? 1 : 0;
    return n;
  };
  CHECK(r.out.find("cut: " + std::to_string(longer(fixture.train)) + " training, " +
                   std::to_string(longer(fixture.test)) + " test") != std::string::npos);
  CHECK(book::test::count_lines(book::read_file(dir / "data" / "vocab.tsv")) == 50);

  const auto nowhere = dir / "no_such_folder";
  const ProcessResult bad = program07({"--data_dir", nowhere.string(), "--out_dir", (dir / "bad").string()});
  CHECK(bad.exit_code == 1);
  CHECK(bad.signal == 0);
  CHECK(book::test::count_lines(bad.err) == 1);
  CHECK(bad.err.find(nowhere.string()) != std::string::npos);
  CHECK_FALSE(book::fs::exists(dir / "bad"));

  const ProcessResult flags = program07({"--max_len", "0", "--out_dir", (dir / "flags").string()});
  CHECK(flags.exit_code == 2);
  CHECK(flags.err.find("--max_len") != std::string::npos);
  const ProcessResult huge = program07({"--batch_size", "4096", "--max_len", "20000", "--out_dir", (dir / "flags").string()});
  CHECK(huge.exit_code == 2);
  CHECK(book::test::count_lines(huge.err) == 1);
  CHECK(huge.err.find("of activations per batch; the limit is") != std::string::npos);
  CHECK_FALSE(book::fs::exists(dir / "flags"));
  const ProcessResult stray = program07({"the plot was good", "--out_dir", (dir / "flags").string()});
  CHECK(stray.exit_code == 2);
  CHECK(stray.err.find("--predict") != std::string::npos);
}

// ---- --corpus uci: the real sentences ---------------------------------------------------------

namespace {

const book::fs::path& uci_file() {
  static const book::fs::path path = book::find_data_file(kUciSentencesFile);
  return path;
}

const RealSentences& uci() {
  static const RealSentences data = load_uci_sentences(uci_file());
  return data;
}

// The first `per_group` sentences of each source and label, in the file's order.
RealSentences uci_subset(int per_group) {
  const RealSentences& all = uci();
  RealSentences data;
  std::map<std::pair<int, std::int64_t>, int> taken;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (taken[{all.sources[i], all.labels[i]}]++ >= per_group) continue;
    data.texts.push_back(all.texts[i]);
    data.labels.push_back(all.labels[i]);
    data.sources.push_back(all.sources[i]);
  }
  return data;
}

// The one-line message of a refused file.
std::string refusal(const std::string& text) {
  try {
    parse_uci_sentences(text, "t.tsv");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("the shipped UCI sentences: 500 per source and label, with their attribution") {
  const RealSentences& data = uci();
  REQUIRE(data.size() == 3000);
  std::map<std::pair<int, std::int64_t>, int> counts;
  for (std::size_t i = 0; i < data.size(); ++i) ++counts[{data.sources[i], data.labels[i]}];
  CHECK(counts.size() == 6);
  for (const auto& [group, n] : counts) CHECK(n == 500);
  CHECK(data.texts.front() == "So there is no way for me to plug it in here in the US unless I go by a converter.");
  const book::fs::path folder = uci_file().parent_path();
  const std::string readme = book::read_file(folder / "README.md");
  const std::string licence = book::read_file(folder / "LICENSE.txt");
  CHECK(readme.find("Kotzias") != std::string::npos);
  CHECK(readme.find("CC BY 4.0") != std::string::npos);
  CHECK(licence.find("Creative Commons Attribution 4.0") != std::string::npos);
  CHECK(licence.find("From Group to Individual Labels using Deep Features") != std::string::npos);
  // What --corpus uci reads: the shipped file, tokenized, with its negated sentences counted.
  const UciData loaded = load_uci_data("");
  CHECK(loaded.file == uci_file());
  REQUIRE(loaded.words.size() == 3000);
  CHECK(loaded.words[0] == tokenize(data.texts[0]));
  std::int64_t negated = 0;
  for (const auto& t : data.texts) negated += is_negated(tokenize(t)) ? 1 : 0;
  CHECK(loaded.negated == negated);
}

TEST_CASE("malformed or cut UCI data is refused with one line that says where") {
  const std::string header = "source\tlabel\tsentence\n";
  CHECK(refusal(header + "amazon\t1\tGreat phone.\n").empty());
  CHECK(refusal("amazon\t1\tGreat phone.\n").find("t.tsv:1: expected the header") == 0);
  CHECK(refusal(header + "amazon\t1\n").find("t.tsv:2: expected 3 tab-separated fields") == 0);
  CHECK(refusal(header + "amazon\t1\ta\tb\n").find("t.tsv:2: expected 3") == 0);
  CHECK(refusal(header + "ebay\t1\tok\n").find("t.tsv:2: unknown source 'ebay'") == 0);
  CHECK(refusal(header + "yelp\t2\tok\n").find("t.tsv:2: the label must be 0 or 1") == 0);
  CHECK(refusal(header + "imdb\t0\t\n").find("t.tsv:2: empty sentence") == 0);
  CHECK(refusal(header + "imdb\t0\tcut her").find("the last line has no newline") != std::string::npos);
  CHECK(refusal(header).find("no sentences") != std::string::npos);
  for (const std::string& text : {std::string("ebay\t1\tok\n"), header + "imdb\t0\tcut"}) {
    CHECK(refusal(text).find('\n') == std::string::npos);
  }

  TempDir dir("p07uci");
  // A gzip file cut in the middle, and a whole file that lacks sentences (cut at a line).
  const std::string gz = book::read_file(uci_file());
  const auto cut_gz = dir / "cut.tsv.gz";
  book::write_text(cut_gz, gz.substr(0, gz.size() / 2));
  const auto short_file = dir / "short.tsv";
  const std::string full = read_maybe_gzipped(uci_file());
  book::write_text(short_file, full.substr(0, full.rfind('\n', full.size() / 2) + 1));
  for (const auto& path : {cut_gz, short_file}) {
    CAPTURE(path);
    std::string message;
    try {
      load_uci_sentences(path);
    } catch (const std::runtime_error& e) {
      message = e.what();
    }
    CHECK(message.find(path.string()) != std::string::npos);
    CHECK(message.find('\n') == std::string::npos);
  }
  // The program: one line, exit code 1, nothing written.
  const ProcessResult r = program07({"--corpus", "uci", "--sentences_file", cut_gz.string(), "--out_dir",
                                     (dir / "out").string()});
  CHECK(r.exit_code == 1);
  CHECK(book::test::count_lines(r.err) == 1);
  CHECK(r.err.find("damaged gzip data") != std::string::npos);
  CHECK_FALSE(book::fs::exists(dir / "out"));
  const ProcessResult both = program07({"--corpus", "uci", "--data_dir", kFixture.string()});
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("--corpus uci") != std::string::npos);
}

TEST_CASE("--corpus uci at tiny sizes: the table, the predictions, and a checkpoint --predict reads") {
  TempDir dir("p07ucirun");
  const ProcessResult r = program07({"--corpus", "uci", "--folds", "2", "--epochs", "1", "--bow_epochs",
                                     "1", "--embed_dim", "8", "--hidden_dim", "8", "--out_dir",
                                     dir.path().string()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* row : {"all", "amazon", "imdb", "yelp", "negated", "not bad at all"}) {
    CHECK(r.out.find(row) != std::string::npos);
  }
  const std::string csv = book::read_file(dir / "results" / "uci_accuracy.csv");
  CHECK(book::test::count_lines(csv) == 6);  // the header and five subsets
  const auto facts = facts_printed(dir.path(), r.out);
  for (const char* key : {"all.lstm", "negated.bow", "yelp.gap", "negated", "se_negated", "lstm_only", "cv_seconds"}) {
    CHECK(facts.count(key) == 1);
  }
  CHECK(facts.count("all.lstm_sd") == 0);  // one seed: no spread printed
  const std::string tsv = book::read_file(dir / "results" / "uci_predictions.tsv");
  REQUIRE(book::test::count_lines(tsv) == 3001);
  std::set<std::string> folds;
  std::istringstream lines(tsv);
  std::string line;
  std::getline(lines, line);  // the header
  while (std::getline(lines, line)) {
    std::vector<std::string> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '\t');) fields.push_back(cell);
    REQUIRE(fields.size() == 8);
    folds.insert(fields[3]);
  }
  CHECK(folds == std::set<std::string>{"0", "1"});
  // The checkpoint is the SentimentLSTM of fold 0.
  const ProcessResult p = program07({"--predict", "--out_dir", dir.path().string(), "Great phone."});
  CAPTURE(p.err);
  CHECK(p.exit_code == 0);
  CHECK(book::test::count_lines(p.out) == 1);
}

TEST_CASE("evaluate_uci: every model, subset and seed measured, and the fold-0 models kept") {
  const RealSentences data = uci_subset(100);
  std::vector<std::vector<std::string>> words;
  for (const auto& t : data.texts) words.push_back(tokenize(t));
  TextModelOptions o;
  o.lstm.embed_dim = 8;
  o.lstm.hidden_dim = 8;
  o.lstm.num_layers = 1;
  o.lstm_fit = {1, 32, 6e-3, 1.0, false, "lstm"};
  o.bow_fit = {1, 32, 1e-2, 0.0, false, "bow"};
  int lines = 0;
  UciEvaluation e = evaluate_uci(data, words, {2, 2, 7}, o, [&](const std::string&) { ++lines; });
  CHECK(lines == 2);
  REQUIRE(e.accuracy.size() == 3);
  for (const auto& model : e.accuracy) {
    REQUIRE(model.size() == 5);  // all, three sources, negated
    for (const auto& subset : model) CHECK(subset.size() == 2);
  }
  REQUIRE(e.first_predictions.size() == 3);
  const std::size_t lstm = 2;
  REQUIRE(e.kinds[lstm] == TextModelKind::kLstm);
  REQUIRE(e.first_predictions[lstm].size() == data.size());
  std::int64_t right = 0;
  for (std::size_t i = 0; i < data.size(); ++i) right += e.first_predictions[lstm][i] == data.labels[i];
  CHECK(e.accuracy[lstm][0][0] == doctest::Approx(100.0 * right / data.size()));
  REQUIRE(e.lstm.lstm);
  REQUIRE(e.bow.bow);
  const Disagreements d = disagreements(e, data);
  for (std::size_t i : d.lstm_only) CHECK(e.first_predictions[lstm][i] == data.labels[i]);
  CHECK(uci_tables(e).text.rows().size() == 5);
  CHECK(probe_table(e, {"not bad", "great"}).rows().size() == 2);
  // The same seed gives the same numbers.
  const UciEvaluation again = evaluate_uci(data, words, {2, 1, 7}, o);
  CHECK(again.first_predictions == e.first_predictions);
}

TEST_CASE("the folds: every sentence in exactly one test fold, stratified, fixed by the seed") {
  const RealSentences& data = uci();
  const std::vector<int> folds = assign_folds(data, 5, 42);
  REQUIRE(folds.size() == data.size());
  std::map<std::pair<int, std::int64_t>, std::vector<int>> per_group;
  for (std::size_t i = 0; i < data.size(); ++i) {
    REQUIRE(folds[i] >= 0);
    REQUIRE(folds[i] < 5);
    auto& sizes = per_group[{data.sources[i], data.labels[i]}];
    sizes.resize(5);
    ++sizes[static_cast<std::size_t>(folds[i])];
  }
  for (const auto& [group, sizes] : per_group) {
    // 100 each, give or take one unit of repeated sentences (the largest is "Great phone.", 4 times).
    for (const int n : sizes) CHECK(std::abs(n - 100) <= 4);
  }
  CHECK(assign_folds(data, 5, 42) == folds);
  CHECK(assign_folds(data, 5, 43) != folds);
  // Without repeated sentences the groups split exactly.
  RealSentences small;
  for (int i = 0; i < 40; ++i) {
    small.texts.push_back("sentence number " + std::to_string(i));
    small.labels.push_back(i % 2);
    small.sources.push_back((i / 2) % 2);
  }
  std::map<std::pair<int, int>, int> cells;
  for (std::size_t i = 0; i < small.size(); ++i) {
    ++cells[{small.sources[i] * 2 + static_cast<int>(small.labels[i]), assign_folds(small, 5, 7)[i]}];
  }
  CHECK(cells.size() == 20);
  for (const auto& [cell, n] : cells) CHECK(n == 2);
  // Repeated sentences share a fold.
  small.texts[2] = small.texts[6] = "the same words";
  const std::vector<int> with_repeat = assign_folds(small, 5, 7);
  CHECK(with_repeat[2] == with_repeat[6]);
  CHECK_THROWS_AS(assign_folds(small, 11, 7), std::invalid_argument);
  CHECK_THROWS_AS(assign_folds(small, 1, 7), std::invalid_argument);
}

TEST_CASE("the negation detector") {
  for (const char* s : {"Not bad at all.", "I would never go back", "No complaints.", "I don't like it",
                        "It didn’t work", "dont buy it", "Nothing special", "I can't say more", "cannot recommend"}) {
    CAPTURE(s);
    CHECK(is_negated(tokenize(s)));
  }
  for (const char* s : {"Great phone.", "Nobility of the cast", "another note", "I knew it", "the snow was bad"}) {
    CAPTURE(s);
    CHECK_FALSE(is_negated(tokenize(s)));
  }
}

TEST_CASE("trained on a subset of the real sentences, the LSTM and the bag of words beat the majority class and are close") {
  // 1,500 sentences (250 per source and label, the first in the file), 5 folds: train on four
  // (1,200 sentences, 10 % of them to pick the epoch), test on the fifth (300). The classes are
  // balanced, so the majority class scores 50 %; one run's accuracy has a standard error of about
  // 2.9 points on 300 sentences, and 60 % is more than three of them above chance.
  const RealSentences data = uci_subset(250);
  REQUIRE(data.size() == 1500);
  const std::vector<int> folds = assign_folds(data, 5, 1);
  std::vector<std::vector<std::string>> train_x, test_x;
  std::vector<std::int64_t> train_y, test_y;
  std::vector<std::string> train_texts;
  for (std::size_t i = 0; i < data.size(); ++i) {
    (folds[i] == 0 ? test_x : train_x).push_back(tokenize(data.texts[i]));
    (folds[i] == 0 ? test_y : train_y).push_back(data.labels[i]);
    if (folds[i] != 0) train_texts.push_back(data.texts[i]);
  }
  REQUIRE(test_y.size() == 300);
  TextModelOptions o;
  o.lstm.embed_dim = 16;
  o.lstm.hidden_dim = 16;
  o.lstm.num_layers = 1;
  o.lstm.dropout = 0.3;
  o.word_dropout = 0.1;
  o.lstm_fit = {6, 32, 6e-3, 1.0, false, "lstm"};
  o.bow_fit = {20, 32, 1e-2, 0.0, false, "bow"};
  const std::vector<bool> val = validation_rows(train_texts, 1, 0.1);
  const auto accuracy = [&](TextModelKind kind) {
    book::Rng rng(3);
    torch::manual_seed(3);
    TrainedTextModel m = train_text_model(kind, train_x, train_y, val, o, rng);
    CHECK(m.best_epoch >= 1);
    CHECK(m.best_epoch <= m.epochs_run);
    return subset_accuracy(predict_text_model(m, test_x), test_y, std::vector<bool>(300, true)).accuracy;
  };
  const double lstm = accuracy(TextModelKind::kLstm);
  const double bow = accuracy(TextModelKind::kBagOfWords);
  CAPTURE(lstm);
  CAPTURE(bow);
  CHECK(lstm > 60);
  CHECK(bow > 60);
  // What the page measures on all 3,000 sentences: on real text the two are close (within a point
  // or two, cross-validated), not 50 points apart as on the grammar. On 300 sentences the gap of
  // one run varies by a few points, so the claim checked here is "within 10 points".
  CHECK(std::abs(lstm - bow) < 10);
  MESSAGE("subset of 1,500 real sentences, one fold of 300: SentimentLSTM " << lstm << " %, bag of words "
                                                                            << bow << " %");
}

TEST_CASE("bigram features and the spread over seeds") {
  CHECK(text_features(TextModelKind::kBigrams, {"not", "bad", "at"}) ==
        std::vector<std::string>{"not", "bad", "at", "not bad", "bad at"});
  CHECK(text_features(TextModelKind::kBagOfWords, {"not", "bad"}) == std::vector<std::string>{"not", "bad"});
  const Spread s = mean_sd({70, 72, 74});
  CHECK(s.mean == doctest::Approx(72));
  CHECK(s.sd == doctest::Approx(2));
  CHECK(mean_sd({5}).sd == 0);
}

// ---- The program's steps, called as the program calls them ------------------------------------

TEST_CASE("grammar_splits: the last sentences are the test split, with their kinds") {
  book::Rng rng(5);
  const auto corpus = generate_sentiment_corpus(50, rng);
  const TextSplits s = grammar_splits(corpus, 10);
  REQUIRE(s.train.tokens.size() == 40);
  REQUIRE(s.test.tokens.size() == 10);
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(s.test.tokens[i] == tokenize(corpus[40 + i].text));
    CHECK(s.test.labels[i] == corpus[40 + i].label);
    CHECK(s.test.negated[i] == corpus[40 + i].negated);
    CHECK(s.test.contrast[i] == corpus[40 + i].contrast);
  }
  const Subsets kinds = sentence_kinds(s.test);
  REQUIRE(kinds.size() == 4);
  CHECK(kinds[1].first == "negation");
  for (std::size_t i = 0; i < 10; ++i) {
    CHECK(kinds[3].second[i] == (!corpus[40 + i].negated && !corpus[40 + i].contrast));  // plain
  }
  CHECK_THROWS_AS(grammar_splits(corpus, 0), std::invalid_argument);
  CHECK_THROWS_AS(grammar_splits(corpus, 50), std::invalid_argument);
}

TEST_CASE("read_review_splits: a review without a word is left out and named, and no review at all is an error") {
  TempDir dir("imdbsplits");
  const auto root = dir / "aclImdb";
  book::fs::copy(kFixture, root, book::fs::copy_options::recursive);
  book::write_text(root / "train" / "pos" / "zz_empty.txt", "<br /><br /> ... \n");
  const TextSplits s = read_review_splits(root);
  CHECK(s.train.tokens.size() == 10);  // the fixture's 10, not the empty one
  CHECK(s.test.tokens.size() == 6);
  REQUIRE(s.skipped.size() == 1);
  CHECK(s.skipped[0].find("zz_empty.txt") != std::string::npos);
  CHECK(sentence_kinds(s.test).size() == 1);  // reviews: "all" only
  CHECK(count_longer(s.train, 0) == 10);
  // Every test review without a word.
  for (const auto& entry : book::fs::recursive_directory_iterator(root / "test")) {
    if (entry.path().extension() == ".txt") book::write_text(entry.path(), "!!\n");
  }
  try {
    read_review_splits(root);
    FAIL("no error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("no review with any words in the test folders") != std::string::npos);
  }
}

TEST_CASE("against chance: more than two standard errors of 50 % away") {
  // On 100 texts chance has a standard error of 100·sqrt(0.25 / 100) = 5 points.
  CHECK(against_chance({39.9, 100}) == "below");
  CHECK(against_chance({40.1, 100}) == "at");
  CHECK(against_chance({59.9, 100}) == "at");
  CHECK(against_chance({60.1, 100}) == "above");
  // On 2,500 texts, 1 point.
  CHECK(against_chance({47.9, 2500}) == "below");
  CHECK(against_chance({48.1, 2500}) == "at");
  CHECK(against_chance({0, 0}) == "at");
}

TEST_CASE("compare_by_subset: both accuracies per subset, the gap, and the facts as printed") {
  const std::vector<std::int64_t> labels = {1, 0, 1, 0, 1, 0, 1, 0};
  const std::vector<std::int64_t> bow = {1, 1, 1, 1, 1, 1, 1, 1};   // right on the positives
  const std::vector<std::int64_t> lstm = {1, 0, 1, 0, 1, 0, 0, 1};  // wrong on the last two
  const Subsets subsets = {{"all", std::vector<bool>(8, true)},
                           {"odd", {false, true, false, true, false, true, false, true}}};
  const SubsetComparison c = compare_by_subset(bow, lstm, labels, subsets);
  REQUIRE(c.table.rows().size() == 2);
  CHECK(c.table.text(0, 1) == "8");
  CHECK(c.table.text(0, 2) == "50");
  CHECK(c.table.text(0, 3) == "75");
  CHECK(c.table.text(0, 4) == "25");
  CHECK(c.table.text(1, 2) == "0");
  CHECK(c.table.text(1, 3) == "75");
  CHECK(c.largest_gap == "odd");
  book::Facts facts;
  const std::string report = comparison_report(c, true, &facts);
  CHECK(facts.get("odd.gap") == "75");
  CHECK(facts.get("all.bow_vs_chance") == "at");
  CHECK(facts.get("largest_gap") == "odd");
  for (const auto& [key, text] : facts.all()) {
    CAPTURE(key);
    CHECK(report.find(text) != std::string::npos);
  }
  CHECK_THROWS_AS(compare_by_subset(bow, {1}, labels, subsets), std::invalid_argument);
}

TEST_CASE("uci_tables and the report: mean and spread over seeds, recorded as printed") {
  UciEvaluation e;
  e.kinds = {TextModelKind::kBagOfWords, TextModelKind::kBigrams, TextModelKind::kLstm};
  e.subsets = {{"all", {true, true, true, true}},
               {"amazon", {true, true, false, false}},
               {"negated", {true, false, false, false}}};
  // accuracy[model][subset][seed]
  e.accuracy = {{{70, 72}, {60, 60}, {50, 40}}, {{71, 71}, {61, 61}, {51, 51}}, {{73, 76}, {62, 58}, {40, 50}}};
  book::Facts facts;
  const UciTables t = uci_tables(e, &facts);
  CHECK(facts.get("all.bow") == "71.0");
  CHECK(facts.get("all.bow_sd") == "1.4");   // sd of 70 and 72 = sqrt(2)
  CHECK(facts.get("all.lstm") == "74.5");
  CHECK(facts.get("all.gap") == "3.5");      // 3 and 4
  CHECK(facts.get("all.gap_sd") == "0.7");
  CHECK(facts.get("negated.gap") == "0.0");  // -10 and +10
  CHECK(facts.get("negated.gap_sd") == "14.1");
  CHECK(facts.get("negated.sentences") == "1");
  CHECK(t.text.text(0, 2) == "71.0 +- 1.4");
  const std::string report = uci_accuracy_report(e, t, &facts);
  CHECK(report.find("over 2 seeds") != std::string::npos);
  CHECK(facts.get("se_all") == "21.7");  // 100·sqrt(0.25·0.75 / 4)
  CHECK(facts.get("se_negated") == "43.3");
  for (const auto& [key, text] : facts.all()) {
    CAPTURE(key);
    CHECK(report.find(text) != std::string::npos);
  }
}

TEST_CASE("a predict-mode answer line") {
  SentimentPrediction p;
  p.input = "the plot was not good at all";
  p.label = 0;
  p.probability = 0.75;
  p.grammar = 0;
  p.truncated = true;
  p.words = 5;
  CHECK(prediction_line(p) ==
        "negative (p = 0.750)  the plot was not good at all  [grammar: negative]  [cut to the first 5 words]");
  p.grammar.reset();
  p.truncated = false;
  p.label = 1;
  CHECK(prediction_line(p) == "positive (p = 0.750)  the plot was not good at all");
}
