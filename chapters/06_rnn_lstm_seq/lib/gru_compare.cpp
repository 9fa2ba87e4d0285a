#include "lib/gru_compare.h"

#include "book/timer.h"
#include "book/torch_utils.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::MatrixXd to_matrix(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat64).contiguous();  // row-major, as torch stores it
  return Eigen::Map<const RowMajor>(c.data_ptr<double>(), c.size(0), c.size(1));
}

Eigen::VectorXd to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.detach().to(torch::kFloat64).contiguous();
  return Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.numel());
}

}  // namespace

GruWeights gru_weights_from(torch::nn::GRUCell& cell) {
  GruWeights w;
  w.w_ih = to_matrix(cell->weight_ih);
  w.w_hh = to_matrix(cell->weight_hh);
  w.b_ih = to_vector(cell->bias_ih);
  w.b_hh = to_vector(cell->bias_hh);
  return w;
}

// [parity]
GruParity gru_cell_parity(std::int64_t input_size, std::int64_t hidden_size, std::int64_t steps,
                          std::int64_t batch) {
  torch::NoGradGuard no_grad;
  torch::nn::GRUCell cell(input_size, hidden_size);
  cell->to(torch::kFloat64);
  const GruWeights w = gru_weights_from(cell);  // the same numbers, in Eigen
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor xs = torch::randn({steps, batch, input_size}, options);
  torch::Tensor h = torch::randn({batch, hidden_size}, options);
  std::vector<Eigen::VectorXd> h_eigen;
  for (std::int64_t b = 0; b < batch; ++b) h_eigen.push_back(to_vector(h[b]));
  GruParity parity;
  for (std::int64_t t = 0; t < steps; ++t) {
    h = cell->forward(xs[t], h);
    for (std::int64_t b = 0; b < batch; ++b) {
      auto& hb = h_eigen[static_cast<std::size_t>(b)];
      hb = gru_step(w, to_vector(xs[t][b]), hb).h;
      parity.max_diff = std::max(parity.max_diff, (hb - to_vector(h[b])).cwiseAbs().maxCoeff());
      parity.values += hidden_size;
    }
  }
  return parity;
}
// [parity]

double torch_gru_keep_check(std::int64_t input_size, std::int64_t hidden_size, std::int64_t steps) {
  torch::NoGradGuard no_grad;
  torch::nn::GRUCell cell(input_size, hidden_size);
  cell->to(torch::kFloat64);
  cell->bias_ih.narrow(0, hidden_size, hidden_size).fill_(1000.0);  // rows H … 2H − 1: b_iz
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor h0 = torch::randn({1, hidden_size}, options);
  torch::Tensor h = h0;
  double diff = 0;
  for (std::int64_t t = 0; t < steps; ++t) {
    h = cell->forward(torch::randn({1, input_size}, options), h);
    diff = std::max(diff, (h - h0).abs().max().item<double>());
  }
  return diff;
}

std::vector<ParameterRow> parameter_table(const std::vector<std::pair<std::int64_t, std::int64_t>>& sizes) {
  std::vector<ParameterRow> rows;
  for (const auto& [in, hidden] : sizes) {
    for (CellType cell : {CellType::kRnn, CellType::kGru, CellType::kLstm}) {
      ParameterRow row;
      row.cell = cell;
      row.input_size = in;
      row.hidden_size = hidden;
      row.formula = recurrent_layer_parameter_formula(gate_count(cell), in, hidden);
      LayerSpec spec;
      spec.cell = cell;
      spec.input_size = in;
      spec.hidden_size = hidden;
      RecurrentLayer layer(spec);
      row.layer = book::count_parameters(layer.module()).total;
      if (cell == CellType::kRnn) row.cell_module = book::count_parameters(*torch::nn::RNNCell(in, hidden)).total;
      if (cell == CellType::kGru) row.cell_module = book::count_parameters(*torch::nn::GRUCell(in, hidden)).total;
      if (cell == CellType::kLstm) row.cell_module = book::count_parameters(*torch::nn::LSTMCell(in, hidden)).total;
      rows.push_back(row);
    }
  }
  return rows;
}

// [speed]
std::vector<SpeedRow> speed_comparison(const SpeedSetup& setup,
                                       const std::function<void(int, int)>& on_repeat) {
  const std::vector<CellType> cells = {CellType::kRnn, CellType::kGru, CellType::kLstm};
  std::vector<RecurrentLayer> layers;
  for (CellType cell : cells) {
    LayerSpec spec;
    spec.cell = cell;
    spec.input_size = setup.input;
    spec.hidden_size = setup.hidden;
    layers.emplace_back(spec);
  }
  const torch::Tensor x = torch::randn({setup.batch, setup.steps, setup.input});
  std::vector<std::vector<double>> times(cells.size());
  for (int r = -1; r < setup.repeats; ++r) {  // r = -1: the untimed warm-up
    for (std::size_t i = 0; i < cells.size(); ++i) {
      layers[i].module().zero_grad();
      book::Timer timer;
      layers[i].forward(x).output.pow(2).mean().backward();
      if (r >= 0) times[i].push_back(timer.seconds());
    }
    if (on_repeat) on_repeat(r + 2, setup.repeats + 1);
  }
  std::vector<SpeedRow> rows;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    SpeedRow row;
    row.cell = cells[i];
    row.train_s = book::median(times[i]);
    row.gemm_flops = 3.0 * 2.0 *
                     static_cast<double>(gate_count(cells[i]) * setup.hidden *
                                         (setup.input + setup.hidden) * setup.batch * setup.steps);
    rows.push_back(row);
  }
  return rows;
}
// [speed]

// [task]
LongRangeBatch first_token_batch(std::int64_t batch, std::int64_t length,
                                 const LongRangeSetup& setup, book::Rng& rng) {
  if (batch < 1 || length < 1)
    throw std::invalid_argument("the long-range task needs batch >= 1 and length >= 1");
  std::vector<std::int64_t> tokens(static_cast<std::size_t>(batch * length));
  std::vector<std::int64_t> labels(static_cast<std::size_t>(batch));
  for (std::int64_t b = 0; b < batch; ++b) {
    const auto label = static_cast<std::int64_t>(
        book::uniform_below(rng, static_cast<std::uint64_t>(setup.classes)));
    labels[static_cast<std::size_t>(b)] = label;
    tokens[static_cast<std::size_t>(b * length)] = label;  // the first token is the answer
    for (std::int64_t t = 1; t < length; ++t) {            // then T − 1 distractors
      tokens[static_cast<std::size_t>(b * length + t)] =
          setup.classes + static_cast<std::int64_t>(book::uniform_below(
                              rng, static_cast<std::uint64_t>(setup.distractors)));
    }
  }
  return {torch::tensor(tokens, torch::kLong).view({batch, length}),
          torch::tensor(labels, torch::kLong)};
}
// [task]

// [train_first_token]
LongRangeResult train_first_token(CellType cell, std::int64_t length, const LongRangeSetup& setup,
                                  std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::Embedding embedding(setup.classes + setup.distractors, setup.embed);
  LayerSpec spec;
  spec.cell = cell;
  spec.input_size = setup.embed;
  spec.hidden_size = setup.hidden;
  RecurrentLayer layer(spec);
  torch::nn::Linear head(setup.hidden, setup.classes);
  if (cell != CellType::kRnn && setup.keep_gate_bias != 0) {
    // Rows H … 2H − 1 of the input bias: the forget gate f of the LSTM (order i, f, g, o) and the
    // update gate z of the GRU (order r, z, n). A positive bias starts both gates near 1: keep
    // memory.
    torch::NoGradGuard no_grad;
    layer.parameter("bias_ih_l0").narrow(0, setup.hidden, setup.hidden).fill_(setup.keep_gate_bias);
  }
  std::vector<torch::Tensor> params = embedding->parameters();
  for (const auto& p : layer.module().parameters()) params.push_back(p);
  for (const auto& p : head->parameters()) params.push_back(p);
  torch::optim::Adam optimizer(params, torch::optim::AdamOptions(setup.lr));
  auto logits_of = [&](const torch::Tensor& tokens) {
    return head(layer.forward(embedding(tokens)).h_n[-1]);
  };

  book::Rng data_rng(seed);  // the same training data for every cell
  LongRangeResult result;
  result.cell = cell;
  result.length = length;
  book::Timer timer;
  std::int64_t streak = 0;
  while (result.steps < setup.max_steps && streak < setup.solved_streak) {
    const LongRangeBatch batch = first_token_batch(setup.batch, length, setup, data_rng);
    const torch::Tensor logits = logits_of(batch.tokens);
    const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, batch.labels);
    const double loss_value = loss.item<double>();
    if (!std::isfinite(loss_value)) {
      throw std::runtime_error("training loss became " + std::to_string(loss_value) + " at step " +
                               std::to_string(result.steps + 1) + " of the " +
                               cell_type_name(cell) + " run with T = " + std::to_string(length) +
                               "; lower --lr");
    }
    optimizer.zero_grad();
    loss.backward();
    torch::nn::utils::clip_grad_norm_(params, setup.clip);
    optimizer.step();
    ++result.steps;
    streak = logits.argmax(1).eq(batch.labels).all().item<bool>() ? streak + 1 : 0;
  }
  result.seconds = timer.seconds();

  torch::NoGradGuard no_grad;
  book::Rng test_rng(seed + 1);  // sequences never trained on
  const LongRangeBatch test = first_token_batch(setup.test_size, length, setup, test_rng);
  result.accuracy =
      100.0 *
      logits_of(test.tokens).argmax(1).eq(test.labels).to(torch::kFloat64).mean().item<double>();
  return result;
}
// [train_first_token]

}  // namespace ch06
