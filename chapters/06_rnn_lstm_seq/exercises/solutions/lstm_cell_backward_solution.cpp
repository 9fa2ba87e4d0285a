// Reference solution of the exercise lstm_cell_backward (page 04).
#include "exercises/exercises.h"

namespace ex {

// [solution]
LstmCellGrads lstm_cell_backward(const LstmWeights& w, const Vec& x, const LstmState& prev,
                                 const LstmState& dnext) {
  const Eigen::Index hidden = w.w_hh.cols();
  // The forward step again, keeping the gates.
  const Vec a = w.w_ih * x + w.b_ih + w.w_hh * prev.h + w.b_hh;
  auto sigmoid = [](const Vec& v) -> Vec { return (1.0 / (1.0 + (-v.array()).exp())).matrix(); };
  const Vec i = sigmoid(a.segment(0 * hidden, hidden));
  const Vec f = sigmoid(a.segment(1 * hidden, hidden));
  const Vec g = a.segment(2 * hidden, hidden).array().tanh().matrix();
  const Vec o = sigmoid(a.segment(3 * hidden, hidden));
  const Vec c = f.cwiseProduct(prev.c) + i.cwiseProduct(g);
  const Vec tanh_c = c.array().tanh().matrix();

  // c_t receives gradient from later steps and from h_t = o * tanh(c_t).
  const Vec dc = dnext.c + dnext.h.cwiseProduct(o).cwiseProduct(
                               (1.0 - tanh_c.array().square()).matrix());
  const Vec d_o = dnext.h.cwiseProduct(tanh_c);
  const Vec d_i = dc.cwiseProduct(g);
  const Vec d_f = dc.cwiseProduct(prev.c);
  const Vec d_g = dc.cwiseProduct(i);

  // Back through the gates' nonlinearities to the stacked pre-activation.
  Vec da(4 * hidden);
  da.segment(0 * hidden, hidden) = d_i.array() * i.array() * (1.0 - i.array());
  da.segment(1 * hidden, hidden) = d_f.array() * f.array() * (1.0 - f.array());
  da.segment(2 * hidden, hidden) = d_g.array() * (1.0 - g.array().square());
  da.segment(3 * hidden, hidden) = d_o.array() * o.array() * (1.0 - o.array());

  LstmCellGrads grads;
  grads.w_ih = da * x.transpose();
  grads.w_hh = da * prev.h.transpose();
  grads.b_ih = da;
  grads.b_hh = da;
  grads.x = w.w_ih.transpose() * da;
  grads.prev.h = w.w_hh.transpose() * da;
  grads.prev.c = dc.cwiseProduct(f);
  return grads;
}
// [solution]

}  // namespace ex
