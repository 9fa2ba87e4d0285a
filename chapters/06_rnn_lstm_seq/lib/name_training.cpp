#include "lib/name_training.h"

namespace ch06 {

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
