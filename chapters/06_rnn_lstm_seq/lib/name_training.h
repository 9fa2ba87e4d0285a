#pragma once
/// \file
/// The main job's training loop: Adam, cross-entropy, clipping, a training and a validation pass
/// every epoch, on the batches of name_batches.h.
#include "book/facts.h"
#include "book/rng.h"
#include "book/train.h"
#include "lib/name_batches.h"
#include "lib/name_classifier.h"
#include "lib/recurrent_types.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>

namespace ch06 {

/// How fit_classifier trains.
struct FitOptions {
  int epochs = 10;                       ///< full passes over the training set
  std::int64_t batch_size = 128;         ///< names per batch
  double lr = 1e-3;                      ///< Adam's learning rate
  double max_grad_norm = 1.0;            ///< clip threshold (0 = no clipping)
  Batching batching = Batching::kRandom; ///< how training batches are formed
  RecurrentPath path = RecurrentPath::kFused;  ///< how the recurrent layer runs
  torch::Device device{torch::kCPU};     ///< where the model runs
  bool progress = true;                  ///< progress bars on a terminal
};

/// Called after each epoch with its number (from 1) and the training and validation statistics.
using EpochCallback = std::function<void(int epoch, const book::EpochStats& train, const book::EpochStats& val)>;

/// Trains `model` as the original does: Adam, cross-entropy, clipping, a full training pass and a
/// full validation pass every epoch. Returns the per-epoch metrics.
book::History fit_classifier(DynamicRNNClassifier& model, const EncodedNames& train_set, const EncodedNames& val_set,
                             const FitOptions& options, book::Rng& rng, const EpochCallback& on_epoch = nullptr);

/// The epoch's log line: the original's format, then the global gradient norm that training
/// measured before clipping, its mean over the epoch's steps and its largest value:
/// `Epoch e/N | Train Loss: x.xxxx Acc: xx.xx% | Val Loss: x.xxxx Acc: xx.xx% | Grad norm: mean x.xxx max x.xxx`.
/// If `facts` is given, records each number as printed under `epoch<e>.<name>` (train_loss,
/// train_acc, val_loss, val_acc, grad_norm_mean, grad_norm_max).
std::string epoch_log_line(int epoch, int epochs, const book::EpochStats& train, const book::EpochStats& val,
                           book::Facts* facts = nullptr);

}  // namespace ch06
