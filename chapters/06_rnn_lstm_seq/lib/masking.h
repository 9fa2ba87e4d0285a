#pragma once
/// \file
/// Program 09, part 3: masking the loss on a padded sequence-labelling task. Digit sequences of
/// different lengths are padded with the digit 0 (the default padding value of pad_sequence), so the
/// input alone cannot say where a sequence ends; each real digit is tagged with the running sum of
/// the digits so far, modulo 3; padded positions carry the tag kPadTag.
#include "book/rng.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <vector>

namespace ch06 {

/// The tag of padded positions. Real positions carry tags 1..3 (1 + running sum mod 3).
inline constexpr std::int64_t kPadTag = 0;
/// Tags in all: kPadTag and the three real ones.
inline constexpr std::int64_t kTagCount = 4;

/// A padded batch of the tagging task.
struct TaggingBatch {
  torch::Tensor inputs;   ///< digits [B, T], int64; 0 at padded positions (and wherever a real digit is 0)
  torch::Tensor targets;  ///< tags [B, T], int64; kPadTag at padded positions
  torch::Tensor lengths;  ///< real lengths [B], int64
  torch::Tensor mask;     ///< [B, T] bool, true at real positions
};

/// `mask[b][t] = t < lengths[b]`, as a [B, T] bool tensor.
torch::Tensor sequence_mask(const torch::Tensor& lengths, std::int64_t max_len);

/// The tags of `digits` (one sequence): 1 + (d_1 + ... + d_t) mod 3 at each position t.
std::vector<std::int64_t> running_sum_tags(const std::vector<std::int64_t>& digits);

/// `batch` sequences with lengths uniform in [1, max_len] and digits uniform in 0..9, padded to
/// max_len with 0.
TaggingBatch make_tagging_batch(std::int64_t batch, std::int64_t max_len, book::Rng& rng);

/// The loss of every position, [B, T], for logits [B, T, C] and targets [B, T] (reduction none).
torch::Tensor token_losses(const torch::Tensor& logits, const torch::Tensor& targets);

/// The masked loss: padded positions contribute nothing.
struct MaskedLoss {
  torch::Tensor per_sequence;  ///< [B]: the sum of each sequence's losses over its real positions
  torch::Tensor sum;           ///< scalar: the sum over all real positions
  torch::Tensor mean;          ///< scalar: sum / number of real positions (0 if there are none)
};

/// \f$\sum_{b,t} m_{bt}\,\ell_{bt}\f$ and its mean over \f$\sum m_{bt}\f$, for a [B, T] mask.
MaskedLoss masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& mask);

/// The unmasked mean over every position, padding included (what plain cross_entropy gives).
torch::Tensor unmasked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets);

/// LibTorch's own masking: cross_entropy with ignore_index = kPadTag (mean over the other positions).
torch::Tensor ignore_index_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets);

/// Sizes and schedule of a tagging run.
struct TaggingConfig {
  std::int64_t embed_dim = 16;   ///< digit embedding width
  std::int64_t hidden_dim = 32;  ///< LSTM hidden size (one direction: a tag depends on the past only)
  std::int64_t max_len = 20;     ///< padded length T
  std::int64_t batch = 64;       ///< sequences per step (a fresh batch every step)
  int steps = 300;               ///< training steps
  double lr = 1e-2;              ///< Adam's learning rate
  int eval_every = 25;           ///< evaluate every this many steps (and after the last)
  std::int64_t eval_batch = 2000;///< sequences in the fixed evaluation batch
  std::uint64_t seed = 42;       ///< seeds the weights, the training data and the evaluation batch
};

/// Digits → embedding → LSTM → Linear over the kTagCount tags, at every position.
class TaggerImpl : public torch::nn::Module {
 public:
  /// A tagger of `config`'s sizes.
  explicit TaggerImpl(const TaggingConfig& config);
  /// Logits [B, T, kTagCount] for digits [B, T].
  torch::Tensor forward(const torch::Tensor& digits);

 private:
  torch::nn::Embedding embedding_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::Linear fc_{nullptr};
};
TORCH_MODULE(Tagger);

/// How a tagger does on a batch.
struct TaggingScores {
  double real_accuracy = 0;     ///< percent of real positions tagged correctly
  double predicted_pad = 0;     ///< percent of real positions tagged kPadTag
  double zeros_as_pad = 0;      ///< percent of real 0 digits tagged kPadTag
  double padding_as_pad = 0;    ///< percent of padded positions tagged kPadTag
  double masked_loss = 0;       ///< mean loss over real positions
  double unmasked_loss = 0;     ///< mean loss over every position
};

/// Scores `model` on `batch` (eval mode, no gradients).
TaggingScores score_tagger(Tagger& model, const TaggingBatch& batch);

/// One evaluation during training.
struct TaggingPoint {
  int step = 0;          ///< training steps done
  double train_loss = 0; ///< the loss the run minimised, on that step's batch
  TaggingScores eval;    ///< on the fixed evaluation batch
};

/// A finished run.
struct TaggingRun {
  Tagger model{nullptr};             ///< the trained tagger
  std::vector<TaggingPoint> curve;   ///< every `eval_every` steps and after the last
};

/// Trains a tagger with the masked loss (`masked`) or the plain loss over every position, on the
/// same data from the same initial weights, and evaluates it on the same batch.
TaggingRun train_tagger(const TaggingConfig& config, bool masked,
                        const std::function<void(const TaggingPoint&)>& on_eval = nullptr);

}  // namespace ch06
