#pragma once
// Running the book's programs from a test, as a reader would from a shell.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace book::test {

// What a finished process did.
struct ProcessResult {
  int exit_code = -1;     // the exit status, or -1 if it was killed by a signal
  int signal = 0;         // the signal that ended it, 0 if none
  std::string out;        // everything it wrote to stdout
  std::string err;        // everything it wrote to stderr
};

// Runs `argv` (argv[0] is a path), feeding `input` on stdin, with `env` added to the environment.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = "",
                          const std::map<std::string, std::string>& env = {});

// The path of a built program, e.g. program("ch06_main").
std::string program(const std::string& name);

// A fresh folder under the build tree, removed (with its contents) when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::string& tag = "tmp");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Number of lines of `text` (a final line without '\n' counts).
int count_lines(const std::string& text);

// All files under `dir`, recursively, as paths relative to it.
std::vector<std::string> list_files(const std::filesystem::path& dir);

}  // namespace book::test
