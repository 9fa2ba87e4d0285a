#include "lib/sentiment_corpus.h"

#include "book/files.h"
#include "book/text.h"

#include <algorithm>
#include <map>
#include <sstream>
#include <stdexcept>

namespace ch06 {

const std::vector<std::string>& sentiment_classes() {
  static const std::vector<std::string> classes = {"negative", "positive"};
  return classes;
}

// [word_lists]
const SentimentWords& sentiment_words() {
  static const SentimentWords words = {
      /*positive=*/{"good",     "great",      "wonderful", "excellent", "brilliant",
                    "charming", "delightful", "moving",    "clever",    "funny",
                    "superb",   "enjoyable",  "gripping",  "beautiful", "fresh",
                    "solid",    "touching",   "witty",     "stunning",  "memorable"},
      /*negative=*/{"bad",     "boring",   "awful",  "dull",        "terrible",
                    "weak",    "tedious",  "clumsy", "predictable", "bland",
                    "poor",    "messy",    "silly",  "lifeless",    "forgettable",
                    "shallow", "annoying", "slow",   "painful",     "flat"},
      /*subjects=*/
      {"movie", "film", "plot", "acting", "script", "ending", "music", "cast", "story", "dialogue",
       "pacing", "direction", "soundtrack", "photography", "finale", "humour"},
      /*copulas=*/{"is", "was"},
      /*negators=*/{"not", "never"},
      /*intensifiers=*/{"very", "really", "truly", "quite", "extremely", "incredibly", "so"},
      /*openers=*/{"honestly", "overall", "in the end", "to be fair", "i think"},
  };
  return words;
}
// [word_lists]

namespace {

const std::string& pick(const std::vector<std::string>& list, book::Rng& rng) {
  return list[book::uniform_below(rng, list.size())];
}

bool contains(const std::vector<std::string>& list, const std::string& word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

// [grammar]
// One clause with the given effective polarity (1 = positive): "the <subject> <copula> [<negator>]
// [<intensifier>] <adjective>". A negated clause takes an adjective of the opposite polarity, so
// that the negator turns it into the polarity asked for.
std::string make_clause(book::Rng& rng, std::int64_t polarity, bool negated,
                        const GrammarOptions& o) {
  const SentimentWords& w = sentiment_words();
  const std::int64_t adjective_polarity = negated ? 1 - polarity : polarity;
  std::string clause = "the " + pick(w.subjects, rng) + " " + pick(w.copulas, rng);
  if (negated) clause += " " + pick(w.negators, rng);
  if (book::uniform01(rng) < o.intensifier) clause += " " + pick(w.intensifiers, rng);
  clause += " " + pick(adjective_polarity == 1 ? w.positive : w.negative, rng);
  return clause;
}
// [grammar]

}  // namespace

// [sentence]
SentimentSample generate_sentence(book::Rng& rng, const GrammarOptions& o) {
  SentimentSample s;
  s.label = static_cast<std::int64_t>(book::uniform_below(rng, 2));
  std::string text;
  if (book::uniform01(rng) < o.opener) text = pick(sentiment_words().openers, rng) + " ";
  if (book::uniform01(rng) < o.contrast) {
    // "A but B": B carries the label, A the opposite polarity; each may be negated.
    const bool negate_first = book::uniform01(rng) < o.negation;
    const bool negate_second = book::uniform01(rng) < o.negation;
    text += make_clause(rng, 1 - s.label, negate_first, o) + " but " +
            make_clause(rng, s.label, negate_second, o);
    s.contrast = true;
    s.negated = negate_first || negate_second;
  } else {
    s.negated = book::uniform01(rng) < o.negation;
    text += make_clause(rng, s.label, s.negated, o);
  }
  s.text = std::move(text);
  return s;
}
// [sentence]

std::vector<SentimentSample> generate_sentiment_corpus(std::int64_t size, book::Rng& rng, const GrammarOptions& o) {
  std::vector<SentimentSample> out;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(size, 0)));
  for (std::int64_t i = 0; i < size; ++i) out.push_back(generate_sentence(rng, o));
  return out;
}

namespace {

// Parses one clause at tokens[i]; returns its polarity and moves i past it, or nullopt.
std::optional<std::int64_t> parse_clause(const std::vector<std::string>& t, std::size_t& i) {
  const SentimentWords& w = sentiment_words();
  auto at = [&](std::size_t k) -> const std::string& {
    static const std::string none;
    return k < t.size() ? t[k] : none;
  };
  if (at(i) != "the" || !contains(w.subjects, at(i + 1)) || !contains(w.copulas, at(i + 2))) return std::nullopt;
  i += 3;
  bool negated = false;
  if (contains(w.negators, at(i))) {
    negated = true;
    ++i;
  }
  if (contains(w.intensifiers, at(i))) ++i;
  std::int64_t polarity = 0;
  if (contains(w.positive, at(i))) {
    polarity = 1;
  } else if (!contains(w.negative, at(i))) {
    return std::nullopt;
  }
  ++i;
  return negated ? 1 - polarity : polarity;
}

}  // namespace

// [rules]
std::optional<std::int64_t> grammar_label(const std::vector<std::string>& tokens) {
  std::size_t i = 0;
  for (const std::string& opener :
       sentiment_words().openers) {  // an optional opener ("in the end")
    const std::vector<std::string> words = tokenize(opener);
    if (tokens.size() >= words.size() && std::equal(words.begin(), words.end(), tokens.begin())) {
      i = words.size();
      break;
    }
  }
  std::optional<std::int64_t> polarity = parse_clause(tokens, i);
  if (!polarity) return std::nullopt;
  if (i < tokens.size() && tokens[i] == "but") {  // the clause after "but" decides
    ++i;
    polarity = parse_clause(tokens, i);
    if (!polarity) return std::nullopt;
  }
  if (i != tokens.size()) return std::nullopt;
  return polarity;
}
// [rules]

std::string sentiment_corpus_to_tsv(const std::vector<SentimentSample>& samples) {
  std::string out = "label\tnegated\tcontrast\ttext\n";
  for (const auto& s : samples) {
    out += sentiment_classes()[static_cast<std::size_t>(s.label)] + "\t" + (s.negated ? "1" : "0") + "\t" +
           (s.contrast ? "1" : "0") + "\t" + s.text + "\n";
  }
  return out;
}

// [tokenize]
std::vector<std::string> tokenize(std::string_view utf8) {
  std::vector<std::string> words;
  std::u32string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(book::utf8_encode(word));
    word.clear();
  };
  const std::u32string text = book::utf8_decode(utf8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    char32_t c = text[i];
    if (c == U'<' && i + 1 < text.size() &&
        (text[i + 1] == U'/' || ((text[i + 1] | 0x20) >= U'a' && (text[i + 1] | 0x20) <= U'z'))) {
      // a short HTML tag such as <br /> separates words and is dropped
      const std::size_t close = text.find(U'>', i);
      if (close != std::u32string::npos && close - i <= 8) {
        flush();
        i = close;
        continue;
      }
    }
    if (c >= U'A' && c <= U'Z') c = c - U'A' + U'a';
    const bool part_of_word =
        (c >= U'a' && c <= U'z') || (c >= U'0' && c <= U'9') || c == U'\'' || c >= 0x80;
    if (part_of_word) {
      word.push_back(c);
    } else {
      flush();
    }
  }
  flush();
  return words;
}
// [tokenize]

WordVocab::WordVocab() : tokens_{"<pad>", "<unk>"}, ids_{{"<pad>", kPad}, {"<unk>", kUnk}} {}

// [vocab]
WordVocab WordVocab::build(const std::vector<std::vector<std::string>>& documents,
                           std::int64_t min_freq, std::int64_t max_size) {
  if (min_freq < 1) throw std::invalid_argument("the minimum word frequency must be at least 1");
  if (max_size < 2)
    throw std::invalid_argument("a vocabulary needs room for <pad> and <unk> (max size >= 2)");
  std::map<std::string, std::int64_t> counts;  // ordered: ties come out alphabetically
  for (const auto& doc : documents) {
    for (const auto& word : doc) ++counts[word];
  }
  std::vector<std::pair<std::string, std::int64_t>> kept;
  for (const auto& [word, count] : counts) {
    if (count >= min_freq && word != "<pad>" && word != "<unk>") kept.emplace_back(word, count);
  }
  std::stable_sort(kept.begin(), kept.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  WordVocab vocab;
  for (const auto& entry : kept) {
    if (vocab.size() >= max_size) break;
    vocab.ids_.emplace(entry.first, vocab.size());
    vocab.tokens_.push_back(entry.first);
  }
  return vocab;
}
// [vocab]

WordVocab WordVocab::from_tokens(const std::vector<std::string>& tokens) {
  if (tokens.size() < 2 || tokens[0] != "<pad>" || tokens[1] != "<unk>") {
    throw std::invalid_argument("a word vocabulary must start with <pad> and <unk>");
  }
  WordVocab vocab;
  for (std::size_t i = 2; i < tokens.size(); ++i) {
    if (!vocab.ids_.emplace(tokens[i], vocab.size()).second) {
      throw std::invalid_argument("the word vocabulary lists '" + tokens[i] + "' twice");
    }
    vocab.tokens_.push_back(tokens[i]);
  }
  return vocab;
}

std::int64_t WordVocab::id(const std::string& word) const {
  const auto it = ids_.find(word);
  return it == ids_.end() ? kUnk : it->second;
}

std::vector<std::int64_t> WordVocab::encode(const std::vector<std::string>& words, std::size_t max_len) const {
  const std::size_t n = max_len == 0 ? words.size() : std::min(words.size(), max_len);
  std::vector<std::int64_t> ids;
  ids.reserve(n);
  for (std::size_t i = 0; i < n; ++i) ids.push_back(id(words[i]));
  return ids;
}

std::string WordVocab::to_tsv() const {
  std::string out;
  for (std::size_t i = 0; i < tokens_.size(); ++i) out += tokens_[i] + "\t" + std::to_string(i) + "\n";
  return out;
}

namespace {

const char* const kLayout = "an aclImdb folder holds train/pos, train/neg, test/pos and test/neg with one .txt review per file";

void read_class_folder(const std::filesystem::path& folder, std::int64_t label, std::int64_t max_files,
                       LabelledTexts& out) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    throw std::runtime_error("review folder '" + folder.string() + "' is missing (" + kLayout + ")");
  }
  std::vector<fs::path> files;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".txt" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) throw std::runtime_error("cannot list review folder '" + folder.string() + "': " + ec.message());
  if (files.empty()) throw std::runtime_error("no .txt reviews in '" + folder.string() + "' (" + kLayout + ")");
  std::sort(files.begin(), files.end());
  if (max_files > 0 && static_cast<std::int64_t>(files.size()) > max_files) files.resize(static_cast<std::size_t>(max_files));
  for (const auto& file : files) {
    out.texts.push_back(book::read_file(file));
    out.labels.push_back(label);
    out.sources.push_back(file.string());
  }
}

}  // namespace

ReviewData read_review_folder(const std::filesystem::path& root_in, std::int64_t max_per_class) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(root_in, ec)) {
    throw std::runtime_error("no review folder at '" + root_in.string() + "' (" + kLayout + ")");
  }
  fs::path root = root_in;
  if (!fs::is_directory(root / "train", ec) && fs::is_directory(root / "aclImdb" / "train", ec)) root = root / "aclImdb";
  ReviewData data;
  read_class_folder(root / "train" / "pos", 1, max_per_class, data.train);
  read_class_folder(root / "train" / "neg", 0, max_per_class, data.train);
  read_class_folder(root / "test" / "pos", 1, max_per_class, data.test);
  read_class_folder(root / "test" / "neg", 0, max_per_class, data.test);
  return data;
}

SubsetAccuracy subset_accuracy(const std::vector<std::int64_t>& predictions, const std::vector<std::int64_t>& labels,
                               const std::vector<bool>& include) {
  if (predictions.size() != labels.size() || include.size() != labels.size()) {
    throw std::invalid_argument("subset_accuracy: predictions, labels and the subset differ in length");
  }
  SubsetAccuracy out;
  std::int64_t correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!include[i]) continue;
    ++out.count;
    correct += predictions[i] == labels[i] ? 1 : 0;
  }
  out.accuracy = out.count > 0 ? 100.0 * static_cast<double>(correct) / static_cast<double>(out.count) : 0.0;
  return out;
}

}  // namespace ch06
