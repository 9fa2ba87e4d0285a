#include "lib/g2p_model.h"

#include "lib/fused_rnn.h"

#include <ATen/CPUGeneratorImpl.h>

#include "book/progress.h"
#include "book/timer.h"
#include "book/train.h"
#include "book/torch_utils.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <future>
#include <optional>
#include <stdexcept>

namespace ch06 {

namespace rnn_utils = torch::nn::utils::rnn;

G2PPath parse_g2p_path(const std::string& name) {
  if (name == "modules") return G2PPath::kModules;
  if (name == "fused") return G2PPath::kFused;
  throw std::invalid_argument("unknown path '" + name + "'; choose fused or modules");
}

std::int64_t encoder_width(const G2PConfig& c) {
  return c.encoder_dim > 0 ? c.encoder_dim : c.hidden_dim;
}

std::int64_t g2p_parameter_count(const G2PConfig& c) {
  const std::int64_t e = c.embed_dim;
  const std::int64_t h = c.hidden_dim;
  const std::int64_t he = encoder_width(c);
  const auto lstm = [e](std::int64_t width) { return 4 * (width * e + width * width + 2 * width); };
  return kLetterVocabSize * e + 2 * lstm(he) + 2 * (2 * he * h + h) + kPhonemeVocabSize * e +
         lstm(h) + h * kPhonemeVocabSize + kPhonemeVocabSize;
}

G2PBatch collate_g2p(const std::vector<Pronunciation>& data, const std::vector<std::size_t>& rows) {
  const auto batch = static_cast<std::int64_t>(rows.size());
  std::size_t max_letters = 0;
  std::size_t max_targets = 0;
  for (auto r : rows) {
    max_letters = std::max(max_letters, data[r].word.size());
    max_targets = std::max(max_targets, data[r].phonemes.size() + 1);  // + <eos>
  }
  G2PBatch out;
  out.letters = torch::full({batch, static_cast<std::int64_t>(max_letters)}, kLetterPad, torch::kInt64);
  out.targets = torch::full({batch, static_cast<std::int64_t>(max_targets)}, kPhonemePad, torch::kInt64);
  out.lengths = torch::empty({batch}, torch::kInt64);
  auto* letters = out.letters.data_ptr<std::int64_t>();
  auto* targets = out.targets.data_ptr<std::int64_t>();
  auto* lengths = out.lengths.data_ptr<std::int64_t>();
  out.references.reserve(rows.size());
  for (std::int64_t b = 0; b < batch; ++b) {
    const Pronunciation& p = data[rows[static_cast<std::size_t>(b)]];
    const std::vector<std::int64_t> ids = encode_letters(p.word);
    // std::copy, not memcpy: a word to predict has no phonemes yet, and memcpy from an empty
    // vector's null data() is undefined behaviour even for zero bytes (UBSan reports it).
    std::copy(ids.begin(), ids.end(), letters + b * static_cast<std::int64_t>(max_letters));
    std::int64_t* row = targets + b * static_cast<std::int64_t>(max_targets);
    std::copy(p.phonemes.begin(), p.phonemes.end(), row);
    row[p.phonemes.size()] = kPhonemeEos;
    lengths[b] = static_cast<std::int64_t>(ids.size());
    out.references.push_back(p.phonemes);
  }
  return out;
}

G2PModelImpl::G2PModelImpl(const G2PConfig& config) : config_(config) {
  const std::int64_t e = config.embed_dim;
  const std::int64_t h = config.hidden_dim;
  const std::int64_t he = encoder_width(config);
  letter_embedding_ = register_module(
      "letter_embedding", torch::nn::Embedding(torch::nn::EmbeddingOptions(kLetterVocabSize, e).padding_idx(kLetterPad)));
  encoder_ = register_module(
      "encoder", torch::nn::LSTM(torch::nn::LSTMOptions(e, he).batch_first(true).bidirectional(true)));
  bridge_h_ = register_module("bridge_h", torch::nn::Linear(2 * he, h));
  bridge_c_ = register_module("bridge_c", torch::nn::Linear(2 * he, h));
  phoneme_embedding_ = register_module(
      "phoneme_embedding",
      torch::nn::Embedding(torch::nn::EmbeddingOptions(kPhonemeVocabSize, e).padding_idx(kPhonemePad)));
  decoder_ = register_module("decoder", torch::nn::LSTMCell(torch::nn::LSTMCellOptions(e, h)));
  output_ = register_module("output", torch::nn::Linear(h, kPhonemeVocabSize));
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout));
}

G2PPath G2PModelImpl::path() const {
  // Without gradients (evaluation, decoding) the modules are as fast or faster: the fused path's
  // gain is its backward pass (bench_g2p_paths: evaluation 0.93x with the fused path).
  const bool fused_pays = letter_embedding_->weight.device().is_cpu() && torch::GradMode::is_enabled();
  return fused_pays ? path_ : G2PPath::kModules;
}

// [encode]
DecoderState G2PModelImpl::encode(const torch::Tensor& letters, const torch::Tensor& lengths) {
  const torch::Tensor embedded = dropout_(letter_embedding_(letters));  // [B, S, E]
  const auto packed = rnn_utils::pack_padded_sequence(embedded, lengths, /*batch_first=*/true,
                                                      /*enforce_sorted=*/false);
  torch::Tensor h_both;  // [B, 2H]: forward state after the last letter, backward after the first
  torch::Tensor c_both;
  if (path() == G2PPath::kModules) {
    const auto [h_n, c_n] =
        std::get<1>(encoder_->forward_with_packed_input(packed));  // [2, B, H] each
    h_both = torch::cat({h_n[0], h_n[1]}, /*dim=*/1);
    c_both = torch::cat({c_n[0], c_n[1]}, /*dim=*/1);
  } else {
    const auto params = encoder_->named_parameters();
    const auto weights = [&](const std::string& suffix) {
      return RecurrentWeights{params["weight_ih_l0" + suffix], params["weight_hh_l0" + suffix],
                              params["bias_ih_l0" + suffix], params["bias_hh_l0" + suffix]};
    };
    const auto [forward, backward] = fused_bidirectional_run(
        CellType::kLstm, packed.data(), weights(""), weights("_reverse"), packed.batch_sizes());
    // The fused runs keep the packed (longest-first) order; back to the batch's order.
    const torch::Tensor& order = packed.unsorted_indices();
    h_both = torch::cat({forward.h_n, backward.h_n}, /*dim=*/1).index_select(0, order);
    c_both = torch::cat({forward.c_n, backward.c_n}, /*dim=*/1).index_select(0, order);
  }
  return {torch::tanh(bridge_h_(h_both)), bridge_c_(c_both)};
}
// [encode]

namespace {

// The decoder LSTMCell's weights, named as the fused path wants them.
RecurrentWeights cell_weights(const torch::nn::LSTMCell& cell) {
  return {cell->weight_ih, cell->weight_hh, cell->bias_ih, cell->bias_hh};
}

}  // namespace

// [decode_step]
torch::Tensor G2PModelImpl::decode_step(const torch::Tensor& previous, DecoderState& state) {
  const torch::Tensor input = dropout_(phoneme_embedding_(previous));  // [B, E]
  if (path() == G2PPath::kModules) {
    std::tie(state.h, state.c) = decoder_->forward(input, std::make_tuple(state.h, state.c));
  } else {  // one step of every row: a packed "sequence" of length 1
    const auto one_step = torch::full({1}, input.size(0), torch::kInt64);
    const FusedRun run =
        fused_recurrent_run(CellType::kLstm, input, cell_weights(decoder_), one_step,
                            /*reverse=*/false, state.h, state.c);
    state = {run.h_n, run.c_n};
  }
  return output_(dropout_(state.h));  // [B, 42]
}
// [decode_step]

// [decode_sequence]
torch::Tensor G2PModelImpl::decode_sequence(const torch::Tensor& previous,
                                            const DecoderState& state) {
  const std::int64_t rows = previous.size(0);
  const std::int64_t steps = previous.size(1);
  if (path() == G2PPath::kModules) {
    DecoderState running = state;
    std::vector<torch::Tensor> logits;
    for (std::int64_t t = 0; t < steps; ++t)
      logits.push_back(decode_step(previous.select(1, t), running));
    return torch::stack(logits, /*dim=*/1);  // [B, T, 42]
  }
  // Time-major rows, every row active at every step: packed data with batch sizes B, B, ..., B.
  const torch::Tensor inputs =
      dropout_(phoneme_embedding_(previous.t().contiguous())).reshape({steps * rows, -1});
  const FusedRun run = fused_recurrent_run(CellType::kLstm, inputs, cell_weights(decoder_),
                                           torch::full({steps}, rows, torch::kInt64),
                                           /*reverse=*/false, state.h, state.c);
  const torch::Tensor outputs = run.output.view({steps, rows, -1}).transpose(0, 1);  // [B, T, H]
  return output_(dropout_(outputs));                                                 // [B, T, 42]
}
// [decode_sequence]

void G2PModelImpl::pretty_print(std::ostream& stream) const {
  stream << "G2PModel(letters " << kLetterVocabSize << " -> embedding " << config_.embed_dim
         << " -> bidirectional LSTM " << encoder_width(config_) << " -> bridge -> LSTMCell " << config_.hidden_dim
         << " -> Linear " << kPhonemeVocabSize << " phoneme ids, dropout " << config_.dropout << ")";
}

torch::Tensor greedy_token(const torch::Tensor& logits) {
  return logits.slice(/*dim=*/1, kPhonemeEos).argmax(1) + kPhonemeEos;
}

// [scheduled]
torch::Tensor decode_scheduled(G2PModel& model, const G2PBatch& batch, double ratio,
                               c10::optional<at::Generator> coins) {
  const torch::Device device = model->parameters().front().device();
  DecoderState state = model->encode(batch.letters.to(device), batch.lengths);
  const torch::Tensor targets = batch.targets.to(device);
  const std::int64_t rows = targets.size(0);
  const std::int64_t steps = targets.size(1);
  torch::Tensor previous =
      torch::full({rows}, kPhonemeSos, torch::TensorOptions(torch::kInt64).device(device));
  if (ratio >= 1.0) {  // teacher forcing: every input is known, so the decoder runs as one sequence
    const torch::Tensor inputs =
        torch::cat({previous.unsqueeze(1), targets.narrow(1, 0, steps - 1)}, /*dim=*/1);  // [B, T]
    return model->decode_sequence(inputs, state);
  }
  std::vector<torch::Tensor> logits;
  logits.reserve(static_cast<std::size_t>(steps));
  for (std::int64_t t = 0; t < steps; ++t) {
    const torch::Tensor step_logits = model->decode_step(previous, state);
    logits.push_back(step_logits);
    if (t + 1 == steps) break;
    const torch::Tensor truth = targets.select(1, t);  // the phoneme this step should have produced
    const torch::Tensor guess = greedy_token(step_logits.detach());
    if (ratio <= 0.0) {
      previous = guess;  // free running
    } else {             // scheduled sampling: a coin per word
      const torch::Tensor use_truth = torch::rand({rows}, device.is_cpu() ? coins : c10::nullopt,
                                                  torch::TensorOptions().device(device)) < ratio;
      previous = torch::where(use_truth, truth, guess);
    }
  }
  return torch::stack(logits, /*dim=*/1);  // [B, T, 42]
}
// [scheduled]

// [masked_loss]
torch::Tensor masked_cross_entropy(const torch::Tensor& logits, const torch::Tensor& targets) {
  const torch::Tensor per_token = torch::nn::functional::cross_entropy(
      logits.reshape({-1, logits.size(-1)}), targets.reshape({-1}),
      torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));  // [B·T]
  const torch::Tensor mask = targets.reshape({-1}).ne(kPhonemePad).to(per_token.scalar_type());
  return (per_token * mask).sum() / mask.sum().clamp_min(1.0);
}
// [masked_loss]

std::vector<std::vector<std::int64_t>> greedy_decode(G2PModel& model, const G2PBatch& batch,
                                                     torch::Tensor* free_logits) {
  const torch::Device device = model->parameters().front().device();
  DecoderState state = model->encode(batch.letters.to(device), batch.lengths);
  const std::int64_t rows = batch.letters.size(0);
  const std::int64_t target_steps = batch.targets.defined() ? batch.targets.size(1) : 0;
  std::vector<std::int64_t> limit(static_cast<std::size_t>(rows));
  std::int64_t max_steps = 0;
  const auto* lengths = batch.lengths.data_ptr<std::int64_t>();
  for (std::int64_t b = 0; b < rows; ++b) {
    limit[static_cast<std::size_t>(b)] = max_decode_steps(lengths[b]);
    max_steps = std::max(max_steps, limit[static_cast<std::size_t>(b)]);
  }
  if (free_logits != nullptr) max_steps = std::max(max_steps, target_steps);
  std::vector<std::vector<std::int64_t>> out(static_cast<std::size_t>(rows));
  std::vector<bool> done(static_cast<std::size_t>(rows), false);
  std::int64_t remaining = rows;
  std::vector<torch::Tensor> kept;
  torch::Tensor previous = torch::full({rows}, kPhonemeSos, torch::TensorOptions(torch::kInt64).device(device));
  for (std::int64_t t = 0; t < max_steps; ++t) {
    if (remaining == 0 && (free_logits == nullptr || t >= target_steps)) break;
    const torch::Tensor logits = model->decode_step(previous, state);
    if (free_logits != nullptr && t < target_steps) kept.push_back(logits);
    previous = greedy_token(logits);
    const torch::Tensor on_cpu = previous.to(torch::kCPU);
    const auto* ids = on_cpu.data_ptr<std::int64_t>();
    for (std::int64_t b = 0; b < rows; ++b) {
      const auto i = static_cast<std::size_t>(b);
      if (done[i]) continue;
      if (ids[b] != kPhonemeEos) out[i].push_back(ids[b]);
      if (ids[b] == kPhonemeEos || static_cast<std::int64_t>(out[i].size()) >= limit[i]) {
        done[i] = true;
        --remaining;
      }
    }
  }
  if (free_logits != nullptr) *free_logits = torch::stack(kept, /*dim=*/1);
  return out;
}

G2PEval evaluate_g2p(G2PModel& model, const std::vector<Pronunciation>& data, std::int64_t batch_size) {
  model->eval();
  torch::NoGradGuard no_grad;
  book::Timer timer;
  double tf_sum = 0;
  double free_sum = 0;
  double tokens = 0;
  ErrorRates rates;
  const auto size = static_cast<std::size_t>(batch_size);
  std::vector<std::size_t> by_length(data.size());
  for (std::size_t i = 0; i < by_length.size(); ++i) by_length[i] = i;
  std::stable_sort(by_length.begin(), by_length.end(),
                   [&](std::size_t a, std::size_t b) { return data[a].word.size() < data[b].word.size(); });
  for (std::size_t start = 0; start < data.size(); start += size) {
    const std::vector<std::size_t> rows(by_length.begin() + static_cast<long>(start),
                                        by_length.begin() + static_cast<long>(std::min(data.size(), start + size)));
    const G2PBatch batch = collate_g2p(data, rows);
    const double n = batch.targets.ne(kPhonemePad).sum().item<double>();
    const torch::Tensor targets = batch.targets.to(model->parameters().front().device());
    tf_sum += masked_cross_entropy(decode_scheduled(model, batch, 1.0), targets).item<double>() * n;
    torch::Tensor free_logits;
    const auto decoded = greedy_decode(model, batch, &free_logits);
    free_sum += masked_cross_entropy(free_logits, targets).item<double>() * n;
    tokens += n;
    for (std::size_t i = 0; i < decoded.size(); ++i) rates.add(decoded[i], batch.references[i]);
  }
  G2PEval eval;
  eval.tf_loss = tokens > 0 ? tf_sum / tokens : 0.0;
  eval.free_loss = tokens > 0 ? free_sum / tokens : 0.0;
  eval.per = rates.per();
  eval.wer = rates.wer();
  eval.words = rates.words();
  eval.seconds = timer.seconds();
  return eval;
}

std::vector<G2PBatch> make_g2p_batches(const std::vector<Pronunciation>& data, std::int64_t batch_size,
                                       book::Rng& rng) {
  std::vector<std::size_t> order(data.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  book::shuffle(order, rng);
  const auto size = static_cast<std::size_t>(batch_size);
  const std::size_t pool = 16 * size;
  const auto length = [&](std::size_t i) { return data[i].word.size() + data[i].phonemes.size(); };
  for (std::size_t start = 0; start < order.size(); start += pool) {
    const auto end = order.begin() + static_cast<long>(std::min(order.size(), start + pool));
    std::stable_sort(order.begin() + static_cast<long>(start), end,
                     [&](std::size_t a, std::size_t b) { return length(a) < length(b); });
  }
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t start = 0; start < order.size(); start += size) {
    groups.emplace_back(order.begin() + static_cast<long>(start),
                        order.begin() + static_cast<long>(std::min(order.size(), start + size)));
  }
  book::shuffle(groups, rng);
  std::vector<G2PBatch> batches;
  batches.reserve(groups.size());
  for (const auto& g : groups) batches.push_back(collate_g2p(data, g));
  return batches;
}

// [train_step]
double g2p_train_step(G2PModel& model, torch::optim::Optimizer& optimizer, const G2PBatch& batch,
                      double ratio, double max_grad_norm, c10::optional<at::Generator> coins) {
  optimizer.zero_grad();
  const torch::Tensor logits = decode_scheduled(model, batch, ratio, coins);
  const torch::Tensor loss = masked_cross_entropy(logits, batch.targets.to(logits.device()));
  const double value = loss.item<double>();
  if (!std::isfinite(value)) return value;  // no step: the caller reports it
  loss.backward();
  if (max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(model->parameters(), max_grad_norm);
  optimizer.step();
  return value;
}
// [train_step]

G2PBatch slice_g2p_batch(const G2PBatch& batch, std::int64_t begin, std::int64_t end) {
  G2PBatch part;
  part.lengths = batch.lengths.slice(0, begin, end);
  const std::int64_t letters = part.lengths.max().item<std::int64_t>();
  const std::int64_t targets =
      batch.targets.slice(0, begin, end).ne(kPhonemePad).sum(1).max().item<std::int64_t>();
  part.letters = batch.letters.slice(0, begin, end).narrow(1, 0, letters);
  part.targets = batch.targets.slice(0, begin, end).narrow(1, 0, targets);
  part.references.assign(batch.references.begin() + begin, batch.references.begin() + end);
  return part;
}

// [sharded_step]
double g2p_sharded_train_step(G2PModel& model, torch::optim::Optimizer& optimizer,
                              const G2PBatch& batch, double ratio, double max_grad_norm,
                              const std::vector<at::Generator>& coins) {
  using Grads = torch::autograd::variable_list;
  const std::int64_t rows = batch.targets.size(0);
  const auto parts = std::min<std::int64_t>(static_cast<std::int64_t>(coins.size()), rows);
  const double phonemes = batch.targets.ne(kPhonemePad).sum().item<double>();
  const std::vector<torch::Tensor> params = model->parameters();
  // Part k: its loss, weighted by its share of the phonemes, and that loss's gradients.
  const auto run_part = [&](std::int64_t k) -> std::pair<double, Grads> {
    const G2PBatch part = slice_g2p_batch(batch, rows * k / parts, rows * (k + 1) / parts);
    const auto& generator = coins[static_cast<std::size_t>(k)];
    const torch::Tensor logits = decode_scheduled(model, part, ratio, generator);
    const double share = part.targets.ne(kPhonemePad).sum().item<double>() / phonemes;
    const torch::Tensor loss = masked_cross_entropy(logits, part.targets) * share;
    const double value = loss.item<double>();
    if (!std::isfinite(value)) return {value, {}};
    return {value, torch::autograd::grad({loss}, params, {}, false, false, /*allow_unused=*/true)};
  };
  std::vector<std::future<std::pair<double, Grads>>> others;  // parts 1 … on threads of their own
  for (std::int64_t k = 1; k < parts; ++k)
    others.push_back(std::async(std::launch::async, run_part, k));
  std::vector<std::pair<double, Grads>> results{run_part(0)};  // part 0 on this thread
  for (auto& f : others) results.push_back(f.get());
  double value = 0;
  for (const auto& r : results) value += r.first;
  if (!std::isfinite(value)) return value;  // no step: the caller reports it
  optimizer.zero_grad();
  {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < params.size(); ++i) {
      torch::Tensor sum;
      for (const auto& r : results) {
        const torch::Tensor& g = r.second[i];
        if (g.defined()) sum = sum.defined() ? sum + g : g;  // each g is a fresh tensor
      }
      if (sum.defined()) params[i].mutable_grad() = sum;
    }
  }
  if (max_grad_norm > 0) torch::nn::utils::clip_grad_norm_(params, max_grad_norm);
  optimizer.step();
  return value;
}
// [sharded_step]

// [fit]
std::vector<G2PEpoch> fit_g2p(G2PModel& model, const std::vector<Pronunciation>& train,
                              const std::vector<Pronunciation>& val, const G2PFitOptions& options,
                              book::Rng& rng, const G2PEpochCallback& on_epoch) {
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(options.lr));
  const auto per_epoch =
      static_cast<std::int64_t>((train.size() + static_cast<std::size_t>(options.batch_size) - 1) /
                                static_cast<std::size_t>(options.batch_size));
  const double total_steps = static_cast<double>(per_epoch) * options.epochs;
  std::optional<book::CosineLR> decay;
  if (options.cosine_lr) decay.emplace(optimizer, static_cast<std::int64_t>(total_steps));
  std::int64_t step = 0;
  std::vector<G2PEpoch> history;
  const at::Generator coins = at::detail::createCPUGenerator(rng());
  std::vector<at::Generator> part_coins;  // one generator per part, after the one above
  for (int k = 0; k < options.batch_parts && options.batch_parts > 1; ++k)
    part_coins.push_back(at::detail::createCPUGenerator(rng()));
  book::Timer total;
  double longest_epoch = 0;
  for (int epoch = 1; epoch <= options.epochs; ++epoch) {
    if (options.time_limit > 0 && epoch > 1 && total.seconds() + longest_epoch > options.time_limit)
      break;
    const double epoch_start = total.seconds();
    const std::vector<G2PBatch> batches = make_g2p_batches(train, options.batch_size, rng);
    model->train();
    book::Timer timer;
    book::ProgressBar bar("epoch " + std::to_string(epoch),
                          static_cast<std::int64_t>(batches.size()),
                          options.progress && book::stdout_is_terminal());
    double loss_sum = 0;
    double ratio_sum = 0;
    double tokens = 0;
    for (std::size_t i = 0; i < batches.size(); ++i, ++step) {
      const G2PBatch& batch = batches[i];
      const double ratio = teacher_forcing_ratio(
          options.schedule, static_cast<double>(step) / total_steps, options.tf_end);
      if (decay) decay->step();
      const double value =
          part_coins.empty()
              ? g2p_train_step(model, optimizer, batch, ratio, options.max_grad_norm, coins)
              : g2p_sharded_train_step(model, optimizer, batch, ratio, options.max_grad_norm,
                                       part_coins);
      if (!std::isfinite(value)) {
        throw std::runtime_error("training loss became " + std::to_string(value) + " at step " +
                                 std::to_string(i + 1) + " of epoch " + std::to_string(epoch) +
                                 "; lower --lr or --max_grad_norm");
      }
      const double n = batch.targets.ne(kPhonemePad).sum().item<double>();
      loss_sum += value * n;
      tokens += n;
      ratio_sum += ratio;
      char postfix[64];
      std::snprintf(postfix, sizeof postfix, "loss %.4f  tf ratio %.2f", loss_sum / tokens, ratio);
      bar.update(static_cast<std::int64_t>(i) + 1, postfix);
    }
    bar.finish();
    G2PEpoch record;
    record.epoch = epoch;
    record.train_seconds = timer.seconds();
    record.train_loss = tokens > 0 ? loss_sum / tokens : 0.0;
    record.tf_ratio = batches.empty() ? 0.0 : ratio_sum / static_cast<double>(batches.size());
    record.val = evaluate_g2p(model, val, options.eval_batch_size);
    record.total_seconds = total.seconds();
    longest_epoch = std::max(longest_epoch, record.total_seconds - epoch_start);
    history.push_back(record);
    if (on_epoch) on_epoch(record);
  }
  return history;
}
// [fit]

nlohmann::json g2p_meta(const G2PConfig& config, TfSchedule schedule) {
  std::vector<std::string> phonemes;
  for (std::int64_t id = 0; id < kPhonemeVocabSize; ++id) phonemes.push_back(phoneme_token(id));
  return {{"model", "G2PModel"},
          {"embed_dim", config.embed_dim},
          {"hidden_dim", config.hidden_dim},
          {"encoder_dim", encoder_width(config)},
          {"dropout", config.dropout},
          {"tf_schedule", tf_schedule_name(schedule)},
          {"letters", "<pad>abcdefghijklmnopqrstuvwxyz"},
          {"phonemes", phonemes}};
}

G2PModel load_g2p(const std::filesystem::path& path) {
  const nlohmann::json meta = book::load_checkpoint_meta(path);
  const std::string where = "checkpoint '" + path.string() + "'";
  G2PConfig config;
  try {
    if (meta.at("model").get<std::string>() != "G2PModel") {
      throw std::runtime_error(where + " holds a " + meta.at("model").get<std::string>() +
                               ", not a grapheme-to-phoneme model");
    }
    config.embed_dim = meta.at("embed_dim").get<std::int64_t>();
    config.hidden_dim = meta.at("hidden_dim").get<std::int64_t>();
    // Checkpoints written before the encoder had its own width have no encoder_dim: it was H.
    config.encoder_dim = meta.value("encoder_dim", config.hidden_dim);
    config.dropout = meta.at("dropout").get<double>();
    if (meta.at("phonemes").get<std::vector<std::string>>() != g2p_meta(config, TfSchedule::kAlways).at("phonemes")) {
      throw std::runtime_error(where + " uses another phoneme inventory");
    }
  } catch (const nlohmann::json::exception&) {
    throw std::runtime_error(where + " has incomplete metadata");
  }
  if (config.embed_dim < 1 || config.hidden_dim < 1 || config.embed_dim > 4096 || config.hidden_dim > 4096 ||
      config.encoder_dim < 1 || config.encoder_dim > 4096 ||
      !(config.dropout >= 0 && config.dropout < 1)) {
    throw std::runtime_error(where + " has inconsistent metadata");
  }
  G2PModel model(config);
  book::load_checkpoint_weights(*model, path);
  model->eval();
  return model;
}

std::vector<WordPrediction> predict_words(G2PModel& model, const std::vector<std::string>& words) {
  std::vector<WordPrediction> out(words.size());
  std::vector<Pronunciation> valid;
  std::vector<std::size_t> where;
  for (std::size_t i = 0; i < words.size(); ++i) {
    out[i].input = words[i];
    CheckedWord checked = check_word(words[i]);
    if (!checked.error.empty()) {
      out[i].error = checked.error;
      continue;
    }
    out[i].word = checked.word;
    valid.push_back({checked.word, {}});
    where.push_back(i);
  }
  if (valid.empty()) return out;
  model->eval();
  torch::NoGradGuard no_grad;
  std::vector<std::size_t> rows(valid.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  const G2PBatch batch = collate_g2p(valid, rows);
  const auto decoded = greedy_decode(model, batch);
  for (std::size_t i = 0; i < decoded.size(); ++i) out[where[i]].phonemes = phonemes_to_string(decoded[i]);
  return out;
}

}  // namespace ch06
