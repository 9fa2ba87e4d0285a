// Reference solution of the exercise rnn_forward (page 02).
#include "exercises/exercises.h"

namespace ex {

// [solution]
std::vector<Vec> rnn_forward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0) {
  std::vector<Vec> hs;
  Vec h = h0;
  for (const Vec& x : xs) {
    h = (w.w_ih * x + w.b_ih + w.w_hh * h + w.b_hh).array().tanh().matrix();
    hs.push_back(h);
  }
  return hs;
}
// [solution]

}  // namespace ex
