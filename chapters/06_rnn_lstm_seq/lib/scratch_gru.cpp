#include "lib/scratch_gru.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace {

Eigen::VectorXd sigmoid(const Eigen::VectorXd& a) { return (1.0 + (-a.array()).exp()).inverse().matrix(); }

Eigen::MatrixXd uniform_matrix(Eigen::Index rows, Eigen::Index cols, double bound, book::Rng& rng) {
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) m(i, j) = bound * (2.0 * book::uniform01(rng) - 1.0);
  }
  return m;
}

void check_shapes(const GruWeights& w, const Eigen::VectorXd& x, const Eigen::VectorXd& h) {
  const Eigen::Index hs = w.hidden_size();
  if (w.w_hh.rows() != 3 * hs || w.w_ih.rows() != 3 * hs || w.b_ih.size() != 3 * hs || w.b_hh.size() != 3 * hs) {
    throw std::invalid_argument("GRU weights must have 3H rows");
  }
  if (x.size() != w.input_size() || h.size() != hs) {
    throw std::invalid_argument("GRU step: x must have input_size entries and h hidden_size entries");
  }
}

}  // namespace

GruWeights random_gru_weights(Eigen::Index input_size, Eigen::Index hidden_size, book::Rng& rng) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));
  GruWeights w;
  w.w_ih = uniform_matrix(3 * hidden_size, input_size, bound, rng);
  w.w_hh = uniform_matrix(3 * hidden_size, hidden_size, bound, rng);
  w.b_ih = uniform_matrix(3 * hidden_size, 1, bound, rng);
  w.b_hh = uniform_matrix(3 * hidden_size, 1, bound, rng);
  return w;
}

// [gru_step]
GruStep gru_step(const GruWeights& w, const Eigen::VectorXd& x, const Eigen::VectorXd& h,
                 const GruForce& force) {
  check_shapes(w, x, h);
  const Eigen::Index hs = w.hidden_size();
  const Eigen::VectorXd gi = w.w_ih * x + w.b_ih;  // [3H]: input parts of r, z, n
  const Eigen::VectorXd gh = w.w_hh * h + w.b_hh;  // [3H]: hidden parts of r, z, n
  GruStep s;
  s.r = force.r ? Eigen::VectorXd::Constant(hs, *force.r)
                : sigmoid(gi.segment(0, hs) + gh.segment(0, hs));
  s.z = force.z ? Eigen::VectorXd::Constant(hs, *force.z)
                : sigmoid(gi.segment(hs, hs) + gh.segment(hs, hs));
  // The reset gate scales W_hn·h + b_hn, after the product and its bias.
  s.n = (gi.segment(2 * hs, hs) + s.r.cwiseProduct(gh.segment(2 * hs, hs))).array().tanh().matrix();
  // z is the share of the old state that is kept.
  s.h = (1.0 - s.z.array()).matrix().cwiseProduct(s.n) + s.z.cwiseProduct(h);
  return s;
}
// [gru_step]

std::vector<GruStep> gru_sequence(const GruWeights& w, const std::vector<Eigen::VectorXd>& xs,
                                  const Eigen::VectorXd& h0, const GruForce& force) {
  std::vector<GruStep> steps;
  steps.reserve(xs.size());
  Eigen::VectorXd h = h0;
  for (const auto& x : xs) {
    steps.push_back(gru_step(w, x, h, force));
    h = steps.back().h;
  }
  return steps;
}

// [textbook_step]
Eigen::VectorXd textbook_gru_step(const TextbookGruWeights& w, const Eigen::VectorXd& x,
                                  const Eigen::VectorXd& h, const GruForce& force) {
  const Eigen::Index hs = h.size();
  if (w.w.rows() != hs || w.w.cols() != hs + x.size())
    throw std::invalid_argument("textbook GRU: W must be [H, H + in]");
  Eigen::VectorXd hx(hs + x.size());
  hx << h, x;
  const Eigen::VectorXd z =
      force.z ? Eigen::VectorXd::Constant(hs, *force.z) : sigmoid(w.w_z * hx + w.b_z);
  const Eigen::VectorXd r =
      force.r ? Eigen::VectorXd::Constant(hs, *force.r) : sigmoid(w.w_r * hx + w.b_r);
  Eigen::VectorXd rhx(hs + x.size());
  rhx << r.cwiseProduct(h), x;  // the reset gate scales h before the product
  const Eigen::VectorXd candidate = (w.w * rhx + w.b).array().tanh().matrix();
  // z is the share of the new candidate.
  return (1.0 - z.array()).matrix().cwiseProduct(h) + z.cwiseProduct(candidate);
}
// [textbook_step]

TextbookGruWeights to_textbook(const GruWeights& w) {
  const Eigen::Index hs = w.hidden_size();
  const Eigen::Index in = w.input_size();
  auto join = [&](Eigen::Index block) {
    Eigen::MatrixXd m(hs, hs + in);
    m << w.w_hh.middleRows(block * hs, hs), w.w_ih.middleRows(block * hs, hs);
    return m;
  };
  auto bias = [&](Eigen::Index block) -> Eigen::VectorXd {
    return w.b_ih.segment(block * hs, hs) + w.b_hh.segment(block * hs, hs);
  };
  TextbookGruWeights t;
  t.w_r = join(0);
  t.b_r = bias(0);
  t.w_z = -join(1);  // σ(−a) = 1 − σ(a): the textbook's z is LibTorch's 1 − z
  t.b_z = -bias(1);
  t.w = join(2);
  t.b = bias(2);
  return t;
}

double textbook_difference(const GruWeights& w, const std::vector<Eigen::VectorXd>& xs, const Eigen::VectorXd& h0,
                           const GruForce& force) {
  const TextbookGruWeights t = to_textbook(w);
  GruForce textbook_force = force;
  if (force.z) textbook_force.z = 1.0 - *force.z;
  Eigen::VectorXd h_library = h0;
  Eigen::VectorXd h_textbook = h0;
  double diff = 0;
  for (const auto& x : xs) {
    h_library = gru_step(w, x, h_library, force).h;
    h_textbook = textbook_gru_step(t, x, h_textbook, textbook_force);
    diff = std::max(diff, (h_library - h_textbook).cwiseAbs().maxCoeff());
  }
  return diff;
}

// [parameter_formula]
std::int64_t recurrent_layer_parameter_formula(std::int64_t gates, std::int64_t input_size,
                                               std::int64_t hidden_size) {
  const std::int64_t h = hidden_size;
  return gates * (h * input_size + h * h + 2 * h);
}
// [parameter_formula]

}  // namespace ch06
