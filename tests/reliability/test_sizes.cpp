// Reliability, sizes: every size flag has a range (checked one flag at a time by bad_flags), but
// flags that are each in range can still multiply into more memory than a machine has. Programs
// whose tensors grow with a product of flags refuse such a product before allocating anything:
// here every integer flag of the program is set to the top of its range at once (read from its
// own --help), and the program must answer with exit code 2 and one line stating the limit.
#include "reliability.h"

#include <regex>
#include <sstream>

using book::test::ProcessResult;
using book::test::run_program_named;
using book::test::TempDir;

namespace {

// "--flag <top of its range>" for every integer flag with a range, except --seed and --threads.
std::vector<std::string> every_size_at_its_top(const std::string& help) {
  const std::regex flag(R"(^\s+(--[A-Za-z0-9_]+)\s+U?INT:INT in \[(-?[0-9]+), ([0-9]+)\])");
  std::vector<std::string> args;
  std::istringstream in(help);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, flag) || m[1] == "--seed" || m[1] == "--threads") continue;
    args.push_back(m[1]);
    args.push_back(m[3]);
  }
  return args;
}

}  // namespace

TEST_CASE("every size flag at the top of its range at once is refused before allocating: one line, exit code 2") {
  for (const char* name : {"ch06_main", "ch06_01_mlp_limits", "ch06_04_lstm_gates", "ch06_06_packed_sequences",
                           "ch06_07_sentiment_lstm", "ch06_08_gru_comparison", "ch06_10_teacher_forcing"}) {
    CAPTURE(name);
    const ProcessResult help = run_program_named(name, {"--help"});
    REQUIRE(help.exit_code == 0);
    auto args = every_size_at_its_top(help.out);
    CHECK(args.size() >= 8);  // at least four size flags were found
    TempDir dir("rel-sizes");
    args.insert(args.end(), {"--out_dir", (dir / "out").string()});
    const ProcessResult r = run_program_named(name, args);
    CAPTURE(r.err);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 2);
    CHECK(book::test::count_lines(r.err) == 1);
    CHECK(r.err.find("; the limit is ") != std::string::npos);
    CHECK_FALSE(book::fs::exists(dir / "out"));
  }
}

TEST_CASE("activations that would not fit are refused even when the parameters would") {
  // Each: a model under its parameter limit, with a batch whose activations are far over the limit.
  const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
      {"ch06_main", {"--hidden_dim", "4096", "--num_layers", "1", "--embed_dim", "16", "--batch_size", "65536"}},
      {"ch06_06_packed_sequences", {"--batch_size", "4096", "--max_length", "2000", "--hidden_size", "1024"}},
      {"ch06_08_gru_comparison", {"--speed_batch", "4096", "--speed_steps", "2000", "--speed_hidden", "64"}},
      {"ch06_08_gru_comparison", {"--batch_size", "4096", "--lengths", "1000", "--hidden_dim", "1024"}},
      {"ch06_10_teacher_forcing", {"--batch_size", "4096", "--hidden_dim", "1024", "--embed_dim", "16"}},
  };
  for (const auto& [name, args] : cases) {
    CAPTURE(name);
    TempDir dir("rel-sizes");
    auto full = args;
    full.insert(full.end(), {"--out_dir", (dir / "out").string()});
    const ProcessResult r = run_program_named(name, full);
    CAPTURE(r.err);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 2);
    CHECK(book::test::count_lines(r.err) == 1);
    CHECK(r.err.find("activations") != std::string::npos);
    CHECK(r.err.find("; the limit is ") != std::string::npos);
    CHECK_FALSE(book::fs::exists(dir / "out"));
  }
}
