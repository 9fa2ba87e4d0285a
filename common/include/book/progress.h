#pragma once
/// \file
/// A one-line progress bar with running statistics, drawn only when stdout is a terminal.
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <string>

namespace book {

/// True if standard output is a terminal (so a progress bar can redraw itself).
bool stdout_is_terminal();

/// `desc  42% |#######       | 21/50 [0.8s] loss 0.4321 acc 87.50%`, redrawn in place at most ten
/// times a second. Silent when disabled, so logs and captured output stay clean.
class ProgressBar {
 public:
  /// A bar for `total` steps, drawn on `out`. `enabled` defaults to whether stdout is a terminal.
  ProgressBar(std::string desc, std::int64_t total, bool enabled = stdout_is_terminal(), std::FILE* out = stdout);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  /// Marks `done` steps complete and shows `postfix` (e.g. the running loss) after the bar.
  void update(std::int64_t done, const std::string& postfix = "");
  /// Draws the final state and ends the line. Called by the destructor if not called before.
  void finish();

 private:
  void draw();
  std::string desc_;
  std::string postfix_;
  std::int64_t total_;
  std::int64_t done_ = 0;
  bool enabled_;
  std::FILE* out_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace book
