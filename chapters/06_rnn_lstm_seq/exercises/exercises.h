#pragma once
/// \file
/// The chapter's exercises: the functions you write, one file each in this folder.
///
/// Each function below has a file of its own (`exercises/<name>.cpp`) whose body starts as
/// `not_started(__func__);`. Replace that body with your code and run
/// `bash scripts/exercises.sh <name>`: the checker compares your function with an independent
/// reference (LibTorch, finite differences or brute force) on many random sizes and the edge
/// cases, and says which output and which element differ, and which classic mistake your result
/// looks like. The reference solutions are in `exercises/solutions/`.
///
/// Everything here is Eigen and the standard library, in double precision: your files never
/// include LibTorch, so a rebuild after editing one takes seconds.
///
/// The notation is the book's (the foundations page): vectors are column vectors and weights
/// multiply from the left, stored as LibTorch stores them, so \f$W_{ih} x_t\f$ is `w.w_ih * x`;
/// the parameters are \f$W_{ih}, W_{hh}, b_{ih}, b_{hh}\f$ (the theory pages'
/// \f$W [h_{t-1}, x_t] + b\f$ with \f$W = [W_{hh}, W_{ih}]\f$ and \f$b = b_{ih} + b_{hh}\f$);
/// the LSTM's cell state is \f$c_t\f$ and its candidate \f$g_t\f$; \f$B\f$ is the batch,
/// \f$T\f$ a length, \f$H\f$ the hidden size. A matrix that holds a batch or a sequence (the
/// exercises from page 05 on) has one row per sequence or per time step, as LibTorch's tensors
/// do: row b of a [B, H] matrix is sequence b's \f$h^\top\f$.
#include <Eigen/Dense>

#include <cstdint>
#include <vector>

/// The exercises' namespace: your functions and the types they take.
namespace ex {

using Mat = Eigen::MatrixXd;  ///< a dense double matrix
using Vec = Eigen::VectorXd;  ///< a dense double column vector

/// What a stub throws until you replace its body: the checker reports "not started".
struct NotStarted {
  const char* function;  ///< the function that is not written yet
};

/// Ends a function that is not written yet (call it as `not_started(__func__)`).
[[noreturn]] inline void not_started(const char* function) { throw NotStarted{function}; }

// ---- 02: the RNN forward pass -----------------------------------------------------------------

/// One Elman RNN layer as `torch::nn::RNN` stores it.
struct RnnWeights {
  Mat w_ih;  ///< W_ih, [H, in]
  Mat w_hh;  ///< W_hh, [H, H]
  Vec b_ih;  ///< b_ih, [H]
  Vec b_hh;  ///< b_hh, [H]
};

/// Exercise `rnn_forward` (page 02). Runs the layer over `xs` = x_1..x_T from the state `h0`:
/// \f$h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh})\f$. Returns h_1..h_T
/// (T vectors; h_0 is not included).
std::vector<Vec> rnn_forward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0);

// ---- 03: backpropagation through time ----------------------------------------------------------

/// The gradients of a loss with respect to everything one RNN layer's forward pass used.
struct RnnGrads {
  Mat w_ih;              ///< dL/dW_ih, [H, in]
  Mat w_hh;              ///< dL/dW_hh, [H, H]
  Vec b_ih;              ///< dL/db_ih, [H]
  Vec b_hh;              ///< dL/db_hh, [H] (the same as dL/db_ih)
  Vec h0;                ///< dL/dh_0, [H]
  std::vector<Vec> xs;   ///< dL/dx_t for t = 1..T
};

/// Exercise `rnn_backward` (page 03). Backpropagation through time over one layer. `hs` holds
/// h_1..h_T as rnn_forward computes them; `dh[t]` is the gradient that the loss sends straight to
/// h_{t+1} (the loss at that step only, not through later steps). Returns every gradient.
RnnGrads rnn_backward(const RnnWeights& w, const std::vector<Vec>& xs, const Vec& h0,
                      const std::vector<Vec>& hs, const std::vector<Vec>& dh);

// ---- 04: the LSTM cell, forward and backward ---------------------------------------------------

/// One LSTM cell as `torch::nn::LSTMCell` stores it: the rows of every matrix and bias are four
/// blocks of H rows, stacked in LibTorch's gate order i, f, g, o.
struct LstmWeights {
  Mat w_ih;  ///< [4H, in]
  Mat w_hh;  ///< [4H, H]
  Vec b_ih;  ///< [4H]
  Vec b_hh;  ///< [4H]
};

/// The two states an LSTM passes from step to step (also used for their gradients).
struct LstmState {
  Vec h;  ///< hidden state h, [H]
  Vec c;  ///< cell state c, [H]
};

/// Exercise `lstm_cell` (page 04). One step from `prev` = (h_{t-1}, c_{t-1}) and x_t: the
/// stacked pre-activation \f$a = W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}\f$ (blocks
/// \f$a_i, a_f, a_g, a_o\f$ of H rows),
/// \f$i_t, f_t, o_t = \sigma(a_i), \sigma(a_f), \sigma(a_o)\f$, \f$g_t = \tanh(a_g)\f$, then
/// \f$c_t = f_t \odot c_{t-1} + i_t \odot g_t\f$ and \f$h_t = o_t \odot \tanh(c_t)\f$.
/// Returns (h_t, c_t).
LstmState lstm_cell(const LstmWeights& w, const Vec& x, const LstmState& prev);

/// The gradients of one LSTM step.
struct LstmCellGrads {
  Mat w_ih;        ///< dL/dW_ih, [4H, in]
  Mat w_hh;        ///< dL/dW_hh, [4H, H]
  Vec b_ih;        ///< dL/db_ih, [4H]
  Vec b_hh;        ///< dL/db_hh, [4H] (the same as dL/db_ih)
  Vec x;           ///< dL/dx_t, [in]
  LstmState prev;  ///< dL/dh_{t-1} and dL/dc_{t-1}
};

/// Exercise `lstm_cell_backward` (page 04, the hard one). The step is the one of lstm_cell(w, x,
/// prev); `dnext.h` is dL/dh_t and `dnext.c` is the gradient that reaches c_t from later steps
/// (not through h_t). Returns the gradients of every weight, of x_t and of (h_{t-1}, c_{t-1}).
LstmCellGrads lstm_cell_backward(const LstmWeights& w, const Vec& x, const LstmState& prev,
                                 const LstmState& dnext);

// ---- 08: the GRU cell --------------------------------------------------------------------------

/// One GRU cell as `torch::nn::GRUCell` stores it: blocks of H rows in the order r, z, n.
struct GruWeights {
  Mat w_ih;  ///< [3H, in]
  Mat w_hh;  ///< [3H, H]
  Vec b_ih;  ///< [3H]
  Vec b_hh;  ///< [3H]
};

/// Exercise `gru_cell` (page 08). One step from `h` = h_{t-1} and `x` = x_t in LibTorch's form
/// (\f$W_{ir}, W_{iz}, W_{in}\f$ are the blocks of \f$W_{ih}\f$, and so on):
/// \f$r_t = \sigma(W_{ir} x_t + b_{ir} + W_{hr} h_{t-1} + b_{hr})\f$,
/// \f$z_t = \sigma(W_{iz} x_t + b_{iz} + W_{hz} h_{t-1} + b_{hz})\f$,
/// \f$n_t = \tanh(W_{in} x_t + b_{in} + r_t \odot (W_{hn} h_{t-1} + b_{hn}))\f$,
/// \f$h_t = (1 - z_t) \odot n_t + z_t \odot h_{t-1}\f$. Returns h_t.
Vec gru_cell(const GruWeights& w, const Vec& x, const Vec& h);

// ---- 05: the final state of a bidirectional stack ----------------------------------------------

/// Exercise `bidirectional_final_state` (page 05). `h_n` is what a bidirectional LibTorch RNN,
/// LSTM or GRU with `num_layers` layers returns as its final hidden state: 2 * num_layers matrices
/// [B, H] (row b: sequence b) in LibTorch's order (layer 0 forward, layer 0 backward, layer 1
/// forward, ...). Returns [B, 2H]: each sequence's summary for a classifier, the last layer's
/// forward state followed by its backward state.
Mat bidirectional_final_state(const std::vector<Mat>& h_n, int num_layers);

// ---- 06: packed sequences ----------------------------------------------------------------------

/// The index bookkeeping of a `PackedSequence`.
struct PackingInfo {
  std::vector<std::int64_t> batch_sizes;       ///< per time step: sequences still running
  std::vector<std::int64_t> sorted_indices;    ///< the batch order, longest sequence first
  std::vector<std::int64_t> unsorted_indices;  ///< where each original sequence went
};

/// Exercise `packing_metadata` (page 06). What `pack_padded_sequence(..., enforce_sorted =
/// false)` stores for a batch with these `lengths` (each at least 1): `batch_sizes[t]` counts the
/// sequences longer than t; `sorted_indices` lists the sequences by decreasing length (any order
/// among equal lengths); `unsorted_indices` is its inverse permutation.
PackingInfo packing_metadata(const std::vector<std::int64_t>& lengths);

/// Exercise `last_real_output` (page 06). `output` is a padded, batch-first layer output: one
/// matrix [T_max, H] per sequence (row t: its output at step t), whose rows past the sequence's
/// length are padding. Returns [B, H]: row b is sequence b's output at its last real step.
Mat last_real_output(const std::vector<Mat>& output, const std::vector<std::int64_t>& lengths);

// ---- 07: the bag of words ----------------------------------------------------------------------

/// Exercise `masked_mean` (page 07). `embedded` holds one matrix [T_max, E] of word vectors per
/// text; rows past the text's length are padding and may hold any values. Returns [B, E]: row b
/// is the mean of text b's real word vectors (every length is at least 1).
Mat masked_mean(const std::vector<Mat>& embedded, const std::vector<std::int64_t>& lengths);

// ---- 09: clipping and masking ------------------------------------------------------------------

/// Exercise `clip_grad_norm` (page 09). Scales every gradient in `grads` by one common factor so
/// that their global norm \f$\sqrt{\sum_p \lVert g_p \rVert^2}\f$ is at most `max_norm`, and leaves
/// them unchanged if it already is. Returns the global norm before clipping.
double clip_grad_norm(std::vector<Mat>& grads, double max_norm);

/// Exercise `masked_cross_entropy` (page 09). `logits[b]` is [T, C] (one row of class scores per
/// step of sequence b); `targets[b][t]` is the class of that step, or `ignore_index` at a padded
/// step. Returns the mean of \f$-\log \operatorname{softmax}(\text{row})[\text{target}]\f$ over the
/// real steps only, or 0 if there is none.
double masked_cross_entropy(const std::vector<Mat>& logits,
                            const std::vector<std::vector<std::int64_t>>& targets,
                            std::int64_t ignore_index);

// ---- 10: the phoneme error rate ----------------------------------------------------------------

/// Exercise `edit_distance` (page 10). The Levenshtein distance: the fewest insertions, deletions
/// and substitutions of one symbol that turn `a` into `b`.
std::int64_t edit_distance(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b);

}  // namespace ex
