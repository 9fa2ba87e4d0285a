#include "lib/names.h"

#include "book/text.h"

#include <cmath>
#include <stdexcept>

namespace ch06 {

const std::vector<std::string>& name_classes() {
  static const std::vector<std::string> classes = {"Russian", "English", "Italian", "Japanese", "Greek"};
  return classes;
}

const std::vector<std::vector<std::string>>& name_suffixes() {
  static const std::vector<std::vector<std::string>> suffixes = {
      {"ov", "sky", "ev", "in", "ka"},          // Russian
      {"son", "man", "er", "ton", "ley"},       // English
      {"ini", "elli", "ano", "rio", "ucci"},    // Italian
      {"yama", "to", "wa", "ki", "ko"},         // Japanese
      {"os", "is", "as", "opoulos", "akis"},    // Greek
  };
  return suffixes;
}

CharVocab::CharVocab() : tokens_{"<pad>", "<unk>"} {}

void CharVocab::add_text(std::string_view utf8) {
  for (char32_t c : book::utf8_decode(utf8)) {
    if (c == book::kReplacementChar || ids_.count(c) != 0) continue;
    ids_.emplace(c, size());
    tokens_.push_back(book::utf8_encode(c));
  }
}

std::int64_t CharVocab::id(char32_t c) const {
  const auto it = ids_.find(c);
  return it == ids_.end() ? kUnk : it->second;
}

std::vector<std::int64_t> CharVocab::encode(std::string_view utf8) const {
  const std::u32string chars = book::utf8_decode(utf8);
  std::vector<std::int64_t> out;
  out.reserve(chars.size());
  for (char32_t c : chars) out.push_back(id(c));
  return out;
}

CharVocab CharVocab::from_tokens(const std::vector<std::string>& tokens) {
  if (tokens.size() < 2 || tokens[0] != "<pad>" || tokens[1] != "<unk>") {
    throw std::runtime_error("a vocabulary must start with <pad> and <unk>");
  }
  CharVocab vocab;
  for (std::size_t i = 2; i < tokens.size(); ++i) {
    const std::u32string c = book::utf8_decode(tokens[i]);
    if (c.size() != 1 || vocab.ids_.count(c[0]) != 0) {
      throw std::runtime_error("vocabulary entry " + std::to_string(i) + " is not a single new character");
    }
    vocab.add_text(tokens[i]);
  }
  return vocab;
}

std::string CharVocab::to_tsv() const {
  std::string out;
  for (std::size_t i = 0; i < tokens_.size(); ++i) out += tokens_[i] + "\t" + std::to_string(i) + "\n";
  return out;
}

NameDataset make_synthetic_names(std::int64_t size, book::Rng& rng) {
  static const std::string letters = "abcdefghijklmnopqrstuvwxyz";
  NameDataset data;
  data.samples.reserve(static_cast<std::size_t>(size));
  const auto& suffixes = name_suffixes();
  for (std::int64_t i = 0; i < size; ++i) {
    const auto label = book::uniform_int(rng, 0, static_cast<std::int64_t>(suffixes.size()) - 1);
    const auto base_length = book::uniform_int(rng, 3, 8);
    std::string name;
    for (std::int64_t k = 0; k < base_length; ++k) {
      name += letters[book::uniform_below(rng, letters.size())];
    }
    const auto& options = suffixes[static_cast<std::size_t>(label)];
    name += options[book::uniform_below(rng, options.size())];
    data.vocab.add_text(name);
    data.samples.push_back({std::move(name), label});
  }
  return data;
}

std::string names_to_tsv(const std::vector<NameSample>& samples) {
  std::string out;
  for (const auto& s : samples) out += s.name + "\t" + name_classes()[static_cast<std::size_t>(s.label)] + "\n";
  return out;
}

SplitSizes split_sizes(std::int64_t size, double val_split) {
  SplitSizes sizes;
  sizes.val = static_cast<std::int64_t>(std::floor(static_cast<double>(size) * val_split));
  sizes.train = size - sizes.val;
  return sizes;
}

Split random_split(const std::vector<NameSample>& samples, double val_split, book::Rng& rng) {
  std::vector<std::size_t> order(samples.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  book::shuffle(order, rng);
  const SplitSizes sizes = split_sizes(static_cast<std::int64_t>(samples.size()), val_split);
  Split split;
  split.train.reserve(static_cast<std::size_t>(sizes.train));
  split.val.reserve(static_cast<std::size_t>(sizes.val));
  for (std::size_t i = 0; i < order.size(); ++i) {
    (static_cast<std::int64_t>(i) < sizes.train ? split.train : split.val).push_back(samples[order[i]]);
  }
  return split;
}

}  // namespace ch06
