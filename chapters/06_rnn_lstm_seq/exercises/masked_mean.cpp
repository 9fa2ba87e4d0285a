// Exercise masked_mean (page 07 of the book: A sentiment LSTM that reads word order).
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh masked_mean
#include "exercises/exercises.h"

namespace ex {

Mat masked_mean(const std::vector<Mat>& embedded, const std::vector<std::int64_t>& lengths) {
  // embedded[b] is [T_max, E]; its rows past lengths[b] are padding and may hold anything.
  // Row b of the result: the mean of text b's real rows.
  not_started(__func__);
}

}  // namespace ex
