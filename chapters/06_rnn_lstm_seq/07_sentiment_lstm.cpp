/// \file
/// Program 07: the chapter's SentimentLSTM trained for real, against a bag-of-words baseline.
///
/// Train on the generated corpus:   ch06_07_sentiment_lstm
/// Train on IMDB reviews:           ch06_07_sentiment_lstm --data_dir path/to/aclImdb --max_reviews 2000
/// Predict with the saved model:    ch06_07_sentiment_lstm --predict "the plot was not good"
#include "book/cli.h"
#include "book/files.h"
#include "book/log.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/timer.h"
#include "book/torch_utils.h"
#include "lib/sentiment.h"
#include "lib/sentiment_corpus.h"

#include <iostream>

namespace {

constexpr const char* kProgram = "ch06_07_sentiment_lstm";

// [options]
struct Options {
  book::CommonOptions common;
  std::string data_dir;          // empty: the generated corpus; else an aclImdb folder
  int corpus_size = 2400;        // generated sentences (training + test)
  double test_split = 0.25;      // share held out for the test
  double negation = 0.4;         // grammar: P(a clause is negated)
  double contrast = 0.5;         // grammar: P(a sentence is "A but B")
  int epochs = 2;                // SentimentLSTM
  int batch_size = 32;
  double lr = 3e-3;
  int embed_dim = 128;           // the chapter's sizes
  int hidden_dim = 256;
  int num_layers = 2;
  double dropout = 0.5;
  double max_grad_norm = 1.0;
  int bow_epochs = 20;           // the bag-of-words baseline
  double bow_lr = 1e-2;
  int bow_embed_dim = 64;
  int bow_hidden = 0;            // 0: a linear classifier on the mean word vector
  int min_freq = 2;              // word vocabulary
  int max_vocab = 20000;
  int max_len = 200;             // truncation length, in words
  int max_reviews = 0;           // per aclImdb folder, 0 = all
  bool cpu = false;
  bool predict = false;
  std::string checkpoint;
  std::vector<std::string> sentences;
};
// [options]

constexpr std::int64_t kMaxParameters = 200'000'000;
// Training activations larger than this are refused before anything is allocated.
constexpr double kMaxActivationBytes = 8e9;

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir(kProgram));
  app.add_option("--data_dir", o.data_dir, "An aclImdb folder (train/pos, train/neg, test/pos, test/neg of .txt); empty = the generated corpus");
  app.add_option("--corpus_size", o.corpus_size, "Generated sentences, training and test together")->capture_default_str()->check(book::int_range(20, 1'000'000));
  app.add_option("--test_split", o.test_split, "Share of the generated sentences held out for the test")->capture_default_str()->check(book::real_range(0, 1, true, true));
  app.add_option("--negation", o.negation, "Grammar: probability that a clause is negated")->capture_default_str()->check(book::real_range(0, 1));
  app.add_option("--contrast", o.contrast, "Grammar: probability that a sentence is 'A but B'")->capture_default_str()->check(book::real_range(0, 1));
  app.add_option("--epochs", o.epochs, "SentimentLSTM training epochs")->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--batch_size", o.batch_size, "Texts per batch")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--lr", o.lr, "SentimentLSTM Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--embed_dim", o.embed_dim, "SentimentLSTM embedding size")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--hidden_dim", o.hidden_dim, "SentimentLSTM hidden size H per direction")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--num_layers", o.num_layers, "Stacked bidirectional LSTM layers")->capture_default_str()->check(book::int_range(1, 8));
  app.add_option("--dropout", o.dropout, "Dropout on the embeddings, between the layers and before the head")->capture_default_str()->check(book::real_range(0, 1, false, true));
  app.add_option("--max_grad_norm", o.max_grad_norm, "Clip the global gradient norm to this (0 = no clipping)")->capture_default_str()->check(book::real_range(0, 1e6));
  app.add_option("--bow_epochs", o.bow_epochs, "Bag-of-words training epochs")->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--bow_lr", o.bow_lr, "Bag-of-words Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--bow_embed_dim", o.bow_embed_dim, "Bag-of-words word-vector size")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--bow_hidden", o.bow_hidden, "Bag-of-words hidden ReLU layer (0 = none: a linear classifier)")->capture_default_str()->check(book::int_range(0, 4096));
  app.add_option("--min_freq", o.min_freq, "Keep words seen at least this often in training")->capture_default_str()->check(book::int_range(1, 1'000'000));
  app.add_option("--max_vocab", o.max_vocab, "Largest vocabulary, <pad> and <unk> included")->capture_default_str()->check(book::int_range(2, 1'000'000));
  app.add_option("--max_len", o.max_len, "Truncation length: read at most this many words of a text")->capture_default_str()->check(book::int_range(1, 20'000));
  app.add_option("--max_reviews", o.max_reviews, "With --data_dir: read at most this many reviews per folder (0 = all)")->capture_default_str()->check(book::int_range(0, 10'000'000));
  app.add_flag("--cpu", o.cpu, "Use the CPU even if CUDA is available");
  app.add_flag("--predict", o.predict, "Classify SENTENCES (or stdin lines) with a saved model instead of training");
  app.add_option("--checkpoint", o.checkpoint, "Model for --predict (default: <out_dir>/checkpoints/sentiment_lstm.pth)");
  app.add_option("sentences", o.sentences, "Sentences to classify with --predict; none = read one per line from stdin. Words past the checkpoint's --max_len are cut (the answer says so)");
}

ch06::SentimentConfig model_config(const Options& o, std::int64_t vocab_size) {
  ch06::SentimentConfig c;
  c.vocab_size = vocab_size;
  c.embed_dim = o.embed_dim;
  c.hidden_dim = o.hidden_dim;
  c.num_layers = o.num_layers;
  c.dropout = o.dropout;
  return c;
}

void check_flags(const Options& o) {
  if (!o.predict && !o.sentences.empty()) throw book::UsageError("sentences on the command line need --predict");
  if (o.predict) return;
  const auto test = static_cast<std::int64_t>(o.corpus_size * o.test_split);
  if (o.data_dir.empty() && (test < 1 || test >= o.corpus_size)) {
    throw book::UsageError("--corpus_size " + std::to_string(o.corpus_size) + " with --test_split " +
                           std::to_string(o.test_split) + " leaves an empty training or test set");
  }
  const std::int64_t parameters = ch06::sentiment_parameter_count(model_config(o, o.max_vocab));
  if (parameters > kMaxParameters) {
    throw book::UsageError("--embed_dim/--hidden_dim/--num_layers/--max_vocab give " + book::with_thousands(parameters) +
                           " parameters; the limit is " + book::with_thousands(kMaxParameters));
  }
  // What autograd keeps for one batch of texts of --max_len words, roughly: per word, layer and
  // direction the 4 gates, the cell and the hidden state (6·H floats), plus the embeddings.
  const double activations = 4.0 * o.batch_size * o.max_len *
                             (6.0 * o.hidden_dim * 2.0 * o.num_layers + 2.0 * o.embed_dim);
  if (activations > kMaxActivationBytes) {
    throw book::UsageError(fmt::format("--batch_size {} x --max_len {} with --hidden_dim {} would need about {:.0f} GB "
                                       "of activations per batch; the limit is {:.0f} GB",
                                       o.batch_size, o.max_len, o.hidden_dim, activations / 1e9,
                                       kMaxActivationBytes / 1e9));
  }
}

// The texts of one split, tokenized, with the subsets the report breaks the accuracy into.
struct Split {
  std::vector<std::vector<std::string>> tokens;
  std::vector<std::int64_t> labels;
  std::vector<bool> negated;   // generated corpus only
  std::vector<bool> contrast;  // generated corpus only
};

Split from_samples(const std::vector<ch06::SentimentSample>& samples) {
  Split s;
  for (const auto& x : samples) {
    s.tokens.push_back(ch06::tokenize(x.text));
    s.labels.push_back(x.label);
    s.negated.push_back(x.negated);
    s.contrast.push_back(x.contrast);
  }
  return s;
}

// Tokenizes the reviews. A review without a single word (an empty file) teaches nothing: it is left
// out, and its file is added to `skipped`.
Split from_texts(const ch06::LabelledTexts& texts, std::vector<std::string>& skipped) {
  Split s;
  for (std::size_t i = 0; i < texts.texts.size(); ++i) {
    std::vector<std::string> tokens = ch06::tokenize(texts.texts[i]);
    if (tokens.empty()) {
      skipped.push_back(texts.sources[i]);
      continue;
    }
    s.tokens.push_back(std::move(tokens));
    s.labels.push_back(texts.labels[i]);
  }
  return s;
}

std::int64_t count_longer(const Split& s, std::size_t max_len) {
  std::int64_t n = 0;
  for (const auto& t : s.tokens) n += t.size() > max_len ? 1 : 0;
  return n;
}

int train(const Options& o) {
  auto log = book::get_logger(kProgram);
  const book::fs::path out_dir = o.common.out_dir;
  const bool generated = o.data_dir.empty();

  // Read or generate the data first: a bad --data_dir fails before anything is written.
  Split train_split, test_split;
  book::RunContext run = book::start_run(o.common, o.cpu);
  // [data]
  if (generated) {
    ch06::GrammarOptions grammar;
    grammar.negation = o.negation;
    grammar.contrast = o.contrast;
    const auto corpus = ch06::generate_sentiment_corpus(o.corpus_size, run.rng, grammar);
    const auto test_size = static_cast<std::size_t>(o.corpus_size * o.test_split);
    const std::vector<ch06::SentimentSample> train_samples(corpus.begin(), corpus.end() - static_cast<long>(test_size));
    const std::vector<ch06::SentimentSample> test_samples(corpus.end() - static_cast<long>(test_size), corpus.end());
    train_split = from_samples(train_samples);
    test_split = from_samples(test_samples);
    book::ensure_writable_dir(out_dir);
    book::write_text(out_dir / "data" / "corpus_train.tsv", ch06::sentiment_corpus_to_tsv(train_samples));
    book::write_text(out_dir / "data" / "corpus_test.tsv", ch06::sentiment_corpus_to_tsv(test_samples));
  } else {
    const ch06::ReviewData reviews = ch06::read_review_folder(o.data_dir, o.max_reviews);
    std::vector<std::string> skipped;
    train_split = from_texts(reviews.train, skipped);
    test_split = from_texts(reviews.test, skipped);
    if (train_split.tokens.empty() || test_split.tokens.empty()) {
      throw std::runtime_error("no review with any words in the " + std::string(train_split.tokens.empty() ? "train" : "test") +
                               " folders of '" + o.data_dir + "'");
    }
    if (!skipped.empty()) {
      log->warn("Left out {} review(s) without a word, e.g. {}", skipped.size(), skipped.front());
    }
    book::ensure_writable_dir(out_dir);
  }
  const ch06::WordVocab vocab = ch06::WordVocab::build(train_split.tokens, o.min_freq, o.max_vocab);
  const auto max_len = static_cast<std::size_t>(o.max_len);
  const ch06::EncodedNames train_set = ch06::encode_texts(train_split.tokens, train_split.labels, vocab, max_len);
  const ch06::EncodedNames test_set = ch06::encode_texts(test_split.tokens, test_split.labels, vocab, max_len);
  // [data]
  book::write_text(out_dir / "data" / "vocab.tsv", vocab.to_tsv());
  log->info("Using device: {} | threads: torch {}, BLAS {} | {}", run.device.str(), run.threads.torch_threads,
            run.threads.blas_threads, run.threads.blas);
  log->info("Data: {} | {} training and {} test texts | vocabulary {} words (min_freq {}, max_vocab {})",
            generated ? "generated corpus (labels from the grammar's rules)" : "review folder " + o.data_dir,
            train_set.ids.size(), test_set.ids.size(), vocab.size(), o.min_freq, o.max_vocab);
  log->info("Texts longer than --max_len {} words, cut: {} training, {} test", o.max_len,
            count_longer(train_split, max_len), count_longer(test_split, max_len));

  // [baseline]
  ch06::BagOfWords bow(vocab.size(), o.bow_embed_dim, o.bow_hidden, 2);
  bow->to(run.device);
  const book::ForwardFn bow_forward = [&](const book::Batch& b) {
    return bow->forward(b.inputs.to(run.device), b.lengths);
  };
  ch06::TextFitOptions bow_fit;
  bow_fit.epochs = o.bow_epochs;
  bow_fit.batch_size = o.batch_size;
  bow_fit.lr = o.bow_lr;
  bow_fit.max_grad_norm = 0;
  bow_fit.desc = "bag of words";
  book::Timer bow_timer;
  const book::History bow_history = ch06::fit_text_classifier(*bow, bow_forward, train_set, test_set, bow_fit, run.rng);
  // [baseline]
  log->info("Bag of words ({}): {} epochs in {:.1f} s | train acc {:.2f}% | test acc {:.2f}%",
            o.bow_hidden > 0 ? "mean word vector -> ReLU layer -> Linear" : "mean word vector -> Linear", o.bow_epochs,
            bow_timer.seconds(), bow_history.train_acc.back(), bow_history.val_acc.back());

  // [lstm]
  const ch06::SentimentConfig config = model_config(o, vocab.size());
  ch06::SentimentLSTM model(config);
  model->to(run.device);
  book::log_model_info(*log, *model);
  const book::ForwardFn lstm_forward = [&](const book::Batch& b) {
    return model->forward(b.inputs.to(run.device), b.lengths);
  };
  ch06::TextFitOptions fit;
  fit.epochs = o.epochs;
  fit.batch_size = o.batch_size;
  fit.lr = o.lr;
  fit.max_grad_norm = o.max_grad_norm;
  fit.desc = "SentimentLSTM";
  book::Timer lstm_timer;
  const book::History history = ch06::fit_text_classifier(
      *model, lstm_forward, train_set, test_set, fit, run.rng,
      [&](int epoch, const book::EpochStats& tr, const book::EpochStats& te) {
        log->info("Epoch {}/{} | Train Loss: {:.4f} Acc: {:.2f}% | Test Loss: {:.4f} Acc: {:.2f}% | {:.1f} s", epoch,
                  o.epochs, tr.loss, tr.accuracy, te.loss, te.accuracy, tr.seconds + te.seconds);
      });
  // [lstm]
  log->info("SentimentLSTM: {} epochs in {:.1f} s", o.epochs, lstm_timer.seconds());

  // [compare]
  const std::vector<std::int64_t> bow_pred = ch06::predict_classes(*bow, bow_forward, test_set);
  const std::vector<std::int64_t> lstm_pred = ch06::predict_classes(*model, lstm_forward, test_set);
  std::vector<std::pair<std::string, std::vector<bool>>> subsets = {
      {"all", std::vector<bool>(test_set.labels.size(), true)}};
  if (generated) {
    std::vector<bool> plain(test_set.labels.size());
    for (std::size_t i = 0; i < plain.size(); ++i) plain[i] = !test_split.negated[i] && !test_split.contrast[i];
    subsets.push_back({"negation", test_split.negated});
    subsets.push_back({"contrast", test_split.contrast});
    subsets.push_back({"plain", plain});
  }
  book::Table table({"subset", "texts", "bag_of_words_acc", "lstm_acc", "gap"}, 4);
  for (const auto& [name, include] : subsets) {
    const auto b = ch06::subset_accuracy(bow_pred, test_set.labels, include);
    const auto l = ch06::subset_accuracy(lstm_pred, test_set.labels, include);
    table.add_row({name, b.count, b.accuracy, l.accuracy, l.accuracy - b.accuracy});
  }
  // [compare]
  std::cout << (generated ? "\nTest accuracy (%) by kind of sentence: 'negation' = has not/never, 'contrast' = "
                           "'A but B',\n'plain' = neither; gap = SentimentLSTM minus bag of words, in points.\n"
                         : "\nTest accuracy (%) on the test reviews; gap = SentimentLSTM minus bag of words, in points.\n")
            << table.to_text() << "\n";

  // A few sentences that differ only in word order or in one word.
  const std::vector<std::string> probes = {
      "the plot was good", "the plot was not good", "the acting was good but the ending was boring",
      "the ending was boring but the acting was good", "the music was not very bad",
      "honestly the film is never dull but the script is weak"};
  ch06::EncodedNames probe_set = ch06::encode_texts(
      [&] {
        std::vector<std::vector<std::string>> t;
        for (const auto& p : probes) t.push_back(ch06::tokenize(p));
        return t;
      }(),
      std::vector<std::int64_t>(probes.size(), 0), vocab, max_len);
  const auto bow_probe = ch06::predict_classes(*bow, bow_forward, probe_set);
  const auto lstm_probe = ch06::predict_classes(*model, lstm_forward, probe_set);
  book::Table probe_table({"sentence", "grammar", "bag_of_words", "lstm"});
  for (std::size_t i = 0; i < probes.size(); ++i) {
    const auto rule = ch06::grammar_label(ch06::tokenize(probes[i]));
    probe_table.add_row({probes[i], rule ? ch06::sentiment_classes()[static_cast<std::size_t>(*rule)] : "-",
                         ch06::sentiment_classes()[static_cast<std::size_t>(bow_probe[i])],
                         ch06::sentiment_classes()[static_cast<std::size_t>(lstm_probe[i])]});
  }
  std::cout << "Probe sentences (grammar = the label the grammar's rules give):\n" << probe_table.to_text() << "\n";

  // [save]
  const auto results = out_dir / "results";
  const auto csv = results / "sentiment_accuracy.csv";
  table.save_csv(csv);
  const auto svg = book::plot_svg(
      "set title 'Test accuracy: SentimentLSTM vs bag of words'\nset ylabel 'test accuracy (%)'\n"
      "set yrange [0:105]\nset grid ytics\nset key below\nset key autotitle columnhead\n"
      "set style data histogram\nset style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
      "set boxwidth 0.9\n"
      "plot 'sentiment_accuracy.csv' using 3:xtic(1) title 'bag of words' lc rgb '#999999', "
      "'' using 4 title 'SentimentLSTM' lc rgb '#1f77b4', 50 with lines dt 2 lc rgb 'black' title 'chance'\n",
      results / "sentiment_accuracy.svg");
  const auto checkpoint = out_dir / "checkpoints" / "sentiment_lstm.pth";
  book::save_checkpoint(*model, ch06::sentiment_meta(config, vocab, o.max_len), checkpoint);
  book::write_json(results / "history.json", {{"lstm", history.to_json()}, {"bag_of_words", bow_history.to_json()}});
  // [save]
  log->info("Wrote {}", (out_dir / "data").string() + (generated ? "/{corpus_train,corpus_test,vocab}.tsv" : "/vocab.tsv"));
  log->info("Wrote {}", csv.string());
  if (svg) log->info("Wrote {}", svg->string());
  log->info("Wrote {}", (results / "history.json").string());
  log->info("Wrote {}", checkpoint.string());
  return book::kExitOk;
}

// [predict_mode]
int predict(const Options& o) {
  book::apply_threads(o.common.threads);
  const book::fs::path checkpoint = o.checkpoint.empty()
      ? book::fs::path(o.common.out_dir) / "checkpoints" / "sentiment_lstm.pth"
      : book::fs::path(o.checkpoint);
  ch06::LoadedSentiment loaded = ch06::load_sentiment(checkpoint);
  std::vector<std::string> sentences = o.sentences;
  if (sentences.empty()) {
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      sentences.push_back(line);
    }
  }
  if (sentences.empty()) throw std::runtime_error("no sentences to classify: give them on the command line or on stdin");
  int failures = 0;
  const auto answers = ch06::predict_sentiment(loaded.model, loaded.vocab, sentences, loaded.max_len);
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const auto& p = answers[i];
    if (!p.error.empty()) {
      std::cerr << kProgram << ": error: sentence " << i + 1 << ": " << p.error << '\n';
      ++failures;
      continue;
    }
    std::string note;
    if (p.grammar) note += "  [grammar: " + ch06::sentiment_classes()[static_cast<std::size_t>(*p.grammar)] + "]";
    if (p.truncated) note += "  [cut to the first " + std::to_string(p.words) + " words]";
    std::cout << fmt::format("{:<8} (p = {:.3f})  {}{}\n", ch06::sentiment_classes()[static_cast<std::size_t>(p.label)],
                             p.probability, p.input, note);
  }
  return failures == 0 ? book::kExitOk : book::kExitRuntimeError;
}
// [predict_mode]

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 07: the chapter's SentimentLSTM (embedding 128, 2-layer bidirectional LSTM 256, dropout 0.5)\n"
               "trained on a generated corpus whose labels follow a grammar (negation flips a clause; the clause\n"
               "after 'but' wins), against a bag-of-words baseline. --data_dir reads an aclImdb review folder instead.",
               kProgram};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return options.predict ? predict(options) : train(options);
  });
}
