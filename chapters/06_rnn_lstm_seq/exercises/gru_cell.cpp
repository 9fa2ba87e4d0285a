// Exercise gru_cell (page 08 of the book: The GRU against the RNN and the LSTM).
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh gru_cell
#include "exercises/exercises.h"

namespace ex {

Vec gru_cell(const GruWeights& w, const Vec& x, const Vec& h) {
  // LibTorch's GRU: blocks r, z, n (rows [0, H), [H, 2H), [2H, 3H); H = w.w_hh.cols()).
  // r and z: sigmoid of the input part plus the hidden part. n = tanh(W_in x + b_in +
  // r * (W_hn h + b_hn)). h' = (1 - z) * n + z * h.
  not_started(__func__);
}

}  // namespace ex
