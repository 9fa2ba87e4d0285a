#pragma once
/// \file
/// The Elman RNN from scratch in Eigen, in double precision: the unrolled forward pass, manual
/// backpropagation through time (BPTT), a finite-difference gradient check, SGD with gradient
/// clipping in the optimiser step, and the gradient-flow experiment of program 03. Torch-free.
///
/// Conventions follow LibTorch, so that weights can be copied one to one: column vectors,
/// `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`, `y_t = W_hy h_t + b_hy`, parameter names
/// `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0` per layer and `fc.weight`, `fc.bias`.
#include "book/rng.h"

#include <Eigen/Dense>

#include <functional>
#include <string>
#include <vector>

namespace ch06 {

using Mat = Eigen::MatrixXd;  ///< a dense double matrix
using Vec = Eigen::VectorXd;  ///< a dense double column vector
using Sequence = std::vector<Vec>;  ///< one vector per time step

/// One recurrent layer: `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`.
struct RnnLayer {
  Mat w_ih;  ///< [H, in]
  Mat w_hh;  ///< [H, H]
  Vec b_ih;  ///< [H]
  Vec b_hh;  ///< [H]
};

/// Stacked recurrent layers and a readout `y_t = W_hy h_t + b_hy` on the top layer's state. The
/// same weights are used at every time step.
struct ScratchRnn {
  std::vector<RnnLayer> layers;  ///< bottom layer first
  Mat w_hy;                      ///< [O, H]
  Vec b_hy;                      ///< [O]

  /// Size of x_t.
  Eigen::Index input_size() const { return layers.front().w_ih.cols(); }
  /// Size of h_t (the same in every layer).
  Eigen::Index hidden_size() const { return layers.front().w_hh.rows(); }
  /// Size of y_t.
  Eigen::Index output_size() const { return w_hy.rows(); }
  /// Number of stacked layers.
  std::size_t num_layers() const { return layers.size(); }
};

/// The sizes of a ScratchRnn.
struct RnnSizes {
  Eigen::Index input = 1;   ///< size of x_t
  Eigen::Index hidden = 1;  ///< size of h_t
  Eigen::Index output = 1;  ///< size of y_t
  int layers = 1;           ///< stacked layers
};

/// A model of `sizes` with every parameter drawn uniformly from [-1/sqrt(H), 1/sqrt(H)], as
/// LibTorch initialises `nn::RNN` and the weight of `nn::Linear(H, O)`.
ScratchRnn make_scratch_rnn(const RnnSizes& sizes, book::Rng& rng);

/// A model of the same shapes with every parameter zero (the shape of a gradient).
ScratchRnn zeros_like(const ScratchRnn& model);

/// A named view of one parameter tensor's storage (column-major for matrices).
struct ParamView {
  std::string name;           ///< LibTorch's name, e.g. "weight_hh_l0" or "fc.bias"
  double* data = nullptr;     ///< first element
  Eigen::Index rows = 0;      ///< rows (the size, for a vector)
  Eigen::Index cols = 0;      ///< columns (1 for a vector)
  /// Number of entries.
  Eigen::Index size() const { return rows * cols; }
};

/// Views of every parameter of `model`, layer by layer, then the readout.
std::vector<ParamView> parameters(ScratchRnn& model);

/// Everything the forward pass computed; BPTT needs it.
struct RnnForward {
  Sequence inputs;                  ///< x_1..x_T, at [0..T-1]
  std::vector<Sequence> hidden;     ///< hidden[l][t], t = 0..T; hidden[l][0] is the initial state
  Sequence outputs;                 ///< y_1..y_T, at [0..T-1]
  /// The final state of every layer, h_T.
  std::vector<Vec> final_state() const;
};

/// Runs `model` over `xs`, one step at a time with the same weights at every step. `h0` holds one
/// initial state per layer; empty means zeros. Throws std::invalid_argument on a size mismatch.
RnnForward rnn_forward(const ScratchRnn& model, const Sequence& xs, const std::vector<Vec>& h0 = {});

/// The gradients BPTT computes.
struct RnnGradients {
  ScratchRnn params;             ///< dL/d(every parameter), same shapes as the model
  std::vector<Sequence> hidden;  ///< dL/dh[l][t], t = 0..T: the total derivative through every later step
  Sequence inputs;               ///< dL/dx_t, at [0..T-1]
};

/// Manual backpropagation through time. `output_grads[t]` is dL/dy_{t+1} (zero where the loss
/// does not look at a step). Walks the unrolled graph backwards, from the top layer down and from
/// step T to step 1, and accumulates the shared weights' gradients over every step. No clipping:
/// the exact gradient is what the gradient checks compare.
RnnGradients rnn_backward(const ScratchRnn& model, const RnnForward& forward, const Sequence& output_grads);

/// A loss and its gradient with respect to each output y_t.
struct LossAndGrads {
  double loss = 0;        ///< summed over the steps
  Sequence output_grads;  ///< dL/dy_t, at [0..T-1]
};

/// Softmax cross-entropy of each output against its target class, summed over the steps. A
/// negative target skips that step. Computed stably (the largest logit is subtracted first).
LossAndGrads softmax_cross_entropy(const Sequence& outputs, const std::vector<int>& targets);

/// Forward, loss and BPTT in one call: what a training step and the gradient checks need.
struct LossGradients {
  double loss = 0;        ///< summed cross-entropy
  RnnGradients grads;     ///< its gradients
  RnnForward forward;     ///< the forward pass it came from
};

/// Softmax cross-entropy of `model` on `xs` against `targets`, with its BPTT gradients.
LossGradients loss_and_gradients(const ScratchRnn& model, const Sequence& xs, const std::vector<int>& targets,
                                 const std::vector<Vec>& h0 = {});

/// The comparison of one gradient with a reference.
struct GradCheck {
  double max_rel_error = 0;      ///< largest |a - r| / max(|a|, |r|) over entries above `abs_floor`
  double max_abs_error = 0;      ///< largest |a - r| over entries at or below `abs_floor` (near zero)
  double max_abs_error_all = 0;  ///< largest |a - r| over every entry
  Eigen::Index entries = 0;      ///< entries compared
  Eigen::Index failures = 0;     ///< entries outside the tolerance
  std::string worst;             ///< "weight_hh_l0[2,1]" of the largest relative error
  /// True if every entry was inside the tolerance.
  bool ok() const { return failures == 0; }
};

/// Tolerances of a gradient comparison: relative above `abs_floor` in magnitude, absolute below it.
struct GradTolerance {
  double rel = 1e-6;        ///< relative tolerance for entries clearly away from zero
  double abs_floor = 1e-6;  ///< entries with max(|a|, |r|) at or below this are compared absolutely
  double abs = 1e-10;       ///< absolute tolerance near zero
};

/// Adds the comparison of `analytic` with `reference` (same size) to `check`; `name` labels it.
void compare_gradients(const std::string& name, const double* analytic, const double* reference, Eigen::Index rows,
                       Eigen::Index cols, const GradTolerance& tol, GradCheck& check);

/// Compares BPTT's parameter gradients, and dL/dh_0 and dL/dx_t, with central finite differences
/// (f(w + eps) - f(w - eps)) / (2 eps) on every entry, in double precision.
GradCheck finite_difference_check(const ScratchRnn& model, const Sequence& xs, const std::vector<int>& targets,
                                  const std::vector<Vec>& h0, double eps, const GradTolerance& tol);

/// Scales the gradient to global L2 norm `max_norm` if it is larger (0 = never), then takes one SGD
/// step `w -= lr * g`. Clipping happens here, in the optimiser step, never inside the backward
/// pass, so the gradient checks see the exact gradient. Returns the norm before clipping.
double sgd_step(ScratchRnn& model, ScratchRnn grads, double lr, double max_norm);

/// The largest absolute eigenvalue of a square matrix.
double spectral_radius(const Mat& w);

/// `w` scaled so that its spectral radius is `radius`.
Mat scale_to_spectral_radius(const Mat& w, double radius);

/// W_hh h + W_ih x computed as two products, in the book's column-vector form: W_hh is [H, H],
/// W_ih is [H, in], and each column of `h` [H, B] and `x` [in, B] is one sequence of the batch.
Mat two_products(const Mat& w_hh, const Mat& w_ih, const Mat& h, const Mat& x);

/// The same sum computed as one product of the concatenations, state first: [W_hh, W_ih] [h; x].
Mat concatenated_product(const Mat& w_hh, const Mat& w_ih, const Mat& h, const Mat& x);

}  // namespace ch06

namespace ch06 {

/// The set-up of the gradient-flow experiment (program 03).
struct GradientFlowSetup {
  Eigen::Index input = 8;    ///< size of x_t
  Eigen::Index hidden = 32;  ///< size of h_t
  int steps = 30;            ///< T: the loss looks at step T only
  double input_scale = 0;    ///< x_t is drawn from N(0, input_scale^2); 0 keeps the state at the origin
};

/// A one-layer RNN for the experiment: W_hh drawn from N(0, 1/H) and scaled to spectral radius
/// `radius`, W_ih uniform as in make_scratch_rnn, zero biases, and a readout `y = v·h` with a
/// random unit vector v, so that the loss L = y_T has ‖∂L/∂h_T‖ = 1.
ScratchRnn make_gradient_flow_rnn(const GradientFlowSetup& setup, double radius, book::Rng& rng);

/// The inputs of the experiment: `setup.steps` vectors drawn from N(0, input_scale^2).
Sequence make_gradient_flow_inputs(const GradientFlowSetup& setup, book::Rng& rng);

/// ‖∂L/∂h_t‖ for the loss L = y_T, by BPTT. Entry k is the norm at distance k from the loss, that
/// is at t = T - k, for k = 0..T-1.
std::vector<double> rnn_gradient_norms(const ScratchRnn& model, const Sequence& xs);

}  // namespace ch06

namespace ch06 {

/// A next-character task for a from-scratch RNN: one-hot inputs and target classes.
struct CharTask {
  std::string vocab;         ///< the distinct characters, in order of first appearance; class = index
  Sequence inputs;           ///< one-hot x_t for each input character
  std::vector<int> targets;  ///< the class of the character that should follow each input character
};

/// The task "`input` should produce `target`" (same length, e.g. "hell" → "ello"). Throws
/// std::invalid_argument if the lengths differ or are zero.
CharTask make_char_task(const std::string& input, const std::string& target);

/// How train_char_rnn trains.
struct CharTrainOptions {
  Eigen::Index hidden = 8;     ///< size of h_t
  int iterations = 300;        ///< SGD steps on the one sequence
  double lr = 0.1;             ///< SGD learning rate
  double max_grad_norm = 5.0;  ///< clip the global gradient norm in the optimiser step (0 = never)
};

/// One logged training step.
struct CharTrainStep {
  int iteration = 0;       ///< from 1
  double loss = 0;         ///< mean cross-entropy per character, before this step's update
  double grad_norm = 0;    ///< gradient norm before clipping
  std::string prediction;  ///< the arg-max character at each step, before the update
};

/// Trains a one-layer from-scratch RNN on `task` with the manual BPTT gradients and SGD. Calls
/// `on_step` after every step (may be empty). Returns the trained model.
ScratchRnn train_char_rnn(const CharTask& task, const CharTrainOptions& options, book::Rng& rng,
                          const std::function<void(const CharTrainStep&)>& on_step = nullptr);

/// The arg-max character of each output of `model` on the task's inputs.
std::string predict_chars(const ScratchRnn& model, const CharTask& task);

}  // namespace ch06
