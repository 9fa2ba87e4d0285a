#pragma once
/// \file
/// The fused recurrent path: one layer in one direction of an RNN, LSTM or GRU over packed data,
/// as a custom autograd function with a hand-written backward pass. Per time step it runs one
/// matrix product on the active rows and one C++ loop for the gates; everything that does not
/// depend on the previous step (the input projection, and in backward the weight and input
/// gradients) is one large matrix product over all steps.
#include "lib/recurrent_types.h"

#include <torch/torch.h>

#include <utility>

namespace ch06 {

/// The weights of one layer in one direction, as the torch module stores them (`weight_ih_l0`,
/// `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, `*_reverse`): the gate blocks are stacked in torch's
/// order, i, f, g, o for the LSTM and r, z, n for the GRU.
struct RecurrentWeights {
  torch::Tensor w_ih;  ///< [G·H, in]
  torch::Tensor w_hh;  ///< [G·H, H]
  torch::Tensor b_ih;  ///< [G·H]
  torch::Tensor b_hh;  ///< [G·H]
};

/// Runs one layer of `cell` in one direction over packed data and returns its outputs [N, H] in
/// the same packed layout.
///
/// `input` [N, in] and `batch_sizes` [T] (int64, on the CPU) are a PackedSequence's `data` and
/// `batch_sizes`: the rows of step t are the first batch_sizes[t] sequences of the batch sorted by
/// length, longest first. The forward direction runs t = 0 … T−1, the backward (`reverse`)
/// direction t = T−1 … 0; in both, a sequence that is not active at a step keeps its state, and a
/// sequence starts from h = c = 0, so the backward direction reads each sequence reversed within
/// its length. Float32 and float64. Gradients flow to the input and the four weights.
torch::Tensor fused_recurrent_layer(CellType cell, const torch::Tensor& input, const RecurrentWeights& weights,
                                    const torch::Tensor& batch_sizes, bool reverse);

/// What one layer in one direction computed: the outputs of every step and the state each
/// sequence ends in, all differentiable.
struct FusedRun {
  torch::Tensor output;  ///< [N, H], packed as the input
  torch::Tensor h_n;     ///< [B, H]: row r is the r-th sequence in the packed (longest-first) order
  torch::Tensor c_n;     ///< [B, H]: the LSTM's final cell state (zeros for the RNN and the GRU)
};

/// fused_recurrent_layer that also returns the final states and may start from given ones: `h0` and
/// `c0` [B, H] (rows in the packed order; undefined = zeros; `c0` only for the LSTM). The gradients
/// flow to the initial states too. With every sequence as long as the longest (batch_sizes all B)
/// this is the whole-sequence form of an LSTMCell loop: program 10's teacher-forced decoder.
FusedRun fused_recurrent_run(CellType cell, const torch::Tensor& input, const RecurrentWeights& weights,
                             const torch::Tensor& batch_sizes, bool reverse, const torch::Tensor& h0 = {},
                             const torch::Tensor& c0 = {});

/// Both directions of one layer at once: fused_recurrent_layer with `reverse` false and true, in
/// one autograd function whose forward and backward passes run the two directions at the same
/// time, each on one core with a single-threaded BLAS, when the BLAS has two or more threads (one
/// after the other otherwise). Returns (forward outputs, backward outputs), each [N, H].
std::pair<torch::Tensor, torch::Tensor> fused_bidirectional_layer(CellType cell, const torch::Tensor& input,
                                                                  const RecurrentWeights& forward_weights,
                                                                  const RecurrentWeights& backward_weights,
                                                                  const torch::Tensor& batch_sizes);

/// fused_bidirectional_layer that also returns each direction's final states (from zeros): the
/// forward direction's h_n is each sequence's state after its last step, the backward direction's
/// after its first, as torch::nn::LSTM's h_n[0] and h_n[1] (but in the packed order).
std::pair<FusedRun, FusedRun> fused_bidirectional_run(CellType cell, const torch::Tensor& input,
                                                      const RecurrentWeights& forward_weights,
                                                      const RecurrentWeights& backward_weights,
                                                      const torch::Tensor& batch_sizes);

/// The final states of a whole stacked `torch::nn::RNN`, `LSTM` or `GRU` module (`recurrent`, with
/// its own weights `weight_ih_l<k>`, ... `_reverse`) run on the fused path, for the padded
/// batch-first input `embedded` [B, T, in] with true lengths [B] (int64, on the CPU): the batch is
/// packed, each layer runs fused_bidirectional_layer (or fused_recurrent_layer), with dropout
/// `between` on the input of every layer after the first while `training`. Returns [L·D, B, H] in
/// the order of h_n (layer 0 forward, layer 0 backward, layer 1 ...), rows in the batch's order:
/// the forward state at each sequence's last real step and the backward state at its first.
torch::Tensor fused_final_states(CellType cell, torch::nn::Module& recurrent,
                                 const torch::Tensor& embedded, const torch::Tensor& lengths,
                                 std::int64_t num_layers, bool bidirectional, double between,
                                 bool training);

}  // namespace ch06
