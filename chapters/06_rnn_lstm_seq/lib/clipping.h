#pragma once
/// \file
/// Program 09, part 1 and 2: exploding gradients made visible, and norm clipping against value
/// clipping. The training loop here is the chapter's own (not book::train_epoch, which stops at the
/// first non-finite loss): it records the NaN instead of refusing it.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace ch06 {

/// The exploding set-up: an Elman RNN with ReLU (whose activations, unlike tanh's, are not bounded)
/// and recurrent weights W_hh = gain · I slightly above 1, on long sequences, trained by plain SGD
/// with a high learning rate. The task: is the sum of the last `window` inputs positive?
struct ExplodingConfig {
  std::int64_t hidden = 32;     ///< hidden units
  std::int64_t seq_len = 50;    ///< time steps per sequence
  std::int64_t batch = 32;      ///< sequences per step (a fresh batch every step)
  double recurrent_gain = 1.05; ///< W_hh = gain · identity
  double lr = 0.1;              ///< SGD learning rate
  std::int64_t window = 3;      ///< the label is the sign of the sum of the last `window` inputs
  int steps = 100;              ///< training steps
  double max_norm = 0;          ///< clip_grad_norm_ threshold; 0 = no clipping
  std::uint64_t seed = 42;      ///< seeds the weights and the data (same for every run)
};

/// What one training step measured.
struct StepRecord {
  int step = 0;              ///< from 1
  double loss = 0;           ///< cross-entropy of the step's batch (may be inf or nan)
  double grad_norm = 0;      ///< global L2 norm of the gradient before clipping
  double applied_norm = 0;   ///< global L2 norm of the gradient the optimiser used (after clipping)
  double radius = 0;         ///< spectral radius of W_hh after the step (nan once the weights are)
  double largest_state = 0;  ///< largest |entry| of the final states h_T of the step's batch
  double largest_logit = 0;  ///< largest |logit| of the step's batch
};

/// A whole run. It stops at the first non-finite loss: from there on every number is nan.
struct ExplodingRun {
  std::vector<StepRecord> steps;  ///< one record per step taken
  int first_non_finite = 0;       ///< the step whose loss was inf or nan; 0 if none
};

/// The Elman RNN and its head for the set-up, built and initialised from `config` (W_hh = gain · I).
struct ExplodingModel {
  torch::nn::RNN rnn{nullptr};        ///< 1 input, `hidden` units, ReLU
  torch::nn::Linear head{nullptr};    ///< hidden → 2 classes
  /// Every parameter, the RNN's first.
  std::vector<torch::Tensor> parameters() const;
};

/// Builds the model of the set-up (seeds torch with `config.seed` first).
ExplodingModel make_exploding_model(const ExplodingConfig& config);

/// The global L2 norm \f$\sqrt{\sum_p \lVert g_p\rVert^2}\f$ of the gradients of `parameters`,
/// accumulated in double (so a float overflow shows as inf, not as a wrong finite number).
double global_grad_norm(const std::vector<torch::Tensor>& parameters);

/// Trains the set-up for `config.steps` steps (clipping with clip_grad_norm_ if `config.max_norm`
/// > 0) and calls `on_step` after each step. Stops after the first non-finite loss.
ExplodingRun run_exploding(const ExplodingConfig& config, const std::function<void(const StepRecord&)>& on_step = nullptr);

/// The gradient of the set-up's first step (its untouched model, its first batch), one tensor per
/// parameter: a real exploding gradient to clip.
std::vector<torch::Tensor> first_exploding_gradient(const ExplodingConfig& config);

/// What one step along the first gradient does to the first batch.
struct StepProbe {
  double length = 0;         ///< the step's length in parameter space (lr × the norm of the gradient used)
  double loss = 0;           ///< the first batch's loss after the step
  double largest_state = 0;  ///< largest |entry| of the final states h_T on the first batch after the step
  double largest_logit = 0;  ///< largest |logit| on the first batch after the step
};

/// The set-up's first gradient g (its untouched model, its first batch), and for each length s of
/// `lengths` the model moved by s along -g/‖g‖ (s = 0 is the start), measured on the same batch.
/// The first-order model of the loss promises a fall of s·‖g‖; the probe shows what happens.
std::vector<StepProbe> probe_first_step(const ExplodingConfig& config, const std::vector<double>& lengths);

/// The global norm of the set-up's first gradient in each parameter tensor, by LibTorch's names
/// ("rnn.weight_hh_l0", "head.weight", ...).
std::vector<std::pair<std::string, double>> first_gradient_by_tensor(const ExplodingConfig& config);

/// The spectral radius (largest |eigenvalue|) of a square matrix, in double.
double spectral_radius(const torch::Tensor& w);

/// Norm clipping and value clipping of the same gradient, compared.
struct ClipComparison {
  double norm_before = 0;            ///< global L2 norm of the gradient
  double norm_after_norm_clip = 0;   ///< after clip_grad_norm_(max_norm)
  double norm_after_value_clip = 0;  ///< after clip_grad_value_(clip_value)
  double cosine_norm_clip = 0;       ///< cosine between the gradient and its norm-clipped version
  double cosine_value_clip = 0;      ///< cosine between the gradient and its value-clipped version
  double max_abs_before = 0;         ///< largest |entry| of the gradient
  double max_abs_after_norm_clip = 0;   ///< largest |entry| after norm clipping
  double max_abs_after_value_clip = 0;  ///< largest |entry| after value clipping
};

/// Applies torch::nn::utils::clip_grad_norm_ and clip_grad_value_ to two copies of `gradient` (one
/// tensor per parameter) and measures both results against the original, in double.
ClipComparison compare_clipping(const std::vector<torch::Tensor>& gradient, double max_norm, double clip_value);

}  // namespace ch06
