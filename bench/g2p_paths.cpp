/// \file
/// Program 10's model on its two paths, side by side in one process: LibTorch's modules
/// (torch::nn::LSTM encoder, torch::nn::LSTMCell decoder stepped in a loop) against the fused path
/// (lib/fused_rnn). Both start from the same weights and train on the same batches; the two
/// alternate, --reps times. Prints, per workload, the median seconds of each path, the spread
/// (min-max) and the ratio of the medians, and the loss each path ends the epoch with.
///
/// Workloads: one training epoch with teacher forcing (ratio 1), one with scheduled sampling at
/// ratio 0.5 (the decoder steps one at a time on both paths), and the evaluation of the validation
/// words (teacher-forced loss, greedy decoding).
///
/// With --parts N (N > 1) it then times what a single schedule does with N cores: one teacher-forced
/// epoch on the fused path with each batch whole on BLAS's threads, against the same epoch with each
/// batch in N parts, one thread each, BLAS on 1 thread (ch06::g2p_sharded_train_step).
#include "book/cli.h"
#include "book/files.h"
#include "book/timer.h"
#include "book/torch_utils.h"
#include "lib/g2p_data.h"
#include "lib/g2p_model.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

namespace {

struct Options {
  book::CommonOptions common;
  int train_words = 4000;
  int eval_words = 1000;
  int batch_size = 64;
  int embed_dim = 64;
  int hidden_dim = 128;
  int reps = 3;
  std::string trace;  // --trace: a LibTorch profile of one fused epoch instead of the table
  int parts = 1;      // --parts: also time whole batches against batches in this many parts
};

// The weights every run starts from.
std::vector<torch::Tensor> snapshot(ch06::G2PModel& model) {
  std::vector<torch::Tensor> out;
  for (const auto& p : model->parameters()) out.push_back(p.detach().clone());
  return out;
}

void restore(ch06::G2PModel& model, const std::vector<torch::Tensor>& weights) {
  torch::NoGradGuard no_grad;
  auto params = model->parameters();
  for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(weights[i]);
}

// "min-max" of some timings, to 3 decimals.
std::string spread_of(const std::vector<double>& s) {
  std::ostringstream spread;
  spread.precision(3);
  spread << std::fixed << *std::min_element(s.begin(), s.end()) << "-" << *std::max_element(s.begin(), s.end());
  return spread.str();
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 10's encoder-decoder: LibTorch's modules against the fused path, same weights and "
                "batches, alternating",
                "bench_g2p_paths"};
  Options o;
  book::add_common_options(app, o.common, book::default_out_dir("bench_g2p_paths"));
  app.add_option("--train_words", o.train_words, "Training words per epoch")
      ->capture_default_str()->check(book::int_range(64, 200000));
  app.add_option("--eval_words", o.eval_words, "Validation words evaluated")
      ->capture_default_str()->check(book::int_range(1, 10000));
  app.add_option("--batch_size", o.batch_size, "Words per batch")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--embed_dim", o.embed_dim, "Embedding size")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--hidden_dim", o.hidden_dim, "Hidden size")->capture_default_str()->check(book::int_range(1, 2048));
  app.add_option("--reps", o.reps, "Repetitions of each workload and path")
      ->capture_default_str()->check(book::int_range(1, 100));
  app.add_option("--trace", o.trace, "Instead of the table: profile one teacher-forced epoch on the fused path "
                 "with LibTorch's profiler and write it to this file (Chrome trace format)");
  app.add_option("--parts", o.parts, "Also time a teacher-forced fused epoch with whole batches against batches "
                 "in this many parts on as many threads (1 = not)")
      ->capture_default_str()->check(book::int_range(1, 64));
  return book::run_program(app, argc, argv, [&] {
    const book::ThreadPolicy policy = book::apply_threads(o.common.threads);
    const auto dictionary = ch06::load_pronunciations(book::find_data_file(ch06::kCmudictFile));
    const ch06::G2PSplit split = ch06::split_pronunciations(dictionary);
    const auto train = ch06::take_first(split.train, static_cast<std::size_t>(o.train_words));
    const auto val = ch06::take_first(split.validation, static_cast<std::size_t>(o.eval_words));
    book::Rng rng(static_cast<std::uint64_t>(o.common.seed));
    const std::vector<ch06::G2PBatch> batches = ch06::make_g2p_batches(train, o.batch_size, rng);
    ch06::G2PConfig config;
    config.embed_dim = o.embed_dim;
    config.hidden_dim = o.hidden_dim;
    torch::manual_seed(static_cast<std::uint64_t>(o.common.seed));
    ch06::G2PModel model(config);
    const std::vector<torch::Tensor> initial = snapshot(model);
    std::cout << "bench_g2p_paths: " << train.size() << " training words in " << batches.size()
              << " batches of " << o.batch_size << ", " << val.size() << " validation words, hidden "
              << o.hidden_dim << ", embedding " << o.embed_dim << ", BLAS threads " << policy.blas_threads
              << ", " << o.reps << " reps; load before " << book::read_file("/proc/loadavg").substr(0, 14)
              << '\n';

    const std::vector<std::pair<std::string, ch06::G2PPath>> paths = {{"modules", ch06::G2PPath::kModules},
                                                                      {"fused", ch06::G2PPath::kFused}};
    // A workload runs once from the initial weights and returns the loss it ends with.
    const auto epoch = [&](double ratio) {
      return [&, ratio] {
        model->train();
        torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
        torch::manual_seed(1);  // the same coin flips on both paths
        double sum = 0;
        for (const auto& b : batches) sum += ch06::g2p_train_step(model, optimizer, b, ratio, 1.0);
        return sum / static_cast<double>(batches.size());
      };
    };
    // The same epoch with each batch in `parts` parts on as many threads (BLAS on 1 thread).
    const auto parted_epoch = [&] {
      model->train();
      torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
      std::vector<at::Generator> coins;
      for (int k = 0; k < o.parts; ++k) coins.push_back(at::detail::createCPUGenerator(1 + k));
      double sum = 0;
      for (const auto& b : batches) sum += ch06::g2p_sharded_train_step(model, optimizer, b, 1.0, 1.0, coins);
      return sum / static_cast<double>(batches.size());
    };
    const std::vector<std::pair<std::string, std::function<double()>>> workloads = {
        {"train epoch, teacher forcing", epoch(1.0)},
        {"train epoch, ratio 0.5", epoch(0.5)},
        {"evaluate validation words", [&] { return ch06::evaluate_g2p(model, val, o.batch_size).tf_loss; }},
    };
    if (!o.trace.empty()) {
      model->set_path(ch06::G2PPath::kFused);
      torch::autograd::profiler::RecordProfile guard(o.trace);
      epoch(1.0)();
      return 0;
    }
    std::printf("%-30s %-8s %9s %17s %8s %10s\n", "workload", "path", "median_s", "min-max", "ratio", "loss");
    for (const auto& [name, run] : workloads) {
      std::map<std::string, std::vector<double>> seconds;
      std::map<std::string, double> loss;
      for (int rep = 0; rep < o.reps; ++rep) {
        for (const auto& [path_name, path] : paths) {
          restore(model, initial);
          model->set_path(path);
          book::Timer timer;
          loss[path_name] = run();
          seconds[path_name].push_back(timer.seconds());
        }
      }
      const double base = book::median(seconds["modules"]);
      for (const auto& [path_name, path] : paths) {
        const auto& s = seconds[path_name];
        std::printf("%-30s %-8s %9.3f %17s %7.2fx %10.5f\n", name.c_str(), path_name.c_str(), book::median(s),
                    spread_of(s).c_str(), base / book::median(s), loss[path_name]);
      }
    }
    if (o.parts > 1) {
      const std::string whole = "whole, BLAS " + std::to_string(policy.blas_threads);
      const std::string parted = std::to_string(o.parts) + " parts, BLAS 1";
      std::map<std::string, std::vector<double>> seconds;
      std::map<std::string, double> loss;
      model->set_path(ch06::G2PPath::kFused);
      for (int rep = 0; rep < o.reps; ++rep) {
        for (const std::string& way : {whole, parted}) {
          book::apply_threads(way == whole ? o.common.threads : 1);
          restore(model, initial);
          book::Timer timer;
          loss[way] = way == whole ? epoch(1.0)() : parted_epoch();
          seconds[way].push_back(timer.seconds());
        }
      }
      book::apply_threads(o.common.threads);
      std::printf("\n%-30s %-16s %9s %17s %8s %10s\n", "fused, teacher forcing", "batches", "median_s",
                  "min-max", "ratio", "loss");
      for (const std::string& way : {whole, parted}) {
        const auto& s = seconds[way];
        std::printf("%-30s %-16s %9.3f %17s %7.2fx %10.5f\n", "train epoch", way.c_str(), book::median(s),
                    spread_of(s).c_str(), book::median(seconds[whole]) / book::median(s), loss[way]);
      }
    }
    std::cout << "load after " << book::read_file("/proc/loadavg").substr(0, 14) << '\n';
    return 0;
  });
}
