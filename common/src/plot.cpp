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

}  // namespace

std::optional<std::filesystem::path> plot_svg(const std::string& script, const std::filesystem::path& svg) {
  std::filesystem::path gp = svg;
  gp.replace_extension(".gp");
  const std::string text = "set terminal svg size 800,480 dynamic enhanced font 'Helvetica,13' background '#ffffff'\n"
                           "set output " + gnuplot_quote(svg.filename().string()) + "\n" +
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
