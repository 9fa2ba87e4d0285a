// Exercise packing_metadata, page 06 of the book.
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh packing_metadata
#include "exercises/exercises.h"

namespace ex {

PackingInfo packing_metadata(const std::vector<std::int64_t>& lengths) {
  // batch_sizes[t]: how many sequences are longer than t (t = 0 .. longest - 1).
  // sorted_indices: the sequences, longest first. unsorted_indices: its inverse, so that
  // unsorted_indices[sorted_indices[k]] == k.
  not_started(__func__);
}

}  // namespace ex
