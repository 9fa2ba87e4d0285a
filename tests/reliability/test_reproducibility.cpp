// Reliability, reproducibility: every training program, run twice with the same --seed and
// --threads, writes byte-identical metrics (its CSVs and JSON, timing columns left out); a third run
// with another seed writes different ones, so the comparison can fail. (ch06_main's own test is in
// tests/ch06/test_main_cli.cpp.)
#include "reliability.h"

#include <nlohmann/json.hpp>

#include <sstream>

using book::test::ProcessResult;
using book::test::run_program_named;
using book::test::TempDir;

namespace {

// Drops the columns whose header names a time ("seconds") from a CSV.
std::string without_timing_columns(const std::string& csv) {
  auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::string cell;
    std::istringstream s(line);
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    return cells;
  };
  std::istringstream in(csv);
  std::vector<std::string> names;
  std::string kept;
  for (std::string line; std::getline(in, line);) {
    const auto cells = split(line);
    if (names.empty()) names = cells;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (i < names.size() && names[i].find("seconds") != std::string::npos) continue;
      kept += cells[i] + ",";
    }
    kept += "\n";
  }
  return kept;
}

// Drops every "…seconds" key from a JSON document.
void drop_timing(nlohmann::json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end();) {
      if (it.key().find("seconds") != std::string::npos) {
        it = j.erase(it);
      } else {
        drop_timing(*it);
        ++it;
      }
    }
  } else if (j.is_array()) {
    for (auto& v : j) drop_timing(v);
  }
}

// What a run's metrics files hold, timing left out, as one string.
std::string metrics_of(const book::fs::path& out, const std::vector<std::string>& files) {
  std::string all;
  for (const auto& f : files) {
    const auto path = out / f;
    REQUIRE_MESSAGE(book::fs::exists(path), path.string());
    all += "== " + f + "\n";
    if (path.extension() == ".json") {
      nlohmann::json j = book::read_json(path);
      drop_timing(j);
      all += j.dump(1);
    } else {
      all += without_timing_columns(book::read_file(path));
    }
  }
  return all;
}

void check_reproducible(const std::string& name, const std::vector<std::string>& files) {
  std::vector<std::string> args;
  for (const auto& [program, small] : book::test::small_runs()) {
    if (program == name) args = small;
  }
  REQUIRE_FALSE(args.empty());
  std::vector<std::string> results;
  for (const char* seed : {"7", "7", "8"}) {
    TempDir dir("rel-repro");
    auto full = args;
    full.insert(full.end(), {"--seed", seed, "--threads", "2", "--out_dir", dir.path().string()});
    const ProcessResult r = run_program_named(name, full);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    results.push_back(metrics_of(dir.path(), files));
  }
  CAPTURE(results[0]);
  CHECK(results[0].size() > 40);       // the files hold numbers, not just headers
  CHECK(results[0] == results[1]);     // same seed, same threads: identical
  CHECK(results[0] != results[2]);     // another seed: the comparison can fail
}

}  // namespace

TEST_CASE("program 01: the same seed and threads give identical accuracies") {
  check_reproducible("ch06_01_mlp_limits", {"order_task_accuracy.csv"});
}

TEST_CASE("program 02: the same seed and threads give an identical loss curve") {
  check_reproducible("ch06_02_rnn_from_scratch", {"hello_loss.csv"});
}

TEST_CASE("program 04: the same seed and threads give identical gate traces") {
  check_reproducible("ch06_04_lstm_gates", {"gate_trace.csv", "gate_trace_units.csv", "memory_unit_by_class.csv"});
}

TEST_CASE("program 07: the same seed and threads give identical histories and accuracies") {
  check_reproducible("ch06_07_sentiment_lstm", {"results/history.json", "results/sentiment_accuracy.csv"});
}

TEST_CASE("program 08: the same seed and threads give identical long-range accuracies") {
  check_reproducible("ch06_08_gru_comparison", {"gru_accuracy_vs_length.csv"});
}

TEST_CASE("program 09: the same seed and threads give identical losses, norms and tagging accuracies") {
  check_reproducible("ch06_09_clipping_masking", {"results/exploding_gradients.csv", "results/norm_vs_value.csv",
                                                  "results/masking_accuracy.csv", "results/masking_summary.csv"});
}

TEST_CASE("program 10: the same seed and threads give identical metrics JSON and exposure-bias table") {
  check_reproducible("ch06_10_teacher_forcing", {"results/metrics.json", "results/g2p_exposure_bias.csv",
                                                 "results/g2p_history_linear.csv"});
}
