#pragma once
/// \file
/// The main job's data: synthetic names whose suffix tells their origin, and a character
/// vocabulary that works on Unicode code points. Torch-free.
#include "book/rng.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ch06 {

/// The five origins, in label order (label = index).
const std::vector<std::string>& name_classes();

/// The suffixes of each origin, indexed by label.
const std::vector<std::vector<std::string>>& name_suffixes();

/// One labelled name.
struct NameSample {
  std::string name;    ///< UTF-8
  std::int64_t label;  ///< index into name_classes()
};

/// Characters (Unicode code points) to ids: `<pad>` = 0, `<unk>` = 1, then each new character in
/// the order it is first added.
class CharVocab {
 public:
  static constexpr std::int64_t kPad = 0;  ///< id of the padding token
  static constexpr std::int64_t kUnk = 1;  ///< id of characters never seen in training
  /// A vocabulary holding only `<pad>` and `<unk>`.
  CharVocab();
  /// Adds every character of `utf8` that is not in the vocabulary yet.
  void add_text(std::string_view utf8);
  /// The id of one code point (kUnk if unknown).
  std::int64_t id(char32_t c) const;
  /// The ids of the characters of `utf8`. Unknown characters and bytes that are not valid UTF-8
  /// map to kUnk, one id per code point.
  std::vector<std::int64_t> encode(std::string_view utf8) const;
  /// Number of entries, `<pad>` and `<unk>` included.
  std::int64_t size() const { return static_cast<std::int64_t>(tokens_.size()); }
  /// The token of an id, as UTF-8 (`<pad>`, `<unk>` or the character).
  const std::string& token(std::int64_t id) const { return tokens_.at(static_cast<std::size_t>(id)); }
  /// All tokens in id order.
  const std::vector<std::string>& tokens() const { return tokens_; }
  /// Rebuilds a vocabulary from its tokens in id order (as stored in a checkpoint).
  static CharVocab from_tokens(const std::vector<std::string>& tokens);
  /// The original's vocab.txt: one `token<TAB>id` line per entry.
  std::string to_tsv() const;

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<char32_t, std::int64_t> ids_;
};

/// The generated data set and the vocabulary built over it.
struct NameDataset {
  std::vector<NameSample> samples;  ///< in generation order
  CharVocab vocab;                  ///< built over all samples, in order of first appearance
};

/// Generates `size` names as the original does: a uniform label; a base of 3..8 letters, each
/// uniform over a..z; then a suffix drawn uniformly from the label's list.
NameDataset make_synthetic_names(std::int64_t size, book::Rng& rng);

/// The original's synthetic_names.txt: one `name<TAB>ClassName` line per sample.
std::string names_to_tsv(const std::vector<NameSample>& samples);

/// Sizes of the two parts of a split: validation = floor(size × val_split), training = the rest.
struct SplitSizes {
  std::int64_t train = 0;  ///< training samples
  std::int64_t val = 0;    ///< validation samples
};

/// The split sizes for `size` samples.
SplitSizes split_sizes(std::int64_t size, double val_split);

/// A random split of `samples` into training and validation parts of split_sizes().
struct Split {
  std::vector<NameSample> train;  ///< training part
  std::vector<NameSample> val;    ///< validation part
};

/// Shuffles a copy of `samples` with `rng` and cuts it into the two parts.
Split random_split(const std::vector<NameSample>& samples, double val_split, book::Rng& rng);

}  // namespace ch06
