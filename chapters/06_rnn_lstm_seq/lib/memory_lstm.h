#pragma once
/// \file
/// Program 04's trained LSTM: the memory task (remember the first token over many steps), a small
/// LibTorch LSTM classifier trained on it, and the trace of its gates, computed by the from-scratch
/// Eigen cell with the trained weights copied in.
#include "lib/scratch_lstm.h"
#include "lib/toy_sequences.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace ch06 {

/// Embedding → one-layer `torch::nn::LSTM` → Linear on the final hidden state.
class MemoryLstmImpl : public torch::nn::Module {
 public:
  /// The model. The forget gate's biases start at `forget_bias` in total (LibTorch's default
  /// initialisation otherwise).
  MemoryLstmImpl(std::int64_t vocab, std::int64_t embed, std::int64_t hidden, std::int64_t classes,
                 double forget_bias);
  /// Logits [B, C] for ids [B, T].
  torch::Tensor forward(const torch::Tensor& ids);
  /// The embedding (x_t of token k is row k of its weight).
  torch::nn::Embedding& embedding() { return embedding_; }
  /// The recurrent layer.
  torch::nn::LSTM& lstm() { return lstm_; }

 private:
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(MemoryLstm);

/// The memory task and its training.
struct MemoryTaskOptions {
  std::int64_t gap = 20;            ///< distractor steps after the first token
  std::int64_t signals = 4;         ///< first tokens to remember (= classes; chance is 1/signals)
  std::int64_t distractors = 4;     ///< distractor tokens
  std::int64_t train_samples = 2000;
  std::int64_t test_samples = 500;
  std::int64_t embed = 8;
  std::int64_t hidden = 16;
  int epochs = 4;
  std::int64_t batch_size = 32;
  double lr = 0.01;                 ///< Adam
  double max_grad_norm = 1.0;       ///< clipping in the optimiser step
  double forget_bias = 3.0;         ///< initial b_f: the forget gate starts open (f = 0.95)
};

/// A trained memory model and how it did.
struct MemoryTaskResult {
  MemoryLstm model{nullptr};     ///< trained, in eval mode
  TokenDataset test;             ///< the held-out sequences
  std::vector<double> train_acc; ///< percent, per epoch
  std::vector<double> test_acc;  ///< percent, per epoch
  double seconds = 0;            ///< training time
};

/// Generates the task from `rng` and trains a MemoryLstm on it (Adam, cross-entropy, clipping).
/// `on_epoch(epoch, train_acc, test_acc)` is called after each epoch. Seed torch before calling.
MemoryTaskResult train_memory_lstm(const MemoryTaskOptions& options, book::Rng& rng,
                                   const std::function<void(int, double, double)>& on_epoch = nullptr);

/// The gates of the trained model over one sequence, computed by the Eigen cell.
struct GateTrace {
  std::vector<std::int64_t> tokens;  ///< the sequence
  std::int64_t label = 0;            ///< its first token
  std::int64_t predicted = 0;        ///< the model's answer
  std::vector<LstmStep> steps;       ///< i, f, g, o, c, h at every step
  Eigen::Index memory_unit = 0;      ///< the unit whose c_T carries the label best (over the data)
  double memory_share = 0;           ///< share of that unit's c_T variance between the classes
  double parity = 0;                 ///< max |h_t(Eigen) - h_t(LibTorch)| over the sequence
  Mat class_cell;                    ///< [classes, T]: the memory unit's c_t averaged over the sequences of each class
  std::vector<ClassRange> final_c;   ///< per class: the memory unit's c_T over the sequences of that class
  std::vector<ClassRange> final_h;   ///< per class: its h_T = o_T ⊙ tanh(c_T), what the head reads
};

/// Copies the trained weights into the Eigen cell, runs it over every sequence of `data`, finds the
/// memory unit, its average c_t per class and the range of its c_T and h_T per class, and traces
/// sample `index` of `data`.
GateTrace trace_gates(MemoryLstm& model, const TokenDataset& data, std::size_t index);

}  // namespace ch06
