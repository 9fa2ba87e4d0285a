// Self-checks of the chapter's main job (chapters/06_rnn_lstm_seq/main.cpp): the data, the collator,
// the model's parameter counts and head, training to a stated accuracy, checkpoints, determinism.
#include "book/torch_utils.h"
#include "lib/name_batches.h"
#include "lib/name_checkpoint.h"
#include "lib/name_classifier.h"
#include "lib/name_training.h"
#include "lib/names.h"
#include "process.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

using namespace ch06;

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

ClassifierConfig default_config(CellType cell) {
  ClassifierConfig c;
  c.cell = cell;
  return c;  // vocab 28, embed 128, hidden 256, 2 layers, bidirectional: the original's defaults
}

// A tiny model, not the defaults: the parameter formula checks other sizes on it, and the
// path-equality tests compare paths on it (dropout 0, so train mode is deterministic and every
// path computes the same function).
ClassifierConfig tiny_config(CellType cell, bool bidirectional, int layers) {
  ClassifierConfig c;
  c.cell = cell;
  c.vocab_size = 10;
  c.embed_dim = 6;
  c.hidden_dim = 5;
  c.num_layers = layers;
  c.bidirectional = bidirectional;
  c.dropout = 0.0;
  return c;
}

}  // namespace

TEST_CASE("the default models have the original's parameter counts") {
  const std::map<CellType, std::int64_t> expected = {
      {CellType::kLstm, 2'373'637}, {CellType::kGru, 1'781'765}, {CellType::kRnn, 598'021}};
  for (const auto& [cell, count] : expected) {
    CAPTURE(cell_type_name(cell));
    DynamicRNNClassifier model(default_config(cell));
    CHECK(book::count_parameters(*model).total == count);
    CHECK(expected_parameter_count(default_config(cell)) == count);
  }
}

TEST_CASE("the parameter formula matches the modules for other sizes") {
  for (auto cell : {CellType::kRnn, CellType::kLstm, CellType::kGru}) {
    for (bool bidirectional : {false, true}) {
      for (int layers : {1, 3}) {
        const ClassifierConfig c = tiny_config(cell, bidirectional, layers);
        DynamicRNNClassifier model(c);
        CHECK(book::count_parameters(*model).total == expected_parameter_count(c));
      }
    }
  }
}

TEST_CASE("the dataset on 5,000 samples: lengths, suffixes, balance and vocabulary") {
  book::Rng rng(42);
  const NameDataset data = make_synthetic_names(5000, rng);
  REQUIRE(data.samples.size() == 5000);
  std::vector<int> per_class(5, 0);
  for (const auto& s : data.samples) {
    REQUIRE(s.name.size() >= 5);
    REQUIRE(s.name.size() <= 15);
    REQUIRE(s.label >= 0);
    REQUIRE(s.label < 5);
    bool matches = false;
    for (const auto& suffix : name_suffixes()[static_cast<std::size_t>(s.label)]) matches |= ends_with(s.name, suffix);
    REQUIRE_MESSAGE(matches, s.name);
    ++per_class[static_cast<std::size_t>(s.label)];
  }
  for (int n : per_class) {
    CHECK(n > 850);   // 1,000 expected; 850 is more than 4 standard deviations away
    CHECK(n < 1150);
  }
  CHECK(data.vocab.token(0) == "<pad>");
  CHECK(data.vocab.token(1) == "<unk>");
  CHECK(data.vocab.size() == 28);
  CHECK(data.vocab.token(2) == data.samples[0].name.substr(0, 1));  // order of first appearance
}

TEST_CASE("the vocabulary maps characters, not bytes, and unknowns to <unk>") {
  CharVocab vocab;
  vocab.add_text("abc");
  CHECK(vocab.encode("cab") == std::vector<std::int64_t>{4, 2, 3});
  CHECK(vocab.encode("王小明").size() == 3);
  CHECK(vocab.encode("王小明") == std::vector<std::int64_t>(3, CharVocab::kUnk));
  CHECK(vocab.encode("aü") == std::vector<std::int64_t>{2, CharVocab::kUnk});
  CHECK(vocab.encode("a\xFF") == std::vector<std::int64_t>{2, CharVocab::kUnk});
  CHECK(CharVocab::from_tokens(vocab.tokens()).tokens() == vocab.tokens());
  CHECK(vocab.to_tsv().substr(0, 16) == "<pad>\t0\n<unk>\t1\n");
}

TEST_CASE("the collator pads with zeros on the right and keeps lengths and labels in order") {
  EncodedNames data;
  data.ids = {{5, 6, 7}, {8}, {9, 10, 11, 12, 13}};
  data.labels = {2, 0, 4};
  const book::Batch b = collate(data, {1, 0, 2});
  CHECK(b.inputs.sizes() == torch::IntArrayRef({3, 5}));
  CHECK(torch::equal(b.inputs, torch::tensor({8, 0, 0, 0, 0, 5, 6, 7, 0, 0, 9, 10, 11, 12, 13}).view({3, 5})));
  CHECK(torch::equal(b.lengths, torch::tensor({1, 3, 5})));
  CHECK(torch::equal(b.targets, torch::tensor({0, 2, 4})));
  CHECK(b.lengths.device().is_cpu());
  CHECK(b.inputs.dtype() == torch::kInt64);
}

TEST_CASE("bucketed batches cover every sample once and have similar lengths") {
  book::Rng rng(1);
  const NameDataset data = make_synthetic_names(1000, rng);
  const EncodedNames enc = encode_names(data.samples, data.vocab);
  auto spread = [](const std::vector<book::Batch>& batches) {
    double sum = 0;
    for (const auto& b : batches) sum += (b.lengths.max() - b.lengths.min()).item<double>();
    return sum / static_cast<double>(batches.size());
  };
  const auto random = make_batches(enc, 32, Batching::kRandom, &rng);
  const auto bucketed = make_batches(enc, 32, Batching::kBucketed, &rng);
  std::int64_t total = 0, tokens = 0;
  for (const auto& b : bucketed) {
    total += b.targets.size(0);
    tokens += b.lengths.sum().item<std::int64_t>();
  }
  CHECK(total == 1000);
  CHECK(tokens == total_tokens(enc));
  CHECK(spread(bucketed) < 0.5 * spread(random));
}

TEST_CASE("bucketing sorts within pools of a few batches, not across the whole epoch") {
  // Sorting the whole epoch would put all the shortest names into the first one or two batches (and
  // make batches class-correlated); with pools, every pool's first batch starts with its shortest.
  book::Rng rng(2);
  const NameDataset data = make_synthetic_names(2000, rng);
  const EncodedNames enc = encode_names(data.samples, data.vocab);
  const std::int64_t batch_size = 16;
  const auto batches = make_batches(enc, batch_size, Batching::kBucketed, &rng);
  const std::int64_t shortest = 5;  // 3 letters and a two-letter suffix
  std::int64_t shortest_names = 0;
  std::int64_t batches_starting_short = 0;
  for (const auto& b : batches) {
    shortest_names += b.lengths.eq(shortest).sum().item<std::int64_t>();
    batches_starting_short += b.lengths.min().item<std::int64_t>() == shortest ? 1 : 0;
  }
  const auto pools = static_cast<std::int64_t>(enc.ids.size()) / (kBucketPoolBatches * batch_size);
  REQUIRE(shortest_names > 0);
  INFO(shortest_names << " shortest names; " << batches_starting_short << " of " << batches.size()
                         << " batches start with one; " << pools << " pools");
  CHECK(shortest_names / batch_size + 1 < pools / 2);  // one sort of the epoch would fill this few
  CHECK(batches_starting_short >= pools / 2);
}

TEST_CASE("the head reads the forward state at the last real step and the backward state at step 0") {
  for (auto cell : {CellType::kRnn, CellType::kLstm, CellType::kGru}) {
    CAPTURE(cell_type_name(cell));
    torch::manual_seed(3);
    ClassifierConfig c;
    c.cell = cell;
    c.vocab_size = 10;
    c.embed_dim = 6;
    c.hidden_dim = 4;
    c.dropout = 0.3;
    DynamicRNNClassifier model(c);
    model->eval();
    torch::NoGradGuard no_grad;
    EncodedNames data;
    data.ids = {{2, 3, 4}, {5, 6, 7, 8, 9, 2}, {3}, {4, 4, 4, 4}};  // unsorted lengths 3, 6, 1, 4
    data.labels = {0, 0, 0, 0};
    const book::Batch b = collate(data, {0, 1, 2, 3});
    const auto features = model->final_features(b.inputs, b.lengths);
    const auto steps = model->step_outputs(b.inputs, b.lengths);  // [B, T, 2H]
    REQUIRE(features.sizes() == torch::IntArrayRef({4, 8}));
    for (std::int64_t i = 0; i < 4; ++i) {
      const auto last = b.lengths[i].item<std::int64_t>() - 1;
      CHECK(torch::allclose(features[i].slice(0, 0, 4), steps[i][last].slice(0, 0, 4)));
      CHECK(torch::allclose(features[i].slice(0, 4, 8), steps[i][0].slice(0, 4, 8)));
      // and it is not the padded last step, which is all zeros for the shorter names
      if (last + 1 < steps.size(1)) CHECK(steps[i][steps.size(1) - 1].abs().sum().item<double>() == 0.0);
    }
  }
}

namespace {

// One forward and backward pass of `model` on `b` through `path`: the logits and a copy of every
// parameter's gradient, in parameters() order.
struct PathRun {
  torch::Tensor logits;
  std::vector<torch::Tensor> grads;
};

PathRun run_path(DynamicRNNClassifier& model, const book::Batch& b, RecurrentPath path) {
  model->zero_grad();
  model->set_path(path);
  PathRun r;
  r.logits = model->forward(b.inputs, b.lengths);
  torch::nn::functional::cross_entropy(r.logits, b.targets).backward();
  for (const auto& p : model->parameters()) r.grads.push_back(p.grad().clone());
  return r;
}

}  // namespace

TEST_CASE("the padded path gives the packed path's final states, head features and gradients") {
  EncodedNames data;
  data.ids = {{2, 3, 4}, {5, 6, 7, 8, 9, 2}, {3}, {4, 4, 4, 4}, {9, 8, 7, 6, 5, 4}};  // unsorted lengths
  data.labels = {0, 1, 2, 3, 4};
  const book::Batch b = collate(data, {0, 1, 2, 3, 4});
  for (auto cell : {CellType::kRnn, CellType::kLstm, CellType::kGru}) {
    for (bool bidirectional : {false, true}) {
      for (int layers : {1, 2}) {
        CAPTURE(cell_type_name(cell));
        CAPTURE(bidirectional);
        CAPTURE(layers);
        torch::manual_seed(11);
        DynamicRNNClassifier model(tiny_config(cell, bidirectional, layers));
        const auto packed = model->final_states(b.inputs, b.lengths, RecurrentPath::kPacked);
        const auto padded = model->final_states(b.inputs, b.lengths, RecurrentPath::kPadded);
        REQUIRE(packed.sizes() == padded.sizes());
        CHECK(torch::allclose(packed, padded, 1e-5, 1e-6));
        const auto g_packed = run_path(model, b, RecurrentPath::kPacked).grads;
        const auto g_padded = run_path(model, b, RecurrentPath::kPadded).grads;
        for (std::size_t i = 0; i < g_packed.size(); ++i) CHECK(torch::allclose(g_packed[i], g_padded[i], 1e-4, 1e-6));
      }
    }
  }
}

TEST_CASE("the fused path gives the packed path's final states, logits and gradients in float64") {
  EncodedNames data;
  data.ids = {{2, 3, 4}, {5, 6, 7, 8, 9, 2}, {3}, {4, 4, 4, 4}, {9, 8, 7, 6, 5, 4}, {7, 2}};  // unsorted lengths
  data.labels = {0, 1, 2, 3, 4, 1};
  const book::Batch b = collate(data, {0, 1, 2, 3, 4, 5});
  for (auto cell : {CellType::kRnn, CellType::kLstm, CellType::kGru}) {
    for (bool bidirectional : {false, true}) {
      for (int layers : {1, 2}) {
        CAPTURE(cell_type_name(cell));
        CAPTURE(bidirectional);
        CAPTURE(layers);
        torch::manual_seed(13);
        DynamicRNNClassifier model(tiny_config(cell, bidirectional, layers));
        model->to(torch::kFloat64);
        model->train();
        const auto packed = model->final_states(b.inputs, b.lengths, RecurrentPath::kPacked);
        const auto fused = model->final_states(b.inputs, b.lengths, RecurrentPath::kFused);
        REQUIRE(packed.sizes() == fused.sizes());
        REQUIRE(fused.dtype() == torch::kFloat64);
        CHECK((packed - fused).abs().max().item<double>() < 1e-10);
        const PathRun p = run_path(model, b, RecurrentPath::kPacked);
        const PathRun f = run_path(model, b, RecurrentPath::kFused);
        CHECK((p.logits - f.logits).abs().max().item<double>() < 1e-10);
        const auto names = model->named_parameters().keys();
        REQUIRE(p.grads.size() == names.size());
        for (std::size_t i = 0; i < p.grads.size(); ++i) {
          CAPTURE(names[i]);  // every recurrent weight and bias, the embedding and the head
          CHECK(p.grads[i].abs().max().item<double>() > 0.0);
          CHECK((p.grads[i] - f.grads[i]).abs().max().item<double>() < 1e-9);
        }
      }
    }
  }
}

TEST_CASE("the fused path in float32, with its own exp, agrees with the packed path to float precision") {
  book::Rng rng(5);
  const NameDataset names = make_synthetic_names(40, rng);
  const EncodedNames data = encode_names(names.samples, names.vocab);
  std::vector<std::size_t> rows(data.ids.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  const book::Batch b = collate(data, rows);  // 40 names of lengths 5 to 15, in generation order
  for (auto cell : {CellType::kRnn, CellType::kLstm, CellType::kGru}) {
    CAPTURE(cell_type_name(cell));
    torch::manual_seed(17);
    ClassifierConfig c;
    c.cell = cell;
    c.vocab_size = names.vocab.size();
    c.embed_dim = 16;
    c.hidden_dim = 32;  // a multiple of the vector width, as the real sizes
    c.dropout = 0.0;
    DynamicRNNClassifier model(c);
    const auto packed = model->final_states(b.inputs, b.lengths, RecurrentPath::kPacked);
    const auto fused = model->final_states(b.inputs, b.lengths, RecurrentPath::kFused);
    REQUIRE(fused.dtype() == torch::kFloat32);
    CHECK(torch::allclose(packed, fused, 1e-5, 1e-6));
    const auto g_packed = run_path(model, b, RecurrentPath::kPacked).grads;
    const auto g_fused = run_path(model, b, RecurrentPath::kFused).grads;
    for (std::size_t i = 0; i < g_packed.size(); ++i) CHECK(torch::allclose(g_packed[i], g_fused[i], 1e-4, 1e-6));
  }
}

namespace {

// The small, fast configuration the training tests use.
struct SmallRun {
  DynamicRNNClassifier model{nullptr};
  book::History history;
  CharVocab vocab;
};

SmallRun train_small(CellType cell, std::uint64_t seed) {
  torch::manual_seed(seed);
  book::Rng rng(seed);
  const NameDataset data = make_synthetic_names(1500, rng);
  const Split split = random_split(data.samples, 0.2, rng);
  ClassifierConfig c;
  c.cell = cell;
  c.vocab_size = data.vocab.size();
  c.embed_dim = 16;
  c.hidden_dim = 32;
  SmallRun run;
  run.model = DynamicRNNClassifier(c);
  run.vocab = data.vocab;
  FitOptions fit;
  fit.epochs = 3;
  fit.batch_size = 32;
  fit.lr = 0.01;
  fit.progress = false;
  run.history = fit_classifier(run.model, encode_names(split.train, data.vocab), encode_names(split.val, data.vocab),
                               fit, rng);
  return run;
}

}  // namespace

TEST_CASE("the epoch line keeps the original's format and adds the gradient norm before clipping") {
  // Training as the main job does it, in float64 with a threshold that clips almost every step,
  // beside a reference loop written out here: the packed path, the norm summed by hand, clipping
  // by hand, the same Adam and the same batches.
  torch::manual_seed(23);
  book::Rng rng(23);
  const NameDataset data = make_synthetic_names(160, rng);
  const Split split = random_split(data.samples, 0.25, rng);
  const EncodedNames train_set = encode_names(split.train, data.vocab);
  const EncodedNames val_set = encode_names(split.val, data.vocab);
  ClassifierConfig c = tiny_config(CellType::kLstm, true, 2);
  c.vocab_size = data.vocab.size();
  DynamicRNNClassifier model(c);
  DynamicRNNClassifier reference(c);
  model->to(torch::kFloat64);
  reference->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    const auto from = model->parameters();
    const auto to = reference->parameters();
    for (std::size_t i = 0; i < from.size(); ++i) to[i].copy_(from[i]);
  }
  FitOptions fit;
  fit.epochs = 1;
  fit.batch_size = 16;
  fit.lr = 0.01;
  fit.max_grad_norm = 0.05;
  fit.progress = false;
  book::Rng reference_rng = rng;  // fit_classifier draws its batches from this state
  book::EpochStats train_stats, val_stats;
  fit_classifier(model, train_set, val_set, fit, rng,
                 [&](int, const book::EpochStats& tr, const book::EpochStats& va) {
                   train_stats = tr;
                   val_stats = va;
                 });

  reference->train();
  reference->set_path(RecurrentPath::kPacked);
  torch::optim::Adam adam(reference->parameters(), torch::optim::AdamOptions(fit.lr));
  std::vector<double> norms;
  for (const auto& b : make_batches(train_set, fit.batch_size, Batching::kRandom, &reference_rng)) {
    adam.zero_grad();
    torch::nn::functional::cross_entropy(reference->forward(b.inputs, b.lengths), b.targets).backward();
    double squares = 0;
    for (const auto& p : reference->parameters()) squares += p.grad().pow(2).sum().item<double>();
    const double norm = std::sqrt(squares);
    norms.push_back(norm);
    const double scale = std::min(1.0, fit.max_grad_norm / (norm + 1e-6));
    for (const auto& p : reference->parameters()) p.grad().mul_(scale);
    adam.step();
  }
  REQUIRE(norms.size() == 8);  // 120 training names in batches of 16, the last one of 8
  double mean = 0;
  for (double n : norms) mean += n / static_cast<double>(norms.size());
  const double max = *std::max_element(norms.begin(), norms.end());
  REQUIRE(max > 4 * fit.max_grad_norm);  // clipping was active: a clipped norm would read 0.050
  CHECK(train_stats.mean_grad_norm == doctest::Approx(mean).epsilon(1e-6));
  CHECK(train_stats.max_grad_norm == doctest::Approx(max).epsilon(1e-6));

  book::Facts facts;
  const std::string line = epoch_log_line(1, 3, train_stats, val_stats, &facts);
  CAPTURE(line);
  const std::regex format(
      R"(Epoch 1/3 \| Train Loss: \d+\.\d{4} Acc: \d+\.\d{2}% \| Val Loss: \d+\.\d{4} Acc: \d+\.\d{2}% )"
      R"(\| Grad norm: mean (\d+\.\d{3}) max (\d+\.\d{3}))");
  std::smatch m;
  REQUIRE(std::regex_match(line, m, format));
  CHECK(std::abs(std::stod(m[1]) - mean) < 6e-4);  // printed with 3 decimals
  CHECK(std::abs(std::stod(m[2]) - max) < 6e-4);
  CHECK(facts.get("epoch1.grad_norm_mean") == m[1].str());
  CHECK(facts.get("epoch1.grad_norm_max") == m[2].str());
  CHECK(line.find("Val Loss: " + facts.get("epoch1.val_loss") + " Acc: " + facts.get("epoch1.val_acc") + "%") !=
        std::string::npos);
}

TEST_CASE("pack_padded_sequence converts integer lengths itself and checks a 1-D tensor of lengths") {
  namespace rnn = torch::nn::utils::rnn;
  torch::manual_seed(29);
  const torch::Tensor x = torch::randn({3, 4, 2});  // batch-first: 3 sequences of up to 4 steps
  const auto pack = [&](const torch::Tensor& lengths, bool enforce_sorted = false) {
    return rnn::pack_padded_sequence(x, lengths, /*batch_first=*/true, enforce_sorted);
  };
  const auto p64 = pack(torch::tensor({2, 4, 3}, torch::kInt64));
  const auto p32 = pack(torch::tensor({2, 4, 3}, torch::kInt32));
  CHECK(torch::equal(p64.batch_sizes(), torch::tensor({3, 3, 2, 1}, torch::kInt64)));
  CHECK(torch::equal(p32.data(), p64.data()));
  CHECK(torch::equal(p32.batch_sizes(), p64.batch_sizes()));
  CHECK(torch::equal(p32.sorted_indices(), p64.sorted_indices()));
  // The main job's model, packed path, gives the same final states with int32 lengths.
  EncodedNames names;
  names.ids = {{2, 3, 4}, {5, 6, 7, 8, 9, 2}, {3}};
  names.labels = {0, 1, 2};
  const book::Batch b = collate(names, {0, 1, 2});
  DynamicRNNClassifier model(tiny_config(CellType::kGru, true, 2));
  CHECK(torch::equal(model->final_states(b.inputs, b.lengths.to(torch::kInt32), RecurrentPath::kPacked),
                     model->final_states(b.inputs, b.lengths, RecurrentPath::kPacked)));
  // Any dtype is converted, floats too: 2.9 is truncated to 2, silently.
  CHECK(torch::equal(pack(torch::tensor({2.9, 4.0, 3.0})).batch_sizes(), p64.batch_sizes()));
  // What LibTorch checks: one dimension (on the CPU; the message says so), every length at least 1.
  const torch::Tensor two_d = torch::tensor({4, 3, 2}, torch::kInt64).view({3, 1});
  CHECK_THROWS_WITH_AS(pack(two_d, /*enforce_sorted=*/true), doctest::Contains("1D CPU int64 tensor"), c10::Error);
  CHECK_THROWS_AS(pack(two_d), c10::Error);
  CHECK_THROWS_WITH_AS(pack(torch::tensor({2, 0, 3}, torch::kInt64)), doctest::Contains("greater than 0"),
                       c10::Error);
}

TEST_CASE("a short run reaches at least 95% validation accuracy with rnn, lstm and gru") {
  for (auto cell : {CellType::kRnn, CellType::kLstm, CellType::kGru}) {
    CAPTURE(cell_type_name(cell));
    const SmallRun run = train_small(cell, 7);
    CHECK(run.history.val_loss.front() < std::log(5.0));  // better than chance after one epoch
    CHECK(run.history.val_acc.back() >= 95.0);
  }
}

TEST_CASE("training is deterministic for a seed and thread count") {
  book::apply_threads(2);
  const auto a = train_small(CellType::kGru, 3);
  const auto b = train_small(CellType::kGru, 3);
  CHECK(a.history.to_json() == b.history.to_json());
  const auto c = train_small(CellType::kGru, 4);
  CHECK(a.history.to_json() != c.history.to_json());
}

TEST_CASE("a checkpoint round trip gives the same predictions, and refuses another cell type") {
  book::test::TempDir dir("ch06");
  SmallRun run = train_small(CellType::kLstm, 5);
  const auto path = dir / "lstm_model.pth";
  book::save_checkpoint(*run.model, classifier_meta(run.model->config(), run.vocab), path);
  const std::vector<std::string> names = {"petrov", "yamamoto", "Müller", "王小明"};
  const auto before = predict_names(run.model, run.vocab, names);
  LoadedClassifier loaded = load_classifier(path);
  const auto after = predict_names(loaded.model, loaded.vocab, names);
  for (std::size_t i = 0; i < names.size(); ++i) {
    CHECK(before[i].index == after[i].index);
    CHECK(before[i].probability == doctest::Approx(after[i].probability).epsilon(1e-12));
  }
  const CellType gru = CellType::kGru;
  CHECK_THROWS_WITH_AS(load_classifier(path, &gru), doctest::Contains("holds a lstm model, not gru"),
                       std::runtime_error);
}

TEST_CASE("predict_names answers every good name and explains the bad ones") {
  ClassifierConfig c;
  c.hidden_dim = 8;
  c.embed_dim = 4;
  DynamicRNNClassifier model(c);
  CharVocab vocab;
  vocab.add_text("abcdefghijklmnopqrstuvwxyz");
  const std::string too_long(kMaxNameChars + 1, 'a');
  const auto out = predict_names(model, vocab, {"petrov", "", "王小明", "a\xFF\xFE", too_long, "😀"});
  REQUIRE(out.size() == 6);
  CHECK(out[0].error.empty());
  CHECK(out[1].error == "empty name");
  CHECK(out[2].error.empty());
  CHECK(out[3].error.empty());
  CHECK(out[4].error.find("too long") != std::string::npos);
  CHECK(out[5].error.empty());
  for (std::size_t i : {0, 2, 3, 5}) {
    CHECK(out[i].index >= 0);
    CHECK(out[i].probability > 0.0);
    CHECK(out[i].probability <= 1.0);
  }
}

TEST_CASE("split sizes: validation is floor(n × val_split), training the rest") {
  CHECK(split_sizes(2000, 0.2).train == 1600);
  CHECK(split_sizes(2000, 0.2).val == 400);
  CHECK(split_sizes(4, 0.2).val == 0);  // too small: the program refuses it
}
