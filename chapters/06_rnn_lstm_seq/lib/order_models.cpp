#include "lib/order_models.h"

#include "book/timer.h"

#include <sstream>

namespace ch06 {

FixedLengthMlpImpl::FixedLengthMlpImpl(std::int64_t vocab, std::int64_t embed, std::int64_t length, std::int64_t hidden,
                                       std::int64_t classes)
    : embedding_(register_module("embedding", torch::nn::Embedding(vocab, embed))),
      fc1_(register_module("fc1", torch::nn::Linear(length * embed, hidden))),
      fc2_(register_module("fc2", torch::nn::Linear(hidden, classes))) {}

// [fixed_mlp]
torch::Tensor FixedLengthMlpImpl::forward(const torch::Tensor& ids) {
  const auto e = embedding_->forward(ids);  // [B, T, E]
  const auto flat = e.flatten(1);  // [B, T·E]: the first Linear was built for length·E inputs
  return fc2_->forward(torch::relu(fc1_->forward(flat)));
}
// [fixed_mlp]

ShapeAttempt try_fixed_mlp(FixedLengthMlp& mlp, const torch::Tensor& ids) {
  ShapeAttempt a;
  try {
    torch::NoGradGuard no_grad;
    const auto out = mlp->forward(ids);
    a.ok = true;
    a.output_shape = out.sizes().vec();
  } catch (const c10::Error& e) {
    std::istringstream lines(e.what_without_backtrace());
    std::getline(lines, a.error);
  }
  return a;
}

BagOfEmbeddingsImpl::BagOfEmbeddingsImpl(std::int64_t vocab, std::int64_t embed, std::int64_t hidden,
                                         std::int64_t classes)
    : vocab_(vocab),
      embedding_(register_module("embedding", torch::nn::Embedding(vocab, embed))),
      fc1_(register_module("fc1", torch::nn::Linear(embed, hidden))),
      fc2_(register_module("fc2", torch::nn::Linear(hidden, classes))) {}

// [bag]
torch::Tensor BagOfEmbeddingsImpl::forward(const torch::Tensor& ids) {
  // The histogram of the tokens: [B, V] counts. Any order of the same tokens gives the same counts.
  const auto counts = torch::one_hot(ids, vocab_).sum(1).to(torch::kFloat);
  const auto bag = counts.matmul(embedding_->weight) /
                   static_cast<double>(ids.size(1));  // mean embedding [B, E]
  return fc2_->forward(torch::relu(fc1_->forward(bag)));
}
// [bag]

SmallRnnClassifierImpl::SmallRnnClassifierImpl(std::int64_t vocab, std::int64_t embed, std::int64_t hidden,
                                               std::int64_t classes)
    : embedding_(register_module("embedding", torch::nn::Embedding(vocab, embed))),
      rnn_(register_module("rnn", torch::nn::RNN(torch::nn::RNNOptions(embed, hidden).batch_first(true)))),
      fc_(register_module("fc", torch::nn::Linear(hidden, classes))) {}

// [small_rnn]
torch::Tensor SmallRnnClassifierImpl::forward(const torch::Tensor& ids) {
  const auto h_n =
      std::get<1>(rnn_->forward(embedding_->forward(ids)));  // [1, B, H]: after the last token
  return fc_->forward(h_n[0]);
}
// [small_rnn]

std::vector<book::Batch> make_token_batches(const TokenDataset& data, std::int64_t batch_size, book::Rng* rng) {
  std::vector<std::size_t> order(data.ids.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (rng != nullptr) book::shuffle(order, *rng);
  const auto length = static_cast<std::int64_t>(data.ids.front().size());
  std::vector<book::Batch> batches;
  for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(batch_size));
    const auto n = static_cast<std::int64_t>(end - start);
    auto ids = torch::empty({n, length}, torch::kLong);
    auto targets = torch::empty({n}, torch::kLong);
    auto ia = ids.accessor<std::int64_t, 2>();
    auto ta = targets.accessor<std::int64_t, 1>();
    for (std::int64_t b = 0; b < n; ++b) {
      const std::size_t k = order[start + static_cast<std::size_t>(b)];
      for (std::int64_t t = 0; t < length; ++t) ia[b][t] = data.ids[k][static_cast<std::size_t>(t)];
      ta[b] = data.labels[k];
    }
    batches.push_back({ids, torch::Tensor(), targets});
  }
  return batches;
}

namespace {

// Trains `model` with the shared budget; the training batches are reshuffled every epoch.
template <class Model>
OrderModelResult train_one(const std::string& name, Model& model, const TokenDataset& train, const TokenDataset& test,
                           const OrderTaskOptions& o, book::Rng& rng,
                           const std::function<void(const std::string&, int, double, double)>& on_epoch) {
  OrderModelResult r;
  r.name = name;
  for (const auto& p : model->parameters()) r.parameters += p.numel();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(o.lr));
  const book::ForwardFn forward = [&](const book::Batch& b) { return model->forward(b.inputs); };
  const auto test_batches = make_token_batches(test, 256, nullptr);
  book::EpochOptions epoch_options;
  epoch_options.max_grad_norm = o.max_grad_norm;
  epoch_options.progress = false;
  book::Timer timer;
  for (int epoch = 1; epoch <= o.epochs; ++epoch) {
    const auto batches = make_token_batches(train, o.batch_size, &rng);
    const auto tr = book::train_epoch(*model, forward, optimizer, batches, epoch_options);
    const auto te = book::evaluate(*model, forward, test_batches, epoch_options);
    r.train_acc.push_back(tr.accuracy);
    r.test_acc.push_back(te.accuracy);
    if (on_epoch) on_epoch(name, epoch, tr.accuracy, te.accuracy);
  }
  r.seconds = timer.seconds();
  return r;
}

}  // namespace

// [order_run]
std::vector<OrderModelResult> run_order_task(
    const OrderTaskOptions& o, book::Rng& rng,
    const std::function<void(const std::string&, int, double, double)>& on_epoch) {
  const TokenDataset train = make_order_task(o.train_samples, o.length, o.fillers, rng);
  const TokenDataset test = make_order_task(o.test_samples, o.length, o.fillers, rng);
  BagOfEmbeddings bag(train.vocab_size, o.embed, o.hidden, train.num_classes);
  SmallRnnClassifier rnn(train.vocab_size, o.embed, o.hidden, train.num_classes);
  std::vector<OrderModelResult> results;
  results.push_back(train_one("bag-of-embeddings MLP", bag, train, test, o, rng, on_epoch));
  results.push_back(train_one("RNN", rnn, train, test, o, rng, on_epoch));
  return results;
}
// [order_run]

}  // namespace ch06
