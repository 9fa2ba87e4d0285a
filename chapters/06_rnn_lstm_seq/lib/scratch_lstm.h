#pragma once
/// \file
/// The LSTM cell from scratch in Eigen (double): the four gates, the additive cell-state update and
/// a loop over a sequence. Torch-free. The weights are stacked in LibTorch's gate order i, f, g, o,
/// so the weights of `torch::nn::LSTMCell` and `torch::nn::LSTM` copy over one to one.
#include "lib/scratch_rnn.h"

#include <array>
#include <cstdint>
#include <utility>
#include <string>
#include <vector>

namespace ch06 {

/// The four blocks of an LSTM's stacked weights, in LibTorch's order.
enum class LstmGate : int {
  kInput = 0,   ///< i: how much of the candidate enters the cell state
  kForget = 1,  ///< f: how much of the old cell state is kept
  kCell = 2,    ///< g: the candidate values (tanh, not a gate)
  kOutput = 3,  ///< o: how much of tanh(c_t) is shown as h_t
};

/// The gates in LibTorch's stacking order: i, f, g, o.
inline constexpr std::array<LstmGate, 4> kLstmGateOrder = {LstmGate::kInput, LstmGate::kForget, LstmGate::kCell,
                                                           LstmGate::kOutput};

/// The one-letter name of a gate: "i", "f", "g" or "o".
std::string gate_name(LstmGate gate);

/// The weights of one LSTM cell, stacked [i; f; g; o] as LibTorch stores them.
struct LstmWeights {
  Mat w_ih;  ///< [4H, in]
  Mat w_hh;  ///< [4H, H]
  Vec b_ih;  ///< [4H]
  Vec b_hh;  ///< [4H]
  /// H.
  Eigen::Index hidden_size() const { return w_hh.cols(); }
  /// Size of x_t.
  Eigen::Index input_size() const { return w_ih.cols(); }
};

/// Weights of a cell with `input` inputs and `hidden` units, every entry uniform in
/// [-1/sqrt(H), 1/sqrt(H)] as LibTorch initialises them.
LstmWeights make_lstm_weights(Eigen::Index input, Eigen::Index hidden, book::Rng& rng);

/// Rows `[k·H, (k+1)·H)` of a stacked matrix or vector: the block of one gate.
Eigen::Block<Mat> gate_rows(Mat& stacked, LstmGate gate);
/// The block of one gate of a stacked bias.
Eigen::VectorBlock<Vec> gate_rows(Vec& stacked, LstmGate gate);

/// Everything one step computes.
struct LstmStep {
  Vec i;  ///< input gate, in (0, 1)
  Vec f;  ///< forget gate, in (0, 1)
  Vec g;  ///< candidate values, in (-1, 1)
  Vec o;  ///< output gate, in (0, 1)
  Vec c;  ///< cell state c_t = f ⊙ c_{t-1} + i ⊙ g (not squashed: it recurs as it is)
  Vec h;  ///< hidden state h_t = o ⊙ tanh(c_t)
};

/// One step of the cell from (h_{t-1}, c_{t-1}). Throws std::invalid_argument on a size mismatch.
LstmStep lstm_cell(const LstmWeights& w, const Vec& x, const Vec& h_prev, const Vec& c_prev);

/// Runs the cell over `xs` from (h0, c0) (empty = zeros), passing h and c from step to step.
std::vector<LstmStep> lstm_sequence(const LstmWeights& w, const Sequence& xs, const Vec& h0 = Vec(),
                                    const Vec& c0 = Vec());

/// A copy of `w` whose biases force the forget gate to 1 and the input gate to 0: the forget
/// blocks of the biases sum to `+bias`, the input blocks to `-bias`. With the default 100,
/// sigmoid(±(100 + small)) rounds to exactly 1 and 0 in double, so c_t = c_{t-1} bit for bit.
LstmWeights force_carry(LstmWeights w, double bias = 100.0);

/// The unit that carries a label best: for each unit, the share of the variance of its final cell
/// state c_T (over `final_cells`, one per sequence) that lies between the classes' means; returns
/// the unit with the largest share and that share in [0, 1].
std::pair<Eigen::Index, double> most_label_carrying_unit(const std::vector<Vec>& final_cells,
                                                         const std::vector<std::int64_t>& labels);

/// The smallest, mean and largest of one class's values (count 0: no sample of that class).
struct ClassRange {
  double min = 0;          ///< smallest value
  double mean = 0;         ///< mean value
  double max = 0;          ///< largest value
  std::int64_t count = 0;  ///< samples of the class
};

/// For each class k = 0..classes-1, the range of `values[n]` over the samples n of that class.
/// Throws std::invalid_argument if the sizes differ or a label lies outside [0, classes).
std::vector<ClassRange> class_ranges(const std::vector<double>& values,
                                     const std::vector<std::int64_t>& labels, std::int64_t classes);

/// True if two classes' ranges share no value, so that one threshold on this number tells every
/// sample of the one class from every sample of the other.
bool ranges_apart(const ClassRange& a, const ClassRange& b);

/// The pairs of classes (a < b) whose ranges are apart, and those whose ranges overlap.
struct ClassPairs {
  std::vector<std::pair<std::size_t, std::size_t>> apart;    ///< one threshold tells them apart
  std::vector<std::pair<std::size_t, std::size_t>> overlap;  ///< their ranges share values
};

/// Sorts every pair of `ranges` into apart and overlap, in the order (0, 1), (0, 2), ..., (1, 2), ...
ClassPairs class_pairs(const std::vector<ClassRange>& ranges);

/// The class whose mean lies farthest from the mean of the other classes' means (needs two classes).
std::size_t farthest_class(const std::vector<ClassRange>& ranges);

}  // namespace ch06
