#!/usr/bin/env bash
# The ratios the speed arguments of programs 06 and 08 rest on, measured several times in a row on
# the programs' own workloads (their default flags and --seed 42, as the docs build runs them), each
# run a whole process.
#
#   bench/speed_ratios.sh [--runs N] [--build-dir DIR] [--out DIR]
#
# For every ratio: each run's value as the program printed it, the median and the range over the
# runs, the spread ((max - min) / median), and whether it came out the same way round (below 1 or
# above 1) in every run; "clear" when every run is also outside the 10 % band the programs call a
# tie. With --out DIR it also writes DIR/<name>.txt (this output; <name> = DIR's last component) and
# DIR/facts.json (median, min, max and spread of each ratio, as printed) for the pages'
# \run{<name>:<key>}. Run it on a quiet machine (here: under the shared lock, with nothing else of
# ours running: flock /tmp/book-cpu.lock bash bench/speed_ratios.sh ...).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh

runs=3
build=build/default
out=""
args=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "bench/speed_ratios.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench/speed_ratios.sh: --runs must be a positive integer" >&2; exit 2; }
p06="$build/bin/ch06_06_packed_sequences"
p08="$build/bin/ch06_08_gru_comparison"
[[ -x "$p06" && -x "$p08" ]] || { echo "bench/speed_ratios.sh: build first: cmake --build --preset default" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT


report() {
  bench_header speed_ratios.sh "${args[@]}"
  echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for i in $(seq 1 "$runs"); do
    "$p06" --seed 42 --out_dir "$work/p06_$i" >"$work/p06_$i.log" 2>&1
    "$p08" --seed 42 --out_dir "$work/p08_$i" >"$work/p08_$i.log" 2>&1
    bench_facts "$work/p06_$i/facts.json" | sed "s/^/$i /" >>"$work/values"
    bench_facts "$work/p08_$i/facts.json" | sed "s/^/$i /" >>"$work/values"
    # The time per unit of matrix work (the GRU's is 3 times the RNN's, the LSTM's 4 times).
    awk -v i="$i" '$2 == "gru_vs_rnn" { printf "%s gru_vs_rnn_per_work %.3g\n", i, $3 / 3 }
                   $2 == "lstm_vs_rnn" { printf "%s lstm_vs_rnn_per_work %.3g\n", i, $3 / 4 }' \
      <(bench_facts "$work/p08_$i/facts.json" | sed "s/^/$i /") >>"$work/values"
  done
  echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  # "Threads: torch 1, BLAS 2 | <the BLAS library>"
  echo "== threads: $(head -1 "$work/p06_1.log" | sed 's/^Threads: //; s/ | .*//')"
  echo "== BLAS: $(head -1 "$work/p06_1.log" | sed 's/.* | //')"
  echo
  echo "Program 06 (ch06_06_packed_sequences --seed 42): LSTM, input 32, H 64, 256 sequences per length"
  echo "distribution in batches of 64; each run's ratio is a ratio of medians of 5 passes. Program 08"
  echo "(ch06_08_gru_comparison --seed 42): forward + backward of one batch, B 64, T 50, input 32, H 128,"
  echo "medians of 7 batches. A ratio below 1: the first one named is the faster. Direction: below or"
  echo "above 1 in all runs, or on both sides of 1 (within the noise); (clear): every run outside the"
  echo "10 % band the programs call a tie. Spread: (max - min) / median."
  echo
  {
    echo "names_fwd_packed            names, fwd: packed / padded"
    echo "names_fwd_bucketed          names, fwd: bucketed / padded"
    echo "names_fwd_bucketed_packed   names, fwd: bucketed / packed"
    echo "names_train_packed          names, fwd+bwd: packed / padded"
    echo "names_train_bucketed        names, fwd+bwd: bucketed / padded"
    echo "names_train_bucketed_packed names, fwd+bwd: bucketed / packed"
    echo "long_fwd_packed             long-tailed, fwd: packed / padded"
    echo "long_fwd_bucketed           long-tailed, fwd: bucketed / padded"
    echo "long_fwd_bucketed_packed    long-tailed, fwd: bucketed / packed"
    echo "long_train_packed           long-tailed, fwd+bwd: packed / padded"
    echo "long_train_bucketed         long-tailed, fwd+bwd: bucketed / padded"
    echo "long_train_bucketed_packed  long-tailed, fwd+bwd: bucketed / packed"
    echo "gru_vs_rnn                  GRU / RNN, per batch"
    echo "lstm_vs_rnn                 LSTM / RNN, per batch"
    echo "gru_vs_lstm                 GRU / LSTM, per batch"
    echo "gru_vs_rnn_per_work         GRU / RNN, per unit of work"
    echo "lstm_vs_rnn_per_work        LSTM / RNN, per unit of work"
  } >"$work/rows"
  awk -v runs="$runs" -v tie=0.10 -v facts_out="$work/facts" '
    NR == FNR { v[$2, $1] = $3; next }
    {
      key = $1; label = $2; for (f = 3; f <= NF; ++f) label = label " " $f
      if (!header++) {
        printf "%-39s", "ratio"; for (i = 1; i <= runs; ++i) printf " %5s", "run" i
        printf " %6s %5s %5s %6s  %s\n", "median", "min", "max", "spread", "direction"
      }
      n = 0; below = 0; above = 0; clear = 1
      for (i = 1; i <= runs; ++i) {
        if (!((key, i) in v)) { printf "run %d recorded no %s\n", i, key > "/dev/stderr"; exit 1 }
        x[++n] = v[key, i]; below += (x[n] < 1); above += (x[n] > 1)
        if (x[n] + 0 <= 1 + tie && x[n] + 0 >= 1 / (1 + tie)) clear = 0
      }
      # sort the texts by value (insertion sort; n is small)
      for (i = 2; i <= n; ++i) { t = x[i]; for (j = i - 1; j >= 1 && x[j] + 0 > t + 0; --j) x[j + 1] = x[j]; x[j + 1] = t }
      med = n % 2 ? x[(n + 1) / 2] : sprintf("%.3g", (x[n / 2] + x[n / 2 + 1]) / 2)
      spread = sprintf("%.0f %%", 100 * (x[n] - x[1]) / med)
      if (below == n) dir = "below 1"
      else if (above == n) dir = "above 1"
      else { dir = "both sides of 1"; clear = 0 }
      printf "%-39s", label; for (i = 1; i <= runs; ++i) printf " %5s", v[key, i]
      printf " %6s %5s %5s %6s  %s%s\n", med, x[1], x[n], spread, dir, clear ? " (clear)" : ""
      printf "%s_median\t%s\n%s_min\t%s\n%s_max\t%s\n%s_spread\t%s\n", key, med, key, x[1], key, x[n], key, spread >> facts_out
      if (key == "long_train_bucketed_packed") print ""
    }' "$work/values" "$work/rows"
}

bench_publish "$out" "$work" report
