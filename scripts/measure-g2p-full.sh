#!/usr/bin/env bash
# Program 10's full run, measured once and kept: all 104,818 training words, one schedule, a
# 540-second training budget (ch06_10_teacher_forcing --full). Writes its log, its per-epoch history
# and its quality-vs-time figure to assets/measured/g2p_full/, which program 10's page quotes.
#
#   scripts/measure-g2p-full.sh [--build-dir DIR] [extra flags for the program...]
#
# Takes about 10 minutes. Run it on an otherwise idle machine: the time budget makes a busy
# machine train fewer epochs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
build=build/default
if [[ "${1:-}" == "--build-dir" ]]; then build="$2"; shift 2; fi
program="$build/bin/ch06_10_teacher_forcing"
[[ -x "$program" ]] || { echo "measure-g2p-full.sh: build first: cmake --build --preset default" >&2; exit 1; }
dest=assets/measured/g2p_full
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  echo "# $(date -u +%Y-%m-%d), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# $program --full $* --out_dir <tmp>"
} >"$work/log.txt"
/usr/bin/time -f "# wall %e s, user %U s, system %S s" -a -o "$work/time.txt" \
  "$program" --full "$@" --out_dir "$work/out" 2>&1 | sed -E 's/^[0-9-]+ [0-9:,]+ - [a-z0-9_]+ - [A-Z]+ - //' \
  | grep -v '^Wrote ' >>"$work/log.txt"
cat "$work/time.txt" >>"$work/log.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/log.txt"
mkdir -p "$dest"
cp "$work/log.txt" "$dest/g2p_full_run.txt"
cp "$work/out/results/g2p_history_always.csv" "$dest/g2p_full_history.csv"
cp "$work/out/results/g2p_quality_vs_time.svg" "$dest/g2p_full_quality_vs_time.svg"
echo "measure-g2p-full.sh: wrote $dest/{g2p_full_run.txt,g2p_full_history.csv,g2p_full_quality_vs_time.svg}"
