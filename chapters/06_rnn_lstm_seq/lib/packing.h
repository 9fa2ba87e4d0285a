#pragma once
/// \file
/// Packed sequences: what pack_padded_sequence stores, why a padded batch gives the wrong final
/// state, the pad_packed_sequence round trip, what packing costs and saves on the CPU, and the
/// errors LibTorch raises for bad lengths.
#include "book/rng.h"
#include "lib/shapes.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace ch06 {

/// A small batch to look at: sequence b (from 0) has the values 10·(b+1) + t + 1 at its steps
/// t = 0, 1, …, one feature per step, right-padded with zeros.
struct PackDemo {
  torch::Tensor padded;                          ///< [B, T_max, 1], batch-first
  torch::Tensor lengths;                         ///< [B], int64, on the CPU
  torch::nn::utils::rnn::PackedSequence packed;  ///< pack_padded_sequence(padded, lengths, batch_first, enforce_sorted = false)
};

/// Builds the demo batch for `lengths` (each at least 1) and packs it.
PackDemo make_pack_demo(const std::vector<std::int64_t>& lengths);

/// Largest differences between a layer run on a packed batch, the same layer run on the padded batch
/// without packing, and the truth: each sequence run alone, unpadded (float64).
struct PackedCheck {
  double packed_h_n = 0;     ///< packed h_n (every layer and direction) against the lone runs: 0
  double packed_c_n = 0;     ///< the same for the LSTM's c_n (0 for RNN and GRU)
  double packed_output = 0;  ///< unpacked per-step outputs at the real steps against the lone runs: 0
  double padded_h_n = 0;     ///< h_n of the padded, unpacked run against the lone runs: the wrong answer
};

/// Runs `spec` (batch_first is forced) on a random right-padded batch with `lengths` in three ways
/// and compares them.
PackedCheck packed_vs_alone(const LayerSpec& spec, const std::vector<std::int64_t>& lengths);

/// What the pad_packed_sequence round trip gives back.
struct RoundTrip {
  bool input_restored = false;       ///< pad(pack(x)) == x, exactly
  bool lengths_restored = false;     ///< the lengths come back in the original order
  std::int64_t padded_values = 0;    ///< output values at padded steps (B·(T_max − length) summed, × D·H)
  std::int64_t nonzero_padded = 0;   ///< how many of them are not exactly 0: 0
};

/// Packs a random padded batch, runs `spec` on it, unpacks the input and the output, and checks them.
RoundTrip pad_packed_round_trip(const LayerSpec& spec, const std::vector<std::int64_t>& lengths);

/// `count` sequence lengths of the main job's synthetic names (5 to 15 characters).
std::vector<std::int64_t> names_lengths(std::int64_t count, book::Rng& rng);

/// `count` long-tailed lengths: a discrete Pareto distribution, ceil(4·u^(−1/1.2)) with u uniform in
/// (0, 1], capped at `max_length`. Most are short, a few are very long.
std::vector<std::int64_t> long_tailed_lengths(std::int64_t count, std::int64_t max_length, book::Rng& rng);

/// How a set of sequences is cut into batches and fed to the layer.
enum class BatchStrategy {
  kPadded,    ///< batches in the given order, padded to their longest sequence, no packing
  kPacked,    ///< batches in the given order, packed (enforce_sorted = false)
  kBucketed,  ///< sequences sorted by length first, then cut into batches and padded (little padding)
};

/// "padded", "packed" or "bucketed".
std::string strategy_name(BatchStrategy strategy);

/// The layer and the batch size a timing runs with.
struct TimingSetup {
  CellType cell = CellType::kLstm;  ///< the recurrent layer
  std::int64_t input_size = 32;     ///< features per step
  std::int64_t hidden_size = 64;    ///< H
  std::int64_t batch_size = 64;     ///< sequences per batch
  int repeats = 5;                  ///< timed passes per strategy (after one untimed warm-up pass)
};

/// One strategy's cost for one pass over every sequence.
struct StrategyTiming {
  BatchStrategy strategy = BatchStrategy::kPadded;  ///< which
  double forward_s = 0;            ///< median seconds of a forward pass (no gradients)
  double train_s = 0;              ///< median seconds of forward + backward
  std::int64_t computed_steps = 0; ///< (sequence, step) pairs the layer computes: padding included
  std::int64_t real_steps = 0;     ///< (sequence, step) pairs that hold data: the sum of the lengths
};

/// Times the three strategies on sequences of `lengths` (random features). Each repeat runs every
/// strategy once, in turn, so that load on the machine hits them alike; each pass reads the final
/// state at each sequence's true end (gathered for padded batches, h_n for packed ones) and, for
/// training, back-propagates a loss on it. `on_repeat(done, total)` reports progress.
std::vector<StrategyTiming> time_strategies(const std::vector<std::int64_t>& lengths, const TimingSetup& setup,
                                            const std::function<void(int, int)>& on_repeat = nullptr);

/// Within this factor of each other, two times measured on a shared machine count as a tie: 10 %.
constexpr double kSpeedTie = 0.10;

/// How a time compares with a reference time, from `ratio` = time / reference: "faster than" when
/// the ratio is below 1 / (1 + tie), "slower than" above 1 + tie, and "about as fast as" in between
/// (symmetric: swapping the two times swaps "faster" and "slower"). Throws std::invalid_argument
/// for a ratio that is not positive and finite, or a negative tie.
std::string speed_words(double ratio, double tie = kSpeedTie);

/// Our own check before packing: `lengths` must be a 1-D integer tensor on the CPU with `batch`
/// entries, each between 1 and `max_steps` (LibTorch converts integers to int64 itself). Throws std::invalid_argument saying what is wrong and
/// how to fix it.
void check_lengths(const torch::Tensor& lengths, std::int64_t batch, std::int64_t max_steps);

/// The first line of the error LibTorch raises when it packs `input` (batch-first) with `lengths`,
/// or an empty string if packing succeeds.
std::string libtorch_packing_error(const torch::Tensor& input, const torch::Tensor& lengths, bool enforce_sorted);

/// One bad-lengths case: what LibTorch says and what check_lengths says.
struct PackingErrorCase {
  std::string what;        ///< the case in words
  bool enforce_sorted = false;  ///< the enforce_sorted flag LibTorch was called with
  std::string libtorch;    ///< LibTorch's message (empty if it did not raise)
  std::string our_check;   ///< check_lengths' message (empty if it passed)
};

/// The bad-lengths cases, on a batch of 3 sequences padded to 4 steps: a zero length; lengths on a
/// device other than the CPU (a CUDA device if this machine has one, else the "meta" device, a
/// device that holds only shapes, which trips the same check); unsorted lengths with
/// enforce_sorted = true. The device case is called with enforce_sorted = true so that LibTorch
/// reaches its lengths check directly (with false it first sorts the lengths and copies the order to
/// the input's device, which a meta tensor cannot do).
std::vector<PackingErrorCase> packing_error_cases();

}  // namespace ch06
