// Checks of the exercises clip_grad_norm and masked_cross_entropy (page 09).
#include "exercises/checker/checks.h"
#include "exercises/checker/tensors.h"

#include <fmt/format.h>

#include <cmath>

namespace ex::check {

namespace {

double global_norm(const std::vector<Mat>& grads) {
  double squares = 0;
  for (const Mat& g : grads) squares += g.squaredNorm();
  return std::sqrt(squares);
}

std::string compare_list(const std::vector<Mat>& expected, const std::vector<Mat>& got, double tol) {
  if (expected.size() != got.size()) {
    return say(Msg::kGradsCount, got.size(), expected.size());
  }
  for (std::size_t k = 0; k < expected.size(); ++k) {
    std::string text = compare(fmt::format("grads[{}]", k), expected[k], got[k], tol);
    if (!text.empty()) return text;
  }
  return "";
}

}  // namespace

Verdict check_clip_grad_norm() {
  struct ClipCase {
    std::vector<std::pair<std::int64_t, std::int64_t>> shapes;
    double scale, max_norm;
    std::uint64_t seed;
    Msg what;
  };
  std::vector<ClipCase> sizes = {
      {{{3, 4}, {4, 1}, {2, 2}}, 5.0, 1.0, 1, Msg::kClipClipped},
      {{{2, 3}, {3, 1}}, 0.1, 5.0, 2, Msg::kClipSmall},
      {{{3, 3}, {3, 1}}, 0.0, 1.0, 3, Msg::kClipZero},
      {{{1, 1}}, 10.0, 0.5, 4, Msg::kClipOne},
  };
  for (std::uint64_t seed = 5; seed <= 16; ++seed) {
    sizes.push_back({{{1 + static_cast<std::int64_t>(seed % 4), 1 + static_cast<std::int64_t>(seed * 3 % 5)},
                      {1 + static_cast<std::int64_t>(seed % 6), 1},
                      {2, 1 + static_cast<std::int64_t>(seed % 3)}},
                     seed % 2 == 0 ? 3.0 : 0.3, 1.0 + static_cast<double>(seed % 3), seed,
                     Msg::kClipRandom});
  }
  std::vector<Case> cases;
  for (const ClipCase& k : sizes) {
    std::vector<std::string> shape_text;
    for (const auto& [r, c] : k.shapes) shape_text.push_back(fmt::format("[{}, {}]", r, c));
    cases.push_back({say(Msg::kCaseClip, text(k.what), fmt::join(shape_text, ", "), k.max_norm,
                         k.seed),
                     [k]() -> std::optional<Failure> {
      torch::manual_seed(k.seed);
      std::vector<Mat> grads;
      std::vector<torch::Tensor> params;
      for (const auto& [r, c] : k.shapes) {
        grads.push_back(mat_of(torch::randn({r, c}, torch::kDouble) * k.scale));
        params.push_back(torch::zeros({r, c}, torch::kDouble).requires_grad_());
        params.back().mutable_grad() = tensor_of(grads.back());
      }
      const double norm = torch::nn::utils::clip_grad_norm_(params, k.max_norm);
      std::vector<Mat> expected;
      for (const auto& p : params) expected.push_back(mat_of(p.grad()));

      std::vector<Mat> got = grads;
      const double got_norm = clip_grad_norm(got, k.max_norm);
      // LibTorch scales by max_norm / (norm + 1e-6), a relative difference of at most
      // 1e-6 / norm from max_norm / norm; the tolerance on the clipped entries allows for it.
      const double clip_tol = norm > 0 ? 1e-9 + 2e-6 / norm : 1e-9;
      std::string mismatch = compare(say(Msg::kWordReturnedNorm), norm, got_norm, 1e-9);
      if (mismatch.empty()) mismatch = compare_list(expected, got, clip_tol);
      if (mismatch.empty()) return std::nullopt;
      auto scaled = [&](auto factor_of) {
        std::vector<Mat> v = grads;
        for (Mat& g : v) g *= factor_of(g);
        return compare_list(v, got, clip_tol).empty();
      };
      const double true_norm = global_norm(grads);
      return diagnose(std::move(mismatch), {
          {{"zero_gradient"},
           [&] {
             return true_norm == 0 && !got.empty() && got[0].size() > 0 && std::isnan(got[0](0));
           }},
          {{"per_tensor"},
           [&] {
             return scaled([&](const Mat& g) {
               return g.norm() > k.max_norm ? k.max_norm / g.norm() : 1.0;
             });
           }},
          {{"scales_up"},
           [&] { return true_norm < k.max_norm && scaled([&](const Mat&) { return k.max_norm / true_norm; }); }},
          {{"returns_clipped_norm"},
           [&] {
             return std::abs(got_norm - std::min(true_norm, k.max_norm)) < 1e-9 &&
                    std::abs(true_norm - got_norm) > 1e-9;
           }},
      });
    }});
  }
  return run_cases(cases);
}

namespace {

struct CeMistake {
  bool all_positions = false, unmasked = false, sum = false, naive = false;
};

double mistaken_ce(const std::vector<Mat>& logits, const std::vector<std::vector<std::int64_t>>& targets,
                   std::int64_t ignore, const CeMistake& m) {
  double total = 0;
  std::int64_t real = 0, all = 0;
  for (std::size_t b = 0; b < logits.size(); ++b) {
    for (Eigen::Index t = 0; t < logits[b].rows(); ++t) {
      ++all;
      const auto target = targets[b][t];
      if (target == ignore && !m.unmasked) continue;
      const auto row = logits[b].row(t);
      const double top = m.naive ? 0.0 : row.maxCoeff();
      total += top + std::log((row.array() - top).exp().sum()) - row(target);
      ++real;
    }
  }
  if (m.sum) return total;
  const auto count = m.all_positions ? all : real;
  return count == 0 ? 0.0 : total / static_cast<double>(count);
}

}  // namespace

Verdict check_masked_cross_entropy() {
  struct CeCase {
    std::vector<std::int64_t> lengths;
    std::int64_t steps, classes, ignore;
    double scale;
    std::uint64_t seed;
  };
  std::vector<CeCase> sizes = {{{4, 2, 3}, 4, 5, 0, 1.0, 1}, {{3, 1}, 5, 3, 0, 2.0, 2}};
  for (std::uint64_t seed = 3; seed <= 14; ++seed) {
    torch::manual_seed(seed);
    const auto batch = 1 + static_cast<std::int64_t>(seed % 5);
    const auto steps = 1 + static_cast<std::int64_t>(seed * 3 % 7);
    const auto l = torch::randint(0, steps + 1, {batch}, torch::kLong);
    sizes.push_back({{l.data_ptr<std::int64_t>(), l.data_ptr<std::int64_t>() + batch}, steps,
                     2 + static_cast<std::int64_t>(seed % 4), 0, 1.0, seed});
  }
  sizes.push_back({{3, 3}, 3, 4, 0, 1.0, 15});          // no padding at all
  sizes.push_back({{1}, 1, 2, 0, 1.0, 16});             // one step, two classes
  sizes.push_back({{0, 0}, 3, 3, 0, 1.0, 17});          // only padding: 0 by the contract
  sizes.push_back({{2, 4}, 4, 6, -100, 1.0, 18});       // LibTorch's default ignore_index
  sizes.push_back({{3, 2}, 3, 4, 0, 1000.0, 19});       // large scores: exp overflows if naive
  std::vector<Case> cases;
  for (const CeCase& k : sizes) {
    cases.push_back({say(Msg::kCaseCe, fmt::join(k.lengths, ", "), k.steps, k.classes, k.ignore,
                         k.scale > 1 ? say(Msg::kScoresNear1000) : "", k.seed),
                     [k]() -> std::optional<Failure> {
      torch::manual_seed(k.seed);
      const auto batch = static_cast<std::int64_t>(k.lengths.size());
      const auto logits_t = torch::randn({batch, k.steps, k.classes}, torch::kDouble) * k.scale;
      // Real steps get a class; padded steps get ignore_index. With ignore_index 0 (the padding
      // tag of program 09), real steps use the classes 1..C-1.
      const std::int64_t low = k.ignore == 0 ? 1 : 0;
      auto targets_t = torch::randint(low, k.classes, {batch, k.steps}, torch::kLong);
      for (std::int64_t b = 0; b < batch; ++b) targets_t[b].slice(0, k.lengths[b]).fill_(k.ignore);
      std::vector<Mat> logits;
      std::vector<std::vector<std::int64_t>> targets;
      for (std::int64_t b = 0; b < batch; ++b) {
        logits.push_back(mat_of(logits_t[b]));
        const auto row = targets_t[b].contiguous();
        targets.emplace_back(row.data_ptr<std::int64_t>(), row.data_ptr<std::int64_t>() + k.steps);
      }
      const bool any_real = (targets_t != k.ignore).any().item<bool>();
      // LibTorch's mean over no element is nan (0 / 0); the contract asks for 0 there.
      const double expected =
          any_real ? torch::nn::functional::cross_entropy(
                         logits_t.reshape({-1, k.classes}), targets_t.reshape({-1}),
                         torch::nn::functional::CrossEntropyFuncOptions().ignore_index(k.ignore))
                         .item<double>()
                   : 0.0;

      const double got = masked_cross_entropy(logits, targets, k.ignore);
      std::string mismatch = compare(say(Msg::kWordLoss), expected, got, 1e-9);
      if (mismatch.empty()) return std::nullopt;
      auto variant = [&](CeMistake m) {
        return [&, m] { return compare("", mistaken_ce(logits, targets, k.ignore, m), got, 1e-9).empty(); };
      };
      return diagnose(std::move(mismatch), {
          {{"unstable"}, [&] { return k.scale > 1 && !std::isfinite(got); }},
          {{"all_positions"}, variant({true})},
          {{"unmasked"}, [&] { return k.ignore >= 0 && variant({false, true})(); }},
          {{"sum_not_mean"}, variant({false, false, true})},
          {{"no_real_steps"}, [&] { return !any_real && std::isnan(got); }},
      });
    }});
  }
  return run_cases(cases);
}

}  // namespace ex::check
