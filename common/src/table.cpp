#include "book/table.h"

#include "book/files.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace book {

Table::Table(std::vector<std::string> columns, int precision)
    : columns_(std::move(columns)), precision_(precision) {}

void Table::add_row(std::vector<Cell> row) {
  if (row.size() != columns_.size()) {
    throw std::invalid_argument("table row has " + std::to_string(row.size()) + " cells, expected " +
                                std::to_string(columns_.size()));
  }
  rows_.push_back(std::move(row));
}

std::string Table::format(const Cell& cell) const {
  if (const auto* s = std::get_if<std::string>(&cell)) return *s;
  if (const auto* i = std::get_if<std::int64_t>(&cell)) return std::to_string(*i);
  std::ostringstream out;
  out.precision(precision_);
  out << std::get<double>(cell);
  return out.str();
}

std::string Table::text(std::size_t row, std::size_t column) const {
  return format(rows_.at(row).at(column));
}

std::string Table::to_csv() const {
  std::ostringstream out;
  for (std::size_t c = 0; c < columns_.size(); ++c) out << (c ? "," : "") << columns_[c];
  out << '\n';
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << format(row[c]);
    out << '\n';
  }
  return out.str();
}

std::string Table::to_text() const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].size();
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], format(row[c]).size());
  }
  std::ostringstream out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      out << (c ? "  " : "") << cells[c] << std::string(width[c] - cells[c].size(), ' ');
    }
    out << '\n';
  };
  line(columns_);
  std::vector<std::string> rule;
  for (auto w : width) rule.emplace_back(w, '-');
  line(rule);
  for (const auto& row : rows_) {
    std::vector<std::string> cells;
    for (const auto& cell : row) cells.push_back(format(cell));
    line(cells);
  }
  return out.str();
}

void Table::save_csv(const std::filesystem::path& path) const { write_text(path, to_csv()); }

}  // namespace book
