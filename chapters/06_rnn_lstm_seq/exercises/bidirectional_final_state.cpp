// Exercise bidirectional_final_state, page 05 of the book.
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh bidirectional_final_state
#include "exercises/exercises.h"

namespace ex {

Mat bidirectional_final_state(const std::vector<Mat>& h_n, int num_layers) {
  // h_n holds 2 * num_layers matrices [B, H]: layer 0 forward, layer 0 backward, layer 1
  // forward, ... Return [B, 2H]: the last layer's forward state, then its backward state.
  not_started(__func__);
}

}  // namespace ex
