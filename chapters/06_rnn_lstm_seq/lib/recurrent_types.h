#pragma once
/// \file
/// The names shared by the chapter's recurrent code: which cell a layer uses (RNN, LSTM, GRU) and
/// which path runs it (packed, padded, fused). A header of its own, so that the fused path and the
/// models that use it can each include it without including one another.
#include <cstdint>
#include <string>

namespace ch06 {

/// The recurrent layer of a model.
enum class CellType { kRnn, kLstm, kGru };

/// "rnn", "lstm" or "gru" → the type. Throws std::invalid_argument naming the three choices.
CellType parse_cell_type(const std::string& name);
/// The type's flag spelling: "rnn", "lstm" or "gru".
std::string cell_type_name(CellType type);
/// Gate blocks per layer: 1 (RNN), 4 (LSTM: i, f, g, o), 3 (GRU: r, z, n).
std::int64_t gate_count(CellType type);

/// How the recurrent layer runs over a padded batch. All three compute the same function (tests check
/// the final states, logits and gradients agree), so a checkpoint works with any of them.
enum class RecurrentPath {
  /// As the original: pack the batch (unsorted, CPU lengths) and run the module on it.
  kPacked,
  /// Run each layer and direction on the padded batch with the module's own weights; the backward
  /// direction reads each sequence reversed within its length, so pads come after the real steps in
  /// both directions and never reach a real output. Faster on the CPU: the packed path's backward
  /// pass zero-fills and adds a gradient the size of the whole batch at every time step.
  kPadded,
  /// Pack the batch, then run each layer and direction as one custom autograd function
  /// (fused_recurrent_layer): per step one GEMM on the active rows and one C++ loop for the gates;
  /// the input projection and, in backward, the weight and input gradients as one GEMM each. The
  /// fastest on the CPU (the default); for a model on another device it falls back to kPacked.
  kFused,
};

/// "packed", "padded" or "fused" → the path. Throws std::invalid_argument naming the three.
RecurrentPath parse_recurrent_path(const std::string& name);

}  // namespace ch06
