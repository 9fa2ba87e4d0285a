// A deliberately wrong version of the exercise clip_grad_norm (page 09).
// Its mistake: [per_tensor]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

#include <cmath>

namespace ex {

double clip_grad_norm(std::vector<Mat>& grads, double max_norm) {
  double squares = 0;
  for (Mat& g : grads) {  // each tensor clipped on its own
    squares += g.squaredNorm();
    if (g.norm() > max_norm) g *= max_norm / g.norm();
  }
  return std::sqrt(squares);
}

}  // namespace ex
