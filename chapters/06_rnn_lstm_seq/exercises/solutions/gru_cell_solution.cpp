// Reference solution of the exercise gru_cell (page 08).
#include "exercises/exercises.h"

namespace ex {

// [solution]
Vec gru_cell(const GruWeights& w, const Vec& x, const Vec& h) {
  const Eigen::Index hidden = w.w_hh.cols();
  const Vec in = w.w_ih * x + w.b_ih;   // [3H]: the input parts of r, z, n
  const Vec hid = w.w_hh * h + w.b_hh;  // [3H]: the hidden parts
  auto sigmoid = [](const Vec& v) -> Vec { return (1.0 / (1.0 + (-v.array()).exp())).matrix(); };
  const Vec r = sigmoid(in.segment(0, hidden) + hid.segment(0, hidden));
  const Vec z = sigmoid(in.segment(hidden, hidden) + hid.segment(hidden, hidden));
  // The reset gate scales the hidden part *after* its matrix product and bias.
  const Vec n = (in.segment(2 * hidden, hidden) + r.cwiseProduct(hid.segment(2 * hidden, hidden)))
                    .array().tanh().matrix();
  return (1.0 - z.array()).matrix().cwiseProduct(n) + z.cwiseProduct(h);
}
// [solution]

}  // namespace ex
