// Check of the exercise gru_cell (page 08).
#include "exercises/checker/checks.h"
#include "exercises/checker/tensors.h"

#include <fmt/format.h>

namespace ex::check {

namespace {

struct GruMistake {
  bool textbook_reset = false, z_swapped = false, r_z_swapped = false, bias_outside_reset = false;
};


Vec mistaken_gru(const GruWeights& w, const Vec& x, const Vec& h, const GruMistake& m) {
  const Eigen::Index n_h = w.w_hh.cols();
  const Vec in = w.w_ih * x + w.b_ih;
  const Vec hid = w.w_hh * h + w.b_hh;
  const Eigen::Index r_at = m.r_z_swapped ? n_h : 0, z_at = m.r_z_swapped ? 0 : n_h;
  const Vec r = sigmoid(in.segment(r_at, n_h) + hid.segment(r_at, n_h));
  const Vec z = sigmoid(in.segment(z_at, n_h) + hid.segment(z_at, n_h));
  const Mat w_hn = w.w_hh.middleRows(2 * n_h, n_h);
  const Vec b_hn = w.b_hh.segment(2 * n_h, n_h);
  Vec inner;
  if (m.textbook_reset) {
    inner = w_hn * r.cwiseProduct(h) + b_hn;  // the reset gate before the product
  } else if (m.bias_outside_reset) {
    inner = r.cwiseProduct(w_hn * h) + b_hn;
  } else {
    inner = r.cwiseProduct(hid.segment(2 * n_h, n_h));
  }
  const Vec n = (in.segment(2 * n_h, n_h) + inner).array().tanh().matrix();
  const Vec keep = m.z_swapped ? Vec(1.0 - z.array()) : z;
  return (1.0 - keep.array()).matrix().cwiseProduct(n) + keep.cwiseProduct(h);
}

}  // namespace

Verdict check_gru_cell() {
  struct GruCase {
    std::int64_t input, hidden;
    std::uint64_t seed;
  };
  std::vector<GruCase> sizes = {{3, 4, 1}, {2, 5, 2}};
  for (std::uint64_t seed = 3; seed <= 16; ++seed) {
    sizes.push_back({1 + static_cast<std::int64_t>(seed * 5 % 6), 1 + static_cast<std::int64_t>(seed * 3 % 7),
                     seed});
  }
  sizes.push_back({1, 1, 17});
  sizes.push_back({6, 1, 18});
  sizes.push_back({10, 12, 19});
  std::vector<Case> cases;
  for (const GruCase& k : sizes) {
    cases.push_back({say(Msg::kCaseSizes, k.input, k.hidden, k.seed),
                     [k]() -> std::optional<Failure> {
      torch::manual_seed(k.seed);
      torch::nn::GRUCell cell(k.input, k.hidden);
      cell->to(torch::kDouble);
      const GruWeights w{mat_of(cell->weight_ih.detach()), mat_of(cell->weight_hh.detach()),
                         vec_of(cell->bias_ih.detach()), vec_of(cell->bias_hh.detach())};
      const auto x = torch::randn({1, k.input}, torch::kDouble);
      const auto h = torch::randn({1, k.hidden}, torch::kDouble);
      const Vec expected = vec_of(cell->forward(x, h).detach());
      const Vec xv = vec_of(x), hv = vec_of(h);

      const Vec got = gru_cell(w, xv, hv);
      std::string mismatch = compare("h_t", expected, got, kForwardTol, Msg::kWordUnit);
      if (mismatch.empty()) return std::nullopt;
      auto variant = [&](GruMistake m) {
        return [&, m] { return compare("", mistaken_gru(w, xv, hv, m), got, 1e-9).empty(); };
      };
      return diagnose(std::move(mismatch), {
          {{"textbook_reset"}, variant({true})},
          {{"z_swapped"}, variant({false, true})},
          {{"gate_order"}, variant({false, false, true})},
          {{"bias_outside_reset"}, variant({false, false, false, true})},
      });
    }});
  }
  return run_cases(cases);
}

}  // namespace ex::check
