#!/usr/bin/env bash
# Opens every page of the built book in a real browser (Debian's headless Chromium, 1366 x 768
# window, no network) and fails on what a reader would see broken:
#   - a JavaScript error (an uncaught exception in any page);
#   - a MathJax error, or TeX left untypeset in the text;
#   - an image that did not load (<img>, or an SVG figure in an <object>);
#   - a link to a missing page, or to an anchor that is not on its page;
#   - a code block wider than its box (it would scroll sideways);
#   - a request to the network (every host is made unreachable, and every fetched URL is checked).
# One browser run holds a batch of pages, each in its own iframe (scripts/book-browser-driver.js
# checks them), so the whole book takes about ten browser starts, not one per page; as many runs go
# at once as there are cores (BOOK_BROWSER_JOBS), since one run keeps about one core busy.
# Usage: scripts/check-book-browser.sh <build>/docs/html
# Exit codes: 0 all good, 1 problems (one a line), 2 usage or the browser failed,
#             77 skipped: no Chromium, or no book built there (with a message).
set -u

html=${1:-}
if [[ -z "$html" ]]; then
  echo "usage: $0 <folder with the generated index.html>" >&2
  exit 2
fi
if [[ ! -f "$html/index.html" ]]; then
  echo "check-book-browser: SKIPPED: no book in '$html' (build the docs target first)"
  exit 77
fi
browser=${BOOK_CHROMIUM:-}
if [[ -z "$browser" ]]; then
  for candidate in chromium chromium-browser google-chrome; do
    if command -v "$candidate" >/dev/null 2>&1; then browser=$candidate; break; fi
  done
fi
if [[ -z "$browser" ]]; then
  echo "check-book-browser: SKIPPED: no Chromium found (apt-get install chromium, or set BOOK_CHROMIUM)"
  exit 77
fi

# Chinese pages need a CJK font, or the browser draws boxes instead of characters.
if [[ -f "$html/zh/index.html" ]] && command -v fc-list >/dev/null 2>&1 && [[ -z "$(fc-list :lang=zh)" ]]; then
  echo "check-book-browser: no Chinese font: the Chinese edition would show boxes" \
       "(apt-get install fonts-wqy-microhei, or fonts-noto-cjk)" >&2
  exit 1
fi
html=$(cd "$html" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=$(mktemp -d)
[[ -n "${BOOK_BROWSER_KEEP:-}" ]] && echo "check-book-browser: working in $work"
[[ -n "${BOOK_BROWSER_KEEP:-}" ]] || trap 'rm -rf "$work"' EXIT  # BOOK_BROWSER_KEEP=1 keeps it

# Batches of pages, each one browser run: a driver page whose iframes hold the pages.
json_list() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/.*/"&",/' | tr -d '\n'; }
files_js=$(cd "$html" && find . -type f | sed 's|^\./||' | sort | json_list)
# The English pages, then the Chinese edition's (zh/), when the book has one.
mapfile -t pages < <(cd "$html" && ls -1 -- *.html && { ls -1 -- zh/*.html 2>/dev/null || true; })
batch=${BOOK_BROWSER_BATCH:-40}
# A batch keeps one renderer busy, about one core: run as many batches at once as there are cores.
jobs=${BOOK_BROWSER_JOBS:-$(nproc 2>/dev/null || echo 2)}
cp "$here/book-browser-driver.js" "$work/driver.js"
: > "$work/verdict.txt"

# One browser run over the batch of pages from index $1; its exit status goes to $run/status.
run_batch() {
  local first=$1 run="$work/batch$1"
  mkdir -p "$run"
  {
    printf 'const BOOK_PAGES = [%s];\n' "$(printf '%s\n' "${pages[@]:first:batch}" | json_list)"
    printf 'const BOOK_FILES = [%s];\n' "$files_js"
    printf 'for (const page of BOOK_PAGES) document.write(%s);\n' \
      "'<iframe src=\"file://$html/' + page + '\"></iframe>'"
  } > "$run/pages.js"
  cat > "$run/driver.html" <<EOF
<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>book check</title>
<style>body { margin: 0 } iframe { position: absolute; top: 0; left: 0; width: 1366px; height: 768px; border: 0 }</style>
</head><body><script src="pages.js"></script><pre id="out"></pre><script src="../driver.js"></script>
</body></html>
EOF
  # --allow-file-access-from-files: the driver may look into the pages it holds (file:// URLs).
  # --host-resolver-rules: no host resolves, so a page that needs the network fails visibly.
  # --virtual-time-budget: after the pages have loaded, timers (MathJax) run without waiting.
  # A profile folder per run: two browsers at once cannot share one.
  "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
    --user-data-dir="$run/profile" --window-size=1400,900 --allow-file-access-from-files \
    --host-resolver-rules='MAP * ~NOTFOUND' --enable-logging=stderr --v=0 \
    --virtual-time-budget="${BOOK_BROWSER_BUDGET_MS:-600000}" \
    --dump-dom "file://$run/driver.html" > "$run/dom.html" 2> "$run/console.log"
  echo $? > "$run/status"
}

start=$(date +%s%N)
for ((first = 0; first < ${#pages[@]}; first += batch)); do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
  run_batch "$first" &
done
wait
for ((first = 0; first < ${#pages[@]}; first += batch)); do
  run="$work/batch$first"
  if ! grep -q '^DONE' "$run/dom.html"; then
    echo "check-book-browser: the browser (status $(cat "$run/status")) did not finish the batch" \
         "from ${pages[first]}; its log:" >&2
    grep -v 'dbus\|Fontconfig' "$run/console.log" | tail -20 >&2
    exit 2
  fi
  # The verdict, with the HTML entities of the DOM dump undone.
  sed -n '/<pre id="out">/,/^DONE/p' "$run/dom.html" | sed -e 's/^.*<pre id="out">//' \
    -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g' >> "$work/verdict.txt"
  # JavaScript errors and failed loads, from the browser's console log.
  grep -E 'CONSOLE[:(][0-9]+\)?\] "(Uncaught|Failed to load resource)' "$run/console.log" |
    sed -E 's/^.*CONSOLE[:(][0-9]+\)?\] "(.*)", source: (.*)$/PROBLEM \2: \1/' |
    sed -E "s|file://$html/||" >> "$work/verdict.txt"
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

# Anchors on pages of other batches.
awk '$1 == "IDS" { for (i = 3; i <= NF; i++) ids[$2 " " $i] = 1 }
     $1 == "LINK" { links[++n] = $2 " " $3 " " $4 }
     END { for (i = 1; i <= n; i++) { split(links[i], l, " ")
             if (!((l[2] " " l[3]) in ids)) print "PROBLEM " l[1] ": link to a missing anchor: " l[2] "#" l[3] } }' \
  "$work/verdict.txt" > "$work/links.txt"
cat "$work/links.txt" >> "$work/verdict.txt"


problems=$(grep -c '^PROBLEM' "$work/verdict.txt")
grep '^PROBLEM' "$work/verdict.txt" | sort -u | sed 's/^PROBLEM /check-book-browser: /' >&2
read -r narrowest widest < <(awk '$1 == "INFO" && $2 == "columns" {
    if (n == "" || $3 < n) n = $3; if ($4 > w) w = $4 } END { print n, w }' "$work/verdict.txt")
echo "check-book-browser: ${#pages[@]} pages in $((elapsed_ms / 1000)).$((elapsed_ms % 1000 / 100)) s" \
     "($((elapsed_ms / ${#pages[@]})) ms a page); the narrowest code box shows $narrowest columns," \
     "the longest code line has $widest characters"
if ((problems > 0)); then
  echo "check-book-browser: $problems problem(s) in $html" >&2
  exit 1
fi
echo "check-book-browser: every page loads, typesets and fits at 1366 px, offline"
