#pragma once
/// \file
/// Program 07's real sentences, torch-free: the UCI "Sentiment Labelled Sentences" (3,000 review
/// sentences from Amazon, IMDB and Yelp, labelled by people), a detector for negated sentences,
/// and the cross-validation folds (fixed by a hash, stratified by source and label).
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace ch06 {

/// The shipped file, relative to the data folder (book::find_data_file).
inline constexpr const char* kUciSentencesFile = "uci-sentiment/sentences.tsv.gz";

/// The three sources in id order: "amazon" = 0, "imdb" = 1, "yelp" = 2.
const std::vector<std::string>& uci_sources();

/// Labelled sentences, each with the id of its source (an index into uci_sources()).
struct RealSentences {
  std::vector<std::string> texts;    ///< the sentence, as written
  std::vector<std::int64_t> labels;  ///< 0 = negative, 1 = positive
  std::vector<int> sources;          ///< index into uci_sources()
  /// Number of sentences.
  std::size_t size() const { return texts.size(); }
};

/// Parses the TSV: the header `source<TAB>label<TAB>sentence`, then one line per sentence. Throws
/// std::runtime_error `"<name>:<line>: <problem>"` (one line) for a missing header, a line without
/// three fields, an unknown source, a label other than 0 or 1, an empty sentence, a last line
/// without its newline (a cut file), and for a file without any sentence.
RealSentences parse_uci_sentences(std::string_view text, const std::string& name);

/// Reads the file through zlib (gzip or plain) and parses it. With `per_class` > 0 it also checks
/// that every source has exactly that many sentences of each label (500 in the shipped file), so a
/// file cut at a line boundary is refused too. Errors are one line naming the file.
RealSentences load_uci_sentences(const std::filesystem::path& path, std::int64_t per_class = 500);

/// True if the words contain a negation: not, no, never, nor, nothing, nobody, none, neither,
/// nowhere, cannot, or a word ending in n't (also written n’t, or without the apostrophe as in
/// "dont", "didnt", "cant", "wont", "isnt", "wasnt", "doesnt", "couldnt", "wouldnt", "aint").
bool is_negated(const std::vector<std::string>& words);

/// The test fold (0 ... k-1) of every sentence for k-fold cross-validation. Within each group of
/// one source and one label, the sentences are ordered by a hash of their words and the seed, and
/// each goes to the fold that holds the fewest sentences of its group so far. Sentences with the
/// same words are one unit and share a fold (so a repeated sentence is never both trained on and
/// tested). The same data and seed always give the same folds; another seed gives other folds.
/// Throws std::invalid_argument unless 2 <= k <= the smallest group.
std::vector<int> assign_folds(const RealSentences& data, int k, std::uint64_t seed);

/// A number in [0, 1) fixed by the sentence's words, the seed and a salt: the same on every
/// machine. Used to hold out a validation share inside a training fold.
double sentence_hash01(const std::string& text, std::uint64_t seed, std::string_view salt);

}  // namespace ch06

namespace ch06 {

/// The mean and the sample standard deviation (n − 1 in the denominator; 0 for one value) of
/// repeated measurements, e.g. an accuracy over seeds.
struct Spread {
  double mean = 0;     ///< the mean
  double sd = 0;       ///< the sample standard deviation
  std::size_t n = 0;   ///< number of values
};

/// See Spread. Throws std::invalid_argument for an empty list.
Spread mean_sd(const std::vector<double>& values);

}  // namespace ch06
