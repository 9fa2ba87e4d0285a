#pragma once
/// \file
/// What a check finds, in the reader's terms, and the comparisons that find it. Torch-free.
#include "exercises/checker/messages.h"
#include "exercises/exercises.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ex::check {

/// Where an exercise stands.
enum class Status {
  kDone,        ///< every case matches the reference
  kFailing,     ///< a case differs, or the code threw or crashed
  kNotStarted,  ///< the stub's not_started() is still there
};

/// A classic mistake that a check recognises by computing it and comparing. Its diagnosis, in
/// both languages, is in the registry (registry.cpp), under the exercise and this id.
struct Mistake {
  Mistake() = default;  ///< no known mistake
  /// The mistake `id`, whose diagnosis names `args`; `variant` picks its second diagnosis.
  Mistake(std::string id, std::vector<std::string> args = {}, std::string variant = "")
      : id(std::move(id)), args(std::move(args)), variant(std::move(variant)) {}
  std::string id;                 ///< short name, e.g. "gate_order" (empty: no known mistake)
  std::vector<std::string> args;  ///< what the diagnosis names, e.g. the order of the gates
  std::string variant;            ///< which of the id's diagnoses, if it has two ("" the first)
};

/// Why one case failed.
struct Failure {
  std::string mismatch;  ///< which output and element, expected against got
  Mistake mistake;       ///< the known mistake the result matches (empty id if none)
};

/// The outcome of one exercise's check.
struct Verdict {
  Status status = Status::kNotStarted;  ///< the outcome
  int cases_passed = 0;                 ///< cases checked before the first failure
  int cases_total = 0;                  ///< cases the check has
  std::string failed_case;              ///< "case 3 of 26: input 2, hidden 1, 1 step (seed 3)"
  Failure failure;                      ///< what differs in that case
};

/// One case of a check: its description and its run, which returns a Failure or nothing.
struct Case {
  std::string description;                      ///< sizes and seed, in words
  std::function<std::optional<Failure>()> run;  ///< compares the reader's result with the reference
};

/// Runs `cases` in order and stops at the first failure. A NotStarted thrown by the reader's
/// code propagates; any other exception becomes a failure of that case.
Verdict run_cases(const std::vector<Case>& cases);

/// Tolerance of a comparison: |expected - got| <= tol * max(1, |expected|).
inline constexpr double kForwardTol = 1e-9;

/// "" if `got` equals `expected` within `tol`, else the first mismatch in words. `what` names the
/// output ("h", "dL/dW_hh"); `row` and `col` name the dimensions (Msg::kWordRow, kWordUnit, ...).
std::string compare(const std::string& what, const Mat& expected, const Mat& got, double tol,
                    Msg row = Msg::kWordRow, Msg col = Msg::kWordColumn);
/// The same for a vector; `entry` names its index (Msg::kWordElement, kWordUnit).
std::string compare(const std::string& what, const Vec& expected, const Vec& got, double tol,
                    Msg entry = Msg::kWordElement);
/// The same for a sequence of vectors, item k shown as "<what>_<k + first>".
std::string compare(const std::string& what, const std::vector<Vec>& expected,
                    const std::vector<Vec>& got, double tol, int first = 1);
/// The same for one number.
std::string compare(const std::string& what, double expected, double got, double tol);
/// The same for integers, exactly.
std::string compare(const std::string& what, const std::vector<std::int64_t>& expected,
                    const std::vector<std::int64_t>& got);

/// True if `got` equals `candidate` within `tol` (same shapes).
bool matches(const Mat& candidate, const Mat& got, double tol);
/// True if `got` equals `candidate` within `tol` (same sizes).
bool matches(const std::vector<Vec>& candidate, const std::vector<Vec>& got, double tol);

/// A Failure for `mismatch`, with the first of `mistakes` whose result `is_it` confirms.
Failure diagnose(std::string mismatch,
                 const std::vector<std::pair<Mistake, std::function<bool()>>>& mistakes);

/// The logistic sigmoid of every entry, for the checks' own computations of the mistakes.
inline Vec sigmoid(const Vec& v) { return (1.0 / (1.0 + (-v.array()).exp())).matrix(); }

/// A number as the checker prints it (10 significant digits).
std::string number(double value);

}  // namespace ex::check
