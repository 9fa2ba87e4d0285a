// Self-checks of common/text: UTF-8 decodes to code points, and no byte string makes it fail.
#include "book/text.h"

#include <doctest/doctest.h>

#include <sstream>

TEST_CASE("utf8_decode counts characters, not bytes") {
  CHECK(book::utf8_decode("petrov").size() == 6);
  CHECK(book::utf8_decode("Müller").size() == 6);
  CHECK(book::utf8_decode("王小明").size() == 3);
  CHECK(book::utf8_decode("😀").size() == 1);
  CHECK(book::utf8_decode("😀")[0] == 0x1F600);
  CHECK(book::utf8_decode("e\xCC\x81").size() == 2);  // e + combining acute: two code points
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per bad sequence") {
  CHECK(book::utf8_decode("a\xFF" "b") == std::u32string{U'a', book::kReplacementChar, U'b'});
  CHECK(book::utf8_decode("\xE2\x82") == std::u32string{book::kReplacementChar});        // truncated
  CHECK(book::utf8_decode("\xC0\xAF") == std::u32string{book::kReplacementChar});        // overlong
  CHECK(book::utf8_decode("\xED\xA0\x80") == std::u32string{book::kReplacementChar});    // surrogate
  CHECK(book::utf8_decode("\x80x") == std::u32string{book::kReplacementChar, U'x'});
  CHECK_FALSE(book::is_valid_utf8("a\xFF"));
  CHECK(book::is_valid_utf8("王小明 Müller 😀"));
}

TEST_CASE("utf8_encode inverts utf8_decode on valid text") {
  for (const char* s : {"", "abc", "Müller", "王小明", "😀x", "e\xCC\x81"}) {
    CHECK(book::utf8_encode(book::utf8_decode(s)) == s);
  }
}

TEST_CASE("read_lines gives one item per line, without a Windows line end's carriage return") {
  std::istringstream unix_text("petrov\nMüller\n\nlast without a line end");
  CHECK(book::read_lines(unix_text) ==
        std::vector<std::string>{"petrov", "Müller", "", "last without a line end"});
  std::istringstream windows_text("petrov\r\nMüller\r\n");
  CHECK(book::read_lines(windows_text) == std::vector<std::string>{"petrov", "Müller"});
  std::istringstream empty_text("");
  CHECK(book::read_lines(empty_text).empty());
}
