#include "book/progress.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace book {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

ProgressBar::ProgressBar(std::string desc, std::int64_t total, bool enabled, std::FILE* out)
    : desc_(std::move(desc)),
      total_(total),
      enabled_(enabled),
      out_(out),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::int64_t done, const std::string& postfix) {
  done_ = done;
  postfix_ = postfix;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
  last_draw_ = now;
  draw();
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (!enabled_) return;
  draw();
  std::fputs("\n", out_);
  std::fflush(out_);
}

void ProgressBar::draw() {
  constexpr int kWidth = 24;
  const double fraction = total_ > 0 ? static_cast<double>(done_) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.resize(kWidth, ' ');
  std::fprintf(out_, "\r%s %3d%% |%s| %lld/%lld [%.1fs] %s\x1b[K", desc_.c_str(),
              static_cast<int>(fraction * 100.0), bar.c_str(), static_cast<long long>(done_),
              static_cast<long long>(total_), elapsed, postfix_.c_str());
  std::fflush(out_);
}

}  // namespace book
