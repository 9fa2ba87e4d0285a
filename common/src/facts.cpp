#include "book/facts.h"

#include "book/files.h"

#include <stdexcept>

namespace book {

namespace {

bool valid_key(const std::string& key) {
  if (key.empty()) return false;
  for (char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string Facts::put(const std::string& key, std::string text) {
  if (!valid_key(key)) throw std::invalid_argument("fact key '" + key + "': use a-z, 0-9, '_' and '.'");
  if (text.empty()) throw std::invalid_argument("fact '" + key + "' has an empty text");
  std::lock_guard<std::mutex> lock(mutex_);
  facts_[key] = text;
  return text;
}

std::string Facts::get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = facts_.find(key);
  if (it == facts_.end()) throw std::out_of_range("no fact '" + key + "' was recorded");
  return it->second;
}

std::map<std::string, std::string> Facts::all() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return facts_;
}

void Facts::write(const std::filesystem::path& out_dir) const {
  nlohmann::json json = nlohmann::json::object();
  for (const auto& [key, text] : all()) json[key] = text;
  write_json(out_dir / "facts.json", json);
}

}  // namespace book
