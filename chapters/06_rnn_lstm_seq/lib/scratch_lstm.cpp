#include "lib/scratch_lstm.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ch06 {

namespace {

Vec sigmoid(const Vec& a) { return (1.0 / (1.0 + (-a.array()).exp())).matrix(); }

void check_size(Eigen::Index got, Eigen::Index expected, const char* what) {
  if (got != expected) {
    throw std::invalid_argument(std::string(what) + " has size " + std::to_string(got) + ", expected " +
                                std::to_string(expected));
  }
}

}  // namespace

std::string gate_name(LstmGate gate) {
  switch (gate) {
    case LstmGate::kInput: return "i";
    case LstmGate::kForget: return "f";
    case LstmGate::kCell: return "g";
    case LstmGate::kOutput: return "o";
  }
  return "?";
}

LstmWeights make_lstm_weights(Eigen::Index input, Eigen::Index hidden, book::Rng& rng) {
  if (input < 1 || hidden < 1) throw std::invalid_argument("an LSTM needs at least one input and one unit");
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  const auto uniform = [&](Eigen::Index rows, Eigen::Index cols) {
    Mat m(rows, cols);
    for (Eigen::Index j = 0; j < cols; ++j) {
      for (Eigen::Index r = 0; r < rows; ++r) m(r, j) = (2.0 * book::uniform01(rng) - 1.0) * bound;
    }
    return m;
  };
  LstmWeights w;
  w.w_ih = uniform(4 * hidden, input);
  w.w_hh = uniform(4 * hidden, hidden);
  w.b_ih = uniform(4 * hidden, 1);
  w.b_hh = uniform(4 * hidden, 1);
  return w;
}

Eigen::Block<Mat> gate_rows(Mat& stacked, LstmGate gate) {
  const Eigen::Index H = stacked.rows() / 4;
  return stacked.middleRows(static_cast<int>(gate) * H, H);
}

Eigen::VectorBlock<Vec> gate_rows(Vec& stacked, LstmGate gate) {
  const Eigen::Index H = stacked.size() / 4;
  return stacked.segment(static_cast<int>(gate) * H, H);
}

// [cell]
LstmStep lstm_cell(const LstmWeights& w, const Vec& x, const Vec& h_prev, const Vec& c_prev) {
  const Eigen::Index H = w.hidden_size();
  check_size(x.size(), w.input_size(), "x_t");
  check_size(h_prev.size(), H, "h_{t-1}");
  check_size(c_prev.size(), H, "c_{t-1}");
  // All four pre-activations in one product, stacked [i; f; g; o] as LibTorch stores them.
  const Vec a = w.w_ih * x + w.b_ih + w.w_hh * h_prev + w.b_hh;
  LstmStep s;
  s.i = sigmoid(a.segment(0 * H, H));
  s.f = sigmoid(a.segment(1 * H, H));
  s.g = a.segment(2 * H, H).array().tanh().matrix();
  s.o = sigmoid(a.segment(3 * H, H));
  s.c = s.f.cwiseProduct(c_prev) + s.i.cwiseProduct(s.g);  // additive: the cell state's highway
  s.h =
      s.o.cwiseProduct(s.c.array().tanh().matrix());  // tanh only for the output, never on c itself
  return s;
}
// [cell]

std::vector<LstmStep> lstm_sequence(const LstmWeights& w, const Sequence& xs, const Vec& h0, const Vec& c0) {
  const Eigen::Index H = w.hidden_size();
  Vec h = h0.size() == 0 ? Vec::Zero(H) : h0;
  Vec c = c0.size() == 0 ? Vec::Zero(H) : c0;
  std::vector<LstmStep> steps;
  steps.reserve(xs.size());
  for (const Vec& x : xs) {
    steps.push_back(lstm_cell(w, x, h, c));
    h = steps.back().h;
    c = steps.back().c;  // c_t recurs as it is
  }
  return steps;
}

// [force_carry]
LstmWeights force_carry(LstmWeights w, double bias) {
  gate_rows(w.b_ih, LstmGate::kForget).setConstant(bias);  // f = sigmoid(+100 + ...) = 1
  gate_rows(w.b_hh, LstmGate::kForget).setZero();
  gate_rows(w.b_ih, LstmGate::kInput).setConstant(-bias);  // i = sigmoid(-100 + ...) = 0
  gate_rows(w.b_hh, LstmGate::kInput).setZero();
  return w;
}
// [force_carry]

std::pair<Eigen::Index, double> most_label_carrying_unit(const std::vector<Vec>& final_cells,
                                                         const std::vector<std::int64_t>& labels) {
  if (final_cells.empty() || final_cells.size() != labels.size()) {
    throw std::invalid_argument("one label per final cell state is needed");
  }
  const Eigen::Index H = final_cells.front().size();
  std::int64_t classes = 0;
  for (auto l : labels) classes = std::max(classes, l + 1);
  Mat sums = Mat::Zero(H, classes);
  Vec counts = Vec::Zero(classes);
  Vec mean = Vec::Zero(H);
  for (std::size_t n = 0; n < labels.size(); ++n) {
    sums.col(labels[n]) += final_cells[n];
    counts(labels[n]) += 1;
    mean += final_cells[n];
  }
  const double total_count = static_cast<double>(labels.size());
  mean /= total_count;
  Vec total = Vec::Zero(H);
  for (const Vec& c : final_cells) total += (c - mean).cwiseAbs2();
  Vec between = Vec::Zero(H);
  for (Eigen::Index k = 0; k < classes; ++k) {
    if (counts(k) == 0) continue;
    between += counts(k) * (sums.col(k) / counts(k) - mean).cwiseAbs2();
  }
  Eigen::Index best = 0;
  double best_share = -1;
  for (Eigen::Index u = 0; u < H; ++u) {
    const double share = total(u) > 0 ? between(u) / total(u) : 0.0;
    if (share > best_share) {
      best_share = share;
      best = u;
    }
  }
  return {best, best_share};
}

std::vector<ClassRange> class_ranges(const std::vector<double>& values,
                                     const std::vector<std::int64_t>& labels, std::int64_t classes) {
  if (values.size() != labels.size()) throw std::invalid_argument("one label per value is needed");
  std::vector<ClassRange> ranges(static_cast<std::size_t>(std::max<std::int64_t>(classes, 0)));
  for (std::size_t n = 0; n < values.size(); ++n) {
    if (labels[n] < 0 || labels[n] >= classes) throw std::invalid_argument("a label is out of range");
    ClassRange& r = ranges[static_cast<std::size_t>(labels[n])];
    r.min = r.count == 0 ? values[n] : std::min(r.min, values[n]);
    r.max = r.count == 0 ? values[n] : std::max(r.max, values[n]);
    r.mean += values[n];
    ++r.count;
  }
  for (auto& r : ranges) {
    if (r.count > 0) r.mean /= static_cast<double>(r.count);
  }
  return ranges;
}

bool ranges_apart(const ClassRange& a, const ClassRange& b) { return a.max < b.min || b.max < a.min; }

ClassPairs class_pairs(const std::vector<ClassRange>& ranges) {
  ClassPairs pairs;
  for (std::size_t a = 0; a < ranges.size(); ++a) {
    for (std::size_t b = a + 1; b < ranges.size(); ++b) {
      (ranges_apart(ranges[a], ranges[b]) ? pairs.apart : pairs.overlap).emplace_back(a, b);
    }
  }
  return pairs;
}

std::size_t farthest_class(const std::vector<ClassRange>& ranges) {
  if (ranges.size() < 2) throw std::invalid_argument("the farthest class needs at least two classes");
  double total = 0;
  for (const auto& r : ranges) total += r.mean;
  const double others = static_cast<double>(ranges.size() - 1);
  std::size_t far = 0;
  double far_gap = -1;
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    const double gap = std::abs(ranges[k].mean - (total - ranges[k].mean) / others);
    if (gap > far_gap) far = k, far_gap = gap;
  }
  return far;
}

}  // namespace ch06
