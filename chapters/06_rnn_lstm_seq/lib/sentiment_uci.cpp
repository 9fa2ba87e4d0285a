#include "lib/sentiment_uci.h"

#include "lib/g2p_data.h"
#include "lib/sentiment_corpus.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <stdexcept>

namespace ch06 {

const std::vector<std::string>& uci_sources() {
  static const std::vector<std::string> sources = {"amazon", "imdb", "yelp"};
  return sources;
}

// [parse_uci]
RealSentences parse_uci_sentences(std::string_view text, const std::string& name) {
  RealSentences out;
  if (!text.empty() && text.back() != '\n') {
    throw std::runtime_error(name + ": the last line has no newline (a cut file?)");
  }
  std::size_t start = 0;
  for (std::size_t line_no = 1; start < text.size(); ++line_no) {
    const std::size_t end = text.find('\n', start);
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto fail = [&](const std::string& problem) {
      throw std::runtime_error(name + ":" + std::to_string(line_no) + ": " + problem);
    };
    if (line_no == 1) {
      if (line != "source\tlabel\tsentence")
        fail("expected the header 'source<TAB>label<TAB>sentence'");
      continue;
    }
    const std::size_t tab1 = line.find('\t');
    const std::size_t tab2 = tab1 == std::string_view::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string_view::npos || line.find('\t', tab2 + 1) != std::string_view::npos) {
      fail("expected 3 tab-separated fields: source, label, sentence");
    }
    const std::string_view source = line.substr(0, tab1);
    const std::string_view label = line.substr(tab1 + 1, tab2 - tab1 - 1);
    const auto& names = uci_sources();
    const auto it = std::find(names.begin(), names.end(), source);
    if (it == names.end())
      fail("unknown source '" + std::string(source) + "' (amazon, imdb or yelp)");
    if (label != "0" && label != "1")
      fail("the label must be 0 or 1, not '" + std::string(label) + "'");
    if (line.size() == tab2 + 1) fail("empty sentence");
    out.texts.emplace_back(line.substr(tab2 + 1));
    out.labels.push_back(label == "1" ? 1 : 0);
    out.sources.push_back(static_cast<int>(it - names.begin()));
  }
  if (out.texts.empty()) throw std::runtime_error(name + ": no sentences in the file");
  return out;
}
// [parse_uci]

RealSentences load_uci_sentences(const std::filesystem::path& path, std::int64_t per_class) {
  const std::string name = path.string();
  RealSentences data = parse_uci_sentences(read_maybe_gzipped(path), name);
  if (per_class <= 0) return data;
  std::array<std::int64_t, 6> counts{};
  for (std::size_t i = 0; i < data.size(); ++i) {
    ++counts[static_cast<std::size_t>(data.sources[i] * 2 + data.labels[i])];
  }
  for (std::size_t g = 0; g < counts.size(); ++g) {
    if (counts[g] != per_class) {
      throw std::runtime_error(name + ": expected " + std::to_string(per_class) + " " +
                               sentiment_classes()[g % 2] + " sentences from " +
                               uci_sources()[g / 2] + ", found " + std::to_string(counts[g]) +
                               " (a cut or damaged file?)");
    }
  }
  return data;
}

// [negation]
bool is_negated(const std::vector<std::string>& words) {
  static const std::vector<std::string> negators = {
      "not",     "no",   "never",   "nor",      "nothing", "nobody", "none",  "neither", "nowhere",
      "cannot",  "dont", "doesnt",  "didnt",    "isnt",    "wasnt",  "arent", "werent",  "cant",
      "couldnt", "wont", "wouldnt", "shouldnt", "havent",  "hasnt",  "hadnt", "aint"};
  const auto ends_with = [](const std::string& w, std::string_view suffix) {
    return w.size() >= suffix.size() &&
           w.compare(w.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return std::any_of(words.begin(), words.end(), [&](const std::string& w) {
    return ends_with(w, "n't") || ends_with(w, "n\u2019t") ||
           std::find(negators.begin(), negators.end(), w) != negators.end();
  });
}
// [negation]

namespace {

std::string words_key(const std::string& text) {
  std::string key;
  for (const std::string& w : tokenize(text)) key += (key.empty() ? "" : " ") + w;
  return key;
}

}  // namespace

double sentence_hash01(const std::string& text, std::uint64_t seed, std::string_view salt) {
  const std::uint64_t h =
      fnv1a64(std::string(salt) + ":" + std::to_string(seed) + ":" + words_key(text));
  return static_cast<double>(h >> 11) / 9007199254740992.0;  // the top 53 bits, / 2^53
}

// [folds]
std::vector<int> assign_folds(const RealSentences& data, int k, std::uint64_t seed) {
  // Units: the sentences of one (source, label) group with the same words.
  std::map<std::pair<int, std::int64_t>, std::map<std::string, std::vector<std::size_t>>> groups;
  for (std::size_t i = 0; i < data.size(); ++i) {
    groups[{data.sources[i], data.labels[i]}][words_key(data.texts[i])].push_back(i);
  }
  std::size_t smallest = data.size();
  for (const auto& [group, units] : groups) {
    std::size_t n = 0;
    for (const auto& [key, rows] : units) n += rows.size();
    smallest = std::min(smallest, n);
  }
  if (k < 2 || static_cast<std::size_t>(k) > smallest) {
    throw std::invalid_argument("cross-validation needs 2 <= folds <= " + std::to_string(smallest) +
                                " (the smallest source-and-label group), not " + std::to_string(k));
  }
  std::vector<int> fold(data.size(), -1);
  for (const auto& [group, units] : groups) {
    std::vector<std::pair<std::uint64_t, const std::string*>> order;
    for (const auto& [key, rows] : units) {
      order.emplace_back(fnv1a64("fold:" + std::to_string(seed) + ":" + key), &key);
    }
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first < b.first : *a.second < *b.second;
    });
    std::vector<std::size_t> filled(static_cast<std::size_t>(k), 0);
    for (const auto& [hash, key] : order) {
      const auto target =
          static_cast<std::size_t>(std::min_element(filled.begin(), filled.end()) - filled.begin());
      for (const std::size_t row : units.at(*key)) fold[row] = static_cast<int>(target);
      filled[target] += units.at(*key).size();
    }
  }
  return fold;
}
// [folds]

}  // namespace ch06

namespace ch06 {

Spread mean_sd(const std::vector<double>& values) {
  if (values.empty()) throw std::invalid_argument("mean_sd of an empty list");
  Spread s;
  s.n = values.size();
  for (const double v : values) s.mean += v / static_cast<double>(s.n);
  if (s.n < 2) return s;
  double squares = 0;
  for (const double v : values) squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  return s;
}

}  // namespace ch06
