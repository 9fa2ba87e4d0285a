// The bad-flag driver: runs one program with a battery of bad command lines and checks that each is
// refused the way the book promises: exit code 2, exactly one line on stderr naming the flag (and,
// for numbers, the valid range), no signal, and nothing written to --out_dir.
//
// The cases are derived from the program's own --help, so a new flag is covered the day it is added:
// every numeric flag gets values above and below its range, "nan", "inf" and text; every choice
// gets a value outside its set; every program gets an unknown flag and a missing value.
//
// Usage: bad_flags [--full] <program path>. Prints one line per case and "N cases, M passed"; exits
// 1 if any case failed. By default each flag gets two cases (a value past its range, and nan or
// text), which keeps the suite fast (each case starts a LibTorch process, ~0.5 s); --full runs them
// all (above, below, huge, nan, inf, -inf, text, fractions).
#include "process.h"

#include <cstdint>
#include <iostream>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Case {
  std::vector<std::string> args;  // the bad part of the command line
  std::string flag;               // the flag the message must name
  std::string must_mention;       // more text the message must contain (the range), or empty
};

struct Flag {
  std::string name;
  std::string kind;   // INT, UINT, FLOAT, TEXT, BOOLEAN
  std::string check;  // "INT in [1, 10]", "REAL in (0, 1)", "{rnn,lstm,gru}", or empty
};

std::vector<Flag> parse_help(const std::string& help) {
  // "  --epochs INT:INT in [1, 100000]=10"  or  "  --model_type TEXT:{rnn,lstm,gru}=lstm"
  const std::regex line(R"(^\s+(--[A-Za-z0-9_]+)\s+(INT|UINT|FLOAT|TEXT|BOOLEAN)(?::((?:INT|REAL) in [\[(][^\])]*[\])]|\{[^}]*\}))?)");
  std::vector<Flag> flags;
  std::istringstream in(help);
  for (std::string text; std::getline(in, text);) {
    std::smatch m;
    if (std::regex_search(text, m, line)) flags.push_back({m[1], m[2], m[3]});
  }
  return flags;
}

std::vector<Case> make_cases(const std::vector<Flag>& flags, bool full) {
  std::vector<Case> all;
  all.push_back({{"--no_such_flag", "1"}, "--no_such_flag", ""});
  bool missing_value_tried = false;
  const std::regex range(R"((INT|REAL) in ([\[(])([^,]+), ([^\])]+)([\])]))");
  for (const Flag& f : flags) {
    if (f.name == "--out_dir") continue;
    std::vector<Case> cases;  // this flag's cases; the first two are the quick set
    if (f.kind != "BOOLEAN" && (full || !missing_value_tried)) {
      all.push_back({{f.name}, f.name, ""});  // missing value (last on the line)
      missing_value_tried = true;
    }
    std::smatch m;
    if (std::regex_match(f.check, m, range)) {
      const std::string text = m[2].str() + m[3].str() + ", " + m[4].str() + m[5].str();
      if (m[1] == "INT") {
        const long long lo = std::stoll(m[3]);
        const long long hi = std::stoll(m[4]);
        if (hi < std::numeric_limits<long long>::max()) cases.push_back({{f.name, std::to_string(hi + 1)}, f.name, text});
        if (lo > std::numeric_limits<long long>::min()) cases.push_back({{f.name, std::to_string(lo - 1)}, f.name, text});
        cases.insert(cases.begin() + 1, {{f.name, "abc"}, f.name, ""});
        cases.push_back({{f.name, "99999999999999999999999"}, f.name, ""});
        cases.push_back({{f.name, "1.5"}, f.name, ""});
        cases.push_back({{f.name, "nan"}, f.name, ""});
      } else {
        const double hi = std::stod(m[4]);
        const double lo = std::stod(m[3]);
        std::ostringstream above, below;
        above << (hi > 0 ? hi * 10 + 1 : hi + 1);
        below << (lo < 0 ? lo * 10 - 1 : lo - 1);
        cases.push_back({{f.name, above.str()}, f.name, text});
        cases.push_back({{f.name, "nan"}, f.name, text});
        cases.push_back({{f.name, below.str()}, f.name, text});
        cases.push_back({{f.name, "inf"}, f.name, text});
        cases.push_back({{f.name, "-inf"}, f.name, text});
        cases.push_back({{f.name, "abc"}, f.name, ""});
      }
    } else if (!f.check.empty() && f.check.front() == '{') {
      cases.push_back({{f.name, "no-such-choice"}, f.name, ""});
    } else if (f.kind == "INT" || f.kind == "UINT" || f.kind == "FLOAT") {
      cases.push_back({{f.name, "abc"}, f.name, ""});
    } else if (f.kind == "BOOLEAN") {
      cases.push_back({{f.name, "maybe"}, f.name, ""});
    }
    if (!full && cases.size() > 2) cases.resize(2);
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

}  // namespace

int main(int argc, char** argv) {
  const bool full = argc == 3 && std::string(argv[1]) == "--full";
  if (argc != 2 && !full) {
    std::cerr << "usage: bad_flags [--full] <program path>\n";
    return 2;
  }
  const std::string program = argv[argc - 1];
  book::test::ProcessResult help;
  try {
    help = book::test::run_process({program, "--help"});
  } catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
  }
  if (help.exit_code != 0) {
    std::cerr << program << " --help failed (exit " << help.exit_code << ")\n";
    return 1;
  }
  const auto flags = parse_help(help.out);
  const auto cases = make_cases(flags, full);
  int passed = 0;
  for (const Case& c : cases) {
    book::test::TempDir dir("bad-flags");
    const auto out_dir = dir / "out";
    std::vector<std::string> argv_case = {program, "--out_dir", out_dir.string()};
    argv_case.insert(argv_case.end(), c.args.begin(), c.args.end());
    book::test::ProcessResult r;
    std::string why;
    try {
      r = book::test::run_process(argv_case);
    } catch (const std::exception& e) {  // the program could not be started: a failed case, not an abort
      why = e.what();
    }
    if (!why.empty()) {
    } else if (r.signal != 0) {
      why = "killed by signal " + std::to_string(r.signal);
    } else if (r.exit_code != 2) {
      why = "exit code " + std::to_string(r.exit_code) + ", expected 2";
    } else if (book::test::count_lines(r.err) != 1) {
      why = std::to_string(book::test::count_lines(r.err)) + " lines on stderr, expected 1";
    } else if (r.err.find(c.flag) == std::string::npos) {
      why = "message does not name " + c.flag;
    } else if (!c.must_mention.empty() && r.err.find(c.must_mention) == std::string::npos) {
      why = "message does not state the range " + c.must_mention;
    } else if (std::filesystem::exists(out_dir)) {
      why = "--out_dir was created";
    }
    std::string shown;
    for (const auto& a : c.args) shown += " " + a;
    if (why.empty()) {
      ++passed;
      std::cout << "ok  " << shown << "  ->  " << r.err;
    } else {
      std::cout << "FAIL" << shown << ": " << why << "\n     stderr: " << r.err << "\n";
    }
  }
  std::cout << std::filesystem::path(program).filename().string() << ": " << flags.size() << " flags, "
            << cases.size() << " bad command lines, " << passed << " refused correctly\n";
  return passed == static_cast<int>(cases.size()) && !cases.empty() ? 0 : 1;
}
