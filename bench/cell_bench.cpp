/// \file
/// Micro-benchmark (Google Benchmark): one LSTM cell step for a single sequence (batch 1), the
/// chapter's from-scratch Eigen cell against LibTorch's `torch::lstm_cell`, both in double, single
/// threaded, for growing hidden sizes. At small sizes the per-call overhead of LibTorch's dispatcher
/// and tensor allocation dominates and the plain Eigen loop wins; as H grows the matrix-vector
/// products dominate and the two converge. Run: `build/default/bin/bench_cell`.
#include "book/torch_utils.h"
#include "lib/scratch_lstm.h"

#include <benchmark/benchmark.h>

namespace {

constexpr int kBatch = 1;

// One step of the from-scratch cell: the code program 04 explains, unchanged.
void eigen_lstm_step(benchmark::State& state) {
  const auto hidden = static_cast<Eigen::Index>(state.range(0));
  book::Rng rng(1);
  const ch06::LstmWeights w = ch06::make_lstm_weights(hidden, hidden, rng);
  const ch06::Vec x = ch06::Vec::Random(hidden);
  ch06::Vec h = ch06::Vec::Zero(hidden);
  ch06::Vec c = ch06::Vec::Zero(hidden);
  for (auto _ : state) {
    ch06::LstmStep step = ch06::lstm_cell(w, x, h, c);
    benchmark::DoNotOptimize(step.h.data());
    benchmark::ClobberMemory();
  }
}

// The same step through LibTorch: the fused ATen op that LSTMCell::forward calls, without autograd.
void torch_lstm_step(benchmark::State& state) {
  const std::int64_t hidden = state.range(0);
  torch::NoGradGuard no_grad;
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  const torch::Tensor w_ih = torch::randn({4 * hidden, hidden}, options);
  const torch::Tensor w_hh = torch::randn({4 * hidden, hidden}, options);
  const torch::Tensor b_ih = torch::randn({4 * hidden}, options);
  const torch::Tensor b_hh = torch::randn({4 * hidden}, options);
  const torch::Tensor x = torch::randn({kBatch, hidden}, options);
  const torch::Tensor h = torch::zeros({kBatch, hidden}, options);
  const torch::Tensor c = torch::zeros({kBatch, hidden}, options);
  for (auto _ : state) {
    auto [h_next, c_next] = torch::lstm_cell(x, {h, c}, w_ih, w_hh, b_ih, b_hh);
    benchmark::DoNotOptimize(h_next.data_ptr());
    benchmark::ClobberMemory();
  }
}

}  // namespace

BENCHMARK(eigen_lstm_step)->Name("lstm_cell_step/eigen")->RangeMultiplier(2)->Range(8, 512);
BENCHMARK(torch_lstm_step)->Name("lstm_cell_step/libtorch")->RangeMultiplier(2)->Range(8, 512);

int main(int argc, char** argv) {
  book::apply_threads(1);  // both single threaded: this compares per-step overhead, not cores
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
