// The chapter's exercises, in reading order: what each is checked against and its hint.
#include "exercises/checker/checks.h"

namespace ex::check {

const std::vector<Exercise>& exercises() {
  static const std::vector<Exercise> list = {
      {"rnn_forward", "02: The RNN from scratch in Eigen", "02 RNN from scratch",
       "torch::nn::RNN with the same weights (float64)",
       "Keep one state vector h, starting as h0. For each x in xs: the pre-activation is\n"
       "W_ih x + b_ih + W_hh h + b_hh (w.w_ih * x + ...: the weights are [H, in] and [H, H]),\n"
       "h becomes its tanh (.array().tanh()), and you append h to the result.",
       {"includes_h0", "transposed_w_hh", "transposed_w_ih", "bias_once", "no_tanh",
        "state_not_carried"},
       check_rnn_forward},
      {"rnn_backward", "03: Backpropagation through time, vanishing and exploding gradients", "03 BPTT",
       "LibTorch autograd through torch::rnn_tanh_cell, and central finite differences",
       "Go backwards, t = T-1 .. 0 (0-based), carrying g = dL/dh_{t+1} from the step after.\n"
       "At step t: dh_t = dh[t] + g; da = dh_t * (1 - hs[t]^2) elementwise (tanh'); then\n"
       "dW_ih += da x_t^T, dW_hh += da h_{t-1}^T (h_{-1} is h0), db += da, dx_t = W_ih^T da,\n"
       "and the new g = W_hh^T da. After the loop, dL/dh_0 = g.",
       {"no_later_gradient", "tanh_prime_wrong_state", "transposed_w_hh", "no_b_hh"},
       check_rnn_backward},
      {"lstm_cell", "04: The LSTM cell and its gates", "04 LSTM gates",
       "torch::nn::LSTMCell with the same weights (float64)",
       "a = w.w_ih * x + w.b_ih + w.w_hh * prev.h + w.b_hh has 4H entries. With H =\n"
       "w.w_hh.cols(): i = sigmoid(a.segment(0, H)), f = sigmoid(a.segment(H, H)),\n"
       "g = tanh(a.segment(2 * H, H)), o = sigmoid(a.segment(3 * H, H)). Then\n"
       "C = f * prev.c + i * g and h = o * tanh(C), elementwise (cwiseProduct).",
       {"gate_order", "no_tanh_on_output", "squashed_cell", "sigmoid_candidate", "bias_once"},
       check_lstm_cell},
      {"lstm_cell_backward", "04: The LSTM cell and its gates", "04 LSTM gates",
       "LibTorch autograd through torch::lstm_cell",
       "Recompute i, f, g, o, C_t and tanh(C_t). Then dC = dnext.c + dnext.h * o * (1 -\n"
       "tanh(C_t)^2); do = dnext.h * tanh(C_t); di = dC * g; df = dC * C_{t-1}; dg = dC * i.\n"
       "Through the nonlinearities: sigmoid' = s (1 - s), tanh' = 1 - g^2; stack the four into\n"
       "da (4H). Then dW_ih = da x^T, dW_hh = da h^T, db = da, dx = W_ih^T da, dh_{t-1} =\n"
       "W_hh^T da and dC_{t-1} = dC * f.",
       {"cell_path_from_h", "cell_path_from_later", "tanh_prime_of_c", "prev_c_without_f"},
       check_lstm_cell_backward},
      {"gru_cell", "08: The GRU against the RNN and the LSTM", "08 GRU",
       "torch::nn::GRUCell with the same weights (float64)",
       "Compute the input part w.w_ih * x + w.b_ih and the hidden part w.w_hh * h + w.b_hh\n"
       "(3H entries each, blocks r, z, n). r and z are sigmoids of the sums of their blocks.\n"
       "n = tanh(input_n + r * hidden_n): the reset gate scales the hidden part after its\n"
       "product and bias. h' = (1 - z) * n + z * h.",
       {"textbook_reset", "z_swapped", "gate_order", "bias_outside_reset"},
       check_gru_cell},
      {"bidirectional_final_state", "05: Shapes, layouts and where the final state lives", "05 shapes",
       "the outputs of a bidirectional torch::nn::LSTM over packed sequences, at each "
       "sequence's true ends",
       "The last layer's states are h_n[2 * (num_layers - 1)] (forward) and the one after it\n"
       "(backward). Join them side by side: Mat r(B, 2H); r << forward, backward;",
       {"last_only", "directions_swapped", "wrong_layer"},
       check_bidirectional_final_state},
      {"packing_metadata", "06: Packed sequences: right answers, and what they cost", "06 packing",
       "torch::nn::utils::rnn::pack_padded_sequence(..., enforce_sorted = false)",
       "sorted_indices: the indices 0..B-1 sorted by decreasing length (std::stable_sort with\n"
       "a comparison on lengths). unsorted_indices[sorted_indices[k]] = k. batch_sizes[t] for\n"
       "t = 0 .. longest - 1: how many lengths are greater than t.",
       {"per_sequence_sizes", "ascending", "not_inverse"},
       check_packing_metadata},
      {"last_real_output", "06: Packed sequences: right answers, and what they cost", "06 packing",
       "h_n of the same torch::nn::LSTM run on the packed batch",
       "Row b of the result is output[b].row(lengths[b] - 1).",
       {"last_step", "off_by_one"},
       check_last_real_output},
      {"masked_mean", "07: A sentiment LSTM that reads word order", "07 sentiment",
       "a loop over each text's real words",
       "For text b: embedded[b].topRows(lengths[b]).colwise().sum() divided by lengths[b].",
       {"padded_length", "sum_includes_padding"},
       check_masked_mean},
      {"clip_grad_norm", "09: Exploding gradients, clipping and masking", "09 clipping, masking",
       "torch::nn::utils::clip_grad_norm_ (float64)",
       "norm = sqrt(sum over matrices of squaredNorm()). Only if norm > max_norm, multiply\n"
       "every matrix by max_norm / norm. Return norm.",
       {"zero_gradient", "per_tensor", "scales_up", "returns_clipped_norm"},
       check_clip_grad_norm},
      {"masked_cross_entropy", "09: Exploding gradients, clipping and masking", "09 clipping, masking",
       "torch::nn::functional::cross_entropy with ignore_index (float64)",
       "For each step whose target is not ignore_index: with m the row's largest score,\n"
       "loss = m + log(sum(exp(row - m))) - row(target). Sum them, count them, and return\n"
       "sum / count (0 when the count is 0).",
       {"unstable", "all_positions", "unmasked", "sum_not_mean", "no_real_steps"},
       check_masked_cross_entropy},
      {"edit_distance", "10: Teacher forcing and exposure bias, on grapheme-to-phoneme conversion", "10 teacher forcing",
       "a breadth-first search over single edits, on short strings",
       "d has (|a| + 1) x (|b| + 1) entries: d[i][0] = i, d[0][j] = j, and d[i][j] is the\n"
       "smallest of d[i-1][j] + 1, d[i][j-1] + 1 and d[i-1][j-1] + (a[i-1] != b[j-1]).\n"
       "The answer is d[|a|][|b|].",
       {"empty_border", "no_substitution", "short_loop"},
       check_edit_distance},
  };
  return list;
}

}  // namespace ex::check
