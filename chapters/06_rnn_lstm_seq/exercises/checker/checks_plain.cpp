// Checks of the exercises masked_mean (page 07) and edit_distance (page 10): their references
// need no LibTorch.
#include "exercises/checker/checks.h"

#include "book/rng.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>

namespace ex::check {

namespace {

Mat random_mat(Eigen::Index rows, Eigen::Index cols, book::Rng& rng) {
  Mat m(rows, cols);
  for (Eigen::Index k = 0; k < m.size(); ++k) m.data()[k] = 4 * book::uniform01(rng) - 2;
  return m;
}

}  // namespace

Verdict check_masked_mean() {
  struct MeanCase {
    std::vector<std::int64_t> lengths;
    std::int64_t t_max, width;
    std::uint64_t seed;
  };
  std::vector<MeanCase> sizes = {{{3, 5, 1, 4}, 5, 3, 1}, {{2, 2, 6}, 7, 2, 2}};
  for (std::uint64_t seed = 3; seed <= 14; ++seed) {
    book::Rng rng(seed);
    const auto batch = book::uniform_int(rng, 1, 6);
    const auto t_max = book::uniform_int(rng, 1, 9);
    std::vector<std::int64_t> lengths;
    for (std::int64_t b = 0; b < batch; ++b) lengths.push_back(book::uniform_int(rng, 1, t_max));
    sizes.push_back({lengths, t_max, book::uniform_int(rng, 1, 5), seed});
  }
  sizes.push_back({{1}, 1, 1, 15});              // one text of one word, one dimension
  sizes.push_back({{4, 4, 4}, 4, 3, 16});        // no padding
  sizes.push_back({{9, 1, 1, 1}, 9, 2, 17});     // one long text, many short ones
  std::vector<Case> cases;
  for (const MeanCase& k : sizes) {
    cases.push_back({say(Msg::kCaseMean, fmt::join(k.lengths, ", "), k.t_max, k.width, k.seed),
                     [k]() -> std::optional<Failure> {
      book::Rng rng(k.seed);
      std::vector<Mat> embedded;  // the padding rows hold values too, as a layer's output would
      for (std::size_t b = 0; b < k.lengths.size(); ++b) embedded.push_back(random_mat(k.t_max, k.width, rng));
      const auto batch = static_cast<Eigen::Index>(k.lengths.size());
      Mat expected = Mat::Zero(batch, k.width);  // a loop over the real words
      for (Eigen::Index b = 0; b < batch; ++b) {
        for (std::int64_t t = 0; t < k.lengths[b]; ++t) {
          for (Eigen::Index e = 0; e < k.width; ++e) expected(b, e) += embedded[b](t, e);
        }
        for (Eigen::Index e = 0; e < k.width; ++e) expected(b, e) /= static_cast<double>(k.lengths[b]);
      }

      const Mat got = masked_mean(embedded, k.lengths);
      std::string mismatch = compare(say(Msg::kWordMean), expected, got, kForwardTol,
                                     Msg::kWordText, Msg::kWordDimension);
      if (mismatch.empty()) return std::nullopt;
      auto variant = [&](bool all_rows, bool by_padded) {
        Mat m(batch, k.width);
        for (Eigen::Index b = 0; b < batch; ++b) {
          const Eigen::Index rows = all_rows ? k.t_max : k.lengths[b];
          const double by = by_padded ? static_cast<double>(k.t_max) : static_cast<double>(k.lengths[b]);
          m.row(b) = embedded[b].topRows(rows).colwise().sum() / by;
        }
        return matches(m, got, 1e-9);
      };
      return diagnose(std::move(mismatch), {
          {{"padded_length"}, [&] { return variant(false, true); }},
          {{"padded_length", {}, "every_row"}, [&] { return variant(true, true); }},
          {{"sum_includes_padding"}, [&] { return variant(true, false); }},
      });
    }});
  }
  return run_cases(cases);
}

namespace {

// The reference: a breadth-first search over the strings reachable by single edits (inserting or
// substituting only symbols of b, and never longer than the longer input: an optimal edit script
// can always do its deletions before its insertions). No dynamic programming.
std::int64_t edit_distance_by_search(const std::vector<std::int64_t>& a,
                                     const std::vector<std::int64_t>& b) {
  const std::size_t longest = std::max(a.size(), b.size());
  std::vector<std::int64_t> symbols(b);
  std::sort(symbols.begin(), symbols.end());
  symbols.erase(std::unique(symbols.begin(), symbols.end()), symbols.end());
  std::map<std::vector<std::int64_t>, std::int64_t> dist{{a, 0}};
  std::deque<std::vector<std::int64_t>> queue{a};
  while (!queue.empty()) {
    const auto s = queue.front();
    queue.pop_front();
    const auto d = dist[s];
    if (s == b) return d;
    std::vector<std::vector<std::int64_t>> next;
    for (std::size_t i = 0; i < s.size(); ++i) {  // deletions and substitutions
      auto del = s;
      del.erase(del.begin() + static_cast<std::ptrdiff_t>(i));
      next.push_back(del);
      for (auto sym : symbols) {
        auto sub = s;
        sub[i] = sym;
        next.push_back(sub);
      }
    }
    if (s.size() < longest) {  // insertions
      for (std::size_t i = 0; i <= s.size(); ++i) {
        for (auto sym : symbols) {
          // Built front to back, not with vector::insert: GCC 14 warns -Warray-bounds on that
          // insert at -O3 (a false positive, but a warning all the same).
          std::vector<std::int64_t> ins;
          ins.reserve(s.size() + 1);
          ins.assign(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(i));
          ins.push_back(sym);
          for (std::size_t j = i; j < s.size(); ++j) ins.push_back(s[j]);
          next.push_back(std::move(ins));
        }
      }
    }
    for (auto& n : next) {
      if (dist.emplace(n, d + 1).second) queue.push_back(std::move(n));
    }
  }
  return -1;  // not reached: b is always reachable
}

// Dynamic programming with a known mistake switched on.
std::int64_t mistaken_distance(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b,
                               bool zero_border, std::int64_t substitution, bool short_loop) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<std::int64_t>> d(n + 1, std::vector<std::int64_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) d[i][0] = zero_border ? 0 : static_cast<std::int64_t>(i);
  for (std::size_t j = 0; j <= m; ++j) d[0][j] = zero_border ? 0 : static_cast<std::int64_t>(j);
  for (std::size_t i = 1; i <= n; ++i) {
    for (std::size_t j = 1; j <= m; ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : substitution)});
    }
  }
  if (short_loop) return n == 0 || m == 0 ? 0 : d[n - 1][m - 1];
  return d[n][m];
}

}  // namespace

Verdict check_edit_distance() {
  using Seq = std::vector<std::int64_t>;
  std::vector<std::pair<Seq, Seq>> pairs = {
      {{1, 2, 3, 4}, {2, 3, 5}},  // a deletion and a substitution
      {{}, {4, 5, 6}},            // empty against three symbols
      {{7, 8}, {}},               // two symbols against empty
      {{}, {}},                   // both empty
      {{1, 2, 3}, {1, 2, 3}},     // equal
      {{1, 2}, {3, 4}},           // nothing in common: two substitutions
      {{5}, {6}},                 // one substitution
  };
  book::Rng rng(2024);
  for (int k = 0; k < 20; ++k) {  // random short strings over three symbols
    Seq a(book::uniform_int(rng, 0, 5)), b(book::uniform_int(rng, 0, 5));
    for (auto& s : a) s = book::uniform_int(rng, 1, 3);
    for (auto& s : b) s = book::uniform_int(rng, 1, 3);
    pairs.emplace_back(a, b);
  }
  // A mistake is named only if the reader's function agrees with it on every pair, not just on
  // the failing one (two mistakes can give the same number on one pair).
  auto everywhere = [pairs](bool zero_border, std::int64_t substitution, bool short_loop) {
    return [pairs, zero_border, substitution, short_loop] {
      return std::all_of(pairs.begin(), pairs.end(), [&](const auto& p) {
        return edit_distance(p.first, p.second) ==
               mistaken_distance(p.first, p.second, zero_border, substitution, short_loop);
      });
    };
  };
  const std::vector<std::pair<Mistake, std::function<bool()>>> mistakes = {
      {{"empty_border"}, everywhere(true, 1, false)},
      {{"no_substitution"}, everywhere(false, 2, false)},
      {{"short_loop"}, everywhere(false, 1, true)},
  };
  std::vector<Case> cases;
  for (const auto& [a, b] : pairs) {
    cases.push_back({fmt::format("a = [{}], b = [{}]", fmt::join(a, ", "), fmt::join(b, ", ")),
                     [a = a, b = b, mistakes]() -> std::optional<Failure> {
      const std::int64_t expected = edit_distance_by_search(a, b);
      const std::int64_t got = edit_distance(a, b);
      if (got == expected) return std::nullopt;
      return diagnose(say(Msg::kDistanceDiffers, expected, got), mistakes);
    }});
  }
  return run_cases(cases);
}

}  // namespace ex::check
