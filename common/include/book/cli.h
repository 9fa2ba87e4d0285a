#pragma once
/// \file
/// The command-line conventions every program of the book shares (CLI11).
///
/// Every program takes `--help`, `--seed`, `--threads` and `--out_dir`. A bad flag prints one line
/// that names the flag and the valid range and exits with code 2; a failure at run time prints one
/// line and exits with code 1. Nothing is ever reported by an uncaught exception or a signal.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

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

/// Adds `--seed`, `--threads` and `--out_dir` (default `default_out_dir`) to `app`.
void add_common_options(CLI::App& app, CommonOptions& options, const std::string& default_out_dir);

/// Parses `argv` into `app`, then runs `body` and returns its exit code. `--help` prints the help
/// and returns 0. Parse errors and book::UsageError print `<program>: error: <message>` and return
/// 2; any other exception prints `<program>: error: <message>` and returns 1.
int run_program(CLI::App& app, int argc, char** argv, const std::function<int()>& body);

/// An integer flag in [lo, hi]. The error message names the range. Use it for every size, so that
/// a value large enough to exhaust memory is refused before anything is allocated.
CLI::Validator int_range(long long lo, long long hi);

/// A finite real flag between lo and hi; `open_lo`/`open_hi` exclude the ends. Rejects nan and inf.
CLI::Validator real_range(double lo, double hi, bool open_lo = false, bool open_hi = false);

}  // namespace book
