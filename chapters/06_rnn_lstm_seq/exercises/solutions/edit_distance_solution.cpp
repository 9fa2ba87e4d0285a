// Reference solution of the exercise edit_distance (page 10).
#include "exercises/exercises.h"

#include <algorithm>

namespace ex {

// [solution]
std::int64_t edit_distance(const std::vector<std::int64_t>& a,
                           const std::vector<std::int64_t>& b) {
  // d[j] holds the distance between the first i symbols of a and the first j of b.
  std::vector<std::int64_t> d(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = static_cast<std::int64_t>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::int64_t diagonal = d[0];  // d[i-1][j-1]
    d[0] = static_cast<std::int64_t>(i);
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::int64_t above = d[j];  // d[i-1][j]
      d[j] = std::min({above + 1, d[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return d[b.size()];
}
// [solution]

}  // namespace ex
