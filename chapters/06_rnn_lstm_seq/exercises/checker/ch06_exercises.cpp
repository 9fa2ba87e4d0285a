// ch06_exercises: checks the reader's exercises against their references and says, precisely,
// what is right and what is not.
//
//   ch06_exercises                  every exercise, as a table, and a count
//   ch06_exercises lstm_cell        one exercise in detail
//   ch06_exercises lstm_cell --hint the same, with a hint
//   ch06_exercises --lang zh        in Chinese (or BOOK_LANG=zh in the environment)
//
// Everything it prints is in messages.cpp and registry.cpp, in English and in Chinese.
//
// Each exercise runs in a child process of its own, so that a crash or an endless loop in one
// file is reported as such and the others are still checked.
#include "exercises/checker/checks.h"

#include "book/cli.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

using ex::check::Exercise;
using ex::check::Lang;
using ex::check::Msg;
using ex::check::say;
using ex::check::Status;
using ex::check::Verdict;

constexpr int kExitNotStarted = 77;  // CTest's SKIP_RETURN_CODE for an exercise not begun

// ---- running one check, in a child process ------------------------------------------------------

nlohmann::json to_json(const Verdict& v) {
  return {{"status", static_cast<int>(v.status)},   {"passed", v.cases_passed},
          {"total", v.cases_total},                 {"case", v.failed_case},
          {"mismatch", v.failure.mismatch},         {"mistake", v.failure.mistake.id},
          {"args", v.failure.mistake.args},         {"variant", v.failure.mistake.variant}};
}

Verdict from_json(const nlohmann::json& j) {
  Verdict v;
  v.status = static_cast<Status>(j.at("status").get<int>());
  v.cases_passed = j.at("passed");
  v.cases_total = j.at("total");
  v.failed_case = j.at("case");
  v.failure.mismatch = j.at("mismatch");
  v.failure.mistake = {j.at("mistake").get<std::string>(),
                       j.at("args").get<std::vector<std::string>>(),
                       j.at("variant").get<std::string>()};
  return v;
}

// Runs the check here and now. A stub's NotStarted ends it as "not started".
Verdict run_here(const Exercise& exercise, std::string& not_started_in) {
  try {
    return exercise.check();
  } catch (const ex::NotStarted& stub) {
    not_started_in = stub.function;
    return Verdict{};
  }
}

std::string signal_words(int sig) {
  switch (sig) {
    case SIGALRM: return "";
    case SIGSEGV: return say(Msg::kSegv);
    case SIGABRT: return say(Msg::kAbort);
    case SIGFPE: return say(Msg::kFpe);
    default: return say(Msg::kSignal, sig, strsignal(sig));
  }
}

// Runs the check in a child process with a time limit.
Verdict run_isolated(const Exercise& exercise, int timeout_s, std::string& not_started_in) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("cannot create a pipe for the check");
  std::cout.flush();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("cannot start a process for the check");
  if (pid == 0) {
    close(fds[0]);
    alarm(static_cast<unsigned>(timeout_s));
    std::string where;
    const Verdict v = run_here(exercise, where);
    nlohmann::json j = to_json(v);
    j["not_started_in"] = where;
    const std::string text = j.dump();
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      const ssize_t n = write(fds[1], p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
    close(fds[1]);
    std::fflush(nullptr);
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fds[0], buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !text.empty()) {
    const auto j = nlohmann::json::parse(text);
    not_started_in = j.at("not_started_in");
    return from_json(j);
  }
  Verdict v;
  v.status = Status::kFailing;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
    v.failure.mismatch = say(Msg::kTimeout, timeout_s);
  } else if (WIFSIGNALED(status)) {
    v.failure.mismatch = say(Msg::kCrashed, signal_words(WTERMSIG(status)));
  } else {
    v.failure.mismatch = say(Msg::kNoResult);
  }
  return v;
}

// ---- printing -----------------------------------------------------------------------------------

constexpr std::size_t kWidth = 96;  // fits a terminal and a code block of the book

// The code points of `text` (UTF-8), each with its bytes.
std::vector<std::pair<char32_t, std::string>> code_points(const std::string& text) {
  std::vector<std::pair<char32_t, std::string>> points;
  for (std::size_t k = 0; k < text.size();) {
    const auto byte = static_cast<unsigned char>(text[k]);
    const std::size_t length = std::min(
        text.size() - k, std::size_t{byte < 0x80 ? 1u : byte < 0xE0 ? 2u : byte < 0xF0 ? 3u : 4u});
    char32_t code = length == 1 ? byte : byte & (0x3F >> (length - 1));
    for (std::size_t j = 1; j < length; ++j) code = (code << 6) | (text[k + j] & 0x3F);
    points.emplace_back(code, text.substr(k, length));
    k += length;
  }
  return points;
}

bool is_chinese(char32_t c) {
  return (c >= 0x3000 && c <= 0x303F) || (c >= 0x3400 && c <= 0x9FFF) ||
         (c >= 0xFF00 && c <= 0xFFEF);
}

// A line may break between two characters of Chinese text, but not before a closing mark nor
// after an opening one.
bool may_break_between(char32_t before, char32_t after) {
  static const std::u32string no_break_before = U"，。、；：？！）」』”》";
  static const std::u32string no_break_after = U"（「『“《";
  return (is_chinese(before) || is_chinese(after)) &&
         no_break_before.find(after) == std::u32string::npos &&
         no_break_after.find(before) == std::u32string::npos;
}

// Prints `text` after `indent` spaces, wrapped to kWidth columns at spaces (and, in Chinese text,
// between characters); later lines are indented by `indent + hang`.
void print_wrapped(std::size_t indent, const std::string& text, std::size_t hang = 2) {
  std::string line(indent, ' ');
  std::size_t width = indent;
  bool first = true;
  auto add = [&](const std::string& piece, bool space_before) {
    const std::size_t w = ex::check::display_width(piece);
    if (!first && width + (space_before ? 1 : 0) + w > kWidth) {
      fmt::print("{}\n", line);
      line = std::string(indent + hang, ' ') + piece;
      width = indent + hang + w;
    } else {
      line += (space_before && !first ? " " : "") + piece;
      width += (space_before && !first ? 1 : 0) + w;
    }
    first = false;
  };
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    std::string piece;
    char32_t previous = 0;
    bool space_before = true;
    for (const auto& [code, bytes] : code_points(text.substr(pos, end - pos))) {
      if (!piece.empty() && may_break_between(previous, code)) {
        add(piece, space_before);
        piece.clear();
        space_before = false;
      }
      piece += bytes;
      previous = code;
    }
    add(piece, space_before);
    pos = end + 1;
  }
  fmt::print("{}\n", line);
}

struct Style {
  bool colour = false;
  std::string paint(const std::string& text, Status s) const {
    if (!colour) return text;
    const char* code = s == Status::kDone ? "32" : s == Status::kFailing ? "31" : "33";
    return fmt::format("\033[{}m{}\033[0m", code, text);
  }
};

std::string status_text(const Verdict& v) {
  switch (v.status) {
    case Status::kDone: return say(Msg::kStatusDone, v.cases_total);
    case Status::kNotStarted: return say(Msg::kStatusNotStarted);
    case Status::kFailing:
      return v.cases_total > 0 ? say(Msg::kStatusFailingCases, v.cases_passed, v.cases_total)
                               : say(Msg::kStatusFailing);
  }
  return "";
}

// The failure of a failing exercise: the mismatch and, if it is a known mistake, its diagnosis.
void print_failure(std::size_t indent, const Exercise& e, const Verdict& v, bool with_id) {
  print_wrapped(indent, v.failure.mismatch);
  const auto& mistake = v.failure.mistake;
  if (mistake.id.empty()) return;
  const std::string diagnosis = ex::check::diagnosis_of(e, mistake);
  print_wrapped(indent, with_id ? say(Msg::kLooksLikeId, diagnosis, mistake.id)
                                : say(Msg::kLooksLike, diagnosis));
}

void print_detail(const Exercise& e, const Verdict& v, const std::string& not_started_in, bool hint,
                  const Style& style) {
  using ex::check::in_language;
  fmt::print("{}\n", say(Msg::kDetailTitle, e.name, in_language(e.page)));
  fmt::print("{}\n", say(Msg::kDetailFile, e.name));
  print_wrapped(2, say(Msg::kDetailReference, in_language(e.reference)));
  fmt::print("{}\n", say(Msg::kDetailStatus, style.paint(status_text(v), v.status)));
  if (v.status == Status::kNotStarted) {
    fmt::print("{}\n", not_started_in != e.name ? say(Msg::kCallsUnwritten, not_started_in)
                                                : say(Msg::kReplaceBody, e.name));
  }
  if (v.status == Status::kFailing) {
    if (!v.failed_case.empty()) print_wrapped(2, say(Msg::kFirstFailure, v.failed_case));
    print_failure(2, e, v, true);
  }
  if (hint) {
    fmt::print("\n{}\n", say(Msg::kHintTitle));
    const std::string& text = in_language(e.hint);
    std::size_t start = 0;
    while (start < text.size()) {  // the hint's own lines, each wrapped if it must be
      const auto end = std::min(text.find('\n', start), text.size());
      print_wrapped(2, text.substr(start, end - start), 0);
      start = end + 1;
    }
  } else if (v.status != Status::kDone) {
    print_wrapped(2, say(Msg::kAddHint, e.name));
  }
}

int exit_code(Status s) {
  return s == Status::kDone ? 0 : s == Status::kFailing ? 1 : kExitNotStarted;
}

int run_table(int timeout_s, bool fork_each, const std::string& expect, const Style& style) {
  using ex::check::text;
  fmt::print("{:<27}{:<24}{}\n", text(Msg::kColExercise), text(Msg::kColPage),
             text(Msg::kColStatus));
  int done = 0, failing = 0, not_started = 0;
  std::string next;  // the first exercise that is not done
  for (const Exercise& e : ex::check::exercises()) {
    std::string where;
    const Verdict v = fork_each ? run_isolated(e, timeout_s, where) : run_here(e, where);
    fmt::print("{:<27}{:<24}{}\n", e.name, ex::check::in_language(e.section),
               style.paint(status_text(v), v.status));
    if (v.status == Status::kFailing) print_failure(6, e, v, false);
    (v.status == Status::kDone ? done : v.status == Status::kFailing ? failing : not_started) += 1;
    if (next.empty() && v.status != Status::kDone) next = e.name;
  }
  const auto total = ex::check::exercises().size();
  fmt::print("\n{}\n", say(Msg::kSummary, done, total, failing, not_started));
  if (!next.empty()) fmt::print("{}\n", say(Msg::kNext, next));
  if (!expect.empty()) {
    const std::size_t wanted = expect == "done" ? done : not_started;
    if (wanted == total) return 0;
    fmt::print("{}\n", say(Msg::kExpectedAll, expect));
    return 1;
  }
  return failing > 0 ? 1 : done == static_cast<int>(total) ? 0 : kExitNotStarted;
}

// ---- the language -------------------------------------------------------------------------------

// The language of this run: --lang, else the environment variable BOOK_LANG, else English. Read
// before the command line is declared, so that --help speaks it too. A bad --lang is left to the
// parser; a bad BOOK_LANG (when --lang is not given) is returned in `bad_env`.
Lang choose_language(int argc, char** argv, std::string& bad_env) {
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    std::string value;
    if (a == "--lang" && k + 1 < argc) {
      value = argv[k + 1];
    } else if (a.rfind("--lang=", 0) == 0) {
      value = a.substr(7);
    } else {
      continue;
    }
    return ex::check::language_named(value).value_or(Lang::kEn);
  }
  const char* env = std::getenv("BOOK_LANG");
  if (env == nullptr || *env == '\0') return Lang::kEn;
  if (const auto lang = ex::check::language_named(env)) return *lang;
  bad_env = env;
  return Lang::kEn;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bad_env;
  ex::check::set_language(choose_language(argc, argv, bad_env));
  std::string name, expect_mistake, expect, lang = "en";
  bool hint = false, no_fork = false;
  int timeout_s = 60;
  book::Cli cli(say(Msg::kCliDescription), "ch06_exercises");
  std::vector<std::string> names;
  for (const Exercise& e : ex::check::exercises()) names.push_back(e.name);
  cli.add_option("exercise", name, say(Msg::kOptExercise))->check(book::one_of(names));
  cli.add_flag("--hint", hint, say(Msg::kOptHint));
  cli.add_option("--timeout", timeout_s, say(Msg::kOptTimeout))
      ->capture_default_str()
      ->check(book::int_range(1, 3600));
  cli.add_flag("--no-fork", no_fork, say(Msg::kOptNoFork));
  cli.add_option("--expect-mistake", expect_mistake, say(Msg::kOptExpectMistake));
  cli.add_option("--expect", expect, say(Msg::kOptExpect))
      ->check(book::one_of({"done", "not-started"}));
  cli.add_option("--lang", lang, say(Msg::kOptLang))->check(book::one_of({"en", "zh"}));
  return book::run_program(cli, argc, argv, [&]() -> int {
    if (!bad_env.empty() && cli.count("--lang") == 0) {
      throw book::UsageError(say(Msg::kErrBookLang, bad_env));
    }
    if (!expect_mistake.empty() && name.empty()) {
      throw book::UsageError(say(Msg::kErrExpectMistakeNeedsExercise));
    }
    if (!expect.empty() && !name.empty()) {
      throw book::UsageError(say(Msg::kErrExpectWithoutExercise));
    }
    ex::check::prepare_reference();
    Style style;
    style.colour = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    if (name.empty()) return run_table(timeout_s, !no_fork, expect, style);

    const Exercise& e = *std::find_if(ex::check::exercises().begin(), ex::check::exercises().end(),
                                      [&](const Exercise& x) { return x.name == name; });
    std::string where;
    const Verdict v = no_fork ? run_here(e, where) : run_isolated(e, timeout_s, where);
    print_detail(e, v, where, hint, style);
    if (!expect_mistake.empty()) {
      const bool ok = v.status == Status::kFailing && v.failure.mistake.id == expect_mistake;
      fmt::print("{}\n", say(Msg::kExpectMistakeResult, ok ? "ok" : "NOT OK", expect_mistake));
      return ok ? 0 : 1;
    }
    return exit_code(v.status);
  });
}
