/// \file
/// Program 06: packed sequences. Pad → pack → run → unpack on a small batch; the wrong final state of
/// a padded batch against the right one of a packed batch; the pad_packed_sequence round trip; the
/// measured cost of padded, packed and length-bucketed batches; and the errors bad lengths raise.
///
///   ch06_06_packed_sequences                       every part, CSV + SVG in --out_dir
///   ch06_06_packed_sequences --model_type gru      time a GRU instead of an LSTM
#include "book/cli.h"
#include "book/facts.h"
#include "book/files.h"
#include "book/plot.h"
#include "book/progress.h"
#include "book/table.h"
#include "book/torch_utils.h"
#include "lib/packing.h"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace {

struct Options {
  book::CommonOptions common;
  std::string model_type = "lstm";
  std::int64_t samples = 256;
  std::int64_t batch_size = 64;
  std::int64_t input_size = 32;
  std::int64_t hidden_size = 64;
  std::int64_t max_length = 100;
  int repeats = 5;
};

void add_flags(book::Cli& app, Options& o) {
  book::add_common_options(app, o.common, book::default_out_dir("ch06_06_packed_sequences"));
  app.add_option("--model_type", o.model_type, "Layer the timing runs")->capture_default_str()->check(book::one_of({"rnn", "lstm", "gru"}));
  app.add_option("--samples", o.samples, "Sequences per length distribution in the timing")->capture_default_str()->check(book::int_range(1, 100000));
  app.add_option("--batch_size", o.batch_size, "Sequences per batch in the timing")->capture_default_str()->check(book::int_range(1, 4096));
  app.add_option("--input_size", o.input_size, "Features per step in the timing")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--hidden_size", o.hidden_size, "H in the timing")->capture_default_str()->check(book::int_range(1, 1024));
  app.add_option("--max_length", o.max_length, "Cap of the long-tailed lengths")->capture_default_str()->check(book::int_range(4, 2000));
  app.add_option("--repeats", o.repeats, "Timed passes per strategy (medians are reported)")->capture_default_str()->check(book::int_range(1, 100));
}

const std::vector<ch06::CellType> kCells = {ch06::CellType::kRnn, ch06::CellType::kLstm, ch06::CellType::kGru};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string values(const torch::Tensor& t) {
  const torch::Tensor flat = t.flatten().to(torch::kFloat64).contiguous();
  std::vector<std::string> items;
  for (std::int64_t i = 0; i < flat.numel(); ++i) items.push_back(fmt::format("{:g}", flat[i].item<double>()));
  return "[" + fmt::format("{}", fmt::join(items, ", ")) + "]";
}

struct Failures {
  int count = 0;
  void expect(bool ok) { count += ok ? 0 : 1; }
};

void show_demo() {
  std::cout << "== 1. Pad -> pack: what a PackedSequence stores ==\n";
  // [demo]
  const ch06::PackDemo demo = ch06::make_pack_demo({2, 4, 1, 3});
  // [demo]
  std::cout << "Four sequences of lengths " << values(demo.lengths)
            << "; sequence b holds 10*(b+1) + t + 1 at step t, then zeros (padding).\nPadded batch [B, T_max]:\n";
  for (std::int64_t b = 0; b < demo.padded.size(0); ++b) std::cout << "  " << values(demo.padded[b]) << '\n';
  const auto& p = demo.packed;
  std::cout << "pack_padded_sequence(padded, lengths, batch_first = true, enforce_sorted = false):\n"
            << "  data             " << values(p.data()) << "   (" << p.data().size(0)
            << " rows = the sum of the lengths: no padding; step by step, longest sequence first)\n"
            << "  batch_sizes      " << values(p.batch_sizes()) << "   (sequences still running at each step)\n"
            << "  sorted_indices   " << values(p.sorted_indices()) << "   (batch rows by decreasing length)\n"
            << "  unsorted_indices " << values(p.unsorted_indices())
            << "   (where each original row went: the inverse permutation)\n";
  auto [unpacked, lengths] = torch::nn::utils::rnn::pad_packed_sequence(p, /*batch_first=*/true);
  std::cout << "pad_packed_sequence gives back the padded batch in the original order ("
            << (torch::equal(unpacked, demo.padded) ? "equal" : "DIFFERENT") << ") and the lengths "
            << values(lengths) << ".\n";
}

void show_final_states(Failures& failures, book::Facts& facts) {
  const std::vector<std::int64_t> lengths = {3, 7, 1, 5, 7, 2};
  std::cout << "\n== 2. Final states: padded (wrong) vs packed (right) ==\n"
            << "A batch of lengths 3, 7, 1, 5, 7, 2 (not sorted), right-padded with zeros. The truth is each\n"
            << "sequence run alone, unpadded. Max |difference| over the batch, every layer and direction (float64):\n";
  book::Table table({"layer", "layers", "bidirectional", "h_n padded", "h_n packed", "c_n packed", "outputs packed"}, 3);
  for (auto cell : kCells) {
    for (auto [layers, bidirectional] : std::vector<std::pair<std::int64_t, bool>>{{1, false}, {1, true}, {2, true}}) {
      ch06::LayerSpec spec;
      spec.cell = cell;
      spec.input_size = 4;
      spec.hidden_size = 6;
      spec.num_layers = layers;
      spec.bidirectional = bidirectional;
      // [final_states]
      const ch06::PackedCheck c = ch06::packed_vs_alone(spec, lengths);
      // [final_states]
      const book::Cell c_n = cell == ch06::CellType::kLstm ? book::Cell{c.packed_c_n} : book::Cell{std::string("-")};
      table.add_row({upper(ch06::cell_type_name(cell)), layers, std::string(bidirectional ? "true" : "false"), c.padded_h_n,
                     c.packed_h_n, c_n, c.packed_output});
      failures.expect(c.packed_h_n <= ch06::kSameStateTol && c.packed_c_n <= ch06::kSameStateTol &&
                      c.packed_output <= ch06::kSameStateTol);
      failures.expect(c.padded_h_n > 1e-6);
    }
  }
  // The smallest and the largest error of the padded h_n, as the table prints them.
  std::size_t lo = 0, hi = 0;
  for (std::size_t i = 0; i < table.rows().size(); ++i) {
    const double e = std::get<double>(table.rows()[i][3]);
    if (e < std::get<double>(table.rows()[lo][3])) lo = i;
    if (e > std::get<double>(table.rows()[hi][3])) hi = i;
  }
  facts.put("padded_h_n_min", table.text(lo, 3));
  facts.put("padded_h_n_max", table.text(hi, 3));
  std::cout << table.to_text()
            << "Unpacked, the layer reads the zeros after each short sequence, and the backward direction even\n"
            << "starts on them: h_n is wrong. Packed, h_n equals the lone runs, in the batch's original order.\n";
}

void show_round_trip(Failures& failures) {
  std::cout << "\n== 3. The round trip pack -> run -> pad_packed_sequence ==\n";
  book::Table table({"layer", "bidirectional", "input restored", "lengths restored", "padded output values",
                     "of them not exactly 0"});
  for (auto cell : kCells) {
    for (bool bidirectional : {false, true}) {
      ch06::LayerSpec spec;
      spec.cell = cell;
      spec.input_size = 3;
      spec.hidden_size = 5;
      spec.bidirectional = bidirectional;
      const ch06::RoundTrip r = ch06::pad_packed_round_trip(spec, {4, 1, 6, 3});
      table.add_row({upper(ch06::cell_type_name(cell)), std::string(bidirectional ? "true" : "false"),
                     std::string(r.input_restored ? "yes" : "NO"), std::string(r.lengths_restored ? "yes" : "NO"),
                     r.padded_values, r.nonzero_padded});
      failures.expect(r.input_restored && r.lengths_restored && r.nonzero_padded == 0 && r.padded_values > 0);
    }
  }
  std::cout << table.to_text() << "Outputs at padded steps come back as exactly 0 (the padding_value), never as "
                                  "a state the layer computed.\n";
}

struct Distribution {
  std::string name;
  std::string key;  // in the facts: "names" or "long"
  std::vector<std::int64_t> lengths;
};

std::string length_summary(const std::vector<std::int64_t>& lengths) {
  std::vector<std::int64_t> s = lengths;
  std::sort(s.begin(), s.end());
  double mean = 0;
  for (auto l : s) mean += static_cast<double>(l);
  mean /= static_cast<double>(s.size());
  return fmt::format("min {}, median {}, mean {:.1f}, max {}", s.front(), s[s.size() / 2], mean, s.back());
}

// The three strategies' medians for one distribution and one pass, and their ratios.
struct TimingRow {
  std::string distribution, key, pass;  // pass: "forward" or "forward+backward"
  double padded_ms = 0, packed_ms = 0, bucketed_ms = 0;
};

// Times the strategies on both distributions; prints each distribution's lengths and how many steps
// a padded batch computes per real one.
std::vector<TimingRow> measure(const Options& o, book::RunContext& run, book::Facts& facts) {
  ch06::TimingSetup setup;
  setup.cell = ch06::parse_cell_type(o.model_type);
  setup.input_size = o.input_size;
  setup.hidden_size = o.hidden_size;
  setup.batch_size = o.batch_size;
  setup.repeats = o.repeats;
  std::vector<Distribution> distributions = {
      {"names", "names", ch06::names_lengths(o.samples, run.rng)},
      {"long-tailed", "long", ch06::long_tailed_lengths(o.samples, o.max_length, run.rng)}};
  std::vector<TimingRow> rows;
  for (const auto& d : distributions) {
    book::ProgressBar bar("timing " + d.name, o.repeats + 1);
    const std::vector<ch06::StrategyTiming> t =
        ch06::time_strategies(d.lengths, setup, [&](int done, int) { bar.update(done); });
    bar.finish();
    const double waste = static_cast<double>(t[0].computed_steps) / static_cast<double>(t[0].real_steps);
    std::cout << fmt::format("{} lengths: {}; a padded batch computes {} steps per real step\n", d.name,
                             length_summary(d.lengths), facts.put(d.key + "_steps", fmt::format("{:.2f}", waste)));
    for (bool train : {false, true}) {
      auto ms = [&](const ch06::StrategyTiming& s) { return 1000.0 * (train ? s.train_s : s.forward_s); };
      rows.push_back({d.name, d.key, train ? "forward+backward" : "forward", ms(t[0]), ms(t[1]), ms(t[2])});
    }
  }
  return rows;
}

// The table of medians and ratios; records each ratio as printed ("<names|long>_<fwd|train>_<which>").
book::Table timing_table(const std::vector<TimingRow>& rows, book::Facts& facts) {
  book::Table table({"lengths", "pass", "padded ms", "packed ms", "bucketed ms", "packed / padded",
                     "bucketed / padded", "bucketed / packed"}, 3);
  for (const auto& r : rows) {
    table.add_row({r.distribution, r.pass, r.padded_ms, r.packed_ms, r.bucketed_ms, r.packed_ms / r.padded_ms,
                   r.bucketed_ms / r.padded_ms, r.bucketed_ms / r.packed_ms});
    const std::size_t i = table.rows().size() - 1;
    const std::string key = r.key + (r.pass == "forward" ? "_fwd_" : "_train_");
    facts.put(key + "packed", table.text(i, 5));
    facts.put(key + "bucketed", table.text(i, 6));
    facts.put(key + "bucketed_packed", table.text(i, 7));
  }
  return table;
}

// [verdict]
// This run's verdict, in words computed from its own ratios (a tie within kSpeedTie).
void print_verdicts(const std::vector<TimingRow>& rows) {
  std::cout << fmt::format("In this run (times within {:.0f} % of each other count as a tie):\n",
                           100 * ch06::kSpeedTie);
  for (const auto& r : rows) {
    std::cout << fmt::format("  {:<31} packed is {} padded; bucketed is {} padded, and {} packed\n",
                             r.distribution + ", " + r.pass + ":",
                             ch06::speed_words(r.packed_ms / r.padded_ms),
                             ch06::speed_words(r.bucketed_ms / r.padded_ms),
                             ch06::speed_words(r.bucketed_ms / r.packed_ms));
  }
}
// [verdict]

// The figure: one bar group per (distribution, pass), the three strategies' times relative to padding.
void plot_ratios(const std::vector<TimingRow>& rows, const std::string& model_type, const book::fs::path& out_dir) {
  book::Table plot({"case", "padded", "packed", "bucketed"}, 6);
  for (const auto& r : rows) {
    // No commas in the label: the CSV is read by gnuplot with ',' as the separator.
    plot.add_row({r.distribution + (r.pass == "forward" ? " fwd" : " fwd+bwd"), 1.0, r.packed_ms / r.padded_ms,
                  r.bucketed_ms / r.padded_ms});
  }
  const auto plot_csv = out_dir / "packing_ratios.csv";
  plot.save_csv(plot_csv);
  // The key stays where book::plot_svg puts it (below the plot, outside): a "set key top" here
  // would contradict it and make gnuplot warn.
  const auto svg = book::plot_svg(
      "set style data histograms\nset style histogram clustered gap 1\nset style fill solid 0.8 border -1\n"
      "set boxwidth 0.9\nset grid ytics\nset yrange [0:1.2<*]\n"
      "set ylabel 'time of a pass (padded = 1)'\nset title 'Padded vs packed vs length-bucketed batches (" +
          upper(model_type) + ")'\n"
          "plot 'packing_ratios.csv' using 2:xtic(1) skip 1 title 'padded', '' using 3 skip 1 title 'packed', "
          "'' using 4 skip 1 title 'bucketed'\n",
      out_dir / "packing_ratios.svg");
  std::cout << "Wrote " << plot_csv.string() << '\n';
  if (svg) std::cout << "Wrote " << svg->string() << '\n';
}

void show_timing(const Options& o, book::RunContext& run, const book::fs::path& out_dir, book::Facts& facts) {
  std::cout << fmt::format("\n== 4. What packing costs and saves: {} (input {}, H {}), {} sequences in batches of {} ==\n",
                           upper(o.model_type), o.input_size, o.hidden_size, o.samples, o.batch_size)
            << "padded:   batches in random order, padded to their longest sequence, not packed (final state gathered)\n"
            << "packed:   the same batches, packed (enforce_sorted = false; packing is inside the timed pass)\n"
            << "bucketed: sequences sorted by length, then cut into batches and padded (final state gathered)\n"
            << fmt::format("Medians of {} passes over all sequences, the strategies taking turns; forward without "
                           "gradients, and forward + backward.\n", o.repeats);
  const std::vector<TimingRow> rows = measure(o, run, facts);
  const book::Table table = timing_table(rows, facts);
  std::cout << table.to_text() << "A ratio below 1: the first strategy named is the faster.\n";
  print_verdicts(rows);
  std::cout.flush();  // gnuplot writes to the same terminal
  book::Table csv({"distribution", "pass", "strategy", "median_ms", "ratio_to_padded"}, 6);
  for (const auto& r : rows) {
    for (auto [name, ms] : std::vector<std::pair<std::string, double>>{
             {"padded", r.padded_ms}, {"packed", r.packed_ms}, {"bucketed", r.bucketed_ms}}) {
      csv.add_row({r.distribution, r.pass, name, ms, ms / r.padded_ms});
    }
  }
  const auto csv_path = out_dir / "packing_timing.csv";
  csv.save_csv(csv_path);
  std::cout << "Wrote " << csv_path.string() << '\n';
  plot_ratios(rows, o.model_type, out_dir);
}

void show_errors(Failures& failures) {
  std::cout << "\n== 5. Bad lengths: what LibTorch raises, and what ch06::check_lengths says first ==\n"
            << "A batch of 3 sequences padded to 4 steps. LibTorch's messages are caught as c10::Error.\n";
  // [errors]
  const std::vector<ch06::PackingErrorCase> cases = ch06::packing_error_cases();
  for (const ch06::PackingErrorCase& c : cases) {
    std::cout << "* " << c.what << " (enforce_sorted = " << (c.enforce_sorted ? "true" : "false") << ")\n"
              << "  LibTorch:       " << (c.libtorch.empty() ? "packs without error" : c.libtorch) << '\n'
              << "  check_lengths:  " << (c.our_check.empty() ? "accepts it" : c.our_check) << '\n';
  }
  // [errors]
  failures.expect(!cases[0].libtorch.empty() && !cases[0].our_check.empty());
  failures.expect(!cases[1].libtorch.empty() && !cases[1].our_check.empty());
  failures.expect(!cases[2].libtorch.empty());
  std::cout << "Zero lengths: LibTorch cannot pack a sequence with no steps; drop it, or give it one pad step.\n"
            << "Device: the lengths are read on the CPU while the data may live on a GPU, so LibTorch insists on\n"
            << "lengths on the CPU (of any integer type: it converts them to int64 first). "
            << (torch::cuda::is_available()
                                              ? "This machine has CUDA: the case above used cuda lengths.\n"
                                              : "This machine has no CUDA; lengths on the 'meta' device (shapes only, no "
                                                "data) trip the same CPU check\nthat CUDA lengths trip on a GPU machine.\n")
            << "Unsorted lengths need enforce_sorted = false (or sort the batch yourself first).\n";
}

// Sizes whose tensors would not fit are refused before anything is allocated: the sequences of one
// distribution (at most --samples x --max_length x --input_size values), plus one padded batch's
// activations kept for the backward pass (about 8 values per hidden unit and step: an LSTM's four
// gates, its cell and hidden states, and their gradients).
constexpr std::int64_t kMaxValues = 250'000'000;  // 1 GB of float32

void check_flags(const Options& o) {
  const std::int64_t values =
      o.samples * o.max_length * o.input_size + o.batch_size * o.max_length * (8 * o.hidden_size + o.input_size);
  if (values > kMaxValues) {
    throw book::UsageError("--samples/--batch_size/--input_size/--hidden_size/--max_length give " +
                           book::with_thousands(values) + " values of data and activations; the limit is " +
                           book::with_thousands(kMaxValues));
  }
}

int run(const Options& o) {
  const book::fs::path out_dir = o.common.out_dir;
  book::ensure_writable_dir(out_dir);
  book::RunContext run = book::start_run(o.common, /*force_cpu=*/true);
  std::cout << fmt::format("Threads: torch {}, BLAS {} | {}\n\n", run.threads.torch_threads, run.threads.blas_threads,
                           run.threads.blas);
  Failures failures;
  book::Facts facts;  // the numbers the page quotes, as printed
  show_demo();
  show_final_states(failures, facts);
  show_round_trip(failures);
  show_timing(o, run, out_dir, facts);
  show_errors(failures);
  facts.write(out_dir);
  if (failures.count > 0) throw std::runtime_error(std::to_string(failures.count) + " packing checks failed");
  return book::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  book::Cli app{"Program 06: packed sequences: pad -> pack -> run -> unpack, right and wrong final states, the "
               "round trip, padded vs packed vs length-bucketed timing, and bad-lengths errors.",
               "ch06_06_packed_sequences"};
  Options options;
  add_flags(app, options);
  return book::run_program(app, argc, argv, [&] {
    check_flags(options);
    return run(options);
  });
}
