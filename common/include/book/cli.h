#pragma once
/// \file
/// The command-line conventions every program of the book shares, on top of CLI11.
///
/// Every program takes `--help`, `--seed`, `--threads` and `--out_dir`. A bad flag prints one line
/// that names the flag and the valid range and exits with code 2; a failure at run time prints one
/// line and exits with code 1. Nothing is ever reported by an uncaught exception or a signal.
/// This header does not include CLI11: `book::Cli` keeps the `CLI::App` behind a pointer and
/// only `common/src/cli.cpp` compiles CLI11. Every translation unit that includes CLI11 pays about
/// 4 s to compile its inline parser, help formatter and validators (`-ftime-report`, measured on the
/// book's 2-core machine), which used to be the largest fixed cost of each program's rebuild.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace CLI {
class App;
class Option;
class Validator;
}  // namespace CLI

namespace book {

/// Exit codes shared by every program.
enum ExitCode : int { kExitOk = 0, kExitRuntimeError = 1, kExitUsageError = 2 };

/// The options every program has.
struct CommonOptions {
  std::uint64_t seed = 42;  ///< seeds torch and the program's own random engine
  int threads = 0;          ///< 0 = the book's measured default (see book::apply_threads)
  std::string out_dir;      ///< where artefacts (CSV, JSON, SVG, checkpoints) go
};

/// A usage error found after parsing (two flags that contradict each other, a value that only
/// turns out bad together with another). Reported like a CLI11 error: one line, exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a flag's value must satisfy; made by book::int_range, book::real_range or book::one_of.
class Check {
 public:
  /// Wraps a CLI11 validator (made in common/src/cli.cpp).
  explicit Check(std::shared_ptr<const CLI::Validator> validator);
  /// Tests one value as the parser would: returns the error message, or "" if the value is valid.
  std::string operator()(std::string value) const;
  /// The CLI11 validator behind the check (for common/src/cli.cpp).
  const CLI::Validator& validator() const { return *validator_; }

 private:
  std::shared_ptr<const CLI::Validator> validator_;
};

/// One flag of a book::Cli. Calls chain like CLI11's: `->capture_default_str()->check(...)`.
class Flag {
 public:
  /// Wraps the CLI11 option that book::Cli added.
  explicit Flag(CLI::Option* option) : option_(option) {}
  /// Shows the variable's value at declaration time as the default in `--help`.
  Flag* capture_default_str();
  /// Refuses values that fail `check` (exit code 2, one line naming the flag and the range).
  Flag* check(const Check& check);
  /// Lets a list flag take several values in one argument, split at `separator`.
  Flag* delimiter(char separator);

 private:
  CLI::Option* option_;
};

/// A program's command line: a thin layer over `CLI::App` that keeps CLI11 out of the programs'
/// translation units. Add flags with add_option/add_flag, then hand it to book::run_program.
class Cli {
 public:
  /// A parser whose `--help` starts with `description`; `name` is the program's name.
  Cli(const std::string& description, const std::string& name);
  ~Cli();                               ///< Frees the parser.
  Cli(const Cli&) = delete;             ///< Flags point into the parser: no copies.
  Cli& operator=(const Cli&) = delete;  ///< No copies.

  /// A flag (`--name`) or a positional argument (`name`) stored in `value`. T is one of int,
  /// std::int64_t, std::uint64_t, double, bool, std::string, std::vector<std::string>, std::vector<std::int64_t>.
  template <class T>
  Flag* add_option(const std::string& name, T& value, const std::string& help = "");
  /// A switch without a value: `value` becomes true when it is given.
  Flag* add_flag(const std::string& name, bool& value, const std::string& help);
  /// After parsing, how many times `name` was given (CLI11's count: a list option counts its values).
  std::size_t count(const std::string& name) const;
  /// Parses `argv`; throws CLI11's errors. Programs call book::run_program instead.
  void parse(int argc, char** argv);
  /// The CLI11 parser behind it (for common/src/cli.cpp).
  CLI::App& app();

 private:
  std::unique_ptr<CLI::App> app_;
  std::deque<Flag> flags_;
};

/// Adds `--seed`, `--threads` and `--out_dir` (default `default_out_dir`) to `cli`.
void add_common_options(Cli& cli, CommonOptions& options, const std::string& default_out_dir);

/// Parses `argv` into `cli`, then runs `body` and returns its exit code. `--help` prints the help
/// and returns 0. Parse errors and book::UsageError print `<program>: error: <message>` and return
/// 2; any other exception prints `<program>: error: <message>` and returns 1.
int run_program(Cli& cli, int argc, char** argv, const std::function<int()>& body);

/// Ends the process with `code` at once, after flushing std::cout, std::cerr and every spdlog
/// logger, without running static destructors. For a program whose work is done and whose files are
/// written and closed: LibTorch's destructors deregister its operators one by one at exit, about
/// 60 ms on the book's machine (measured on ch06_main --model_type rnn --epochs 1 --data_size 2000:
/// 0.86 s with a normal return, 0.80 s with exit_now), and the kernel frees the memory anyway.
/// Not for tests (it would end the test runner) nor under LeakSanitizer (its check runs at exit).
[[noreturn]] void exit_now(int code);

/// An integer flag in [lo, hi]. The error message names the range. Use it for every size, so that
/// a value large enough to exhaust memory is refused before anything is allocated.
Check int_range(long long lo, long long hi);

/// A finite real flag between lo and hi; `open_lo`/`open_hi` exclude the ends. Rejects nan and inf.
Check real_range(double lo, double hi, bool open_lo = false, bool open_hi = false);

/// A text flag that must be one of `choices` (shown in `--help` as {a,b,c}).
Check one_of(const std::vector<std::string>& choices);

extern template Flag* Cli::add_option(const std::string&, int&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, std::int64_t&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, std::uint64_t&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, double&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, bool&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, std::string&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, std::vector<std::string>&, const std::string&);
extern template Flag* Cli::add_option(const std::string&, std::vector<std::int64_t>&, const std::string&);

}  // namespace book
