// A deliberately wrong version of the exercise clip_grad_norm (page 09).
// Its mistake: [zero_gradient]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

#include <algorithm>
#include <cmath>

namespace ex {

double clip_grad_norm(std::vector<Mat>& grads, double max_norm) {
  double squares = 0;
  for (const Mat& g : grads) squares += g.squaredNorm();
  const double norm = std::sqrt(squares);
  // The direction times the clipped length: 0 / 0 for a zero gradient.
  for (Mat& g : grads) g = g / norm * std::min(norm, max_norm);
  return norm;
}

}  // namespace ex
