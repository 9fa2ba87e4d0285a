// Self-checks of program 09 (chapters/06_rnn_lstm_seq/09_clipping_masking.cpp): the exploding set-up
// reaches a non-finite loss without clipping and trains with clip_grad_norm_; norm clipping keeps the
// direction and caps the norm, value clipping does neither; the masked loss ignores padding exactly
// (the 4, 2, 0 check, ignore_index, zero gradients at pads); without a mask the tagger learns to
// answer PAD on real positions.
#include "book/files.h"
#include "lib/clipping.h"
#include "lib/masking.h"
#include "process.h"

#include <doctest/doctest.h>

#include <cmath>

using namespace ch06;
using book::test::ProcessResult;
using book::test::TempDir;

namespace {

double cosine(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.dot(b) / (a.norm() * b.norm())).item<double>();
}

}  // namespace

TEST_CASE("exploding set-up: without clipping the loss becomes non-finite within a few steps") {
  ExplodingConfig c;  // the program's defaults
  c.steps = 20;
  const ExplodingRun run = run_exploding(c);
  REQUIRE(run.first_non_finite > 0);
  CHECK(run.first_non_finite <= 5);
  CHECK_FALSE(std::isfinite(run.steps.back().loss));
  CHECK(run.steps.size() == static_cast<std::size_t>(run.first_non_finite));  // it stops there, it does not throw
  // Before it broke, the gradient was already far beyond any sane step: lr · ‖g‖ ≫ 1.
  CHECK(run.steps.front().grad_norm * c.lr > 10.0);
  // Without clipping the gradient used is the gradient computed.
  CHECK(run.steps.front().applied_norm == doctest::Approx(run.steps.front().grad_norm));
}

TEST_CASE("exploding set-up: with clip_grad_norm_ the same run stays finite and learns") {
  ExplodingConfig c;
  c.steps = 100;
  c.max_norm = 1.0;
  std::vector<StepRecord> seen;
  const ExplodingRun run = run_exploding(c, [&](const StepRecord& r) { seen.push_back(r); });
  REQUIRE(run.first_non_finite == 0);
  REQUIRE(run.steps.size() == 100);
  CHECK(seen.size() == 100);  // the callback saw every step
  int clipped_steps = 0;
  for (const auto& r : run.steps) {
    CHECK(std::isfinite(r.loss));
    CHECK(r.applied_norm <= c.max_norm * (1 + 1e-5));  // the norm the optimiser used is capped
    if (r.grad_norm > c.max_norm) {
      ++clipped_steps;
      CHECK(r.applied_norm == doctest::Approx(c.max_norm).epsilon(1e-5));
    } else {
      CHECK(r.applied_norm == doctest::Approx(r.grad_norm));
    }
  }
  CHECK(clipped_steps > 10);  // clipping was at work, not idle
  // Same weights and data as the unclipped run: the first step's gradient is the same one.
  ExplodingConfig plain = c;
  plain.max_norm = 0;
  plain.steps = 1;
  CHECK(run_exploding(plain).steps.front().grad_norm == doctest::Approx(run.steps.front().grad_norm));
  // Learning: the mean loss of the last 10 steps is below chance (ln 2) and below the first loss.
  double tail = 0;
  for (std::size_t i = 90; i < 100; ++i) tail += run.steps[i].loss / 10.0;
  CHECK(tail < std::log(2.0));
  CHECK(tail < run.steps.front().loss);
}

TEST_CASE("one clipped step along the first gradient overshoots: a step 100 times shorter lowers the loss") {
  // The page's explanation of the clipped run's jump at step 2, on the program's defaults.
  ExplodingConfig c;
  c.steps = 1;
  const StepRecord first = run_exploding(c).steps.front();
  const double capped = c.lr * 1.0;  // the clipped run's first step: lr times the threshold 1
  const auto probes = probe_first_step(c, {0.0, capped / 100, capped, c.lr * first.grad_norm});
  REQUIRE(probes.size() == 4);
  CHECK(probes[0].loss == doctest::Approx(first.loss).epsilon(1e-6));  // s = 0 is the start
  CHECK(probes[1].loss < probes[0].loss);                               // a short step helps...
  CHECK(probes[2].loss > 10 * probes[0].loss);                          // ...the capped one overshoots
  CHECK(probes[2].largest_state > 2 * probes[0].largest_state);         // through larger states
  CHECK(probes[2].largest_logit > 10 * probes[0].largest_logit);
  CHECK_FALSE(std::isfinite(probes[3].loss));  // the unclipped step leaves the numbers behind
  // The clipped run itself: the jump at step 2, and back below the start by step 4.
  c.steps = 4;
  c.max_norm = 1.0;
  const ExplodingRun run = run_exploding(c);
  CHECK(run.steps[1].loss > 10 * run.steps[0].loss);
  CHECK(run.steps[3].loss < run.steps[0].loss);
}

TEST_CASE("the first gradient tensor by tensor adds up to the global norm") {
  ExplodingConfig c;
  c.steps = 1;
  const double global = run_exploding(c).steps.front().grad_norm;
  double sum = 0;
  const auto parts = first_gradient_by_tensor(c);
  CHECK(parts.size() == 6);  // the RNN's four tensors and the head's two
  for (const auto& [name, norm] : parts) sum += norm * norm;
  CHECK(std::sqrt(sum) == doctest::Approx(global).epsilon(1e-6));
  CHECK(parts[1].first == "rnn.weight_hh_l0");
}

TEST_CASE("the global gradient norm is what clip_grad_norm_ reports") {
  const auto gradient = first_exploding_gradient(ExplodingConfig{});
  std::vector<torch::Tensor> params;
  double sum = 0;
  for (const auto& g : gradient) {
    torch::Tensor p = torch::zeros_like(g).set_requires_grad(true);
    p.mutable_grad() = g.clone();
    params.push_back(p);
    sum += g.to(torch::kFloat64).pow(2).sum().item<double>();
  }
  const double ours = global_grad_norm(params);
  CHECK(ours == doctest::Approx(std::sqrt(sum)));
  const double torchs = torch::nn::utils::clip_grad_norm_(params, 1e30);
  CHECK(ours == doctest::Approx(torchs).epsilon(1e-5));
}

TEST_CASE("norm clipping keeps the direction and caps the global norm, value clipping changes the direction") {
  // A gradient whose two entries differ tenfold: (10, 1), threshold 1 for both kinds.
  const ClipComparison toy = compare_clipping({torch::tensor({10.0, 1.0})}, 1.0, 1.0);
  CHECK(toy.norm_before == doctest::Approx(std::sqrt(101.0)));
  CHECK(toy.cosine_norm_clip == doctest::Approx(1.0).epsilon(1e-9));
  CHECK(toy.norm_after_norm_clip == doctest::Approx(1.0).epsilon(1e-5));
  // Value clipping gives (1, 1): cosine (10 + 1) / (√101 · √2), norm √2 (above the threshold 1).
  CHECK(toy.cosine_value_clip == doctest::Approx(11.0 / (std::sqrt(101.0) * std::sqrt(2.0))));
  CHECK(toy.norm_after_value_clip == doctest::Approx(std::sqrt(2.0)));
  CHECK(toy.max_abs_after_value_clip == doctest::Approx(1.0));

  // A real exploding gradient, spread over several parameter tensors.
  const auto gradient = first_exploding_gradient(ExplodingConfig{});
  const ClipComparison real = compare_clipping(gradient, 1.0, 1.0);
  REQUIRE(real.norm_before > 1.0);
  CHECK(real.cosine_norm_clip == doctest::Approx(1.0).epsilon(1e-6));
  CHECK(real.norm_after_norm_clip == doctest::Approx(1.0).epsilon(1e-5));
  CHECK(real.cosine_value_clip < 0.99);
  CHECK(real.max_abs_after_value_clip <= 1.0);

  // A gradient already under the threshold is left alone by norm clipping.
  const ClipComparison small = compare_clipping({torch::tensor({0.3, -0.4})}, 1.0, 10.0);
  CHECK(small.norm_after_norm_clip == doctest::Approx(0.5));
  CHECK(small.cosine_value_clip == doctest::Approx(1.0));

  // Checked independently of compare_clipping: clip a copy by hand-computed scale.
  torch::Tensor p = torch::zeros({3}).set_requires_grad(true);
  p.mutable_grad() = torch::tensor({3.0F, -4.0F, 12.0F});  // norm 13
  const double before = torch::nn::utils::clip_grad_norm_(std::vector<torch::Tensor>{p}, 6.5);
  CHECK(before == doctest::Approx(13.0));
  CHECK(torch::allclose(p.grad(), torch::tensor({1.5F, -2.0F, 6.0F}), 1e-5, 1e-6));
  CHECK(cosine(p.grad(), torch::tensor({3.0F, -4.0F, 12.0F})) == doctest::Approx(1.0));
}

TEST_CASE("masked loss: three identical sequences with valid lengths 4, 2, 0 sum in the ratio 2 : 1 : 0") {
  torch::manual_seed(3);
  const torch::Tensor logits = torch::randn({kTagCount}).expand({3, 4, kTagCount});  // same at every step
  const torch::Tensor targets = torch::full({3, 4}, 1, torch::kInt64);
  const torch::Tensor mask = sequence_mask(torch::tensor({4, 2, 0}, torch::kInt64), 4);
  const MaskedLoss loss = masked_cross_entropy(logits, targets, mask);
  const double per_token = token_losses(logits, targets)[0][0].item<double>();
  REQUIRE(per_token > 0);
  CHECK(loss.per_sequence[0].item<double>() == doctest::Approx(4 * per_token));
  CHECK(loss.per_sequence[1].item<double>() == doctest::Approx(2 * per_token));
  CHECK(loss.per_sequence[2].item<double>() == 0.0);
  CHECK(loss.per_sequence[0].item<double>() / loss.per_sequence[1].item<double>() == doctest::Approx(2.0));
  CHECK(loss.mean.item<double>() == doctest::Approx(per_token));  // sum over 6 real positions / 6
  // No real position at all: the mean is 0, not nan.
  const MaskedLoss none = masked_cross_entropy(logits, targets, torch::zeros({3, 4}, torch::kBool));
  CHECK(none.mean.item<double>() == 0.0);
}

TEST_CASE("ignore_index gives the same loss as the manual mask, and the unmasked loss differs") {
  book::Rng rng(9);
  const TaggingBatch b = make_tagging_batch(16, 12, rng);
  torch::manual_seed(9);
  const torch::Tensor logits = torch::randn({16, 12, kTagCount});
  const double manual = masked_cross_entropy(logits, b.targets, b.mask).mean.item<double>();
  const double ignored = ignore_index_cross_entropy(logits, b.targets).item<double>();
  CHECK(manual == doctest::Approx(ignored).epsilon(1e-6));
  // By hand: the mean of the per-token losses at the real positions.
  const torch::Tensor real_losses = token_losses(logits, b.targets).masked_select(b.mask);
  CHECK(manual == doctest::Approx(real_losses.mean().item<double>()).epsilon(1e-6));
  REQUIRE(b.mask.logical_not().any().item<bool>());  // there is padding in this batch
  CHECK(std::abs(unmasked_cross_entropy(logits, b.targets).item<double>() - manual) > 1e-3);
}

TEST_CASE("the masked loss sends no gradient to padded positions") {
  book::Rng rng(4);
  const TaggingBatch b = make_tagging_batch(6, 10, rng);
  const torch::Tensor logits = torch::randn({6, 10, kTagCount}).set_requires_grad(true);
  masked_cross_entropy(logits, b.targets, b.mask).mean.backward();
  const torch::Tensor grad_norm = logits.grad().abs().sum(-1);  // [B, T]
  CHECK(grad_norm.masked_select(b.mask.logical_not()).abs().max().item<double>() == 0.0);
  CHECK(grad_norm.masked_select(b.mask).min().item<double>() > 0.0);
}

TEST_CASE("the tagging task: digits padded with 0, running-sum tags, PAD tag at padding") {
  CHECK(running_sum_tags({1, 2, 0, 4}) == std::vector<std::int64_t>{2, 1, 1, 2});  // sums 1, 3, 3, 7
  book::Rng rng(2);
  const TaggingBatch b = make_tagging_batch(200, 15, rng);
  REQUIRE(b.inputs.sizes() == torch::IntArrayRef({200, 15}));
  CHECK(b.lengths.min().item<std::int64_t>() >= 1);
  CHECK(b.lengths.max().item<std::int64_t>() <= 15);
  CHECK(torch::equal(b.mask.sum(1), b.lengths));
  const torch::Tensor pad = b.mask.logical_not();
  CHECK(b.inputs.masked_select(pad).abs().sum().item<std::int64_t>() == 0);         // padded with the digit 0
  CHECK(torch::all(b.targets.masked_select(pad).eq(kPadTag)).item<bool>());         // tagged PAD
  CHECK(torch::all(b.targets.masked_select(b.mask).ge(1)).item<bool>());            // real tags are 1..3
  CHECK(b.inputs.masked_select(b.mask).eq(0).any().item<bool>());                   // real zeros exist
  for (std::int64_t i = 0; i < 5; ++i) {
    const auto n = b.lengths[i].item<std::int64_t>();
    std::vector<std::int64_t> digits;
    for (std::int64_t t = 0; t < n; ++t) digits.push_back(b.inputs[i][t].item<std::int64_t>());
    const auto tags = running_sum_tags(digits);
    for (std::int64_t t = 0; t < n; ++t) CHECK(b.targets[i][t].item<std::int64_t>() == tags[static_cast<std::size_t>(t)]);
  }
}

TEST_CASE("without a mask the tagger learns to predict padding on real positions") {
  TaggingConfig c;  // the program's defaults: 300 steps of 64 sequences of up to 20 digits
  c.eval_every = c.steps;
  const TaggingRun masked = train_tagger(c, true);
  const TaggingRun unmasked = train_tagger(c, false);
  const TaggingScores& m = masked.curve.back().eval;
  const TaggingScores& u = unmasked.curve.back().eval;
  MESSAGE("masked: acc " << m.real_accuracy << " PAD " << m.predicted_pad << "; unmasked: acc " << u.real_accuracy
                         << " PAD " << u.predicted_pad << " zeros as PAD " << u.zeros_as_pad);
  // The masked tagger never had a PAD target, so it never answers PAD, and it learns the task.
  CHECK(m.predicted_pad == 0.0);
  CHECK(m.real_accuracy > 98.0);
  // Lengths are uniform in 1..20. A 0 at position t after t − 1 real digits is padding with probability
  // 1/(22 − t) and a real zero with probability 0.1·(21 − t)/(22 − t): from position 12 on PAD is the
  // likelier answer, so even the best unmasked tagger answers PAD there. Those positions are 2.25 of the
  // 10.5 real positions of a sequence on average, so about 21 % of real zeros and 2.1 % of all real
  // positions. The thresholds below are half of that.
  CHECK(u.predicted_pad >= 1.0);
  CHECK(u.zeros_as_pad >= 10.0);
  CHECK(u.real_accuracy < m.real_accuracy - 1.0);
  // The unmasked run learned the padding itself.
  CHECK(u.padding_as_pad > 90.0);
  // The loss over all positions ranks the two taggers the wrong way round: the masked tagger, better on
  // every real position, was never asked to predict PAD and scores worse on it.
  CHECK(m.masked_loss < u.masked_loss);
  CHECK(m.unmasked_loss > u.unmasked_loss);
}

TEST_CASE("the program: three parts, CSVs and figures, a NaN shown, bad flags refused") {
  TempDir dir("p09");
  const ProcessResult r = book::test::run_process({book::test::program("ch06_09_clipping_masking"), "--steps", "30",
                                                   "--tag_steps", "30", "--out_dir", dir.path().string()});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const auto became = r.out.find("Without clipping the loss became ");
  REQUIRE(became != std::string::npos);
  const std::string value = r.out.substr(became + 33, 3);
  CHECK((value == "nan" || value == "inf"));
  CHECK(r.out.find("ratio 2.0000 : 1 : 0.0000") != std::string::npos);
  for (const char* f : {"exploding_gradients.csv", "norm_vs_value.csv", "masking_accuracy.csv", "masking_summary.csv"}) {
    CHECK(book::fs::exists(dir / "results" / f));
  }
  const std::string csv = book::read_file(dir / "results" / "exploding_gradients.csv");
  CHECK(book::test::count_lines(csv) == 31);  // header + one row per step
  CHECK((csv.find("," + value + ",") != std::string::npos));

  const ProcessResult bad = book::test::run_process(
      {book::test::program("ch06_09_clipping_masking"), "--max_norm", "0", "--out_dir", (dir / "bad").string()});
  CHECK(bad.exit_code == 2);
  CHECK(book::test::count_lines(bad.err) == 1);
  CHECK(bad.err.find("--max_norm") != std::string::npos);
  CHECK_FALSE(book::fs::exists(dir / "bad"));
}
