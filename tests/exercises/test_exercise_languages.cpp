// The exercise checker speaks English and Chinese (--lang zh, or BOOK_LANG=zh): every message,
// exercise, hint and diagnosis exists in both languages, the Chinese follows the book's rules
// (its terms, Chinese punctuation, spacing), and a wrong version's verdict names its mistake in
// Chinese when asked.
#include "exercises/checker/checks.h"
#include "exercises/checker/messages.h"
#include "process.h"
#include "test_paths.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

using book::test::run_process;
using ex::check::Msg;
using ex::check::Text;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot read " << path.string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::u32string decode(const std::string& text) {
  std::u32string out;
  for (std::size_t k = 0; k < text.size();) {
    const auto byte = static_cast<unsigned char>(text[k]);
    const std::size_t length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
    char32_t code = length == 1 ? byte : byte & (0x3F >> (length - 1));
    for (std::size_t j = 1; j < length && k + j < text.size(); ++j)
      code = (code << 6) | (text[k + j] & 0x3F);
    out.push_back(code);
    k += length;
  }
  return out;
}

bool is_ideograph(char32_t c) {
  return c >= 0x3400 && c <= 0x9FFF;
}
bool is_chinese_mark(char32_t c) {
  return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFFEF);
}
bool is_chinese(char32_t c) {
  return is_ideograph(c) || is_chinese_mark(c);
}
bool is_latin(char32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '{' ||
         c == '}' || c == '[' || c == ']';
}

// The variants docs/terms.tsv says a Chinese text must not use (its third column).
std::vector<std::string> avoided_terms() {
  std::vector<std::string> avoid;
  std::istringstream lines(
      read_file(std::filesystem::path(BOOK_TEST_SOURCE_DIR) / "docs/terms.tsv"));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream row(line);
    for (std::string col; std::getline(row, col, '\t');) cols.push_back(col);
    if (cols.size() < 3 || cols[2] == "-") continue;
    std::stringstream variants(cols[2]);
    for (std::string v; std::getline(variants, v, ',');) {
      if (!v.empty()) avoid.push_back(v);
    }
  }
  return avoid;
}

// The placeholders of a format string, numbered: "{} {:.1e}" -> {0}, {1:.1e}.
std::multiset<std::string> placeholders(const std::string& text) {
  static const std::regex slot(R"(\{(\d*)(:[^}]*)?\})");
  std::multiset<std::string> found;
  int next = 0;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), slot); it != std::sregex_iterator();
       ++it) {
    const std::string index = (*it)[1].length() > 0 ? (*it)[1].str() : std::to_string(next++);
    found.insert("{" + index + (*it)[2].str() + "}");
  }
  return found;
}

// What is wrong with one text in two languages, in words ("" if nothing).
std::string problem_of(const Text& t, const std::vector<std::string>& avoid) {
  if (t.en.empty()) return "no English";
  if (t.zh.empty()) return "no Chinese";
  const std::u32string en = decode(t.en), zh = decode(t.zh);
  if (std::any_of(en.begin(), en.end(), is_chinese)) return "the English has Chinese in it";
  if (std::none_of(zh.begin(), zh.end(), is_ideograph)) return "the Chinese is not Chinese";
  if (placeholders(t.en) != placeholders(t.zh)) return "the two languages name different values";
  for (std::size_t k = 0; k + 1 < zh.size(); ++k) {
    const char32_t a = zh[k], b = zh[k + 1];
    if (is_ideograph(a) && std::u32string(U",.;:?!()").find(b) != std::u32string::npos) {
      return "ASCII punctuation after a Chinese character: use ，。；：？！（）";
    }
    if (a == U')' && is_ideograph(b)) return "an ASCII parenthesis next to Chinese: use （）";
    if ((is_ideograph(a) && is_latin(b)) || (is_latin(a) && is_ideograph(b))) {
      return "no space between Chinese and a Latin letter or digit";
    }
    // A space next to Chinese punctuation (not the indentation at the start of a line).
    const bool indentation = a == U' ' && (k == 0 || zh[k - 1] == U' ' || zh[k - 1] == U'\n');
    if ((a == U' ' && is_chinese_mark(b) && !indentation) || (is_chinese_mark(a) && b == U' ')) {
      return "a space next to Chinese punctuation";
    }
  }
  for (const auto& variant : avoid) {
    if (t.zh.find(variant) != std::string::npos)
      return "'" + variant + "' (docs/terms.tsv says to avoid it)";
  }
  return "";
}

// Checks one text in both languages; `what` says which text it is.
void check_both_languages(const std::string& what, const Text& t,
                          const std::vector<std::string>& avoid) {
  const std::string problem = problem_of(t, avoid);
  CHECK_MESSAGE(problem.empty(),
                what << ": " << problem << "\n  en: " << t.en << "\n  zh: " << t.zh);
}

// The messages of scripts/exercises.sh: en[id]="..." and zh[id]="..." (one line or a block).
std::map<std::string, Text> script_messages() {
  const std::string script =
      read_file(std::filesystem::path(BOOK_TEST_SOURCE_DIR) / "scripts/exercises.sh");
  static const std::regex entry(R"(\n(en|zh)\[([a-z_]+)\]=\"([^\"]*)\")");
  std::map<std::string, Text> found;
  for (auto it = std::sregex_iterator(script.begin(), script.end(), entry);
       it != std::sregex_iterator(); ++it) {
    Text& t = found[(*it)[2].str()];
    ((*it)[1].str() == "en" ? t.en : t.zh) = (*it)[3].str();
  }
  return found;
}

// `text` without any white space (a line may wrap anywhere in Chinese).
std::string squeezed(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n') out += c;
  }
  return out;
}

// The fixed parts of a diagnosis (between its {} placeholders), without white space.
std::vector<std::string> fixed_parts(const std::string& diagnosis) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto at = diagnosis.find("{}", start);
    const std::string part =
        squeezed(diagnosis.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (!part.empty()) parts.push_back(part);
    if (at == std::string::npos) return parts;
    start = at + 2;
  }
}

// One wrong version: its program, its exercise and its mistake.
struct WrongVersion {
  std::string program, exercise, mistake;
};

std::vector<WrongVersion> wrong_versions() {
  std::vector<WrongVersion> found;
  const auto dir = std::filesystem::path(BOOK_TEST_BIN_DIR) / "exercise_wrong_versions";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string stem = entry.path().filename().string();  // ch06_exercise_wrong_<ex>__<m>
    const auto cut = stem.find("__");
    const std::string prefix = "ch06_exercise_wrong_";
    if (stem.rfind(prefix, 0) != 0 || cut == std::string::npos) continue;
    found.push_back({entry.path().string(), stem.substr(prefix.size(), cut - prefix.size()),
                     stem.substr(cut + 2)});
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.program < b.program; });
  return found;
}

const ex::check::Exercise& exercise_named(const std::string& name) {
  const auto& all = ex::check::exercises();
  const auto it =
      std::find_if(all.begin(), all.end(), [&](const auto& e) { return e.name == name; });
  REQUIRE_MESSAGE(it != all.end(), "no exercise " << name);
  return *it;
}

}  // namespace

TEST_CASE("every message of the checker is in English and in Chinese, by the book's rules") {
  const auto avoid = avoided_terms();
  REQUIRE(!avoid.empty());
  std::map<int, int> rows;
  for (const auto& m : ex::check::messages()) {
    ++rows[static_cast<int>(m.id)];
    check_both_languages("message " + std::to_string(static_cast<int>(m.id)), m.text, avoid);
  }
  for (int id = 0; id < static_cast<int>(Msg::kCount); ++id) {
    CHECK_MESSAGE(rows[id] == 1,
                  "message " << id << " has " << rows[id] << " rows in messages.cpp");
  }
}

TEST_CASE("every exercise, its hint and each mistake it recognises are in English and in Chinese") {
  const auto avoid = avoided_terms();
  for (const auto& e : ex::check::exercises()) {
    check_both_languages(e.name + ": page", e.page, avoid);
    check_both_languages(e.name + ": section", e.section, avoid);
    check_both_languages(e.name + ": reference", e.reference, avoid);
    check_both_languages(e.name + ": hint", e.hint, avoid);
    CHECK_MESSAGE(!e.mistakes.empty(), e.name << " recognises no mistake");
    std::set<std::pair<std::string, std::string>> seen;
    for (const auto& m : e.mistakes) {
      check_both_languages(e.name + " [" + m.id + "] " + m.variant, m.diagnosis, avoid);
      CHECK_MESSAGE(seen.insert({m.id, m.variant}).second, e.name << " [" << m.id << "] twice");
    }
  }
}

TEST_CASE("every message of scripts/exercises.sh is in English and in Chinese") {
  const auto avoid = avoided_terms();
  const auto messages = script_messages();
  CHECK(messages.count("usage") == 1);
  for (const auto& [id, t] : messages)
    check_both_languages("scripts/exercises.sh: " + id, t, avoid);
}

TEST_CASE("the language rules find what they must") {
  const std::vector<std::string> avoid = {"隐藏状态"};
  const std::vector<std::pair<Text, std::string>> planted = {
      {{"the state", ""}, "no Chinese"},
      {{"", "状态"}, "no English"},
      {{"the state", "the state"}, "the Chinese is not Chinese"},
      {{"the 状态", "状态"}, "the English has Chinese in it"},
      {{"{} cases", "用例"}, "the two languages name different values"},
      {{"the state, again", "状态,再一次"},
       "ASCII punctuation after a Chinese character: use ，。；：？！（）"},
      {{"the state (h)", "状态(h)"},
       "ASCII punctuation after a Chinese character: use ，。；：？！（）"},
      {{"the state h", "状态h"}, "no space between Chinese and a Latin letter or digit"},
      {{"step 3", "第3步"}, "no space between Chinese and a Latin letter or digit"},
      {{"the state: h", "状态 ：h"}, "a space next to Chinese punctuation"},
      {{"the hidden state", "隐藏状态"}, "'隐藏状态' (docs/terms.tsv says to avoid it)"},
  };
  for (const auto& [t, expected] : planted) CHECK(problem_of(t, avoid) == expected);
  CHECK(
      problem_of({"the hidden state h_t, step 3 (of {})", "隐状态 h_t，第 3 步（共 {} 步）"}, avoid)
          .empty());
}

TEST_CASE("with --lang zh, each wrong version's verdict names its mistake in Chinese") {
  const auto versions = wrong_versions();
  REQUIRE(!versions.empty());
  ex::check::set_language(ex::check::Lang::kZh);  // the texts this test looks for
  for (const auto& w : versions) {
    const auto run = run_process({w.program, w.exercise, "--lang", "zh"});
    CHECK_MESSAGE(run.exit_code == 1, w.program << " ended with " << run.exit_code << ":\n"
                                                << run.out << run.err);
    const std::string out = squeezed(run.out);
    // The label and the mistake's id, then the Chinese diagnosis of one of its variants.
    CHECK_MESSAGE(
        out.find(squeezed(ex::check::say(Msg::kLooksLikeId, "", w.mistake))) != std::string::npos,
        w.program << ": no Chinese verdict naming [" << w.mistake << "]:\n"
                  << run.out);
    bool named = false;
    for (const auto& m : exercise_named(w.exercise).mistakes) {
      if (m.id != w.mistake) continue;
      const auto parts = fixed_parts(m.diagnosis.zh);
      named = named || std::all_of(parts.begin(), parts.end(), [&](const std::string& p) {
                return out.find(p) != std::string::npos;
              });
    }
    CHECK_MESSAGE(named, w.program << ": the Chinese diagnosis of [" << w.mistake
                                   << "] is not in:\n"
                                   << run.out);
    CHECK_MESSAGE(run.out.find("looks like") == std::string::npos, w.program << ": English in:\n"
                                                                             << run.out);
  }
  ex::check::set_language(ex::check::Lang::kEn);
}

TEST_CASE("BOOK_LANG=zh makes the checker speak Chinese, and --lang wins over it") {
  const auto versions = wrong_versions();
  REQUIRE(!versions.empty());
  const auto& w = versions.front();
  const auto english = run_process({w.program, w.exercise}, "", {{"BOOK_LANG", ""}});
  const auto chinese_flag =
      run_process({w.program, w.exercise, "--lang", "zh"}, "", {{"BOOK_LANG", ""}});
  const auto chinese_env = run_process({w.program, w.exercise}, "", {{"BOOK_LANG", "zh"}});
  const auto english_flag =
      run_process({w.program, w.exercise, "--lang", "en"}, "", {{"BOOK_LANG", "zh"}});
  CHECK(english.out.find("looks like: ") != std::string::npos);
  CHECK(chinese_flag.out != english.out);
  CHECK(chinese_env.out == chinese_flag.out);
  CHECK(english_flag.out == english.out);
  // A language the checker does not speak is a bad command line, from the flag or the variable.
  const auto bad_flag =
      run_process({w.program, w.exercise, "--lang", "fr"}, "", {{"BOOK_LANG", ""}});
  const auto bad_env = run_process({w.program, w.exercise}, "", {{"BOOK_LANG", "fr"}});
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_env.exit_code == 2);
  CHECK((bad_env.out + bad_env.err).find("BOOK_LANG") != std::string::npos);
}
