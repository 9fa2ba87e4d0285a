// Exercise edit_distance, page 10 of the book.
// The contract is in exercises.h. Replace the body, then check your code with
//   bash scripts/exercises.sh edit_distance
#include "exercises/exercises.h"

namespace ex {

std::int64_t edit_distance(const std::vector<std::int64_t>& a,
                           const std::vector<std::int64_t>& b) {
  // The fewest insertions, deletions and substitutions that turn a into b.
  // Dynamic programming: d[i][j] = distance between the first i symbols of a and the first
  // j of b; mind d[i][0] and d[0][j].
  not_started(__func__);
}

}  // namespace ex
