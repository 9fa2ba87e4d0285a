#pragma once
/// \file
/// Program 07's text side, torch-free: a small English grammar of movie-review sentences whose
/// labels follow from the grammar's rules (negation flips a clause, the clause after "but" wins),
/// a tokenizer, a word vocabulary with a minimum frequency and a maximum size, and a reader for the
/// standard aclImdb review folders.
#include "book/rng.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ch06 {

/// The two classes, in label order: 0 = "negative", 1 = "positive".
const std::vector<std::string>& sentiment_classes();

/// The word lists of the grammar (written for this book).
struct SentimentWords {
  std::vector<std::string> positive;      ///< adjectives that make a clause positive
  std::vector<std::string> negative;      ///< adjectives that make a clause negative
  std::vector<std::string> subjects;      ///< what a clause talks about ("plot", "acting", ...)
  std::vector<std::string> copulas;       ///< "is", "was"
  std::vector<std::string> negators;      ///< "not", "never": flip the clause
  std::vector<std::string> intensifiers;  ///< "very", "really", ...: change nothing about the label
  std::vector<std::string> openers;       ///< "honestly", "overall", ...: sentiment-free starts
};

/// The grammar's word lists.
const SentimentWords& sentiment_words();

/// How often the grammar uses each construction (probabilities in [0, 1]).
struct GrammarOptions {
  double contrast = 0.5;     ///< a sentence is "clause but clause"
  double negation = 0.4;     ///< each clause is negated ("was not good")
  double intensifier = 0.35; ///< each clause has an intensifier before its adjective
  double opener = 0.3;       ///< the sentence starts with a sentiment-free opener
};

/// One generated sentence with its label and the constructions it uses.
struct SentimentSample {
  std::string text;     ///< lower-case words separated by single spaces
  std::int64_t label;   ///< 0 = negative, 1 = positive, as the grammar's rules say
  bool negated = false; ///< contains a negator ("not", "never")
  bool contrast = false;///< has two clauses joined by "but"
};

/// Generates one sentence. The label is drawn first (uniform); a single clause is given that
/// polarity; in a contrast sentence the clause after "but" gets the label's polarity and the clause
/// before it the opposite one, so both clauses always disagree. A negated clause carries an
/// adjective of the opposite polarity after "not"/"never".
SentimentSample generate_sentence(book::Rng& rng, const GrammarOptions& options = {});

/// `size` sentences from generate_sentence.
std::vector<SentimentSample> generate_sentiment_corpus(std::int64_t size, book::Rng& rng,
                                                       const GrammarOptions& options = {});

/// The label the grammar's rules give to `tokens`, or std::nullopt if they are not a sentence of
/// the grammar. The rules: a clause's polarity is its adjective's, flipped by a negator; the
/// sentence's polarity is that of its last clause (the clause after "but" wins).
std::optional<std::int64_t> grammar_label(const std::vector<std::string>& tokens);

/// The corpus as TSV, one `label<TAB>negated<TAB>contrast<TAB>text` line per sentence, with a header.
std::string sentiment_corpus_to_tsv(const std::vector<SentimentSample>& samples);

/// Splits text into lower-case words: runs of letters, digits and apostrophes (every non-ASCII
/// character counts as a letter, so accented words stay whole). HTML line breaks (`<br />`, as in
/// the IMDB reviews) and all other characters separate words. Bytes that are not valid UTF-8
/// become U+FFFD inside a word, so any input tokenizes without failing.
std::vector<std::string> tokenize(std::string_view utf8);

/// Words to ids: `<pad>` = 0, `<unk>` = 1, then the kept words by falling frequency (ties in
/// alphabetical order, so a vocabulary never depends on the order of the documents).
class WordVocab {
 public:
  static constexpr std::int64_t kPad = 0;  ///< id of the padding token
  static constexpr std::int64_t kUnk = 1;  ///< id of every word not in the vocabulary
  /// A vocabulary holding only `<pad>` and `<unk>`.
  WordVocab();
  /// Keeps the words of `documents` that occur at least `min_freq` times, the most frequent first,
  /// until the vocabulary holds `max_size` entries (`<pad>` and `<unk>` included; at least 2).
  static WordVocab build(const std::vector<std::vector<std::string>>& documents, std::int64_t min_freq,
                         std::int64_t max_size);
  /// Rebuilds a vocabulary from its tokens in id order (as stored in a checkpoint). Throws
  /// std::invalid_argument unless it starts with `<pad>`, `<unk>` and has no duplicates.
  static WordVocab from_tokens(const std::vector<std::string>& tokens);
  /// The id of `word` (kUnk if it is not in the vocabulary).
  std::int64_t id(const std::string& word) const;
  /// The ids of the first `max_len` words of `words` (all of them if `max_len` is 0).
  std::vector<std::int64_t> encode(const std::vector<std::string>& words, std::size_t max_len = 0) const;
  /// Number of entries, `<pad>` and `<unk>` included.
  std::int64_t size() const { return static_cast<std::int64_t>(tokens_.size()); }
  /// The word of an id.
  const std::string& token(std::int64_t id) const { return tokens_.at(static_cast<std::size_t>(id)); }
  /// All tokens in id order.
  const std::vector<std::string>& tokens() const { return tokens_; }
  /// One `word<TAB>id` line per entry.
  std::string to_tsv() const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, std::int64_t> ids_;
};

/// Labelled documents (reviews or sentences).
struct LabelledTexts {
  std::vector<std::string> texts;    ///< UTF-8 text
  std::vector<std::int64_t> labels;  ///< 0 = negative, 1 = positive
  std::vector<std::string> sources;  ///< where each text came from (a file path), may be empty
};

/// The two splits of a review folder.
struct ReviewData {
  LabelledTexts train;  ///< train/pos and train/neg
  LabelledTexts test;   ///< test/pos and test/neg
};

/// Reads a review folder in the aclImdb layout: `train/pos`, `train/neg`, `test/pos`, `test/neg`,
/// each holding `.txt` files, one review per file (positive = 1, negative = 0). If `root` has no
/// `train` folder but `root/aclImdb` has, that one is read. Files are read in name order; at most
/// `max_per_class` files of each folder (0 = all). Throws std::runtime_error with one line naming
/// the folder it looked in and what is missing, if the folder or a subfolder is missing, or holds no
/// `.txt` file.
ReviewData read_review_folder(const std::filesystem::path& root, std::int64_t max_per_class = 0);

/// Accuracy (percent) of `predictions` against `labels` over the rows where `include` is true, and
/// how many rows that is. The accuracy of an empty subset is 0.
struct SubsetAccuracy {
  double accuracy = 0;    ///< percent correct
  std::int64_t count = 0; ///< rows in the subset
};

/// See SubsetAccuracy.
SubsetAccuracy subset_accuracy(const std::vector<std::int64_t>& predictions, const std::vector<std::int64_t>& labels,
                               const std::vector<bool>& include);

}  // namespace ch06
