#pragma once
/// \file
/// UTF-8 text as Unicode code points, so that a character of a name is a character, not a byte;
/// and text read one line per item.
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace book {

/// The code point that replaces bytes that are not valid UTF-8.
inline constexpr char32_t kReplacementChar = 0xFFFD;

/// Decodes UTF-8 into code points. Each invalid or truncated sequence (and each overlong form or
/// surrogate) becomes one U+FFFD, so that any byte string decodes without failing.
std::u32string utf8_decode(std::string_view bytes);

/// Encodes code points as UTF-8 (U+FFFD for values that are not code points).
std::string utf8_encode(std::u32string_view text);

/// Encodes one code point as UTF-8.
std::string utf8_encode(char32_t c);

/// True if `bytes` is valid UTF-8.
bool is_valid_utf8(std::string_view bytes);

/// Reads `in` to its end, one item per line (what the programs' --predict modes read from
/// standard input). A carriage return before the line end (Windows text) is removed; empty
/// lines are kept as empty items.
std::vector<std::string> read_lines(std::istream& in);

}  // namespace book
