// Exercise rnn_forward (page 02 of the book: The RNN from scratch in Eigen).
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh rnn_forward
#include "exercises/exercises.h"

namespace ex {

std::vector<Vec> rnn_forward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0) {
  // Run the layer over xs from h0: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).
  // Return h_1..h_T, one vector per input (not h0).
  // The same four weights serve every step.
  not_started(__func__);
}

}  // namespace ex
