#include "lib/name_classifier.h"

#include "lib/fused_rnn.h"

#include <string>
#include <utility>
#include <vector>

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

}  // namespace ch06
