#pragma once
/// \file
/// Program 07's models: the chapter's SentimentLSTM (embedding, two-layer bidirectional LSTM over
/// packed input, dropout, a Linear on `[h_fwd; h_bwd]`) and a bag-of-words baseline, with their
/// training, prediction and checkpoints.
#include "book/train.h"
#include "lib/name_batches.h"
#include "lib/name_classifier.h"
#include "lib/sentiment_corpus.h"

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ch06 {

/// The sizes of a SentimentLSTM. The defaults are the chapter's: embedding 128, hidden 256 per
/// direction, 2 layers, bidirectional, dropout 0.5, 2 classes.
struct SentimentConfig {
  std::int64_t vocab_size = 1000;  ///< embedding rows (`<pad>` and `<unk>` included)
  std::int64_t embed_dim = 128;    ///< embedding width E
  std::int64_t hidden_dim = 256;   ///< H, per direction
  std::int64_t num_layers = 2;     ///< stacked LSTM layers
  std::int64_t num_classes = 2;    ///< negative, positive
  double dropout = 0.5;            ///< on the embeddings, between the layers and before the head
};

/// The parameter count of a SentimentLSTM, from the formula: embedding V·E; per layer and direction
/// 4·(H·in + H·H + 2H) with in = E for the first layer and 2H after it; the head 2H·C + C.
std::int64_t sentiment_parameter_count(const SentimentConfig& config);

/// About how many bytes of activations autograd keeps to train on one batch of `batch_size` texts
/// of `max_len` words: per word, layer and direction the 4 gates, the cell and the hidden state
/// (6·H floats), plus the embeddings (float32). An estimate, to refuse sizes that cannot fit.
double sentiment_activation_bytes(const SentimentConfig& config, std::int64_t batch_size,
                                  std::int64_t max_len);

/// The chapter's SentimentLSTM: embedding → dropout → pack (unsorted, CPU lengths) → bidirectional
/// LSTM → the last layer's final forward and backward states `[h_n[-2]; h_n[-1]]` → dropout → Linear.
class SentimentLSTMImpl : public torch::nn::Module {
 public:
  /// Builds the layers `config` describes.
  explicit SentimentLSTMImpl(const SentimentConfig& config);
  /// Logits [B, C] for padded word ids [B, T] with true lengths [B] (a 1-D tensor on the CPU, each
  /// length >= 1).
  torch::Tensor forward(const torch::Tensor& text, const torch::Tensor& lengths);
  /// The head's input [B, 2H]: the forward state at each text's last real word, the backward state
  /// after reading back to its first word.
  torch::Tensor final_features(const torch::Tensor& text, const torch::Tensor& lengths);
  /// The last layer's per-step outputs unpacked to [B, T, 2H] (zeros at padded steps).
  torch::Tensor step_outputs(const torch::Tensor& text, const torch::Tensor& lengths);
  /// Chooses how forward() runs the LSTM: kFused (the default: the fastest on the CPU, see
  /// fused_final_states) or kPacked (the module on the packed batch, as the original does; also
  /// used on other devices). Both compute the same function.
  void set_path(RecurrentPath path);
  /// How forward() runs the LSTM.
  RecurrentPath path() const { return path_; }
  /// The configuration the model was built from.
  const SentimentConfig& config() const { return config_; }
  /// Prints `SentimentLSTM(vocab=..., embed=..., hidden=..., layers=..., bidirectional, dropout=...)`.
  void pretty_print(std::ostream& stream) const override;

 private:
  SentimentConfig config_;
  RecurrentPath path_ = RecurrentPath::kFused;
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear fc_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(SentimentLSTM);

/// The baseline: the mean of the word vectors of a text (padding excluded), then a Linear layer
/// (with `hidden_dim` > 0: a hidden ReLU layer first, an MLP as in program 01). It sees which words
/// occur and how often, never their order.
class BagOfWordsImpl : public torch::nn::Module {
 public:
  /// A bag of `embed_dim`-wide word vectors over `vocab_size` words, with an optional hidden layer.
  BagOfWordsImpl(std::int64_t vocab_size, std::int64_t embed_dim, std::int64_t hidden_dim, std::int64_t num_classes);
  /// Logits [B, C] for padded ids [B, T] with true lengths [B].
  torch::Tensor forward(const torch::Tensor& text, const torch::Tensor& lengths);
  /// The mean word vector of each text [B, E] (what the classifier sees).
  torch::Tensor mean_embedding(const torch::Tensor& text, const torch::Tensor& lengths);

 private:
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::Sequential head_{nullptr};
};
TORCH_MODULE(BagOfWords);

/// Tokenized texts → ids with `vocab`, each cut to its first `max_len` words (0 = no limit). A text
/// without a single word becomes one `<unk>`, so every length is at least 1 (packing needs it).
EncodedNames encode_texts(const std::vector<std::vector<std::string>>& tokens, const std::vector<std::int64_t>& labels,
                          const WordVocab& vocab, std::size_t max_len);

/// How fit_text_classifier trains.
struct TextFitOptions {
  int epochs = 3;                     ///< passes over the training set
  std::int64_t batch_size = 64;       ///< texts per batch
  double lr = 2e-3;                   ///< Adam's learning rate
  double max_grad_norm = 1.0;         ///< clip threshold (0 = no clipping)
  bool progress = true;               ///< progress bars on a terminal
  std::string desc = "train";         ///< label of the progress bar
};

/// Called after each epoch with its number (from 1) and the training and test statistics.
using TextEpochCallback = std::function<void(int epoch, const book::EpochStats& train, const book::EpochStats& test)>;

/// Trains `model` (through `forward`) with Adam and cross-entropy on shuffled batches of `train_set`,
/// evaluating on `test_set` after every epoch. Returns the per-epoch metrics.
book::History fit_text_classifier(torch::nn::Module& model, const book::ForwardFn& forward,
                                  const EncodedNames& train_set, const EncodedNames& test_set,
                                  const TextFitOptions& options, book::Rng& rng,
                                  const TextEpochCallback& on_epoch = nullptr);

/// The predicted class of every text of `data`, in order, in eval mode without gradients.
std::vector<std::int64_t> predict_classes(torch::nn::Module& model, const book::ForwardFn& forward,
                                          const EncodedNames& data, std::int64_t batch_size = 256);

/// The predicted class of each of `sentences` (tokenized, encoded with `vocab`, cut to `max_len`
/// words), as predict_classes gives it.
std::vector<std::int64_t> predict_sentences(torch::nn::Module& model, const book::ForwardFn& forward,
                                            const std::vector<std::string>& sentences,
                                            const WordVocab& vocab, std::size_t max_len);

/// What a checkpoint stores besides the weights: the sizes, the classes, the vocabulary and the
/// truncation length.
nlohmann::json sentiment_meta(const SentimentConfig& config, const WordVocab& vocab, std::int64_t max_len);

/// A SentimentLSTM restored from a checkpoint.
struct LoadedSentiment {
  SentimentLSTM model{nullptr};  ///< in eval mode
  WordVocab vocab;               ///< the training vocabulary
  std::int64_t max_len = 0;      ///< the truncation length used in training
};

/// Loads a checkpoint written by program 07. Throws std::runtime_error with a one-line reason if
/// the file is missing, corrupt or not a SentimentLSTM.
LoadedSentiment load_sentiment(const std::filesystem::path& path);

/// The answer for one input sentence.
struct SentimentPrediction {
  std::string input;                   ///< the sentence, as valid UTF-8 (bad bytes shown as U+FFFD)
  std::int64_t label = -1;             ///< 0 = negative, 1 = positive; -1 on error
  double probability = 0;              ///< softmax probability of that label
  std::int64_t words = 0;              ///< words read (after truncation)
  bool truncated = false;              ///< the sentence had more than max_len words
  std::optional<std::int64_t> grammar; ///< the grammar's label, if the sentence is one of its sentences
  std::string error;                   ///< why there is no answer (empty line, no words), else empty
};

/// Classifies `sentences` with `model`. An empty sentence, or one without a single word, gets an
/// error and no answer; the others are answered. Each is cut to `max_len` words (0 = no limit).
std::vector<SentimentPrediction> predict_sentiment(SentimentLSTM& model, const WordVocab& vocab,
                                                   const std::vector<std::string>& sentences, std::int64_t max_len);

/// One answer as predict mode prints it: `<label> (p = <probability>)  <sentence>`, then
/// `  [grammar: <label>]` if the grammar can generate the sentence and `  [cut to the first N words]`
/// if it was truncated.
std::string prediction_line(const SentimentPrediction& p);

}  // namespace ch06
