#!/usr/bin/env bash
# Screenshots of the built book for the README, taken by the same headless Chromium as the browser
# test, at a 1366 x 768 laptop window: the start page, a theory page with formulas, and a program
# page scrolled to its figure.
# Usage: scripts/make-screenshots.sh <build>/docs/html [OUTPUT_DIR]   (default: assets/screenshots)
set -euo pipefail
html=$(cd "${1:?usage: $0 <build>/docs/html [OUTPUT_DIR]}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-$root/assets/screenshots}
mkdir -p "$out"
browser=${BOOK_CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT


shoot() {  # shoot NAME URL
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --window-size=1366,768 --host-resolver-rules='MAP * ~NOTFOUND' \
    --virtual-time-budget=8000 --screenshot="$out/$1.png" "$2" > /dev/null 2>&1
  echo "make-screenshots: $out/$1.png"
}

shoot book_index "file://$html/index.html"
# The theory page at its gates, where the formulas are.
gates=$(tr '\n' ' ' < "$html/ch06_theory_lstm.html" |
        grep -o 'id="autotoc_md[0-9]*"></a> *The gates' | grep -o 'autotoc_md[0-9]*' | head -1 || true)
shoot book_theory_lstm "file://$html/ch06_theory_lstm.html${gates:+#$gates}"
# The program page at its figure: the anchor of the section whose title says "figure".
figure=$(tr '\n' ' ' < "$html/ch06_03_bptt_gradients.html" |
         grep -o 'id="autotoc_md[0-9]*"></a> *[^<]*[Ff]igure' | grep -o 'autotoc_md[0-9]*' | head -1 || true)
shoot book_program_03 "file://$html/ch06_03_bptt_gradients.html${figure:+#$figure}"
