// Self-checks of common/cli: validators name the range, and run_program maps every failure to a
// one-line message and the book's exit codes.
#include "book/cli.h"

#include <doctest/doctest.h>

#include <stdexcept>
#include <utility>
#include <string>
#include <vector>

namespace {

// Runs `body` behind a parser with one int flag in [1, 10] and one real flag in (0, 1).
int run(std::vector<std::string> args, const std::function<int()>& body = [] { return 0; }) {
  book::Cli app{"test", "prog"};
  int count = 5;
  double share = 0.5;
  app.add_option("--count", count)->check(book::int_range(1, 10));
  app.add_option("--share", share)->check(book::real_range(0, 1, true, true));
  args.insert(args.begin(), "prog");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return book::run_program(app, static_cast<int>(argv.size()), argv.data(), body);
}

std::string validate(const book::Check& check, std::string input) { return check(std::move(input)); }

}  // namespace

TEST_CASE("int_range accepts its ends and names the range when it refuses") {
  const auto v = book::int_range(1, 10);
  CHECK(validate(v, "1").empty());
  CHECK(validate(v, "10").empty());
  const std::string message = validate(v, "11");
  CHECK(message.find("[1, 10]") != std::string::npos);
  CHECK_FALSE(validate(v, "0").empty());
  CHECK_FALSE(validate(v, "abc").empty());
  CHECK_FALSE(validate(v, "3.5").empty());
  CHECK_FALSE(validate(v, "99999999999999999999999").empty());
}

TEST_CASE("real_range respects open ends and refuses nan and inf") {
  const auto open = book::real_range(0, 1, true, true);
  CHECK(validate(open, "0.5").empty());
  CHECK_FALSE(validate(open, "0").empty());
  CHECK_FALSE(validate(open, "1").empty());
  CHECK(validate(open, "1.5").find("(0, 1)") != std::string::npos);
  CHECK(validate(open, "nan").find("not finite") != std::string::npos);
  CHECK(validate(open, "inf").find("not finite") != std::string::npos);
  const auto closed = book::real_range(0, 1);
  CHECK(validate(closed, "0").empty());
  CHECK(validate(closed, "1").empty());
}

TEST_CASE("run_program maps help, usage errors and runtime errors to exit codes 0, 2 and 1") {
  CHECK(run({"--help"}) == book::kExitOk);
  CHECK(run({"--count", "3"}) == book::kExitOk);
  CHECK(run({"--count", "0"}) == book::kExitUsageError);
  CHECK(run({"--share", "nan"}) == book::kExitUsageError);
  CHECK(run({"--unknown"}) == book::kExitUsageError);
  CHECK(run({"--count"}) == book::kExitUsageError);
  CHECK(run({}, [] () -> int { throw book::UsageError("flags disagree"); }) == book::kExitUsageError);
  CHECK(run({}, [] () -> int { throw std::runtime_error("disk full"); }) == book::kExitRuntimeError);
  CHECK(run({}, [] { return 7; }) == 7);
}

TEST_CASE("add_common_options gives every program --seed, --threads and --out_dir") {
  book::Cli app{"test", "prog"};
  book::CommonOptions options;
  book::add_common_options(app, options, "default/out");
  CHECK(options.out_dir == "default/out");
  std::vector<std::string> args = {"prog", "--seed", "7", "--threads", "2", "--out_dir", "x y/ü"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  CHECK(options.seed == 7);
  CHECK(options.threads == 2);
  CHECK(options.out_dir == "x y/ü");
}

TEST_CASE("one_of accepts its choices only, and count and delimiter work through book::Cli") {
  const auto choice = book::one_of({"rnn", "lstm", "gru"});
  CHECK(validate(choice, "lstm").empty());
  CHECK_FALSE(validate(choice, "cnn").empty());
  book::Cli app{"test", "prog"};
  std::vector<std::string> words;
  std::string model = "rnn";
  app.add_option("--words", words, "a list")->delimiter(',');
  app.add_option("--model", model, "a choice")->capture_default_str()->check(choice);
  std::vector<std::string> args = {"prog", "--words", "a,b,c", "--model", "gru"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  CHECK(words == std::vector<std::string>{"a", "b", "c"});
  CHECK(model == "gru");
  CHECK(app.count("--model") == 1);
  CHECK(app.count("--words") == 3);  // CLI11 counts a list's values
}
