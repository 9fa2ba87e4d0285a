// Reference solution of the exercise rnn_backward (page 03).
#include "exercises/exercises.h"

namespace ex {

// [solution]
RnnGrads rnn_backward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0,
                      const std::vector<Vec>& hs, const std::vector<Vec>& dh) {
  const auto steps = xs.size();
  RnnGrads g{Mat::Zero(w.w_ih.rows(), w.w_ih.cols()), Mat::Zero(w.w_hh.rows(), w.w_hh.cols()),
             Vec::Zero(w.b_ih.size()), Vec::Zero(w.b_hh.size()), Vec(), std::vector<Vec>(steps)};
  Vec from_later = Vec::Zero(h0.size());  // dL/dh_t through steps t+1..T
  for (auto t = steps; t-- > 0;) {
    const Vec& h_prev = t == 0 ? h0 : hs[t - 1];
    const Vec dh_t = dh[t] + from_later;                                // total dL/dh_t
    const Vec da = dh_t.array() * (1.0 - hs[t].array().square());        // through the tanh
    g.w_ih += da * xs[t].transpose();
    g.w_hh += da * h_prev.transpose();
    g.b_ih += da;
    g.xs[t] = w.w_ih.transpose() * da;
    from_later = w.w_hh.transpose() * da;
  }
  g.b_hh = g.b_ih;
  g.h0 = from_later;
  return g;
}
// [solution]

}  // namespace ex
