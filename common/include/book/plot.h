#pragma once
/// \file
/// Figures: a gnuplot script, run to produce an SVG next to the CSV it reads.
#include <filesystem>
#include <optional>
#include <string>

namespace book {

/// Writes `script` to `svg` with extension `.gp` and runs gnuplot on it to produce `svg`. The script
/// is prefixed with the SVG terminal and `set output`, and may refer to files by paths relative to
/// the SVG's folder (gnuplot runs there). Returns the SVG's path, or std::nullopt (after logging a
/// warning) if gnuplot is not installed or fails; the .gp file stays either way, so the figure can
/// be made later by hand.
std::optional<std::filesystem::path> plot_svg(const std::string& script,
                                              const std::filesystem::path& svg);

}  // namespace book
