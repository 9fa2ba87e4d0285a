// Reliability, files: every program against an out_dir it cannot write and an out_dir whose path has
// spaces and non-ASCII characters; the predict modes (ch06_main, 07, 10) against missing, empty,
// corrupt, truncated and foreign checkpoints; programs 07 and 10 against bad data folders and files.
// Every refusal is exit code 1 with one line naming the path, no signal, and no file left behind.
#include "reliability.h"
#include "test_paths.h"
#include "book/text.h"

#include <unistd.h>

#include <algorithm>

using book::test::check_runtime_error;
using book::test::list_files;
using book::test::ProcessResult;
using book::test::run_program_named;
using book::test::small_runs;
using book::test::TempDir;

namespace {

const book::fs::path kImdbFixture = book::fs::path(BOOK_TEST_SOURCE_DIR) / "tests" / "fixtures" / "aclImdb_tiny";

std::vector<std::string> with_out_dir(std::vector<std::string> args, const book::fs::path& out_dir) {
  args.insert(args.end(), {"--out_dir", out_dir.string()});
  return args;
}

std::vector<std::string> small_args(const std::string& name) {
  for (const auto& [program, args] : small_runs()) {
    if (program == name) return args;
  }
  FAIL("no small run for " << name);
  return {};
}

// No file under `dir` has a temporary name (write_atomically's ".<name>.tmp<n>" or the write probe).
void check_no_temporaries(const book::fs::path& dir) {
  for (const auto& f : list_files(dir)) {
    CAPTURE(f);
    CHECK(f.find(".tmp") == std::string::npos);
    CHECK(f.find(".book-write-probe") == std::string::npos);
  }
}

// The three programs with a predict mode, what each is asked, and a tiny training run's checkpoint.
struct PredictProgram {
  std::string name;
  std::string input;  // one good input for its predict mode
  std::string checkpoint_in_out_dir;
};

const std::vector<PredictProgram>& predict_programs() {
  static const std::vector<PredictProgram> programs = {
      {"ch06_main", "petrov", "checkpoints/gru_model.pth"},
      {"ch06_07_sentiment_lstm", "the plot was good", "checkpoints/sentiment_lstm.pth"},
      {"ch06_10_teacher_forcing", "cat", "checkpoints/g2p_linear.pth"},
  };
  return programs;
}

}  // namespace

TEST_CASE("every program: an out_dir below a regular file is exit code 1 with one line naming it, nothing written") {
  for (const auto& [name, args] : small_runs()) {
    CAPTURE(name);
    TempDir dir("rel-out");
    book::write_text(dir / "a_file", "x");
    const auto out = dir / "a_file" / "out";
    check_runtime_error(run_program_named(name, with_out_dir(args, out)), (dir / "a_file").string());
    CHECK(list_files(dir.path()) == std::vector<std::string>{"a_file"});
    CHECK(book::read_file(dir / "a_file") == "x");
  }
}

TEST_CASE("every program: an out_dir without write permission is exit code 1 with one line (skipped as root)") {
  if (::geteuid() == 0) {
    MESSAGE("skipped: running as root, where chmod does not stop writing (the test above covers an unwritable out_dir)");
    return;
  }
  for (const auto& [name, args] : small_runs()) {
    CAPTURE(name);
    TempDir dir("rel-ro");
    const auto out = dir / "read-only";
    book::fs::create_directories(out);
    book::fs::permissions(out, book::fs::perms::owner_read | book::fs::perms::owner_exec);
    const ProcessResult r = run_program_named(name, with_out_dir(args, out));
    book::fs::permissions(out, book::fs::perms::owner_all);
    check_runtime_error(r, out.string());
    CHECK(list_files(out).empty());
  }
}

TEST_CASE("every program: an out_dir with spaces and non-ASCII characters is written, without temporary files") {
  for (const auto& [name, args] : small_runs()) {
    CAPTURE(name);
    TempDir dir("rel-paths");
    const auto out = dir / "my runs" / "Müller 王 ü";
    const ProcessResult r = run_program_named(name, with_out_dir(args, out));
    CAPTURE(r.err);
    CHECK(r.signal == 0);
    REQUIRE(r.exit_code == 0);
    CHECK_FALSE(list_files(out).empty());
    check_no_temporaries(dir.path());
  }
}

TEST_CASE("predict modes: missing, empty, corrupt, truncated, foreign checkpoints and folders are one line, exit code 1") {
  TempDir dir("rel-ckpt");
  const auto base = dir / "check points" / "Müller 王";  // spaces and non-ASCII in every checkpoint path
  std::vector<book::fs::path> trained;
  for (const auto& p : predict_programs()) {
    const auto out = base / p.name;
    const ProcessResult r = run_program_named(p.name, with_out_dir(small_args(p.name), out));
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    trained.push_back(out / p.checkpoint_in_out_dir);
    REQUIRE(book::fs::exists(trained.back()));
  }
  const auto missing = base / "none.pth";
  const auto empty = base / "empty.pth";
  const auto junk = base / "junk.pth";
  const auto folder = base / "folder.pth";
  book::write_text(empty, "");
  book::write_text(junk, "not a checkpoint\n");
  book::fs::create_directories(folder);
  const auto before = list_files(dir.path());

  for (std::size_t i = 0; i < predict_programs().size(); ++i) {
    const PredictProgram& p = predict_programs()[i];
    CAPTURE(p.name);
    auto predict = [&](const book::fs::path& checkpoint) {
      return run_program_named(p.name, {"--predict", "--checkpoint", checkpoint.string(), p.input});
    };
    // Its own checkpoint, in a path with spaces and non-ASCII characters, answers.
    const ProcessResult own = predict(trained[i]);
    CAPTURE(own.err);
    CHECK(own.exit_code == 0);
    CHECK(book::test::count_lines(own.out) == 1);

    check_runtime_error(predict(missing), missing.string() + "' does not exist");
    check_runtime_error(predict(empty), empty.string() + "' is corrupt or truncated");
    check_runtime_error(predict(junk), junk.string() + "' is corrupt or truncated");
    check_runtime_error(predict(folder), folder.string() + "' is not a file");
    // Its own checkpoint cut in half, and cut to its last byte.
    const std::string bytes = book::read_file(trained[i]);
    for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 1}) {
      CAPTURE(keep);
      const auto cut = base / ("cut " + std::to_string(keep) + ".pth");
      book::write_text(cut, bytes.substr(0, keep));
      check_runtime_error(predict(cut), cut.string() + "' is corrupt or truncated");
      book::fs::remove(cut);
    }
    // The other programs' checkpoints: another architecture, named.
    for (std::size_t j = 0; j < predict_programs().size(); ++j) {
      if (j == i) continue;
      check_runtime_error(predict(trained[j]), trained[j].string() + "' holds a ");
    }
  }
  // A GRU checkpoint loaded as an LSTM (and as an RNN) by the main job.
  for (const char* type : {"lstm", "rnn"}) {
    const ProcessResult r =
        run_program_named("ch06_main", {"--predict", "--model_type", type, "--checkpoint", trained[0].string(), "petrov"});
    check_runtime_error(r, std::string("holds a gru model, not ") + type);
  }
  CHECK(list_files(dir.path()) == before);  // predict mode writes nothing
}

TEST_CASE("program 07: data folders that are missing, empty, a file or below a file are one line, nothing written") {
  TempDir dir("rel-imdb");
  const auto out = dir / "out";
  book::write_text(dir / "a_file", "x");
  book::fs::create_directories(dir / "empty");
  // Every review of the layout is an empty file.
  for (const char* part : {"train/pos", "train/neg", "test/pos", "test/neg"}) {
    book::write_text(dir / "blank" / part / "1_1.txt", "");
  }
  const std::vector<std::pair<book::fs::path, std::string>> bad = {
      {dir / "nowhere", "no review folder at '" + (dir / "nowhere").string() + "'"},
      {dir / "a_file", "no review folder at '" + (dir / "a_file").string() + "'"},
      {dir / "a_file" / "imdb", "no review folder at '" + (dir / "a_file" / "imdb").string() + "'"},
      {dir / "empty", "review folder '" + (dir / "empty" / "train" / "pos").string() + "' is missing"},
      {dir / "blank", "no review with any words in the train folders of '" + (dir / "blank").string() + "'"},
  };
  for (const auto& [data_dir, text] : bad) {
    CAPTURE(data_dir);
    const ProcessResult r = run_program_named(
        "ch06_07_sentiment_lstm", with_out_dir({"--data_dir", data_dir.string()}, out));
    check_runtime_error(r, text);
    CHECK_FALSE(book::fs::exists(out));
  }
}

TEST_CASE("program 07: an aclImdb folder in a path with spaces and non-ASCII characters, with an empty and a non-UTF-8 review") {
  TempDir dir("rel-imdb");
  const auto data = dir / "my data" / "aclImdb ü 王";
  book::fs::create_directories(data.parent_path());
  book::fs::copy(kImdbFixture, data, book::fs::copy_options::recursive);
  book::write_text(data / "train" / "pos" / "90_10.txt", "");
  book::write_text(data / "train" / "neg" / "91_1.txt", "bad \xff\xfe bytes, \xc3\x28 a dull film\n");
  auto args = small_args("ch06_07_sentiment_lstm");
  args.insert(args.end(), {"--data_dir", data.string(), "--min_freq", "1"});
  const ProcessResult r = run_program_named("ch06_07_sentiment_lstm", with_out_dir(args, dir / "out ü"));
  CAPTURE(r.err);
  CHECK(r.signal == 0);
  REQUIRE(r.exit_code == 0);
  // The fixture's 10 training texts plus the non-UTF-8 one; the empty one is left out, and said so.
  CHECK(r.out.find("11 training and 6 test texts") != std::string::npos);
  CHECK(r.out.find("Left out 1 review(s) without a word, e.g. " + (data / "train" / "pos" / "90_10.txt").string()) !=
        std::string::npos);
  CHECK(book::is_valid_utf8(book::read_file(dir / "out ü" / "data" / "vocab.tsv")));
  check_no_temporaries(dir.path());
}

TEST_CASE("program 10: dictionary files that are missing, empty, cut short, a folder or below a file are one line") {
  TempDir dir("rel-g2p");
  const auto out = dir / "out";
  const book::fs::path file = book::fs::path("cmudict") / "cmudict-g2p.tsv.gz";
  const auto shipped = book::read_file(book::fs::path(BOOK_TEST_SOURCE_DIR) / "assets" / "data" / file);
  auto put = [&](const std::string& name, const std::string& bytes) {
    book::write_text(dir / name / file, bytes);
    return dir / name;
  };
  book::write_text(dir / "a_file", "x");
  const auto as_folder = dir / "folder";
  book::fs::create_directories(as_folder / file);
  const std::vector<std::pair<book::fs::path, std::string>> bad = {
      {put("empty", ""), (dir / "empty" / file).string() + ": no pronunciations"},
      {put("cut", shipped.substr(0, shipped.size() / 2)), (dir / "cut" / file).string()},
      {put("junk", "not gzip, not tab-separated\n"), (dir / "junk" / file).string() + ":1: no tab"},
      {dir / "a_file" / "data", (dir / "a_file" / "data" / file).string()},
      {as_folder, (as_folder / file).string()},
  };
  for (const auto& [data_dir, text] : bad) {
    CAPTURE(data_dir);
    const ProcessResult r = run_program_named("ch06_10_teacher_forcing", with_out_dir({"--data_dir", data_dir.string()}, out));
    check_runtime_error(r, text);
    CHECK_FALSE(book::fs::exists(out));
  }
  // The shipped dictionary copied to a path with spaces and non-ASCII characters is read.
  const auto good = put("my data ü 王", shipped);
  auto args = small_args("ch06_10_teacher_forcing");
  args.insert(args.end(), {"--data_dir", good.string()});
  const ProcessResult r = run_program_named("ch06_10_teacher_forcing", with_out_dir(args, out));
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find((good / file).string()) != std::string::npos);
}
