#pragma once
/// \file
/// Compiled into every exercise file (a forced include, ahead of Eigen): Eigen's own assertions
/// (sizes that do not match, an index out of range) throw ex::EigenError instead of being compiled
/// out, so that the checker can say what went wrong instead of reading stray memory.
#include "exercises/checker/eigen_error.h"

#define eigen_assert(x) ((x) ? static_cast<void>(0) : ::ex::eigen_failed(#x))
