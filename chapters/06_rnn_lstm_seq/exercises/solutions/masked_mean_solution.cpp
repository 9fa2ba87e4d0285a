// Reference solution of the exercise masked_mean (page 07).
#include "exercises/exercises.h"

namespace ex {

// [solution]
Mat masked_mean(const std::vector<Mat>& embedded, const std::vector<std::int64_t>& lengths) {
  Mat mean(static_cast<Eigen::Index>(embedded.size()), embedded.at(0).cols());
  for (std::size_t b = 0; b < embedded.size(); ++b) {
    const Eigen::Index n = lengths[b];
    mean.row(b) = embedded[b].topRows(n).colwise().sum() / static_cast<double>(n);
  }
  return mean;
}
// [solution]

}  // namespace ex
