#pragma once
/// \file
/// Shapes of LibTorch's recurrent layers, and the checks that tie their outputs together: the
/// output's last step is h_n[-1], the two halves of a bidirectional output, time-first against
/// batch-first, a loop of cells against the module, and the final state of a padded batch.
#include "lib/recurrent_types.h"

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ch06 {

/// What a recurrent layer is built from.
struct LayerSpec {
  CellType cell = CellType::kLstm;  ///< RNN (tanh), LSTM or GRU
  std::int64_t input_size = 10;     ///< features per time step
  std::int64_t hidden_size = 20;    ///< H, per direction
  std::int64_t num_layers = 1;      ///< stacked layers
  bool bidirectional = false;       ///< a backward direction as well
  bool batch_first = true;          ///< input and output are [B, T, ·] (else [T, B, ·])
};

/// What a recurrent layer returns.
struct LayerOutput {
  torch::Tensor output;  ///< the last layer's state at every step: [B, T, D·H] or [T, B, D·H]
  torch::Tensor h_n;     ///< the final hidden state of every layer and direction: [L·D, B, H]
  torch::Tensor c_n;     ///< the LSTM's final cell state, [L·D, B, H]; undefined for RNN and GRU
};

/// The same, for packed input.
struct PackedOutput {
  torch::nn::utils::rnn::PackedSequence output;  ///< the last layer's states, packed like the input
  torch::Tensor h_n;                             ///< [L·D, B, H], in the input's original batch order
  torch::Tensor c_n;                             ///< LSTM only
};

/// One of torch::nn::RNN, LSTM or GRU behind one interface, so that a check runs for all three.
class RecurrentLayer {
 public:
  /// Builds the module `spec` describes, with LibTorch's default initialisation.
  explicit RecurrentLayer(const LayerSpec& spec);
  /// Runs the module on a padded tensor from a zero initial state.
  LayerOutput forward(const torch::Tensor& x);
  /// Runs the module on packed input from a zero initial state.
  PackedOutput forward_packed(const torch::nn::utils::rnn::PackedSequence& x);
  /// The module (its parameters are named weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, and
  /// the same with `_reverse` for the backward direction).
  torch::nn::Module& module() { return *module_; }
  /// The parameter called `name`. Throws std::out_of_range if there is none.
  torch::Tensor parameter(const std::string& name) const;
  /// Copies every parameter of `other` (which must have the same cell, sizes and layers).
  void copy_parameters_from(const RecurrentLayer& other);
  /// The specification it was built from.
  const LayerSpec& spec() const { return spec_; }
  /// Converts the parameters to `dtype` (float64 for exact comparisons).
  void to(torch::ScalarType dtype);

 private:
  LayerSpec spec_;
  torch::nn::RNN rnn_{nullptr};
  torch::nn::LSTM lstm_{nullptr};
  torch::nn::GRU gru_{nullptr};
  std::shared_ptr<torch::nn::Module> module_;
};

/// Runs `layer` again as a loop of torch::nn::RNNCell, LSTMCell or GRUCell, one time step per
/// call, with the module's weights copied into the cells; layer by layer, the backward direction
/// over the reversed sequence. Returns what the module would return.
LayerOutput run_as_cell_loop(RecurrentLayer& layer, const torch::Tensor& x);

/// The size of a tensor as "[3, 5, 20]" ("-" if undefined).
std::string shape_string(const torch::Tensor& t);

/// The original demo: LSTM(10 → 20), input randn(3, 5, 10), batch_first.
struct OriginalDemo {
  torch::Tensor input;             ///< [3, 5, 10]
  LayerOutput result;              ///< output [3, 5, 20], h_n and c_n [1, 3, 20]
  bool last_step_equals_h = false; ///< allclose(output[:, -1, :], h_n[-1]), as the original asserts
};

/// Runs the original demo (draws from torch's generator; seed it first).
OriginalDemo original_demo();

/// One row of the shape table: a layer configuration, the shapes it produced, and the check
/// that its final states are where they should be in the output.
struct ShapeRow {
  CellType cell = CellType::kLstm;  ///< the layer
  bool batch_first = true;          ///< layout
  std::int64_t num_layers = 1;      ///< L
  bool bidirectional = false;       ///< D = 2 if true
  std::vector<std::int64_t> input;  ///< the input's sizes
  std::vector<std::int64_t> output; ///< the output's sizes
  std::vector<std::int64_t> h_n;    ///< h_n's sizes
  std::vector<std::int64_t> c_n;    ///< c_n's sizes (empty for RNN and GRU)
  /// Largest difference between the final states and the output: unidirectional, output's last
  /// step against h_n[-1]; bidirectional, the forward half of the last step against h_n[-2] and the
  /// backward half of the first step against h_n[-1]. 0 up to rounding (float64 here).
  double final_state_error = 0;
};

/// The sizes used by the shape table (the original demo's).
struct ShapeProblem {
  std::int64_t batch = 3;   ///< B
  std::int64_t steps = 5;   ///< T
  std::int64_t input = 10;  ///< features per step
  std::int64_t hidden = 20; ///< H
};

/// Builds the layer, runs it on random input, and records the row.
ShapeRow shape_row(CellType cell, bool batch_first, std::int64_t num_layers, bool bidirectional,
                   const ShapeProblem& problem = {});

/// The 8 rows of one cell type: batch_first true/false × layers 1/2 × bidirectional false/true.
std::vector<ShapeRow> shape_table(CellType cell, const ShapeProblem& problem = {});

/// Where a bidirectional layer's final states sit in its output (float64, batch-first).
struct BidirectionalCheck {
  double forward_last_vs_h_fwd = 0;   ///< |output[:, T−1, :H] − h_n[−2]|: 0 (the forward direction ends at T−1)
  double backward_first_vs_h_bwd = 0; ///< |output[:, 0, H:] − h_n[−1]|: 0 (the backward direction ends at step 0)
  double backward_last_vs_h_bwd = 0;  ///< |output[:, T−1, H:] − h_n[−1]|: large, the mistake (one step of reading)
};

/// Runs a bidirectional layer of `num_layers` and measures the three differences.
BidirectionalCheck bidirectional_check(CellType cell, std::int64_t num_layers, const ShapeProblem& problem = {});

/// Largest difference between a time-first and a batch-first layer with the same weights on the
/// same data (the time-first output transposed to batch-first; h_n compared as is). 0 up to rounding.
double layout_difference(CellType cell, std::int64_t num_layers, bool bidirectional, const ShapeProblem& problem = {});

/// Largest differences between the module and the loop of cells (float64).
struct CellLoopCheck {
  double output = 0;  ///< per-step outputs
  double h_n = 0;     ///< final hidden states
  double c_n = 0;     ///< final cell states (LSTM; 0 otherwise)
};

/// Runs the module and run_as_cell_loop on the same input and compares them.
CellLoopCheck cell_loop_check(CellType cell, std::int64_t num_layers, bool bidirectional,
                              const ShapeProblem& problem = {});

/// The padded-batch mistake, measured per sequence against the true final state (the sequence run
/// alone, unpadded). The tensors are [B, H].
struct FinalStateMistake {
  std::vector<std::int64_t> lengths;     ///< the batch's true lengths (padded to the longest)
  torch::Tensor truth;                   ///< each sequence's final state, run alone
  torch::Tensor naive;                   ///< output[:, −1] of the padded run: wrong for every padded sequence
  torch::Tensor gathered;                ///< output[b, length − 1] of the padded run (last_real_step): right
  torch::Tensor padded_h_n;              ///< h_n[−1] of the padded run: as wrong as output[:, −1]
  std::vector<double> naive_error;       ///< per sequence, max |naive − truth|
  std::vector<double> gathered_error;    ///< per sequence, max |gathered − truth|
  std::vector<double> padded_h_n_error;  ///< per sequence, max |padded_h_n − truth|
};

/// Runs a unidirectional layer on a right-padded batch (float64) and measures the three ways to
/// read its final state.
FinalStateMistake padded_final_state_mistake(CellType cell, const std::vector<std::int64_t>& lengths,
                                             const ShapeProblem& problem = {});

/// The correct final state of a right-padded, unidirectional batch-first output: output[b, lengths[b] − 1].
torch::Tensor last_real_step(const torch::Tensor& output, const torch::Tensor& lengths);

/// Differences below this are rounding in float64; the checks of this file use it.
inline constexpr double kSameStateTol = 1e-12;

/// Throws std::logic_error naming `what` if `candidate` differs from `reference` by more than `tol`.
/// This is how the program catches the mistake: compare the state you took with the true one.
void expect_same_state(const torch::Tensor& candidate, const torch::Tensor& reference, double tol, const std::string& what);

/// How far the padded run's state drifts from the true final state as it reads pads: entry t is
/// |h_t − h_true| for t = 0 … padded_to − 1 of one sequence of `length` real steps (float64).
std::vector<double> pad_drift(CellType cell, std::int64_t length, std::int64_t padded_to, const ShapeProblem& problem = {});

}  // namespace ch06
