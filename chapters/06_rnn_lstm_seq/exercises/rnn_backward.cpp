// Exercise rnn_backward, page 03 of the book.
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh rnn_backward
#include "exercises/exercises.h"

namespace ex {

RnnGrads rnn_backward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0,
                      const std::vector<Vec>& hs, const std::vector<Vec>& dh) {
  // Walk from step T back to step 1. The gradient at h_t is dh[t-1] (from the loss at step t)
  // plus what flows back from step t+1. Through the tanh: multiply by 1 - h_t^2 (elementwise).
  // Accumulate the weights' gradients over every step; end with dL/dh_0 and each dL/dx_t.
  not_started(__func__);
}

}  // namespace ex
