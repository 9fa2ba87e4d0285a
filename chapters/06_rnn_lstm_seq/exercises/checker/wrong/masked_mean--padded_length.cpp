// A deliberately wrong version of the exercise masked_mean (page 07).
// Its mistake: [padded_length]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

namespace ex {

Mat masked_mean(const std::vector<Mat>& embedded, const std::vector<std::int64_t>& lengths) {
  Mat mean(static_cast<Eigen::Index>(embedded.size()), embedded.at(0).cols());
  for (std::size_t b = 0; b < embedded.size(); ++b) {
    const Eigen::Index n = lengths[b];
    mean.row(b) = embedded[b].topRows(n).colwise().sum() / static_cast<double>(embedded[b].rows());
  }
  return mean;
}

}  // namespace ex
