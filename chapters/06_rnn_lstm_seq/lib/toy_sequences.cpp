#include "lib/toy_sequences.h"

#include <stdexcept>

namespace ch06 {

// [order_task]
TokenDataset make_order_task(std::int64_t samples, std::int64_t length, std::int64_t fillers,
                             book::Rng& rng) {
  if (samples < 1 || length < 2 || fillers < 1) {
    throw std::invalid_argument("the order task needs samples >= 1, length >= 2 and fillers >= 1");
  }
  TokenDataset d;
  d.vocab_size = 2 + fillers;
  d.num_classes = 2;
  for (std::int64_t n = 0; n < samples; ++n) {
    std::vector<std::int64_t> seq(static_cast<std::size_t>(length));
    for (auto& id : seq) id = 2 + book::uniform_int(rng, 0, fillers - 1);
    const auto pos_a = book::uniform_int(rng, 0, length - 1);
    auto pos_b = book::uniform_int(rng, 0, length - 2);
    if (pos_b >= pos_a) ++pos_b;  // uniform over the other positions
    seq[static_cast<std::size_t>(pos_a)] = 0;
    seq[static_cast<std::size_t>(pos_b)] = 1;
    d.ids.push_back(std::move(seq));
    d.labels.push_back(pos_a < pos_b ? 1 : 0);
  }
  return d;
}
// [order_task]

std::vector<std::string> order_task_tokens(std::int64_t fillers) {
  std::vector<std::string> names = {"A", "B"};
  for (std::int64_t k = 0; k < fillers; ++k) names.push_back(std::string(1, static_cast<char>('c' + k % 24)));
  return names;
}

// [memory_task]
TokenDataset make_memory_task(std::int64_t samples, std::int64_t gap, std::int64_t signals,
                              std::int64_t distractors, book::Rng& rng) {
  if (samples < 1 || gap < 0 || signals < 2 || distractors < 1) {
    throw std::invalid_argument(
        "the memory task needs samples >= 1, gap >= 0, signals >= 2 and distractors >= 1");
  }
  TokenDataset d;
  d.vocab_size = signals + distractors;
  d.num_classes = signals;
  for (std::int64_t n = 0; n < samples; ++n) {
    const std::int64_t first = book::uniform_int(rng, 0, signals - 1);
    std::vector<std::int64_t> seq = {first};
    for (std::int64_t t = 0; t < gap; ++t)
      seq.push_back(signals + book::uniform_int(rng, 0, distractors - 1));
    d.ids.push_back(std::move(seq));
    d.labels.push_back(first);
  }
  return d;
}
// [memory_task]

double accuracy_percent(const std::vector<std::int64_t>& predicted, const std::vector<std::int64_t>& labels) {
  if (predicted.size() != labels.size() || labels.empty()) throw std::invalid_argument("accuracy needs two equal, non-empty lists");
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) right += predicted[i] == labels[i] ? 1 : 0;
  return 100.0 * static_cast<double>(right) / static_cast<double>(labels.size());
}

}  // namespace ch06
