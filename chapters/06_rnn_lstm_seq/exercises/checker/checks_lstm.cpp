// Checks of the exercises lstm_cell and lstm_cell_backward (page 04).
#include "exercises/checker/checks.h"
#include "exercises/checker/tensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace ex::check {

namespace {

struct CellCase {
  std::int64_t input, hidden;
  std::uint64_t seed;
};

std::vector<CellCase> cell_cases() {
  std::vector<CellCase> cases = {{3, 4, 1}, {5, 2, 2}};
  for (std::uint64_t seed = 3; seed <= 16; ++seed) {
    cases.push_back({1 + static_cast<std::int64_t>(seed * 5 % 6), 1 + static_cast<std::int64_t>(seed * 3 % 7),
                     seed});
  }
  cases.push_back({1, 1, 17});   // the smallest cell
  cases.push_back({6, 1, 18});   // hidden 1
  cases.push_back({1, 5, 19});   // input 1
  cases.push_back({8, 16, 20});  // a wider cell
  return cases;
}

std::string describe(const CellCase& c) {
  return say(Msg::kCaseSizes, c.input, c.hidden, c.seed);
}

// A random cell (LibTorch's initialisation) and a random step: x, h and a cell state whose
// entries are often larger than 1, where a squashed cell state shows.
struct CellSetup {
  torch::nn::LSTMCell cell{nullptr};
  LstmWeights w;
  torch::Tensor x, h, c;  // [1, in], [1, H], [1, H]
  Vec xv;
  LstmState prev;
};

CellSetup cell_setup(const CellCase& k) {
  torch::manual_seed(k.seed);
  CellSetup s;
  s.cell = torch::nn::LSTMCell(k.input, k.hidden);
  s.cell->to(torch::kDouble);
  s.w = {mat_of(s.cell->weight_ih.detach()), mat_of(s.cell->weight_hh.detach()),
         vec_of(s.cell->bias_ih.detach()), vec_of(s.cell->bias_hh.detach())};
  s.x = torch::randn({1, k.input}, torch::kDouble);
  s.h = torch::randn({1, k.hidden}, torch::kDouble);
  s.c = torch::randn({1, k.hidden}, torch::kDouble) * 2.0;
  s.xv = vec_of(s.x);
  s.prev = {vec_of(s.h), vec_of(s.c)};
  return s;
}

Vec tanh_of(const Vec& v) { return v.array().tanh().matrix(); }

// The gate names in LibTorch's stacking order, and the cell computed with the blocks read in
// another order or with a known mistake.
constexpr std::array<char, 4> kOrder = {'i', 'f', 'g', 'o'};

struct CellMistake {
  std::array<char, 4> order = kOrder;  // the gate the reader takes from block 0, 1, 2, 3
  bool no_tanh_on_output = false, squashed_cell = false, sigmoid_candidate = false;
  bool no_b_hh = false;
};

LstmState mistaken_cell(const LstmWeights& w, const Vec& x, const LstmState& prev,
                        const CellMistake& m) {
  const Eigen::Index hidden = w.w_hh.cols();
  Vec a = w.w_ih * x + w.b_ih + w.w_hh * prev.h;
  if (!m.no_b_hh) a += w.b_hh;
  auto block = [&](char gate) {
    const auto k = std::find(m.order.begin(), m.order.end(), gate) - m.order.begin();
    return Vec(a.segment(k * hidden, hidden));
  };
  const Vec i = sigmoid(block('i')), f = sigmoid(block('f')), o = sigmoid(block('o'));
  const Vec g = m.sigmoid_candidate ? sigmoid(block('g')) : tanh_of(block('g'));
  LstmState next;
  next.c = f.cwiseProduct(prev.c) + i.cwiseProduct(g);
  if (m.squashed_cell) next.c = tanh_of(next.c);
  next.h = m.no_tanh_on_output ? o.cwiseProduct(next.c) : o.cwiseProduct(tanh_of(next.c));
  return next;
}

std::string compare_state(const LstmState& expected, const LstmState& got, double tol) {
  std::string text = compare("h_t", expected.h, got.h, tol, Msg::kWordUnit);
  return text.empty() ? compare("c_t", expected.c, got.c, tol, Msg::kWordUnit) : text;
}

bool same_state(const LstmState& a, const LstmState& b) { return compare_state(a, b, 1e-9).empty(); }

}  // namespace

Verdict check_lstm_cell() {
  std::vector<Case> cases;
  for (const CellCase& k : cell_cases()) {
    cases.push_back({describe(k), [k]() -> std::optional<Failure> {
      CellSetup s = cell_setup(k);
      const auto [h1, c1] = s.cell->forward(s.x, std::make_tuple(s.h, s.c));
      const LstmState expected{vec_of(h1.detach()), vec_of(c1.detach())};

      // [check_lstm_cell]
      const LstmState got = lstm_cell(s.w, s.xv, s.prev);
      std::string mismatch = compare_state(expected, got, kForwardTol);
      if (mismatch.empty()) return std::nullopt;

      std::vector<std::pair<Mistake, std::function<bool()>>> mistakes;
      std::array<char, 4> order = kOrder;
      std::sort(order.begin(), order.end());
      do {  // every other order of the four blocks
        if (order == kOrder) continue;
        const std::string name = fmt::format("{}", fmt::join(order, ", "));  // "i, g, f, o"
        mistakes.push_back(  // its diagnosis (registry.cpp) names the order
            {{"gate_order", {name}},
             [&, order] { return same_state(mistaken_cell(s.w, s.xv, s.prev, {order}), got); }});
      } while (std::next_permutation(order.begin(), order.end()));
      // [check_lstm_cell]
      auto variant = [&](CellMistake m) {
        return [&, m] { return same_state(mistaken_cell(s.w, s.xv, s.prev, m), got); };
      };
      mistakes.push_back({{"no_tanh_on_output"}, variant({kOrder, true})});
      mistakes.push_back({{"squashed_cell"}, variant({kOrder, false, true})});
      mistakes.push_back({{"sigmoid_candidate"}, variant({kOrder, false, false, true})});
      mistakes.push_back({{"bias_once"}, variant({kOrder, false, false, false, true})});
      return diagnose(std::move(mismatch), mistakes);
    }});
  }
  return run_cases(cases);
}

namespace {

struct BackwardMistake {
  bool no_h_path = false, no_later_c = false, tanh_prime_of_c = false, prev_c_without_f = false;
};

// The step's gradients with a known mistake switched on.
LstmCellGrads mistaken_backward(const LstmWeights& w, const Vec& x, const LstmState& prev,
                                const LstmState& dnext, const BackwardMistake& m) {
  const Eigen::Index hidden = w.w_hh.cols();
  const Vec a = w.w_ih * x + w.b_ih + w.w_hh * prev.h + w.b_hh;
  const Vec i = sigmoid(a.segment(0, hidden)), f = sigmoid(a.segment(hidden, hidden));
  const Vec g = tanh_of(a.segment(2 * hidden, hidden)), o = sigmoid(a.segment(3 * hidden, hidden));
  const Vec c = f.cwiseProduct(prev.c) + i.cwiseProduct(g);
  const Vec tanh_c = tanh_of(c);
  const Vec slope = m.tanh_prime_of_c ? Vec(1.0 - c.array().square()) : Vec(1.0 - tanh_c.array().square());
  Vec dc = Vec::Zero(hidden);
  if (!m.no_later_c) dc += dnext.c;
  if (!m.no_h_path) dc += dnext.h.cwiseProduct(o).cwiseProduct(slope);
  Vec da(4 * hidden);
  da.segment(0, hidden) = (dc.cwiseProduct(g)).array() * i.array() * (1.0 - i.array());
  da.segment(hidden, hidden) = (dc.cwiseProduct(prev.c)).array() * f.array() * (1.0 - f.array());
  da.segment(2 * hidden, hidden) = dc.cwiseProduct(i).array() * (1.0 - g.array().square());
  da.segment(3 * hidden, hidden) = dnext.h.cwiseProduct(tanh_c).array() * o.array() * (1.0 - o.array());
  LstmCellGrads grads{da * x.transpose(), da * prev.h.transpose(), da, da, w.w_ih.transpose() * da,
                      {w.w_hh.transpose() * da, m.prev_c_without_f ? dc : Vec(dc.cwiseProduct(f))}};
  return grads;
}

std::string compare_grads(const LstmCellGrads& e, const LstmCellGrads& g, double tol) {
  for (const std::string& text :
       {compare("dL/dc_{t-1}", e.prev.c, g.prev.c, tol, Msg::kWordUnit),
        compare("dL/dh_{t-1}", e.prev.h, g.prev.h, tol, Msg::kWordUnit),
        compare("dL/dx_t", e.x, g.x, tol),
        compare("dL/dW_ih", e.w_ih, g.w_ih, tol), compare("dL/dW_hh", e.w_hh, g.w_hh, tol),
        compare("dL/db_ih", e.b_ih, g.b_ih, tol), compare("dL/db_hh", e.b_hh, g.b_hh, tol)}) {
    if (!text.empty()) return text;
  }
  return "";
}

}  // namespace

Verdict check_lstm_cell_backward() {
  std::vector<Case> cases;
  for (const CellCase& k : cell_cases()) {
    cases.push_back({describe(k), [k]() -> std::optional<Failure> {
      CellSetup s = cell_setup(k);
      const LstmState dnext{random_vec(k.hidden), random_vec(k.hidden)};
      // Autograd through LibTorch's own cell op, for L = <dnext.h, h_t> + <dnext.c, c_t>.
      auto w_ih = tensor_of(s.w.w_ih).requires_grad_(), w_hh = tensor_of(s.w.w_hh).requires_grad_();
      auto b_ih = tensor_of(s.w.b_ih).requires_grad_(), b_hh = tensor_of(s.w.b_hh).requires_grad_();
      auto x = s.x.clone().requires_grad_(), h = s.h.clone().requires_grad_();
      auto c = s.c.clone().requires_grad_();
      const auto [h1, c1] = torch::lstm_cell(x, {h, c}, w_ih, w_hh, b_ih, b_hh);
      ((h1[0] * tensor_of(dnext.h)).sum() + (c1[0] * tensor_of(dnext.c)).sum()).backward();
      const LstmCellGrads expected{mat_of(w_ih.grad()), mat_of(w_hh.grad()), vec_of(b_ih.grad()),
                                   vec_of(b_hh.grad()), vec_of(x.grad()),
                                   {vec_of(h.grad()), vec_of(c.grad())}};

      const LstmCellGrads got = lstm_cell_backward(s.w, s.xv, s.prev, dnext);
      std::string mismatch = compare_grads(expected, got, 1e-8);
      if (mismatch.empty()) return std::nullopt;
      auto variant = [&](BackwardMistake m) {
        return [&, m] {
          return compare_grads(mistaken_backward(s.w, s.xv, s.prev, dnext, m), got, 1e-8).empty();
        };
      };
      return diagnose(std::move(mismatch), {
          {{"cell_path_from_h"}, variant({true})},
          {{"cell_path_from_later"}, variant({false, true})},
          {{"tanh_prime_of_c"}, variant({false, false, true})},
          {{"prev_c_without_f"}, variant({false, false, false, true})},
      });
    }});
  }
  return run_cases(cases);
}

}  // namespace ex::check
