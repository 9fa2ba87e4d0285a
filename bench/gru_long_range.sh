#!/usr/bin/env bash
# Program 08's long-range task beyond the docs build's run: the keep-gate bias switched off, and
# longer sequences with a larger budget over three seeds. Kept in bench/results/ because it takes
# minutes; page 08 shows it and quotes it.
#
#   bench/gru_long_range.sh [--build-dir DIR] [--out DIR]
#
# 1. ch06_08_gru_comparison --keep_gate_bias 0 --lengths 10 20 40 --seed 42 (LibTorch's own
#    initialisation of the gate biases, the default budget of 200 steps).
# 2. ch06_08_gru_comparison --lengths 5 10 20 30 40 60 80 --max_steps 600 --threads 1, seeds 42, 1
#    and 2: test accuracy (%) per length, layer and seed.
# --out DIR: also write DIR/<name>.txt (this output; <name> = DIR's last component) and
# DIR/facts.json (the numbers as printed: bias0_<cell>_t<T>_accuracy and _steps, and
# seed<S>_<cell>_t<T>_accuracy) for the pages' \run{<name>:<key>}.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh
build=build/default
out=""
args=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build-dir) build="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "bench/gru_long_range.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
p08="$build/bin/ch06_08_gru_comparison"
[[ -x "$p08" ]] || { echo "bench/gru_long_range.sh: build first: cmake --build --preset default" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lengths="5 10 20 30 40 60 80"
seeds="42 1 2"

report() {
  bench_header gru_long_range.sh "${args[@]}"
  echo
  echo "== 1. ch06_08_gru_comparison --keep_gate_bias 0 --lengths 10 20 40 --seed 42"
  "$p08" --keep_gate_bias 0 --lengths 10 20 40 --seed 42 --out_dir "$work/bias0" >"$work/bias0.log" 2>&1
  # The program's own table and verdict, as it printed them.
  awk '/^T   layer/ { on = 1 } /^Wrote/ { on = 0 } on' "$work/bias0.log"
  bench_facts "$work/bias0/facts.json" | awk '$1 ~ /_t[0-9]+_(accuracy|steps)$/ { printf "bias0_%s\t%s\n", $1, $2 }' >>"$work/facts"
  echo
  echo "== 2. ch06_08_gru_comparison --lengths $lengths --max_steps 600 --threads 1, seeds $seeds"
  echo "test accuracy in % (chance 25 %), seeds $seeds in that order:"
  for seed in $seeds; do
    # shellcheck disable=SC2086
    "$p08" --lengths $lengths --max_steps 600 --threads 1 --seed "$seed" --out_dir "$work/s$seed" \
      >"$work/s$seed.log" 2>&1
    bench_facts "$work/s$seed/facts.json" | awk -v s="$seed" '$1 ~ /_t[0-9]+_accuracy$/ { printf "seed%s_%s\t%s\n", s, $1, $2 }' \
      >>"$work/facts"
  done
  printf '%-4s %-22s %-22s %-22s\n' T RNN GRU LSTM
  for t in $lengths; do
    printf '%-4s' "$t"
    for cell in rnn gru lstm; do
      cells=""
      for seed in $seeds; do
        v=$(awk -F'\t' -v k="seed${seed}_${cell}_t${t}_accuracy" '$1 == k { print $2 }' "$work/facts")
        cells="${cells:+$cells, }$v"
      done
      printf ' %-22s' "$cells"
    done
    echo
  done
  echo "most training steps any run took (of 600), per layer:"
  for cell in rnn gru lstm; do
    for seed in $seeds; do bench_facts "$work/s$seed/facts.json"; done |
      awk -v c="$cell" -v facts="$work/facts" '$1 ~ "^" c "_t[0-9]+_steps$" && $2 + 0 > m + 0 { m = $2 }
        END { printf "  %-5s %s\n", toupper(c), m; printf "most_steps_%s\t%s\n", c, m >> facts }'
  done
}

bench_publish "$out" "$work" report
