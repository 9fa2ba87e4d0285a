#include "lib/memory_lstm.h"

#include "book/timer.h"
#include "book/train.h"
#include "lib/order_models.h"
#include "lib/scratch_parity.h"

#include <stdexcept>

namespace ch06 {

MemoryLstmImpl::MemoryLstmImpl(std::int64_t vocab, std::int64_t embed, std::int64_t hidden, std::int64_t classes,
                               double forget_bias)
    : embedding_(register_module("embedding", torch::nn::Embedding(vocab, embed))),
      lstm_(register_module("lstm", torch::nn::LSTM(torch::nn::LSTMOptions(embed, hidden).batch_first(true)))),
      fc_(register_module("fc", torch::nn::Linear(hidden, classes))) {
  torch::NoGradGuard no_grad;
  lstm_->named_parameters()["bias_ih_l0"].slice(0, hidden, 2 * hidden).fill_(forget_bias);  // i, f, g, o: block 1
  lstm_->named_parameters()["bias_hh_l0"].slice(0, hidden, 2 * hidden).zero_();
}

torch::Tensor MemoryLstmImpl::forward(const torch::Tensor& ids) {
  const auto state = std::get<1>(lstm_->forward(embedding_->forward(ids)));
  return fc_->forward(std::get<0>(state)[0]);  // h_T [B, H]
}

// [memory_train]
MemoryTaskResult train_memory_lstm(const MemoryTaskOptions& o, book::Rng& rng,
                                   const std::function<void(int, double, double)>& on_epoch) {
  const TokenDataset train = make_memory_task(o.train_samples, o.gap, o.signals, o.distractors, rng);
  MemoryTaskResult r;
  r.test = make_memory_task(o.test_samples, o.gap, o.signals, o.distractors, rng);
  r.model = MemoryLstm(train.vocab_size, o.embed, o.hidden, train.num_classes, o.forget_bias);
  torch::optim::Adam optimizer(r.model->parameters(), torch::optim::AdamOptions(o.lr));
  const book::ForwardFn forward = [&](const book::Batch& b) { return r.model->forward(b.inputs); };
  const auto test_batches = make_token_batches(r.test, 256, nullptr);
  book::EpochOptions epoch_options;
  epoch_options.max_grad_norm = o.max_grad_norm;
  epoch_options.progress = false;
  book::Timer timer;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto tr = book::train_epoch(*r.model, forward, optimizer, make_token_batches(train, o.batch_size, &rng),
                                      epoch_options);
    const auto te = book::evaluate(*r.model, forward, test_batches, epoch_options);
    r.train_acc.push_back(tr.accuracy);
    r.test_acc.push_back(te.accuracy);
    if (on_epoch) on_epoch(epoch, tr.accuracy, te.accuracy);
  }
  r.seconds = timer.seconds();
  r.model->eval();
  return r;
}
// [memory_train]

// [trace]
GateTrace trace_gates(MemoryLstm& model, const TokenDataset& data, std::size_t index) {
  if (index >= data.ids.size()) throw std::invalid_argument("no such sample");
  const LstmWeights w = copy_lstm_weights(model->lstm(), 0);
  const Mat table = to_eigen_matrix(model->embedding()->weight);  // row k = x_t of token k
  const auto inputs = [&](const std::vector<std::int64_t>& ids) {
    Sequence xs;
    for (auto id : ids) xs.push_back(table.row(id).transpose());
    return xs;
  };
  // Which unit carries the first token? Look at c_T over every sequence of `data`.
  std::vector<LstmStep> finals;
  for (const auto& ids : data.ids) finals.push_back(lstm_sequence(w, inputs(ids)).back());
  std::vector<Vec> final_cells;
  for (const auto& s : finals) final_cells.push_back(s.c);
  GateTrace g;
  std::tie(g.memory_unit, g.memory_share) = most_label_carrying_unit(final_cells, data.labels);
  // What that unit holds at the end, class by class: c_T, and h_T, which the head reads.
  std::vector<double> unit_c, unit_h;
  for (const auto& s : finals) {
    unit_c.push_back(s.c(g.memory_unit));
    unit_h.push_back(s.h(g.memory_unit));
  }
  g.final_c = class_ranges(unit_c, data.labels, data.num_classes);
  g.final_h = class_ranges(unit_h, data.labels, data.num_classes);
  // That unit's c_t, averaged over the sequences of each class (a second pass, so that only one
  // sequence's trace is held at a time).
  const auto steps = static_cast<Eigen::Index>(data.ids.front().size());
  g.class_cell = Mat::Zero(data.num_classes, steps);
  Vec count = Vec::Zero(data.num_classes);
  for (std::size_t n = 0; n < data.ids.size(); ++n) {
    const auto trace = lstm_sequence(w, inputs(data.ids[n]));
    count(data.labels[n]) += 1;
    for (Eigen::Index t = 0; t < steps; ++t)
      g.class_cell(data.labels[n], t) += trace[static_cast<std::size_t>(t)].c(g.memory_unit);
  }
  for (Eigen::Index k = 0; k < data.num_classes; ++k) {
    if (count(k) > 0) g.class_cell.row(k) /= count(k);
  }

  g.tokens = data.ids[index];
  g.label = data.labels[index];
  g.steps = lstm_sequence(w, inputs(g.tokens));
  // The Eigen trace must be the model LibTorch runs: compare every h_t.
  torch::NoGradGuard no_grad;
  const auto ids = torch::tensor(g.tokens, torch::kLong).unsqueeze(0);
  const auto out =
      std::get<0>(model->lstm()->forward(model->embedding()->forward(ids)));  // [1, T, H]
  for (std::size_t t = 0; t < g.steps.size(); ++t) {
    const Vec h = to_eigen_vector(out[0][static_cast<std::int64_t>(t)]);
    g.parity = std::max(g.parity, (h - g.steps[t].h).cwiseAbs().maxCoeff());
  }
  g.predicted = model->forward(ids).argmax(1).item<std::int64_t>();
  return g;
}
// [trace]

}  // namespace ch06
