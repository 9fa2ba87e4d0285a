// Reference solution of the exercise masked_cross_entropy (page 09).
#include "exercises/exercises.h"

#include <cmath>

namespace ex {

// [solution]
double masked_cross_entropy(const std::vector<Mat>& logits,
                            const std::vector<std::vector<std::int64_t>>& targets,
                            std::int64_t ignore_index) {
  double total = 0;
  std::int64_t real = 0;
  for (std::size_t b = 0; b < logits.size(); ++b) {
    for (Eigen::Index t = 0; t < logits[b].rows(); ++t) {
      const std::int64_t target = targets[b][t];
      if (target == ignore_index) continue;
      const auto row = logits[b].row(t);
      const double top = row.maxCoeff();  // subtracted first, so exp never overflows
      const double log_sum = top + std::log((row.array() - top).exp().sum());
      total += log_sum - row(target);
      ++real;
    }
  }
  return real == 0 ? 0.0 : total / static_cast<double>(real);
}
// [solution]

}  // namespace ex
