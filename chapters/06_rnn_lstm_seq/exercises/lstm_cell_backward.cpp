// Exercise lstm_cell_backward (page 04 of the book: The LSTM cell and its gates).
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh lstm_cell_backward
#include "exercises/exercises.h"

namespace ex {

LstmCellGrads lstm_cell_backward(const LstmWeights& w, const Vec& x, const LstmState& prev,
                                 const LstmState& dnext) {
  // Recompute the step's gates first. c_t gets gradient from two places: dnext.c, and h_t
  // through h_t = o * tanh(c_t). Then go back through each gate's sigmoid or tanh to the
  // stacked pre-activation, and from there to the weights, x_t and h_{t-1}.
  not_started(__func__);
}

}  // namespace ex
