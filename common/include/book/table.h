#pragma once
/// \file
/// A small table: printed aligned on the console, saved as CSV for gnuplot.
#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

namespace book {

/// One cell: text, an integer or a real.
using Cell = std::variant<std::string, std::int64_t, double>;

/// Rows of cells under named columns.
class Table {
 public:
  /// A table with these column names. `precision` is the number of significant digits of reals.
  explicit Table(std::vector<std::string> columns, int precision = 6);
  /// Appends a row; throws std::invalid_argument if it has the wrong number of cells.
  void add_row(std::vector<Cell> row);
  /// The column names.
  const std::vector<std::string>& columns() const { return columns_; }
  /// The rows.
  const std::vector<std::vector<Cell>>& rows() const { return rows_; }
  /// The text of one cell as to_text() prints it (for book::Facts); throws std::out_of_range.
  std::string text(std::size_t row, std::size_t column) const;
  /// The table as CSV (header line first).
  std::string to_csv() const;
  /// The table aligned in columns for the console.
  std::string to_text() const;
  /// Saves the CSV atomically.
  void save_csv(const std::filesystem::path& path) const;

 private:
  std::string format(const Cell& cell) const;
  std::vector<std::string> columns_;
  std::vector<std::vector<Cell>> rows_;
  int precision_;
};

}  // namespace book
