#!/usr/bin/env bash
# Fails if a line of code that the book quotes is longer than the book's code width, so no code
# block scrolls sideways on a laptop screen (1366 x 768: docs/pages/index.md says how it was
# measured). It reads every page under docs/ and follows what Doxygen would quote:
#   \snippet FILE TAG          the lines between the two lines that contain [TAG];
#   \include FILE              the whole file;
#   \dontinclude FILE, then \skip / \skipline / \line / \until PATTERN, as Doxygen walks them.
# Usage: scripts/check-quoted-lines.sh [LIMIT]   (run from anywhere; default LIMIT 100)
# Prints FILE:LINE: N columns (limit L) for each long line; exit 0 all fit, 1 some do not.
set -u
export LC_ALL=C.UTF-8  # ${#line} counts characters, not bytes
limit=${1:-100}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Files whose quoted lines may be longer (none: every quoted line fits).
allowed=()

long=0
checked=0

load() {  # load FILE into the array `src` (1-based); returns 1 if it is missing
  local file=$1
  src=()
  [[ -f "$root/$file" ]] || return 1
  mapfile -t src < "$root/$file"
  src=("" "${src[@]}")
}

report() {  # report FILE FIRST LAST: check lines FIRST..LAST of the loaded file
  local file=$1 first=$2 last=$3 n text width a
  for a in "${allowed[@]+"${allowed[@]}"}"; do
    [[ "$file" == "$a" ]] && return 0
  done
  [[ -n "${QUOTED_RANGES:-}" ]] && echo "RANGE $file $first $last"  # for clang-format --lines
  for ((n = first; n <= last; n++)); do
    text=${src[n]//$'\t'/    }
    width=${#text}
    checked=$((checked + 1))
    if ((width > limit)); then
      echo "$file:$n: $width columns (limit $limit)"
      long=$((long + 1))
    fi
  done
}

find_from() {  # find_from START PATTERN: first line >= START containing PATTERN, or 0
  local n
  for ((n = $1; n < ${#src[@]}; n++)); do
    [[ "${src[n]}" == *"$2"* ]] && { echo "$n"; return; }
  done
  echo 0
}

problems=0
while IFS= read -r page; do
  current=""
  cursor=1
  while IFS= read -r cmdline; do
    # \snippet{lineno} FILE TAG, \include FILE, \dontinclude FILE, \skip PATTERN, ...
    cmd=${cmdline%% *}
    cmd=${cmd%%\{*}
    rest=${cmdline#* }
    case "$cmd" in
      \\snippet | \\snippetlineno)
        file=${rest%% *}
        tag=${rest#* }  # the rest of the line: a tag may contain spaces
        if ! load "$file"; then
          echo "${page#"$root"/}: \\snippet of a missing file $file"; problems=$((problems + 1)); continue
        fi
        first=$(find_from 1 "[$tag]")
        last=0
        ((first > 0)) && last=$(find_from $((first + 1)) "[$tag]")
        if ((first == 0 || last == 0)); then
          echo "${page#"$root"/}: \\snippet $file $tag: no pair of [$tag] markers"
          problems=$((problems + 1)); continue
        fi
        report "$file" $((first + 1)) $((last - 1))
        ;;
      \\include | \\includelineno)
        file=${rest%% *}
        load "$file" && report "$file" 1 $((${#src[@]} - 1))
        ;;
      \\dontinclude)
        current=${rest%% *}
        cursor=1
        load "$current" || current=""
        ;;
      \\skip | \\skipline | \\line | \\until)
        [[ -n "$current" ]] || continue
        found=$(find_from "$cursor" "$rest")
        ((found > 0)) || continue
        case "$cmd" in
          \\skip) cursor=$found ;;
          \\skipline | \\line) report "$current" "$found" "$found"; cursor=$((found + 1)) ;;
          \\until) report "$current" "$cursor" "$found"; cursor=$((found + 1)) ;;
        esac
        ;;
    esac
  done < <(grep -oE '\\(snippet|snippetlineno|include|includelineno|dontinclude|skip|skipline|line|until)(\{[a-z.]*\})? +[^ ].*' "$page" |
           sed -E 's/[[:space:]]+$//')
done < <(find "$root/docs" -name '*.md' | sort)

if ((problems > 0 || long > 0)); then
  echo "check-quoted-lines: $long quoted line(s) longer than $limit columns, $problems broken quote(s)" >&2
  exit 1
fi
echo "check-quoted-lines: all $checked quoted lines fit in $limit columns"
