#pragma once
/// \file
/// The main job's model and data pipeline: DynamicRNNClassifier (RNN, LSTM or GRU over packed
/// input, with the `[h_n[-2]; h_n[-1]]` head), the collator, batching, checkpoints and prediction.
#include "book/dropout.h"
#include "book/train.h"
#include "lib/names.h"
#include "lib/recurrent_types.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

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

/// Names as id sequences, encoded once so that building a batch only copies ids.
struct EncodedNames {
  std::vector<std::vector<std::int64_t>> ids;  ///< one sequence per name
  std::vector<std::int64_t> labels;            ///< one label per name
};

/// Encodes `samples` with `vocab`.
EncodedNames encode_names(const std::vector<NameSample>& samples, const CharVocab& vocab);

/// The collator: the names at `indices` as one batch. Ids are right-padded with `<pad>` (0) to the
/// longest name of the batch, in the given order (not sorted); lengths are int64 on the CPU.
book::Batch collate(const EncodedNames& data, const std::vector<std::size_t>& indices);

/// How many batches a bucketing pool holds: the samples are sorted by length within each pool.
inline constexpr std::int64_t kBucketPoolBatches = 4;

/// How samples are grouped into batches.
enum class Batching {
  kRandom,    ///< as the original: shuffle, then cut into batches
  kBucketed,  ///< shuffle, then sort by length within pools of kBucketPoolBatches batches, cut, shuffle the batches
};

/// "random" or "bucket" → the batching. Throws std::invalid_argument naming both.
Batching parse_batching(const std::string& name);

/// The batches of one pass over `data`. With `rng` the order is shuffled (training); without it the
/// samples keep their order (validation) and `batching` is ignored.
std::vector<book::Batch> make_batches(const EncodedNames& data, std::int64_t batch_size, Batching batching,
                                      book::Rng* rng);

/// What a checkpoint stores besides the weights: the architecture, the classes and the vocabulary.
nlohmann::json classifier_meta(const ClassifierConfig& config, const CharVocab& vocab);

/// A model restored from a checkpoint, with its vocabulary.
struct LoadedClassifier {
  DynamicRNNClassifier model{nullptr};  ///< in eval mode
  CharVocab vocab;                      ///< the training vocabulary
};

/// Loads a checkpoint written by the main job. Throws std::runtime_error with a one-line reason if
/// the file is missing, corrupt, not a name classifier, or holds another `expected` cell type.
LoadedClassifier load_classifier(const std::filesystem::path& path, const CellType* expected = nullptr);

/// The answer for one input name.
struct Prediction {
  std::string input;        ///< the name as given
  std::int64_t index = -1;  ///< the predicted class, -1 on error
  std::string label;        ///< its name
  double probability = 0;   ///< softmax probability of that class
  std::string error;        ///< why there is no answer (empty name, too long), else empty
};

/// The longest name predict mode accepts, in characters.
inline constexpr std::size_t kMaxNameChars = 256;

/// Classifies `names` in one batch. Empty or over-long names get an error, the others an answer.
std::vector<Prediction> predict_names(DynamicRNNClassifier& model, const CharVocab& vocab,
                                      const std::vector<std::string>& names);

}  // namespace ch06

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

/// Sum of the sequence lengths: the real time steps in one pass over `data`.
std::int64_t total_tokens(const EncodedNames& data);

}  // namespace ch06
