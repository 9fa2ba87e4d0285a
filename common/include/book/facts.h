#pragma once
/// \file
/// The numbers of a run that the book's pages quote in their text.
///
/// A page never types a number a program computes. It writes `\run{capture:key}` and the docs build
/// puts in the text that the program recorded here under `key` (docs/tools/book_pages.cpp). The
/// program records exactly the text it prints, so the sentence and the output shown beside it agree
/// to the last digit, on every machine and LibTorch version, and the docs check fails if a recorded
/// value does not appear in the printed output.
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

namespace book {

/// The facts one run records: key -> the text it printed. Thread-safe.
class Facts {
 public:
  /// Records `text` under `key` and returns `text`, so a program prints what it records:
  /// `std::cout << "gap " << facts.put("gap_ratio", fmt::format("{:.1f}", r));`.
  /// A key is made of a-z, 0-9, '_' and '.'; a bad key or an empty text throws
  /// std::invalid_argument. Recording a key again replaces its text.
  std::string put(const std::string& key, std::string text);
  /// The recorded text of `key`; throws std::out_of_range naming the key if there is none.
  std::string get(const std::string& key) const;
  /// Every recorded fact, by key.
  std::map<std::string, std::string> all() const;
  /// Writes `<out_dir>/facts.json` atomically (an empty object if nothing was recorded).
  void write(const std::filesystem::path& out_dir) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> facts_;
};

}  // namespace book
