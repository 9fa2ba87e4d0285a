#pragma once
/// \file
/// RNN, GRU and LSTM side by side: the Eigen GRU cell against torch::nn::GRUCell, parameter counts
/// from the formula against the modules, training speed, and accuracy on a long-range task as the
/// dependency length grows.
#include "lib/scratch_gru.h"
#include "lib/shapes.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace ch06 {

/// The weights of a torch::nn::GRUCell, copied into the Eigen cell's layout (as double).
GruWeights gru_weights_from(torch::nn::GRUCell& cell);

/// How far the Eigen cell is from torch::nn::GRUCell.
struct GruParity {
  double max_diff = 0;     ///< largest |h_eigen − h_torch| over every step and batch row
  std::int64_t values = 0; ///< how many state entries were compared
};

/// Builds a torch::nn::GRUCell (float64, LibTorch's initialisation, torch's generator), copies its
/// weights into the Eigen cell, runs both over `steps` random inputs for `batch` sequences, and
/// compares every state.
GruParity gru_cell_parity(std::int64_t input_size, std::int64_t hidden_size, std::int64_t steps, std::int64_t batch);

/// torch::nn::GRUCell with its update-gate input bias b_iz set to 1000, so that z = σ(…) is exactly 1
/// in float64: returns the largest |h_t − h_0| over `steps` random inputs. LibTorch's convention says
/// h' = (1 − z)·n + z·h = h. LibTorch evaluates it as n + z·(h − n), so the result is h up to one
/// rounding (about 1e-16), not bit for bit.
double torch_gru_keep_check(std::int64_t input_size, std::int64_t hidden_size, std::int64_t steps);

/// One line of the parameter table.
struct ParameterRow {
  CellType cell = CellType::kRnn;  ///< the layer
  std::int64_t input_size = 0;     ///< in
  std::int64_t hidden_size = 0;    ///< H
  std::int64_t formula = 0;        ///< G·(H·in + H·H + 2H)
  std::int64_t layer = 0;          ///< counted on torch::nn::RNN / GRU / LSTM (one layer, one direction)
  std::int64_t cell_module = 0;    ///< counted on torch::nn::RNNCell / GRUCell / LSTMCell
};

/// The formula and the two modules for every cell type and every (in, H) in `sizes`.
std::vector<ParameterRow> parameter_table(const std::vector<std::pair<std::int64_t, std::int64_t>>& sizes);

/// The batch the speed comparison trains on.
struct SpeedSetup {
  std::int64_t batch = 64;    ///< sequences per batch
  std::int64_t steps = 50;    ///< T
  std::int64_t input = 32;    ///< features per step
  std::int64_t hidden = 128;  ///< H, equal for the three layers
  int repeats = 7;            ///< timed batches per layer (after one untimed warm-up)
};

/// One layer's training cost per batch.
struct SpeedRow {
  CellType cell = CellType::kRnn;  ///< the layer
  double train_s = 0;              ///< median seconds of forward + backward for one batch
  double gemm_flops = 0;           ///< FLOPs of its recurrent matrix products (forward + backward): 3·2·G·H·(in + H)·B·T
};

/// Times forward + backward of one batch for RNN, GRU and LSTM, each repeat running the three in
/// turn. `on_repeat(done, total)` reports progress.
std::vector<SpeedRow> speed_comparison(const SpeedSetup& setup, const std::function<void(int, int)>& on_repeat = nullptr);

/// The long-range task: a sequence of T tokens whose first token is the class (one of `classes`)
/// and whose other T − 1 tokens are random distractors (from `distractors` other tokens). The model
/// reads the whole sequence and must name the first token from its final state.
struct LongRangeSetup {
  std::int64_t classes = 4;       ///< class tokens 0 … classes − 1 (chance = 1 / classes)
  std::int64_t distractors = 4;   ///< distractor tokens classes … classes + distractors − 1
  std::int64_t embed = 8;         ///< embedding width
  std::int64_t hidden = 32;       ///< H, equal for the three layers
  std::int64_t batch = 128;       ///< fresh random sequences per training step
  std::int64_t max_steps = 200;   ///< training steps at most
  std::int64_t solved_streak = 10;///< stop early after this many training batches in a row at 100 %
  double lr = 1e-2;               ///< Adam's learning rate
  double clip = 1.0;              ///< gradient norm clipping
  double keep_gate_bias = 3.0;    ///< initial bias of the gate that keeps memory (LSTM forget, GRU update); 0 = LibTorch's initialisation
  std::int64_t test_size = 1000;  ///< fresh sequences the accuracy is measured on
};

/// A batch of the long-range task.
struct LongRangeBatch {
  torch::Tensor tokens;  ///< [B, T], int64
  torch::Tensor labels;  ///< [B], int64: tokens[:, 0]
};

/// `batch` sequences of length `length`, drawn with `rng`.
LongRangeBatch first_token_batch(std::int64_t batch, std::int64_t length, const LongRangeSetup& setup, book::Rng& rng);

/// What one training run reached.
struct LongRangeResult {
  CellType cell = CellType::kRnn;  ///< the layer
  std::int64_t length = 0;         ///< T
  double accuracy = 0;             ///< on test_size fresh sequences, in percent
  std::int64_t steps = 0;          ///< training steps taken (fewer than max_steps if solved early)
  double seconds = 0;              ///< training time
};

/// Trains embedding → `cell` → linear on the task with sequences of `length` (seeded by `seed`: the
/// same data for every cell) and measures the accuracy.
LongRangeResult train_first_token(CellType cell, std::int64_t length, const LongRangeSetup& setup, std::uint64_t seed);

}  // namespace ch06
