#!/usr/bin/env bash
# Screenshots of the built book for the README, taken by the same headless Chromium as the browser
# test, at a 1366 x 768 laptop window: the start page, a theory page with formulas, and a program
# page scrolled to its figure; the same three of the Chinese edition when the book has one (for
# README.zh-CN.md: the start page, the LSTM page at its gates, program 04 at its figure).
# Usage: scripts/make-screenshots.sh <build>/docs/html [OUTPUT_DIR]   (default: assets/screenshots)
set -euo pipefail
html=$(cd "${1:?usage: $0 <build>/docs/html [OUTPUT_DIR]}" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-$root/assets/screenshots}
mkdir -p "$out"
browser=${BOOK_CHROMIUM:-chromium}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT


# The anchor Doxygen gave the section of PAGE whose title starts with TEXT (empty if none).
section() {  # section PAGE TEXT
  tr '\n' ' ' < "$1" | grep -o "id=\"autotoc_md[0-9]*\"></a> *$2" | grep -o 'autotoc_md[0-9]*' | head -1 || true
}

shoot() {  # shoot NAME URL
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$work/profile" --window-size=1366,768 --host-resolver-rules='MAP * ~NOTFOUND' \
    --virtual-time-budget=15000 --screenshot="$out/$1.png" "$2" > /dev/null 2>&1
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

if [[ -f "$html/zh/index.html" ]]; then
  fc-list :lang=zh | grep -q . || { echo "make-screenshots: no Chinese font (apt-get install fonts-noto-cjk)" >&2; exit 1; }
  shoot book_zh_index "file://$html/zh/index.html"
  gates=$(section "$html/zh/ch06_theory_lstm.html" '逐个看各个门')
  shoot book_zh_theory_lstm "file://$html/zh/ch06_theory_lstm.html${gates:+#$gates}"
  figure=$(section "$html/zh/ch06_04_lstm_gates.html" '图示')
  shoot book_zh_program_04 "file://$html/zh/ch06_04_lstm_gates.html${figure:+#$figure}"
fi
