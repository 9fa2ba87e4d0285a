#pragma once
/// \file
/// Program 10's run, step by step: its settings (and the full run's, `--full`), the data, the
/// schedules trained side by side from the same seed, the nearest-word baseline, and the tables,
/// figures and files it writes. The program calls these in the lesson's order; the tests call them
/// too.
#include "book/facts.h"
#include "book/table.h"
#include "lib/g2p_data.h"
#include "lib/g2p_model.h"

#include <spdlog/logger.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ch06 {

/// The settings of a training run: program 10's flags (its `--help` says what each means).
struct G2PRunOptions {
  int train_words = 40000;  ///< training words, a fixed sample of the split (0 = all of it)
  int eval_words = 1000;    ///< validation words (0 = all)
  int test_words = 1000;    ///< test words (0 = all)
  int epochs = 3;           ///< passes over the training words
  int batch_size = 128;     ///< words per batch
  int embed_dim = 32;       ///< letter and phoneme embedding width
  int hidden_dim = 128;     ///< H, the decoder's state
  int encoder_dim = 64;     ///< per encoder direction (0 = hidden_dim)
  double dropout = 0.0;     ///< on the embeddings and before the output layer
  double lr = 5e-3;         ///< Adam's learning rate
  std::string lr_decay = "none";  ///< none, or cosine (to 0 over the planned steps)
  double max_grad_norm = 1.0;     ///< clipping threshold (0 = none)
  std::vector<std::string> schedules = {"always", "inverse_sigmoid"};  ///< each from the same seed
  double tf_end = 0.1;            ///< where the decaying schedules end
  double time_limit = 0;          ///< seconds of training and validation per schedule (0 = none)
  std::string path = "fused";     ///< fused or modules
  int batch_parts = 0;            ///< parts of a batch trained at once (0 = one per core)
  bool no_baseline = false;       ///< skip the nearest-word baseline
};

/// `--full`: the full run's settings, for every flag for which `given(flag)` is false: all training
/// and test words, `--schedule always`, `--embed_dim 64`, `--hidden_dim 256`, `--encoder_dim 0` (as
/// wide as the decoder), `--lr 3e-3`, `--lr_decay cosine`, `--batch_size 128`, `--epochs 6`,
/// `--time_limit 540`.
void apply_full_run(G2PRunOptions& options, const std::function<bool(const std::string&)>& given);

/// The model's sizes from the run's settings.
G2PConfig g2p_config(const G2PRunOptions& options);

/// At least one schedule, none listed twice; else throws book::UsageError naming --schedule.
void check_g2p_schedules(const G2PRunOptions& options);

/// The checks that need more than one setting, before anything is allocated:
/// check_g2p_schedules, at most 50 million parameters, and a batch whose activations fit in about
/// 2 GB. Throws book::UsageError naming the flags and the limit.
void check_g2p_run(const G2PRunOptions& options);

/// The words a run reads: the dictionary, its split, and the samples of each part it uses.
struct G2PData {
  std::filesystem::path file;               ///< where the dictionary was found
  std::size_t dictionary_words = 0;         ///< entries in it
  std::size_t split_train = 0;              ///< training words in the split
  std::size_t split_validation = 0;         ///< validation words in the split
  std::size_t split_test = 0;               ///< test words in the split
  std::vector<Pronunciation> train;         ///< the first --train_words of the training part
  std::vector<Pronunciation> validation;    ///< the first --eval_words of the validation part
  std::vector<Pronunciation> test;          ///< the first --test_words of the test part
};

/// Finds the dictionary (book::find_data_file: `data_dir`, then $BOOK_DATA_DIR, then the shipped
/// assets/data), reads it, splits it by word hash and takes the first words of each part. Throws
/// std::runtime_error if a part comes out empty.
G2PData load_g2p_data(const std::string& data_dir, const G2PRunOptions& options);

/// The models of a run, one per schedule, each built after book::seed_torch(seed) so that every
/// schedule starts from the same weights.
std::vector<G2PModel> make_g2p_models(const G2PRunOptions& options, std::int64_t seed,
                                      const torch::Device& device);

/// How a run uses the machine's cores.
struct G2PCores {
  bool parallel_schedules = false;  ///< the schedules train at the same time, one per core
  int batch_parts = 1;              ///< with one schedule: each batch in this many parts at once
};

/// Two or more schedules train at the same time, one per core, on a CPU with two or more BLAS
/// threads and no dropout (dropout draws from torch's global generator; the coin flips have their
/// own). One schedule alone splits each batch the same way (`--batch_parts`, 0 = one part per
/// core without dropout).
G2PCores plan_g2p_cores(const G2PRunOptions& options, bool on_cpu, int blas_threads);

/// One trained schedule.
struct ScheduleRun {
  std::string name;                ///< the schedule's flag spelling
  std::vector<G2PEpoch> history;   ///< one record per epoch trained
  G2PEval test;                    ///< the test words, after training
  double train_seconds = 0;        ///< the training passes' wall time, validation not counted
};

/// The nearest-word baseline on the test words, timed.
struct BaselineRun {
  ErrorRates rates;     ///< its error rates
  double seconds = 0;   ///< wall time
};

/// Runs nearest_word_baseline(data.train, data.test) and times it.
BaselineRun run_g2p_baseline(const G2PData& data);

/// The 95 % interval of an error rate of `rate` percent on `n` items, in points: 1.96 standard
/// errors, \f$1.96 \sqrt{p(1-p)/n}\f$.
double error_rate_interval95(double rate, std::int64_t n);

/// The standard error, in points, of the difference of two error rates `a` and `b` (percent) each
/// measured on `n` items, as if independent: \f$\sqrt{(a(1-a) + b(1-b))/n}\f$.
double error_rate_difference_se(double a, double b, std::int64_t n);

/// What train_g2p_schedules gives back.
struct G2PTraining {
  std::vector<ScheduleRun> runs;        ///< in the order of options.schedules
  std::optional<BaselineRun> baseline;  ///< unless options.no_baseline
};

/// Trains `models[i]` with options.schedules[i], each from `seed`, on the cores as `cores` says,
/// tests each, and runs the baseline (on the core the first schedule frees). Logs a line per
/// epoch and per test, recording what they print in `facts` (`<schedule>.epoch<k>.val_wer`,
/// `<schedule>.test_wer`, ...). `threads` is the --threads to restore afterwards.
G2PTraining train_g2p_schedules(std::vector<G2PModel>& models, const G2PRunOptions& options,
                                const G2PData& data, const G2PCores& cores, std::uint64_t seed,
                                int threads, spdlog::logger& log, book::Facts& facts);

/// Per epoch of `run`: the ratio, the losses, the gap, PER, WER and the training seconds.
book::Table g2p_history_table(const ScheduleRun& run);

/// One row per schedule after its last epoch: the ratio, both validation losses, the exposure gap,
/// the validation and test error rates, the training seconds (4 significant digits).
book::Table exposure_bias_table(const std::vector<ScheduleRun>& runs);

/// Writes `<results>/g2p_history_<schedule>.csv` for each run and `<results>/metrics.json` (every
/// epoch, the test error rates and the baseline's).
void save_g2p_results(const G2PTraining& training, const std::filesystem::path& results);

/// Draws the figures into `dir`: the two validation losses per epoch, the error rates per epoch,
/// validation WER against training time, and the five schedules; logs each file written.
void write_g2p_figures(const std::vector<ScheduleRun>& runs, double tf_end,
                       const std::filesystem::path& dir, spdlog::logger& log);

}  // namespace ch06
