// ch06_exercises: checks the reader's exercises against their references and says, precisely,
// what is right and what is not.
//
//   ch06_exercises                  every exercise, as a table, and a count
//   ch06_exercises lstm_cell        one exercise in detail
//   ch06_exercises lstm_cell --hint the same, with a hint
//
// Each exercise runs in a child process of its own, so that a crash or an endless loop in one
// file is reported as such and the others are still checked.
#include "exercises/checker/checks.h"

#include "book/cli.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace {

using ex::check::Exercise;
using ex::check::Status;
using ex::check::Verdict;

constexpr int kExitNotStarted = 77;  // CTest's SKIP_RETURN_CODE for an exercise not begun

// ---- running one check, in a child process ------------------------------------------------------

nlohmann::json to_json(const Verdict& v) {
  return {{"status", static_cast<int>(v.status)},   {"passed", v.cases_passed},
          {"total", v.cases_total},                 {"case", v.failed_case},
          {"mismatch", v.failure.mismatch},         {"mistake", v.failure.mistake.id},
          {"diagnosis", v.failure.mistake.diagnosis}};
}

Verdict from_json(const nlohmann::json& j) {
  Verdict v;
  v.status = static_cast<Status>(j.at("status").get<int>());
  v.cases_passed = j.at("passed");
  v.cases_total = j.at("total");
  v.failed_case = j.at("case");
  v.failure.mismatch = j.at("mismatch");
  v.failure.mistake = {j.at("mistake"), j.at("diagnosis")};
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
    case SIGSEGV: return "a segmentation fault (an index out of range or a dangling reference?)";
    case SIGABRT: return "an abort (a failed assertion, e.g. a std::vector index out of range; "
                         "see the message above)";
    case SIGFPE: return "an arithmetic exception (an integer division by zero?)";
    default: return fmt::format("signal {} ({})", sig, strsignal(sig));
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
    v.failure.mismatch = fmt::format("the check took longer than {} s: an endless loop?", timeout_s);
  } else if (WIFSIGNALED(status)) {
    v.failure.mismatch = "your code crashed: " + signal_words(WTERMSIG(status));
  } else {
    v.failure.mismatch = "the check ended without a result";
  }
  return v;
}

// ---- printing -----------------------------------------------------------------------------------

constexpr std::size_t kWidth = 96;  // fits a terminal and a code block of the book

// Prints `text` after `indent` spaces, wrapped at spaces to kWidth; later lines are indented by
// `indent + hang`.
void print_wrapped(std::size_t indent, const std::string& text, std::size_t hang = 2) {
  std::string line(indent, ' ');
  std::size_t pos = 0;
  bool first_word = true;
  while (pos < text.size()) {
    auto end = text.find(' ', pos);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(pos, end - pos);
    if (!first_word && line.size() + 1 + word.size() > kWidth) {
      fmt::print("{}\n", line);
      line = std::string(indent + hang, ' ') + word;
    } else {
      line += (first_word ? "" : " ") + word;
    }
    first_word = false;
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
    case Status::kDone: return fmt::format("done ({} cases)", v.cases_total);
    case Status::kNotStarted: return "not started";
    case Status::kFailing:
      return v.cases_total > 0 ? fmt::format("failing (passed {} of {} cases)", v.cases_passed, v.cases_total)
                               : "failing";
  }
  return "";
}

void print_detail(const Exercise& e, const Verdict& v, const std::string& not_started_in, bool hint,
                  const Style& style) {
  fmt::print("Exercise {} (page {})\n", e.name, e.page);
  fmt::print("  your file:   chapters/06_rnn_lstm_seq/exercises/{}.cpp\n", e.name);
  print_wrapped(2, "checked against " + e.reference);
  fmt::print("  status:      {}\n", style.paint(status_text(v), v.status));
  if (v.status == Status::kNotStarted) {
    if (not_started_in != e.name) {
      fmt::print("  (it calls {}(), which is not written yet)\n", not_started_in);
    } else {
      fmt::print("  Replace the body of {}() in your file; it still calls not_started().\n", e.name);
    }
  }
  if (v.status == Status::kFailing) {
    if (!v.failed_case.empty()) print_wrapped(2, "first failure, " + v.failed_case);
    print_wrapped(2, v.failure.mismatch);
    if (!v.failure.mistake.id.empty()) {
      print_wrapped(2, fmt::format("looks like: {} [{}]", v.failure.mistake.diagnosis,
                                   v.failure.mistake.id));
    }
  }
  if (hint) {
    fmt::print("\nHint:\n");
    std::size_t start = 0;
    while (start < e.hint.size()) {
      const auto end = e.hint.find('\n', start);
      fmt::print("  {}\n", e.hint.substr(start, end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
  } else if (v.status != Status::kDone) {
    print_wrapped(2, fmt::format("(add --hint for a hint; the reference solution is in "
                                 "exercises/solutions/{}_solution.cpp)",
                                 e.name));
  }
}

int exit_code(Status s) {
  return s == Status::kDone ? 0 : s == Status::kFailing ? 1 : kExitNotStarted;
}

int run_table(int timeout_s, bool fork_each, const std::string& expect, const Style& style) {
  fmt::print("{:<27}{:<24}{}\n", "exercise", "page", "status");
  int done = 0, failing = 0, not_started = 0;
  std::string next;  // the first exercise that is not done
  for (const Exercise& e : ex::check::exercises()) {
    std::string where;
    const Verdict v = fork_each ? run_isolated(e, timeout_s, where) : run_here(e, where);
    fmt::print("{:<27}{:<24}{}\n", e.name, e.section, style.paint(status_text(v), v.status));
    if (v.status == Status::kFailing) {
      print_wrapped(6, v.failure.mismatch);
      if (!v.failure.mistake.id.empty()) print_wrapped(6, "looks like: " + v.failure.mistake.diagnosis);
    }
    (v.status == Status::kDone ? done : v.status == Status::kFailing ? failing : not_started) += 1;
    if (next.empty() && v.status != Status::kDone) next = e.name;
  }
  const auto total = ex::check::exercises().size();
  fmt::print("\n{} of {} done, {} failing, {} not started\n", done, total, failing, not_started);
  if (!next.empty()) {
    fmt::print("Next: bash scripts/exercises.sh {} (in detail; add --hint for a hint)\n", next);
  }
  if (!expect.empty()) {
    const std::size_t wanted = expect == "done" ? done : not_started;
    if (wanted == total) return 0;
    fmt::print("expected every exercise to be {}\n", expect);
    return 1;
  }
  return failing > 0 ? 1 : done == static_cast<int>(total) ? 0 : kExitNotStarted;
}

}  // namespace

int main(int argc, char** argv) {
  std::string name, expect_mistake, expect;
  bool hint = false, no_fork = false;
  int timeout_s = 60;
  book::Cli cli(
      "Checks the chapter's exercises (chapters/06_rnn_lstm_seq/exercises/*.cpp) against their\n"
      "references. Without an exercise: a table of all of them. Exit code: 0 done, 1 failing,\n"
      "77 not started (CTest counts it as skipped), 2 a bad command line.",
      "ch06_exercises");
  std::vector<std::string> names;
  for (const Exercise& e : ex::check::exercises()) names.push_back(e.name);
  cli.add_option("exercise", name, "the exercise to check in detail (default: all)")
      ->check(book::one_of(names));
  cli.add_flag("--hint", hint, "show the exercise's hint");
  cli.add_option("--timeout", timeout_s, "seconds one exercise's check may take")
      ->capture_default_str()
      ->check(book::int_range(1, 3600));
  cli.add_flag("--no-fork", no_fork, "run the checks in this process (for a debugger)");
  cli.add_option("--expect-mistake", expect_mistake,
                 "with an exercise: succeed only if it fails with this known mistake (the "
                 "book's own test of its wrong versions)");
  cli.add_option("--expect", expect, "without an exercise: succeed only if all are in this state")
      ->check(book::one_of({"done", "not-started"}));
  return book::run_program(cli, argc, argv, [&]() -> int {
    if (!expect_mistake.empty() && name.empty()) throw book::UsageError("--expect-mistake needs an exercise");
    if (!expect.empty() && !name.empty()) throw book::UsageError("--expect goes without an exercise");
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
      fmt::print("{}: expected to fail with the mistake [{}]\n", ok ? "ok" : "NOT OK", expect_mistake);
      return ok ? 0 : 1;
    }
    return exit_code(v.status);
  });
}
