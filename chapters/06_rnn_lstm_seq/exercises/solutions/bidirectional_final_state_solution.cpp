// Reference solution of the exercise bidirectional_final_state (page 05).
#include "exercises/exercises.h"

namespace ex {

// [solution]
Mat bidirectional_final_state(const std::vector<Mat>& h_n, int num_layers) {
  const Mat& forward = h_n.at(2 * (num_layers - 1));       // last layer, forward
  const Mat& backward = h_n.at(2 * (num_layers - 1) + 1);  // last layer, backward
  Mat joined(forward.rows(), forward.cols() + backward.cols());
  joined << forward, backward;
  return joined;
}
// [solution]

}  // namespace ex
