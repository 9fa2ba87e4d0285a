// Reference solution of the exercise last_real_output (page 06).
#include "exercises/exercises.h"

namespace ex {

// [solution]
Mat last_real_output(const std::vector<Mat>& output,
                     const std::vector<std::int64_t>& lengths) {
  Mat last(static_cast<Eigen::Index>(output.size()), output.at(0).cols());
  for (std::size_t b = 0; b < output.size(); ++b) {
    last.row(b) = output[b].row(lengths[b] - 1);  // not row T_max - 1: that may be padding
  }
  return last;
}
// [solution]

}  // namespace ex
