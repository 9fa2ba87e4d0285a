#pragma once
/// \file
/// The main job's model: DynamicRNNClassifier (RNN, LSTM or GRU over packed input, with the
/// `[h_n[-2]; h_n[-1]]` head), its configuration, and its parameter and FLOP counts. The data
/// pipeline is in name_batches.h, checkpoints and prediction in name_checkpoint.h, the training
/// loop in name_training.h.
#include "book/dropout.h"
#include "lib/names.h"
#include "lib/recurrent_types.h"

#include <torch/torch.h>

#include <cstdint>
#include <ostream>
#include <utility>

namespace ch06 {

/// Everything needed to build a DynamicRNNClassifier.
struct ClassifierConfig {
  CellType cell = CellType::kLstm;  ///< the recurrent layer
  std::int64_t vocab_size = 28;     ///< embedding rows
  std::int64_t embed_dim = 128;     ///< embedding width
  std::int64_t hidden_dim = 256;    ///< H, per direction
  std::int64_t num_layers = 2;      ///< stacked recurrent layers
  std::int64_t num_classes = 5;     ///< output classes
  bool bidirectional = true;        ///< a backward direction as well
  double dropout = 0.3;             ///< after the embedding, between layers, before the head
};

/// The parameter count of the model `config` describes, from the formula: embedding V·E; per
/// layer and direction G·(H·in + H·H + 2H) with in = E for the first layer and D·H after it; the
/// head (D·H)·C + C.
std::int64_t expected_parameter_count(const ClassifierConfig& config);

/// FLOPs of the recurrent layers' matrix products for `tokens` real (unpadded) time steps:
/// 2·G·H·(in + H) per token, layer and direction, times 3 when training (forward, and backward for
/// both the inputs and the weights).
double recurrent_gemm_flops(const ClassifierConfig& config, std::int64_t tokens, bool training);

/// Embedding → dropout → pack (unsorted, CPU lengths) → RNN/LSTM/GRU → the last layer's final
/// forward and backward states `[h_n[-2]; h_n[-1]]` → dropout → Linear → class logits.
class DynamicRNNClassifierImpl : public torch::nn::Module {
 public:
  /// Builds the layers `config` describes.
  explicit DynamicRNNClassifierImpl(const ClassifierConfig& config);
  /// Logits [B, C] for padded ids [B, T] with true lengths [B] (int64, on the CPU).
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& lengths);
  /// The head's input [B, D·H]: the last layer's final state of each direction. Because the input
  /// is packed, the forward state is the one at each sequence's last real step, never a pad.
  torch::Tensor final_features(const torch::Tensor& ids, const torch::Tensor& lengths);
  /// The last layer's per-step outputs, unpacked to [B, T, D·H] (zeros at padded steps).
  torch::Tensor step_outputs(const torch::Tensor& ids, const torch::Tensor& lengths);
  /// The final states of every layer and direction, [L·D, B, H] in h_n's order, computed by `path`.
  torch::Tensor final_states(const torch::Tensor& ids, const torch::Tensor& lengths, RecurrentPath path);
  /// Chooses how forward() runs the recurrent layer (default: fused, the fastest on the CPU; packed
  /// runs it as the original does).
  void set_path(RecurrentPath path) { path_ = path; }
  /// How forward() runs the recurrent layer.
  RecurrentPath path() const { return path_; }
  /// The configuration the model was built from.
  const ClassifierConfig& config() const { return config_; }
  /// Prints the layers as `DynamicRNNClassifier(...)`.
  void pretty_print(std::ostream& stream) const override;

 private:
  // Runs the recurrent layer on packed input; returns (packed outputs, h_n).
  std::pair<torch::nn::utils::rnn::PackedSequence, torch::Tensor> run(const torch::Tensor& ids,
                                                                      const torch::Tensor& lengths);
  // The padded path: final states [L·D, B, H] of every layer and direction.
  torch::Tensor run_padded(const torch::Tensor& ids, const torch::Tensor& lengths);
  // One layer in one direction over time-first input [T, B, in] → outputs [T, B, H].
  torch::Tensor run_layer(const torch::Tensor& input, std::int64_t layer, bool reverse);
  // The fused path: final states [L·D, B, H] of every layer and direction.
  torch::Tensor run_fused(const torch::Tensor& ids, const torch::Tensor& lengths);
  ClassifierConfig config_;
  RecurrentPath path_ = RecurrentPath::kFused;
  torch::nn::Embedding embedding_{nullptr};
  book::Dropout dropout_{nullptr};
  torch::nn::RNN rnn_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(DynamicRNNClassifier);

}  // namespace ch06
