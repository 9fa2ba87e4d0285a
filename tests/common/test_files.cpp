// Self-checks of common/files: atomic writes leave nothing half-written, JSON refuses NaN, and the
// data lookup says where it looked.
#include "book/facts.h"
#include "book/files.h"
#include "process.h"
#include "test_paths.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

using book::test::TempDir;

TEST_CASE("write_atomically replaces the file only when the writer succeeds") {
  TempDir dir("files");
  const auto target = dir / "result.txt";
  book::write_text(target, "first");
  CHECK(book::read_file(target) == "first");
  CHECK_THROWS(book::write_atomically(target, [](const book::fs::path& tmp) {
    std::ofstream(tmp) << "half";
    throw std::runtime_error("interrupted");
  }));
  CHECK(book::read_file(target) == "first");
  CHECK(book::test::list_files(dir.path()) == std::vector<std::string>{"result.txt"});
  book::write_text(target, "second");
  CHECK(book::read_file(target) == "second");
}

TEST_CASE("write_json refuses NaN and infinity instead of writing null") {
  TempDir dir("json");
  nlohmann::json good = {{"loss", {1.0, 0.5}}};
  book::write_json(dir / "good.json", good);
  CHECK(book::read_json(dir / "good.json") == good);
  nlohmann::json bad = {{"loss", {1.0, std::nan("")}}};
  CHECK_THROWS_WITH_AS(book::write_json(dir / "bad.json", bad), doctest::Contains("NaN"), std::runtime_error);
  CHECK_FALSE(book::fs::exists(dir / "bad.json"));
  CHECK_FALSE(book::all_finite(nlohmann::json{{"x", {{"y", INFINITY}}}}));
}

TEST_CASE("read_json names the file when it is missing or malformed") {
  TempDir dir("json");
  CHECK_THROWS_WITH_AS(book::read_json(dir / "none.json"), doctest::Contains("none.json"), std::runtime_error);
  book::write_text(dir / "broken.json", "{\"a\": [1, 2");
  CHECK_THROWS_WITH_AS(book::read_json(dir / "broken.json"), doctest::Contains("not valid JSON"), std::runtime_error);
}

TEST_CASE("ensure_writable_dir creates folders and explains why it cannot") {
  TempDir dir("dirs");
  book::ensure_writable_dir(dir / "a b" / "ü");
  CHECK(book::fs::is_directory(dir / "a b" / "ü"));
  book::write_text(dir / "file", "x");
  CHECK_THROWS_WITH_AS(book::ensure_writable_dir(dir / "file" / "sub"), doctest::Contains("cannot create"),
                       std::runtime_error);
}

TEST_CASE("find_data_file looks in --data_dir, then $BOOK_DATA_DIR, then the shipped folder") {
  TempDir flag_dir("data"), env_dir("data");
  book::write_text(flag_dir / "x.txt", "flag");
  book::write_text(env_dir / "x.txt", "env");
  CHECK(book::find_data_file("x.txt", flag_dir.path().string()) == flag_dir / "x.txt");
  setenv(book::kDataDirEnv, env_dir.path().c_str(), 1);
  CHECK(book::find_data_file("x.txt") == env_dir / "x.txt");
  try {
    book::find_data_file("missing.txt");
    FAIL("a missing file must throw");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.find((env_dir / "missing.txt").string()) != std::string::npos);
    CHECK(message.find("--data_dir") != std::string::npos);
  }
  unsetenv(book::kDataDirEnv);
}

TEST_CASE("default_out_dir is in the build tree, not the source tree") {
  const std::string dir = book::default_out_dir("prog");
  CHECK(dir.find(BOOK_TEST_BINARY_DIR) == 0);
  CHECK(book::fs::path(dir).filename() == "prog");
}

TEST_CASE("facts keep the text a program prints, refuse bad keys, and land in facts.json") {
  TempDir dir("facts");
  book::Facts facts;
  CHECK(facts.put("gap.ratio", "4.0") == "4.0");
  facts.put("wer_always", "58.30");
  facts.put("gap.ratio", "3.9");  // recorded again: the last text wins
  CHECK(facts.get("gap.ratio") == "3.9");
  CHECK_THROWS_AS(facts.get("missing"), std::out_of_range);
  CHECK_THROWS_AS(facts.put("Gap Ratio", "1"), std::invalid_argument);
  CHECK_THROWS_AS(facts.put("empty", ""), std::invalid_argument);
  facts.write(dir.path());
  const auto json = book::read_json(dir / "facts.json");
  CHECK(json == nlohmann::json{{"gap.ratio", "3.9"}, {"wer_always", "58.30"}});
}
