// Self-checks of the small torch-free pieces of common/: the portable RNG, tables, medians, the
// progress bar and the log format.
#include "book/log.h"
#include "book/progress.h"
#include "book/rng.h"
#include "book/table.h"
#include "book/timer.h"

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <regex>
#include <sstream>

TEST_CASE("uniform_int stays in range and reaches both ends") {
  book::Rng rng(1);
  int lo = 0, hi = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto v = book::uniform_int(rng, 3, 8);
    REQUIRE(v >= 3);
    REQUIRE(v <= 8);
    lo += v == 3;
    hi += v == 8;
  }
  CHECK(lo > 200);
  CHECK(hi > 200);
}

TEST_CASE("the same seed gives the same shuffle, and a shuffle is a permutation") {
  std::vector<int> a(50), b(50);
  std::iota(a.begin(), a.end(), 0);
  b = a;
  book::Rng r1(9), r2(9);
  book::shuffle(a, r1);
  book::shuffle(b, r2);
  CHECK(a == b);
  std::vector<int> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int> expected(50);
  std::iota(expected.begin(), expected.end(), 0);
  CHECK(sorted == expected);
  CHECK(a != expected);
}

TEST_CASE("uniform01 lies between 0 and 1 with mean near 1/2") {
  book::Rng rng(3);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double u = book::uniform01(rng);
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
  }
  CHECK(sum / 10000 == doctest::Approx(0.5).epsilon(0.02));
}

TEST_CASE("a table prints aligned text and CSV, and refuses ragged rows") {
  book::Table t({"model", "acc"});
  t.add_row({std::string("lstm"), 99.5});
  t.add_row({std::string("rnn"), std::int64_t{97}});
  CHECK(t.to_csv() == "model,acc\nlstm,99.5\nrnn,97\n");
  CHECK(t.to_text().find("lstm   99.5") != std::string::npos);
  CHECK(t.text(0, 1) == "99.5");  // what a book::Facts records is what to_text() prints
  CHECK(t.text(1, 0) == "rnn");
  CHECK_THROWS_AS(t.text(2, 0), std::out_of_range);
  CHECK_THROWS_AS(t.add_row({std::string("x")}), std::invalid_argument);
}

TEST_CASE("median of odd and even counts") {
  CHECK(book::median({3, 1, 2}) == 2);
  CHECK(book::median({4, 1, 3, 2}) == 2.5);
  CHECK_THROWS(book::median({}));
}

TEST_CASE("the progress bar draws only when enabled") {
  std::FILE* on = std::tmpfile();
  std::FILE* off = std::tmpfile();
  {
    book::ProgressBar bar("train", 4, true, on);
    bar.update(4, "loss 0.5");
    book::ProgressBar quiet("train", 4, false, off);
    quiet.update(4, "loss 0.5");
  }
  auto read_all = [](std::FILE* f) {
    std::string text;
    std::rewind(f);
    for (int c; (c = std::fgetc(f)) != EOF;) text.push_back(static_cast<char>(c));
    std::fclose(f);
    return text;
  };
  const std::string drawn = read_all(on);
  CHECK(drawn.find("100%") != std::string::npos);
  CHECK(drawn.find("4/4") != std::string::npos);
  CHECK(drawn.find("loss 0.5") != std::string::npos);
  CHECK(read_all(off).empty());
}

TEST_CASE("the log format is the original's: time - logger - LEVEL - message") {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  spdlog::logger logger("ch06", sink);
  book::apply_book_format(logger);
  logger.info("Vocab Size: 28 | Classes: 5");
  logger.warn("careful");
  const std::regex line(R"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - ch06 - (INFO|WARNING) - .+)");
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  CHECK(std::regex_match(first, line));
  CHECK(first.find("- INFO - Vocab Size: 28 | Classes: 5") != std::string::npos);
  CHECK(second.find("- WARNING - careful") != std::string::npos);
}

#include "book/plot.h"
#include "book/files.h"
#include "process.h"

TEST_CASE("plot_svg draws an SVG from a CSV in a folder with spaces, quotes and non-ASCII characters") {
  book::test::TempDir dir("plot");
  const auto folder = dir / "a b 'c' ü";
  book::Table t({"step", "value"});
  for (int i = 1; i <= 5; ++i) t.add_row({std::int64_t{i}, 1.0 / i});
  t.save_csv(folder / "curve.csv");
  const auto svg = book::plot_svg("set logscale y\nplot 'curve.csv' using 1:2 with lines title 'decay'", folder / "curve.svg");
  REQUIRE(svg.has_value());
  const std::string text = book::read_file(*svg);
  CHECK(text.find("<svg") != std::string::npos);
  CHECK(text.find("decay") != std::string::npos);
  CHECK(book::fs::exists(folder / "curve.gp"));
}

TEST_CASE("plot_svg reports a failing script instead of throwing") {
  book::test::TempDir dir("plot");
  CHECK_FALSE(book::plot_svg("plot 'no-such-file.csv' using 1:2", dir / "x.svg").has_value());
  CHECK(book::fs::exists(dir / "x.gp"));
}
