// A deliberately wrong version of the exercise bidirectional_final_state (page 05).
// Its mistake: [directions_swapped]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

namespace ex {

Mat bidirectional_final_state(const std::vector<Mat>& h_n, int num_layers) {
  const Mat& forward = h_n.at(2 * (num_layers - 1));       // last layer, forward
  const Mat& backward = h_n.at(2 * (num_layers - 1) + 1);  // last layer, backward
  Mat joined(forward.rows(), forward.cols() + backward.cols());
  joined << backward, forward;
  return joined;
}

}  // namespace ex
