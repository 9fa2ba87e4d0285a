#include "lib/name_training.h"

#include <fmt/format.h>

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

// [epoch_line]
std::string epoch_log_line(int epoch, int epochs, const book::EpochStats& train,
                           const book::EpochStats& val, book::Facts* facts) {
  book::Facts unused;
  book::Facts& f = facts != nullptr ? *facts : unused;
  // Each number as printed, recorded under epoch<e>.<name> for the book's pages.
  auto put = [&](const std::string& name, double value, int decimals) {
    const std::string key = "epoch" + std::to_string(epoch) + "." + name;
    return f.put(key, fmt::format("{:.{}f}", value, decimals));
  };
  return fmt::format("Epoch {}/{} | Train Loss: {} Acc: {}% | Val Loss: {} Acc: {}% | "
                     "Grad norm: mean {} max {}",
                     epoch, epochs, put("train_loss", train.loss, 4),
                     put("train_acc", train.accuracy, 2), put("val_loss", val.loss, 4),
                     put("val_acc", val.accuracy, 2),
                     put("grad_norm_mean", train.mean_grad_norm, 3),
                     put("grad_norm_max", train.max_grad_norm, 3));
}
// [epoch_line]

}  // namespace ch06
