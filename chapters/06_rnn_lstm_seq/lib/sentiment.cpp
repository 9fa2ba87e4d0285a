#include "lib/sentiment.h"

#include "lib/fused_rnn.h"
#include "book/text.h"
#include "book/torch_utils.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ch06 {

namespace rnn_utils = torch::nn::utils::rnn;

std::int64_t sentiment_parameter_count(const SentimentConfig& c) {
  std::int64_t total = c.vocab_size * c.embed_dim;
  for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
    const std::int64_t in = layer == 0 ? c.embed_dim : 2 * c.hidden_dim;
    total += 2 * 4 * (c.hidden_dim * in + c.hidden_dim * c.hidden_dim + 2 * c.hidden_dim);
  }
  return total + 2 * c.hidden_dim * c.num_classes + c.num_classes;
}

double sentiment_activation_bytes(const SentimentConfig& c, std::int64_t batch_size,
                                  std::int64_t max_len) {
  const double per_word = 6.0 * c.hidden_dim * 2.0 * c.num_layers + 2.0 * c.embed_dim;
  return 4.0 * static_cast<double>(batch_size) * static_cast<double>(max_len) * per_word;
}

// [model]
SentimentLSTMImpl::SentimentLSTMImpl(const SentimentConfig& config) : config_(config) {
  embedding_ =
      register_module("embedding", torch::nn::Embedding(config.vocab_size, config.embed_dim));
  lstm_ = register_module(
      "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(config.embed_dim, config.hidden_dim)
                                  .num_layers(config.num_layers)
                                  .bidirectional(true)
                                  .dropout(config.num_layers > 1 ? config.dropout : 0.0)
                                  .batch_first(true)));
  fc_ = register_module("fc", torch::nn::Linear(2 * config.hidden_dim, config.num_classes));
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
}

torch::Tensor SentimentLSTMImpl::final_features(const torch::Tensor& text,
                                                const torch::Tensor& lengths) {
  const torch::Tensor embedded = dropout_(embedding_(text));  // [B, T, E]
  torch::Tensor hidden;  // [layers · 2, B, H]: fwd, bwd of layer 0, then layer 1
  if (path_ == RecurrentPath::kFused && text.device().is_cpu()) {
    const double between = config_.num_layers > 1 ? config_.dropout : 0.0;
    hidden = fused_final_states(CellType::kLstm, *lstm_, embedded, lengths, config_.num_layers,
                                /*bidirectional=*/true, between, is_training());
  } else {
    const auto packed = rnn_utils::pack_padded_sequence(embedded, lengths, /*batch_first=*/true,
                                                        /*enforce_sorted=*/false);
    hidden = std::get<0>(std::get<1>(lstm_->forward_with_packed_input(packed)));
  }
  return torch::cat({hidden[-2], hidden[-1]},
                    /*dim=*/1);  // the last layer's forward and backward states
}

torch::Tensor SentimentLSTMImpl::forward(const torch::Tensor& text, const torch::Tensor& lengths) {
  return fc_(dropout_(final_features(text, lengths)));
}
// [model]

torch::Tensor SentimentLSTMImpl::step_outputs(const torch::Tensor& text, const torch::Tensor& lengths) {
  const auto packed = rnn_utils::pack_padded_sequence(dropout_(embedding_(text)), lengths, /*batch_first=*/true,
                                                      /*enforce_sorted=*/false);
  const auto output = std::get<0>(lstm_->forward_with_packed_input(packed));
  return std::get<0>(rnn_utils::pad_packed_sequence(output, /*batch_first=*/true));
}

void SentimentLSTMImpl::set_path(RecurrentPath path) {
  if (path == RecurrentPath::kPadded) {
    throw std::invalid_argument("SentimentLSTM: the path is fused or packed, not padded");
  }
  path_ = path;
}

void SentimentLSTMImpl::pretty_print(std::ostream& stream) const {
  stream << "SentimentLSTM(vocab=" << config_.vocab_size << ", embed=" << config_.embed_dim
         << ", hidden=" << config_.hidden_dim << ", layers=" << config_.num_layers
         << ", bidirectional, dropout=" << config_.dropout << ", classes=" << config_.num_classes << ")";
}

// [bow]
BagOfWordsImpl::BagOfWordsImpl(std::int64_t vocab_size, std::int64_t embed_dim,
                               std::int64_t hidden_dim, std::int64_t num_classes) {
  embedding_ = register_module(
      "embedding",
      torch::nn::Embedding(
          torch::nn::EmbeddingOptions(vocab_size, embed_dim).padding_idx(WordVocab::kPad)));
  head_ = torch::nn::Sequential();
  if (hidden_dim > 0) {
    head_->push_back(torch::nn::Linear(embed_dim, hidden_dim));
    head_->push_back(torch::nn::ReLU());
    head_->push_back(torch::nn::Linear(hidden_dim, num_classes));
  } else {
    head_->push_back(torch::nn::Linear(embed_dim, num_classes));
  }
  register_module("head", head_);
}

torch::Tensor BagOfWordsImpl::mean_embedding(const torch::Tensor& text,
                                             const torch::Tensor& lengths) {
  // The <pad> row is zero (padding_idx), so the sum runs over the real words only.
  const torch::Tensor sum = embedding_(text).sum(/*dim=*/1);  // [B, E]
  return sum / lengths.to(sum.device()).to(sum.dtype()).unsqueeze(1);
}

torch::Tensor BagOfWordsImpl::forward(const torch::Tensor& text, const torch::Tensor& lengths) {
  return head_->forward(mean_embedding(text, lengths));
}
// [bow]

EncodedNames encode_texts(const std::vector<std::vector<std::string>>& tokens, const std::vector<std::int64_t>& labels,
                          const WordVocab& vocab, std::size_t max_len) {
  if (tokens.size() != labels.size()) throw std::invalid_argument("encode_texts: texts and labels differ in number");
  EncodedNames out;
  out.ids.reserve(tokens.size());
  for (const auto& words : tokens) {
    std::vector<std::int64_t> ids = vocab.encode(words, max_len);
    if (ids.empty()) ids.push_back(WordVocab::kUnk);
    out.ids.push_back(std::move(ids));
  }
  out.labels = labels;
  return out;
}

book::History fit_text_classifier(torch::nn::Module& model, const book::ForwardFn& forward,
                                  const EncodedNames& train_set, const EncodedNames& test_set,
                                  const TextFitOptions& options, book::Rng& rng, const TextEpochCallback& on_epoch) {
  torch::optim::Adam optimizer(model.parameters(), torch::optim::AdamOptions(options.lr));
  const auto test_batches = make_batches(test_set, 256, Batching::kRandom, nullptr);
  book::History history;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto batches = make_batches(train_set, options.batch_size, Batching::kRandom, &rng);
    const auto train = book::train_epoch(model, forward, optimizer, batches,
                                         {options.desc, options.max_grad_norm, options.progress});
    const auto test = book::evaluate(model, forward, test_batches, {"test", 0.0, options.progress});
    history.add(train, test);
    if (on_epoch) on_epoch(epoch, train, test);
  }
  return history;
}

std::vector<std::int64_t> predict_classes(torch::nn::Module& model, const book::ForwardFn& forward,
                                          const EncodedNames& data, std::int64_t batch_size) {
  model.eval();
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> out;
  out.reserve(data.ids.size());
  for (const auto& batch : make_batches(data, batch_size, Batching::kRandom, nullptr)) {
    const torch::Tensor best = forward(batch).argmax(1).to(torch::kCPU).contiguous();
    const auto* p = best.data_ptr<std::int64_t>();
    out.insert(out.end(), p, p + best.size(0));
  }
  return out;
}

std::vector<std::int64_t> predict_sentences(torch::nn::Module& model, const book::ForwardFn& forward,
                                            const std::vector<std::string>& sentences,
                                            const WordVocab& vocab, std::size_t max_len) {
  std::vector<std::vector<std::string>> tokens;
  for (const auto& s : sentences) tokens.push_back(tokenize(s));
  const std::vector<std::int64_t> no_labels(sentences.size(), 0);
  return predict_classes(model, forward, encode_texts(tokens, no_labels, vocab, max_len));
}

nlohmann::json sentiment_meta(const SentimentConfig& c, const WordVocab& vocab, std::int64_t max_len) {
  return {{"model", "SentimentLSTM"},     {"vocab_size", c.vocab_size}, {"embed_dim", c.embed_dim},
          {"hidden_dim", c.hidden_dim},   {"num_layers", c.num_layers}, {"num_classes", c.num_classes},
          {"dropout", c.dropout},         {"classes", sentiment_classes()}, {"max_len", max_len},
          {"vocab", vocab.tokens()}};
}

LoadedSentiment load_sentiment(const std::filesystem::path& path) {
  const nlohmann::json meta = book::load_checkpoint_meta(path);
  const std::string where = "checkpoint '" + path.string() + "'";
  SentimentConfig config;
  LoadedSentiment loaded;
  try {
    const auto model = meta.at("model").get<std::string>();
    if (model != "SentimentLSTM") throw std::runtime_error(where + " holds a " + model + ", not a SentimentLSTM");
    config.vocab_size = meta.at("vocab_size").get<std::int64_t>();
    config.embed_dim = meta.at("embed_dim").get<std::int64_t>();
    config.hidden_dim = meta.at("hidden_dim").get<std::int64_t>();
    config.num_layers = meta.at("num_layers").get<std::int64_t>();
    config.num_classes = meta.at("num_classes").get<std::int64_t>();
    config.dropout = meta.at("dropout").get<double>();
    loaded.max_len = meta.at("max_len").get<std::int64_t>();
    loaded.vocab = WordVocab::from_tokens(meta.at("vocab").get<std::vector<std::string>>());
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(where + " has incomplete metadata");
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  if (config.vocab_size != loaded.vocab.size() || config.num_classes != 2 || loaded.max_len < 0) {
    throw std::runtime_error(where + " has inconsistent metadata");
  }
  loaded.model = SentimentLSTM(config);
  book::load_checkpoint_weights(*loaded.model, path);
  loaded.model->eval();
  return loaded;
}

// [predict]
std::vector<SentimentPrediction> predict_sentiment(SentimentLSTM& model, const WordVocab& vocab,
                                                   const std::vector<std::string>& sentences,
                                                   std::int64_t max_len) {
  std::vector<SentimentPrediction> out(sentences.size());
  EncodedNames batch;
  std::vector<std::size_t> rows;  // out[] index of each batch row
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    SentimentPrediction& p = out[i];
    p.input =
        book::utf8_encode(book::utf8_decode(sentences[i]));  // printable, whatever the bytes were
    const std::vector<std::string> words = tokenize(sentences[i]);
    if (sentences[i].find_first_not_of(" \t\r\n") == std::string::npos) {
      p.error = "empty sentence";
      continue;
    }
    if (words.empty()) {
      p.error = "no words in the sentence";
      continue;
    }
    p.grammar = grammar_label(words);
    p.truncated = max_len > 0 && static_cast<std::int64_t>(words.size()) > max_len;
    batch.ids.push_back(
        vocab.encode(words, static_cast<std::size_t>(std::max<std::int64_t>(max_len, 0))));
    batch.labels.push_back(0);
    p.words = static_cast<std::int64_t>(batch.ids.back().size());
    rows.push_back(i);
  }
  if (rows.empty()) return out;
  model->eval();
  torch::NoGradGuard no_grad;
  std::vector<std::size_t> order(rows.size());
  for (std::size_t r = 0; r < order.size(); ++r) order[r] = r;
  const book::Batch b = collate(batch, order);
  const torch::Tensor probs = torch::softmax(model->forward(b.inputs, b.lengths), /*dim=*/1);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    SentimentPrediction& p = out[rows[r]];
    const auto row = static_cast<std::int64_t>(r);
    p.label = probs[row].argmax().item<std::int64_t>();
    p.probability = probs[row][p.label].item<double>();
  }
  return out;
}
// [predict]

std::string prediction_line(const SentimentPrediction& p) {
  const auto& classes = sentiment_classes();
  std::string note;
  if (p.grammar) note += "  [grammar: " + classes[static_cast<std::size_t>(*p.grammar)] + "]";
  if (p.truncated) note += "  [cut to the first " + std::to_string(p.words) + " words]";
  return fmt::format("{:<8} (p = {:.3f})  {}{}", classes[static_cast<std::size_t>(p.label)],
                     p.probability, p.input, note);
}

}  // namespace ch06
