#include "lib/g2p_data.h"

#include "book/config.h"
#include "book/text.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

namespace ch06 {

// ---- Vocabularies ---------------------------------------------------------------------------------

const std::vector<std::string>& arpabet_phonemes() {
  static const std::vector<std::string> phonemes = {
      "AA", "AE", "AH", "AO", "AW", "AY", "B",  "CH", "D",  "DH", "EH", "ER", "EY",
      "F",  "G",  "HH", "IH", "IY", "JH", "K",  "L",  "M",  "N",  "NG", "OW", "OY",
      "P",  "R",  "S",  "SH", "T",  "TH", "UH", "UW", "V",  "W",  "Y",  "Z",  "ZH"};
  return phonemes;
}

std::int64_t phoneme_id(std::string_view phoneme) {
  static const std::unordered_map<std::string, std::int64_t> ids = [] {
    std::unordered_map<std::string, std::int64_t> m;
    const auto& all = arpabet_phonemes();
    for (std::size_t i = 0; i < all.size(); ++i) m.emplace(all[i], kFirstPhoneme + static_cast<std::int64_t>(i));
    return m;
  }();
  const auto it = ids.find(std::string(phoneme));
  return it == ids.end() ? -1 : it->second;
}

const std::string& phoneme_token(std::int64_t id) {
  static const std::vector<std::string> tokens = [] {
    std::vector<std::string> t = {"<pad>", "<sos>", "<eos>"};
    for (const auto& p : arpabet_phonemes()) t.push_back(p);
    return t;
  }();
  if (id < 0 || id >= static_cast<std::int64_t>(tokens.size())) {
    throw std::out_of_range("phoneme id " + std::to_string(id) + " is outside [0, " +
                            std::to_string(tokens.size() - 1) + "]");
  }
  return tokens[static_cast<std::size_t>(id)];
}

std::string phonemes_to_string(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (id < kFirstPhoneme) continue;
    if (!out.empty()) out += ' ';
    out += phoneme_token(id);
  }
  return out;
}

std::vector<std::int64_t> encode_letters(std::string_view word) {
  std::vector<std::int64_t> ids;
  ids.reserve(word.size());
  for (char c : word) {
    if (c < 'a' || c > 'z') throw std::invalid_argument("'" + std::string(word) + "' is not lower-case letters a-z");
    ids.push_back(c - 'a' + 1);
  }
  return ids;
}

namespace {

// A word as an error message shows it: valid UTF-8 (bad bytes become U+FFFD) and at most 20
// characters, so that a megabyte of input or a stray byte cannot spoil the one-line message.
std::string shown_word(std::string_view raw) {
  constexpr std::size_t kShown = 20;
  std::u32string chars = book::utf8_decode(raw);
  if (chars.size() <= kShown) return book::utf8_encode(chars);
  chars.resize(kShown);
  return book::utf8_encode(chars) + "...";
}

}  // namespace

CheckedWord check_word(std::string_view raw) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; };
  std::size_t begin = 0;
  std::size_t end = raw.size();
  while (begin < end && is_space(raw[begin])) ++begin;
  while (end > begin && is_space(raw[end - 1])) --end;
  const std::string_view trimmed = raw.substr(begin, end - begin);
  CheckedWord out;
  if (trimmed.empty()) {
    out.error = "empty word";
    return out;
  }
  std::string word;
  for (char c : trimmed) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') {
      out.error = "'" + shown_word(trimmed) + "' has characters other than the letters a-z";
      return out;
    }
    word += c;
  }
  if (word.size() > kMaxWordLetters) {
    out.error = "'" + shown_word(trimmed) + "' is too long (" + std::to_string(word.size()) +
                " letters; the limit is " + std::to_string(kMaxWordLetters) + ")";
    return out;
  }
  out.word = std::move(word);
  return out;
}

std::int64_t max_decode_steps(std::int64_t letters) { return 2 * letters + 8; }

// ---- The dictionary -------------------------------------------------------------------------------

namespace {

std::string shorten(std::string_view line) {
  constexpr std::size_t kShown = 60;
  return line.size() <= kShown ? std::string(line) : std::string(line.substr(0, kShown)) + "...";
}

}  // namespace

std::vector<Pronunciation> parse_pronunciations(std::string_view text, const std::string& source) {
  std::vector<Pronunciation> entries;
  std::unordered_set<std::string> seen;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const auto fail = [&](const std::string& problem) {
      throw std::runtime_error(source + ":" + std::to_string(line_number) + ": " + problem + " in '" + shorten(line) +
                               "' (expected 'word<TAB>PH1 PH2 ...')");
    };
    const std::size_t tab = line.find('\t');
    if (tab == std::string_view::npos) fail("no tab");
    const std::string_view word = line.substr(0, tab);
    if (word.empty()) fail("empty word");
    for (char c : word) {
      if (c < 'a' || c > 'z') fail("the word is not lower-case letters a-z");
    }
    Pronunciation entry;
    entry.word = std::string(word);
    std::string_view rest = line.substr(tab + 1);
    while (!rest.empty()) {
      const std::size_t space = rest.find(' ');
      const std::string_view token = rest.substr(0, space);
      if (!token.empty()) {
        const std::int64_t id = phoneme_id(token);
        if (id < 0) fail("unknown phoneme '" + shorten(token) + "'");
        entry.phonemes.push_back(id);
      }
      if (space == std::string_view::npos) break;
      rest.remove_prefix(space + 1);
    }
    if (entry.phonemes.empty()) fail("no phonemes");
    if (!seen.insert(entry.word).second) fail("the word '" + entry.word + "' appears twice");
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) throw std::runtime_error(source + ": no pronunciations in the file");
  return entries;
}

std::string read_maybe_gzipped(const std::filesystem::path& path) {
  const std::string name = "'" + path.string() + "'";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw std::runtime_error("cannot read " + name + ": not a file");
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) throw std::runtime_error("cannot open " + name);
  std::string text;
  std::vector<char> buffer(1 << 16);
  for (;;) {
    const int n = gzread(file, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n > 0) text.append(buffer.data(), static_cast<std::size_t>(n));
    int code = Z_OK;
    const char* message = gzerror(file, &code);
    if (n < 0 || (code != Z_OK && code != Z_STREAM_END)) {
      const std::string why = message != nullptr && *message != '\0' ? message : "read error";
      gzclose(file);
      throw std::runtime_error("cannot read " + name + ": damaged gzip data (" + why + ")");
    }
    if (n == 0) break;
  }
  gzclose(file);
  return text;
}

std::vector<Pronunciation> load_pronunciations(const std::filesystem::path& path) {
  return parse_pronunciations(read_maybe_gzipped(path), path.string());
}

std::string shown_data_file(const std::filesystem::path& path) {
  const std::filesystem::path shipped = std::filesystem::path(BOOK_DEFAULT_DATA_DIR).lexically_normal();
  const std::filesystem::path inside = path.lexically_normal().lexically_relative(shipped);
  if (inside.empty() || *inside.begin() == "..") return path.string();
  return (std::filesystem::path("assets/data") / inside).string();
}

// ---- The split --------------------------------------------------------------------------------------

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

SplitPart split_part(std::string_view word) {
  const std::uint64_t bucket = fnv1a64(word) % 100;
  if (bucket < 90) return SplitPart::kTrain;
  if (bucket < 95) return SplitPart::kValidation;
  return SplitPart::kTest;
}

G2PSplit split_pronunciations(const std::vector<Pronunciation>& entries) {
  G2PSplit split;
  for (const auto& e : entries) {
    switch (split_part(e.word)) {
      case SplitPart::kTrain: split.train.push_back(e); break;
      case SplitPart::kValidation: split.validation.push_back(e); break;
      case SplitPart::kTest: split.test.push_back(e); break;
    }
  }
  const auto by_hash = [](const Pronunciation& a, const Pronunciation& b) {
    const std::uint64_t ha = fnv1a64(a.word);
    const std::uint64_t hb = fnv1a64(b.word);
    return ha != hb ? ha < hb : a.word < b.word;
  };
  std::sort(split.train.begin(), split.train.end(), by_hash);
  std::sort(split.validation.begin(), split.validation.end(), by_hash);
  std::sort(split.test.begin(), split.test.end(), by_hash);
  return split;
}

std::vector<Pronunciation> take_first(const std::vector<Pronunciation>& part, std::size_t n) {
  if (n == 0 || n >= part.size()) return part;
  return {part.begin(), part.begin() + static_cast<long>(n)};
}

// ---- Error rates --------------------------------------------------------------------------------------

// [edit_distance]
std::size_t edit_distance(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  // One row of the dynamic-programming table: row[j] = distance between a[0..i) and b[0..j).
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;  // j insertions
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];  // distance(a[0..i-1), b[0..j-1))
    row[0] = i;                     // i deletions
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
      diagonal = above;
    }
  }
  return row[b.size()];
}
// [edit_distance]

void ErrorRates::add(const std::vector<std::int64_t>& predicted, const std::vector<std::int64_t>& reference) {
  const std::size_t errors = edit_distance(predicted, reference);
  ++words_;
  if (errors != 0) ++wrong_words_;
  phonemes_ += static_cast<std::int64_t>(reference.size());
  phoneme_errors_ += static_cast<std::int64_t>(errors);
}

double ErrorRates::per() const {
  return phonemes_ == 0 ? 0.0 : 100.0 * static_cast<double>(phoneme_errors_) / static_cast<double>(phonemes_);
}

double ErrorRates::wer() const {
  return words_ == 0 ? 0.0 : 100.0 * static_cast<double>(wrong_words_) / static_cast<double>(words_);
}

namespace {

// Letter edit distance, or `limit` as soon as it is certain to be at least `limit` (every entry of a
// row of the table has reached it). Words have at most kMaxWordLetters letters.
std::size_t bounded_letter_distance(std::string_view a, std::string_view b, std::size_t limit) {
  std::array<std::size_t, kMaxWordLetters + 1> row{};
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t smallest = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
      smallest = std::min(smallest, row[j]);
    }
    if (smallest >= limit) return limit;
  }
  return std::min(row[b.size()], limit);
}

}  // namespace

ErrorRates nearest_word_baseline(const std::vector<Pronunciation>& train,
                                 const std::vector<Pronunciation>& test) {
  ErrorRates rates;
  for (const Pronunciation& word : test) {
    std::size_t best = kMaxWordLetters + 1;
    const Pronunciation* nearest = nullptr;
    for (const Pronunciation& candidate : train) {
      const std::size_t a = word.word.size();
      const std::size_t b = candidate.word.size();
      if ((a > b ? a - b : b - a) >= best) continue;  // the length difference alone is too much
      const std::size_t d = bounded_letter_distance(word.word, candidate.word, best);
      if (d < best) {
        best = d;
        nearest = &candidate;
      }
    }
    rates.add(nearest != nullptr ? nearest->phonemes : std::vector<std::int64_t>{}, word.phonemes);
  }
  return rates;
}

// ---- Teacher-forcing schedules -------------------------------------------------------------------

const std::vector<std::string>& tf_schedule_names() {
  static const std::vector<std::string> names = {"always", "linear", "inverse_sigmoid", "exponential", "never"};
  return names;
}

TfSchedule parse_tf_schedule(const std::string& name) {
  const auto& names = tf_schedule_names();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return static_cast<TfSchedule>(i);
  }
  throw std::invalid_argument("unknown teacher-forcing schedule '" + name +
                              "'; choose always, linear, inverse_sigmoid, exponential or never");
}

const std::string& tf_schedule_name(TfSchedule schedule) {
  return tf_schedule_names().at(static_cast<std::size_t>(schedule));
}

// [schedules]
double teacher_forcing_ratio(TfSchedule schedule, double progress, double end) {
  const double x = std::clamp(progress, 0.0, 1.0);
  switch (schedule) {
    case TfSchedule::kAlways:
      return 1.0;
    case TfSchedule::kNever:
      return 0.0;
    case TfSchedule::kLinear:
      return 1.0 - (1.0 - end) * x;
    case TfSchedule::kExponential:
      return std::pow(end, x);
    case TfSchedule::kInverseSigmoid: {
      const double k = (1.0 - end) / end;
      return k / (k + std::exp(2.0 * std::log(k) * x));
    }
  }
  return 1.0;
}
// [schedules]

}  // namespace ch06
