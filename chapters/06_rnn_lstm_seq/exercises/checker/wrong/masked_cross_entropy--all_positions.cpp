// A deliberately wrong version of the exercise masked_cross_entropy (page 09).
// Its mistake: [all_positions]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

#include <cmath>

namespace ex {

double masked_cross_entropy(const std::vector<Mat>& logits,
                            const std::vector<std::vector<std::int64_t>>& targets,
                            std::int64_t ignore_index) {
  double total = 0;
  std::int64_t real = 0;
  for (std::size_t b = 0; b < logits.size(); ++b) {
    for (Eigen::Index t = 0; t < logits[b].rows(); ++t) {
      const std::int64_t target = targets[b][t];
      ++real;  // every position counted
      if (target == ignore_index) continue;
      const auto row = logits[b].row(t);
      const double top = row.maxCoeff();  // subtracted first, so exp never overflows
      const double log_sum = top + std::log((row.array() - top).exp().sum());
      total += log_sum - row(target);
    }
  }
  return real == 0 ? 0.0 : total / static_cast<double>(real);
}

}  // namespace ex
