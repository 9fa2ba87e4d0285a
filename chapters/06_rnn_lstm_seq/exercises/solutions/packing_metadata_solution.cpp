// Reference solution of the exercise packing_metadata (page 06).
#include "exercises/exercises.h"

#include <algorithm>
#include <numeric>

namespace ex {

// [solution]
PackingInfo packing_metadata(const std::vector<std::int64_t>& lengths) {
  const auto batch = static_cast<std::int64_t>(lengths.size());
  PackingInfo info;
  info.sorted_indices.resize(batch);
  std::iota(info.sorted_indices.begin(), info.sorted_indices.end(), 0);
  std::stable_sort(info.sorted_indices.begin(), info.sorted_indices.end(),
                   [&](std::int64_t a, std::int64_t b) { return lengths[a] > lengths[b]; });
  info.unsorted_indices.resize(batch);
  for (std::int64_t k = 0; k < batch; ++k) info.unsorted_indices[info.sorted_indices[k]] = k;

  const std::int64_t longest = batch == 0 ? 0 : lengths[info.sorted_indices[0]];
  for (std::int64_t t = 0; t < longest; ++t) {
    info.batch_sizes.push_back(std::count_if(lengths.begin(), lengths.end(),
                                             [t](std::int64_t len) { return len > t; }));
  }
  return info;
}
// [solution]

}  // namespace ex
