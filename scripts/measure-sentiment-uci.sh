#!/usr/bin/env bash
# Program 07's repeated evaluation on the real sentences, measured once and kept: --corpus uci with
# 5 folds over 3 seeds (ch06_07_sentiment_lstm --corpus uci --repeats 3 --seed 42). Writes its
# printed output, the facts it recorded and its accuracy table to assets/measured/sentiment_uci_repeats/,
# which program 07's page quotes (\run{sentiment_uci_repeats:<key>}).
#
#   scripts/measure-sentiment-uci.sh [--build-dir DIR] [extra flags for the program...]
#
# Takes about 3 minutes on two cores. Run it on an otherwise idle machine (in this repository's
# shared checkouts: under `flock /tmp/book-cpu.lock`), so that the times it prints mean something;
# the accuracies do not depend on the load.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=build/default
if [[ "${1:-}" == "--build-dir" ]]; then build="$2"; shift 2; fi
program="$build/bin/ch06_07_sentiment_lstm"
[[ -x "$program" ]] || { echo "measure-sentiment-uci.sh: build first: cmake --build --preset default" >&2; exit 1; }
name=sentiment_uci_repeats
dest=assets/measured/$name
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
args=(--corpus uci --repeats 3 --seed 42 "$@")
{
  echo "# $(date -u +%Y-%m-%d), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# ch06_07_sentiment_lstm ${args[*]} --out_dir <out_dir>"
} >"$work/log.txt"
# The log lines without their time stamps, and the out_dir as <out_dir>: no path of this machine.
/usr/bin/time -f "# wall %e s, user %U s, system %S s" -o "$work/time.txt" \
  "$program" "${args[@]}" --out_dir "$work/out" 2>&1 \
  | sed -E -e 's/^[0-9-]+ [0-9:,]+ - [a-z0-9_]+ - [A-Z]+ - //' -e "s|$work/out|<out_dir>|g" >>"$work/log.txt"
cat "$work/time.txt" >>"$work/log.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/log.txt"
mkdir -p "$dest"
cp "$work/log.txt" "$dest/$name.txt"
cp "$work/out/facts.json" "$dest/facts.json"
cp "$work/out/results/uci_accuracy.csv" "$dest/${name}_accuracy.csv"
echo "measure-sentiment-uci.sh: wrote $dest/{$name.txt,facts.json,${name}_accuracy.csv}"
