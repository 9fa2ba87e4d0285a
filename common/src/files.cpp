#include "book/files.h"

#include "book/config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace book {

namespace {

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

}  // namespace

void ensure_writable_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create folder " + quoted(dir) + ": " + ec.message());
  if (!fs::is_directory(dir)) throw std::runtime_error(quoted(dir) + " is not a folder");
  const fs::path probe = dir / ".book-write-probe";
  {
    std::ofstream out(probe);
    if (!out) {
      throw std::runtime_error("cannot write to folder " + quoted(dir) + ": " + std::strerror(errno));
    }
  }
  fs::remove(probe, ec);
}

void write_atomically(const fs::path& target, const std::function<void(const fs::path& tmp)>& writer) {
  const fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  ensure_writable_dir(parent);
  std::random_device rd;
  const fs::path tmp = parent / ("." + target.filename().string() + ".tmp" + std::to_string(rd()));
  try {
    writer(tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  std::error_code ec;
  fs::rename(tmp, target, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error("cannot write " + quoted(target) + ": " + ec.message());
  }
}

void write_text(const fs::path& target, const std::string& text) {
  write_atomically(target, [&](const fs::path& tmp) {
    std::ofstream out(tmp, std::ios::binary);
    out << text;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + quoted(target) + ": " + std::strerror(errno));
  });
}

bool all_finite(const nlohmann::json& value) {
  if (value.is_number_float()) return std::isfinite(value.get<double>());
  if (value.is_structured()) {
    for (const auto& item : value) {
      if (!all_finite(item)) return false;
    }
  }
  return true;
}

void write_json(const fs::path& target, const nlohmann::json& value) {
  if (!all_finite(value)) {
    throw std::runtime_error("refusing to write " + quoted(target) +
                             ": it would hold a NaN or an infinity");
  }
  write_text(target, value.dump(2) + "\n");
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + quoted(path) + ": " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw std::runtime_error("error while reading " + quoted(path));
  return buffer.str();
}

nlohmann::json read_json(const fs::path& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(quoted(path) + " is not valid JSON (" + e.what() + ")");
  }
}

fs::path find_data_file(const std::string& relative, const std::string& data_dir) {
  std::vector<fs::path> places;
  if (!data_dir.empty()) {
    places.emplace_back(data_dir);
  } else {
    if (const char* env = std::getenv(kDataDirEnv); env != nullptr && *env != '\0') {
      places.emplace_back(env);
    }
    places.emplace_back(BOOK_DEFAULT_DATA_DIR);
  }
  std::string looked;
  for (const auto& dir : places) {
    const fs::path candidate = dir / relative;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec)) return candidate;
    looked += (looked.empty() ? "" : ", ") + quoted(candidate);
  }
  throw std::runtime_error("data file '" + relative + "' not found; looked in " + looked +
                           " (set --data_dir or $" + kDataDirEnv + ")");
}

}  // namespace book

namespace book {

std::string default_out_dir(const std::string& program) {
  return (fs::path(BOOK_DEFAULT_OUT_DIR) / program).string();
}

}  // namespace book
