#!/usr/bin/env bash
# The chapter's exercises: rebuild what changed, then check. `bash scripts/exercises.sh --help`
# says how (in Chinese with --lang zh, or with BOOK_LANG=zh in the environment; --lang wins).
#
# Your files are chapters/06_rnn_lstm_seq/exercises/<name>.cpp; the reference solutions are in
# exercises/solutions/. PRESET=exercise-solutions checks the solutions instead of your files.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# ---- What this script says, in English and in Chinese (the checker's own messages are in
# chapters/06_rnn_lstm_seq/exercises/checker/messages.cpp). One line per language, or a block.
declare -A en zh
en[usage]="Usage:
  bash scripts/exercises.sh                     every exercise: a table and a count
  bash scripts/exercises.sh lstm_cell           one exercise, in detail
  bash scripts/exercises.sh lstm_cell --hint    the same, with a hint
  bash scripts/exercises.sh --watch [NAME ...]  check again on every save (needs entr)
  bash scripts/exercises.sh --lang zh           in Chinese (or BOOK_LANG=zh; --lang wins)
Your files are chapters/06_rnn_lstm_seq/exercises/<name>.cpp; the reference solutions are in
exercises/solutions/. PRESET=exercise-solutions checks the solutions instead of your files.
Exit code: 0 done, 1 failing, 77 not started, 2 a bad command line.
The checker's other flags: build/default/bin/ch06_exercises --help"
zh[usage]="用法：
  bash scripts/exercises.sh                        检查全部练习：一张表格和一行统计
  bash scripts/exercises.sh lstm_cell              只检查一个练习，给出详情
  bash scripts/exercises.sh lstm_cell --hint       同上，并给出提示
  bash scripts/exercises.sh --watch [<练习名> ...]  每次保存后重新检查（需要 entr）
  bash scripts/exercises.sh --lang zh              用中文报告（或设置 BOOK_LANG=zh；--lang 优先）
你的文件是 chapters/06_rnn_lstm_seq/exercises/<练习名>.cpp，参考答案在 exercises/solutions/ 中。
设置 PRESET=exercise-solutions 可改为检查参考答案，而不是你的文件。
退出码：0 全部完成，1 有练习未通过，77 有练习未开始，2 命令行有误。
检查器的其他选项：build/default/bin/ch06_exercises --help --lang zh"
en[no_compile]="exercises: your code does not compile yet (the compiler's messages are above)"
zh[no_compile]="exercises：你的代码还不能通过编译（编译器给出的信息在上方）"
en[needs_entr]="exercises: --watch needs entr (bash scripts/install-deps.sh installs it)"
zh[needs_entr]="exercises：--watch 需要 entr（bash scripts/install-deps.sh 会安装它）"
en[watching]="exercises: watching chapters/06_rnn_lstm_seq/exercises/ (Ctrl-C to stop)"
zh[watching]="exercises：正在监视 chapters/06_rnn_lstm_seq/exercises/（按 Ctrl-C 停止）"
en[bad_lang]="exercises: --lang must be en or zh"
zh[bad_lang]="exercises：--lang 只能是 en 或 zh"
en[bad_env]="exercises: the environment variable BOOK_LANG must be en or zh (or unset)"
zh[bad_env]="exercises：环境变量 BOOK_LANG 只能是 en 或 zh（或者不设置）"

lang=en
say() { # say <message>: the message in the language of this run
  if [[ $lang == zh ]]; then printf '%s\n' "${zh[$1]}"; else printf '%s\n' "${en[$1]}"; fi
}

preset=${PRESET:-default}
build_dir="build/${preset}"
watch=0
help=0
args=()
flag_lang=""
next_is_lang=0
for a in "$@"; do
  if [[ $next_is_lang -eq 1 ]]; then
    flag_lang=$a
    next_is_lang=0
  elif [[ "$a" == "--lang" ]]; then
    next_is_lang=1
    flag_lang="(none)"
  elif [[ "$a" == --lang=* ]]; then
    flag_lang=${a#--lang=}
  elif [[ "$a" == "--watch" ]]; then
    watch=1
  elif [[ "$a" == "--help" || "$a" == "-h" ]]; then
    help=1
  else
    args+=("$a")
  fi
done
# The language: --lang, else the environment variable BOOK_LANG, else English.
if [[ -n "$flag_lang" ]]; then
  [[ "$flag_lang" == en || "$flag_lang" == zh ]] || { say bad_lang >&2; exit 2; }
  lang=$flag_lang
elif [[ -n "${BOOK_LANG:-}" ]]; then
  [[ "$BOOK_LANG" == en || "$BOOK_LANG" == zh ]] || { say bad_env >&2; exit 2; }
  lang=$BOOK_LANG
fi
if [[ $help -eq 1 ]]; then
  say usage
  exit 0
fi
args+=(--lang "$lang")

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
    say no_compile
    return 1
  fi
  "${build_dir}/bin/ch06_exercises" "${args[@]}"
}

if [[ $watch -eq 0 ]]; then
  status=0
  check || status=$?
  exit $status
fi

command -v entr >/dev/null 2>&1 || { say needs_entr >&2; exit 1; }
say watching
while true; do
  # entr exits when a file is added or removed (-d); the loop starts it again on the new list.
  find chapters/06_rnn_lstm_seq/exercises -maxdepth 1 \( -name '*.cpp' -o -name '*.h' \) |
    entr -c -d bash scripts/exercises.sh "${args[@]}" || true
done
