#!/usr/bin/env bash
# Doxygen 1.9 writes a space before every inline formula ("( \(x\)"). After an opening bracket or
# Chinese punctuation that space shows as a gap (Chinese punctuation carries its own), so it is
# removed there, in both editions. Usage: scripts/tidy-book-html.sh <build>/docs/html
set -euo pipefail
html=${1:?usage: $0 <build>/docs/html}
shopt -s nullglob
files=("$html"/*.html "$html"/zh/*.html)
((${#files[@]} > 0)) || exit 0
LC_ALL=C.UTF-8 sed -i -E 's/([([（“‘：，。；、！？]) \\\(/\1\\(/g' "${files[@]}"
