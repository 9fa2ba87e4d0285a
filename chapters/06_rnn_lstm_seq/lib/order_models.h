#pragma once
/// \file
/// Program 01's models: an MLP over a fixed number of tokens, a bag-of-embeddings MLP that cannot
/// see order, and a small RNN that can, with the training of both on the order task.
#include "book/train.h"
#include "lib/toy_sequences.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ch06 {

/// An MLP that reads exactly `length` tokens: embed each, concatenate the embeddings into one
/// vector of length·E numbers, then Linear → ReLU → Linear. Its first Linear has length·E inputs,
/// so the number of tokens is part of the architecture.
class FixedLengthMlpImpl : public torch::nn::Module {
 public:
  /// The MLP for sequences of exactly `length` tokens.
  FixedLengthMlpImpl(std::int64_t vocab, std::int64_t embed, std::int64_t length, std::int64_t hidden,
                     std::int64_t classes);
  /// Logits [B, C] for ids [B, length]. Another length makes the first Linear throw c10::Error.
  torch::Tensor forward(const torch::Tensor& ids);

 private:
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(FixedLengthMlp);

/// What happened when a FixedLengthMlp was given `ids`.
struct ShapeAttempt {
  bool ok = false;      ///< true if the forward pass ran
  std::string error;    ///< LibTorch's message (first line, without the C++ backtrace) if it threw
  std::vector<std::int64_t> output_shape;  ///< the logits' shape if it ran
};

/// Runs `mlp` on `ids` and catches the shape error LibTorch throws for a length it was not built for.
ShapeAttempt try_fixed_mlp(FixedLengthMlp& mlp, const torch::Tensor& ids);

/// A bag-of-embeddings MLP: count how often each token occurs (a histogram over the vocabulary),
/// average the embeddings with those counts, then Linear → ReLU → Linear. Two sequences with the
/// same tokens in any order have the same histogram, so every number after it is the same, bit for
/// bit: the model cannot see order.
class BagOfEmbeddingsImpl : public torch::nn::Module {
 public:
  /// The model.
  BagOfEmbeddingsImpl(std::int64_t vocab, std::int64_t embed, std::int64_t hidden, std::int64_t classes);
  /// Logits [B, C] for ids [B, T] (any T).
  torch::Tensor forward(const torch::Tensor& ids);

 private:
  std::int64_t vocab_;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
};
TORCH_MODULE(BagOfEmbeddings);

/// A small Elman RNN classifier: embedding → `torch::nn::RNN` (tanh) → Linear on the final state.
class SmallRnnClassifierImpl : public torch::nn::Module {
 public:
  /// The model.
  SmallRnnClassifierImpl(std::int64_t vocab, std::int64_t embed, std::int64_t hidden, std::int64_t classes);
  /// Logits [B, C] for ids [B, T] (any T).
  torch::Tensor forward(const torch::Tensor& ids);

 private:
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::RNN rnn_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(SmallRnnClassifier);

/// A TokenDataset as batches for book::train_epoch / book::evaluate (no lengths: all sequences have
/// the same length). With `rng` the order is shuffled.
std::vector<book::Batch> make_token_batches(const TokenDataset& data, std::int64_t batch_size, book::Rng* rng);

/// The order task and the shared training budget.
struct OrderTaskOptions {
  std::int64_t length = 8;        ///< tokens per sequence
  std::int64_t fillers = 6;       ///< filler tokens besides A and B
  std::int64_t train_samples = 2000;
  std::int64_t test_samples = 1000;
  std::int64_t embed = 16;        ///< embedding size of both models
  std::int64_t hidden = 32;       ///< hidden size of both models
  int epochs = 6;                 ///< the same budget for both models
  std::int64_t batch_size = 32;
  double lr = 0.01;               ///< Adam's learning rate
  double max_grad_norm = 1.0;     ///< clipping in the optimiser step
};

/// How one model did on the order task.
struct OrderModelResult {
  std::string name;                  ///< "bag-of-embeddings MLP" or "RNN"
  std::int64_t parameters = 0;       ///< its parameter count
  std::vector<double> train_acc;     ///< percent, per epoch
  std::vector<double> test_acc;      ///< percent, per epoch, on held-out sequences
  double seconds = 0;                ///< training time
};

/// Generates the order task from `rng`, then trains a bag-of-embeddings MLP and a small RNN with
/// the same budget (epochs, batches, Adam, learning rate, clipping) and the same data. `on_epoch`
/// is called with the model's name, the epoch and both accuracies. Seed torch before calling.
std::vector<OrderModelResult> run_order_task(const OrderTaskOptions& options, book::Rng& rng,
                                             const std::function<void(const std::string&, int, double, double)>&
                                                 on_epoch = nullptr);

}  // namespace ch06
