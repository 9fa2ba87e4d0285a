#pragma once
/// \file
/// Files: output folders, atomic writes, JSON, and the lookup of shipped data.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace book {

namespace fs = std::filesystem;

/// Creates `dir` (and its parents) and checks that a file can be written in it. Throws
/// std::runtime_error with a one-line reason ("cannot write to 'x': Permission denied").
void ensure_writable_dir(const fs::path& dir);

/// Writes a file so that a reader never sees it half-written: `writer` fills a temporary file next
/// to `target`, which is then renamed over `target`. If `writer` throws, the temporary file is
/// removed and `target` is left as it was.
void write_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& writer);

/// Writes `text` to `target` atomically.
void write_text(const fs::path& target, const std::string& text);

/// Writes `value` as indented JSON, atomically. Throws std::runtime_error if it holds a NaN or an
/// infinity (JSON cannot represent them, and nlohmann-json would silently write null).
void write_json(const fs::path& target, const nlohmann::json& value);

/// Reads a JSON file. Throws std::runtime_error naming the file if it is missing or malformed.
nlohmann::json read_json(const fs::path& path);

/// Reads a whole file as bytes. Throws std::runtime_error naming the file if it cannot be read.
std::string read_file(const fs::path& path);

/// True if every number in `value` is finite.
bool all_finite(const nlohmann::json& value);

/// The environment variable that overrides the folder of the shipped data.
inline constexpr const char* kDataDirEnv = "BOOK_DATA_DIR";

/// Finds the shipped data file `relative` (e.g. "cmudict/cmudict-g2p.tsv.gz"). Looks in, in order:
/// `data_dir` if not empty (the program's `--data_dir` flag), `$BOOK_DATA_DIR`, and the folder set
/// at configure time (`assets/data` of the source tree). Throws std::runtime_error that lists every
/// place it looked if the file is in none of them.
fs::path find_data_file(const std::string& relative, const std::string& data_dir = "");

}  // namespace book

namespace book {

/// The default `--out_dir` of `program`: `<build tree>/out/<program>`, never the source tree.
std::string default_out_dir(const std::string& program);

}  // namespace book
