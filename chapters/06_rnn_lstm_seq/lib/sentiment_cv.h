#pragma once
/// \file
/// Program 07 on real sentences: a text classifier (the SentimentLSTM, the bag of words, or a bag
/// of words and bigrams) trained with early stopping on a validation share of its own training
/// sentences, and k-fold cross-validation that predicts every sentence once with a model that
/// never saw it.
#include "lib/sentiment.h"
#include "lib/sentiment_uci.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ch06 {

/// Which classifier.
enum class TextModelKind {
  kLstm,        ///< the chapter's SentimentLSTM (sizes from TextModelOptions::lstm)
  kBagOfWords,  ///< the mean word vector, then a Linear layer (program 07's baseline)
  kBigrams,     ///< the same model over the words and the pairs of neighbouring words
};

/// "SentimentLSTM", "bag of words", "bag of words + bigrams".
const std::string& text_model_name(TextModelKind kind);

/// How train_text_model trains.
struct TextModelOptions {
  SentimentConfig lstm;  ///< the LSTM's sizes; vocab_size is set from the vocabulary
  double word_dropout =
      0;  ///< LSTM, training only: each word becomes `<unk>` with this probability
  std::int64_t bow_embed_dim = 64;  ///< bag-of-words word-vector size
  std::int64_t bow_hidden = 0;      ///< bag-of-words hidden ReLU layer (0 = none)
  TextFitOptions lstm_fit;     ///< LSTM: batch size, learning rate, clipping; epochs = the most
  TextFitOptions bow_fit;      ///< the same for both bags of words
  int patience = 3;            ///< stop after this many epochs without a better validation accuracy
  double val_share = 0.1;      ///< share of the training sentences held out to choose the epoch
  std::int64_t min_count = 1;  ///< keep the words seen at least this often
  std::int64_t bigram_min_count = 2;  ///< kBigrams: keep the pairs seen at least this often
  std::int64_t max_vocab = 20000;  ///< largest vocabulary, `<pad>` and `<unk>` included
  std::size_t max_len = 200;       ///< read at most this many words of a sentence
};

/// A trained classifier with its vocabulary.
struct TrainedTextModel {
  TextModelKind kind = TextModelKind::kLstm;  ///< which model is set
  WordVocab vocab;                            ///< built on the fitted sentences only
  SentimentLSTM lstm{nullptr};                ///< set for kLstm
  BagOfWords bow{nullptr};                    ///< set for the two bags of words
  int best_epoch = 0;                         ///< the epoch whose weights were kept
  int epochs_run = 0;                         ///< epochs trained before stopping
  double val_accuracy = 0;                    ///< validation accuracy (percent) at best_epoch
  std::size_t max_len = 0;                    ///< features read per sentence (0 = all)
};

/// What a model reads of a sentence: its words, and for kBigrams also every pair of
/// neighbouring words, written "a b" (a word never holds a space, so a pair is never a word).
std::vector<std::string> text_features(TextModelKind kind, const std::vector<std::string>& words);

/// Trains `kind` on the sentences whose `validation` entry is false and keeps the weights of the
/// epoch with the best accuracy on the others (early stopping: at most the fit options' epochs,
/// stopping after `patience` epochs without a better one). Without validation sentences it trains
/// all epochs and keeps the last.
TrainedTextModel train_text_model(TextModelKind kind,
                                  const std::vector<std::vector<std::string>>& words,
                                  const std::vector<std::int64_t>& labels,
                                  const std::vector<bool>& validation,
                                  const TextModelOptions& options, book::Rng& rng);

/// The predicted class of each sentence (eval mode, no gradients).
std::vector<std::int64_t> predict_text_model(TrainedTextModel& model,
                                             const std::vector<std::vector<std::string>>& words);

/// The validation sentences of a training set: those whose sentence_hash01 (salt "val") is below
/// `share`, so the choice depends on the sentence and the seed only.
std::vector<bool> validation_rows(const std::vector<std::string>& texts, std::uint64_t seed,
                                  double share);

/// One model's cross-validation.
struct CrossValidation {
  std::vector<std::int64_t> predictions;  ///< of every sentence, by the model of its test fold
  std::vector<int> best_epochs;           ///< per fold
  std::vector<double> val_accuracy;       ///< per fold, percent
  double seconds = 0;                     ///< training and prediction, all folds
  TrainedTextModel fold0;                 ///< the model of fold 0 (trained on the other folds)
};

/// k-fold cross-validation of `kind`: for each fold, a model trained (with its own vocabulary and
/// validation share, see train_text_model) on the other folds predicts the fold.
CrossValidation cross_validate(TextModelKind kind, const RealSentences& data,
                               const std::vector<std::vector<std::string>>& words,
                               const std::vector<int>& folds, int k,
                               const TextModelOptions& options, std::uint64_t seed, book::Rng& rng);

}  // namespace ch06
