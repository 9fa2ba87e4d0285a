#!/usr/bin/env bash
# The chapter's exercises: rebuild what changed, then check.
#
#   bash scripts/exercises.sh                     every exercise: a table and a count
#   bash scripts/exercises.sh lstm_cell           one exercise, in detail
#   bash scripts/exercises.sh lstm_cell --hint    the same, with a hint
#   bash scripts/exercises.sh --watch [NAME ...]  check again on every save (needs entr)
#
# Your files are chapters/06_rnn_lstm_seq/exercises/<name>.cpp; the reference solutions are in
# exercises/solutions/. PRESET=exercise-solutions checks the solutions instead of your files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

preset=${PRESET:-default}
build_dir="build/${preset}"
watch=0
args=()
for a in "$@"; do
  if [[ "$a" == "--watch" ]]; then watch=1; else args+=("$a"); fi
done

check() {
  if [[ ! -f "${build_dir}/build.ninja" ]]; then
    cmake --preset "${preset}" >/dev/null
  fi
  # Rebuilds only what changed: after editing one exercise file, that file and one link. The
  # compiler's messages are shown (warnings too); ninja's progress lines are not.
  local log status=0
  log=$(mktemp)
  cmake --build --preset "${preset}" --target ch06_exercises >"$log" 2>&1 || status=$?
  grep -v -e '^\[[0-9]*/[0-9]*\] ' -e '^ninja: no work to do' "$log" || true
  rm -f "$log"
  if [[ $status -ne 0 ]]; then
    echo "exercises: your code does not compile yet (the compiler's messages are above)"
    return 1
  fi
  "${build_dir}/bin/ch06_exercises" "${args[@]+"${args[@]}"}"
}

if [[ $watch -eq 0 ]]; then
  status=0
  check || status=$?
  exit $status
fi

command -v entr >/dev/null 2>&1 \
  || { echo "exercises: --watch needs entr (bash scripts/install-deps.sh installs it)" >&2; exit 1; }
echo "exercises: watching chapters/06_rnn_lstm_seq/exercises/ (Ctrl-C to stop)"
while true; do
  # entr exits when a file is added or removed (-d); the loop starts it again on the new list.
  find chapters/06_rnn_lstm_seq/exercises -maxdepth 1 \( -name '*.cpp' -o -name '*.h' \) |
    entr -c -d bash scripts/exercises.sh "${args[@]+"${args[@]}"}" || true
done
