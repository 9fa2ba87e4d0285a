#pragma once
/// \file
/// Program 07's `--corpus uci` run as named steps: the subsets the accuracy is broken into, the
/// repeated cross-validation of the three text models, and what the program prints and writes
/// from it (the accuracy table, the sentences where the two models disagree, the predictions).
#include "book/facts.h"
#include "book/table.h"
#include "lib/sentiment_cv.h"
#include "lib/sentiment_splits.h"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ch06 {

/// The sentences `--corpus uci` reads, tokenized.
struct UciData {
  std::filesystem::path file;                     ///< where they were read from
  RealSentences sentences;                        ///< the sentences, labels and sources
  std::vector<std::vector<std::string>> words;    ///< tokenize() of each sentence
  std::int64_t negated = 0;                       ///< sentences is_negated() finds
};

/// Reads `sentences_file`, or if it is empty the shipped copy (kUciSentencesFile, checked for its
/// 500 sentences per source and label), and tokenizes it. Errors are one line naming the file.
UciData load_uci_data(const std::string& sentences_file);

/// The subsets the table breaks the accuracy into: "all", each source (uci_sources()), "negated"
/// (is_negated on the sentence's words), in that order.
Subsets uci_subsets(const RealSentences& data, const std::vector<std::vector<std::string>>& words);

/// The AFINN word list's accuracy on a source as the `sentiment` package's README reports it (not
/// run here): amazon 72.6, imdb 76.5, yelp 69.6; NaN for any other subset.
double afinn_reported(const std::string& subset);

/// How evaluate_uci repeats the cross-validation.
struct UciPlan {
  int folds = 5;           ///< k of the k-fold cross-validation
  int repeats = 1;         ///< seeds seed, seed + 1, ...
  std::uint64_t seed = 42; ///< the first seed
};

/// The repeated cross-validation of the three models on the same folds.
struct UciEvaluation {
  /// The models, in the table's order: bag of words, bag of words + bigrams, SentimentLSTM.
  std::vector<TextModelKind> kinds;
  Subsets subsets;  ///< see uci_subsets
  /// accuracy[model][subset][repeat], percent.
  std::vector<std::vector<std::vector<double>>> accuracy;
  /// The first seed's cross-validated prediction of every sentence, per model.
  std::vector<std::vector<std::int64_t>> first_predictions;
  std::vector<int> first_folds;  ///< the first seed's test fold of every sentence
  TrainedTextModel lstm;         ///< the first seed's SentimentLSTM of fold 0 (for --predict)
  TrainedTextModel bow;          ///< the first seed's bag of words of fold 0
  double seconds = 0;            ///< the whole evaluation
};

/// Called once per seed with one line: each model's accuracy, chosen epochs, validation accuracy
/// and time.
using SeedReport = std::function<void(const std::string&)>;

/// Cross-validates the bag of words, the bigram bag of words and the SentimentLSTM on the same
/// folds (assign_folds with each seed), `plan.repeats` times. Model m of seed s starts from the
/// random state seed·1000 + m, so one seed's numbers do not depend on the other seeds.
UciEvaluation evaluate_uci(const RealSentences& data,
                           const std::vector<std::vector<std::string>>& words,
                           const UciPlan& plan, const TextModelOptions& options,
                           const SeedReport& report = {});

/// The table the program prints (mean ± sd per model and subset, LSTM − bag of words, AFINN) and
/// the CSV it writes (mean and sd as numbers).
struct UciTables {
  book::Table text;  ///< for the console
  book::Table csv;   ///< for results/uci_accuracy.csv and its figure
};

/// See UciTables. With `facts`, records each printed cell: `<subset>.sentences` and, for the models
/// bow, bigrams, lstm and gap (LSTM minus bag of words), `<subset>.<model>` (the mean) and with
/// more than one seed `<subset>.<model>_sd`, e.g. `negated.lstm_sd`.
UciTables uci_tables(const UciEvaluation& e, book::Facts* facts = nullptr);

/// What the program prints of the accuracy: what the numbers are, the table, and the standard
/// error of one run's accuracy on each size of subset (recorded as `se_all`, `se_source` and
/// `se_negated` with `facts`).
std::string uci_accuracy_report(const UciEvaluation& e, const UciTables& tables,
                                book::Facts* facts = nullptr);

/// Sentences the first seed's SentimentLSTM gets right and its bag of words wrong (`lstm_only`),
/// and the other way round (`bow_only`), by index.
struct Disagreements {
  std::vector<std::size_t> lstm_only;  ///< right by the SentimentLSTM alone
  std::vector<std::size_t> bow_only;   ///< right by the bag of words alone
};

/// See Disagreements.
Disagreements disagreements(const UciEvaluation& e, const RealSentences& data);

/// Up to `per_side` sentences of each side of `d` (the first by sentence_hash01, salt "show"),
/// cut to 70 characters: columns right, source, label, sentence.
book::Table disagreement_examples(const Disagreements& d, const RealSentences& data,
                                  std::size_t per_side = 5);

/// A few short sentences for the fold-0 models: negations, a contrast, plain praise.
const std::vector<std::string>& uci_probes();

/// Both fold-0 models on a few sentences: columns sentence, bag_of_words, lstm.
book::Table probe_table(UciEvaluation& e, const std::vector<std::string>& sentences);

/// results/uci_predictions.tsv: source, label, negated, fold, the three predictions, sentence.
std::string uci_predictions_tsv(const UciEvaluation& e, const RealSentences& data);

/// Draws `uci_accuracy.csv` (uci_tables().csv, saved in the folder of `svg`) as a bar chart with
/// error bars into `svg`; see book::plot_svg.
std::optional<std::filesystem::path> plot_uci_accuracy(const std::filesystem::path& svg);

}  // namespace ch06
