/// \file
/// Program 10: teacher forcing and exposure bias, on grapheme-to-phoneme conversion.
///
/// An encoder–decoder (a bidirectional LSTM over the letters, an LSTMCell over the phonemes) learns
/// to pronounce English words from the CMU Pronouncing Dictionary. It is trained with one or more
/// teacher-forcing schedules, and every epoch measures the validation loss twice: with the true
/// previous phoneme fed to the decoder (teacher-forced) and with its own guesses (free-running).
/// The difference is the exposure bias. The steps live in lib/g2p_run.h, where the tests call them.
///
/// Train:   ch06_10_teacher_forcing --schedule always,inverse_sigmoid
/// Predict: ch06_10_teacher_forcing --predict aardvark  (the last schedule's checkpoint)
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/log.h"
#include "book/text.h"
#include "book/timer.h"
#include "book/torch_utils.h"
#include "lib/g2p_data.h"
#include "lib/g2p_model.h"
#include "lib/g2p_run.h"

#include <cmath>
#include <iostream>

namespace {

constexpr const char* kProgram = "ch06_10_teacher_forcing";

// [options]
struct Options {
  book::CommonOptions common;
  std::string data_dir;    // folder holding cmudict/cmudict-g2p.tsv.gz
  ch06::G2PRunOptions run;  // the training run: words, sizes, schedules, ...
  bool full = false;       // the full run (ch06::apply_full_run)
  int samples = 8;         // test words shown after training
  bool predict = false;
  std::string checkpoint;
  std::vector<std::string> words;
};
// [options]

void add_flags(book::Cli& app, Options& o) {
  ch06::G2PRunOptions& r = o.run;
  book::add_common_options(app, o.common, book::default_out_dir(kProgram));
  app.add_option("--data_dir", o.data_dir, "Folder holding cmudict/cmudict-g2p.tsv.gz (default: "
                 "$BOOK_DATA_DIR, then the shipped assets/data)");
  app.add_option("--train_words", r.train_words, "Training words, a fixed sample of the training "
                 "split (0 = all of it, about 105,000)")
      ->capture_default_str()->check(book::int_range(0, 1'000'000));
  app.add_option("--eval_words", r.eval_words, "Validation words, evaluated after every epoch "
                 "(0 = the whole split, about 5,800)")
      ->capture_default_str()->check(book::int_range(0, 1'000'000));
  app.add_option("--test_words", r.test_words, "Test words, evaluated once after training (0 = "
                 "the whole split, about 5,800)")
      ->capture_default_str()->check(book::int_range(0, 1'000'000));
  app.add_option("--epochs", r.epochs, "Training epochs")
      ->capture_default_str()->check(book::int_range(1, 1000));
  app.add_option("--batch_size", r.batch_size, "Words per batch")
      ->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--embed_dim", r.embed_dim, "Letter and phoneme embedding size")
      ->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--hidden_dim", r.hidden_dim, "Hidden size H of the decoder")
      ->capture_default_str()->check(book::int_range(1, 2048));
  app.add_option("--encoder_dim", r.encoder_dim, "Hidden size of each encoder direction (0 = "
                 "--hidden_dim)")->capture_default_str()->check(book::int_range(0, 2048));
  app.add_option("--dropout", r.dropout, "Dropout on the embeddings and before the output layer")
      ->capture_default_str()->check(book::real_range(0, 1, false, true));
  app.add_option("--lr", r.lr, "Adam learning rate")
      ->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--lr_decay", r.lr_decay, "none: the same rate throughout; cosine: from --lr "
                 "down to 0 along half a cosine over --epochs × batches per epoch")
      ->capture_default_str()->check(book::one_of({"none", "cosine"}));
  app.add_option("--max_grad_norm", r.max_grad_norm, "Clip the global gradient norm to this (0 = "
                 "no clipping)")->capture_default_str()->check(book::real_range(0, 1e6));
  app.add_option("--schedule", r.schedules, "Teacher-forcing schedules to train, comma-separated; "
                 "each run starts from the same seed")
      ->capture_default_str()->delimiter(',')->check(book::one_of(ch06::tf_schedule_names()));
  app.add_option("--tf_end", r.tf_end, "Teacher-forcing ratio the decaying schedules reach at the "
                 "end of training")
      ->capture_default_str()->check(book::real_range(0, 0.5, true, true));
  app.add_option("--time_limit", r.time_limit, "Seconds of training and validation per schedule; "
                 "training stops after the last epoch that leaves time for one more (0 = no limit)")
      ->capture_default_str()->check(book::real_range(0, 1e6));
  app.add_flag("--full", o.full, "The full run: all training words and test words, --schedule "
               "always, --embed_dim 64, --hidden_dim 256, --encoder_dim 0 (as wide as the "
               "decoder), --lr 3e-3, --lr_decay cosine, --batch_size 128, --epochs 6, --time_limit "
               "540 (each unless given)");
  app.add_option("--path", r.path, "fused: the encoder and the teacher-forced decoder through the "
                 "chapter's fused recurrent path (lib/fused_rnn); modules: torch::nn::LSTM and a "
                 "torch::nn::LSTMCell loop. Same weights, same results")
      ->capture_default_str()->check(book::one_of({"fused", "modules"}));
  app.add_option("--batch_parts", r.batch_parts, "With one schedule: cut each batch into this "
                 "many parts, trained at the same time on as many cores with their gradients "
                 "summed (1 = the whole batch on BLAS's threads; 0 = one part per core when "
                 "dropout is 0)")->capture_default_str()->check(book::int_range(0, 64));
  app.add_flag("--no_baseline", r.no_baseline, "Skip the nearest-word baseline on the test words");
  app.add_option("--samples", o.samples, "Test words whose predictions are shown after training")
      ->capture_default_str()->check(book::int_range(0, 1000));
  app.add_flag("--predict", o.predict, "Pronounce WORDS (or stdin lines) with a saved checkpoint "
               "instead of training");
  app.add_option("--checkpoint", o.checkpoint, "Checkpoint for --predict (default: "
                 "<out_dir>/checkpoints/g2p_<last --schedule>.pth)");
  app.add_option("words", o.words, "Words to pronounce with --predict; none = read one per line "
                 "from stdin. Letters a-z only (case is ignored), at most 40; other words are "
                 "refused, one error line each");
}

// Checks that need more than one flag, before anything is allocated or written.
void check_flags(const Options& o) {
  if (!o.predict && !o.words.empty())
    throw book::UsageError("words on the command line need --predict");
  if (o.predict) ch06::check_g2p_schedules(o.run);
  else ch06::check_g2p_run(o.run);
}

// What the run reads, in the log: the dictionary, its split by word hash, the vocabularies.
void describe_data(const ch06::G2PData& d, const Options& o, spdlog::logger& log,
                   book::Facts& facts) {
  const auto count = [&](const std::string& key, std::size_t n) {
    return facts.put(key, book::with_thousands(static_cast<std::int64_t>(n)));
  };
  log.info("Read {} words from {}", count("dictionary_words", d.dictionary_words),
           ch06::shown_data_file(d.file));
  log.info("Split by word hash: {} train / {} validation / {} test; using {} / {} / {}",
           count("split_train", d.split_train), count("split_validation", d.split_validation),
           count("split_test", d.split_test), count("train_words", d.train.size()),
           count("eval_words", d.validation.size()), count("test_words", d.test.size()));
  log.info("Vocabularies: {} letter ids (<pad>, a-z), {} phoneme ids (<pad>, <sos>, <eos>, 39 "
           "ARPAbet phonemes)", ch06::kLetterVocabSize, ch06::kPhonemeVocabSize);
  const ch06::G2PRunOptions& r = o.run;
  log.info("Hyperparameters: epochs={} batch_size={} embed_dim={} hidden_dim={} encoder_dim={} "
           "dropout={} lr={} lr_decay={} max_grad_norm={} tf_end={} seed={}",
           r.epochs, r.batch_size, r.embed_dim, r.hidden_dim,
           ch06::encoder_width(ch06::g2p_config(r)), r.dropout, r.lr, r.lr_decay, r.max_grad_norm,
           r.tf_end, o.common.seed);
}

// A few test words as each model pronounces them; then each model is saved for --predict.
void show_and_save(std::vector<ch06::G2PModel>& models, const ch06::G2PTraining& training,
                   const Options& o, const ch06::G2PData& data, spdlog::logger& log) {
  std::vector<ch06::Pronunciation> shown;  // (take_first reads 0 as "all")
  if (o.samples > 0) shown = ch06::take_first(data.test, static_cast<std::size_t>(o.samples));
  std::vector<std::string> words;
  for (const auto& p : shown) words.push_back(p.word);
  for (std::size_t i = 0; i < training.runs.size(); ++i) {
    const std::string& name = training.runs[i].name;
    const auto predicted = words.empty() ? std::vector<ch06::WordPrediction>{}
                                         : ch06::predict_words(models[i], words);
    for (std::size_t k = 0; k < predicted.size(); ++k) {
      const std::string reference = ch06::phonemes_to_string(shown[k].phonemes);
      log.info("[{}]   {:<14} -> {:<28} {}", name, shown[k].word, predicted[k].phonemes,
               predicted[k].phonemes == reference ? "(right)" : "(reference: " + reference + ")");
    }
    const auto checkpoint =
        book::fs::path(o.common.out_dir) / "checkpoints" / ("g2p_" + name + ".pth");
    book::save_checkpoint(*models[i], ch06::g2p_meta(models[i]->config(),
                                                     ch06::parse_tf_schedule(name)), checkpoint);
    log.info("Wrote {}", checkpoint.string());
  }
}

// [compare]
// The exposure-bias table, then each schedule against the first: the gap, and whether the test
// WERs differ by more than two standard errors. Then the baseline.
void report(const ch06::G2PTraining& t, std::size_t candidates, spdlog::logger& log,
            book::Facts& facts) {
  const book::Table table = ch06::exposure_bias_table(t.runs);
  log.info("Exposure bias after the last epoch (losses per phoneme on the validation words; gap = "
           "free-running minus teacher-forced; error rates in %):");
  for (std::size_t r = 0; r < t.runs.size(); ++r) {
    const std::string key = t.runs[r].name + ".";
    facts.put(key + "val_loss_tf", table.text(r, 2));
    facts.put(key + "val_loss_free", table.text(r, 3));
    facts.put(key + "gap", table.text(r, 4));
  }
  std::cout << table.to_text() << std::flush;
  const ch06::ScheduleRun& first = t.runs.front();
  const auto gap_of = [](const ch06::ScheduleRun& s) {
    return s.history.back().val.free_loss - s.history.back().val.tf_loss;
  };
  for (std::size_t i = 1; i < t.runs.size(); ++i) {
    const ch06::ScheduleRun& run = t.runs[i];
    const double gap = gap_of(run);
    const double first_gap = gap_of(first);
    log.info("Gap of '{}' vs '{}': {:.4f} vs {:.4f} ({})", run.name, first.name, gap, first_gap,
             facts.put("gap_ratio." + run.name,
                       gap < first_gap
                           ? fmt::format("{:.1f} times smaller", first_gap / std::max(gap, 1e-12))
                           : fmt::format("{:.1f} times larger", gap / std::max(first_gap, 1e-12))));
    const double difference = run.test.wer - first.test.wer;
    const double se = ch06::error_rate_difference_se(run.test.wer, first.test.wer, run.test.words);
    const bool clear = std::abs(difference) >= 2 * se;
    log.info("Test WER of '{}' vs '{}': {:.2f}% vs {:.2f}%, {:.2f} points {}; that is {} standard "
             "errors of the difference ({:.2f} points, as if independent): {}", run.name,
             first.name, run.test.wer, first.test.wer, std::abs(difference),
             difference > 0 ? "higher" : "lower",
             facts.put("wer_standard_errors." + run.name,
                       fmt::format("{:.2f}", std::abs(difference) / std::max(se, 1e-12))),
             se,
             facts.put("wer_verdict." + run.name,
                       clear ? "2 or more, a clear difference"
                             : "fewer than 2, within the noise of the test words"));
  }
  if (t.baseline) {
    log.info("Baseline, the nearest training word by spelling ({} candidates): test PER {}% WER "
             "{}% | {:.1f} s", facts.put("baseline.candidates", book::with_thousands(
                                                            static_cast<std::int64_t>(candidates))),
             facts.put("baseline.test_per", fmt::format("{:.2f}", t.baseline->rates.per())),
             facts.put("baseline.test_wer", fmt::format("{:.2f}", t.baseline->rates.wer())),
             t.baseline->seconds);
  }
}
// [compare]

int train(const Options& o) {
  book::Timer wall;
  auto log = book::get_logger(kProgram);
  book::Facts facts;
  const book::fs::path out_dir = o.common.out_dir;
  // 1. The data: the CMU dictionary, split by word hash (errors before anything is written).
  const ch06::G2PData data = ch06::load_g2p_data(o.data_dir, o.run);
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common);
  log->info("Using device: {} | threads: torch {}, BLAS {} | {}", run.device.str(),
            run.threads.torch_threads, run.threads.blas_threads, run.threads.blas);
  describe_data(data, o, *log, facts);
  // 2. The models: one per schedule, each from the same seed, so only the schedule differs.
  std::vector<ch06::G2PModel> models = ch06::make_g2p_models(o.run, o.common.seed, run.device);
  book::log_model_info(*log, *models.front());
  // 3. Training: the schedules side by side, one per core (or one schedule's batch in parts).
  const ch06::G2PCores cores =
      ch06::plan_g2p_cores(o.run, run.device.is_cpu(), run.threads.blas_threads);
  if (cores.parallel_schedules) {
    log->info("Training the {} schedules at the same time, one per core (BLAS 1 thread each)",
              o.run.schedules.size());
  } else if (cores.batch_parts > 1) {
    log->info("Training each batch in {} parts at the same time, one per core (BLAS 1 thread "
              "each)", cores.batch_parts);
  }
  const ch06::G2PTraining training = ch06::train_g2p_schedules(
      models, o.run, data, cores, o.common.seed, o.common.threads, *log, facts);
  // 4. What each model says, the exposure bias, and the baseline.
  show_and_save(models, training, o, data, *log);
  report(training, data.train.size(), *log, facts);
  // 5. The files: tables, metrics, figures, and the facts the book's page quotes.
  const book::fs::path results = out_dir / "results";
  ch06::save_g2p_results(training, results);
  ch06::write_g2p_figures(training.runs, o.run.tf_end, results, *log);
  for (const char* file : {"g2p_exposure_bias.csv", "g2p_history_<schedule>.csv", "metrics.json"})
    log->info("Wrote {}", (results / file).string());
  log->info("Wall time {} s (from reading the data to the last file)",
            facts.put("wall_seconds", fmt::format("{:.1f}", wall.seconds())));
  facts.write(out_dir);
  return book::kExitOk;
}

// [predict]
int predict(const Options& o) {
  book::apply_threads(o.common.threads);
  const book::fs::path checkpoint = o.checkpoint.empty()
                                        ? book::fs::path(o.common.out_dir) / "checkpoints" /
                                              ("g2p_" + o.run.schedules.back() + ".pth")
                                        : book::fs::path(o.checkpoint);
  ch06::G2PModel model = ch06::load_g2p(checkpoint);
  const std::vector<std::string> words = o.words.empty() ? book::read_lines(std::cin) : o.words;
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
  book::Cli app{"Chapter 06, program 10: teacher forcing and exposure bias on grapheme-to-phoneme "
                "conversion\n(CMU Pronouncing Dictionary; a bidirectional LSTM encoder and an "
                "LSTMCell decoder).\nEach --schedule is trained from the same seed; every epoch "
                "reports the training loss, the\nvalidation loss teacher-forced and free-running, "
                "and the phoneme and word error rates.",
                kProgram};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    if (options.full) {
      ch06::apply_full_run(options.run, [&](const std::string& f) { return app.count(f) > 0; });
    }
    check_flags(options);
    return options.predict ? predict(options) : train(options);
  });
}
