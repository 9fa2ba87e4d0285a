/// \file
/// The chapter's main job: classify synthetic names by their origin with an RNN, LSTM or GRU.
///
/// Train:   ch06_main --model_type lstm --epochs 1 --data_size 2000
/// Predict: ch06_main --predict --checkpoint <out_dir>/checkpoints/lstm_model.pth petrov müller
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/log.h"
#include "book/text.h"
#include "book/timer.h"
#include "book/torch_utils.h"
#include "book/train.h"
#include "lib/name_batches.h"
#include "lib/name_checkpoint.h"
#include "lib/name_classifier.h"
#include "lib/name_training.h"
#include "lib/names.h"

#include <iostream>
#include <limits>

namespace {

// [options]
struct Options {
  book::CommonOptions common;
  int epochs = 10;
  int batch_size = 128;
  int hidden_dim = 256;
  int embed_dim = 128;
  double lr = 1e-3;
  int data_size = 10000;
  double val_split = 0.2;
  int num_workers = 0;
  double max_grad_norm = 1.0;
  std::string model_type = "lstm";
  int num_layers = 2;
  bool bidirectional = true;
  double dropout = 0.3;
  std::string batching = "random";
  std::string rnn_path = "fused";
  bool cpu = false;
  bool predict = false;
  std::string checkpoint;
  std::vector<std::string> names;
};
// [options]

// Models larger than this are refused before anything is allocated (about 3.2 GB with Adam).
constexpr std::int64_t kMaxParameters = 200'000'000;
// So are batches whose activations would not fit (about 2 GB of float32): training keeps about 8
// values per hidden unit, step, layer and direction for the backward pass (an LSTM's four gates,
// its cell and hidden states, and their gradients). The generated names have at most 16 characters.
constexpr std::int64_t kMaxActivations = 500'000'000;
constexpr std::int64_t kLongestName = 16;

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_main"));
  app.add_option("--epochs", o.epochs, "Training epochs")->capture_default_str()->check(book::int_range(1, 100000));
  app.add_option("--batch_size", o.batch_size, "Names per batch")->capture_default_str()->check(book::int_range(1, 65536));
  app.add_option("--hidden_dim", o.hidden_dim, "Hidden size H per direction")->capture_default_str()->check(book::int_range(1, 8192));
  app.add_option("--embed_dim", o.embed_dim, "Embedding size")->capture_default_str()->check(book::int_range(1, 8192));
  app.add_option("--lr", o.lr, "Adam learning rate")->capture_default_str()->check(book::real_range(0, 10, true));
  app.add_option("--data_size", o.data_size, "Synthetic names to generate")->capture_default_str()->check(book::int_range(2, 10'000'000));
  app.add_option("--val_split", o.val_split, "Share of the names held out for validation")->capture_default_str()->check(book::real_range(0, 1, true, true));
  app.add_option("--num_workers", o.num_workers, "Accepted for the original's command lines; batches are built in-process")->capture_default_str()->check(book::int_range(0, 256));
  app.add_option("--max_grad_norm", o.max_grad_norm, "Clip the global gradient norm to this (0 = no clipping)")->capture_default_str()->check(book::real_range(0, 1e6));
  app.add_option("--model_type", o.model_type, "Recurrent layer")->capture_default_str()->check(book::one_of({"rnn", "lstm", "gru"}));
  app.add_option("--num_layers", o.num_layers, "Stacked recurrent layers")->capture_default_str()->check(book::int_range(1, 16));
  app.add_option("--bidirectional", o.bidirectional, "Run a backward direction too (true/false)")->capture_default_str();
  app.add_option("--dropout", o.dropout, "Dropout after the embedding, between layers and before the head")->capture_default_str()->check(book::real_range(0, 1, false, true));
  app.add_option("--batching", o.batching, "random: shuffle as the original; bucket: sort by length within shuffled pools of 4 batches (fewer steps per batch)")->capture_default_str()->check(book::one_of({"random", "bucket"}));
  app.add_option("--rnn_path", o.rnn_path, "fused (fastest): pack the batch and run each layer and direction as one autograd function with a hand-written backward (one GEMM and one C++ gate loop per step); packed: run the torch module on the packed batch, as the original; padded: run on the padded batch with each sequence reversed in place for the backward direction. All three: same weights, same results")->capture_default_str()->check(book::one_of({"packed", "padded", "fused"}));
  app.add_flag("--cpu", o.cpu, "Use the CPU even if CUDA is available");
  app.add_flag("--predict", o.predict, "Classify NAMES (or stdin lines) with a saved checkpoint instead of training");
  app.add_option("--checkpoint", o.checkpoint, "Checkpoint for --predict (default: <out_dir>/checkpoints/<model_type>_model.pth)");
  app.add_option("names", o.names, "Names to classify with --predict; none = read one per line from stdin. A name longer than 256 characters is refused (an error for that name)");
}

ch06::ClassifierConfig model_config(const Options& o, std::int64_t vocab_size) {
  ch06::ClassifierConfig c;
  c.cell = ch06::parse_cell_type(o.model_type);
  c.vocab_size = vocab_size;
  c.embed_dim = o.embed_dim;
  c.hidden_dim = o.hidden_dim;
  c.num_layers = o.num_layers;
  c.num_classes = static_cast<std::int64_t>(ch06::name_classes().size());
  c.bidirectional = o.bidirectional;
  c.dropout = o.dropout;
  return c;
}

// Checks that need more than one flag, before anything is allocated or written.
void check_flags(const Options& o) {
  if (!o.predict && !o.names.empty()) throw book::UsageError("names on the command line need --predict");
  if (o.predict) return;
  const ch06::SplitSizes sizes = ch06::split_sizes(o.data_size, o.val_split);
  if (sizes.train < 1 || sizes.val < 1) {
    throw book::UsageError("--data_size " + std::to_string(o.data_size) + " with --val_split " +
                           std::to_string(o.val_split) + " leaves an empty training or validation split");
  }
  // 28 is the vocabulary of the generated names; the exact size is known only after generation.
  const std::int64_t parameters = ch06::expected_parameter_count(model_config(o, 28));
  if (parameters > kMaxParameters) {
    throw book::UsageError("--hidden_dim/--embed_dim/--num_layers give " + book::with_thousands(parameters) +
                           " parameters; the limit is " + book::with_thousands(kMaxParameters));
  }
  const std::int64_t directions = o.bidirectional ? 2 : 1;
  const std::int64_t activations = static_cast<std::int64_t>(o.batch_size) * kLongestName *
                                   (8 * o.hidden_dim * o.num_layers * directions + o.embed_dim);
  if (activations > kMaxActivations) {
    throw book::UsageError("--batch_size/--hidden_dim/--num_layers/--embed_dim give " + book::with_thousands(activations) +
                           " values of activations per batch; the limit is " + book::with_thousands(kMaxActivations));
  }
}

int train(const Options& o) {
  auto log = book::get_logger("ch06_main");
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common, o.cpu);
  log->info("Using device: {} | threads: torch {}, BLAS {} | {}", run.device.str(), run.threads.torch_threads,
            run.threads.blas_threads, run.threads.blas);

  // [data]
  const ch06::NameDataset data = ch06::make_synthetic_names(o.data_size, run.rng);
  book::write_text(out_dir / "data" / "vocab.txt", data.vocab.to_tsv());
  book::write_text(out_dir / "data" / "synthetic_names.txt", ch06::names_to_tsv(data.samples));
  const ch06::Split split = ch06::random_split(data.samples, o.val_split, run.rng);
  const ch06::EncodedNames train_set = ch06::encode_names(split.train, data.vocab);
  const ch06::EncodedNames val_set = ch06::encode_names(split.val, data.vocab);
  // [data]
  log->info("Vocab Size: {} | Classes: {}", data.vocab.size(), ch06::name_classes().size());
  log->info("Samples: {} train, {} validation", split.train.size(), split.val.size());
  log->info("Hyperparameters: model_type={} epochs={} batch_size={} hidden_dim={} embed_dim={} num_layers={} "
            "bidirectional={} dropout={} lr={} max_grad_norm={} val_split={} seed={} batching={} rnn_path={}",
            o.model_type, o.epochs, o.batch_size, o.hidden_dim, o.embed_dim, o.num_layers, o.bidirectional,
            o.dropout, o.lr, o.max_grad_norm, o.val_split, o.common.seed, o.batching, o.rnn_path);

  // [model]
  const ch06::ClassifierConfig config = model_config(o, data.vocab.size());
  ch06::DynamicRNNClassifier model(config);
  model->to(run.device);
  book::log_model_info(*log, *model);
  // [model]

  // [loop]
  ch06::FitOptions fit;
  fit.epochs = o.epochs;
  fit.batch_size = o.batch_size;
  fit.lr = o.lr;
  fit.max_grad_norm = o.max_grad_norm;
  fit.batching = ch06::parse_batching(o.batching);
  fit.path = ch06::parse_recurrent_path(o.rnn_path);
  fit.device = run.device;
  const double epoch_flops =
      ch06::recurrent_gemm_flops(config, ch06::total_tokens(train_set), /*training=*/true);
  book::Facts facts;  // the numbers the book's pages quote, as printed
  const book::History history = ch06::fit_classifier(
      model, train_set, val_set, fit, run.rng,
      [&](int epoch, const book::EpochStats& tr, const book::EpochStats& va) {
        log->info("{}", ch06::epoch_log_line(epoch, o.epochs, tr, va, &facts));
        log->info("Throughput: {:.0f} samples/s | recurrent GEMMs {:.1f} GFLOP/s | "
                  "train {:.2f} s, valid {:.2f} s",
                  static_cast<double>(tr.samples) / tr.seconds, epoch_flops / tr.seconds / 1e9,
                  tr.seconds, va.seconds);
      });
  // [loop]

  // [save]
  const std::string stem = o.model_type;
  const auto checkpoint = out_dir / "checkpoints" / (stem + "_model.pth");
  const auto metrics = out_dir / "results" / (stem + "_metrics.json");
  const auto samples_path = out_dir / "results" / (stem + "_inference_samples.json");
  book::save_checkpoint(*model, ch06::classifier_meta(config, data.vocab), checkpoint);
  book::write_json(metrics, history.to_json());
  // [save]

  // [inference]
  const std::vector<std::string> probe = {"petrov",   "jackson",      "rossini",
                                          "yamamoto", "papadopoulos", "unknownstuff"};
  nlohmann::json samples = nlohmann::json::array();
  for (const auto& p : ch06::predict_names(model, data.vocab, probe)) {
    log->info("Input: {:<15} | Prediction: {}", p.input, p.label);
    samples.push_back(
        {{"input", p.input}, {"prediction", p.label}, {"prediction_index", p.index}});
  }
  book::write_json(samples_path, samples);
  // [inference]
  facts.write(out_dir);
  log->info("Wrote {}", (out_dir / "data").string() + "/{vocab,synthetic_names}.txt");
  log->info("Wrote {}", checkpoint.string());
  log->info("Wrote {}", metrics.string());
  log->info("Wrote {}", samples_path.string());
  return book::kExitOk;
}

// [predict]
int predict(const Options& o, bool model_type_given) {
  book::apply_threads(o.common.threads);
  const ch06::CellType type = ch06::parse_cell_type(o.model_type);
  const book::fs::path checkpoint =
      o.checkpoint.empty()
          ? book::fs::path(o.common.out_dir) / "checkpoints" / (o.model_type + "_model.pth")
          : book::fs::path(o.checkpoint);
  ch06::LoadedClassifier loaded =
      ch06::load_classifier(checkpoint, model_type_given ? &type : nullptr);
  const std::vector<std::string> names = o.names.empty() ? book::read_lines(std::cin) : o.names;
  if (names.empty())
    throw std::runtime_error("no names to classify: give them on the command line or on stdin");
  int failures = 0;
  std::size_t i = 0;
  for (const auto& p : ch06::predict_names(loaded.model, loaded.vocab, names)) {
    ++i;
    if (!p.error.empty()) {
      std::cerr << "ch06_main: error: name " << i << ": " << p.error << '\n';
      ++failures;
      continue;
    }
    // The name as the vocabulary read it: invalid UTF-8 bytes are shown as U+FFFD, never echoed
    // raw.
    std::cout << fmt::format("{:<15} -> {:<8} (p = {:.3f})\n",
                             book::utf8_encode(book::utf8_decode(p.input)), p.label, p.probability);
  }
  return failures == 0 ? book::kExitOk : book::kExitRuntimeError;
}
// [predict]

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Chapter 06 main job: classify synthetic names by origin with an RNN, LSTM or GRU.\n"
               "Threads: torch runs 1 intra-op thread and OpenBLAS runs the matrix products on --threads "
               "cores (default: all). Measured fastest on 2 cores; giving torch 2 threads as well was 2x slower.",
               "ch06_main"};
  Options options;
  add_flags(app, options);
  const int code = book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return options.predict ? predict(options, app.count("--model_type") > 0) : train(options);
  });
  // Every file is written and closed: skip LibTorch's teardown (about 60 ms, see book::exit_now).
  book::exit_now(code);
}
