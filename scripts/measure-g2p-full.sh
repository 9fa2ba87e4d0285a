#!/usr/bin/env bash
# Program 10's full run (ch06_10_teacher_forcing --full: all 104,818 training words, one schedule, a
# 540-second training budget), run once and kept, because it is too long for the docs build.
# Writes assets/measured/g2p_full/:
#   g2p_full.txt                   what the program printed, after a header with the date, the cores,
#                                  the load and the command (paths relative: the output folder is
#                                  shown as <out_dir>)
#   facts.json                     the numbers the run recorded (book::Facts); program 10's page
#                                  quotes them as \run{g2p_full:<key>}
#   g2p_full_history.csv           its per-epoch history
#   g2p_full_quality_vs_time.svg   validation WER against training time
#
#   scripts/measure-g2p-full.sh [--build-dir DIR] [extra flags for the program...]
#
# Takes about 5 minutes on two cores. Run it on an otherwise idle machine (on a shared one, under
# its CPU lock: flock /tmp/book-cpu.lock scripts/measure-g2p-full.sh): a busy machine makes the
# time budget stop training after fewer epochs.
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
  echo "# $program --full $* --out_dir <out_dir>"
} >"$work/log.txt"
# The log lines without their time stamps, and the temporary folder as <out_dir>.
/usr/bin/time -f "# wall %e s, user %U s, system %S s" -o "$work/time.txt" \
  "$program" --full "$@" --out_dir "$work/out" 2>&1 \
  | sed -E -e 's/^[0-9-]+ [0-9:,]+ - [a-z0-9_]+ - [A-Z]+ - //' -e "s|$work/out|<out_dir>|g" \
  >>"$work/log.txt"
cat "$work/time.txt" >>"$work/log.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$work/log.txt"
if grep -q "$work\|$PWD" "$work/log.txt"; then
  echo "measure-g2p-full.sh: the output still names a folder of this machine" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$work/log.txt" "$dest/g2p_full.txt"
cp "$work/out/facts.json" "$dest/facts.json"
cp "$work/out/results/g2p_history_always.csv" "$dest/g2p_full_history.csv"
cp "$work/out/results/g2p_quality_vs_time.svg" "$dest/g2p_full_quality_vs_time.svg"
rm -f "$dest/g2p_full_run.txt"  # the name of the output before facts.json was kept beside it
echo "measure-g2p-full.sh: wrote $dest/{g2p_full.txt,facts.json,g2p_full_history.csv,g2p_full_quality_vs_time.svg}"
