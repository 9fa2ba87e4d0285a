#include "lib/sentiment_cv.h"

#include "book/timer.h"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace ch06 {

const std::string& text_model_name(TextModelKind kind) {
  static const std::vector<std::string> names = {"SentimentLSTM", "bag of words",
                                                 "bag of words + bigrams"};
  return names.at(static_cast<std::size_t>(kind));
}

std::vector<std::string> text_features(TextModelKind kind, const std::vector<std::string>& words) {
  std::vector<std::string> out = words;
  if (kind == TextModelKind::kBigrams) {
    for (std::size_t i = 0; i + 1 < words.size(); ++i) out.push_back(words[i] + " " + words[i + 1]);
  }
  return out;
}

std::vector<bool> validation_rows(const std::vector<std::string>& texts, std::uint64_t seed,
                                  double share) {
  std::vector<bool> out(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i)
    out[i] = sentence_hash01(texts[i], seed, "val") < share;
  return out;
}

namespace {

std::vector<torch::Tensor> copy_parameters(torch::nn::Module& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model.parameters()) out.push_back(p.detach().clone());
  return out;
}

void restore_parameters(torch::nn::Module& model, const std::vector<torch::Tensor>& saved) {
  torch::NoGradGuard no_grad;
  auto params = model.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(saved[i]);
}

std::vector<std::vector<std::string>> features_of(
    TextModelKind kind, const std::vector<std::vector<std::string>>& words) {
  std::vector<std::vector<std::string>> out;
  out.reserve(words.size());
  for (const auto& w : words) out.push_back(text_features(kind, w));
  return out;
}

std::size_t feature_len(TextModelKind kind, std::size_t max_len) {
  return kind == TextModelKind::kBigrams ? 2 * max_len : max_len;
}

// The words seen min_count times, and for kBigrams the pairs seen bigram_min_count times.
WordVocab build_vocab(TextModelKind kind, const std::vector<std::vector<std::string>>& features,
                      const TextModelOptions& o) {
  if (kind != TextModelKind::kBigrams) return WordVocab::build(features, o.min_count, o.max_vocab);
  std::vector<std::vector<std::string>> unigrams, bigrams;
  for (const auto& f : features) {
    const auto split = std::find_if(f.begin(), f.end(),
                                    [](const std::string& t) { return t.find(' ') != t.npos; });
    unigrams.emplace_back(f.begin(), split);
    bigrams.emplace_back(split, f.end());
  }
  const WordVocab words = WordVocab::build(unigrams, o.min_count, o.max_vocab);
  const WordVocab pairs = WordVocab::build(bigrams, o.bigram_min_count, o.max_vocab);
  std::vector<std::string> tokens = words.tokens();
  const auto room = [&] { return static_cast<std::int64_t>(tokens.size()) < o.max_vocab; };
  for (std::int64_t id = 2; id < pairs.size() && room(); ++id) {
    tokens.push_back(pairs.token(id));
  }
  return WordVocab::from_tokens(tokens);
}

}  // namespace

// [early_stopping]
TrainedTextModel train_text_model(TextModelKind kind,
                                  const std::vector<std::vector<std::string>>& words,
                                  const std::vector<std::int64_t>& labels,
                                  const std::vector<bool>& validation, const TextModelOptions& o,
                                  book::Rng& rng) {
  if (words.size() != labels.size() || validation.size() != labels.size()) {
    throw std::invalid_argument(
        "train_text_model: words, labels and the validation rows differ in number");
  }
  std::vector<std::vector<std::string>> fit_x, val_x;
  std::vector<std::int64_t> fit_y, val_y;
  for (std::size_t i = 0; i < words.size(); ++i) {
    (validation[i] ? val_x : fit_x).push_back(text_features(kind, words[i]));
    (validation[i] ? val_y : fit_y).push_back(labels[i]);
  }
  TrainedTextModel m;
  m.kind = kind;
  m.vocab = build_vocab(kind, fit_x, o);  // from the fitted sentences only
  const std::size_t len = feature_len(kind, o.max_len);
  m.max_len = len;
  const EncodedNames fit_set = encode_texts(fit_x, fit_y, m.vocab, len);
  const EncodedNames val_set = encode_texts(val_x, val_y, m.vocab, len);
  torch::nn::Module* module = nullptr;
  book::ForwardFn forward;
  if (kind == TextModelKind::kLstm) {
    SentimentConfig config = o.lstm;
    config.vocab_size = m.vocab.size();
    m.lstm = SentimentLSTM(config);
    module = m.lstm.get();
    forward = [&m, p = o.word_dropout](const book::Batch& b) {
      torch::Tensor ids = b.inputs;
      if (p > 0 && m.lstm->is_training()) {  // word dropout: a real word becomes <unk>
        const torch::Tensor drop =
            (torch::rand(ids.sizes()) < p).logical_and(ids != WordVocab::kPad);
        ids = torch::where(drop, torch::full_like(ids, WordVocab::kUnk), ids);
      }
      return m.lstm->forward(ids, b.lengths);
    };
  } else {
    m.bow = BagOfWords(m.vocab.size(), o.bow_embed_dim, o.bow_hidden, 2);
    module = m.bow.get();
    forward = [&m](const book::Batch& b) { return m.bow->forward(b.inputs, b.lengths); };
  }
  const TextFitOptions& fit = kind == TextModelKind::kLstm ? o.lstm_fit : o.bow_fit;
  torch::optim::Adam optimizer(module->parameters(), torch::optim::AdamOptions(fit.lr));
  const auto val_batches = make_batches(val_set, 256, Batching::kRandom, nullptr);
  std::vector<torch::Tensor> best;
  m.val_accuracy = -1;
  for (int epoch = 1; epoch <= fit.epochs; ++epoch) {
    const auto batches = make_batches(fit_set, fit.batch_size, Batching::kBucketed, &rng);
    book::train_epoch(*module, forward, optimizer, batches, {fit.desc, fit.max_grad_norm, false});
    m.epochs_run = epoch;
    if (val_batches.empty()) continue;
    const double accuracy =
        book::evaluate(*module, forward, val_batches, {"validation", 0.0, false}).accuracy;
    if (accuracy > m.val_accuracy) {
      m.val_accuracy = accuracy;
      m.best_epoch = epoch;
      best = copy_parameters(*module);
    } else if (epoch - m.best_epoch >= o.patience) {
      break;
    }
  }
  if (val_batches.empty()) {
    m.best_epoch = m.epochs_run;
    m.val_accuracy = 0;
  } else {
    restore_parameters(*module, best);
  }
  module->eval();
  return m;
}
// [early_stopping]

std::vector<std::int64_t> predict_text_model(TrainedTextModel& m,
                                             const std::vector<std::vector<std::string>>& words) {
  const EncodedNames set =
      encode_texts(features_of(m.kind, words), std::vector<std::int64_t>(words.size(), 0), m.vocab,
                   m.max_len);
  if (m.kind == TextModelKind::kLstm) {
    return predict_classes(
        *m.lstm, [&](const book::Batch& b) { return m.lstm->forward(b.inputs, b.lengths); }, set);
  }
  return predict_classes(
      *m.bow, [&](const book::Batch& b) { return m.bow->forward(b.inputs, b.lengths); }, set);
}

// [cross_validate]
CrossValidation cross_validate(TextModelKind kind, const RealSentences& data,
                               const std::vector<std::vector<std::string>>& words,
                               const std::vector<int>& folds, int k, const TextModelOptions& o,
                               std::uint64_t seed, book::Rng& rng) {
  book::Timer timer;
  CrossValidation cv;
  cv.predictions.assign(data.size(), -1);
  const std::vector<bool> held_out = validation_rows(data.texts, seed, o.val_share);
  for (int f = 0; f < k; ++f) {
    std::vector<std::vector<std::string>> train_x, test_x;
    std::vector<std::int64_t> train_y;
    std::vector<bool> train_val;
    std::vector<std::size_t> test_rows;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (folds[i] == f) {
        test_x.push_back(words[i]);
        test_rows.push_back(i);
      } else {
        train_x.push_back(words[i]);
        train_y.push_back(data.labels[i]);
        train_val.push_back(held_out[i]);
      }
    }
    TrainedTextModel model = train_text_model(kind, train_x, train_y, train_val, o, rng);
    const std::vector<std::int64_t> predicted = predict_text_model(model, test_x);
    for (std::size_t r = 0; r < test_rows.size(); ++r) cv.predictions[test_rows[r]] = predicted[r];
    cv.best_epochs.push_back(model.best_epoch);
    cv.val_accuracy.push_back(model.val_accuracy);
    if (f == 0) cv.fold0 = std::move(model);
  }
  cv.seconds = timer.seconds();
  return cv;
}
// [cross_validate]

}  // namespace ch06
