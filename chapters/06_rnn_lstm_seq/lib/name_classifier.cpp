#include "lib/name_classifier.h"

#include "lib/fused_rnn.h"

#include "book/text.h"
#include "book/torch_utils.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ch06 {

namespace rnn_utils = torch::nn::utils::rnn;

std::int64_t expected_parameter_count(const ClassifierConfig& c) {
  const std::int64_t directions = c.bidirectional ? 2 : 1;
  const std::int64_t g = gate_count(c.cell);
  std::int64_t total = c.vocab_size * c.embed_dim;
  for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
    const std::int64_t in = layer == 0 ? c.embed_dim : directions * c.hidden_dim;
    total += directions * g * (c.hidden_dim * in + c.hidden_dim * c.hidden_dim + 2 * c.hidden_dim);
  }
  total += directions * c.hidden_dim * c.num_classes + c.num_classes;
  return total;
}

double recurrent_gemm_flops(const ClassifierConfig& c, std::int64_t tokens, bool training) {
  const double directions = c.bidirectional ? 2.0 : 1.0;
  const double g = static_cast<double>(gate_count(c.cell));
  const double h = static_cast<double>(c.hidden_dim);
  double per_token = 0;
  for (std::int64_t layer = 0; layer < c.num_layers; ++layer) {
    const double in = layer == 0 ? static_cast<double>(c.embed_dim) : directions * h;
    per_token += directions * 2.0 * g * h * (in + h);
  }
  return per_token * static_cast<double>(tokens) * (training ? 3.0 : 1.0);
}

DynamicRNNClassifierImpl::DynamicRNNClassifierImpl(const ClassifierConfig& config) : config_(config) {
  embedding_ = register_module(
      "embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(config.vocab_size, config.embed_dim)
                                            .padding_idx(CharVocab::kPad)));
  dropout_ = register_module("dropout", book::Dropout(config.dropout));
  const double between = config.num_layers > 1 ? config.dropout : 0.0;
  switch (config.cell) {
    case CellType::kRnn:
      rnn_ = register_module("rnn", torch::nn::RNN(torch::nn::RNNOptions(config.embed_dim, config.hidden_dim)
                                                       .num_layers(config.num_layers)
                                                       .batch_first(true)
                                                       .bidirectional(config.bidirectional)
                                                       .dropout(between)));
      break;
    case CellType::kLstm:
      lstm_ = register_module(
          "rnn", torch::nn::LSTM(torch::nn::LSTMOptions(config.embed_dim, config.hidden_dim)
                                     .num_layers(config.num_layers)
                                     .batch_first(true)
                                     .bidirectional(config.bidirectional)
                                     .dropout(between)));
      break;
    case CellType::kGru:
      gru_ = register_module("rnn", torch::nn::GRU(torch::nn::GRUOptions(config.embed_dim, config.hidden_dim)
                                                       .num_layers(config.num_layers)
                                                       .batch_first(true)
                                                       .bidirectional(config.bidirectional)
                                                       .dropout(between)));
      break;
  }
  const std::int64_t directions = config.bidirectional ? 2 : 1;
  fc_ = register_module("fc", torch::nn::Linear(directions * config.hidden_dim, config.num_classes));
}

std::pair<rnn_utils::PackedSequence, torch::Tensor> DynamicRNNClassifierImpl::run(const torch::Tensor& ids,
                                                                                   const torch::Tensor& lengths) {
  const torch::Tensor embedded = dropout_(embedding_(ids));
  const auto packed = rnn_utils::pack_padded_sequence(embedded, lengths, /*batch_first=*/true,
                                                      /*enforce_sorted=*/false);
  switch (config_.cell) {
    case CellType::kRnn: {
      auto [output, h_n] = rnn_->forward_with_packed_input(packed);
      return {output, h_n};
    }
    case CellType::kGru: {
      auto [output, h_n] = gru_->forward_with_packed_input(packed);
      return {output, h_n};
    }
    case CellType::kLstm: break;
  }
  auto [output, state] = lstm_->forward_with_packed_input(packed);
  return {output, std::get<0>(state)};
}

torch::Tensor DynamicRNNClassifierImpl::final_states(const torch::Tensor& ids, const torch::Tensor& lengths,
                                                     RecurrentPath path) {
  switch (path) {
    case RecurrentPath::kPadded: return run_padded(ids, lengths);
    case RecurrentPath::kFused: return run_fused(ids, lengths);
    case RecurrentPath::kPacked: break;
  }
  return run(ids, lengths).second;
}

namespace {

// seq [T, B, D] → the rows seq[index[t, b], b] as [T', B, D] for index [T', B].
torch::Tensor gather_steps(const torch::Tensor& seq, const torch::Tensor& index) {
  return seq.gather(0, index.unsqueeze(-1).expand({index.size(0), index.size(1), seq.size(2)}));
}

}  // namespace

torch::Tensor DynamicRNNClassifierImpl::run_layer(const torch::Tensor& input, std::int64_t layer, bool reverse) {
  const std::string suffix = "_l" + std::to_string(layer) + (reverse ? "_reverse" : "");
  const auto& params = named_parameters(/*recurse=*/true);
  const std::vector<torch::Tensor> weights = {params["rnn.weight_ih" + suffix], params["rnn.weight_hh" + suffix],
                                              params["rnn.bias_ih" + suffix], params["rnn.bias_hh" + suffix]};
  const torch::Tensor h0 = torch::zeros({1, input.size(1), config_.hidden_dim}, input.options());
  const bool train = is_training();
  switch (config_.cell) {
    case CellType::kLstm:
      return std::get<0>(torch::lstm(input, {h0, h0}, weights, true, 1, 0.0, train, false, false));
    case CellType::kGru:
      return std::get<0>(torch::gru(input, h0, weights, true, 1, 0.0, train, false, false));
    case CellType::kRnn:
      break;
  }
  return std::get<0>(torch::rnn_tanh(input, h0, weights, true, 1, 0.0, train, false, false));
}

torch::Tensor DynamicRNNClassifierImpl::run_padded(const torch::Tensor& ids, const torch::Tensor& lengths) {
  torch::Tensor x = dropout_(embedding_(ids)).transpose(0, 1);  // time-first [T, B, E]
  const std::int64_t steps = x.size(0);
  const torch::Tensor len = lengths.to(x.device()).unsqueeze(0);                      // [1, B]
  const torch::Tensor t = torch::arange(steps, len.options()).unsqueeze(1);           // [T, 1]
  const torch::Tensor last = len - 1;                                                 // [1, B]
  // reverse[t, b] = L_b − 1 − t for real steps, t for pads: each sequence reversed in place.
  const torch::Tensor reverse = torch::where(t < len, last - t, t.expand({steps, len.size(1)}));
  const double between = config_.num_layers > 1 ? config_.dropout : 0.0;
  std::vector<torch::Tensor> finals;
  for (std::int64_t layer = 0; layer < config_.num_layers; ++layer) {
    if (layer > 0) x = book::dropout(x, between, is_training());
    const torch::Tensor forward_out = run_layer(x, layer, false);
    finals.push_back(gather_steps(forward_out, last).squeeze(0));  // state at the last real step
    if (!config_.bidirectional) {
      x = forward_out;
      continue;
    }
    const torch::Tensor backward_rev = run_layer(gather_steps(x, reverse), layer, true);
    finals.push_back(gather_steps(backward_rev, last).squeeze(0));  // = the backward state at step 0
    x = torch::cat({forward_out, gather_steps(backward_rev, reverse)}, 2);
  }
  return torch::stack(finals);
}

torch::Tensor DynamicRNNClassifierImpl::run_fused(const torch::Tensor& ids, const torch::Tensor& lengths) {
  if (!ids.device().is_cpu()) return run(ids, lengths).second;  // the gate loops run on the CPU only
  const double between = config_.num_layers > 1 ? config_.dropout : 0.0;
  return fused_final_states(config_.cell, *named_children()["rnn"], dropout_(embedding_(ids)), lengths,
                            config_.num_layers, config_.bidirectional, between, is_training());
}

// [head]
torch::Tensor DynamicRNNClassifierImpl::final_features(const torch::Tensor& ids,
                                                       const torch::Tensor& lengths) {
  const torch::Tensor h_n = final_states(ids, lengths, path_);  // [layers · directions, B, H]
  if (!config_.bidirectional) return h_n[-1];
  return torch::cat({h_n[-2], h_n[-1]}, /*dim=*/1);
}
// [head]

torch::Tensor DynamicRNNClassifierImpl::forward(const torch::Tensor& ids, const torch::Tensor& lengths) {
  return fc_(dropout_(final_features(ids, lengths)));
}

torch::Tensor DynamicRNNClassifierImpl::step_outputs(const torch::Tensor& ids, const torch::Tensor& lengths) {
  const auto packed_output = run(ids, lengths).first;
  return std::get<0>(rnn_utils::pad_packed_sequence(packed_output, /*batch_first=*/true));
}

void DynamicRNNClassifierImpl::pretty_print(std::ostream& stream) const {
  stream << "DynamicRNNClassifier(model_type=" << cell_type_name(config_.cell) << ")";
}

EncodedNames encode_names(const std::vector<NameSample>& samples, const CharVocab& vocab) {
  EncodedNames out;
  out.ids.reserve(samples.size());
  out.labels.reserve(samples.size());
  for (const auto& s : samples) {
    out.ids.push_back(vocab.encode(s.name));
    out.labels.push_back(s.label);
  }
  return out;
}

book::Batch collate(const EncodedNames& data, const std::vector<std::size_t>& indices) {
  const auto batch = static_cast<std::int64_t>(indices.size());
  std::size_t longest = 0;
  for (auto i : indices) longest = std::max(longest, data.ids[i].size());
  book::Batch out;
  out.inputs =
      torch::zeros({batch, static_cast<std::int64_t>(longest)}, torch::kInt64);  // 0 = <pad>
  out.lengths = torch::empty({batch}, torch::kInt64);
  out.targets = torch::empty({batch}, torch::kInt64);
  auto* ids = out.inputs.data_ptr<std::int64_t>();
  auto* lengths = out.lengths.data_ptr<std::int64_t>();
  auto* targets = out.targets.data_ptr<std::int64_t>();
  for (std::int64_t row = 0; row < batch; ++row) {
    const auto& seq = data.ids[indices[static_cast<std::size_t>(row)]];
    std::memcpy(ids + row * static_cast<std::int64_t>(longest), seq.data(),
                seq.size() * sizeof(std::int64_t));
    lengths[row] = static_cast<std::int64_t>(seq.size());
    targets[row] = data.labels[indices[static_cast<std::size_t>(row)]];
  }
  return out;
}

Batching parse_batching(const std::string& name) {
  if (name == "random") return Batching::kRandom;
  if (name == "bucket") return Batching::kBucketed;
  throw std::invalid_argument("unknown batching '" + name + "'; choose random or bucket");
}

std::vector<book::Batch> make_batches(const EncodedNames& data, std::int64_t batch_size, Batching batching,
                                      book::Rng* rng) {
  std::vector<std::size_t> order(data.ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto size = static_cast<std::size_t>(batch_size);
  std::vector<std::vector<std::size_t>> groups;
  if (rng != nullptr) {
    book::shuffle(order, *rng);
    if (batching == Batching::kBucketed) {
      // A pool of a few batches only: sorting a larger pool (the whole epoch, at 1,600 names) made each
      // batch hold names of one length, and length goes with the class's suffix, so batches became
      // class-correlated and validation accuracy dropped.
      const std::size_t pool = static_cast<std::size_t>(kBucketPoolBatches) * size;
      for (std::size_t start = 0; start < order.size(); start += pool) {
        const auto end = order.begin() + static_cast<long>(std::min(order.size(), start + pool));
        std::stable_sort(order.begin() + static_cast<long>(start), end,
                         [&](std::size_t a, std::size_t b) { return data.ids[a].size() < data.ids[b].size(); });
      }
    }
  }
  for (std::size_t start = 0; start < order.size(); start += size) {
    groups.emplace_back(order.begin() + static_cast<long>(start),
                        order.begin() + static_cast<long>(std::min(order.size(), start + size)));
  }
  if (rng != nullptr && batching == Batching::kBucketed) book::shuffle(groups, *rng);
  std::vector<book::Batch> batches;
  batches.reserve(groups.size());
  for (const auto& g : groups) batches.push_back(collate(data, g));
  return batches;
}

nlohmann::json classifier_meta(const ClassifierConfig& c, const CharVocab& vocab) {
  return {{"model", "DynamicRNNClassifier"},
          {"model_type", cell_type_name(c.cell)},
          {"vocab_size", c.vocab_size},
          {"embed_dim", c.embed_dim},
          {"hidden_dim", c.hidden_dim},
          {"num_layers", c.num_layers},
          {"num_classes", c.num_classes},
          {"bidirectional", c.bidirectional},
          {"dropout", c.dropout},
          {"classes", name_classes()},
          {"vocab", vocab.tokens()}};
}

LoadedClassifier load_classifier(const std::filesystem::path& path, const CellType* expected) {
  const nlohmann::json meta = book::load_checkpoint_meta(path);
  const std::string where = "checkpoint '" + path.string() + "'";
  ClassifierConfig config;
  LoadedClassifier loaded;
  try {
    if (meta.at("model").get<std::string>() != "DynamicRNNClassifier") {
      throw std::runtime_error(where + " holds a " + meta.at("model").get<std::string>() + ", not a name classifier");
    }
    config.cell = parse_cell_type(meta.at("model_type").get<std::string>());
    config.vocab_size = meta.at("vocab_size").get<std::int64_t>();
    config.embed_dim = meta.at("embed_dim").get<std::int64_t>();
    config.hidden_dim = meta.at("hidden_dim").get<std::int64_t>();
    config.num_layers = meta.at("num_layers").get<std::int64_t>();
    config.num_classes = meta.at("num_classes").get<std::int64_t>();
    config.bidirectional = meta.at("bidirectional").get<bool>();
    config.dropout = meta.at("dropout").get<double>();
    loaded.vocab = CharVocab::from_tokens(meta.at("vocab").get<std::vector<std::string>>());
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(where + " has incomplete metadata");
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(where + ": " + e.what());
  }
  if (expected != nullptr && *expected != config.cell) {
    throw std::runtime_error(where + " holds a " + cell_type_name(config.cell) + " model, not " +
                             cell_type_name(*expected));
  }
  if (config.vocab_size != loaded.vocab.size() || config.num_classes != static_cast<std::int64_t>(name_classes().size())) {
    throw std::runtime_error(where + " has inconsistent metadata");
  }
  loaded.model = DynamicRNNClassifier(config);
  book::load_checkpoint_weights(*loaded.model, path);
  loaded.model->eval();
  return loaded;
}

std::vector<Prediction> predict_names(DynamicRNNClassifier& model, const CharVocab& vocab,
                                      const std::vector<std::string>& names) {
  std::vector<Prediction> out(names.size());
  EncodedNames batch;
  std::vector<std::size_t> rows;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out[i].input = names[i];
    std::vector<std::int64_t> ids = vocab.encode(names[i]);
    if (ids.empty()) {
      out[i].error = "empty name";
    } else if (ids.size() > kMaxNameChars) {
      out[i].error = "name too long (" + std::to_string(ids.size()) + " characters; the limit is " +
                     std::to_string(kMaxNameChars) + ")";
    } else {
      rows.push_back(batch.ids.size());
      batch.ids.push_back(std::move(ids));
      batch.labels.push_back(0);
      out[i].index = static_cast<std::int64_t>(rows.size()) - 1;  // row in the batch, for now
    }
  }
  if (rows.empty()) return out;
  model->eval();
  torch::NoGradGuard no_grad;
  const book::Batch b = collate(batch, rows);
  const torch::Tensor probs = torch::softmax(model->forward(b.inputs, b.lengths), 1);
  const torch::Tensor best = probs.argmax(1);
  for (auto& p : out) {
    if (!p.error.empty()) continue;
    const std::int64_t row = p.index;
    p.index = best[row].item<std::int64_t>();
    p.probability = probs[row][p.index].item<double>();
    p.label = name_classes()[static_cast<std::size_t>(p.index)];
  }
  return out;
}

}  // namespace ch06

namespace ch06 {

std::int64_t total_tokens(const EncodedNames& data) {
  std::int64_t n = 0;
  for (const auto& seq : data.ids) n += static_cast<std::int64_t>(seq.size());
  return n;
}

book::History fit_classifier(DynamicRNNClassifier& model, const EncodedNames& train_set, const EncodedNames& val_set,
                             const FitOptions& options, book::Rng& rng, const EpochCallback& on_epoch) {
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(options.lr));
  const book::ForwardFn forward = [&](const book::Batch& b) {
    return model->forward(b.inputs.to(options.device), b.lengths);
  };
  model->set_path(options.path);
  const auto val_batches = make_batches(val_set, options.batch_size, Batching::kRandom, nullptr);
  book::History history;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    const auto batches = make_batches(train_set, options.batch_size, options.batching, &rng);
    const auto train = book::train_epoch(*model, forward, optimizer, batches,
                                         {"train", options.max_grad_norm, options.progress});
    const auto val = book::evaluate(*model, forward, val_batches, {"valid", 0.0, options.progress});
    history.add(train, val);
    if (on_epoch) on_epoch(epoch, train, val);
  }
  return history;
}

}  // namespace ch06
