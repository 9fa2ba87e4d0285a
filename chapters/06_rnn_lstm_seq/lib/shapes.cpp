#include "lib/shapes.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ch06 {

namespace rnn_utils = torch::nn::utils::rnn;

namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

// The output as [B, T, D·H], whatever the layer's layout.
torch::Tensor batch_major(const torch::Tensor& output, bool batch_first) {
  return batch_first ? output : output.transpose(0, 1);
}

torch::Tensor random_input(const LayerSpec& spec, const ShapeProblem& p) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  return spec.batch_first ? torch::randn({p.batch, p.steps, spec.input_size}, options)
                          : torch::randn({p.steps, p.batch, spec.input_size}, options);
}

LayerSpec spec_for(CellType cell, bool batch_first, std::int64_t num_layers, bool bidirectional,
                   const ShapeProblem& p) {
  LayerSpec s;
  s.cell = cell;
  s.input_size = p.input;
  s.hidden_size = p.hidden;
  s.num_layers = num_layers;
  s.bidirectional = bidirectional;
  s.batch_first = batch_first;
  return s;
}

}  // namespace

// ---- RecurrentLayer -------------------------------------------------------------------------------

RecurrentLayer::RecurrentLayer(const LayerSpec& spec) : spec_(spec) {
  switch (spec.cell) {
    case CellType::kRnn:
      rnn_ = torch::nn::RNN(torch::nn::RNNOptions(spec.input_size, spec.hidden_size)
                                .num_layers(spec.num_layers)
                                .bidirectional(spec.bidirectional)
                                .batch_first(spec.batch_first));
      module_ = rnn_.ptr();
      break;
    case CellType::kLstm:
      lstm_ = torch::nn::LSTM(torch::nn::LSTMOptions(spec.input_size, spec.hidden_size)
                                  .num_layers(spec.num_layers)
                                  .bidirectional(spec.bidirectional)
                                  .batch_first(spec.batch_first));
      module_ = lstm_.ptr();
      break;
    case CellType::kGru:
      gru_ = torch::nn::GRU(torch::nn::GRUOptions(spec.input_size, spec.hidden_size)
                                .num_layers(spec.num_layers)
                                .bidirectional(spec.bidirectional)
                                .batch_first(spec.batch_first));
      module_ = gru_.ptr();
      break;
  }
}

LayerOutput RecurrentLayer::forward(const torch::Tensor& x) {
  LayerOutput r;
  switch (spec_.cell) {
    case CellType::kRnn: std::tie(r.output, r.h_n) = rnn_->forward(x); break;
    case CellType::kGru: std::tie(r.output, r.h_n) = gru_->forward(x); break;
    case CellType::kLstm: {
      auto [output, state] = lstm_->forward(x);
      r.output = output;
      std::tie(r.h_n, r.c_n) = state;
      break;
    }
  }
  return r;
}

PackedOutput RecurrentLayer::forward_packed(const rnn_utils::PackedSequence& x) {
  switch (spec_.cell) {
    case CellType::kRnn: {
      auto [output, h_n] = rnn_->forward_with_packed_input(x);
      return {output, h_n, torch::Tensor()};
    }
    case CellType::kGru: {
      auto [output, h_n] = gru_->forward_with_packed_input(x);
      return {output, h_n, torch::Tensor()};
    }
    case CellType::kLstm: break;
  }
  auto [output, state] = lstm_->forward_with_packed_input(x);
  return {output, std::get<0>(state), std::get<1>(state)};
}

torch::Tensor RecurrentLayer::parameter(const std::string& name) const {
  const auto params = module_->named_parameters();
  const torch::Tensor* p = params.find(name);
  if (p == nullptr) throw std::out_of_range("the layer has no parameter '" + name + "'");
  return *p;
}

void RecurrentLayer::copy_parameters_from(const RecurrentLayer& other) {
  torch::NoGradGuard no_grad;
  for (auto& item : module_->named_parameters()) item.value().copy_(other.parameter(item.key()));
}

void RecurrentLayer::to(torch::ScalarType dtype) { module_->to(dtype); }

// ---- The loop of cells ----------------------------------------------------------------------------

// [cell_loop]
LayerOutput run_as_cell_loop(RecurrentLayer& layer, const torch::Tensor& x) {
  const LayerSpec& s = layer.spec();
  const torch::Tensor sequence = s.batch_first ? x.transpose(0, 1) : x;  // [T, B, in]
  const std::int64_t steps = sequence.size(0);
  const std::int64_t batch = sequence.size(1);
  const std::int64_t directions = s.bidirectional ? 2 : 1;
  const auto options = sequence.options();
  std::vector<torch::Tensor> h_final, c_final;
  torch::Tensor layer_input = sequence;
  for (std::int64_t l = 0; l < s.num_layers; ++l) {
    std::vector<torch::Tensor> direction_outputs;
    for (std::int64_t d = 0; d < directions; ++d) {
      const std::string suffix = "_l" + std::to_string(l) + (d == 1 ? "_reverse" : "");
      const std::int64_t in = layer_input.size(2);
      // One cell with this layer's and direction's weights.
      torch::nn::RNNCell rnn_cell{nullptr};
      torch::nn::LSTMCell lstm_cell{nullptr};
      torch::nn::GRUCell gru_cell{nullptr};
      std::shared_ptr<torch::nn::Module> cell;
      if (s.cell == CellType::kRnn) cell = (rnn_cell = torch::nn::RNNCell(in, s.hidden_size)).ptr();
      if (s.cell == CellType::kLstm)
        cell = (lstm_cell = torch::nn::LSTMCell(in, s.hidden_size)).ptr();
      if (s.cell == CellType::kGru) cell = (gru_cell = torch::nn::GRUCell(in, s.hidden_size)).ptr();
      cell->to(options.dtype().toScalarType());
      {
        torch::NoGradGuard no_grad;
        for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
          cell->named_parameters()[name].copy_(layer.parameter(name + suffix));
        }
      }
      // The recurrence, one step per call; the backward direction reads from the end.
      torch::Tensor h = torch::zeros({batch, s.hidden_size}, options);
      torch::Tensor c = torch::zeros({batch, s.hidden_size}, options);
      std::vector<torch::Tensor> outputs(static_cast<std::size_t>(steps));
      for (std::int64_t k = 0; k < steps; ++k) {
        const std::int64_t t = d == 0 ? k : steps - 1 - k;
        const torch::Tensor x_t = layer_input[t];
        if (rnn_cell) h = rnn_cell->forward(x_t, h);
        if (gru_cell) h = gru_cell->forward(x_t, h);
        if (lstm_cell) std::tie(h, c) = lstm_cell->forward(x_t, std::make_tuple(h, c));
        outputs[static_cast<std::size_t>(t)] = h;
      }
      direction_outputs.push_back(torch::stack(outputs));  // [T, B, H]
      h_final.push_back(h);
      c_final.push_back(c);
    }
    layer_input = torch::cat(direction_outputs, /*dim=*/2);  // [T, B, D·H]: the next layer's input
  }
  LayerOutput r;
  r.output = s.batch_first ? layer_input.transpose(0, 1) : layer_input;
  r.h_n = torch::stack(h_final);  // [L·D, B, H], layer by layer, forward before backward
  if (s.cell == CellType::kLstm) r.c_n = torch::stack(c_final);
  return r;
}
// [cell_loop]

// ---- Shapes -----------------------------------------------------------------------------------------

std::string shape_string(const torch::Tensor& t) {
  if (!t.defined()) return "-";
  return fmt::format("[{}]", fmt::join(t.sizes(), ", "));
}

// [original_demo]
OriginalDemo original_demo() {
  LayerSpec spec;  // LSTM(10 → 20), one layer, batch_first
  spec.cell = CellType::kLstm;
  spec.input_size = 10;
  spec.hidden_size = 20;
  RecurrentLayer lstm(spec);
  OriginalDemo demo;
  demo.input = torch::randn({3, 5, 10});  // (batch, steps, features)
  demo.result = lstm.forward(demo.input);
  const torch::Tensor last_step =
      demo.result.output.select(/*dim=*/1, /*index=*/-1);  // output[:, -1, :]
  demo.last_step_equals_h = torch::allclose(last_step, demo.result.h_n[-1]);
  return demo;
}
// [original_demo]

// [shape_row]
ShapeRow shape_row(CellType cell, bool batch_first, std::int64_t num_layers, bool bidirectional,
                   const ShapeProblem& problem) {
  RecurrentLayer layer(spec_for(cell, batch_first, num_layers, bidirectional, problem));
  layer.to(torch::kFloat64);
  const torch::Tensor x = random_input(layer.spec(), problem);
  const LayerOutput r = layer.forward(x);
  ShapeRow row;
  row.cell = cell;
  row.batch_first = batch_first;
  row.num_layers = num_layers;
  row.bidirectional = bidirectional;
  row.input = x.sizes().vec();
  row.output = r.output.sizes().vec();
  row.h_n = r.h_n.sizes().vec();
  if (r.c_n.defined()) row.c_n = r.c_n.sizes().vec();
  // Where the final states sit in the output.
  const torch::Tensor out = batch_major(r.output, batch_first);  // [B, T, D·H]
  const std::int64_t h = problem.hidden;
  const std::int64_t last = out.size(1) - 1;
  if (!bidirectional) {
    row.final_state_error = max_abs_diff(out.select(1, last), r.h_n[-1]);
  } else {
    row.final_state_error = std::max(max_abs_diff(out.select(1, last).narrow(1, 0, h), r.h_n[-2]),
                                     max_abs_diff(out.select(1, 0).narrow(1, h, h), r.h_n[-1]));
  }
  return row;
}
// [shape_row]

std::vector<ShapeRow> shape_table(CellType cell, const ShapeProblem& problem) {
  std::vector<ShapeRow> rows;
  for (bool batch_first : {true, false}) {
    for (std::int64_t layers : {1, 2}) {
      for (bool bidirectional : {false, true}) rows.push_back(shape_row(cell, batch_first, layers, bidirectional, problem));
    }
  }
  return rows;
}

// [bidirectional]
BidirectionalCheck bidirectional_check(CellType cell, std::int64_t num_layers,
                                       const ShapeProblem& problem) {
  RecurrentLayer layer(
      spec_for(cell, /*batch_first=*/true, num_layers, /*bidirectional=*/true, problem));
  layer.to(torch::kFloat64);
  const LayerOutput r = layer.forward(random_input(layer.spec(), problem));
  const std::int64_t h = problem.hidden;
  const torch::Tensor first = r.output.select(1, 0);                    // output[:, 0, :]
  const torch::Tensor last = r.output.select(1, r.output.size(1) - 1);  // output[:, -1, :]
  BidirectionalCheck c;
  c.forward_last_vs_h_fwd =
      max_abs_diff(last.narrow(1, 0, h), r.h_n[-2]);  // forward half, last step
  c.backward_first_vs_h_bwd =
      max_abs_diff(first.narrow(1, h, h), r.h_n[-1]);  // backward half, first step
  c.backward_last_vs_h_bwd = max_abs_diff(last.narrow(1, h, h), r.h_n[-1]);  // the mistake
  return c;
}
// [bidirectional]

// [layouts]
double layout_difference(CellType cell, std::int64_t num_layers, bool bidirectional,
                         const ShapeProblem& problem) {
  RecurrentLayer batch_first(spec_for(cell, true, num_layers, bidirectional, problem));
  RecurrentLayer time_first(spec_for(cell, false, num_layers, bidirectional, problem));
  batch_first.to(torch::kFloat64);
  time_first.to(torch::kFloat64);
  time_first.copy_parameters_from(batch_first);
  const torch::Tensor x = random_input(batch_first.spec(), problem);  // [B, T, in]
  const LayerOutput a = batch_first.forward(x);
  const LayerOutput b = time_first.forward(x.transpose(0, 1).contiguous());  // [T, B, in]
  double diff =
      std::max(max_abs_diff(a.output, b.output.transpose(0, 1)), max_abs_diff(a.h_n, b.h_n));
  if (a.c_n.defined()) diff = std::max(diff, max_abs_diff(a.c_n, b.c_n));
  return diff;
}
// [layouts]

CellLoopCheck cell_loop_check(CellType cell, std::int64_t num_layers, bool bidirectional,
                              const ShapeProblem& problem) {
  RecurrentLayer layer(spec_for(cell, true, num_layers, bidirectional, problem));
  layer.to(torch::kFloat64);
  const torch::Tensor x = random_input(layer.spec(), problem);
  const LayerOutput module = layer.forward(x);
  const LayerOutput loop = run_as_cell_loop(layer, x);
  CellLoopCheck c;
  c.output = max_abs_diff(module.output, loop.output);
  c.h_n = max_abs_diff(module.h_n, loop.h_n);
  if (module.c_n.defined()) c.c_n = max_abs_diff(module.c_n, loop.c_n);
  return c;
}

// ---- The final state of a padded batch ------------------------------------------------------------------

// [last_real_step]
torch::Tensor last_real_step(const torch::Tensor& output, const torch::Tensor& lengths) {
  const auto index = (lengths.to(torch::kLong) - 1).to(output.device());
  return output.index(
      {torch::arange(output.size(0), index.options()), index});  // output[b, lengths[b] − 1]
}
// [last_real_step]

void expect_same_state(const torch::Tensor& candidate, const torch::Tensor& reference, double tol,
                       const std::string& what) {
  const double diff = max_abs_diff(candidate, reference);
  if (!(diff <= tol)) {
    throw std::logic_error(fmt::format("{} is not the final state: it differs by {:.3g} (tolerance {:.0e})", what,
                                       diff, tol));
  }
}

namespace {

// A right-padded batch: random features at real steps, zeros at pads. [B, T_max, in], float64.
torch::Tensor padded_batch(const std::vector<std::int64_t>& lengths, std::int64_t input_size) {
  const std::int64_t steps = *std::max_element(lengths.begin(), lengths.end());
  torch::Tensor x = torch::randn({static_cast<std::int64_t>(lengths.size()), steps, input_size}, torch::kFloat64);
  for (std::size_t b = 0; b < lengths.size(); ++b) x[static_cast<std::int64_t>(b)].narrow(0, lengths[b], steps - lengths[b]).zero_();
  return x;
}

}  // namespace

// [padded_mistake]
FinalStateMistake padded_final_state_mistake(CellType cell,
                                             const std::vector<std::int64_t>& lengths,
                                             const ShapeProblem& problem) {
  if (lengths.empty() || *std::min_element(lengths.begin(), lengths.end()) < 1) {
    throw std::invalid_argument("every length must be at least 1");
  }
  RecurrentLayer layer(spec_for(cell, true, 1, false, problem));
  layer.to(torch::kFloat64);
  const torch::Tensor x = padded_batch(lengths, problem.input);
  const LayerOutput padded = layer.forward(x);  // no packing: the layer reads the pads too
  const torch::Tensor naive = padded.output.select(1, x.size(1) - 1);  // output[:, -1]
  const torch::Tensor gathered =
      last_real_step(padded.output, torch::tensor(lengths));  // output[b, len-1]
  FinalStateMistake m;
  m.lengths = lengths;
  std::vector<torch::Tensor> truth;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    // The truth: the sequence alone, unpadded.
    const auto b = static_cast<std::int64_t>(i);
    truth.push_back(layer.forward(x.narrow(0, b, 1).narrow(1, 0, lengths[i])).h_n[-1][0]);
  }
  m.truth = torch::stack(truth);
  m.naive = naive;
  m.gathered = gathered;
  m.padded_h_n = padded.h_n[-1];
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    const auto b = static_cast<std::int64_t>(i);
    m.naive_error.push_back(max_abs_diff(m.naive[b], m.truth[b]));
    m.gathered_error.push_back(max_abs_diff(m.gathered[b], m.truth[b]));
    m.padded_h_n_error.push_back(max_abs_diff(m.padded_h_n[b], m.truth[b]));
  }
  return m;
}
// [padded_mistake]

std::vector<double> pad_drift(CellType cell, std::int64_t length, std::int64_t padded_to, const ShapeProblem& problem) {
  if (length < 1 || padded_to < length) throw std::invalid_argument("pad_drift needs 1 <= length <= padded_to");
  RecurrentLayer layer(spec_for(cell, true, 1, false, problem));
  layer.to(torch::kFloat64);
  std::vector<std::int64_t> lengths = {length};
  torch::Tensor x = padded_batch(lengths, problem.input);
  x = torch::cat({x, torch::zeros({1, padded_to - length, problem.input}, torch::kFloat64)}, 1);
  const torch::Tensor out = layer.forward(x).output[0];  // [padded_to, H]
  const torch::Tensor truth = out[length - 1];
  std::vector<double> drift;
  for (std::int64_t t = 0; t < padded_to; ++t) drift.push_back((out[t] - truth).norm().item<double>());
  return drift;
}

}  // namespace ch06
