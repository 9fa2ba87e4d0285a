#pragma once
/// \file
/// A GRU cell from scratch in Eigen (double precision), in LibTorch's convention and in the
/// chapter's textbook form, and the parameter-count formula of RNN, GRU and LSTM layers. Torch-free.
///
/// LibTorch's GRU (gate blocks stacked in the order r, z, n):
/// \f[ r = \sigma(W_{ir}x + b_{ir} + W_{hr}h + b_{hr}),\quad z = \sigma(W_{iz}x + b_{iz} + W_{hz}h + b_{hz}) \f]
/// \f[ n = \tanh(W_{in}x + b_{in} + r \odot (W_{hn}h + b_{hn})),\quad h' = (1 - z)\odot n + z \odot h \f]
/// The textbook form applies the reset gate to h before the matrix product and lets z weight the
/// new candidate: \f$\tilde h = \tanh(W[r\odot h; x] + b)\f$, \f$h' = (1 - z)\odot h + z\odot\tilde h\f$.
#include "book/rng.h"

#include <Eigen/Dense>

#include <cstdint>
#include <optional>
#include <vector>

namespace ch06 {

/// The weights of one GRU cell in LibTorch's layout: the rows of every matrix and bias are the three
/// gate blocks r (reset), z (update), n (candidate), H rows each.
struct GruWeights {
  Eigen::MatrixXd w_ih;  ///< [3H, in]: W_ir; W_iz; W_in
  Eigen::MatrixXd w_hh;  ///< [3H, H]: W_hr; W_hz; W_hn
  Eigen::VectorXd b_ih;  ///< [3H]: b_ir; b_iz; b_in
  Eigen::VectorXd b_hh;  ///< [3H]: b_hr; b_hz; b_hn
  /// H, the size of the hidden state.
  Eigen::Index hidden_size() const { return w_hh.cols(); }
  /// The size of one input vector.
  Eigen::Index input_size() const { return w_ih.cols(); }
};

/// Weights drawn as LibTorch initialises them: every entry uniform in [-1/sqrt(H), 1/sqrt(H)].
GruWeights random_gru_weights(Eigen::Index input_size, Eigen::Index hidden_size, book::Rng& rng);

/// Gate values forced to a constant instead of computed, for property checks (e.g. z = 1).
struct GruForce {
  std::optional<double> r;  ///< if set, every entry of the reset gate takes this value
  std::optional<double> z;  ///< if set, every entry of the update gate takes this value
};

/// One step of the cell, with its gates.
struct GruStep {
  Eigen::VectorXd r;  ///< reset gate
  Eigen::VectorXd z;  ///< update gate: the share of the old state kept
  Eigen::VectorXd n;  ///< candidate state
  Eigen::VectorXd h;  ///< the new state h'
};

/// One step in LibTorch's convention (see the file comment) from input `x` and state `h`.
GruStep gru_step(const GruWeights& w, const Eigen::VectorXd& x, const Eigen::VectorXd& h, const GruForce& force = {});

/// Runs the cell over `xs` from `h0`; returns one GruStep per input.
std::vector<GruStep> gru_sequence(const GruWeights& w, const std::vector<Eigen::VectorXd>& xs,
                                  const Eigen::VectorXd& h0, const GruForce& force = {});

/// The chapter's textbook GRU: each gate reads the concatenation [h; x].
struct TextbookGruWeights {
  Eigen::MatrixXd w_z;  ///< [H, H + in], update gate (the share of the *new* candidate)
  Eigen::MatrixXd w_r;  ///< [H, H + in], reset gate
  Eigen::MatrixXd w;    ///< [H, H + in], candidate, applied to [r ⊙ h; x]
  Eigen::VectorXd b_z;  ///< [H]
  Eigen::VectorXd b_r;  ///< [H]
  Eigen::VectorXd b;    ///< [H]
};

/// One textbook step: z = σ(W_z[h; x] + b_z), r = σ(W_r[h; x] + b_r),
/// h̃ = tanh(W[r ⊙ h; x] + b), h' = (1 − z) ⊙ h + z ⊙ h̃. Returns h'. `force` overrides r and z
/// (z in the textbook's meaning).
Eigen::VectorXd textbook_gru_step(const TextbookGruWeights& w, const Eigen::VectorXd& x, const Eigen::VectorXd& h,
                                  const GruForce& force = {});

/// The same numbers arranged as a textbook cell: W_r = [W_hr, W_ir], b_r = b_ir + b_hr; the update gate
/// negated (W_z = −[W_hz, W_iz], b_z = −(b_iz + b_hz)), so that the textbook's z equals LibTorch's 1 − z;
/// W = [W_hn, W_in], b = b_in + b_hn. The two cells then differ only in where the reset gate acts:
/// they agree exactly when r = 1, and differ otherwise.
TextbookGruWeights to_textbook(const GruWeights& w);

/// Largest difference between LibTorch's cell `w` and the same numbers in the textbook form
/// (to_textbook), each running its own recurrence over `xs` from `h0`. `force` fixes gates in
/// LibTorch's meaning; a forced z is given to the textbook cell as 1 − z.
double textbook_difference(const GruWeights& w, const std::vector<Eigen::VectorXd>& xs, const Eigen::VectorXd& h0,
                           const GruForce& force = {});

/// Parameters of one direction of one recurrent layer: G·(H·in + H·H + 2H), with G gate blocks
/// (1 for an RNN, 3 for a GRU, 4 for an LSTM): input weights, recurrent weights and two biases.
std::int64_t recurrent_layer_parameter_formula(std::int64_t gates, std::int64_t input_size, std::int64_t hidden_size);

}  // namespace ch06
