#pragma once
/// \file
/// The train/evaluate epoch loop every classification program shares.
#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace book {

/// One batch: inputs, their lengths (may be undefined for fixed-length data), and class targets.
struct Batch {
  torch::Tensor inputs;   ///< e.g. padded token ids [B, T]
  torch::Tensor lengths;  ///< true lengths [B], int64 on the CPU (or undefined)
  torch::Tensor targets;  ///< class indices [B], int64
};

/// The model as the loop sees it: a batch in, class logits [B, C] out.
using ForwardFn = std::function<torch::Tensor(const Batch&)>;

/// What one pass over the data measured.
struct EpochStats {
  double loss = 0;         ///< mean cross-entropy per sample (each batch weighted by its size)
  double accuracy = 0;     ///< percent of samples whose arg-max logit is the target
  std::int64_t samples = 0;
  double seconds = 0;      ///< wall time of the pass
  double max_grad_norm = 0;   ///< largest global gradient norm before clipping (training only)
  double mean_grad_norm = 0;  ///< mean over the steps of the global gradient norm before clipping
};

/// Options of one pass.
struct EpochOptions {
  std::string desc = "train";  ///< label of the progress bar
  double max_grad_norm = 0;    ///< clip the global gradient norm to this; 0 = no clipping
  bool progress = true;        ///< draw a progress bar (only ever drawn on a terminal)
};

/// Thrown when the training loss stops being a finite number.
class NonFiniteLoss : public std::runtime_error {
 public:
  /// `step` counts from 1 within the epoch.
  NonFiniteLoss(std::int64_t step, double loss);
  std::int64_t step;  ///< the step whose loss was not finite
};

/// One training pass: for each batch, zero the gradients, cross-entropy, backward, clip, step.
/// Measures the global gradient norm of every step before clipping (also with clipping off).
/// Puts `model` in training mode. Throws NonFiniteLoss at the first non-finite loss.
EpochStats train_epoch(torch::nn::Module& model, const ForwardFn& forward,
                       torch::optim::Optimizer& optimizer, const std::vector<Batch>& batches,
                       const EpochOptions& options = {});

/// Half a cosine from each group's learning rate down to `floor` times it over `total_steps` calls
/// of step(): call step() before each optimiser step, so the first step runs at the full rate and
/// step i (from 0) at lr · (floor + (1 − floor) · (1 + cos(π · i / total_steps)) / 2). After
/// total_steps calls the rate stays at floor · lr.
class CosineLR : public torch::optim::LRScheduler {
 public:
  /// Reads the optimiser's current rates as the starting ones. Throws std::invalid_argument if
  /// total_steps < 1 or floor is outside [0, 1].
  CosineLR(torch::optim::Optimizer& optimizer, std::int64_t total_steps, double floor = 0.0);

 private:
  std::vector<double> get_lrs() override;
  std::vector<double> base_;
  std::int64_t total_steps_;
  double floor_;
};

/// One evaluation pass in eval mode without gradients.
EpochStats evaluate(torch::nn::Module& model, const ForwardFn& forward,
                    const std::vector<Batch>& batches, const EpochOptions& options = {});

}  // namespace book

#include <nlohmann/json.hpp>

namespace book {

/// Per-epoch metrics, saved in the original's layout:
/// `{"train_loss": [...], "train_acc": [...], "val_loss": [...], "val_acc": [...]}`.
struct History {
  std::vector<double> train_loss;  ///< one value per epoch
  std::vector<double> train_acc;   ///< percent
  std::vector<double> val_loss;    ///< one value per epoch
  std::vector<double> val_acc;     ///< percent
  /// Appends one epoch.
  void add(const EpochStats& train, const EpochStats& val);
  /// The JSON object above.
  nlohmann::json to_json() const;
};

}  // namespace book
