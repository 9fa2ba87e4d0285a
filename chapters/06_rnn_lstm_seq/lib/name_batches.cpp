#include "lib/name_batches.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace ch06 {

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

std::int64_t total_tokens(const EncodedNames& data) {
  std::int64_t n = 0;
  for (const auto& seq : data.ids) n += static_cast<std::int64_t>(seq.size());
  return n;
}

}  // namespace ch06
