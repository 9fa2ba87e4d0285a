#pragma once
/// \file
/// What a failed Eigen assertion throws in exercise code (see eigen_checks.h).
#include <stdexcept>
#include <string>

namespace ex {

/// What a failed Eigen assertion throws in exercise code.
class EigenError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// Throws EigenError for the failed `condition`.
[[noreturn]] inline void eigen_failed(const char* condition) {
  throw EigenError(std::string("Eigen refused an operation: ") + condition +
                   " (sizes that do not match, or an index out of range)");
}

}  // namespace ex

