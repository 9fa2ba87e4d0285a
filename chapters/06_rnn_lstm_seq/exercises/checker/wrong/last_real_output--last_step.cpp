// A deliberately wrong version of the exercise last_real_output (page 06).
// Its mistake: [last_step]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

namespace ex {

Mat last_real_output(const std::vector<Mat>& output,
                     const std::vector<std::int64_t>& lengths) {
  Mat last(static_cast<Eigen::Index>(output.size()), output.at(0).cols());
  for (std::size_t b = 0; b < output.size(); ++b) {
    last.row(b) = output[b].row(output[b].rows() - 1);  // output[:, -1]
  }
  return last;
}

}  // namespace ex
