/// \file
/// Program 10: teacher forcing and exposure bias, on grapheme-to-phoneme conversion.
///
/// An encoder–decoder (a bidirectional LSTM over the letters, an LSTMCell over the phonemes) learns
/// to pronounce English words from the CMU Pronouncing Dictionary. It is trained with one or more
/// teacher-forcing schedules, and every epoch measures the validation loss twice: with the true
/// previous phoneme fed to the decoder (teacher-forced) and with its own guesses (free-running).
/// The difference is the exposure bias.
///
/// Train:   ch06_10_teacher_forcing --schedule always,inverse_sigmoid
/// Predict: ch06_10_teacher_forcing --predict --checkpoint <out_dir>/checkpoints/g2p_inverse_sigmoid.pth aardvark
#include "book/cli.h"
#include "book/files.h"
#include "book/log.h"
#include "book/plot.h"
#include "book/table.h"
#include "book/timer.h"
#include "book/torch_utils.h"
#include "lib/g2p_data.h"
#include "lib/g2p_model.h"

#include <algorithm>
#include <functional>
#include <future>
#include <iostream>
#include <map>

namespace {

constexpr const char* kProgram = "ch06_10_teacher_forcing";

// [options]
struct Options {
  book::CommonOptions common;
  std::string data_dir;     // folder holding cmudict/cmudict-g2p.tsv.gz
  int train_words = 40000;  // training words (0 = all ~105k)
  int eval_words = 1000;    // validation words
  int test_words = 1000;    // test words (0 = all ~5,800)
  int epochs = 3;
  int batch_size = 128;
  int embed_dim = 32;
  int hidden_dim = 128;
  int encoder_dim = 64;  // per encoder direction (0 = hidden_dim)
  double dropout = 0.0;
  double lr = 5e-3;
  std::string lr_decay = "none";  // none or cosine (to 0 over the planned steps)
  double max_grad_norm = 1.0;
  std::vector<std::string> schedules = {"always", "inverse_sigmoid"};  // each is trained, same seed
  double tf_end = 0.1;         // where the decaying schedules end
  double time_limit = 0;       // seconds per schedule (0 = none)
  bool full = false;           // the full run: see add_flags
  std::string path = "fused";  // fused or modules
  int batch_parts = 0;         // parts of each batch trained at the same time (0 = auto)
  bool no_baseline = false;    // skip the nearest-word baseline
  int samples = 8;             // test words shown after training
  bool predict = false;
  std::string checkpoint;
  std::vector<std::string> words;
};
// [options]

// Models larger than this are refused before anything is allocated.
constexpr std::int64_t kMaxParameters = 50'000'000;
// Batches whose activations would not fit are refused too (about 2 GB of float32): a word of at most
// kMaxWordLetters letters runs that many encoder steps in each direction and up to
// max_decode_steps decoder steps, each keeping about 8 values per hidden unit for the backward pass.
constexpr std::int64_t kMaxActivations = 500'000'000;

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir(kProgram));
  app.add_option("--data_dir", o.data_dir, "Folder holding cmudict/cmudict-g2p.tsv.gz (default: $BOOK_DATA_DIR, then the shipped assets/data)");
  app.add_option("--train_words", o.train_words, "Training words, a fixed sample of the training split (0 = all of it, about 105,000)")->capture_default_str()->check(book::int_range(0, 1'000'000));
  app.add_option("--eval_words", o.eval_words, "Validation words, evaluated after every epoch (0 = the whole split, about 5,800)")->capture_default_str()->check(book::int_range(0, 1'000'000));
  app.add_option("--test_words", o.test_words, "Test words, evaluated once after training (0 = the whole split, about 5,800)")->capture_default_str()->check(book::int_range(0, 1'000'000));
  app.add_option("--epochs", o.epochs, "Training epochs")->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--batch_size", o.batch_size, "Words per batch")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--embed_dim", o.embed_dim, "Letter and phoneme embedding size")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--hidden_dim", o.hidden_dim, "Hidden size H of the decoder")->capture_default_str()->check(book::int_range(1, 2048));
  app.add_option("--encoder_dim", o.encoder_dim, "Hidden size of each encoder direction (0 = --hidden_dim)")->capture_default_str()->check(book::int_range(0, 2048));
  app.add_option("--dropout", o.dropout, "Dropout on the embeddings and before the output layer")->capture_default_str()->check(book::real_range(0, 1, false, true));
  app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--lr_decay", o.lr_decay, "none: the same rate throughout; cosine: from --lr down to 0 along half a cosine over --epochs × batches per epoch")->capture_default_str()->check(book::one_of({"none", "cosine"}));
  app.add_option("--max_grad_norm", o.max_grad_norm, "Clip the global gradient norm to this (0 = no clipping)")->capture_default_str()->check(book::real_range(0, 1e6));
  app.add_option("--schedule", o.schedules, "Teacher-forcing schedules to train, comma-separated; each run starts from the same seed")
      ->capture_default_str()->delimiter(',')->check(book::one_of(ch06::tf_schedule_names()));
  app.add_option("--tf_end", o.tf_end, "Teacher-forcing ratio the decaying schedules reach at the end of training")->capture_default_str()->check(book::real_range(0, 0.5, true, true));
  app.add_option("--time_limit", o.time_limit, "Seconds of training and validation per schedule; training stops after the last epoch that leaves time for one more (0 = no limit)")->capture_default_str()->check(book::real_range(0, 1e6));
  app.add_flag("--full", o.full, "The full run: all training words and test words, --schedule always, --embed_dim 64, --hidden_dim 256, --encoder_dim 0 (as wide as the decoder), --lr 3e-3, --lr_decay cosine, --batch_size 128, --epochs 6, --time_limit 540 (each unless given)");
  app.add_option("--path", o.path, "fused: the encoder and the teacher-forced decoder through the chapter's fused recurrent path (lib/fused_rnn); modules: torch::nn::LSTM and a torch::nn::LSTMCell loop. Same weights, same results")->capture_default_str()->check(book::one_of({"fused", "modules"}));
  app.add_option("--batch_parts", o.batch_parts, "With one schedule: cut each batch into this many parts, trained at the same time on as many cores with their gradients summed (1 = the whole batch on BLAS's threads; 0 = one part per core when dropout is 0)")->capture_default_str()->check(book::int_range(0, 64));
  app.add_flag("--no_baseline", o.no_baseline, "Skip the nearest-word baseline on the test words");
  app.add_option("--samples", o.samples, "Test words whose predictions are shown after training")->capture_default_str()->check(book::int_range(0, 1000));
  app.add_flag("--predict", o.predict, "Pronounce WORDS (or stdin lines) with a saved checkpoint instead of training");
  app.add_option("--checkpoint", o.checkpoint, "Checkpoint for --predict (default: <out_dir>/checkpoints/g2p_<last --schedule>.pth)");
  app.add_option("words", o.words, "Words to pronounce with --predict; none = read one per line from stdin. Letters a-z only (case is ignored), at most 40; other words are refused, one error line each");
}

// --full: the sizes of the full run, for each flag not given on the command line.
void apply_full_run(const book::Cli& app, Options& o) {
  if (!o.full) return;
  if (app.count("--train_words") == 0) o.train_words = 0;
  if (app.count("--schedule") == 0) o.schedules = {"always"};
  if (app.count("--batch_size") == 0) o.batch_size = 128;
  if (app.count("--epochs") == 0) o.epochs = 6;
  if (app.count("--lr_decay") == 0) o.lr_decay = "cosine";
  if (app.count("--time_limit") == 0) o.time_limit = 540;
  if (app.count("--test_words") == 0) o.test_words = 0;
  if (app.count("--embed_dim") == 0) o.embed_dim = 64;
  if (app.count("--hidden_dim") == 0) o.hidden_dim = 256;
  if (app.count("--encoder_dim") == 0) o.encoder_dim = 0;  // the encoder as wide as the decoder
  if (app.count("--lr") == 0) o.lr = 3e-3;
}

ch06::G2PConfig model_config(const Options& o) {
  ch06::G2PConfig c;
  c.embed_dim = o.embed_dim;
  c.hidden_dim = o.hidden_dim;
  c.encoder_dim = o.encoder_dim;
  c.dropout = o.dropout;
  return c;
}

// Checks that need more than one flag, before anything is allocated or written.
void check_flags(const Options& o) {
  if (!o.predict && !o.words.empty()) throw book::UsageError("words on the command line need --predict");
  if (o.schedules.empty()) throw book::UsageError("--schedule needs at least one schedule");
  std::map<std::string, int> seen;
  for (const auto& s : o.schedules) {
    if (++seen[s] > 1) throw book::UsageError("--schedule lists '" + s + "' twice");
  }
  if (o.predict) return;
  const std::int64_t parameters = ch06::g2p_parameter_count(model_config(o));
  if (parameters > kMaxParameters) {
    throw book::UsageError("--hidden_dim/--encoder_dim/--embed_dim give " + book::with_thousands(parameters) +
                           " parameters; the limit is " + book::with_thousands(kMaxParameters));
  }
  const auto letters = static_cast<std::int64_t>(ch06::kMaxWordLetters);
  const std::int64_t steps = 2 * letters + ch06::max_decode_steps(letters);
  const std::int64_t widest = std::max(o.hidden_dim, o.encoder_dim);
  const std::int64_t activations = static_cast<std::int64_t>(o.batch_size) * steps * (8 * widest + o.embed_dim);
  if (activations > kMaxActivations) {
    throw book::UsageError("--batch_size/--hidden_dim/--encoder_dim/--embed_dim give " + book::with_thousands(activations) +
                           " values of activations per batch; the limit is " + book::with_thousands(kMaxActivations));
  }
}

// One trained schedule.
struct ScheduleRun {
  std::string name;
  std::vector<ch06::G2PEpoch> history;
  ch06::G2PEval test;
  double train_seconds = 0;
};

book::Table history_table(const ScheduleRun& run) {
  book::Table table({"epoch", "tf_ratio", "train_loss", "val_loss_teacher_forced", "val_loss_free_running",
                     "exposure_gap", "val_per", "val_wer", "train_seconds", "training_seconds_so_far"});
  double so_far = 0;
  for (const auto& e : run.history) {
    so_far += e.train_seconds;
    table.add_row({static_cast<std::int64_t>(e.epoch), e.tf_ratio, e.train_loss, e.val.tf_loss, e.val.free_loss,
                   e.val.free_loss - e.val.tf_loss, e.val.per, e.val.wer, e.train_seconds, so_far});
  }
  return table;
}

// [plots]
void write_figures(const std::vector<ScheduleRun>& runs, double tf_end, const book::fs::path& dir,
                   spdlog::logger& log) {
  const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
  std::string loss_plot;
  std::string error_plot;
  std::string time_plot;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string csv = "'g2p_history_" + runs[i].name + ".csv' skip 1";
    const std::string color = std::string("lc rgb '") + colors[i % 5] + "'";
    const std::string sep = i == 0 ? "plot " : ", \\\n     ";
    loss_plot += sep + csv + " using 1:5 with linespoints pt 7 lw 2 " + color + " title '" +
                 runs[i].name + ": free-running', \\\n     " + csv +
                 " using 1:4 with linespoints pt 6 lw 2 dt 2 " + color + " title '" + runs[i].name +
                 ": teacher-forced'";
    time_plot += sep + csv + " using 10:8 with linespoints pt 7 lw 2 " + color + " title '" +
                 runs[i].name + "'";
    error_plot += sep + csv + " using 1:8 with linespoints pt 7 lw 2 " + color + " title '" +
                  runs[i].name + ": WER', \\\n     " + csv +
                  " using 1:7 with linespoints pt 6 lw 2 dt 2 " + color + " title '" +
                  runs[i].name + ": PER'";
  }
  const std::size_t n = runs.front().history.size();
  const std::string epochs =
      fmt::format("set xrange [0.5:{}.5]\n{}", n, n <= 20 ? "set xtics 1\n" : "");
  const auto wrote = [&](const std::optional<book::fs::path>& svg) {
    if (svg) log.info("Wrote {}", svg->string());
  };
  wrote(
      book::plot_svg("set termoption noenhanced\nset title 'Exposure bias: validation loss with "
                     "the true previous phoneme and with the model''s own guesses'\n"
                     "set xlabel 'epoch'\nset ylabel 'masked cross-entropy per phoneme (nats)'\n"
                     "set grid\nset yrange [0:*]\n" +
                         epochs + loss_plot,
                     dir / "g2p_exposure_bias.svg"));
  wrote(
      book::plot_svg("set termoption noenhanced\n"
                     "set title 'Greedy decoding on the validation words'\nset xlabel 'epoch'\n"
                     "set ylabel 'error rate (%)'\nset grid\nset yrange [0:*]\n" +
                         epochs + error_plot,
                     dir / "g2p_error_rates.svg"));
  wrote(
      book::plot_svg("set termoption noenhanced\nset title 'What each minute of training buys'\n"
                     "set xlabel 'training time (s, validation not counted)'\n"
                     "set ylabel 'validation word error rate (%)'\nset grid\nset yrange [0:100]\n" +
                         time_plot,
                     dir / "g2p_quality_vs_time.svg"));
  // The five schedules themselves, over the fraction of training done.
  book::Table curves({"progress", "always", "linear", "inverse_sigmoid", "exponential", "never"});
  for (int k = 0; k <= 100; ++k) {
    const double x = k / 100.0;
    std::vector<book::Cell> row;
    row.emplace_back(x);
    for (const auto& name : ch06::tf_schedule_names()) {
      row.emplace_back(ch06::teacher_forcing_ratio(ch06::parse_tf_schedule(name), x, tf_end));
    }
    curves.add_row(row);
  }
  curves.save_csv(dir / "g2p_tf_schedules.csv");
  std::string curve_plot = "plot ";
  for (int c = 2; c <= 6; ++c) {
    curve_plot += std::string(c == 2 ? "" : ", ") +
                  "'g2p_tf_schedules.csv' skip 1 using 1:" + std::to_string(c) +
                  " with lines lw 2 lc rgb '" + colors[c - 2] + "' title '" +
                  ch06::tf_schedule_names()[static_cast<std::size_t>(c - 2)] + "'";
  }
  wrote(book::plot_svg(
      "set termoption noenhanced\nset title 'Teacher-forcing ratio over training (--tf_end " +
          fmt::format("{:g}", tf_end) +
          ")'\nset xlabel 'fraction of the training steps done'\n"
          "set ylabel 'P(next input = true phoneme)'\n"
          "set key outside right top vertical\nset grid\nset yrange [-0.05:1.05]\n" +
          curve_plot,
      dir / "g2p_tf_schedules.svg"));
}
// [plots]

// The options of fit_g2p for one schedule.
ch06::G2PFitOptions fit_options(const Options& o, const std::string& schedule) {
  ch06::G2PFitOptions fit;
  fit.epochs = o.epochs;
  fit.batch_size = o.batch_size;
  fit.lr = o.lr;
  fit.cosine_lr = o.lr_decay == "cosine";
  fit.max_grad_norm = o.max_grad_norm;
  fit.schedule = ch06::parse_tf_schedule(schedule);
  fit.tf_end = o.tf_end;
  fit.time_limit = o.time_limit;
  return fit;
}

// Two or more schedules train at the same time, one per core, when the machine has the cores and
// nothing shares torch's global generator (dropout draws from it; the coin flips have their own).
// The matrix products of this model are too small to gain from a second BLAS thread; a second
// schedule on the other core does gain.
bool use_parallel_schedules(const Options& o, const book::RunContext& run) {
  return o.schedules.size() > 1 && run.device.is_cpu() && run.threads.blas_threads >= 2 &&
         o.dropout == 0.0;
}

// One schedule alone: the same reasoning splits each batch into parts, one per core, each on its
// own thread with BLAS on 1 thread (--batch_parts 0). Returns 1 for the whole batch at once.
int batch_parts(const Options& o, const book::RunContext& run) {
  if (o.schedules.size() > 1 || !run.device.is_cpu()) return 1;
  if (o.batch_parts > 0) return o.batch_parts;
  return o.dropout == 0.0 ? std::max(1, run.threads.blas_threads) : 1;
}

// [train_schedule]
// Trains one schedule, tests it and shows a few of its answers. Safe to run on its own thread.
ScheduleRun train_schedule(const std::string& name, ch06::G2PModel& model,
                           const ch06::G2PFitOptions& fit, std::uint64_t seed,
                           const std::vector<ch06::Pronunciation>& train_set,
                           const std::vector<ch06::Pronunciation>& val_set,
                           const std::vector<ch06::Pronunciation>& test_set, spdlog::logger& log) {
  ScheduleRun result;
  result.name = name;
  book::Rng rng(seed);
  result.history = ch06::fit_g2p(model, train_set, val_set, fit, rng, [&](const ch06::G2PEpoch& e) {
    log.info(
        "[{}] epoch {}/{} | tf ratio {:.2f} | train loss {:.4f} | val loss: teacher-forced {:.4f}, "
        "free-running {:.4f}, gap {:.4f} | val PER {:.2f}% WER {:.2f}% | {:.1f} s + {:.1f} s",
        name, e.epoch, fit.epochs, e.tf_ratio, e.train_loss, e.val.tf_loss, e.val.free_loss,
        e.val.free_loss - e.val.tf_loss, e.val.per, e.val.wer, e.train_seconds, e.val.seconds);
  });
  result.test = ch06::evaluate_g2p(model, test_set, fit.eval_batch_size);
  for (const auto& e : result.history) result.train_seconds += e.train_seconds;
  log.info("[{}] test ({} words): PER {:.2f}% WER {:.2f}% | training took {:.1f} s ({} epochs)",
           name, result.test.words, result.test.per, result.test.wer, result.train_seconds,
           result.history.size());
  if (static_cast<int>(result.history.size()) < fit.epochs) {
    log.warn("[{}] --time_limit stopped training after {} of {} epochs: the schedules (teacher "
             "forcing, learning rate) had not reached their ends",
             name, result.history.size(), fit.epochs);
  }
  return result;
}
// [train_schedule]

// The nearest-word baseline on the test words, timed. It needs no model and no matrix products.
struct BaselineRun {
  ch06::ErrorRates rates;
  double seconds = 0;
};

BaselineRun run_baseline(const std::vector<ch06::Pronunciation>& train_set,
                         const std::vector<ch06::Pronunciation>& test_set) {
  book::Timer timer;
  BaselineRun run;
  run.rates = ch06::nearest_word_baseline(train_set, test_set);
  run.seconds = timer.seconds();
  return run;
}

int train(const Options& o) {
  auto log = book::get_logger(kProgram);
  const book::fs::path out_dir = o.common.out_dir;
  // [data]
  const book::fs::path data_file = book::find_data_file(ch06::kCmudictFile, o.data_dir);
  const std::vector<ch06::Pronunciation> dictionary = ch06::load_pronunciations(data_file);
  const ch06::G2PSplit split = ch06::split_pronunciations(dictionary);
  const auto train_set = ch06::take_first(split.train, static_cast<std::size_t>(o.train_words));
  const auto val_set = ch06::take_first(split.validation, static_cast<std::size_t>(o.eval_words));
  const auto test_set = ch06::take_first(split.test, static_cast<std::size_t>(o.test_words));
  // [data]
  if (train_set.empty() || val_set.empty() || test_set.empty()) {
    throw std::runtime_error("'" + data_file.string() + "' leaves an empty training, validation or test split (" +
                             std::to_string(dictionary.size()) + " words); it needs more words");
  }
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common);
  log->info("Using device: {} | threads: torch {}, BLAS {} | {}", run.device.str(), run.threads.torch_threads,
            run.threads.blas_threads, run.threads.blas);
  log->info("Read {} words from {}", book::with_thousands(static_cast<std::int64_t>(dictionary.size())),
            data_file.string());
  log->info("Split by word hash: {} train / {} validation / {} test; using {} / {} / {}",
            book::with_thousands(static_cast<std::int64_t>(split.train.size())),
            book::with_thousands(static_cast<std::int64_t>(split.validation.size())),
            book::with_thousands(static_cast<std::int64_t>(split.test.size())),
            book::with_thousands(static_cast<std::int64_t>(train_set.size())),
            book::with_thousands(static_cast<std::int64_t>(val_set.size())),
            book::with_thousands(static_cast<std::int64_t>(test_set.size())));
  log->info("Vocabularies: {} letter ids (<pad>, a-z), {} phoneme ids (<pad>, <sos>, <eos>, 39 ARPAbet phonemes)",
            ch06::kLetterVocabSize, ch06::kPhonemeVocabSize);
  log->info("Hyperparameters: epochs={} batch_size={} embed_dim={} hidden_dim={} dropout={} lr={} lr_decay={} "
            "max_grad_norm={} tf_end={} seed={}",
            o.epochs, o.batch_size, o.embed_dim, o.hidden_dim, o.dropout, o.lr, o.lr_decay, o.max_grad_norm, o.tf_end,
            o.common.seed);

  const ch06::G2PConfig config = model_config(o);
  const book::fs::path results = out_dir / "results";
  // [schedule_run]
  // Every schedule starts from the same weights and sees the same batches: only the
  // teacher-forcing ratio differs. The models are made first, one after the other, so that each
  // takes its first weights from the same seed.
  std::vector<ch06::G2PModel> models;
  for (std::size_t i = 0; i < o.schedules.size(); ++i) {
    book::seed_torch(o.common.seed);
    models.emplace_back(config);
    models.back()->to(run.device);
    models.back()->set_path(ch06::parse_g2p_path(o.path));
  }
  book::log_model_info(*log, *models.front());
  const bool parallel = use_parallel_schedules(o, run);
  const int parts = batch_parts(o, run);
  if (parallel) {
    log->info("Training the {} schedules at the same time, one per core (BLAS 1 thread each)",
              o.schedules.size());
  } else if (parts > 1) {
    log->info("Training each batch in {} parts at the same time, one per core (BLAS 1 thread each)",
              parts);
  }
  const auto train_one = [&](std::size_t i) {
    ch06::G2PFitOptions fit = fit_options(o, o.schedules[i]);
    fit.progress = fit.progress && !parallel;  // two progress bars would overwrite each other
    fit.batch_parts = parts;
    return train_schedule(o.schedules[i], models[i], fit, static_cast<std::uint64_t>(o.common.seed),
                          train_set, val_set, test_set, *log);
  };
  std::vector<ScheduleRun> runs(o.schedules.size());
  std::future<BaselineRun> baseline;
  if (parallel) {
    book::apply_threads(1);
    std::vector<std::future<ScheduleRun>> running;
    for (std::size_t i = 0; i < runs.size(); ++i)
      running.push_back(std::async(std::launch::async, train_one, i));
    for (std::size_t i = 0; i < runs.size(); ++i) {
      runs[i] = running[i].get();
      // The first schedule (`always`, the quickest) frees its core first: the baseline runs there.
      if (i == 0 && !o.no_baseline)
        baseline = std::async(std::launch::async, run_baseline, std::cref(train_set),
                              std::cref(test_set));
    }
    book::apply_threads(o.common.threads);
  } else {
    if (parts > 1) book::apply_threads(1);
    for (std::size_t i = 0; i < runs.size(); ++i) runs[i] = train_one(i);
    if (parts > 1) book::apply_threads(o.common.threads);
  }
  // [schedule_run]
  nlohmann::json metrics = nlohmann::json::object();
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const ScheduleRun& result = runs[i];
    const std::string& name = result.name;
    if (o.samples > 0) {
      const auto shown = ch06::take_first(test_set, static_cast<std::size_t>(o.samples));
      std::vector<std::string> words;
      for (const auto& p : shown) words.push_back(p.word);
      const auto predicted = ch06::predict_words(models[i], words);
      for (std::size_t k = 0; k < shown.size(); ++k) {
        const std::string reference = ch06::phonemes_to_string(shown[k].phonemes);
        log->info("[{}]   {:<14} -> {:<28} {}", name, shown[k].word, predicted[k].phonemes,
                  predicted[k].phonemes == reference ? "(right)" : "(reference: " + reference + ")");
      }
    }
    const auto checkpoint = out_dir / "checkpoints" / ("g2p_" + name + ".pth");
    book::save_checkpoint(*models[i], ch06::g2p_meta(config, ch06::parse_tf_schedule(name)), checkpoint);
    log->info("Wrote {}", checkpoint.string());
    const book::Table table = history_table(result);
    table.save_csv(results / ("g2p_history_" + name + ".csv"));
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : result.history) {
      epochs.push_back({{"epoch", e.epoch}, {"tf_ratio", e.tf_ratio}, {"train_loss", e.train_loss},
                        {"val_loss_teacher_forced", e.val.tf_loss}, {"val_loss_free_running", e.val.free_loss},
                        {"val_per", e.val.per}, {"val_wer", e.val.wer}, {"train_seconds", e.train_seconds}});
    }
    metrics[name] = {{"epochs", epochs},
                     {"test_per", result.test.per},
                     {"test_wer", result.test.wer},
                     {"train_seconds", result.train_seconds}};
  }

  // [exposure_bias]
  book::Table summary(
      {"schedule", "tf_ratio_last_epoch", "val_loss_teacher_forced", "val_loss_free_running",
       "exposure_gap", "val_per", "val_wer", "test_per", "test_wer", "train_seconds"},
      4);
  for (const auto& r : runs) {
    const ch06::G2PEpoch& last = r.history.back();
    summary.add_row({r.name, last.tf_ratio, last.val.tf_loss, last.val.free_loss,
                     last.val.free_loss - last.val.tf_loss, last.val.per, last.val.wer, r.test.per,
                     r.test.wer, r.train_seconds});
  }
  // [exposure_bias]
  log->info("Exposure bias after the last epoch (losses per phoneme on the validation words; gap = free-running "
            "minus teacher-forced; error rates in %):");
  std::cout << summary.to_text() << std::flush;
  if (runs.size() > 1) {
    const double first_gap = runs.front().history.back().val.free_loss - runs.front().history.back().val.tf_loss;
    for (std::size_t i = 1; i < runs.size(); ++i) {
      const double gap = runs[i].history.back().val.free_loss - runs[i].history.back().val.tf_loss;
      log->info("Gap of '{}' vs '{}': {:.4f} vs {:.4f} ({})", runs[i].name, runs.front().name, gap, first_gap,
                gap < first_gap ? fmt::format("{:.1f}x smaller", first_gap / std::max(gap, 1e-12))
                                : fmt::format("{:.1f}x larger", gap / std::max(first_gap, 1e-12)));
    }
  }
  if (!o.no_baseline) {
    // [baseline]
    const BaselineRun nearest =
        baseline.valid() ? baseline.get() : run_baseline(train_set, test_set);
    log->info(
        "Baseline, the nearest training word by spelling ({} candidates): "
        "test PER {:.2f}% WER {:.2f}% | {:.1f} s",
        book::with_thousands(static_cast<std::int64_t>(train_set.size())), nearest.rates.per(),
        nearest.rates.wer(), nearest.seconds);
    // [baseline]
    metrics["nearest_word_baseline"] = {{"test_per", nearest.rates.per()},
                                        {"test_wer", nearest.rates.wer()}};
  }
  summary.save_csv(results / "g2p_exposure_bias.csv");
  book::write_json(results / "metrics.json", metrics);
  write_figures(runs, o.tf_end, results, *log);
  log->info("Wrote {}", (results / "g2p_exposure_bias.csv").string());
  log->info("Wrote {}", (results / "g2p_history_<schedule>.csv").string());
  log->info("Wrote {}", (results / "metrics.json").string());
  return book::kExitOk;
}

// [predict]
int predict(const Options& o) {
  book::apply_threads(o.common.threads);
  const book::fs::path checkpoint = o.checkpoint.empty()
                                        ? book::fs::path(o.common.out_dir) / "checkpoints" /
                                              ("g2p_" + o.schedules.back() + ".pth")
                                        : book::fs::path(o.checkpoint);
  ch06::G2PModel model = ch06::load_g2p(checkpoint);
  std::vector<std::string> words = o.words;
  if (words.empty()) {
    for (std::string line; std::getline(std::cin, line);) words.push_back(line);
  }
  if (words.empty())
    throw std::runtime_error("no words to pronounce: give them on the command line or on stdin");
  int failures = 0;
  std::size_t i = 0;
  for (const auto& p : ch06::predict_words(model, words)) {
    ++i;
    if (!p.error.empty()) {
      std::cerr << kProgram << ": error: word " << i << ": " << p.error << '\n';
      ++failures;
      continue;
    }
    std::cout << fmt::format("{:<16} {}\n", p.word, p.phonemes);
  }
  return failures == 0 ? book::kExitOk : book::kExitRuntimeError;
}
// [predict]

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Chapter 06, program 10: teacher forcing and exposure bias on grapheme-to-phoneme conversion\n"
               "(CMU Pronouncing Dictionary; a bidirectional LSTM encoder and an LSTMCell decoder).\n"
               "Each --schedule is trained from the same seed; every epoch reports the training loss, the\n"
               "validation loss teacher-forced and free-running, and the phoneme and word error rates.",
               kProgram};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    apply_full_run(app, options);
    check_flags(options);
    return options.predict ? predict(options) : train(options);
  });
}
