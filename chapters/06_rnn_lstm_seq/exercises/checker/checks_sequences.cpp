// Checks of the exercises bidirectional_final_state (page 05), packing_metadata and
// last_real_output (page 06).
#include "exercises/checker/checks.h"
#include "exercises/checker/tensors.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace ex::check {

namespace {

namespace rnn_utils = torch::nn::utils::rnn;

struct BatchCase {
  std::vector<std::int64_t> lengths;
  std::int64_t hidden = 3;
  int layers = 1;
  std::uint64_t seed = 1;
};

std::string describe(const BatchCase& c, bool with_layers) {
  std::string text = say(Msg::kCaseLengthsHidden, fmt::join(c.lengths, ", "), c.hidden);
  if (with_layers) text += c.layers == 1 ? say(Msg::kOneLayer) : say(Msg::kLayers, c.layers);
  return text + say(Msg::kSeed, c.seed);
}

// Random lengths of `batch` sequences, 1..max_len, from torch's generator.
std::vector<std::int64_t> random_lengths(std::int64_t batch, std::int64_t max_len) {
  const auto t = torch::randint(1, max_len + 1, {batch}, torch::kLong);
  return {t.data_ptr<std::int64_t>(), t.data_ptr<std::int64_t>() + batch};
}

// Fixed shapes first (the first case shows the classic mistakes), then random ones and the edges.
std::vector<BatchCase> batch_cases(bool layers) {
  std::vector<BatchCase> cases = {{{3, 5, 1, 4}, 3, 2, 1}, {{2, 6, 6, 1, 3}, 2, 3, 2}};
  for (std::uint64_t seed = 3; seed <= 12; ++seed) {
    torch::manual_seed(seed);
    const auto batch = 1 + static_cast<std::int64_t>(seed * 5 % 7);
    cases.push_back({random_lengths(batch, 8), 1 + static_cast<std::int64_t>(seed % 4),
                     layers ? 1 + static_cast<int>(seed % 3) : 1, seed});
  }
  cases.push_back({{4}, 2, 2, 13});                     // batch 1
  cases.push_back({{5, 5, 5}, 2, 1, 14});               // equal lengths
  cases.push_back({{9, 1, 1, 1, 1, 1}, 1, 2, 15});      // one long, many short; hidden 1
  cases.push_back({{1, 1}, 4, 1, 16});                  // length 1
  return cases;
}

// A padded, batch-first random input [B, T_max, features] for `lengths`, with `extra` padded
// steps after the longest sequence (as a batch padded to a fixed length has).
torch::Tensor padded_input(const std::vector<std::int64_t>& lengths, std::int64_t features,
                           std::int64_t extra = 0) {
  const auto t_max = *std::max_element(lengths.begin(), lengths.end()) + extra;
  auto x = torch::randn({static_cast<std::int64_t>(lengths.size()), t_max, features}, torch::kDouble);
  for (std::size_t b = 0; b < lengths.size(); ++b) x[b].slice(0, lengths[b]).zero_();
  return x;
}

torch::Tensor lengths_tensor(const std::vector<std::int64_t>& lengths) {
  return torch::tensor(lengths, torch::kLong);
}

}  // namespace

Verdict check_bidirectional_final_state() {
  std::vector<Case> cases;
  for (const BatchCase& c : batch_cases(true)) {
    cases.push_back({describe(c, true), [c]() -> std::optional<Failure> {
      torch::manual_seed(c.seed);
      const std::int64_t features = 2, hidden = c.hidden;
      torch::nn::LSTM lstm(torch::nn::LSTMOptions(features, hidden)
                               .num_layers(c.layers).bidirectional(true).batch_first(true));
      lstm->to(torch::kDouble);
      const auto packed = rnn_utils::pack_padded_sequence(padded_input(c.lengths, features),
                                                          lengths_tensor(c.lengths), true, false);
      const auto [out_packed, states] = lstm->forward_with_packed_input(packed);
      const auto output = std::get<0>(rnn_utils::pad_packed_sequence(out_packed, true)).detach();
      const auto h_n = std::get<0>(states).detach();  // [2 * layers, B, H]
      // The truth from the module's outputs: forward at each true end, backward at step 0.
      const auto batch = static_cast<std::int64_t>(c.lengths.size());
      Mat expected(batch, 2 * hidden);
      for (std::int64_t b = 0; b < batch; ++b) {
        expected.row(b).head(hidden) = vec_of(output[b][c.lengths[b] - 1].slice(0, 0, hidden));
        expected.row(b).tail(hidden) = vec_of(output[b][0].slice(0, hidden, 2 * hidden));
      }
      std::vector<Mat> h_n_list;
      for (std::int64_t k = 0; k < h_n.size(0); ++k) h_n_list.push_back(mat_of(h_n[k]));

      const Mat got = bidirectional_final_state(h_n_list, c.layers);
      std::string mismatch = compare(say(Msg::kWordResult), expected, got, kForwardTol,
                                     Msg::kWordSequence, Msg::kWordColumn);
      if (mismatch.empty()) return std::nullopt;
      auto joined = [&](std::size_t first, std::size_t second) {
        Mat m(batch, 2 * hidden);
        m << h_n_list[first], h_n_list[second];
        return m;
      };
      const std::size_t fwd = 2 * (c.layers - 1), bwd = fwd + 1;
      return diagnose(std::move(mismatch), {
          {{"last_only"}, [&] { return matches(h_n_list.back(), got, 1e-9); }},
          {{"directions_swapped"}, [&] { return matches(joined(bwd, fwd), got, 1e-9); }},
          {{"wrong_layer"}, [&] { return c.layers > 1 && matches(joined(0, 1), got, 1e-9); }},
          {{"wrong_layer", {}, "two_layers"},
           [&] { return c.layers > 1 && matches(joined(fwd - 1, fwd), got, 1e-9); }},
      });
    }});
  }
  return run_cases(cases);
}

Verdict check_packing_metadata() {
  std::vector<Case> cases;
  for (const BatchCase& c : batch_cases(false)) {
    cases.push_back({say(Msg::kCaseLengths, fmt::join(c.lengths, ", ")),
                     [c]() -> std::optional<Failure> {
      const auto packed = rnn_utils::pack_padded_sequence(padded_input(c.lengths, 1),
                                                          lengths_tensor(c.lengths), true, false);
      auto as_vector = [](const torch::Tensor& t) {
        const auto l = t.to(torch::kLong).contiguous();
        return std::vector<std::int64_t>(l.data_ptr<std::int64_t>(), l.data_ptr<std::int64_t>() + l.numel());
      };
      const auto batch_sizes = as_vector(packed.batch_sizes());
      const auto torch_sorted = as_vector(packed.sorted_indices());
      std::vector<std::int64_t> sorted_lengths;
      for (auto k : torch_sorted) sorted_lengths.push_back(c.lengths[k]);

      const PackingInfo got = packing_metadata(c.lengths);
      const auto batch = static_cast<std::int64_t>(c.lengths.size());
      std::string mismatch = compare("batch_sizes", batch_sizes, got.batch_sizes);
      std::vector<std::int64_t> got_lengths;
      if (mismatch.empty()) {
        std::vector<std::int64_t> seen(got.sorted_indices);
        std::sort(seen.begin(), seen.end());
        std::vector<std::int64_t> all(batch);
        std::iota(all.begin(), all.end(), 0);
        if (seen != all) {
          mismatch = say(Msg::kNotPermutation, fmt::join(got.sorted_indices, ", "), batch - 1);
        }
      }
      if (mismatch.empty()) {
        for (auto k : got.sorted_indices) got_lengths.push_back(c.lengths[k]);
        mismatch = compare(say(Msg::kWordSortedLengths), sorted_lengths, got_lengths);
      }
      if (mismatch.empty() && got.unsorted_indices.size() != got.sorted_indices.size()) {
        mismatch = say(Msg::kEntries, "unsorted_indices", got.unsorted_indices.size(), batch);
      }
      for (std::int64_t k = 0; mismatch.empty() && k < batch; ++k) {
        const auto at = got.sorted_indices[k];
        if (got.unsorted_indices[at] != k) {
          mismatch = say(Msg::kUnsortedNotInverse, at, got.unsorted_indices[at], k, at);
        }
      }
      if (mismatch.empty()) return std::nullopt;
      return diagnose(std::move(mismatch), {
          {{"per_sequence_sizes"},
           [&] { return got.batch_sizes == sorted_lengths && got.batch_sizes != batch_sizes; }},
          {{"ascending"},
           [&] {
             return !got_lengths.empty() && std::is_sorted(got_lengths.begin(), got_lengths.end()) &&
                    got_lengths.front() < got_lengths.back();
           }},
          {{"not_inverse"}, [&] { return got.unsorted_indices == got.sorted_indices; }},
      });
    }});
  }
  return run_cases(cases);
}

Verdict check_last_real_output() {
  std::vector<Case> cases;
  for (const BatchCase& c : batch_cases(false)) {
    cases.push_back({describe(c, false), [c]() -> std::optional<Failure> {
      torch::manual_seed(c.seed);
      const std::int64_t features = 2;
      torch::nn::LSTM lstm(torch::nn::LSTMOptions(features, c.hidden).batch_first(true));
      lstm->to(torch::kDouble);
      const auto x = padded_input(c.lengths, features, c.seed % 2);  // case 1: one extra step
      // The truth: h_n of the packed run, the state at each sequence's true end.
      const auto packed = rnn_utils::pack_padded_sequence(x, lengths_tensor(c.lengths), true, false);
      const auto h_n = std::get<0>(std::get<1>(lstm->forward_with_packed_input(packed))).detach();
      const Mat expected = mat_of(h_n[0]);
      // The reader gets the padded run's output: real at the real steps, the layer running on
      // through the padding after them.
      const auto output = std::get<0>(lstm->forward(x)).detach();  // [B, T_max, H]
      std::vector<Mat> outputs;
      for (std::int64_t b = 0; b < output.size(0); ++b) outputs.push_back(mat_of(output[b]));

      const Mat got = last_real_output(outputs, c.lengths);
      std::string mismatch = compare(say(Msg::kWordResult), expected, got, kForwardTol,
                                     Msg::kWordSequence, Msg::kWordUnit);
      if (mismatch.empty()) return std::nullopt;
      auto rows_at = [&](auto step_of) {
        Mat m(expected.rows(), expected.cols());
        for (std::size_t b = 0; b < outputs.size(); ++b) m.row(b) = outputs[b].row(step_of(b));
        return m;
      };
      const auto t_max = output.size(1);
      return diagnose(std::move(mismatch), {
          {{"last_step"},
           [&] { return matches(rows_at([&](std::size_t) { return t_max - 1; }), got, 1e-9); }},
          {{"off_by_one"},
           [&] {
             return *std::max_element(c.lengths.begin(), c.lengths.end()) < t_max &&
                    matches(rows_at([&](std::size_t b) { return c.lengths[b]; }), got, 1e-9);
           }},
      });
    }});
  }
  return run_cases(cases);
}

}  // namespace ex::check
