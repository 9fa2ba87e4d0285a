// book_pages: what the docs build does to the book's Markdown pages, and the checks that keep them
// honest. Torch-free, so it builds in seconds.
//
//   book_pages filter --edition en|zh --facts DIR... --terms FILE PAGE
//       Doxygen's input filter (FILTER_PATTERNS): prints PAGE with every \run{source:key} replaced
//       by the text the run recorded (DIR/source/facts.json; its printed output is DIR/source/source.txt
//       for a run kept in the repository, OUTPUTS/source.txt for a capture of the docs build), \glossary replaced by the glossary
//       table of the edition, and a link to the same page in the other edition under the title.
//   book_pages check --docs DIR --facts DIR... --outputs DIR [--only numbers,notation,parity,stale,terms]
//       numbers:  a number in the prose of a page is a \run{} placeholder whose fact exists and
//                 appears in the run's printed output, or is listed in docs/stated_numbers.tsv;
//       notation: no pattern of docs/notation.tsv in the pages, the diagrams or the exercise contracts;
//       parity:   every English page has a Chinese one and the reverse, with the same label and the
//                 same ordered \snippet/\verbinclude/\include/\image/\subpage/\ref targets, section
//                 labels, display formulas and \run placeholders;
//       stale:    each Chinese page records the hash of the English page it was last brought in
//                 step with (`book_pages sync`), and the English page has not changed since;
//       terms:    no Chinese page uses a variant docs/terms.tsv lists under "avoid".
//   book_pages sync --docs DIR ZH_PAGE...
//       records that each Chinese page is in step with its English page now.
// Exit codes: 0 fine, 1 a check failed (each problem on one line: file:line: what to do), 2 usage.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// ---- Small helpers ---------------------------------------------------------------------------------

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, sep)) parts.push_back(part);
  return parts;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// FNV-1a, 64 bits: enough to notice that a page changed (not a security hash).
std::string fnv1a64(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

struct Problems {
  int count = 0;
  void report(const std::string& where, const std::string& what) {
    std::cout << where << ": " << what << '\n';
    ++count;
  }
};

// Tab-separated data files: '#' starts a comment line; empty lines are skipped.
std::vector<std::vector<std::string>> read_tsv(const fs::path& path, std::size_t min_columns) {
  std::vector<std::vector<std::string>> rows;
  const auto lines = split_lines(read_text(path));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string line = lines[i];
    if (trim(line).empty() || trim(line)[0] == '#') continue;
    auto cells = split(line, '\t');
    for (auto& c : cells) c = trim(c);
    if (cells.size() < min_columns) {
      throw std::runtime_error(path.string() + ":" + std::to_string(i + 1) + ": expected at least " +
                               std::to_string(min_columns) + " tab-separated columns");
    }
    rows.push_back(cells);
  }
  return rows;
}

// ---- The two editions ----------------------------------------------------------------------------

// A page of one edition: docs/pages/x.md and docs/programs/x.md (English), docs/zh/pages/x.md and
// docs/zh/programs/x.md (Chinese).
struct PagePair {
  fs::path english;
  fs::path chinese;
};

const std::vector<std::string> kPageFolders = {"pages", "programs"};

std::vector<fs::path> pages_of(const fs::path& root) {
  std::vector<fs::path> pages;
  for (const auto& folder : kPageFolders) {
    if (!fs::is_directory(root / folder)) continue;
    for (const auto& entry : fs::directory_iterator(root / folder)) {
      if (entry.path().extension() == ".md") pages.push_back(entry.path());
    }
  }
  std::sort(pages.begin(), pages.end());
  return pages;
}

fs::path relative_in(const fs::path& root, const fs::path& page) { return fs::relative(page, root); }

// A page's first line, "# Title {#label}": its title and its label (both empty if it has none).
struct PageHeading {
  std::string title, label;
};

PageHeading page_heading(const std::string& text) {
  static const std::regex heading(R"(^#\s+(.*?)\s*\{#([A-Za-z0-9_]+)\}\s*$)");
  for (const auto& line : split_lines(text)) {
    std::smatch m;
    if (std::regex_match(line, m, heading)) return {m[1], m[2]};
    if (!trim(line).empty()) break;
  }
  return {};
}

std::string page_label(const std::string& text) { return page_heading(text).label; }

// The same page in the other edition: docs/<folder>/x.md <-> docs/zh/<folder>/x.md.
fs::path counterpart(const fs::path& page, const std::string& edition) {
  const fs::path folder = page.parent_path();
  if (edition == "zh") return folder.parent_path().parent_path() / folder.filename() / page.filename();
  return folder.parent_path() / "zh" / folder.filename() / page.filename();
}

std::string html_file_of(const std::string& label) { return label == "mainpage" ? "index.html" : label + ".html"; }

// ---- Prose: what is left of a page once code, formulas, commands and markup are taken out ---------

struct ProseLine {
  std::size_t number;  // 1-based
  std::string text;    // code spans, formulas, commands, links and tags removed
  std::string raw;     // the line as written
};

const std::regex kRunPlaceholder(R"(\\run\{([A-Za-z0-9_./-]+):([a-z0-9_.]+)\})");

// Splits a page into its prose lines. Placeholders become the marker "\u00a7RUN" so that their
// keys are not read as numbers.
std::vector<ProseLine> prose_of(const std::string& text) {
  std::vector<ProseLine> prose;
  const auto lines = split_lines(text);
  bool fence = false, formula = false, htmlonly = false, comment = false;
  std::string fence_mark;
  static const std::vector<std::pair<std::regex, std::string>> strip = {
      {std::regex(R"(`[^`]*`)"), " "},
      {std::regex(R"(\\f\$.*?\\f\$)"), " "},
      {kRunPlaceholder, " \xc2\xa7RUN "},
      {std::regex(R"(\\(snippet|snippetdoc|include|includedoc|verbinclude|dontinclude)\s+\S+(\s+\S+)?)"), " "},
      {std::regex(R"(\\image\s+\S+\s+\S+(\s+"[^"]*")?)"), " "},
      {std::regex(R"(\\(ref|subpage)\s+\S+)"), " "},
      {std::regex(R"(\{#[A-Za-z0-9_]+\})"), " "},
      {std::regex(R"(\]\([^)]*\))"), "] "},
      {std::regex(R"(<[^>]*>)"), " "},
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    const std::string t = trim(line);
    if (comment) {
      if (line.find("-->") != std::string::npos) comment = false;
      continue;
    }
    if (fence) {
      if (starts_with(t, fence_mark)) fence = false;
      continue;
    }
    if (starts_with(t, "```") || starts_with(t, "~~~")) {
      fence = true;
      fence_mark = t.substr(0, 3);
      continue;
    }
    if (formula) {
      if (line.find("\\f]") != std::string::npos || line.find("\\f}") != std::string::npos) formula = false;
      continue;
    }
    if (htmlonly) {
      if (line.find("\\endhtmlonly") != std::string::npos) htmlonly = false;
      continue;
    }
    if (line.find("\\htmlonly") != std::string::npos && line.find("\\endhtmlonly") == std::string::npos) {
      htmlonly = true;
      continue;
    }
    const auto open = line.find("<!--");
    if (open != std::string::npos) {
      const auto close = line.find("-->", open);
      if (close == std::string::npos) {
        comment = true;
        line = line.substr(0, open);
      } else {
        line = line.substr(0, open) + line.substr(close + 3);
      }
    }
    // A display formula that opens on this line and closes on a later one.
    const auto f_open = std::max(line.rfind("\\f["), line.rfind("\\f{"));
    if (f_open != std::string::npos && line.find("\\f]", f_open) == std::string::npos &&
        line.find("\\f}", f_open) == std::string::npos) {
      formula = true;
      line = line.substr(0, f_open);
    }
    line = std::regex_replace(line, std::regex(R"(\\f\[.*?\\f\])"), " ");
    for (const auto& [re, by] : strip) line = std::regex_replace(line, re, by);
    prose.push_back({i + 1, line, lines[i]});
  }
  return prose;
}

// ---- Facts: what a run recorded -------------------------------------------------------------------

struct FactSource {
  std::map<std::string, std::string> facts;
  std::string output;  // the printed output the page shows beside it
  fs::path where;
};

class FactStore {
 public:
  FactStore(std::vector<fs::path> dirs, fs::path outputs) : dirs_(std::move(dirs)), outputs_(std::move(outputs)) {}

  // The source's facts, or nullopt with `why` filled.
  const FactSource* find(const std::string& source, std::string& why) {
    auto it = cache_.find(source);
    if (it != cache_.end()) return it->second ? &*it->second : nullptr;
    std::optional<FactSource> found;
    std::vector<std::string> looked;
    for (const auto& dir : dirs_) {
      const fs::path facts = dir / source / "facts.json";
      looked.push_back(facts.string());
      if (!fs::exists(facts)) continue;
      FactSource s;
      s.where = facts;
      const auto json = nlohmann::json::parse(read_text(facts));
      for (const auto& [key, value] : json.items()) s.facts[key] = value.get<std::string>();
      const fs::path printed = dir / source / (source + ".txt");  // a run kept in the repository
      const fs::path captured = outputs_ / (source + ".txt");
      if (fs::exists(printed)) s.output = read_text(printed);
      else if (!outputs_.empty() && fs::exists(captured)) s.output = read_text(captured);
      found = s;
      break;
    }
    if (!found) {
      std::string list;
      for (const auto& l : looked) list += (list.empty() ? "" : ", ") + l;
      why_[source] = "no facts for '" + source + "' (looked in " + list + ")";
    }
    cache_[source] = found;
    why = why_[source];
    return found ? &*cache_[source] : nullptr;
  }

 private:
  std::vector<fs::path> dirs_;
  fs::path outputs_;
  std::map<std::string, std::optional<FactSource>> cache_;
  std::map<std::string, std::string> why_;
};

// ---- The glossary, from docs/terms.tsv ------------------------------------------------------------

// Columns: English term, Chinese term, variants to avoid (comma-separated, or -), English line,
// Chinese line.
std::string glossary_table(const fs::path& terms, const std::string& edition) {
  std::ostringstream out;
  if (edition == "zh") {
    out << "| 中文 | English | 一句话说明 |\n|---|---|---|\n";
  } else {
    out << "| English | 中文 | in one line |\n|---|---|---|\n";
  }
  for (const auto& row : read_tsv(terms, 5)) {
    if (edition == "zh") out << "| " << row[1] << " | " << row[0] << " | " << row[4] << " |\n";
    else out << "| " << row[0] << " | " << row[1] << " | " << row[3] << " |\n";
  }
  return out.str();
}

// ---- filter --------------------------------------------------------------------------------------

// Where each label of an edition lives: label -> the HTML file of its page (a page's own label, or a
// section label {#...} inside it).
std::map<std::string, std::string> labels_of(const fs::path& root) {
  static const std::regex section(R"(\{#([A-Za-z0-9_]+)\})");
  std::map<std::string, std::string> where;
  for (const auto& page : pages_of(root)) {
    const std::string text = read_text(page);
    const std::string label = page_label(text);
    if (label.empty()) continue;
    for (auto it = std::sregex_iterator(text.begin(), text.end(), section); it != std::sregex_iterator(); ++it) {
      where[(*it)[1]] = html_file_of(label);
    }
  }
  return where;
}

// In the Chinese edition, while a page is not yet translated, a \ref or \subpage to it becomes a
// link to the English page (the parity test still fails until every page has its twin).
std::string link_untranslated(const std::string& line, const std::map<std::string, std::string>& zh,
                              const std::map<std::string, std::string>& en) {
  static const std::regex ref(R"re(\\(ref|subpage)\s+([A-Za-z0-9_]+)(\s+"([^"]*)")?)re");
  std::string result;
  auto begin = line.cbegin();
  std::smatch m;
  while (std::regex_search(begin, line.cend(), m, ref)) {
    result += std::string(begin, m[0].first);
    const std::string label = m[2];
    const auto english = en.find(label);
    if (zh.count(label) || english == en.end()) {
      result += m[0].str();
    } else {
      const std::string file = english->second;
      const bool page = file == html_file_of(label);
      const std::string text = m[4].matched ? m[4].str() : label;
      result += "<a href=\"../" + file + (page ? "" : "#" + label) + "\">" + text + "</a>";
    }
    begin = m[0].second;
  }
  return result + std::string(begin, line.cend());
}

// A line break inside a paragraph becomes a space in HTML, which Chinese text does not have between
// two characters: in the Chinese edition a line that ends in a Chinese character (or full-width
// punctuation) and a next line that starts with one are joined. Code, formulas, tables and
// headings are left alone; a break next to Latin text stays a space, as the spacing rule wants.
std::vector<std::string> join_chinese_lines(const std::vector<std::string>& lines) {
  std::vector<std::string> joined;
  bool fence = false, formula = false;
  auto wide = [](unsigned char c) { return c >= 0x80; };
  for (const auto& line : lines) {
    const std::string t = trim(line);
    const bool marker = starts_with(t, "```") || starts_with(t, "~~~");
    const bool prose = !fence && !formula && !marker && !t.empty() && t[0] != '|' && t[0] != '#' &&
                       t[0] != '\\';
    if (prose && !joined.empty()) {
      const std::string prev = trim(joined.back());
      if (!prev.empty() && prev[0] != '|' && prev[0] != '#' && wide(prev.back()) && wide(t[0])) {
        joined.back() = joined.back().substr(0, joined.back().find_last_not_of(" \t") + 1) + t;
        continue;
      }
    }
    if (marker) fence = !fence;
    if (!fence && line.find("\\f[") != std::string::npos && line.find("\\f]") == std::string::npos) formula = true;
    else if (formula && line.find("\\f]") != std::string::npos) formula = false;
    joined.push_back(line);
  }
  return joined;
}

int filter(const std::string& edition, const std::vector<fs::path>& fact_dirs, const fs::path& terms,
           const fs::path& page) {
  const std::string text = read_text(page);
  FactStore store(fact_dirs, {});
  std::ostringstream out;
  const auto lines = edition == "zh" ? join_chinese_lines(split_lines(text)) : split_lines(text);
  const std::string label = page_label(text);
  int failures = 0;
  std::map<std::string, std::string> zh_labels, en_labels;
  if (edition == "zh") {
    const fs::path zh_root = page.parent_path().parent_path();  // docs/zh
    zh_labels = labels_of(zh_root);
    en_labels = labels_of(zh_root.parent_path());
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line = lines[i];
    if (edition == "zh") line = link_untranslated(line, zh_labels, en_labels);
    if (trim(line) == "\\glossary") {
      out << glossary_table(terms, edition);
      continue;
    }
    std::string result;
    auto begin = line.cbegin();
    std::smatch m;
    while (std::regex_search(begin, line.cend(), m, kRunPlaceholder)) {
      result += std::string(begin, m[0].first);
      std::string why;
      const FactSource* source = store.find(m[1], why);
      const auto fact = source ? source->facts.find(m[2]) : std::map<std::string, std::string>::const_iterator{};
      if (source && fact != source->facts.end()) {
        result += fact->second;
      } else {
        // Left as it is: Doxygen then warns about the unknown command \run, and a warning fails the build.
        std::cerr << page.string() << ":" << i + 1 << ": "
                  << (source ? "no fact '" + std::string(m[2]) + "' in " + source->where.string() : why) << '\n';
        result += m[0].str();
        ++failures;
      }
      begin = m[0].second;
    }
    result += std::string(begin, line.cend());
    // Doxygen reads "%" before a word as "do not link this word" and drops it; a Chinese
    // character counts as a word, so "50%，" would lose its "%". Escaped, it stays.
    static const std::regex percent(R"re((^|[^\\])%(?=[^\x00-\x7F]))re");
    result = std::regex_replace(result, percent, "$1\\%");
    out << result << '\n';
    // Under the title: the same page in the other edition, once the other edition has it.
    if (i == 0 && !label.empty() && fs::exists(counterpart(page, edition))) {
      const std::string href = (edition == "zh" ? "../" : "zh/") + html_file_of(label);
      const std::string name = edition == "zh" ? "English" : "中文";
      out << "\\htmlonly<a class=\"book-lang\" href=\"" << href << "\" hreflang=\""
          << (edition == "zh" ? "en" : "zh-CN") << "\">" << name << "</a>\\endhtmlonly\n";
    }
  }
  std::cout << out.str();
  return failures == 0 ? 0 : 1;
}

// ---- check: numbers ------------------------------------------------------------------------------

// A number a reader would take for a measurement: a decimal with two or more significant digits, or
// any number followed by a unit (%, ×, x, times, s, ms, seconds, minutes, points, 倍, 秒, 分钟, 个百分点).
struct NumberHit {
  std::string token;   // the number as written
  std::string number;  // the digits alone (the key in stated_numbers.tsv)
};

int significant_digits(const std::string& number) {
  std::string digits;
  for (char c : number) {
    if (c >= '0' && c <= '9') digits += c;
  }
  const auto b = digits.find_first_not_of('0');
  if (b == std::string::npos) return 0;
  digits = digits.substr(b);
  if (number.find('.') != std::string::npos) {
    const auto e = digits.find_last_not_of('0');
    digits = digits.substr(0, e + 1);
  }
  return static_cast<int>(digits.size());
}

std::vector<NumberHit> measured_looking_numbers(const std::string& prose) {
  static const std::regex number(R"((\d+(?:,\d{3})*(?:\.\d+)?)(\s?(?:%|×|x\b|times\b|s\b|ms\b|seconds?\b|minutes?\b|min\b|points?\b|倍|秒|分钟|个百分点))?)");
  static const std::regex version_word(R"((LibTorch|PyTorch|Eigen|Doxygen|CMake|GCC|Debian|Python|MathJax|Chromium|OpenBLAS|CLI11|spdlog|fmt|version|versions|版本)\s*$)");
  std::vector<NumberHit> hits;
  auto begin = prose.cbegin();
  std::smatch m;
  while (std::regex_search(begin, prose.cend(), m, number)) {
    const auto start = m[0].first;
    const bool glued = start != prose.cbegin() && (std::isalnum(static_cast<unsigned char>(*(start - 1))) ||
                                                   *(start - 1) == '_' || *(start - 1) == '.' || *(start - 1) == '-' ||
                                                   *(start - 1) == '^' || *(start - 1) == '{');
    const std::string before(prose.cbegin(), start);
    const std::string digits = m[1];
    // "28 × 64" is a size, not a ratio: a × followed by another number is not a unit.
    const bool times_size = m[2].matched && m[2].str().find("×") != std::string::npos &&
                            std::regex_search(m[0].second, prose.cend(), std::regex(R"(^\s*[0-9A-Za-z\\])"));
    const bool has_unit = m[2].matched && !times_size;
    const bool decimal = digits.find('.') != std::string::npos;
    const bool version = std::regex_search(before, version_word);
    if (!glued && !version && (has_unit || (decimal && significant_digits(digits) >= 2))) {
      hits.push_back({trim(m[0]), digits});
    }
    begin = m[0].second;
  }
  return hits;
}

std::string without_spaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  return s;
}

// docs/stated_numbers.tsv: label, number (or * for the whole page), what it is.
std::map<std::string, std::set<std::string>> read_stated(const fs::path& path) {
  std::map<std::string, std::set<std::string>> stated;
  // "50 %" and "50%" are the same number: the editions space units differently.
  for (const auto& row : read_tsv(path, 3)) stated[row[0]].insert(without_spaces(row[1]));
  return stated;
}

void check_numbers(const fs::path& docs, const std::vector<fs::path>& pages, FactStore& store, Problems& problems) {
  const auto stated = read_stated(docs / "stated_numbers.tsv");
  for (const auto& page : pages) {
    const std::string text = read_text(page);
    const std::string label = page_label(text);
    const auto it = stated.find(label);
    const std::set<std::string> none;
    const std::set<std::string>& allowed = it == stated.end() ? none : it->second;
    const std::string where = fs::relative(page, docs.parent_path()).string();
    // Every placeholder names a recorded fact that the run printed.
    const auto lines = split_lines(text);
    for (std::size_t i = 0; i < lines.size(); ++i) {
      auto begin = lines[i].cbegin();
      std::smatch m;
      while (std::regex_search(begin, lines[i].cend(), m, kRunPlaceholder)) {
        std::string why;
        const FactSource* source = store.find(m[1], why);
        const std::string at = where + ":" + std::to_string(i + 1);
        if (!source) {
          problems.report(at, why);
        } else if (const auto fact = source->facts.find(m[2]); fact == source->facts.end()) {
          problems.report(at, "\\run{" + m[1].str() + ":" + m[2].str() + "}: the run recorded no fact '" +
                                  m[2].str() + "' (" + source->where.string() + ")");
        } else if (source->output.find(fact->second) == std::string::npos) {
          problems.report(at, "\\run{" + m[1].str() + ":" + m[2].str() + "} = '" + fact->second +
                                  "', which the run's printed output does not show");
        }
        begin = m[0].second;
      }
    }
    if (allowed.count("*")) continue;  // a dated record (the measurements appendix)
    for (const auto& line : prose_of(text)) {
      for (const auto& hit : measured_looking_numbers(line.text)) {
        if (allowed.count(hit.number) || allowed.count(without_spaces(hit.token))) continue;
        problems.report(where + ":" + std::to_string(line.number),
                        "'" + hit.token + "' is typed by hand: show it with \\run{<capture>:<key>} from the run, "
                        "or list it in docs/stated_numbers.tsv under " + (label.empty() ? "the page's label" : label) +
                        " with what it is");
      }
    }
  }
}

// ---- check: notation -----------------------------------------------------------------------------

// docs/notation.tsv: an ECMAScript regular expression, what to write instead.
void check_notation(const fs::path& docs, const std::vector<fs::path>& files, Problems& problems) {
  std::vector<std::pair<std::regex, std::string>> rules;
  for (const auto& row : read_tsv(docs / "notation.tsv", 2)) rules.emplace_back(std::regex(row[0]), row[1]);
  for (const auto& file : files) {
    const auto lines = split_lines(read_text(file));
    for (std::size_t i = 0; i < lines.size(); ++i) {
      for (const auto& [re, instead] : rules) {
        std::smatch m;
        if (std::regex_search(lines[i], m, re)) {
          problems.report(file.lexically_proximate(docs.parent_path()).string() + ":" + std::to_string(i + 1),
                          "'" + m[0].str() + "': " + instead);
        }
      }
    }
  }
}

// ---- check: parity and staleness ------------------------------------------------------------------

// What must be the same in both editions, in order: quoted code and output, figures, links, section
// labels, display formulas and the run's numbers.
std::vector<std::string> structure_of(const std::string& text) {
  static const std::regex item(
      R"(\\(snippet|snippetdoc|include|includedoc|verbinclude|dontinclude)\s+(\S+)(\s+([A-Za-z0-9_\[\]]+))?|\\image\s+(\S+)\s+(\S+)|\\(subpage|ref)\s+([A-Za-z0-9_]+)|\{#([A-Za-z0-9_]+)\}|\\f\[|\\f\{|\\glossary\b|\\run\{([^}]*)\})");
  std::vector<std::string> items;
  bool fence = false;
  for (const auto& line : split_lines(text)) {
    const std::string t = trim(line);
    if (starts_with(t, "```") || starts_with(t, "~~~")) {
      fence = !fence;
      continue;
    }
    if (fence) continue;
    auto begin = line.cbegin();
    std::smatch m;
    while (std::regex_search(begin, line.cend(), m, item)) {
      if (m[1].matched) items.push_back("\\" + m[1].str() + " " + m[2].str() + (m[4].matched ? " " + m[4].str() : ""));
      else if (m[5].matched) items.push_back("\\image " + m[5].str() + " " + m[6].str());
      else if (m[7].matched) items.push_back("\\" + m[7].str() + " " + m[8].str());
      else if (m[9].matched) items.push_back("{#" + m[9].str() + "}");
      else if (m[10].matched) items.push_back("\\run{" + m[10].str() + "}");
      else if (m[0].str() == "\\glossary") items.push_back("\\glossary");
      else items.push_back("display formula");
      begin = m[0].second;
    }
  }
  return items;
}

const std::regex kSyncLine(R"(<!-- in step with (\S+): fnv1a64 ([0-9a-f]{16}) -->)");

void check_parity(const fs::path& docs, Problems& problems) {
  const fs::path zh = docs / "zh";
  std::set<std::string> english, chinese;
  for (const auto& p : pages_of(docs)) english.insert(relative_in(docs, p).string());
  for (const auto& p : pages_of(zh)) chinese.insert(relative_in(zh, p).string());
  for (const auto& e : english) {
    if (!chinese.count(e)) problems.report("docs/zh/" + e, "missing: the Chinese edition has no page for docs/" + e);
  }
  for (const auto& c : chinese) {
    if (!english.count(c)) problems.report("docs/zh/" + c, "has no English page docs/" + c);
  }
  for (const auto& e : english) {
    if (!chinese.count(e)) continue;
    const std::string en_text = read_text(docs / e), zh_text = read_text(zh / e);
    const std::string en_label = page_label(en_text), zh_label = page_label(zh_text);
    if (en_label != zh_label) {
      problems.report("docs/zh/" + e, "label {#" + zh_label + "}, the English page's is {#" + en_label + "}");
      continue;
    }
    const auto a = structure_of(en_text), b = structure_of(zh_text);
    const std::size_t n = std::min(a.size(), b.size());
    std::size_t k = 0;
    while (k < n && a[k] == b[k]) ++k;
    if (k < n) {
      problems.report("docs/zh/" + e, "item " + std::to_string(k + 1) + " differs: English has '" + a[k] +
                                          "', Chinese has '" + b[k] + "'");
    } else if (a.size() != b.size()) {
      const bool longer = a.size() > b.size();
      problems.report("docs/zh/" + e, std::string(longer ? "the English page has more: '" : "the Chinese page has more: '") +
                                          (longer ? a[k] : b[k]) + "' (item " + std::to_string(k + 1) + ") is missing in the " +
                                          (longer ? "Chinese" : "English") + " page");
    }
  }
}

void check_stale(const fs::path& docs, Problems& problems) {
  const fs::path zh = docs / "zh";
  for (const auto& page : pages_of(zh)) {
    const std::string rel = relative_in(zh, page).string();
    const fs::path english = docs / rel;
    if (!fs::exists(english)) continue;  // parity reports it
    const std::string text = read_text(page);
    std::smatch m;
    const std::string now = fnv1a64(read_text(english));
    if (!std::regex_search(text, m, kSyncLine)) {
      problems.report("docs/zh/" + rel, "records no English version; bring it in step, then run: "
                                        "book_pages sync --docs docs docs/zh/" + rel);
    } else if (m[2] != now) {
      problems.report("docs/zh/" + rel, "stale: docs/" + rel + " changed since this page was brought in step (" +
                                            m[2].str() + " -> " + now + "); update the Chinese page, then run "
                                            "book_pages sync --docs docs docs/zh/" + rel);
    }
  }
}

int sync(const fs::path& docs, const std::vector<fs::path>& pages) {
  for (const auto& page : pages) {
    const fs::path rel = fs::relative(fs::absolute(page), fs::absolute(docs / "zh"));
    const fs::path english = docs / rel;
    if (starts_with(rel.string(), "..") || !fs::exists(english)) {
      std::cerr << "book_pages: " << page.string() << " is not a Chinese page with an English one\n";
      return 1;
    }
    const std::string line = "<!-- in step with docs/" + rel.generic_string() + ": fnv1a64 " +
                             fnv1a64(read_text(english)) + " -->";
    std::string text = read_text(page);
    if (std::regex_search(text, kSyncLine)) {
      text = std::regex_replace(text, kSyncLine, line);
    } else {
      if (!text.empty() && text.back() != '\n') text += '\n';
      text += "\n" + line + "\n";
    }
    std::ofstream(page, std::ios::binary) << text;
    std::cout << page.string() << ": in step with docs/" << rel.generic_string() << '\n';
  }
  return 0;
}

// ---- check: terms --------------------------------------------------------------------------------

void check_terms(const fs::path& docs, Problems& problems) {
  std::vector<std::pair<std::string, std::string>> avoid;  // variant, term to use
  for (const auto& row : read_tsv(docs / "terms.tsv", 5)) {
    if (row[2] == "-") continue;
    for (const auto& v : split(row[2], ',')) {
      if (!trim(v).empty()) avoid.emplace_back(trim(v), row[1]);
    }
  }
  for (const auto& page : pages_of(docs / "zh")) {
    for (const auto& line : prose_of(read_text(page))) {
      for (const auto& [variant, term] : avoid) {
        if (line.raw.find(variant) != std::string::npos) {
          problems.report(fs::relative(page, docs.parent_path()).string() + ":" + std::to_string(line.number),
                          "'" + variant + "': the book's term is '" + term + "' (docs/terms.tsv)");
        }
      }
    }
  }
}

// ---- layout: the side tree of an edition, for Doxygen 1.9.4 -----------------------------------------

// Doxygen 1.9.4 (Debian 12) leaves the pages out of the side tree when the main page's title is not
// byte-for-byte the project name as it compares them, which a Chinese title never is (1.9.8 does not
// have the bug). For that Doxygen the Chinese edition gets a layout whose tree lists the pages
// itself, in the order of the \subpage lines, starting from the start page.
std::string xml_escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

std::string page_title(const std::string& text) { return page_heading(text).title; }

void layout_entries(const std::map<std::string, fs::path>& pages, const std::string& label, int depth,
                    std::set<std::string>& seen, std::ostringstream& out) {
  static const std::regex subpage(R"(\\subpage\s+([A-Za-z0-9_]+))");
  const auto it = pages.find(label);
  if (it == pages.end() || depth > 8) return;
  const std::string text = read_text(it->second);
  for (auto m = std::sregex_iterator(text.begin(), text.end(), subpage); m != std::sregex_iterator(); ++m) {
    const std::string child = (*m)[1];
    const auto c = pages.find(child);
    if (c == pages.end() || !seen.insert(child).second) continue;
    const std::string indent(static_cast<std::size_t>(6 + 2 * depth), ' ');
    const std::string title = xml_escaped(page_title(read_text(c->second)));
    std::ostringstream inner;
    layout_entries(pages, child, depth + 1, seen, inner);
    if (inner.str().empty()) {
      out << indent << "<tab type=\"user\" visible=\"yes\" url=\"@ref " << child << "\" title=\"" << title << "\"/>\n";
    } else {
      out << indent << "<tab type=\"usergroup\" visible=\"yes\" url=\"@ref " << child << "\" title=\"" << title
          << "\">\n" << inner.str() << indent << "</tab>\n";
    }
  }
}

int layout(const fs::path& root, const fs::path& base, const fs::path& target) {
  std::map<std::string, fs::path> pages;
  for (const auto& page : pages_of(root)) {
    const std::string label = page_label(read_text(page));
    if (!label.empty()) pages[label] = page;
  }
  std::set<std::string> seen{"mainpage"};
  std::ostringstream entries;
  layout_entries(pages, "mainpage", 0, seen, entries);
  std::string text = read_text(base);
  const std::string anchor = "<tab type=\"mainpage\" visible=\"yes\" title=\"\"/>";
  const auto at = text.find(anchor);
  if (at == std::string::npos) throw std::runtime_error(base.string() + ": no main page tab in the layout");
  text.insert(at + anchor.size(), "\n" + entries.str());
  std::ofstream(target, std::ios::binary) << text;
  return 0;
}

// ---- main ----------------------------------------------------------------------------------------

int usage(const std::string& why) {
  std::cerr << "book_pages: " << why << "\n"
            << "usage: book_pages filter --edition en|zh --facts DIR... --terms FILE PAGE\n"
            << "       book_pages check --docs DIR --facts DIR... --outputs DIR [--only LIST] [--skip-unless PATH]\n"
            << "                        [--notation-files FILE...]\n"
            << "       book_pages sync --docs DIR ZH_PAGE...\n"
            << "       book_pages layout --docs DIR --edition en|zh BASE_LAYOUT TARGET\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) return usage("no command");
  const std::string command = argv[1];
  std::string edition = "en", only = "numbers,notation,parity,stale,terms";
  fs::path docs, outputs, terms, skip_unless;
  std::vector<fs::path> facts, positional, extra;
  std::vector<fs::path>* list = &positional;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--edition") edition = value(), list = &positional;
    else if (a == "--docs") docs = fs::absolute(value()).lexically_normal(), list = &positional;
    else if (a == "--outputs") outputs = value(), list = &positional;
    else if (a == "--terms") terms = value(), list = &positional;
    else if (a == "--only") only = value(), list = &positional;
    else if (a == "--skip-unless") skip_unless = value(), list = &positional;
    else if (a == "--facts") list = &facts;
    else if (a == "--notation-files") list = &extra;
    else if (starts_with(a, "--")) return usage("unknown flag " + a);
    else list->push_back(a);
  }
  if (command == "filter") {
    // Doxygen appends the page to the filter's command line: the last argument is the page.
    if (positional.empty() && !facts.empty()) positional.push_back(facts.back()), facts.pop_back();
    if (positional.size() != 1) return usage("filter takes one page");
    if (edition != "en" && edition != "zh") return usage("--edition is en or zh");
    return filter(edition, facts, terms, positional[0]);
  }
  if (command == "layout") {
    // book_pages layout --docs DIR --edition zh BASE_LAYOUT TARGET
    if (docs.empty() || positional.size() != 2) return usage("layout needs --docs, a base layout and a target");
    return layout(edition == "zh" ? docs / "zh" : docs, positional[0], positional[1]);
  }
  if (command == "sync") {
    if (docs.empty()) return usage("sync needs --docs");
    return sync(docs, positional);
  }
  if (command == "check") {
    if (docs.empty()) return usage("check needs --docs");
    if (!skip_unless.empty() && !fs::exists(skip_unless)) {
      std::cout << "book_pages: skipped: " << skip_unless.string() << " does not exist (build the docs target first)\n";
      return 77;
    }
    const auto what = split(only, ',');
    auto wants = [&](const std::string& w) { return std::find(what.begin(), what.end(), w) != what.end(); };
    Problems problems;
    std::vector<fs::path> pages = pages_of(docs);
    for (const auto& p : pages_of(docs / "zh")) pages.push_back(p);
    FactStore store(facts, outputs);
    if (wants("numbers")) check_numbers(docs, pages, store, problems);
    if (wants("notation")) {
      // Pages, then the extra files: a folder stands for its text files (a captured-output folder
      // that the docs build has not made yet is skipped).
      std::vector<fs::path> files = pages;
      for (const auto& e : extra) {
        if (!fs::is_directory(e)) {
          if (fs::exists(e)) files.push_back(e);
          continue;
        }
        std::vector<fs::path> inside;
        for (const auto& entry : fs::recursive_directory_iterator(e)) {
          const auto ext = entry.path().extension();
          if (ext == ".txt" || ext == ".md" || ext == ".dot" || ext == ".h") inside.push_back(entry.path());
        }
        std::sort(inside.begin(), inside.end());
        files.insert(files.end(), inside.begin(), inside.end());
      }
      check_notation(docs, files, problems);
    }
    if (wants("parity")) check_parity(docs, problems);
    if (wants("stale")) check_stale(docs, problems);
    if (wants("terms")) check_terms(docs, problems);
    if (problems.count > 0) {
      std::cout << problems.count << " problem(s) in the pages (checks: " << only << ")\n";
      return 1;
    }
    std::cout << "book_pages: " << pages.size() << " pages, no problem (checks: " << only << ")\n";
    return 0;
  }
  return usage("unknown command " + command);
} catch (const std::exception& e) {
  std::cerr << "book_pages: error: " << e.what() << '\n';
  return 1;
}
