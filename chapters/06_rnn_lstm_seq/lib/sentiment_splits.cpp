#include "lib/sentiment_splits.h"

#include "book/plot.h"

#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace {

void add_sample(TextSplit& split, const SentimentSample& s) {
  split.tokens.push_back(tokenize(s.text));
  split.labels.push_back(s.label);
  split.negated.push_back(s.negated);
  split.contrast.push_back(s.contrast);
}

// Tokenizes the reviews; a review without a single word goes to `skipped`.
TextSplit from_reviews(const LabelledTexts& texts, std::vector<std::string>& skipped) {
  TextSplit split;
  for (std::size_t i = 0; i < texts.texts.size(); ++i) {
    std::vector<std::string> tokens = tokenize(texts.texts[i]);
    if (tokens.empty()) {
      skipped.push_back(texts.sources[i]);
      continue;
    }
    split.tokens.push_back(std::move(tokens));
    split.labels.push_back(texts.labels[i]);
  }
  return split;
}

}  // namespace

TextSplits grammar_splits(const std::vector<SentimentSample>& corpus, std::size_t test_size) {
  if (test_size == 0 || test_size >= corpus.size()) {
    throw std::invalid_argument("grammar_splits: the test split must hold 1 to " +
                                std::to_string(corpus.size()) + " - 1 sentences");
  }
  TextSplits splits;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    add_sample(i < corpus.size() - test_size ? splits.train : splits.test, corpus[i]);
  }
  return splits;
}

TextSplits read_review_splits(const std::filesystem::path& root, std::int64_t max_per_class) {
  const ReviewData reviews = read_review_folder(root, max_per_class);
  TextSplits splits;
  splits.train = from_reviews(reviews.train, splits.skipped);
  splits.test = from_reviews(reviews.test, splits.skipped);
  for (const auto* split : {&splits.train, &splits.test}) {
    if (split->tokens.empty()) {
      throw std::runtime_error("no review with any words in the " +
                               std::string(split == &splits.train ? "train" : "test") +
                               " folders of '" + root.string() + "'");
    }
  }
  return splits;
}

std::int64_t count_longer(const TextSplit& split, std::size_t max_len) {
  std::int64_t n = 0;
  for (const auto& t : split.tokens) n += t.size() > max_len ? 1 : 0;
  return n;
}

Subsets sentence_kinds(const TextSplit& test) {
  Subsets subsets = {{"all", std::vector<bool>(test.labels.size(), true)}};
  if (test.negated.empty()) return subsets;  // reviews: no kinds of sentence
  std::vector<bool> plain(test.labels.size());
  for (std::size_t i = 0; i < plain.size(); ++i) plain[i] = !test.negated[i] && !test.contrast[i];
  subsets.emplace_back("negation", test.negated);
  subsets.emplace_back("contrast", test.contrast);
  subsets.emplace_back("plain", plain);
  return subsets;
}

std::string against_chance(const SubsetAccuracy& a) {
  if (a.count <= 0) return "at";
  const double two_se = 2 * 100 * std::sqrt(0.25 / static_cast<double>(a.count));
  if (a.accuracy < 50 - two_se) return "below";
  if (a.accuracy > 50 + two_se) return "above";
  return "at";
}

SubsetComparison compare_by_subset(const std::vector<std::int64_t>& bow_predictions,
                                   const std::vector<std::int64_t>& lstm_predictions,
                                   const std::vector<std::int64_t>& labels,
                                   const Subsets& subsets) {
  SubsetComparison c;
  double largest = -1e300;
  for (const auto& [name, include] : subsets) {
    const SubsetAccuracy b = subset_accuracy(bow_predictions, labels, include);
    const SubsetAccuracy l = subset_accuracy(lstm_predictions, labels, include);
    c.table.add_row({name, b.count, b.accuracy, l.accuracy, l.accuracy - b.accuracy,
                     against_chance(b)});
    if (l.accuracy - b.accuracy > largest) {
      largest = l.accuracy - b.accuracy;
      c.largest_gap = name;
    }
  }
  return c;
}

std::string comparison_report(const SubsetComparison& c, bool generated, book::Facts* facts) {
  const std::vector<std::string> keys = {"", "texts", "bow", "lstm", "gap", "bow_vs_chance"};
  for (std::size_t r = 0; facts && r < c.table.rows().size(); ++r) {
    for (std::size_t k = 1; k < keys.size(); ++k) {
      facts->put(c.table.text(r, 0) + "." + keys[k], c.table.text(r, k));
    }
  }
  if (facts) facts->put("largest_gap", c.largest_gap);
  return std::string(generated ? "\nTest accuracy (%) by kind of sentence: 'negation' = has "
                                 "not/never, 'contrast' = 'A but B',\n'plain' = neither; "
                               : "\nTest accuracy (%) on the test reviews; ") +
         "gap = SentimentLSTM minus bag of words, in points;\nbow_vs_chance = the bag of words "
         "below, at or above 50 % (by more than two standard errors).\n" +
         c.table.to_text() + "The SentimentLSTM leads the most on: " + c.largest_gap + "\n\n";
}

const std::vector<std::string>& grammar_probes() {
  static const std::vector<std::string> probes = {
      "the plot was good",
      "the plot was not good",
      "the acting was good but the ending was boring",
      "the ending was boring but the acting was good",
      "the music was not very bad",
      "honestly the film is never dull but the script is weak"};
  return probes;
}

book::Table grammar_probe_table(const std::vector<std::string>& sentences,
                                const std::vector<std::int64_t>& bow_predictions,
                                const std::vector<std::int64_t>& lstm_predictions) {
  if (bow_predictions.size() != sentences.size() || lstm_predictions.size() != sentences.size()) {
    throw std::invalid_argument("grammar_probe_table: one prediction per sentence");
  }
  const auto& classes = sentiment_classes();
  book::Table table({"sentence", "grammar", "bag_of_words", "lstm"});
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const auto rule = grammar_label(tokenize(sentences[i]));
    table.add_row({sentences[i], rule ? classes[static_cast<std::size_t>(*rule)] : "-",
                   classes[static_cast<std::size_t>(bow_predictions[i])],
                   classes[static_cast<std::size_t>(lstm_predictions[i])]});
  }
  return table;
}

std::optional<std::filesystem::path> plot_sentiment_accuracy(const std::filesystem::path& svg) {
  return book::plot_svg(
      "set title 'Test accuracy: SentimentLSTM vs bag of words'\n"
      "set ylabel 'test accuracy (%)'\nset yrange [0:105]\nset grid ytics\nset key below\n"
      "set key autotitle columnhead\nset style data histogram\n"
      "set style histogram clustered gap 1\nset style fill solid 0.85 border -1\n"
      "set boxwidth 0.9\n"
      "plot 'sentiment_accuracy.csv' using 3:xtic(1) title 'bag of words' lc rgb '#999999', "
      "'' using 4 title 'SentimentLSTM' lc rgb '#1f77b4', "
      "50 with lines dt 2 lc rgb 'black' title 'chance'\n",
      svg);
}

}  // namespace ch06
