#pragma once
/// \file
/// The exercises the checker knows, and one check per exercise. Torch-free: the checks that use
/// LibTorch as their reference are compiled once, in their own files.
#include "exercises/checker/report.h"

#include <string>
#include <vector>

namespace ex::check {

/// One exercise of the chapter.
struct Exercise {
  std::string name;                   ///< the function and its file, e.g. "lstm_cell"
  std::string page;                   ///< the book page that explains it
  std::string section;                ///< the page in short, for the table: "04 LSTM gates"
  std::string reference;              ///< what the check compares against
  std::string hint;                   ///< shown on request (--hint)
  std::vector<std::string> mistakes;  ///< ids of the mistakes the check recognises
  Verdict (*check)();                 ///< runs every case
};

/// The chapter's exercises, in reading order.
const std::vector<Exercise>& exercises();

/// Sets LibTorch up for the checks (one thread: the cases are tiny, and the checker forks).
void prepare_reference();

Verdict check_rnn_forward();                ///< against torch::nn::RNN
Verdict check_rnn_backward();               ///< against autograd and finite differences
Verdict check_lstm_cell();                  ///< against torch::nn::LSTMCell
Verdict check_lstm_cell_backward();         ///< against autograd through torch::lstm_cell
Verdict check_gru_cell();                   ///< against torch::nn::GRUCell
Verdict check_bidirectional_final_state();  ///< against a bidirectional LSTM's outputs
Verdict check_packing_metadata();           ///< against pack_padded_sequence
Verdict check_last_real_output();           ///< against the packed final states
Verdict check_masked_mean();                ///< against a loop over the real words
Verdict check_clip_grad_norm();             ///< against clip_grad_norm_
Verdict check_masked_cross_entropy();       ///< against cross_entropy with ignore_index
Verdict check_edit_distance();              ///< against a breadth-first search over edits

}  // namespace ex::check
