#!/usr/bin/env bash
# Checks a generated book (Doxygen HTML) offline, as a reader without a network would open it:
#   - no page loads a script, stylesheet, image or frame from http(s): the book must work offline;
#   - every local file a page loads (src=, data=, stylesheet href=) exists and is not empty;
#   - MathJax is next to the pages, with the pieces the pages ask for (TeX input, HTML-CSS output
#     and its fonts, the AMS extensions), and every page that uses it loads the local copy.
# The Chinese edition, in <html>/zh when the book has one, is checked the same way (its pages load
# the shared ../mathjax).
# Usage: scripts/check-book-html.sh <build>/docs/html
# Exit codes: 0 all good, 1 a problem (each one printed on its own line), 77 no book built there.
set -u

html=${1:-}
if [[ -z "$html" ]]; then
  echo "usage: $0 <folder with the generated index.html>" >&2
  exit 2
fi
if [[ ! -f "$html/index.html" ]]; then
  echo "check-book-html: no book in '$html' (build the docs target first)" >&2
  exit 77
fi
if [[ -z "${BOOK_HTML_EDITION:-}" && -f "$html/zh/index.html" ]]; then
  BOOK_HTML_EDITION=zh bash "${BASH_SOURCE[0]}" "$html/zh" || exit 1
fi

problems=0
fail() {
  echo "check-book-html: $*" >&2
  problems=$((problems + 1))
}

shopt -s nullglob
pages=("$html"/*.html)
if ((${#pages[@]} == 0)); then
  fail "no .html pages in '$html'"
fi

# Resources the browser loads by itself: <script src>, <img src>, <iframe src>, <object data>, and
# stylesheets (<link ... href>). Plain links (<a href>) to the web are fine. One grep over all pages.
while IFS= read -r hit; do
  name=${hit%%:*}
  name=${name##*/}
  url=${hit#*:*=\"}
  url=${url%\"}
  case "$url" in
    '') ;;
    http://* | https://* | //*) fail "$name loads '$url' from the network" ;;
    data:* | javascript:* | '#'*) ;;
    *)
      if [[ ! -s "$html/${url%%[?#]*}" ]]; then
        fail "$name loads '$url', which is missing or empty"
      fi
      ;;
  esac
done < <(grep -oHE '<(script|img|iframe|object|link)[^>]*>' "${pages[@]}" |
         grep -vE '<link[^>]*rel="(next|prev|up|start|index|alternate|canonical)"' |
         sed -E 's/^([^:]*):.*[[:space:]](src|data|href)="([^"]*)".*$/\1:\2="\3"/' |
         grep -E '^[^:]*:(src|data|href)="' | sort -u)

# The edition's MathJax: mathjax/ next to the English pages, ../mathjax for the Chinese ones.
mathjax=mathjax
[[ -n "${BOOK_HTML_EDITION:-}" ]] && mathjax=../mathjax
for page in $(grep -lF 'MathJax.Hub.Config' "${pages[@]}"); do
  grep -qF "src=\"$mathjax/MathJax.js\"" "$page" ||
    fail "${page##*/} configures MathJax but does not load the local $mathjax/MathJax.js"
done

# The local MathJax: what Doxygen's configuration (TeX input, HTML-CSS output, AMS extensions) needs.
for piece in MathJax.js jax/input/TeX/config.js jax/output/HTML-CSS/config.js \
             extensions/tex2jax.js extensions/TeX/AMSmath.js extensions/TeX/AMSsymbols.js \
             fonts/HTML-CSS/TeX/woff/MathJax_Main-Regular.woff; do
  [[ -s "$html/$mathjax/$piece" ]] || fail "$mathjax/$piece is missing: formulas would not render offline"
done
# Every extension a page asks for, e.g. extensions: ["tex2jax.js", "TeX/AMSmath.js"].
for ext in $(grep -ohE 'extensions: \[[^]]*\]' "${pages[@]}" | grep -oE '"[^"]+"' | tr -d '"' | sort -u); do
  [[ -s "$html/$mathjax/extensions/$ext" ]] || fail "the pages ask MathJax for extensions/$ext, which is missing"
done

if ((problems > 0)); then
  echo "check-book-html: $problems problem(s) in $html" >&2
  exit 1
fi
echo "check-book-html: ${#pages[@]} pages${BOOK_HTML_EDITION:+ of the ${BOOK_HTML_EDITION} edition} load only local files; MathJax is complete"
