// Reference solution of the exercise lstm_cell (page 04).
#include "exercises/exercises.h"

namespace ex {

// [solution]
LstmState lstm_cell(const LstmWeights& w, const Vec& x, const LstmState& prev) {
  const Eigen::Index hidden = w.w_hh.cols();
  const Vec a = w.w_ih * x + w.b_ih + w.w_hh * prev.h + w.b_hh;  // [4H]: i, f, g, o
  auto sigmoid = [](const Vec& v) -> Vec { return (1.0 / (1.0 + (-v.array()).exp())).matrix(); };
  const Vec i = sigmoid(a.segment(0 * hidden, hidden));
  const Vec f = sigmoid(a.segment(1 * hidden, hidden));
  const Vec g = a.segment(2 * hidden, hidden).array().tanh().matrix();
  const Vec o = sigmoid(a.segment(3 * hidden, hidden));
  LstmState next;
  next.c = f.cwiseProduct(prev.c) + i.cwiseProduct(g);  // not squashed: it recurs as it is
  next.h = o.cwiseProduct(next.c.array().tanh().matrix());
  return next;
}
// [solution]

}  // namespace ex
