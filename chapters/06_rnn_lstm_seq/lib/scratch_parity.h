#pragma once
/// \file
/// The bridge between LibTorch and the from-scratch Eigen models of programs 02-04: copying
/// weights from `torch::nn::RNN`, `Linear`, `LSTMCell` and `LSTM` into Eigen, the parity checks
/// (same weights, same inputs, compare the outputs), BPTT against autograd, the LSTM curve of the
/// gradient-flow experiment, and ∂c_t/∂c_{t-1} against autograd.
#include "lib/scratch_lstm.h"
#include "lib/scratch_rnn.h"

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace ch06 {

/// A 2-D tensor as an Eigen matrix of doubles (any dtype, any device).
Mat to_eigen_matrix(const torch::Tensor& t);
/// A 1-D tensor as an Eigen vector of doubles.
Vec to_eigen_vector(const torch::Tensor& t);
/// An Eigen matrix as a 2-D float64 tensor on the CPU.
torch::Tensor to_tensor(const Mat& m);

/// The weights of `rnn` (every layer; one direction) and of the readout `fc`, copied into Eigen.
ScratchRnn copy_rnn_weights(const torch::nn::RNN& rnn, const torch::nn::Linear& fc);

/// The weights of an LSTM cell, copied into Eigen in LibTorch's i, f, g, o order.
LstmWeights copy_lstm_weights(const torch::nn::LSTMCell& cell);
/// The weights of layer `layer` (forward direction) of an LSTM, copied into Eigen.
LstmWeights copy_lstm_weights(const torch::nn::LSTM& lstm, int layer = 0);

/// Largest absolute differences between the Eigen model and LibTorch on the same weights and inputs.
struct Parity {
  double outputs = 0;      ///< over every output entry of every step and sequence
  double final_state = 0;  ///< over the final states (h_n, and c_n for an LSTM) of every layer
  /// The larger of the two.
  double max() const { return std::max(outputs, final_state); }
};

/// An Elman RNN of `sizes` (with its Linear readout) in LibTorch, float64, initialised by LibTorch
/// from `seed`; `batch` random sequences of `steps` steps and random initial states; the Eigen
/// model with the copied weights runs each sequence. Compares every y_t and h_n.
Parity rnn_parity(const RnnSizes& sizes, int steps, int batch, std::uint64_t seed);

/// `torch::nn::LSTMCell(input, hidden)` in float64 against lstm_cell() with the copied weights, on
/// `batch` random (x, h, c): compares h' (as outputs) and c' (as final_state).
Parity lstm_cell_parity(std::int64_t input, std::int64_t hidden, int batch, std::uint64_t seed);

/// A one-layer `torch::nn::LSTM(input, hidden)` in float64 over `batch` random sequences of
/// `steps` steps against lstm_sequence() with the copied weights: every h_t, then h_n and c_n.
Parity lstm_layer_parity(std::int64_t input, std::int64_t hidden, int steps, int batch, std::uint64_t seed);

/// Manual BPTT against LibTorch autograd on the same weights and the same loss.
struct BpttVsAutograd {
  double loss_manual = 0;  ///< the Eigen model's summed cross-entropy
  double loss_torch = 0;   ///< LibTorch's
  GradCheck params;        ///< every parameter entry
  GradCheck hidden;        ///< dL/dh_t of every layer at every step t = 0..T
  GradCheck inputs;        ///< dL/dx_t
};

/// Builds `torch::nn::RNN` + `Linear` of `sizes` in float64 from `seed`, copies them into Eigen,
/// and computes the gradients of the summed cross-entropy over `steps` random steps both ways.
/// LibTorch runs its RNN cell op (`torch::rnn_tanh_cell`) on the module's parameters one step and
/// one layer at a time, so that every h_t of every layer is a node whose gradient autograd keeps.
BpttVsAutograd bptt_vs_autograd(const RnnSizes& sizes, int steps, std::uint64_t seed, const GradTolerance& tol);

/// How the gradient of L = v·h_T flows back through an LSTM, at distance k = T - t, k = 0..T-1.
/// Going back one step, the cell state's gradient obeys
/// ∂L/∂c_t = f_{t+1} ⊙ ∂L/∂c_{t+1} + o_t ⊙ tanh'(c_t) ⊙ ∂L/∂h_t:
/// the first term is the cell lane, the second what joins it at step t through h_t (which reaches
/// the loss through the next step's gates and their recurrent weights).
struct LstmGradientFlow {
  std::vector<double> dh;         ///< ‖∂L/∂h_t‖ (autograd)
  std::vector<double> dc;         ///< ‖∂L/∂c_t‖ (autograd)
  std::vector<double> lane_only;  ///< ‖(f_{t+1} ⊙ … ⊙ f_T) ⊙ ∂L/∂c_T‖: the lane alone from c_T
  std::vector<double> joining;    ///< ‖o_t ⊙ tanh'(c_t) ⊙ ∂L/∂h_t‖: what joins the lane at t
  std::vector<double> join_gate;  ///< o_t ⊙ tanh'(c_t) averaged over the units: how much of ∂L/∂h_t joins
  std::vector<double> cell_size;  ///< |c_t| averaged over the units
  double forget_product = 0;      ///< f_2 ⊙ … ⊙ f_T, averaged over the units (k = T - 1)
  double mean_forget = 0;         ///< f_t averaged over the units and the steps 2..T
  double identity_error = 0;      ///< max over t of the identity's error, relative to ‖∂L/∂c_t‖
};

/// A `torch::nn::LSTM(input, hidden)` in float64 initialised by LibTorch from `seed`, with the
/// forget gate's two biases set so that they sum to `forget_bias`, and a random unit readout
/// vector v. Steps through `xs` with the cell written out in LibTorch ops on the module's
/// parameters (checked against the module's own forward pass), and measures by autograd how the
/// gradient of L = v·h_T reaches every h_t and c_t.
LstmGradientFlow lstm_gradient_norms(std::int64_t input, std::int64_t hidden, double forget_bias,
                                     const Sequence& xs, std::uint64_t seed);

/// ∂c_t/∂c_{t-1} of `torch::nn::LSTMCell` by autograd, holding h_{t-1} fixed (the full H×H
/// Jacobian, one backward pass per row), against the forget gate f_t computed by lstm_cell() with
/// the copied weights.
struct CellJacobianCheck {
  double max_diagonal_error = 0;  ///< max |J_jj - f_j|
  double max_off_diagonal = 0;    ///< max |J_jk| for j != k (should be 0)
  Vec forget_gate;                ///< f_t from the Eigen cell
};

/// The check above for one random (x, h, C) of a cell with `input` inputs and `hidden` units.
CellJacobianCheck cell_state_jacobian(std::int64_t input, std::int64_t hidden, std::uint64_t seed);

}  // namespace ch06
