#pragma once
/// \file
/// The exercises the checker knows, and one check per exercise. Torch-free: the checks that use
/// LibTorch as their reference are compiled once, in their own files.
#include "exercises/checker/messages.h"
#include "exercises/checker/report.h"

#include <string>
#include <utility>
#include <vector>

namespace ex::check {

/// A mistake a check recognises, and what the checker says when it sees it.
struct KnownMistake {
  /// The mistake `id` and its `diagnosis`; `variant` names a second diagnosis of the same id.
  KnownMistake(std::string id, Text diagnosis, std::string variant = "")
      : id(std::move(id)), diagnosis(std::move(diagnosis)), variant(std::move(variant)) {}
  std::string id;       ///< its short name, e.g. "gate_order" (a wrong version's file names it)
  Text diagnosis;       ///< one line in the reader's terms; each {} stands for one of its args
  std::string variant;  ///< "" or, for an id with a second diagnosis, which one
};

/// One exercise of the chapter.
struct Exercise {
  std::string name;                     ///< the function and its file, e.g. "lstm_cell"
  Text page;                            ///< the book page that explains it
  Text section;                         ///< the page in short, for the table: "04 LSTM gates"
  Text reference;                       ///< what the check compares against
  Text hint;                            ///< shown on request (--hint), lines of about 90 columns
  std::vector<KnownMistake> mistakes;   ///< the mistakes the check recognises
  Verdict (*check)();                   ///< runs every case
};

/// The chapter's exercises, in reading order, with their texts in English and Chinese.
const std::vector<Exercise>& exercises();

/// What the checker says about `mistake` in `exercise`, in the language of this run.
std::string diagnosis_of(const Exercise& exercise, const Mistake& mistake);

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
