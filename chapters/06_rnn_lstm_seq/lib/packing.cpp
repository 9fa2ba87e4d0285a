#include "lib/packing.h"

#include "book/text.h"
#include "book/timer.h"
#include "lib/names.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace ch06 {

namespace rnn_utils = torch::nn::utils::rnn;

namespace {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) { return (a - b).abs().max().item<double>(); }

std::int64_t max_length(const std::vector<std::int64_t>& lengths) {
  if (lengths.empty()) throw std::invalid_argument("no lengths");
  if (*std::min_element(lengths.begin(), lengths.end()) < 1) throw std::invalid_argument("every length must be at least 1");
  return *std::max_element(lengths.begin(), lengths.end());
}

// A random right-padded batch [B, T_max, in]: random features at real steps, zeros at pads.
torch::Tensor padded_batch(const std::vector<std::int64_t>& lengths, std::int64_t input_size, torch::ScalarType dtype) {
  const std::int64_t steps = max_length(lengths);
  torch::Tensor x = torch::randn({static_cast<std::int64_t>(lengths.size()), steps, input_size}, dtype);
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    x[static_cast<std::int64_t>(b)].narrow(0, lengths[b], steps - lengths[b]).zero_();
  }
  return x;
}

LayerSpec batch_first_spec(LayerSpec spec) {
  spec.batch_first = true;
  return spec;
}

// The first line of an exception's message.
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

}  // namespace

// [pack_demo]
PackDemo make_pack_demo(const std::vector<std::int64_t>& lengths) {
  const std::int64_t steps = max_length(lengths);
  torch::Tensor padded = torch::zeros({static_cast<std::int64_t>(lengths.size()), steps, 1});
  for (std::size_t b = 0; b < lengths.size(); ++b) {
    for (std::int64_t t = 0; t < lengths[b]; ++t) {
      padded[static_cast<std::int64_t>(b)][t][0] =
          static_cast<double>(10 * (static_cast<std::int64_t>(b) + 1) + t + 1);
    }
  }
  const torch::Tensor cpu_lengths = torch::tensor(lengths, torch::kLong);  // int64, on the CPU
  return {padded, cpu_lengths,
          rnn_utils::pack_padded_sequence(padded, cpu_lengths, /*batch_first=*/true,
                                          /*enforce_sorted=*/false)};
}
// [pack_demo]

// [packed_vs_alone]
PackedCheck packed_vs_alone(const LayerSpec& spec_in, const std::vector<std::int64_t>& lengths) {
  RecurrentLayer layer(batch_first_spec(spec_in));
  layer.to(torch::kFloat64);
  const torch::Tensor x = padded_batch(lengths, spec_in.input_size, torch::kFloat64);
  const torch::Tensor cpu_lengths = torch::tensor(lengths, torch::kLong);

  // 1. Packed: the layer stops at each sequence's true end.
  const auto packed =
      rnn_utils::pack_padded_sequence(x, cpu_lengths, true, /*enforce_sorted=*/false);
  const PackedOutput p = layer.forward_packed(packed);
  const torch::Tensor p_output =
      std::get<0>(rnn_utils::pad_packed_sequence(p.output, /*batch_first=*/true));
  // 2. Padded, not packed: the layer also reads the pads.
  const LayerOutput padded = layer.forward(x);

  PackedCheck c;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    const auto b = static_cast<std::int64_t>(i);
    // 3. The truth: the sequence alone, without padding.
    const LayerOutput alone = layer.forward(x.narrow(0, b, 1).narrow(1, 0, lengths[i]));
    const torch::Tensor h_alone = alone.h_n.select(1, 0);  // [L·D, H]
    c.packed_h_n = std::max(c.packed_h_n, max_abs_diff(p.h_n.select(1, b), h_alone));
    c.padded_h_n = std::max(c.padded_h_n, max_abs_diff(padded.h_n.select(1, b), h_alone));
    c.packed_output = std::max(c.packed_output,
                               max_abs_diff(p_output[b].narrow(0, 0, lengths[i]), alone.output[0]));
    if (p.c_n.defined())
      c.packed_c_n =
          std::max(c.packed_c_n, max_abs_diff(p.c_n.select(1, b), alone.c_n.select(1, 0)));
  }
  return c;
}
// [packed_vs_alone]

// [round_trip]
RoundTrip pad_packed_round_trip(const LayerSpec& spec_in,
                                const std::vector<std::int64_t>& lengths) {
  RecurrentLayer layer(batch_first_spec(spec_in));
  const torch::Tensor x = padded_batch(lengths, spec_in.input_size, torch::kFloat32);
  const torch::Tensor cpu_lengths = torch::tensor(lengths, torch::kLong);
  const auto packed =
      rnn_utils::pack_padded_sequence(x, cpu_lengths, true, /*enforce_sorted=*/false);
  auto [x_back, lengths_back] = rnn_utils::pad_packed_sequence(packed, /*batch_first=*/true);
  auto [output, output_lengths] =
      rnn_utils::pad_packed_sequence(layer.forward_packed(packed).output, true);
  RoundTrip r;
  r.input_restored = x_back.sizes() == x.sizes() && torch::equal(x_back, x);
  r.lengths_restored =
      torch::equal(lengths_back, cpu_lengths) && torch::equal(output_lengths, cpu_lengths);
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    const auto b = static_cast<std::int64_t>(i);
    const torch::Tensor pads = output[b].narrow(0, lengths[i], output.size(1) - lengths[i]);
    r.padded_values += pads.numel();
    r.nonzero_padded += pads.ne(0).sum().item<std::int64_t>();
  }
  return r;
}
// [round_trip]

// ---- Length distributions -----------------------------------------------------------------------------

std::vector<std::int64_t> names_lengths(std::int64_t count, book::Rng& rng) {
  const NameDataset data = make_synthetic_names(count, rng);
  std::vector<std::int64_t> lengths;
  lengths.reserve(data.samples.size());
  for (const auto& s : data.samples) lengths.push_back(static_cast<std::int64_t>(book::utf8_decode(s.name).size()));
  return lengths;
}

std::vector<std::int64_t> long_tailed_lengths(std::int64_t count, std::int64_t max_length, book::Rng& rng) {
  std::vector<std::int64_t> lengths;
  lengths.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    const double u = 1.0 - book::uniform01(rng);  // (0, 1]
    const double x = std::ceil(4.0 * std::pow(u, -1.0 / 1.2));
    lengths.push_back(static_cast<std::int64_t>(std::min(x, static_cast<double>(max_length))));
  }
  return lengths;
}

// ---- Timing ------------------------------------------------------------------------------------------------

// [speed_words]
std::string speed_words(double ratio, double tie) {
  if (!(ratio > 0) || !std::isfinite(ratio) || !(tie >= 0)) {
    throw std::invalid_argument(fmt::format("speed_words: ratio {} and tie {}", ratio, tie));
  }
  if (ratio > 1 + tie) return "slower than";
  if (ratio < 1 / (1 + tie)) return "faster than";
  return "about as fast as";
}
// [speed_words]

std::string strategy_name(BatchStrategy strategy) {
  switch (strategy) {
    case BatchStrategy::kPadded: return "padded";
    case BatchStrategy::kPacked: return "packed";
    case BatchStrategy::kBucketed: return "bucketed";
  }
  return "?";
}

namespace {

struct TimedBatch {
  torch::Tensor x;        // [B, T_max, in], zeros at pads
  torch::Tensor lengths;  // [B] int64 CPU
};

std::vector<TimedBatch> cut_batches(const std::vector<std::int64_t>& lengths, std::vector<std::size_t> order,
                                    std::int64_t batch_size, std::int64_t input_size) {
  std::vector<TimedBatch> batches;
  for (std::size_t start = 0; start < order.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t end = std::min(order.size(), start + static_cast<std::size_t>(batch_size));
    std::vector<std::int64_t> batch_lengths;
    for (std::size_t i = start; i < end; ++i) batch_lengths.push_back(lengths[order[i]]);
    batches.push_back({padded_batch(batch_lengths, input_size, torch::kFloat32), torch::tensor(batch_lengths, torch::kLong)});
  }
  return batches;
}

// [timed_pass]
// One pass over `batches`: each batch's final states, read at each sequence's true end, and for
// training the backward pass of a loss on them.
void run_pass(RecurrentLayer& layer, const std::vector<TimedBatch>& batches, bool packed,
              bool train) {
  for (const auto& batch : batches) {
    torch::Tensor final_state;
    if (packed) {
      const auto p =
          rnn_utils::pack_padded_sequence(batch.x, batch.lengths, true, /*enforce_sorted=*/false);
      final_state = layer.forward_packed(p).h_n[-1];  // h_n: the state at each true end
    } else {
      final_state = last_real_step(layer.forward(batch.x).output,
                                   batch.lengths);  // gathered at each true end
    }
    if (train) {
      final_state.pow(2).mean().backward();
    }
  }
}
// [timed_pass]

}  // namespace

std::vector<StrategyTiming> time_strategies(const std::vector<std::int64_t>& lengths, const TimingSetup& setup,
                                            const std::function<void(int, int)>& on_repeat) {
  max_length(lengths);
  LayerSpec spec;
  spec.cell = setup.cell;
  spec.input_size = setup.input_size;
  spec.hidden_size = setup.hidden_size;
  RecurrentLayer layer(spec);

  std::vector<std::size_t> given(lengths.size());
  std::iota(given.begin(), given.end(), 0);
  std::vector<std::size_t> by_length = given;
  std::stable_sort(by_length.begin(), by_length.end(), [&](std::size_t a, std::size_t b) { return lengths[a] < lengths[b]; });
  const auto as_given = cut_batches(lengths, given, setup.batch_size, setup.input_size);
  const auto bucketed = cut_batches(lengths, by_length, setup.batch_size, setup.input_size);

  const std::vector<BatchStrategy> strategies = {BatchStrategy::kPadded, BatchStrategy::kPacked, BatchStrategy::kBucketed};
  std::vector<StrategyTiming> result;
  for (auto s : strategies) {
    StrategyTiming t;
    t.strategy = s;
    for (const auto& b : s == BatchStrategy::kBucketed ? bucketed : as_given) {
      t.real_steps += b.lengths.sum().item<std::int64_t>();
      t.computed_steps += s == BatchStrategy::kPacked ? b.lengths.sum().item<std::int64_t>() : b.x.size(0) * b.x.size(1);
    }
    result.push_back(t);
  }
  auto pass = [&](BatchStrategy s, bool train) {
    const auto& batches = s == BatchStrategy::kBucketed ? bucketed : as_given;
    layer.module().zero_grad();
    book::Timer timer;
    if (train) {
      run_pass(layer, batches, s == BatchStrategy::kPacked, true);
    } else {
      torch::NoGradGuard no_grad;
      run_pass(layer, batches, s == BatchStrategy::kPacked, false);
    }
    return timer.seconds();
  };
  std::vector<std::vector<double>> forward(strategies.size()), train(strategies.size());
  for (int r = -1; r < setup.repeats; ++r) {  // r = -1: the untimed warm-up
    for (std::size_t i = 0; i < strategies.size(); ++i) {
      const double f = pass(strategies[i], false);
      const double t = pass(strategies[i], true);
      if (r >= 0) {
        forward[i].push_back(f);
        train[i].push_back(t);
      }
    }
    if (on_repeat) on_repeat(r + 2, setup.repeats + 1);
  }
  for (std::size_t i = 0; i < strategies.size(); ++i) {
    result[i].forward_s = book::median(forward[i]);
    result[i].train_s = book::median(train[i]);
  }
  return result;
}

// ---- Errors -------------------------------------------------------------------------------------------------

// [check_lengths]
void check_lengths(const torch::Tensor& lengths, std::int64_t batch, std::int64_t max_steps) {
  if (!lengths.defined() || lengths.dim() != 1 || lengths.size(0) != batch) {
    throw std::invalid_argument(
        fmt::format("lengths must be a 1-D tensor with one entry per sequence ({}), got {}", batch,
                    shape_string(lengths)));
  }
  if (!lengths.device().is_cpu()) {
    throw std::invalid_argument(
        "lengths are on " + lengths.device().str() +
        "; pack_padded_sequence reads them on the CPU: pass lengths.to(torch::kCPU)");
  }
  if (!c10::isIntegralType(lengths.scalar_type(), /*includeBool=*/false)) {
    throw std::invalid_argument("lengths must be integers (torch::kLong), not " +
                                std::string(c10::toString(lengths.scalar_type())));
  }
  const std::int64_t shortest = lengths.min().item<std::int64_t>();
  const std::int64_t longest = lengths.max().item<std::int64_t>();
  if (shortest < 1) {
    throw std::invalid_argument(
        fmt::format("a sequence has length {}; every sequence needs at least one step "
                    "(drop empty ones before batching, or give them one <pad> step)",
                    shortest));
  }
  if (longest > max_steps) {
    throw std::invalid_argument(
        fmt::format("a length is {}, but the padded batch has only {} steps", longest, max_steps));
  }
}
// [check_lengths]

std::string libtorch_packing_error(const torch::Tensor& input, const torch::Tensor& lengths, bool enforce_sorted) {
  try {
    rnn_utils::pack_padded_sequence(input, lengths, /*batch_first=*/true, enforce_sorted);
  } catch (const c10::Error& e) {
    return first_line(e.what_without_backtrace());
  }
  return "";
}

std::vector<PackingErrorCase> packing_error_cases() {
  const torch::Tensor x = torch::randn({3, 4, 2});
  auto run = [&](const std::string& what, const torch::Tensor& lengths, bool enforce_sorted) {
    PackingErrorCase c;
    c.what = what;
    c.enforce_sorted = enforce_sorted;
    c.libtorch = libtorch_packing_error(x, lengths, enforce_sorted);
    try {
      check_lengths(lengths, x.size(0), x.size(1));
    } catch (const std::invalid_argument& e) {
      c.our_check = e.what();
    }
    return c;
  };
  std::vector<PackingErrorCase> cases;
  // [error_cases]
  cases.push_back(run("a zero-length sequence: lengths {4, 0, 2}",
                      torch::tensor({4, 0, 2}, torch::kLong), false));
  const torch::Device other =
      torch::cuda::is_available() ? torch::Device(torch::kCUDA) : torch::Device(torch::kMeta);
  cases.push_back(run("lengths {4, 3, 2} on the " + other.str() + " device",
                      torch::tensor({4, 3, 2}, torch::kLong).to(other), true));
  cases.push_back(run("unsorted lengths {2, 4, 3}", torch::tensor({2, 4, 3}, torch::kLong), true));
  // [error_cases]
  return cases;
}

}  // namespace ch06
