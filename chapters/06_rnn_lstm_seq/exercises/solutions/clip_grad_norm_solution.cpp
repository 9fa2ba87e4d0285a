// Reference solution of the exercise clip_grad_norm (page 09).
#include "exercises/exercises.h"

#include <cmath>

namespace ex {

// [solution]
double clip_grad_norm(std::vector<Mat>& grads, double max_norm) {
  double squares = 0;
  for (const Mat& g : grads) squares += g.squaredNorm();
  const double norm = std::sqrt(squares);
  if (norm > max_norm) {  // also keeps a zero gradient away from a division by zero
    for (Mat& g : grads) g *= max_norm / norm;
  }
  return norm;
}
// [solution]

}  // namespace ex
