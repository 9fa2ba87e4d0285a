#pragma once
/// \file
/// What a failed Eigen assertion throws in exercise code (see eigen_checks.h).
#include <stdexcept>
#include <string>

namespace ex {

/// What a failed Eigen assertion throws in exercise code.
class EigenError : public std::logic_error {
 public:
  /// The assertion's `condition`, as Eigen's source writes it.
  explicit EigenError(const std::string& condition)
      : std::logic_error("Eigen refused an operation: " + condition +
                         " (sizes that do not match, or an index out of range)"),
        condition_(condition) {}
  /// The condition that failed (the checker says the rest in the reader's language).
  const std::string& condition() const { return condition_; }

 private:
  std::string condition_;
};

/// Throws EigenError for the failed `condition`.
[[noreturn]] inline void eigen_failed(const char* condition) { throw EigenError(condition); }

}  // namespace ex
