#include "exercises/checker/report.h"

#include "exercises/checker/eigen_error.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ex::check {

namespace {

bool within(double expected, double got, double tol) {
  return std::abs(expected - got) <= tol * std::max(1.0, std::abs(expected));  // false on NaN
}

std::string differs(const std::string& where, double expected, double got, double tol) {
  return say(Msg::kDiffers, where, number(expected), number(got), std::abs(expected - got), tol);
}

std::string shape(Eigen::Index rows, Eigen::Index cols) { return fmt::format("[{}, {}]", rows, cols); }

}  // namespace

std::string number(double value) { return fmt::format("{:.10g}", value); }

std::string compare(const std::string& what, const Mat& expected, const Mat& got, double tol,
                    Msg row, Msg col) {
  if (expected.rows() != got.rows() || expected.cols() != got.cols()) {
    std::string message = say(Msg::kShape, what, shape(got.rows(), got.cols()),
                              shape(expected.rows(), expected.cols()));
    if (expected.rows() == got.cols() && expected.cols() == got.rows()) {
      message += say(Msg::kTransposed);
    }
    return message;
  }
  for (Eigen::Index r = 0; r < expected.rows(); ++r) {
    for (Eigen::Index c = 0; c < expected.cols(); ++c) {
      if (!within(expected(r, c), got(r, c), tol)) {
        return differs(say(Msg::kAtCell, what, text(row), r, text(col), c), expected(r, c),
                       got(r, c), tol);
      }
    }
  }
  return "";
}

std::string compare(const std::string& what, const Vec& expected, const Vec& got, double tol,
                    Msg entry) {
  if (expected.size() != got.size()) {
    return say(Msg::kEntries, what, got.size(), expected.size());
  }
  for (Eigen::Index k = 0; k < expected.size(); ++k) {
    if (!within(expected(k), got(k), tol)) {
      return differs(say(Msg::kAtEntry, what, text(entry), k), expected(k), got(k), tol);
    }
  }
  return "";
}

std::string compare(const std::string& what, const std::vector<Vec>& expected,
                    const std::vector<Vec>& got, double tol, int first) {
  if (expected.size() != got.size()) {
    return say(Msg::kVectors, what, got.size(), expected.size(), first,
               first + static_cast<int>(expected.size()) - 1);
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    std::string text = compare(fmt::format("{}_{}", what, first + static_cast<int>(k)), expected[k],
                               got[k], tol);
    if (!text.empty()) return text;
  }
  return "";
}

std::string compare(const std::string& what, double expected, double got, double tol) {
  return within(expected, got, tol) ? "" : differs(what, expected, got, tol);
}

std::string compare(const std::string& what, const std::vector<std::int64_t>& expected,
                    const std::vector<std::int64_t>& got) {
  if (expected.size() != got.size()) {
    return say(Msg::kIntEntries, what, got.size(), expected.size(), fmt::join(got, ", "),
               fmt::join(expected, ", "));
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    if (expected[k] != got[k]) {
      return say(Msg::kIntDiffers, what, k, expected[k], got[k], fmt::join(got, ", "),
                 fmt::join(expected, ", "));
    }
  }
  return "";
}

bool matches(const Mat& candidate, const Mat& got, double tol) {
  return compare("", candidate, got, tol).empty();
}

bool matches(const std::vector<Vec>& candidate, const std::vector<Vec>& got, double tol) {
  return compare("", candidate, got, tol).empty();
}

Failure diagnose(std::string mismatch,
                 const std::vector<std::pair<Mistake, std::function<bool()>>>& mistakes) {
  Failure failure{std::move(mismatch), {}};
  for (const auto& [mistake, is_it] : mistakes) {
    bool found = false;
    try {
      found = is_it();
    } catch (const std::exception&) {
      found = false;  // the mistaken variant does not apply to this case's sizes
    }
    if (found) {
      failure.mistake = mistake;
      break;
    }
  }
  return failure;
}

Verdict run_cases(const std::vector<Case>& cases) {
  Verdict verdict;
  verdict.cases_total = static_cast<int>(cases.size());
  for (std::size_t k = 0; k < cases.size(); ++k) {
    std::optional<Failure> failure;
    try {
      failure = cases[k].run();
    } catch (const NotStarted&) {
      throw;
    } catch (const EigenError& e) {
      failure = Failure{say(Msg::kEigenRefused, e.condition()), {"eigen_error"}};
    } catch (const std::exception& e) {
      failure = Failure{say(Msg::kThrew, e.what()), {}};
    }
    if (failure) {
      verdict.status = Status::kFailing;
      verdict.failed_case = say(Msg::kCaseOf, k + 1, cases.size(), cases[k].description);
      verdict.failure = std::move(*failure);
      return verdict;
    }
    ++verdict.cases_passed;
  }
  verdict.status = Status::kDone;
  return verdict;
}

}  // namespace ex::check
