#pragma once
/// \file
/// Program 07 on the generated corpus or on an aclImdb review folder, torch-free: the training and
/// test texts tokenized, the kinds of sentence the accuracy is broken into, where an accuracy lies
/// against chance, and the tables and the figure the program shows.
#include "book/facts.h"
#include "book/table.h"
#include "lib/sentiment_corpus.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ch06 {

/// Named rows of the data: (name, include[i]).
using Subsets = std::vector<std::pair<std::string, std::vector<bool>>>;

/// The tokenized texts of one split.
struct TextSplit {
  std::vector<std::vector<std::string>> tokens;  ///< the words of each text
  std::vector<std::int64_t> labels;              ///< 0 = negative, 1 = positive
  std::vector<bool> negated;   ///< has "not"/"never" (generated corpus only, else empty)
  std::vector<bool> contrast;  ///< is "A but B" (generated corpus only, else empty)
};

/// The training and test splits of program 07's data.
struct TextSplits {
  TextSplit train;                   ///< what the models learn from
  TextSplit test;                    ///< what they are measured on
  std::vector<std::string> skipped;  ///< review files left out: not a single word in them
};

/// The generated corpus split in order: its last `test_size` sentences are the test split.
/// Throws std::invalid_argument unless 0 < test_size < corpus.size().
TextSplits grammar_splits(const std::vector<SentimentSample>& corpus, std::size_t test_size);

/// The reviews of an aclImdb folder (read_review_folder, at most `max_per_class` files per folder,
/// 0 = all), tokenized. A review without a single word teaches nothing: it is left out and its file
/// listed in `skipped`. Throws std::runtime_error, one line naming the folder, if the folder is
/// missing or malformed or a split keeps no review.
TextSplits read_review_splits(const std::filesystem::path& root, std::int64_t max_per_class = 0);

/// How many texts of `split` have more than `max_len` words (and are cut to their first max_len).
std::int64_t count_longer(const TextSplit& split, std::size_t max_len);

/// The subsets of `test` the accuracy is broken into: "all"; for the generated corpus also
/// "negation" (has not/never), "contrast" ("A but B") and "plain" (neither), in that order.
Subsets sentence_kinds(const TextSplit& test);

/// Where an accuracy on `a.count` texts lies against chance (50 %): "below" or "above" when it is
/// more than two standard errors of chance, 100·sqrt(0.25 / count) points, away from 50; else "at".
std::string against_chance(const SubsetAccuracy& a);

/// Both models' test accuracy per subset, and the subset where the LSTM leads the most.
struct SubsetComparison {
  /// Columns subset, texts, bag_of_words_acc, lstm_acc, gap (LSTM minus bag of words, in points),
  /// bow_vs_chance (against_chance of the bag of words).
  book::Table table{{"subset", "texts", "bag_of_words_acc", "lstm_acc", "gap", "bow_vs_chance"}, 4};
  std::string largest_gap;  ///< the subset with the largest gap (the first on a tie)
};

/// See SubsetComparison. Throws std::invalid_argument if the sizes differ.
SubsetComparison compare_by_subset(const std::vector<std::int64_t>& bow_predictions,
                                   const std::vector<std::int64_t>& lstm_predictions,
                                   const std::vector<std::int64_t>& labels, const Subsets& subsets);

/// What the program prints of `c`: what the columns mean (by kind of sentence if `generated`, else
/// for reviews), the table, and the subset where the SentimentLSTM leads the most. With `facts`,
/// records every cell as `<subset>.<column>` (texts, bow, lstm, gap, bow_vs_chance), e.g.
/// `negation.bow`, and `largest_gap`.
std::string comparison_report(const SubsetComparison& c, bool generated,
                              book::Facts* facts = nullptr);

/// The probe sentences of the generated corpus: each differs from another only in word order or in
/// one word.
const std::vector<std::string>& grammar_probes();

/// Columns sentence, grammar (the label grammar_label gives, or "-"), bag_of_words, lstm.
book::Table grammar_probe_table(const std::vector<std::string>& sentences,
                                const std::vector<std::int64_t>& bow_predictions,
                                const std::vector<std::int64_t>& lstm_predictions);

/// Draws `sentiment_accuracy.csv` (compare_by_subset's table, saved in the folder of `svg`) as
/// bars per subset with the chance line into `svg`; see book::plot_svg.
std::optional<std::filesystem::path> plot_sentiment_accuracy(const std::filesystem::path& svg);

}  // namespace ch06
