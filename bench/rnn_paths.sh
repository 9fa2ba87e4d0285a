#!/usr/bin/env bash
# Train time and validation accuracy of ch06_main for every --rnn_path × --batching, side by side.
#
#   bench/rnn_paths.sh [--reps N] [--models "lstm gru rnn"] [--build-dir DIR] [--out DIR]
#
# One epoch of 2,000 names, seeds 1..3, the configurations alternating within each seed, the whole
# sweep repeated N times (default 2). Prints, per model and configuration, the median training
# seconds over all runs, the speed-up over packed/random (the ratio of the medians, and the range of
# the ratios run by run: each configuration against the packed/random run of the same seed and
# sweep), and the mean validation accuracy over the seeds. --out DIR: also write DIR/<name>.txt (this
# output; <name> = DIR's last component) and DIR/facts.json (each speed-up and its range, as printed,
# under <model>_<path>_<batching>, _min and _max) for the pages' \run{<name>:<key>}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh
reps=2
models="lstm gru rnn"
build=build/default
out=""
args=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps) reps="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "bench/rnn_paths.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
main="$build/bin/ch06_main"
[[ -x "$main" ]] || { echo "bench/rnn_paths.sh: build first: cmake --build --preset default" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

report() {
  bench_header rnn_paths.sh "${args[@]}"
  echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  for rep in $(seq 1 "$reps"); do
    for seed in 1 2 3; do
      for model in $models; do
        for path in packed padded fused; do
          for batching in random bucket; do
            "$main" --model_type "$model" --epochs 1 --data_size 2000 --seed "$seed" --rnn_path "$path" \
              --batching "$batching" --out_dir "$work/out" >"$work/log" 2>&1
            train=$(sed -n 's/.*| train \([0-9.]*\) s.*/\1/p' "$work/log")
            acc=$(sed -n 's/.*Val Loss: [0-9.]* Acc: \([0-9.]*\)%.*/\1/p' "$work/log")
            echo "$model $path $batching $seed $train $acc $rep" >>"$work/runs"
          done
        done
      done
    done
  done
  echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  printf '%-5s %-7s %-7s %8s %9s %13s %8s\n' model path batching train_s vs_packed "run by run" val_acc
  for model in $models; do
    base=$(awk -v m="$model" '$1==m && $2=="packed" && $3=="random" {print $5}' "$work/runs" | median)
    for path in packed padded fused; do
      for batching in random bucket; do
        med=$(awk -v m="$model" -v p="$path" -v b="$batching" '$1==m && $2==p && $3==b {print $5}' "$work/runs" | median)
        # the ratio of each run to the packed/random run of the same seed and sweep: its range
        range=$(awk -v m="$model" -v p="$path" -v b="$batching" '
          $1 == m && $2 == "packed" && $3 == "random" { base[$4, $7] = $5 }
          $1 == m && $2 == p && $3 == b { t[$4, $7] = $5 }
          END { lo = 1e9; hi = 0; for (k in t) { r = base[k] / t[k]; if (r < lo) lo = r; if (r > hi) hi = r }
                printf "%.2f %.2f", lo, hi }' "$work/runs")
        # accuracy: each seed once (a seed's runs are identical), averaged over the seeds
        acc=$(awk -v m="$model" -v p="$path" -v b="$batching" '$1==m && $2==p && $3==b && !seen[$4]++ {s+=$6; n++}
          END {printf "%.2f", s/n}' "$work/runs")
        ratio=$(echo "$base $med" | awk '{printf "%.2f", $1/$2}')
        key="${model}_${path}_${batching}"
        printf '%s\t%s\n%s_min\t%s\n%s_max\t%s\n' "$key" "$ratio" "$key" "${range% *}" "$key" "${range#* }" >>"$work/facts"
        printf '%-5s %-7s %-7s %8.2f %8sx %13s %8s\n' "$model" "$path" "$batching" "$med" "$ratio" \
          "${range% *}-${range#* }" "$acc"
      done
    done
  done
  cp "$work/runs" "${RNN_PATHS_RUNS:-/dev/null}"
}

bench_publish "$out" "$work" report
