// Reliability, text input: the predict modes of ch06_main, program 07 and program 10 read names,
// sentences and words from stdin. Multi-byte UTF-8, combining marks, emoji, invalid bytes, empty
// lines, CRLF line ends and very long lines each get an answer or one error line for that input
// only (the limits their --help states), the output stays valid UTF-8, and nothing crashes.
#include "book/text.h"
#include "reliability.h"

#include <sstream>

using book::test::count_lines;
using book::test::ProcessResult;
using book::test::run_program_named;
using book::test::TempDir;

namespace {

// Trains `name` with its small flags into `dir` and returns the checkpoint path.
std::string train_small(const std::string& name, const TempDir& dir, const std::string& checkpoint) {
  for (const auto& [program, args] : book::test::small_runs()) {
    if (program != name) continue;
    auto full = args;
    full.insert(full.end(), {"--out_dir", dir.path().string()});
    const ProcessResult r = run_program_named(name, full);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    REQUIRE(book::fs::exists(dir / checkpoint));
    return (dir / checkpoint).string();
  }
  FAIL("no small run for " << name);
  return {};
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

const std::string kCombining = "Mu\xcc\x88ller";        // u + U+0308 COMBINING DIAERESIS
const std::string kEmoji = "\xf0\x9f\x99\x82";            // U+1F642
const std::string kInvalid = "\xc3\x28";                  // a lead byte followed by '('
const std::string kStray = "\x80" "abc";                  // a lone continuation byte
const std::string kReplacement = "\xef\xbf\xbd";          // U+FFFD

}  // namespace

TEST_CASE("ch06_main --predict: UTF-8, combining marks, emoji, invalid bytes, empty and over-long names") {
  TempDir dir("rel-text-main");
  const std::string checkpoint = train_small("ch06_main", dir, "checkpoints/gru_model.pth");
  const ProcessResult help = run_program_named("ch06_main", {"--help"});
  CHECK(help.out.find("longer than 256 characters is refused") != std::string::npos);  // the limit it states

  const std::vector<std::string> names = {kCombining,  kEmoji, kInvalid, kStray, "",
                                          std::string(257, 'a'), std::string(256, 'b'), "王小明", "petrov\r",
                                          std::string(1'000'000, 'c')};
  const ProcessResult r = run_program_named("ch06_main", {"--predict", "--checkpoint", checkpoint}, join_lines(names));
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 1);  // some names failed
  CHECK(book::is_valid_utf8(r.out));
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 7);  // every name but the empty and the two over-long ones
  CHECK(out[0].rfind(kCombining + " ", 0) == 0);  // the combining mark kept with its letter
  CHECK(out[1].rfind(kEmoji + " ", 0) == 0);
  CHECK(out[2].rfind(kReplacement + "( ", 0) == 0);  // the bad byte shown as U+FFFD, not echoed
  CHECK(out[3].rfind(kReplacement + "abc ", 0) == 0);
  CHECK(out[4].rfind(std::string(256, 'b') + " ", 0) == 0);
  CHECK(out[5].rfind("王小明 ", 0) == 0);
  CHECK(out[6].rfind("petrov ", 0) == 0);  // CRLF line ends read as LF
  for (const auto& line : out) CHECK(line.find(" -> ") != std::string::npos);
  CHECK(count_lines(r.err) == 3);
  CHECK(r.err.find("name 5: empty name") != std::string::npos);
  CHECK(r.err.find("name 6: name too long (257 characters; the limit is 256)") != std::string::npos);
  CHECK(r.err.find("name 10: name too long (1000000 characters; the limit is 256)") != std::string::npos);

  const ProcessResult none = run_program_named("ch06_main", {"--predict", "--checkpoint", checkpoint}, "");
  book::test::check_runtime_error(none, "no names to classify");
}

TEST_CASE("program 07 --predict: UTF-8, emoji, invalid bytes, empty and wordless lines, a 100,000-word line cut") {
  TempDir dir("rel-text-07");
  const std::string checkpoint = train_small("ch06_07_sentiment_lstm", dir, "checkpoints/sentiment_lstm.pth");
  const ProcessResult help = run_program_named("ch06_07_sentiment_lstm", {"--help"});
  CHECK(help.out.find("past the checkpoint's --max_len are cut") != std::string::npos);

  std::string long_line;
  for (int i = 0; i < 100'000; ++i) long_line += "good ";
  const std::vector<std::string> sentences = {"the film was " + kCombining + " and " + kEmoji + " good",
                                              kInvalid + " bad " + kStray,
                                              "",
                                              "?!",
                                              long_line,
                                              "the ending was dull\r"};
  const ProcessResult r =
      run_program_named("ch06_07_sentiment_lstm", {"--predict", "--checkpoint", checkpoint}, join_lines(sentences));
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 1);
  CHECK(book::is_valid_utf8(r.out));
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 4);
  CHECK(out[0].find(kCombining) != std::string::npos);
  CHECK(out[0].find(kEmoji) != std::string::npos);
  CHECK(out[1].find(kReplacement + "( bad " + kReplacement + "abc") != std::string::npos);
  CHECK(out[2].find("[cut to the first 200 words]") != std::string::npos);  // the tiny run kept --max_len 200
  CHECK(out[3].find("the ending was dull") != std::string::npos);
  CHECK(out[3].find('\r') == std::string::npos);
  CHECK(count_lines(r.err) == 2);
  CHECK(r.err.find("sentence 3: empty sentence") != std::string::npos);
  CHECK(r.err.find("sentence 4: no words in the sentence") != std::string::npos);

  const ProcessResult none = run_program_named("ch06_07_sentiment_lstm", {"--predict", "--checkpoint", checkpoint}, "");
  book::test::check_runtime_error(none, "no sentences to classify");
}

TEST_CASE("program 10 --predict: letters only, at most 40 (accents, combining marks, emoji, bad bytes and huge lines refused in one short line each)") {
  TempDir dir("rel-text-10");
  const std::string checkpoint = train_small("ch06_10_teacher_forcing", dir, "checkpoints/g2p_linear.pth");
  const ProcessResult help = run_program_named("ch06_10_teacher_forcing", {"--help"});
  CHECK(help.out.find("Letters a-z only (case is ignored), at most 40") != std::string::npos);

  const std::vector<std::string> words = {"Cat",         "cafe\xcc\x81", "caf\xc3\xa9",          kEmoji, kInvalid,
                                          "",            std::string(41, 'a'), std::string(40, 'b'), "  dog\r",
                                          std::string(300'000, '\xe9')};  // 300,000 Latin-1 bytes: not UTF-8
  const ProcessResult r =
      run_program_named("ch06_10_teacher_forcing", {"--predict", "--checkpoint", checkpoint}, join_lines(words));
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  CHECK(r.exit_code == 1);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 3);
  CHECK(out[0].rfind("cat ", 0) == 0);
  CHECK(out[1].rfind(std::string(40, 'b') + " ", 0) == 0);
  CHECK(out[2].rfind("dog ", 0) == 0);
  CHECK(book::is_valid_utf8(r.err));  // bad bytes are shown as U+FFFD
  const auto err = lines_of(r.err);
  REQUIRE(err.size() == 7);
  for (const auto& line : err) {
    CAPTURE(line);
    CHECK(line.size() < 160);  // a short line, whatever the input's length
  }
  CHECK(err[0].find("word 2: 'cafe\xcc\x81' has characters other than the letters a-z") != std::string::npos);
  CHECK(err[1].find("word 3: 'caf\xc3\xa9' has characters") != std::string::npos);
  CHECK(err[2].find("word 4: '" + kEmoji + "' has characters") != std::string::npos);
  CHECK(err[3].find("word 5: '" + kReplacement + "(' has characters") != std::string::npos);
  CHECK(err[4].find("word 6: empty word") != std::string::npos);
  CHECK(err[5].find("word 7: '" + std::string(20, 'a') + "...' is too long (41 letters; the limit is 40)") !=
        std::string::npos);
  CHECK(err[6].find("word 10: '" + kReplacement) != std::string::npos);
  CHECK(err[6].find("...' has characters other than the letters a-z") != std::string::npos);
}
