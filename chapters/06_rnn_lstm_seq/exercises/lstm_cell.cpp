// Exercise lstm_cell (page 04 of the book: The LSTM cell and its gates).
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh lstm_cell
#include "exercises/exercises.h"

namespace ex {

LstmState lstm_cell(const LstmWeights& w, const Vec& x, const LstmState& prev) {
  // One matrix product per input gives all four pre-activations, stacked i, f, g, o
  // (rows [0, H), [H, 2H), [2H, 3H), [3H, 4H); H = w.w_hh.cols()).
  // i, f, o: sigmoid; g: tanh. c_t = f * c_{t-1} + i * g; h_t = o * tanh(c_t) (elementwise).
  not_started(__func__);
}

}  // namespace ex
