// A deliberately wrong version of the exercise rnn_forward (page 02).
// Its mistake: [bias_once]. The book's tests prove that the checker fails it and names it.
#include "exercises/exercises.h"

namespace ex {

std::vector<Vec> rnn_forward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0) {
  std::vector<Vec> hs;
  Vec h = h0;
  for (const Vec& x : xs) {
    h = (w.w_ih * x + w.b_ih + w.w_hh * h).array().tanh().matrix();
    hs.push_back(h);
  }
  return hs;
}

}  // namespace ex
