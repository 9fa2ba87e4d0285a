// Exercise clip_grad_norm (page 09 of the book: Exploding gradients, clipping and masking).
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh clip_grad_norm
#include "exercises/exercises.h"

namespace ex {

double clip_grad_norm(std::vector<Mat>& grads, double max_norm) {
  // The global norm: the square root of the sum of the squares of every entry of every matrix.
  // If it is above max_norm, scale every matrix by max_norm / norm. Return the norm from
  // before the scaling.
  not_started(__func__);
}

}  // namespace ex
