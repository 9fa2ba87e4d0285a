#pragma once
/// \file
/// Logging in the original chapter's format: `time - logger - LEVEL - message`.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace book {

/// The logger called `name`, writing to stdout in the format
/// `2026-01-31 12:00:00,123 - name - INFO - message`. Created on first use.
std::shared_ptr<spdlog::logger> get_logger(const std::string& name);

/// Gives `logger` the book's format (used by get_logger; exposed for loggers with other sinks).
void apply_book_format(spdlog::logger& logger);

}  // namespace book
