#include "lib/g2p_run.h"

#include "book/cli.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/timer.h"
#include "book/torch_utils.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <map>
#include <stdexcept>

namespace ch06 {

void apply_full_run(G2PRunOptions& o, const std::function<bool(const std::string&)>& given) {
  if (!given("--train_words")) o.train_words = 0;
  if (!given("--schedule")) o.schedules = {"always"};
  if (!given("--batch_size")) o.batch_size = 128;
  if (!given("--epochs")) o.epochs = 6;
  if (!given("--lr_decay")) o.lr_decay = "cosine";
  if (!given("--time_limit")) o.time_limit = 540;
  if (!given("--test_words")) o.test_words = 0;
  if (!given("--embed_dim")) o.embed_dim = 64;
  if (!given("--hidden_dim")) o.hidden_dim = 256;
  if (!given("--encoder_dim")) o.encoder_dim = 0;  // the encoder as wide as the decoder
  if (!given("--lr")) o.lr = 3e-3;
}

G2PConfig g2p_config(const G2PRunOptions& o) {
  G2PConfig c;
  c.embed_dim = o.embed_dim;
  c.hidden_dim = o.hidden_dim;
  c.encoder_dim = o.encoder_dim;
  c.dropout = o.dropout;
  return c;
}

namespace {

// Models larger than this are refused before anything is allocated.
constexpr std::int64_t kMaxParameters = 50'000'000;
// Batches whose activations would not fit are refused too (about 2 GB of float32): a word of at
// most kMaxWordLetters letters runs that many encoder steps in each direction and up to
// max_decode_steps decoder steps, each keeping about 8 values per hidden unit for the backward
// pass.
constexpr std::int64_t kMaxActivations = 500'000'000;

}  // namespace

void check_g2p_schedules(const G2PRunOptions& o) {
  if (o.schedules.empty()) throw book::UsageError("--schedule needs at least one schedule");
  std::map<std::string, int> seen;
  for (const auto& s : o.schedules) {
    if (++seen[s] > 1) throw book::UsageError("--schedule lists '" + s + "' twice");
  }
}

void check_g2p_run(const G2PRunOptions& o) {
  check_g2p_schedules(o);
  const std::int64_t parameters = g2p_parameter_count(g2p_config(o));
  if (parameters > kMaxParameters) {
    throw book::UsageError("--hidden_dim/--encoder_dim/--embed_dim give " +
                           book::with_thousands(parameters) + " parameters; the limit is " +
                           book::with_thousands(kMaxParameters));
  }
  const auto letters = static_cast<std::int64_t>(kMaxWordLetters);
  const std::int64_t steps = 2 * letters + max_decode_steps(letters);
  const std::int64_t widest = std::max(o.hidden_dim, o.encoder_dim);
  const std::int64_t activations =
      static_cast<std::int64_t>(o.batch_size) * steps * (8 * widest + o.embed_dim);
  if (activations > kMaxActivations) {
    throw book::UsageError("--batch_size/--hidden_dim/--encoder_dim/--embed_dim give " +
                           book::with_thousands(activations) +
                           " values of activations per batch; the limit is " +
                           book::with_thousands(kMaxActivations));
  }
}

// [data]
G2PData load_g2p_data(const std::string& data_dir, const G2PRunOptions& o) {
  G2PData data;
  data.file = book::find_data_file(kCmudictFile, data_dir);
  const std::vector<Pronunciation> dictionary = load_pronunciations(data.file);
  const G2PSplit split = split_pronunciations(dictionary);
  data.dictionary_words = dictionary.size();
  data.split_train = split.train.size();
  data.split_validation = split.validation.size();
  data.split_test = split.test.size();
  data.train = take_first(split.train, static_cast<std::size_t>(o.train_words));
  data.validation = take_first(split.validation, static_cast<std::size_t>(o.eval_words));
  data.test = take_first(split.test, static_cast<std::size_t>(o.test_words));
  if (data.train.empty() || data.validation.empty() || data.test.empty()) {
    throw std::runtime_error("'" + data.file.string() +
                             "' leaves an empty training, validation or test split (" +
                             std::to_string(dictionary.size()) + " words); it needs more words");
  }
  return data;
}
// [data]

std::vector<G2PModel> make_g2p_models(const G2PRunOptions& o, std::int64_t seed,
                                      const torch::Device& device) {
  std::vector<G2PModel> models;
  for (std::size_t i = 0; i < o.schedules.size(); ++i) {
    book::seed_torch(static_cast<std::uint64_t>(seed));
    models.emplace_back(g2p_config(o));
    models.back()->to(device);
    models.back()->set_path(parse_g2p_path(o.path));
  }
  return models;
}

G2PCores plan_g2p_cores(const G2PRunOptions& o, bool on_cpu, int blas_threads) {
  G2PCores cores;
  // The matrix products of this model are too small to gain from a second BLAS thread; a second
  // schedule (or a second part of the batch) on the other core does gain.
  cores.parallel_schedules =
      o.schedules.size() > 1 && on_cpu && blas_threads >= 2 && o.dropout == 0.0;
  if (o.schedules.size() == 1 && on_cpu) {
    if (o.batch_parts > 0) cores.batch_parts = o.batch_parts;
    else if (o.dropout == 0.0) cores.batch_parts = std::max(1, blas_threads);
  }
  return cores;
}

BaselineRun run_g2p_baseline(const G2PData& data) {
  book::Timer timer;
  BaselineRun run;
  run.rates = nearest_word_baseline(data.train, data.test);
  run.seconds = timer.seconds();
  return run;
}

double error_rate_interval95(double rate, std::int64_t n) {
  const double p = rate / 100.0;
  return n > 0 ? 100.0 * 1.96 * std::sqrt(p * (1 - p) / static_cast<double>(n)) : 0.0;
}

double error_rate_difference_se(double a, double b, std::int64_t n) {
  const double p = a / 100.0;
  const double q = b / 100.0;
  return n > 0 ? 100.0 * std::sqrt((p * (1 - p) + q * (1 - q)) / static_cast<double>(n)) : 0.0;
}

namespace {

// The options of fit_g2p for one schedule.
G2PFitOptions fit_options(const G2PRunOptions& o, const std::string& schedule) {
  G2PFitOptions fit;
  fit.epochs = o.epochs;
  fit.batch_size = o.batch_size;
  fit.lr = o.lr;
  fit.cosine_lr = o.lr_decay == "cosine";
  fit.max_grad_norm = o.max_grad_norm;
  fit.schedule = parse_tf_schedule(schedule);
  fit.tf_end = o.tf_end;
  fit.time_limit = o.time_limit;
  return fit;
}

// [train_schedule]
// Trains one schedule, tests it, and logs (and records) a line per epoch and one for the test.
// Safe to run on its own thread: the model, the generator and the Rng are its own.
ScheduleRun train_schedule(const std::string& name, G2PModel& model, const G2PFitOptions& fit,
                           std::uint64_t seed, const G2PData& data, spdlog::logger& log,
                           book::Facts& facts) {
  ScheduleRun result;
  result.name = name;
  book::Rng rng(seed);
  result.history = fit_g2p(model, data.train, data.validation, fit, rng, [&](const G2PEpoch& e) {
    const std::string key = name + ".epoch" + std::to_string(e.epoch) + ".";
    log.info("[{}] epoch {}/{} | tf ratio {:.2f} | train loss {:.4f} | val loss: teacher-forced "
             "{}, free-running {}, gap {:.4f} | val PER {}% WER {}% | {:.1f} s + {:.1f} s",
             name, e.epoch, fit.epochs, e.tf_ratio, e.train_loss,
             facts.put(key + "val_loss_tf", fmt::format("{:.4f}", e.val.tf_loss)),
             facts.put(key + "val_loss_free", fmt::format("{:.4f}", e.val.free_loss)),
             e.val.free_loss - e.val.tf_loss,
             facts.put(key + "val_per", fmt::format("{:.2f}", e.val.per)),
             facts.put(key + "val_wer", fmt::format("{:.2f}", e.val.wer)), e.train_seconds,
             e.val.seconds);
  });
  result.test = evaluate_g2p(model, data.test, fit.eval_batch_size);
  for (const auto& e : result.history) result.train_seconds += e.train_seconds;
  const std::string key = name + ".";
  log.info("[{}] test ({} words): PER {}% WER {}% (95% interval ±{} points) | training took {} s "
           "({} epochs)",
           name, facts.put(key + "test_words", book::with_thousands(result.test.words)),
           facts.put(key + "test_per", fmt::format("{:.2f}", result.test.per)),
           facts.put(key + "test_wer", fmt::format("{:.2f}", result.test.wer)),
           facts.put(key + "test_wer_interval",
                     fmt::format("{:.1f}", error_rate_interval95(result.test.wer,
                                                                 result.test.words))),
           facts.put(key + "train_seconds", fmt::format("{:.1f}", result.train_seconds)),
           facts.put(key + "epochs", std::to_string(result.history.size())));
  if (static_cast<int>(result.history.size()) < fit.epochs) {
    log.warn("[{}] --time_limit stopped training after {} of {} epochs: the schedules (teacher "
             "forcing, learning rate) had not reached their ends",
             name, result.history.size(), fit.epochs);
  }
  return result;
}
// [train_schedule]

}  // namespace

// [schedule_run]
G2PTraining train_g2p_schedules(std::vector<G2PModel>& models, const G2PRunOptions& o,
                                const G2PData& data, const G2PCores& cores, std::uint64_t seed,
                                int threads, spdlog::logger& log, book::Facts& facts) {
  const auto train_one = [&](std::size_t i) {
    G2PFitOptions fit = fit_options(o, o.schedules[i]);
    fit.progress = fit.progress && !cores.parallel_schedules;  // two bars would overwrite
    fit.batch_parts = cores.batch_parts;
    return train_schedule(o.schedules[i], models[i], fit, seed, data, log, facts);
  };
  G2PTraining out;
  out.runs.resize(o.schedules.size());
  std::future<BaselineRun> baseline;
  if (cores.parallel_schedules) {  // each schedule on a thread, BLAS on 1 thread each
    book::apply_threads(1);
    std::vector<std::future<ScheduleRun>> running;
    for (std::size_t i = 0; i < out.runs.size(); ++i)
      running.push_back(std::async(std::launch::async, train_one, i));
    for (std::size_t i = 0; i < out.runs.size(); ++i) {
      out.runs[i] = running[i].get();
      // The first schedule (`always`, the quickest) frees its core first: the baseline runs there.
      if (i == 0 && !o.no_baseline)
        baseline = std::async(std::launch::async, run_g2p_baseline, std::cref(data));
    }
    book::apply_threads(threads);
  } else {  // one after the other; with batch parts, the parts on threads
    if (cores.batch_parts > 1) book::apply_threads(1);
    for (std::size_t i = 0; i < out.runs.size(); ++i) out.runs[i] = train_one(i);
    if (cores.batch_parts > 1) book::apply_threads(threads);
  }
  if (!o.no_baseline) out.baseline = baseline.valid() ? baseline.get() : run_g2p_baseline(data);
  return out;
}
// [schedule_run]

book::Table g2p_history_table(const ScheduleRun& run) {
  book::Table table({"epoch", "tf_ratio", "train_loss", "val_loss_teacher_forced",
                     "val_loss_free_running", "exposure_gap", "val_per", "val_wer", "train_seconds",
                     "training_seconds_so_far"});
  double so_far = 0;
  for (const auto& e : run.history) {
    so_far += e.train_seconds;
    table.add_row({static_cast<std::int64_t>(e.epoch), e.tf_ratio, e.train_loss, e.val.tf_loss,
                   e.val.free_loss, e.val.free_loss - e.val.tf_loss, e.val.per, e.val.wer,
                   e.train_seconds, so_far});
  }
  return table;
}

// [exposure_bias]
book::Table exposure_bias_table(const std::vector<ScheduleRun>& runs) {
  book::Table summary(
      {"schedule", "tf_ratio_last_epoch", "val_loss_teacher_forced", "val_loss_free_running",
       "exposure_gap", "val_per", "val_wer", "test_per", "test_wer", "train_seconds"},
      4);
  for (const auto& r : runs) {
    const G2PEpoch& last = r.history.back();
    summary.add_row({r.name, last.tf_ratio, last.val.tf_loss, last.val.free_loss,
                     last.val.free_loss - last.val.tf_loss, last.val.per, last.val.wer, r.test.per,
                     r.test.wer, r.train_seconds});
  }
  return summary;
}
// [exposure_bias]

void save_g2p_results(const G2PTraining& training, const std::filesystem::path& results) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const ScheduleRun& run : training.runs) {
    g2p_history_table(run).save_csv(results / ("g2p_history_" + run.name + ".csv"));
    nlohmann::json epochs = nlohmann::json::array();
    for (const auto& e : run.history) {
      epochs.push_back({{"epoch", e.epoch}, {"tf_ratio", e.tf_ratio}, {"train_loss", e.train_loss},
                        {"val_loss_teacher_forced", e.val.tf_loss},
                        {"val_loss_free_running", e.val.free_loss}, {"val_per", e.val.per},
                        {"val_wer", e.val.wer}, {"train_seconds", e.train_seconds}});
    }
    metrics[run.name] = {{"epochs", epochs},
                         {"test_per", run.test.per},
                         {"test_wer", run.test.wer},
                         {"train_seconds", run.train_seconds}};
  }
  if (training.baseline) {
    metrics["nearest_word_baseline"] = {{"test_per", training.baseline->rates.per()},
                                        {"test_wer", training.baseline->rates.wer()}};
  }
  exposure_bias_table(training.runs).save_csv(results / "g2p_exposure_bias.csv");
  book::write_json(results / "metrics.json", metrics);
}

namespace {

const char* const kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};

// The five schedules over the fraction of training done: a CSV and its plot.
std::optional<std::filesystem::path> plot_schedules(double tf_end,
                                                    const std::filesystem::path& dir) {
  book::Table curves({"progress", "always", "linear", "inverse_sigmoid", "exponential", "never"});
  for (int k = 0; k <= 100; ++k) {
    const double x = k / 100.0;
    std::vector<book::Cell> row;
    row.emplace_back(x);
    for (const auto& name : tf_schedule_names())
      row.emplace_back(teacher_forcing_ratio(parse_tf_schedule(name), x, tf_end));
    curves.add_row(row);
  }
  curves.save_csv(dir / "g2p_tf_schedules.csv");
  std::string plot = "plot ";
  for (int c = 2; c <= 6; ++c) {
    plot += std::string(c == 2 ? "" : ", ") + "'g2p_tf_schedules.csv' skip 1 using 1:" +
            std::to_string(c) + " with lines lw 2 lc rgb '" + kColors[c - 2] + "' title '" +
            tf_schedule_names()[static_cast<std::size_t>(c - 2)] + "'";
  }
  return book::plot_svg(
      "set termoption noenhanced\nset title 'Teacher-forcing ratio over training (--tf_end " +
          fmt::format("{:g}", tf_end) +
          ")'\nset xlabel 'fraction of the training steps done'\n"
          "set ylabel 'P(next input = true phoneme)'\n"
          "set key outside right top vertical\nset grid\nset yrange [-0.05:1.05]\n" + plot,
      dir / "g2p_tf_schedules.svg");
}

}  // namespace

// [plots]
void write_g2p_figures(const std::vector<ScheduleRun>& runs, double tf_end,
                       const std::filesystem::path& dir, spdlog::logger& log) {
  std::string loss_plot;
  std::string error_plot;
  std::string time_plot;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const std::string csv = "'g2p_history_" + runs[i].name + ".csv' skip 1";
    const std::string color = std::string("lc rgb '") + kColors[i % 5] + "'";
    const std::string sep = i == 0 ? "plot " : ", \\\n     ";
    const std::string& name = runs[i].name;
    loss_plot += sep + csv + " using 1:5 with linespoints pt 7 lw 2 " + color + " title '" +
                 name + ": free-running', \\\n     " + csv +
                 " using 1:4 with linespoints pt 6 lw 2 dt 2 " + color + " title '" + name +
                 ": teacher-forced'";
    time_plot += sep + csv + " using 10:8 with linespoints pt 7 lw 2 " + color + " title '" +
                 name + "'";
    error_plot += sep + csv + " using 1:8 with linespoints pt 7 lw 2 " + color + " title '" +
                  name + ": WER', \\\n     " + csv + " using 1:7 with linespoints pt 6 lw 2 dt 2 " +
                  color + " title '" + name + ": PER'";
  }
  const std::size_t n = runs.front().history.size();
  const std::string epochs =
      fmt::format("set xrange [0.5:{}.5]\n{}", n, n <= 20 ? "set xtics 1\n" : "");
  const auto wrote = [&](const std::optional<std::filesystem::path>& svg) {
    if (svg) log.info("Wrote {}", svg->string());
  };
  wrote(book::plot_svg("set termoption noenhanced\nset title 'Exposure bias: validation loss "
                       "with the true previous phoneme and with the model''s own guesses'\n"
                       "set xlabel 'epoch'\nset ylabel 'masked cross-entropy per phoneme (nats)'\n"
                       "set grid\nset yrange [0:*]\n" + epochs + loss_plot,
                       dir / "g2p_exposure_bias.svg"));
  wrote(book::plot_svg("set termoption noenhanced\n"
                       "set title 'Greedy decoding on the validation words'\nset xlabel 'epoch'\n"
                       "set ylabel 'error rate (%)'\nset grid\nset yrange [0:*]\n" + epochs +
                           error_plot,
                       dir / "g2p_error_rates.svg"));
  wrote(book::plot_svg("set termoption noenhanced\nset title 'What each minute of training buys'\n"
                       "set xlabel 'training time (s, validation not counted)'\n"
                       "set ylabel 'validation word error rate (%)'\nset grid\n"
                       "set yrange [0:100]\n" + time_plot,
                       dir / "g2p_quality_vs_time.svg"));
  wrote(plot_schedules(tf_end, dir));
}
// [plots]

}  // namespace ch06
