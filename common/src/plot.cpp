#include "book/plot.h"

#include "book/config.h"
#include "book/files.h"
#include "book/log.h"

#include <cstdlib>

namespace book {

namespace {

// A path as a single-quoted shell word.
std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A path as a gnuplot string literal (single quotes; a quote is written twice).
std::string gnuplot_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

// One look for every figure of the book: the same size and font, a transparent background (the page
// shows through; in dark mode the book puts figures on a light card, docs/book.css), the Okabe-Ito
// colour-blind-safe palette as line types 1-8, a light grid, and the key outside the plot area,
// under it, where it cannot cover a curve. A script may still set its own terminal size or key.
constexpr const char* kStyle =
    "set terminal svg size 800,480 dynamic enhanced font 'Helvetica,13'\n"
    "set linetype 1 lc rgb '#0072b2' lw 2 pt 7\n"
    "set linetype 2 lc rgb '#d55e00' lw 2 pt 5\n"
    "set linetype 3 lc rgb '#009e73' lw 2 pt 9\n"
    "set linetype 4 lc rgb '#cc79a7' lw 2 pt 11\n"
    "set linetype 5 lc rgb '#e69f00' lw 2 pt 13\n"
    "set linetype 6 lc rgb '#56b4e9' lw 2 pt 3\n"
    "set linetype 7 lc rgb '#000000' lw 2 pt 1\n"
    "set linetype 8 lc rgb '#f0e442' lw 2 pt 2\n"
    "set linetype cycle 8\n"
    "set style line 100 lc rgb '#c8c8c8' lw 1 dt 3\n"
    "set grid back ls 100\n"
    "set border lc rgb '#333333'\n"
    "set key outside below center horizontal noopaque\n";

}  // namespace

std::optional<std::filesystem::path> plot_svg(const std::string& script, const std::filesystem::path& svg) {
  std::filesystem::path gp = svg;
  gp.replace_extension(".gp");
  const std::string text = std::string(kStyle) + "set output " +
                           gnuplot_quote(svg.filename().string()) + "\n" +
                           "set datafile separator ','\n" + script + "\nunset output\n";
  write_text(gp, text);
  std::string gnuplot = BOOK_GNUPLOT_PATH;
  if (gnuplot.empty() || gnuplot.find("NOTFOUND") != std::string::npos) gnuplot = "gnuplot";
  const std::string folder = gp.has_parent_path() ? gp.parent_path().string() : ".";
  const std::string command = "cd " + shell_quote(folder) + " && " + shell_quote(gnuplot) + " " +
                              shell_quote(gp.filename().string()) + " 2>&1";
  if (std::system(command.c_str()) != 0) {
    get_logger("plot")->warn("gnuplot failed or is not installed; the script is in {}", gp.string());
    return std::nullopt;
  }
  return svg;
}

}  // namespace book
