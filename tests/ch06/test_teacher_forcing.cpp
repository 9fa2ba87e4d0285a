// Self-checks of program 10 (chapters/06_rnn_lstm_seq/10_teacher_forcing.cpp): the CMU dictionary
// loader and its errors, the split, the edit distance and error rates, the teacher-forcing
// schedules, the masked loss, teacher-forced vs free-running decoding, a tiny run whose loss falls,
// and the program as a reader runs it (errors, outputs, predict mode).
#include "book/config.h"
#include "book/files.h"
#include "book/torch_utils.h"
#include "lib/g2p_data.h"
#include "lib/g2p_model.h"
#include "lib/g2p_run.h"
#include "process.h"

#include <ATen/CPUGeneratorImpl.h>
#include <doctest/doctest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <future>
#include <map>
#include <set>

using namespace ch06;
using book::test::ProcessResult;
using book::test::TempDir;

namespace {

std::vector<std::int64_t> ids_of(const std::string& phonemes) {
  std::vector<std::int64_t> ids;
  std::size_t pos = 0;
  while (pos < phonemes.size()) {
    std::size_t end = phonemes.find(' ', pos);
    if (end == std::string::npos) end = phonemes.size();
    const std::int64_t id = phoneme_id(phonemes.substr(pos, end - pos));
    REQUIRE(id >= kFirstPhoneme);
    ids.push_back(id);
    pos = end + 1;
  }
  return ids;
}

// The edit distance by its recursive definition (memoised), independent of the one-row table the
// library uses.
std::size_t edit_distance_recursive(const std::vector<std::int64_t>& a, const std::vector<std::int64_t>& b) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> memo;
  std::function<std::size_t(std::size_t, std::size_t)> d = [&](std::size_t i, std::size_t j) -> std::size_t {
    if (i == 0) return j;
    if (j == 0) return i;
    const auto key = std::make_pair(i, j);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
    const std::size_t best = std::min({d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0u : 1u)});
    memo[key] = best;
    return best;
  };
  return d(a.size(), b.size());
}

void write_gzip(const book::fs::path& path, const std::string& text, std::size_t keep_bytes = std::string::npos) {
  book::fs::create_directories(path.parent_path());
  const book::fs::path full = path.string() + ".full";
  gzFile f = gzopen(full.c_str(), "wb");
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
  REQUIRE(gzclose(f) == Z_OK);
  std::string bytes = book::read_file(full);
  book::fs::remove(full);
  if (keep_bytes != std::string::npos) bytes.resize(keep_bytes);
  book::write_text(path, bytes);
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

const std::vector<Pronunciation>& shipped_dictionary() {
  static const std::vector<Pronunciation> entries = load_pronunciations(book::find_data_file(kCmudictFile));
  return entries;
}

ProcessResult program10(std::vector<std::string> args, const std::string& input = "") {
  args.insert(args.begin(), book::test::program("ch06_10_teacher_forcing"));
  return book::test::run_process(args, input);
}

}  // namespace

// ---- Data ---------------------------------------------------------------------------------------------

TEST_CASE("vocabularies: 27 letter ids, 42 phoneme ids with <pad> = 0, <sos>, <eos>, then 39 ARPAbet phonemes") {
  CHECK(arpabet_phonemes().size() == 39);
  CHECK(kFirstPhoneme + 39 == kPhonemeVocabSize);
  CHECK(phoneme_token(kPhonemePad) == "<pad>");
  CHECK(phoneme_token(kPhonemeSos) == "<sos>");
  CHECK(phoneme_token(kPhonemeEos) == "<eos>");
  std::set<std::string> unique(arpabet_phonemes().begin(), arpabet_phonemes().end());
  CHECK(unique.size() == 39);
  for (const auto& p : arpabet_phonemes()) CHECK(phoneme_token(phoneme_id(p)) == p);
  CHECK(phoneme_id("AH0") == -1);  // stress digits were removed from the data
  CHECK(phoneme_id("<eos>") == -1);
  CHECK(encode_letters("az") == std::vector<std::int64_t>{1, 26});
  CHECK_THROWS(encode_letters("a1"));
  CHECK(phonemes_to_string({kPhonemeSos, phoneme_id("K"), phoneme_id("AE"), phoneme_id("T"), kPhonemeEos}) == "K AE T");
}

TEST_CASE("check_word: trims, lower-cases, and refuses empty, non-alphabetic and over-long words") {
  CHECK(check_word("  Hello\t").word == "hello");
  CHECK(check_word("  Hello\t").error.empty());
  CHECK(check_word("").error == "empty word");
  CHECK(check_word("   ").error == "empty word");
  CHECK(check_word("don't").error.find("letters a-z") != std::string::npos);
  CHECK(check_word("abc1").error.find("letters a-z") != std::string::npos);
  CHECK(check_word("m\xc3\xbcller").error.find("letters a-z") != std::string::npos);
  CHECK(check_word(std::string(kMaxWordLetters, 'a')).error.empty());
  CHECK(check_word(std::string(kMaxWordLetters + 1, 'a')).error.find("too long") != std::string::npos);
}

TEST_CASE("the parser reads word<TAB>phonemes lines, gzip-compressed or plain") {
  TempDir dir("g2p");
  const std::string text = "cat\tK AE T\r\n\ndog\tD AO G\n";
  write_gzip(dir / "d.tsv.gz", text);
  book::write_text(dir / "d.tsv", text);
  for (const char* name : {"d.tsv.gz", "d.tsv"}) {
    CAPTURE(name);
    const auto entries = load_pronunciations(dir / name);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].word == "cat");
    CHECK(entries[0].phonemes == ids_of("K AE T"));
    CHECK(entries[1].word == "dog");
    CHECK(entries[1].phonemes == ids_of("D AO G"));
  }
}

TEST_CASE("data errors name the file and the line, or every place the program looked") {
  TempDir dir("g2p");
  const std::map<std::string, std::string> bad = {
      {"cat\tK AE T\ndog D AO G\n", "d.tsv:2: no tab"},
      {"cat\tK AE T\nDog\tD AO G\n", "d.tsv:2: the word is not lower-case letters"},
      {"cat\tK AE T\nd0g\tD AO G\n", "d.tsv:2: the word is not lower-case letters"},
      {"cat\tK AE1 T\n", "d.tsv:1: unknown phoneme 'AE1'"},
      {"cat\tK QQ T\n", "d.tsv:1: unknown phoneme 'QQ'"},
      {"cat\t\n", "d.tsv:1: no phonemes"},
      {"\tK AE T\n", "d.tsv:1: empty word"},
      {"cat\tK AE T\n\ncat\tK AA T\n", "d.tsv:3: the word 'cat' appears twice"},
      {"\n\n", "d.tsv: no pronunciations"},
  };
  for (const auto& [text, expected] : bad) {
    CAPTURE(text);
    write_gzip(dir / "d.tsv", text);
    const std::string message = error_of([&] { load_pronunciations(dir / "d.tsv"); });
    CAPTURE(message);
    CHECK(message.find(expected) != std::string::npos);
  }
  // A gzip stream cut short.
  std::string many;
  for (int i = 0; i < 2000; ++i) many += "cat\tK AE T\n";
  write_gzip(dir / "cut.tsv.gz", many, 40);
  CHECK(error_of([&] { load_pronunciations(dir / "cut.tsv.gz"); }).find("damaged gzip") != std::string::npos);
  // A missing file: the message lists where it looked.
  const std::string missing = error_of([&] { book::find_data_file(kCmudictFile, (dir / "nowhere").string()); });
  CHECK(missing.find((dir / "nowhere" / "cmudict" / "cmudict-g2p.tsv.gz").string()) != std::string::npos);
  CHECK(error_of([&] { load_pronunciations(dir / "none.tsv.gz"); }).find("none.tsv.gz") != std::string::npos);
}

TEST_CASE("the shipped dictionary: >100,000 alphabetic words, every phoneme used, known entries") {
  const auto& entries = shipped_dictionary();
  CHECK(entries.size() > 100'000);
  std::set<std::int64_t> used;
  for (const auto& e : entries) used.insert(e.phonemes.begin(), e.phonemes.end());
  CHECK(used.size() == 39);
  const std::map<std::string, std::string> known = {  // first pronunciations of the CMU dictionary
      {"aardvark", "AA R D V AA R K"}, {"cat", "K AE T"}, {"phoneme", "F OW N IY M"}, {"w", "D AH B AH L Y UW"}};
  for (const auto& [word, phonemes] : known) {
    CAPTURE(word);
    const auto it = std::find_if(entries.begin(), entries.end(), [&](const Pronunciation& p) { return p.word == word; });
    REQUIRE(it != entries.end());
    CHECK(phonemes_to_string(it->phonemes) == phonemes);
  }
  // Greedy decoding's length limit never cuts off a real pronunciation.
  for (const auto& e : entries) {
    if (static_cast<std::int64_t>(e.phonemes.size()) > max_decode_steps(static_cast<std::int64_t>(e.word.size()))) {
      FAIL("'" << e.word << "' has more phonemes than max_decode_steps allows");
    }
  }
}

TEST_CASE("the split is by word hash: 90/5/5, disjoint, independent of the file's order") {
  const auto& entries = shipped_dictionary();
  const G2PSplit split = split_pronunciations(entries);
  const double n = static_cast<double>(entries.size());
  CHECK(split.train.size() + split.validation.size() + split.test.size() == entries.size());
  CHECK(static_cast<double>(split.train.size()) / n == doctest::Approx(0.90).epsilon(0.01));
  CHECK(static_cast<double>(split.validation.size()) / n == doctest::Approx(0.05).epsilon(0.05));
  CHECK(static_cast<double>(split.test.size()) / n == doctest::Approx(0.05).epsilon(0.05));
  std::set<std::string> train_words;
  for (const auto& p : split.train) train_words.insert(p.word);
  for (const auto& p : split.validation) CHECK_FALSE(train_words.count(p.word));
  for (const auto& p : split.test) CHECK_FALSE(train_words.count(p.word));
  // The same split from the entries in reverse order.
  std::vector<Pronunciation> reversed(entries.rbegin(), entries.rend());
  const G2PSplit again = split_pronunciations(reversed);
  REQUIRE(again.validation.size() == split.validation.size());
  for (std::size_t i = 0; i < split.validation.size(); ++i) CHECK(again.validation[i].word == split.validation[i].word);
  // The first words of a part are not an alphabetical run.
  const auto first = take_first(split.train, 1000);
  std::set<char> initials;
  for (const auto& p : first) initials.insert(p.word[0]);
  CHECK(initials.size() >= 20);
  CHECK(take_first(split.train, 0).size() == split.train.size());
}

// ---- Error rates --------------------------------------------------------------------------------------

TEST_CASE("edit distance: known cases and the recursive definition") {
  const auto seq = [](const std::string& s) { return std::vector<std::int64_t>(s.begin(), s.end()); };
  CHECK(edit_distance(seq("kitten"), seq("sitting")) == 3);
  CHECK(edit_distance(seq("flaw"), seq("lawn")) == 2);
  CHECK(edit_distance(seq(""), seq("abc")) == 3);
  CHECK(edit_distance(seq("abc"), seq("")) == 3);
  CHECK(edit_distance(seq("abc"), seq("abc")) == 0);
  CHECK(edit_distance(seq("abc"), seq("cab")) == 2);
  book::Rng rng(7);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<std::int64_t> a(book::uniform_below(rng, 8));
    std::vector<std::int64_t> b(book::uniform_below(rng, 8));
    for (auto& x : a) x = book::uniform_int(rng, 0, 3);
    for (auto& x : b) x = book::uniform_int(rng, 0, 3);
    CAPTURE(trial);
    CHECK(edit_distance(a, b) == edit_distance_recursive(a, b));
    CHECK(edit_distance(a, b) == edit_distance(b, a));
  }
}

TEST_CASE("PER counts edits per reference phoneme, WER counts words with any error") {
  ErrorRates rates;
  CHECK(rates.per() == 0);
  rates.add(ids_of("K AE T"), ids_of("K AE T"));          // right
  rates.add(ids_of("D AO"), ids_of("D AO G"));            // one deletion
  rates.add(ids_of("B AH T ER Z"), ids_of("B AH T ER"));  // one insertion
  rates.add(ids_of("S IH T"), ids_of("S AE T"));          // one substitution
  CHECK(rates.words() == 4);
  CHECK(rates.per() == doctest::Approx(100.0 * 3 / 13));
  CHECK(rates.wer() == doctest::Approx(75.0));
}

// ---- Schedules -------------------------------------------------------------------------------------

TEST_CASE("the nearest-word baseline pronounces each word as the training word spelled most like it") {
  const std::vector<Pronunciation> train = {{"cat", ids_of("K AE T")}, {"dog", ids_of("D AO G")},
                                            {"cart", ids_of("K AA R T")}, {"hat", ids_of("HH AE T")}};
  // "bat": one substitution from cat and from hat; the tie goes to the first, cat.
  ErrorRates rates = nearest_word_baseline(train, {{"bat", ids_of("B AE T")}});
  CHECK(rates.words() == 1);
  CHECK(rates.wer() == doctest::Approx(100.0));
  CHECK(rates.per() == doctest::Approx(100.0 / 3));  // K AE T vs B AE T: one substitution of three
  // "dogs" is nearest to dog (one insertion); "carts" to cart; both answers are then exact.
  rates = nearest_word_baseline(train, {{"dogs", ids_of("D AO G")}, {"carts", ids_of("K AA R T")}});
  CHECK(rates.wer() == doctest::Approx(0.0));
  // Against the plain edit distance on a sample of the real split: the answer is at the smallest
  // letter distance, and the first such word.
  const G2PSplit split = split_pronunciations(shipped_dictionary());
  const auto pool = take_first(split.train, 400);
  for (const auto& word : take_first(split.test, 30)) {
    std::size_t best = 1000;
    std::size_t first = 0;
    for (std::size_t i = 0; i < pool.size(); ++i) {
      const std::size_t d = edit_distance(encode_letters(word.word), encode_letters(pool[i].word));
      if (d < best) {
        best = d;
        first = i;
      }
    }
    ErrorRates expected;
    expected.add(pool[first].phonemes, word.phonemes);
    const ErrorRates got = nearest_word_baseline(pool, {word});
    CAPTURE(word.word);
    CHECK(got.per() == doctest::Approx(expected.per()));
  }
}

TEST_CASE("teacher-forcing schedules: endpoints, midpoints, shapes") {
  const double end = 0.1;
  const auto r = [&](TfSchedule s, double x) { return teacher_forcing_ratio(s, x, end); };
  for (double x : {0.0, 0.3, 1.0}) {
    CHECK(r(TfSchedule::kAlways, x) == 1.0);
    CHECK(r(TfSchedule::kNever, x) == 0.0);
  }
  CHECK(r(TfSchedule::kLinear, 0) == doctest::Approx(1.0));
  CHECK(r(TfSchedule::kLinear, 0.5) == doctest::Approx(0.55));
  CHECK(r(TfSchedule::kLinear, 1) == doctest::Approx(end));
  CHECK(r(TfSchedule::kExponential, 0) == doctest::Approx(1.0));
  CHECK(r(TfSchedule::kExponential, 1) == doctest::Approx(end));
  CHECK(r(TfSchedule::kExponential, 0.5) == doctest::Approx(std::sqrt(end)));
  // Exponential: the same factor for every equal step (k^i).
  CHECK(r(TfSchedule::kExponential, 0.3) / r(TfSchedule::kExponential, 0.2) ==
        doctest::Approx(r(TfSchedule::kExponential, 0.8) / r(TfSchedule::kExponential, 0.7)));
  // Inverse sigmoid: 1 - end at the start, 1/2 halfway, end at the end, point-symmetric about the middle.
  CHECK(r(TfSchedule::kInverseSigmoid, 0) == doctest::Approx(1 - end));
  CHECK(r(TfSchedule::kInverseSigmoid, 0.5) == doctest::Approx(0.5));
  CHECK(r(TfSchedule::kInverseSigmoid, 1) == doctest::Approx(end));
  for (double x : {0.1, 0.25, 0.4}) {
    CHECK(r(TfSchedule::kInverseSigmoid, x) + r(TfSchedule::kInverseSigmoid, 1 - x) == doctest::Approx(1.0));
  }
  // Bengio et al.'s form k / (k + exp(i / k')) with the step i: the same curve.
  const double k = (1 - end) / end;
  for (double x : {0.0, 0.2, 0.7}) {
    CHECK(r(TfSchedule::kInverseSigmoid, x) == doctest::Approx(k / (k + std::exp(x / (1 / (2 * std::log(k)))))));
  }
  // Every decaying schedule falls monotonically and stays in [0, 1]; progress is clamped.
  for (auto s : {TfSchedule::kLinear, TfSchedule::kInverseSigmoid, TfSchedule::kExponential}) {
    CAPTURE(tf_schedule_name(s));
    double previous = 2;
    for (int i = 0; i <= 100; ++i) {
      const double v = r(s, i / 100.0);
      CHECK(v < previous);
      CHECK(v >= 0);
      CHECK(v <= 1);
      previous = v;
    }
    CHECK(r(s, -1) == r(s, 0));
    CHECK(r(s, 2) == r(s, 1));
  }
  for (const auto& name : tf_schedule_names()) CHECK(tf_schedule_name(parse_tf_schedule(name)) == name);
  CHECK_THROWS_WITH(parse_tf_schedule("sometimes"), doctest::Contains("inverse_sigmoid"));
}

// ---- Loss and decoding --------------------------------------------------------------------------------

TEST_CASE("masked cross-entropy: the mean over real targets only, padding changes neither value nor gradient") {
  torch::manual_seed(3);
  const std::vector<std::int64_t> rows = {5, 9, kPhonemeEos, kPhonemePad,   // 3 real targets
                                          7, kPhonemeEos, kPhonemePad, kPhonemePad,  // 2
                                          4, 4, 8, kPhonemeEos};               // 4
  const torch::Tensor targets = torch::tensor(rows).view({3, 4});
  const torch::Tensor logits = torch::randn({3, 4, kPhonemeVocabSize}, torch::requires_grad());
  const torch::Tensor loss = masked_cross_entropy(logits, targets);
  // By hand: -log softmax at each real target, averaged over the 9 real positions.
  const torch::Tensor log_p = torch::log_softmax(logits.detach(), 2);
  double sum = 0;
  int count = 0;
  for (int b = 0; b < 3; ++b) {
    for (int t = 0; t < 4; ++t) {
      const auto y = targets[b][t].item<std::int64_t>();
      if (y == kPhonemePad) continue;
      sum -= log_p[b][t][y].item<double>();
      ++count;
    }
  }
  REQUIRE(count == 9);
  CHECK(loss.item<double>() == doctest::Approx(sum / count).epsilon(1e-6));
  // No gradient reaches the padded positions.
  loss.backward();
  const torch::Tensor grad = logits.grad();
  CHECK(grad[0][3].abs().sum().item<double>() == 0.0);
  CHECK(grad[1][2].abs().sum().item<double>() == 0.0);
  CHECK(grad[1][3].abs().sum().item<double>() == 0.0);
  CHECK(grad[2][3].abs().sum().item<double>() > 0.0);
  // Other logits at the pads, or more padding columns, give the same loss.
  torch::Tensor changed = logits.detach().clone();
  changed[0][3] = 100 * torch::randn({kPhonemeVocabSize});
  changed[1][2] = -50 * torch::ones({kPhonemeVocabSize});
  CHECK(masked_cross_entropy(changed, targets).item<double>() == doctest::Approx(loss.item<double>()).epsilon(1e-6));
  const torch::Tensor wider_logits = torch::cat({logits.detach(), torch::randn({3, 5, kPhonemeVocabSize})}, 1);
  const torch::Tensor wider_targets = torch::cat({targets, torch::zeros({3, 5}, torch::kInt64)}, 1);
  CHECK(masked_cross_entropy(wider_logits, wider_targets).item<double>() == doctest::Approx(loss.item<double>()).epsilon(1e-6));
}

TEST_CASE("parameter formula, collator, and decoding: ratio 1 feeds the truth, ratio 0 its own guesses") {
  G2PConfig config;
  config.embed_dim = 8;
  config.hidden_dim = 12;
  for (std::int64_t encoder : {7, 12, 20}) {  // narrower, as wide as and wider than the decoder
    G2PConfig other = config;
    other.encoder_dim = encoder;
    CAPTURE(encoder);
    CHECK(book::count_parameters(*G2PModel(other)).total == g2p_parameter_count(other));
    CHECK(encoder_width(other) == encoder);
  }
  CHECK(encoder_width(config) == 12);  // 0: as wide as the decoder
  torch::manual_seed(11);
  G2PModel model(config);
  CHECK(book::count_parameters(*model).total == g2p_parameter_count(config));
  model->eval();
  torch::NoGradGuard no_grad;
  const std::vector<Pronunciation> data = {{"cat", ids_of("K AE T")}, {"a", ids_of("AH")}, {"phoneme", ids_of("F OW N IY M")}};
  const G2PBatch batch = collate_g2p(data, {0, 1, 2});
  CHECK(batch.letters.sizes() == torch::IntArrayRef({3, 7}));
  CHECK(batch.targets.sizes() == torch::IntArrayRef({3, 6}));
  CHECK(batch.lengths[1].item<std::int64_t>() == 1);
  CHECK(batch.letters[1][1].item<std::int64_t>() == kLetterPad);
  CHECK(batch.targets[1][1].item<std::int64_t>() == kPhonemeEos);
  CHECK(batch.targets[1][2].item<std::int64_t>() == kPhonemePad);
  // Teacher forcing by hand: <sos>, then the true phonemes.
  DecoderState state = model->encode(batch.letters, batch.lengths);
  torch::Tensor previous = torch::full({3}, kPhonemeSos, torch::kInt64);
  std::vector<torch::Tensor> by_hand;
  for (std::int64_t t = 0; t < 6; ++t) {
    by_hand.push_back(model->decode_step(previous, state));
    previous = batch.targets.select(1, t);
  }
  CHECK(torch::allclose(decode_scheduled(model, batch, 1.0), torch::stack(by_hand, 1), 1e-5, 1e-6));
  // Free running: each step's input is the previous step's greedy guess, as in greedy decoding.
  torch::Tensor free_logits;
  const auto decoded = greedy_decode(model, batch, &free_logits);
  const torch::Tensor scheduled_free = decode_scheduled(model, batch, 0.0);
  CHECK(torch::allclose(scheduled_free, free_logits, 1e-5, 1e-6));
  for (std::size_t b = 0; b < 3; ++b) {
    const torch::Tensor guesses = greedy_token(scheduled_free[static_cast<std::int64_t>(b)]);
    for (std::size_t t = 0; t < std::min<std::size_t>(decoded[b].size(), 6); ++t) {
      CHECK(guesses[static_cast<std::int64_t>(t)].item<std::int64_t>() == decoded[b][t]);
    }
    CHECK(static_cast<std::int64_t>(decoded[b].size()) <= max_decode_steps(static_cast<std::int64_t>(data[b].word.size())));
    for (auto id : decoded[b]) CHECK(id >= kFirstPhoneme);  // never <pad>, <sos> or <eos>
  }
  // Ratio 1 and ratio 0 differ for an untrained model.
  CHECK_FALSE(torch::allclose(decode_scheduled(model, batch, 1.0), scheduled_free));
}

namespace {

// The loss of one batch under `ratio` and the gradient of every parameter, on the given path.
struct PathResult {
  torch::Tensor logits;
  double loss = 0;
  std::vector<torch::Tensor> grads;
};

PathResult run_g2p_path(G2PModel& model, const G2PBatch& batch, double ratio, G2PPath path) {
  model->set_path(path);
  model->zero_grad();
  torch::manual_seed(3);  // the same coin flips for scheduled sampling
  PathResult r;
  r.logits = decode_scheduled(model, batch, ratio);
  const torch::Tensor loss = masked_cross_entropy(r.logits, batch.targets);
  loss.backward();
  r.loss = loss.item<double>();
  for (const auto& p : model->parameters()) r.grads.push_back(p.grad().clone());
  return r;
}

}  // namespace

TEST_CASE("the fused path gives the modules path's logits, loss and gradients in float64") {
  G2PConfig config;
  config.embed_dim = 6;
  config.hidden_dim = 10;
  config.encoder_dim = 7;  // the bridge maps 2 × 7 to 10
  torch::manual_seed(21);
  G2PModel model(config);
  model->to(torch::kFloat64);
  model->train();  // dropout 0: training mode changes nothing but keeps the graph
  // Lengths in no order (1 to 13 letters), so the packed order differs from the batch order.
  const std::vector<Pronunciation> data = {{"phoneme", ids_of("F OW N IY M")},
                                           {"a", ids_of("AH")},
                                           {"unbelievably", ids_of("AH N B IH L IY V AH B L IY")},
                                           {"cat", ids_of("K AE T")},
                                           {"through", ids_of("TH R UW")},
                                           {"ox", ids_of("AA K S")}};
  const G2PBatch batch = collate_g2p(data, {0, 1, 2, 3, 4, 5});
  model->set_path(G2PPath::kFused);
  REQUIRE(model->path() == G2PPath::kFused);
  for (double ratio : {1.0, 0.5, 0.0}) {
    CAPTURE(ratio);
    const PathResult modules = run_g2p_path(model, batch, ratio, G2PPath::kModules);
    const PathResult fused = run_g2p_path(model, batch, ratio, G2PPath::kFused);
    REQUIRE(fused.logits.dtype() == torch::kFloat64);
    CHECK((modules.logits - fused.logits).abs().max().item<double>() < 1e-12);
    CHECK(std::abs(modules.loss - fused.loss) < 1e-12);
    REQUIRE(modules.grads.size() == fused.grads.size());
    const auto names = model->named_parameters().keys();
    for (std::size_t i = 0; i < fused.grads.size(); ++i) {
      CAPTURE(names[i]);
      REQUIRE(modules.grads[i].defined());
      CHECK(modules.grads[i].abs().max().item<double>() > 0);  // every weight takes part
      CHECK((modules.grads[i] - fused.grads[i]).abs().max().item<double>() < 1e-10);
    }
  }
  // Without gradients the model runs its modules whatever the path (the fused path pays only in
  // its backward pass).
  torch::NoGradGuard no_grad;
  CHECK(model->path() == G2PPath::kModules);
}

TEST_CASE("teacher forcing: the decoder is one sequence call, and still step after step") {
  namespace F = torch::nn::functional;
  G2PConfig config;
  config.embed_dim = 6;
  config.hidden_dim = 10;
  config.encoder_dim = 7;
  torch::manual_seed(31);
  G2PModel model(config);
  model->to(torch::kFloat64);
  model->train();  // dropout 0; gradients recorded, so the fused path runs when it is chosen
  const std::vector<Pronunciation> data = {{"unbelievably", ids_of("AH N B IH L IY V AH B L IY")},
                                           {"cat", ids_of("K AE T")},
                                           {"through", ids_of("TH R UW")}};
  const G2PBatch batch = collate_g2p(data, {0, 1, 2});
  const std::int64_t rows = batch.targets.size(0);
  const std::int64_t steps = batch.targets.size(1);
  // The inputs teacher forcing feeds, all known before the first step: <sos>, then the truth.
  const torch::Tensor inputs =
      torch::cat({torch::full({rows, 1}, kPhonemeSos, torch::kInt64),
                  batch.targets.narrow(1, 0, steps - 1)}, /*dim=*/1);  // [B, T]
  // One sequence call: torch::nn::LSTM over all T inputs at once (its input projections of every
  // step in one matrix product), with the decoder cell's weights, from the bridge's (h_0, c_0).
  auto params = model->named_parameters();
  torch::nn::LSTM lstm(torch::nn::LSTMOptions(6, 10).batch_first(true));
  lstm->to(torch::kFloat64);
  {
    torch::NoGradGuard no_grad;
    for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"})
      lstm->named_parameters()[std::string(name) + "_l0"].copy_(params[std::string("decoder.") + name]);
  }
  const auto one_call = [&](const torch::Tensor& previous, const DecoderState& start) {
    const torch::Tensor x = F::embedding(previous, params["phoneme_embedding.weight"]);  // [B, T, E]
    const torch::Tensor h = std::get<0>(
        lstm->forward(x, std::make_tuple(start.h.unsqueeze(0), start.c.unsqueeze(0))));  // [B, T, H]
    return F::linear(h, params["output.weight"], params["output.bias"]);  // [B, T, 42]
  };
  const auto max_diff = [](const torch::Tensor& a, const torch::Tensor& b) {
    return (a - b).abs().max().item<double>();
  };
  for (G2PPath path : {G2PPath::kModules, G2PPath::kFused}) {
    CAPTURE(static_cast<int>(path));
    model->set_path(path);
    REQUIRE(model->path() == path);
    const DecoderState start = model->encode(batch.letters, batch.lengths);
    // (a) At ratio 1 the decoder's logits are the one call's, to float64 rounding.
    const torch::Tensor logits = decode_scheduled(model, batch, 1.0);
    CHECK(max_diff(logits, one_call(inputs, start)) < 1e-12);
    // ... and only with the inputs shifted by one: the true phonemes themselves give other logits.
    CHECK(max_diff(logits, one_call(batch.targets, start)) > 1e-3);
    // (b) Still step after step: change the input of step 0 of word 0 alone. Every later step of
    // that word changes too, though its own input did not; the other words do not change at all.
    torch::Tensor changed = inputs.clone();
    changed.index_put_({0, 0}, phoneme_id("ZH"));
    const torch::Tensor before = model->decode_sequence(inputs, start);
    const torch::Tensor after = model->decode_sequence(changed, start);
    for (std::int64_t t = 1; t < steps; ++t) {
      CAPTURE(t);
      CHECK(max_diff(after[0][t], before[0][t]) > 1e-9);
    }
    CHECK(max_diff(after.narrow(0, 1, rows - 1), before.narrow(0, 1, rows - 1)) < 1e-15);
    // A decoder whose steps were independent (each from (h_0, c_0) with its own input) would agree
    // at step 0 only.
    for (std::int64_t t = 0; t < steps; ++t) {
      CAPTURE(t);
      const double d = max_diff(one_call(inputs.narrow(1, t, 1), start).select(1, 0), logits.select(1, t));
      if (t == 0) CHECK(d < 1e-12);
      else CHECK(d > 1e-6);
    }
  }
}

TEST_CASE("a checkpoint keeps the encoder's width, and one without it (before the width was its own) means H") {
  TempDir dir("g2p-checkpoint");
  G2PConfig config;
  config.embed_dim = 4;
  config.hidden_dim = 9;
  config.encoder_dim = 5;
  torch::manual_seed(5);
  G2PModel model(config);
  const std::vector<std::string> words = {"cat", "phoneme", "ox"};
  const auto before = predict_words(model, words);
  const auto file = dir / "narrow.pth";
  book::save_checkpoint(*model, g2p_meta(config, TfSchedule::kAlways), file);
  G2PModel loaded = load_g2p(file);
  CHECK(loaded->config().encoder_dim == 5);
  CHECK(loaded->config().hidden_dim == 9);
  const auto after = predict_words(loaded, words);
  for (std::size_t i = 0; i < words.size(); ++i) CHECK(after[i].phonemes == before[i].phonemes);
  // An older checkpoint: the encoder as wide as the decoder, and no encoder_dim in its metadata.
  G2PConfig old_config = config;
  old_config.encoder_dim = 0;
  nlohmann::json meta = g2p_meta(old_config, TfSchedule::kAlways);
  REQUIRE(meta.at("encoder_dim").get<std::int64_t>() == 9);
  meta.erase("encoder_dim");
  const auto old_file = dir / "old.pth";
  book::save_checkpoint(*G2PModel(old_config), meta, old_file);
  CHECK(load_g2p(old_file)->config().encoder_dim == 9);
}

TEST_CASE("a batch trained in parts on two threads takes the whole batch's step, in float64") {
  G2PConfig config;
  config.embed_dim = 6;
  config.hidden_dim = 10;
  // The halves hold 13 and 8 phonemes (with <eos>): a plain mean of the two halves' losses would
  // weigh them equally and give another gradient.
  const std::vector<Pronunciation> data = {{"unbelievably", ids_of("AH N B IH L IY V AH B L IY")},
                                           {"a", ids_of("AH")},
                                           {"cat", ids_of("K AE T")},
                                           {"through", ids_of("TH R UW")},
                                           {"ox", ids_of("AA K S")}};
  const G2PBatch batch = collate_g2p(data, {0, 1, 2, 3, 4});
  const G2PBatch first = slice_g2p_batch(batch, 0, 2);
  CHECK(first.letters.sizes() == torch::IntArrayRef{2, 12});  // padding trimmed to the part
  CHECK(first.targets.sizes() == torch::IntArrayRef{2, 12});
  CHECK(slice_g2p_batch(batch, 2, 5).targets.sizes() == torch::IntArrayRef{3, 4});
  CHECK(slice_g2p_batch(batch, 2, 5).references.size() == 3);
  for (double ratio : {1.0, 0.0}) {  // the two ratios whose decoding has no coin flips
    for (double clip : {0.0, 0.05}) {
      CAPTURE(ratio);
      CAPTURE(clip);
      std::vector<G2PModel> models;
      std::vector<double> losses;
      for (int parts : {1, 2}) {
        torch::manual_seed(5);
        G2PModel model(config);
        model->to(torch::kFloat64);
        model->train();
        torch::optim::SGD sgd(model->parameters(), torch::optim::SGDOptions(1.0));
        std::vector<at::Generator> coins;
        for (int k = 0; k < parts; ++k) coins.push_back(at::detail::createCPUGenerator(7 + k));
        losses.push_back(parts == 1 ? g2p_train_step(model, sgd, batch, ratio, clip)
                                    : g2p_sharded_train_step(model, sgd, batch, ratio, clip, coins));
        models.push_back(model);
      }
      CHECK(std::abs(losses[0] - losses[1]) < 1e-12);
      const auto whole = models[0]->parameters();
      const auto parted = models[1]->parameters();
      for (std::size_t i = 0; i < whole.size(); ++i) {  // SGD with rate 1: the step is the gradient
        CAPTURE(i);
        CHECK((whole[i] - parted[i]).abs().max().item<double>() < 1e-12);
      }
    }
  }
}

TEST_CASE("a tiny run: the loss starts near ln 42, falls, and the schedule drives the ratio") {
  const G2PSplit split = split_pronunciations(shipped_dictionary());
  const auto train = take_first(split.train, 600);
  const auto val = take_first(split.validation, 100);
  G2PConfig config;
  config.embed_dim = 16;
  config.hidden_dim = 48;
  book::seed_torch(5);
  book::apply_threads(0);
  G2PModel model(config);
  const G2PEval before = evaluate_g2p(model, val, 50);
  // An untrained model is close to uniform over the 42 phoneme ids.
  CHECK(before.tf_loss == doctest::Approx(std::log(42.0)).epsilon(0.08));
  CHECK(before.wer == doctest::Approx(100.0));
  G2PFitOptions fit;
  fit.epochs = 4;
  fit.batch_size = 32;
  fit.lr = 1e-2;
  fit.schedule = TfSchedule::kLinear;
  fit.tf_end = 0.2;
  fit.progress = false;
  book::Rng rng(5);
  const auto history = fit_g2p(model, train, val, fit, rng);
  REQUIRE(history.size() == 4);
  for (const auto& e : history) {
    CAPTURE(e.epoch);
    CAPTURE(e.train_loss);
    CAPTURE(e.val.tf_loss);
    CAPTURE(e.val.free_loss);
  }
  CHECK(history.back().train_loss < history.front().train_loss - 0.3);
  CHECK(history.back().val.tf_loss < before.tf_loss - 1.0);
  CHECK(history.back().val.per < 90.0);
  // The epoch's ratio is the mean of the linear schedule over its 19 steps (600 words / 32).
  const int steps = 19;
  for (int epoch = 0; epoch < 4; ++epoch) {
    double mean = 0;
    for (int i = 0; i < steps; ++i) mean += 1.0 - 0.8 * (epoch * steps + i) / (4.0 * steps);
    CHECK(history[static_cast<std::size_t>(epoch)].tf_ratio == doctest::Approx(mean / steps));
  }
}

namespace {

// 200 training and 40 validation words of the shipped split, and a model small enough to train on
// them in a fraction of a second.
struct TinyG2P {
  std::vector<Pronunciation> train;
  std::vector<Pronunciation> val;
  G2PConfig config;
};

TinyG2P tiny_g2p() {
  const G2PSplit split = split_pronunciations(shipped_dictionary());
  TinyG2P t{take_first(split.train, 200), take_first(split.validation, 40), {}};
  t.config.embed_dim = 8;
  t.config.hidden_dim = 16;
  return t;
}

}  // namespace

TEST_CASE("a time limit stops training after the last epoch that leaves time for another") {
  const TinyG2P tiny = tiny_g2p();
  const auto& train = tiny.train;
  const auto& val = tiny.val;
  const auto& config = tiny.config;
  G2PFitOptions fit;
  fit.epochs = 3;
  fit.batch_size = 50;
  fit.progress = false;
  for (const auto& [limit, epochs] : std::vector<std::pair<double, std::size_t>>{{1e-9, 1}, {0.0, 3}, {1e6, 3}}) {
    CAPTURE(limit);
    book::seed_torch(4);
    book::Rng rng(4);
    G2PModel model(config);
    fit.time_limit = limit;
    const auto history = fit_g2p(model, train, val, fit, rng);
    CHECK(history.size() == epochs);
    for (std::size_t i = 1; i < history.size(); ++i) {
      CHECK(history[i].total_seconds > history[i - 1].total_seconds);
      CHECK(history[i].total_seconds >= history[i].train_seconds);
    }
  }
}

TEST_CASE("the same seed gives the same run, also when two runs train at the same time") {
  const TinyG2P tiny = tiny_g2p();
  const auto& train = tiny.train;
  const auto& val = tiny.val;
  const auto& config = tiny.config;
  G2PFitOptions fit;
  fit.epochs = 1;
  fit.batch_size = 32;
  fit.schedule = TfSchedule::kInverseSigmoid;  // coin flips, from a generator seeded by the Rng
  fit.progress = false;
  const auto model_from_seed = [&] {
    book::seed_torch(9);
    return G2PModel(config);
  };
  const auto fit_one = [&](G2PModel model) {
    book::Rng rng(9);
    return fit_g2p(model, train, val, fit, rng);
  };
  std::vector<std::vector<G2PEpoch>> runs;
  for (int i = 0; i < 2; ++i) runs.push_back(fit_one(model_from_seed()));
  // Two more, on two threads at once, as program 10 trains its schedules: the same numbers.
  G2PModel first = model_from_seed();
  G2PModel second = model_from_seed();
  auto a = std::async(std::launch::async, fit_one, first);
  auto b = std::async(std::launch::async, fit_one, second);
  runs.push_back(a.get());
  runs.push_back(b.get());
  for (std::size_t i = 1; i < runs.size(); ++i) {
    CAPTURE(i);
    CHECK(runs[0][0].train_loss == runs[i][0].train_loss);
    CHECK(runs[0][0].val.free_loss == runs[i][0].val.free_loss);
    CHECK(runs[0][0].val.per == runs[i][0].val.per);
  }
}

TEST_CASE("--full: the full run's settings, for every flag not given") {
  G2PRunOptions full;
  apply_full_run(full, [](const std::string&) { return false; });
  CHECK(full.train_words == 0);  // all of the split
  CHECK(full.test_words == 0);
  CHECK(full.eval_words == G2PRunOptions{}.eval_words);
  CHECK(full.schedules == std::vector<std::string>{"always"});
  CHECK(full.epochs == 6);
  CHECK(full.batch_size == 128);
  CHECK(full.embed_dim == 64);
  CHECK(full.hidden_dim == 256);
  CHECK(full.encoder_dim == 0);
  CHECK(encoder_width(g2p_config(full)) == 256);  // the encoder as wide as the decoder
  CHECK(full.lr == 3e-3);
  CHECK(full.lr_decay == "cosine");
  CHECK(full.time_limit == 540);
  G2PRunOptions given;
  given.epochs = 2;
  given.hidden_dim = 16;
  given.schedules = {"never"};
  apply_full_run(given, [](const std::string& flag) {
    return flag == "--epochs" || flag == "--hidden_dim" || flag == "--schedule";
  });
  CHECK(given.epochs == 2);
  CHECK(given.hidden_dim == 16);
  CHECK(given.schedules == std::vector<std::string>{"never"});
  CHECK(given.train_words == 0);
  CHECK(given.lr_decay == "cosine");
}

TEST_CASE("the cores: schedules side by side without dropout, one schedule's batch in parts") {
  G2PRunOptions two;  // always and inverse_sigmoid
  CHECK(plan_g2p_cores(two, true, 2).parallel_schedules);
  CHECK(plan_g2p_cores(two, true, 2).batch_parts == 1);
  CHECK_FALSE(plan_g2p_cores(two, true, 1).parallel_schedules);
  CHECK_FALSE(plan_g2p_cores(two, false, 2).parallel_schedules);
  two.dropout = 0.1;  // dropout draws from torch's global generator: not on two threads
  CHECK_FALSE(plan_g2p_cores(two, true, 2).parallel_schedules);
  G2PRunOptions one;
  one.schedules = {"always"};
  CHECK_FALSE(plan_g2p_cores(one, true, 2).parallel_schedules);
  CHECK(plan_g2p_cores(one, true, 2).batch_parts == 2);
  CHECK(plan_g2p_cores(one, false, 2).batch_parts == 1);
  one.batch_parts = 3;
  CHECK(plan_g2p_cores(one, true, 2).batch_parts == 3);
  one.batch_parts = 0;
  one.dropout = 0.1;
  CHECK(plan_g2p_cores(one, true, 2).batch_parts == 1);
}

TEST_CASE("error bars: the 95 % interval of a rate and the standard error of a difference") {
  // p = 0.5 on 1,000 words: sqrt(0.25 / 1000) = 1.581 points, times 1.96 = 3.099.
  CHECK(error_rate_interval95(50.0, 1000) == doctest::Approx(3.0990).epsilon(1e-4));
  CHECK(error_rate_interval95(0.0, 1000) == 0.0);
  CHECK(error_rate_interval95(30.0, 4000) < error_rate_interval95(30.0, 1000));
  // Two rates of 50 % on 1,000 words: sqrt(2 · 0.25 / 1000) = 2.236 points.
  CHECK(error_rate_difference_se(50.0, 50.0, 1000) == doctest::Approx(2.2361).epsilon(1e-4));
  CHECK(error_rate_difference_se(20.0, 60.0, 500) ==
        doctest::Approx(100.0 * std::sqrt((0.16 + 0.24) / 500)));
}

TEST_CASE("the log names the shipped dictionary by its place in the source tree, no machine's path") {
  const book::fs::path shipped = book::fs::path(BOOK_DEFAULT_DATA_DIR) / kCmudictFile;
  CHECK(shown_data_file(shipped) == "assets/data/cmudict/cmudict-g2p.tsv.gz");
  CHECK(shown_data_file("/elsewhere/cmudict/cmudict-g2p.tsv.gz") ==
        "/elsewhere/cmudict/cmudict-g2p.tsv.gz");
}

// ---- The program ---------------------------------------------------------------------------------------

TEST_CASE("program: a missing or malformed data file is exit code 1 and one line saying where it looked") {
  TempDir dir("g2p-cli");
  const ProcessResult missing = program10({"--data_dir", (dir / "empty").string(), "--out_dir", (dir / "out").string()});
  CAPTURE(missing.err);
  CHECK(missing.exit_code == 1);
  CHECK(missing.signal == 0);
  CHECK(book::test::count_lines(missing.err) == 1);
  CHECK(missing.err.find((dir / "empty" / "cmudict" / "cmudict-g2p.tsv.gz").string()) != std::string::npos);
  CHECK_FALSE(book::fs::exists(dir / "out"));
  write_gzip(dir / "bad" / "cmudict" / "cmudict-g2p.tsv.gz", "cat\tK AE T\ndog\tD OG G\n");
  const ProcessResult malformed = program10({"--data_dir", (dir / "bad").string(), "--out_dir", (dir / "out").string()});
  CAPTURE(malformed.err);
  CHECK(malformed.exit_code == 1);
  CHECK(book::test::count_lines(malformed.err) == 1);
  CHECK(malformed.err.find("cmudict-g2p.tsv.gz:2: unknown phoneme 'OG'") != std::string::npos);
}

TEST_CASE("program: --full trains one schedule on every training word, unless flags say otherwise") {
  TempDir dir("g2p-full");
  const auto out = (dir / "out").string();
  // The sizes --full sets, overridden to keep the test short: the words, the epochs, and a time
  // limit that stops it after the first of two epochs.
  const ProcessResult r = program10({"--full", "--train_words", "200", "--eval_words", "30", "--test_words", "30", "--epochs", "2", "--time_limit", "0.001",
                                     "--hidden_dim", "16", "--embed_dim", "8", "--samples", "0",
                                     "--no_baseline", "--out_dir", out});
  CAPTURE(r.out);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("epochs=2 batch_size=128") != std::string::npos);
  CHECK(r.out.find("--time_limit stopped training after 1 of 2 epochs") != std::string::npos);
  CHECK(r.out.find("lr=0.003 lr_decay=cosine") != std::string::npos);
  CHECK(r.out.find("using 200 / 30 / 30") != std::string::npos);
  CHECK(book::fs::exists(dir / "out" / "results" / "g2p_history_always.csv"));
  CHECK_FALSE(book::fs::exists(dir / "out" / "results" / "g2p_history_inverse_sigmoid.csv"));
  CHECK(r.out.find("Baseline") == std::string::npos);
}

TEST_CASE("program: flags checked together are usage errors") {
  TempDir dir("g2p-cli");
  const auto out = (dir / "out").string();
  for (const auto& [args, text] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--schedule", "always,sometimes"}, "--schedule"},
           {{"--schedule", "always,always"}, "twice"},
           {{"--tf_end", "0.5"}, "--tf_end"},
           {{"cat"}, "need --predict"},
           {{"--hidden_dim", "2048", "--encoder_dim", "2048", "--embed_dim", "1024"}, "the limit is"}}) {
    auto full = args;
    full.insert(full.end(), {"--out_dir", out});
    const ProcessResult r = program10(full);
    CAPTURE(r.err);
    CHECK(r.exit_code == 2);
    CHECK(book::test::count_lines(r.err) == 1);
    CHECK(r.err.find(text) != std::string::npos);
  }
  CHECK_FALSE(book::fs::exists(dir / "out"));
}

TEST_CASE("program: a tiny run writes its tables, figures and checkpoints, and predict mode answers per word") {
  TempDir dir("g2p-run");
  const auto out = (dir / "out").string();
  const ProcessResult r = program10({"--train_words", "300", "--eval_words", "40", "--test_words", "40", "--epochs", "2", "--hidden_dim", "24",
                                     "--embed_dim", "8", "--schedule", "always,exponential", "--samples", "3",
                                     "--out_dir", out});
  CAPTURE(r.out);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* text : {"[always] epoch 2/2", "[exponential] epoch 2/2", "teacher-forced", "free-running",
                           "PER", "WER", "Exposure bias", "exposure_gap"}) {
    CAPTURE(text);
    CHECK(r.out.find(text) != std::string::npos);
  }
  for (const char* file : {"results/g2p_exposure_bias.csv", "results/g2p_history_always.csv",
                           "results/g2p_history_exponential.csv", "results/metrics.json", "results/g2p_exposure_bias.gp",
                           "results/g2p_quality_vs_time.gp",
                           "checkpoints/g2p_always.pth", "checkpoints/g2p_exponential.pth"}) {
    CAPTURE(file);
    CHECK(book::fs::exists(dir / "out" / file));
  }
  const nlohmann::json metrics = book::read_json(dir / "out" / "results" / "metrics.json");
  CHECK(metrics.at("always").at("epochs").size() == 2);
  CHECK(metrics.at("always").at("epochs")[0].at("tf_ratio").get<double>() == 1.0);
  CHECK(metrics.at("exponential").at("epochs")[1].at("tf_ratio").get<double>() < 1.0);
  // Every number the run recorded for the book's page is one it printed.
  const nlohmann::json facts = book::read_json(dir / "out" / "facts.json");
  CHECK(facts.size() > 20);
  for (const auto& [key, value] : facts.items()) {
    CAPTURE(key);
    CHECK(r.out.find(value.get<std::string>()) != std::string::npos);
  }
  CHECK(facts.at("always.test_wer").get<std::string>() ==
        fmt::format("{:.2f}", metrics.at("always").at("test_wer").get<double>()));
  // The baseline ran on the same test words.
  CHECK(metrics.at("nearest_word_baseline").at("test_wer").get<double>() > 0);
  CHECK(r.out.find("Baseline, the nearest training word by spelling (300 candidates)") != std::string::npos);
  // Predict: good words answered, bad ones named, exit code 1 because some failed.
  const std::string checkpoint = (dir / "out" / "checkpoints" / "g2p_always.pth").string();
  const ProcessResult p = program10({"--predict", "--checkpoint", checkpoint, "Cat", "abc1", "", "dog"});
  CAPTURE(p.out);
  CAPTURE(p.err);
  CHECK(p.exit_code == 1);
  CHECK(book::test::count_lines(p.out) == 2);
  CHECK(p.out.find("cat ") == 0);
  CHECK(p.out.find("\ndog ") != std::string::npos);
  CHECK(book::test::count_lines(p.err) == 2);
  CHECK(p.err.find("word 2: 'abc1' has characters other than the letters a-z") != std::string::npos);
  CHECK(p.err.find("word 3: empty word") != std::string::npos);
  // From stdin, with the default checkpoint (the last --schedule).
  const ProcessResult s = program10({"--predict", "--schedule", "exponential", "--out_dir", out}, "hello\nworld\n");
  CAPTURE(s.err);
  CHECK(s.exit_code == 0);
  CHECK(book::test::count_lines(s.out) == 2);
  // A missing checkpoint is a one-line error.
  const ProcessResult m = program10({"--predict", "--checkpoint", (dir / "none.pth").string(), "cat"});
  CHECK(m.exit_code == 1);
  CHECK(book::test::count_lines(m.err) == 1);
}
