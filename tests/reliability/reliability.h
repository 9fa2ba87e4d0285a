#pragma once
// Shared by the reliability tests: running any program of the chapter with small flags, and the
// checks every refusal must pass (exit code, one line on stderr, no signal).
#include "book/files.h"
#include "process.h"

#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

namespace book::test {

/// Runs the built program `name` with `args`, feeding `input` on stdin.
inline ProcessResult run_program_named(const std::string& name, std::vector<std::string> args,
                                       const std::string& input = "") {
  args.insert(args.begin(), program(name));
  return run_process(args, input);
}

/// Every program of the chapter with flags small enough for a run of about a second.
inline const std::vector<std::pair<std::string, std::vector<std::string>>>& small_runs() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> runs = {
      {"ch06_main", {"--model_type", "gru", "--epochs", "1", "--data_size", "300", "--hidden_dim", "8", "--embed_dim",
                     "4", "--batch_size", "32"}},
      {"ch06_01_mlp_limits", {"--epochs", "1", "--train_samples", "200", "--test_samples", "50"}},
      {"ch06_02_rnn_from_scratch", {"--iterations", "30"}},
      {"ch06_03_bptt_gradients", {"--steps", "6", "--hidden", "4"}},
      {"ch06_04_lstm_gates", {"--gap", "5", "--epochs", "1", "--train_samples", "100", "--test_samples", "20",
                              "--carry_steps", "10"}},
      {"ch06_05_shape_checks", {}},
      {"ch06_06_packed_sequences", {"--samples", "16", "--batch_size", "8", "--input_size", "4", "--hidden_size", "8",
                                    "--max_length", "12", "--repeats", "1"}},
      {"ch06_07_sentiment_lstm", {"--embed_dim", "8", "--hidden_dim", "8", "--num_layers", "1", "--epochs", "1",
                                  "--bow_epochs", "1", "--corpus_size", "100"}},
      {"ch06_08_gru_comparison", {"--lengths", "3", "--max_steps", "5", "--repeats", "1", "--speed_steps", "2",
                                  "--speed_hidden", "4", "--speed_batch", "2"}},
      {"ch06_09_clipping_masking", {"--steps", "10", "--tag_steps", "10"}},
      {"ch06_10_teacher_forcing", {"--train_words", "100", "--eval_words", "20", "--test_words", "20", "--epochs", "1", "--hidden_dim", "8",
                                   "--embed_dim", "4", "--schedule", "linear", "--samples", "1"}},
  };
  return runs;
}

/// A runtime error as the book promises it: exit code 1, no signal, one line on stderr holding `text`.
inline void check_runtime_error(const ProcessResult& r, const std::string& text) {
  CAPTURE(r.err);
  CAPTURE(text);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 1);
  CHECK(count_lines(r.err) == 1);
  CHECK(r.err.find(text) != std::string::npos);
}

}  // namespace book::test
