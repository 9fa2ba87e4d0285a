// A deliberately wrong version of the exercise bidirectional_final_state (page 05).
// Its mistake: [wrong_layer]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

namespace ex {

Mat bidirectional_final_state(const std::vector<Mat>& h_n, int num_layers) {
  const Mat& forward = h_n.at(0);       // last layer, forward
  const Mat& backward = h_n.at(1);  // last layer, backward
  Mat joined(forward.rows(), forward.cols() + backward.cols());
  joined << forward, backward;
  return joined;
}

}  // namespace ex
