#include "book/cli.h"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <limits>
#include <sstream>

namespace book {

Check::Check(std::shared_ptr<const CLI::Validator> validator) : validator_(std::move(validator)) {}

std::string Check::operator()(std::string value) const { return (*validator_)(value); }

Flag* Flag::capture_default_str() {
  option_->capture_default_str();
  return this;
}

Flag* Flag::check(const Check& check) {
  option_->check(check.validator());
  return this;
}

Flag* Flag::delimiter(char separator) {
  option_->delimiter(separator);
  return this;
}

Cli::Cli(const std::string& description, const std::string& name)
    : app_(std::make_unique<CLI::App>(description, name)) {}

Cli::~Cli() = default;

template <class T>
Flag* Cli::add_option(const std::string& name, T& value, const std::string& help) {
  return &flags_.emplace_back(app_->add_option(name, value, help));
}

template Flag* Cli::add_option(const std::string&, int&, const std::string&);
template Flag* Cli::add_option(const std::string&, std::int64_t&, const std::string&);
template Flag* Cli::add_option(const std::string&, std::uint64_t&, const std::string&);
template Flag* Cli::add_option(const std::string&, double&, const std::string&);
template Flag* Cli::add_option(const std::string&, bool&, const std::string&);
template Flag* Cli::add_option(const std::string&, std::string&, const std::string&);
template Flag* Cli::add_option(const std::string&, std::vector<std::string>&, const std::string&);
template Flag* Cli::add_option(const std::string&, std::vector<std::int64_t>&, const std::string&);

Flag* Cli::add_flag(const std::string& name, bool& value, const std::string& help) {
  return &flags_.emplace_back(app_->add_flag(name, value, help));
}

std::size_t Cli::count(const std::string& name) const { return app_->count(name); }

void Cli::parse(int argc, char** argv) { app_->parse(argc, argv); }

CLI::App& Cli::app() { return *app_; }

void add_common_options(Cli& app, CommonOptions& options, const std::string& default_out_dir) {
  options.out_dir = default_out_dir;
  app.add_option("--seed", options.seed, "Random seed for torch and the program's data")
      ->capture_default_str()
      ->check(int_range(0, std::numeric_limits<long long>::max()));
  app.add_option("--threads", options.threads,
                 "Cores for the matrix products (OpenBLAS threads; torch keeps 1 thread); 0 = all cores")
      ->capture_default_str()
      ->check(int_range(0, 256));
  app.add_option("--out_dir", options.out_dir, "Folder for the artefacts this run writes")
      ->capture_default_str();
}

namespace {

std::string program_name(int argc, char** argv) {
  if (argc < 1 || argv[0] == nullptr) return "program";
  std::string name = argv[0];
  const auto slash = name.find_last_of('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// One line: newlines inside a message would break the one-line promise.
std::string one_line(std::string text) {
  for (char& c : text) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

}  // namespace

int run_program(Cli& cli, int argc, char** argv, const std::function<int()>& body) {
  const std::string name = program_name(argc, argv);
  CLI::App& app = cli.app();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << name << ": error: " << one_line(e.what()) << " (run with --help for usage)\n";
    return kExitUsageError;
  }
  try {
    return body();
  } catch (const UsageError& e) {
    std::cerr << name << ": error: " << one_line(e.what()) << " (run with --help for usage)\n";
    return kExitUsageError;
  } catch (const std::bad_alloc&) {
    std::cerr << name << ": error: out of memory\n";
    return kExitRuntimeError;
  } catch (const std::exception& e) {
    std::cerr << name << ": error: " << one_line(e.what()) << '\n';
    return kExitRuntimeError;
  }
}

void exit_now(int code) {
  std::cout.flush();
  std::cerr.flush();
  spdlog::shutdown();  // flushes every logger
  std::_Exit(code);
}

Check int_range(long long lo, long long hi) {
  std::ostringstream desc;
  desc << "INT in [" << lo << ", " << hi << "]";
  return Check(std::make_shared<CLI::Validator>(
      [lo, hi](std::string& input) -> std::string {
        std::size_t used = 0;
        long long value = 0;
        try {
          value = std::stoll(input, &used);
        } catch (const std::exception&) {
          return "'" + input + "' is not an integer in [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "]";
        }
        if (used != input.size()) return "'" + input + "' is not an integer";
        if (value < lo || value > hi) {
          return "value " + input + " is outside the valid range [" + std::to_string(lo) + ", " +
                 std::to_string(hi) + "]";
        }
        return {};
      },
      desc.str()));
}

Check real_range(double lo, double hi, bool open_lo, bool open_hi) {
  std::ostringstream range;
  range << (open_lo ? "(" : "[") << lo << ", " << hi << (open_hi ? ")" : "]");
  const std::string text = range.str();
  return Check(std::make_shared<CLI::Validator>(
      [=](std::string& input) -> std::string {
        std::size_t used = 0;
        double value = 0;
        try {
          value = std::stod(input, &used);
        } catch (const std::exception&) {
          return "'" + input + "' is not a number in " + text;
        }
        if (used != input.size()) return "'" + input + "' is not a number";
        if (!std::isfinite(value)) return "value " + input + " is not finite; valid range " + text;
        const bool below = open_lo ? value <= lo : value < lo;
        const bool above = open_hi ? value >= hi : value > hi;
        if (below || above) return "value " + input + " is outside the valid range " + text;
        return {};
      },
      "REAL in " + text));
}

Check one_of(const std::vector<std::string>& choices) {
  return Check(std::make_shared<CLI::IsMember>(choices));
}

}  // namespace book
