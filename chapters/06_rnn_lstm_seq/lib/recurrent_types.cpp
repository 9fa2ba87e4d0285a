#include "lib/recurrent_types.h"

#include <stdexcept>

namespace ch06 {

CellType parse_cell_type(const std::string& name) {
  if (name == "rnn") return CellType::kRnn;
  if (name == "lstm") return CellType::kLstm;
  if (name == "gru") return CellType::kGru;
  throw std::invalid_argument("unknown model type '" + name + "'; choose rnn, lstm or gru");
}

std::string cell_type_name(CellType type) {
  switch (type) {
    case CellType::kRnn: return "rnn";
    case CellType::kLstm: return "lstm";
    case CellType::kGru: return "gru";
  }
  return "?";
}

std::int64_t gate_count(CellType type) {
  switch (type) {
    case CellType::kRnn: return 1;
    case CellType::kLstm: return 4;
    case CellType::kGru: return 3;
  }
  return 0;
}

RecurrentPath parse_recurrent_path(const std::string& name) {
  if (name == "packed") return RecurrentPath::kPacked;
  if (name == "padded") return RecurrentPath::kPadded;
  if (name == "fused") return RecurrentPath::kFused;
  throw std::invalid_argument("unknown recurrent path '" + name + "'; choose packed, padded or fused");
}

}  // namespace ch06
