#!/usr/bin/env bash
# The performance table: each goal measured side by side in one run, reported as medians and ratios.
#
#   bench/run.sh [--runs N] [--build-dir DIR] [--build-times] [--skip-python] [--out DIR]
#
# 1. ch06_main --epochs 1 --data_size 2000 against the same training in PyTorch from Python
#    (bench/python_reference.py), whole process, for rnn, lstm and gru, alternating the two, with
#    seeds 1..N: the medians of the two times, their ratio (the speed-up), and the range of the
#    speed-ups seed by seed; validation accuracy as the mean over the seeds. Skipped (with a note)
#    when python3 has no torch.
# 2. Training throughput at the default sizes (one epoch of 10,000 names) against this machine's
#    fp32 GEMM rate measured by bench_gemm_peak in the same run.
# 3. (--build-times) a clean build of all programs and tests, a rebuild after touching one
#    program, and the whole test suite, in a fresh build folder.
# 4. Start-up: the main job's --help and Python's `import torch`, each a whole process; and peak
#    resident memory of the main job (/usr/bin/time, in section 2).
# 5. Google Benchmark: one LSTM cell step, the from-scratch Eigen cell against LibTorch's, batch 1,
#    hidden sizes 8..512 (bench_cell), medians of N repetitions and the ratio.
# --out DIR: also write DIR/<name>.txt (this output; <name> = DIR's last component) and
# DIR/facts.json (the numbers as printed, for the pages' \run{<name>:<key>}).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source bench/lib.sh

runs=3
build=build/default
build_times=0
python=1
out=""
args=("$@")
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --build-dir) build="$2"; shift 2 ;;
    --build-times) build_times=1; shift ;;
    --skip-python) python=0; shift ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
[[ -x /usr/bin/time ]] || { echo "bench/run.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }
main="$build/bin/ch06_main"
gemm="$build/bin/bench_gemm_peak"
cell="$build/bin/bench_cell"
[[ -x "$main" && -x "$gemm" && -x "$cell" ]] || { echo "bench/run.sh: build first: cmake --build --preset default" >&2; exit 1; }
if [[ $python -eq 1 ]] && ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "note: python3 has no torch (apt-get install python3-torch); skipping the Python rows"
  python=0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# fact <key> <text>: records a number as printed (for --out) and prints the text.
fact() { printf '%s\t%s\n' "$1" "$2" >>"$work/facts"; printf '%s' "$2"; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
mean() { awk '{s+=$1} END {printf "%.2f", s/NR}'; }
# timed <outfile> <command...>: runs the command, appends "seconds peak_kb" to <outfile>.time
timed() { local out=$1; shift; /usr/bin/time -f "%e %M" -o "$out.time" -a "$@" >"$out.log" 2>&1; }

report() {
  bench_header run.sh "${args[@]}"
  echo "== BLAS: $("$gemm" --repeats 1 | sed 's/.*"blas":"\([^"]*\)".*/\1/')"
  echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "== 1. main job vs Python, --epochs 1 --data_size 2000, $runs seeds, whole process"
  echo "times: medians over the seeds; speed-up = py_s / cpp_s, and its range seed by seed; accuracy:"
  echo "mean over the seeds (%); memory: median peak (MiB)"
  printf '%-5s %6s %6s %8s %10s %7s %7s %6s %7s %6s\n' model cpp_s py_s speed-up per_seed cpp_acc py_acc diff cpp_MiB py_MiB
  for model in lstm gru rnn; do
    for seed in $(seq 1 "$runs"); do
      timed "$work/cpp-$model" "$main" --model_type "$model" --epochs 1 --data_size 2000 --seed "$seed" --out_dir "$work/out"
      grep -o 'Val Loss: [0-9.]* Acc: [0-9.]*' "$work/cpp-$model.log" | awk '{print $5}' >>"$work/cpp-$model.acc"
      if [[ $python -eq 1 ]]; then
        timed "$work/py-$model" /usr/bin/python3 bench/python_reference.py --model_type "$model" --epochs 1 --data_size 2000 --seed "$seed"
        sed -n 's/.*"val_acc": \([0-9.]*\).*/\1/p' "$work/py-$model.log" >>"$work/py-$model.acc"
      fi
    done
    c_s=$(cut -d' ' -f1 "$work/cpp-$model.time" | median)
    c_mb=$(cut -d' ' -f2 "$work/cpp-$model.time" | median | awk '{printf "%.0f", $1/1024}')
    c_acc=$(mean <"$work/cpp-$model.acc")
    if [[ $python -eq 1 ]]; then
      p_s=$(cut -d' ' -f1 "$work/py-$model.time" | median)
      p_mb=$(cut -d' ' -f2 "$work/py-$model.time" | median | awk '{printf "%.0f", $1/1024}')
      p_acc=$(mean <"$work/py-$model.acc")
      # The speed-up of each seed (the two runs of a seed ran one after the other): its range.
      paste -d' ' <(cut -d' ' -f1 "$work/cpp-$model.time") <(cut -d' ' -f1 "$work/py-$model.time") |
        awk '{print $2 / $1}' | sort -g >"$work/ratios-$model"
      lo=$(head -1 "$work/ratios-$model" | awk '{printf "%.2f", $1}')
      hi=$(tail -1 "$work/ratios-$model" | awk '{printf "%.2f", $1}')
      printf '%-5s %6s %6s %7sx %10s %7s %7s %+6.2f %7s %6s\n' "$model" "$c_s" "$p_s" \
        "$(fact "${model}_speedup" "$(echo "$p_s $c_s" | awk '{printf "%.2f", $1/$2}')")" \
        "$(fact "${model}_speedup_min" "$lo")-$(fact "${model}_speedup_max" "$hi")" \
        "$c_acc" "$p_acc" "$(echo "$c_acc $p_acc" | awk '{print $1-$2}')" "$c_mb" "$p_mb"
    else
      printf '%-5s %6s %6s %8s %10s %7s %7s %6s %7s %6s\n' "$model" "$c_s" - - - "$c_acc" - - "$c_mb" -
    fi
  done

  echo
  echo "== 2. training throughput (lstm, one epoch of 10,000 names) against the GEMM limit"
  for i in $(seq 1 "$runs"); do
    "$gemm" --repeats 10 | sed 's/.*"gflops":\([0-9.]*\).*/\1/' >>"$work/gemm"
    timed "$work/default" "$main" --model_type lstm --epochs 1 --data_size 10000 --seed "$i" --out_dir "$work/out"
    grep -o 'recurrent GEMMs [0-9.]* GFLOP/s' "$work/default.log" | awk '{print $3}' >>"$work/train_gflops"
  done
  g=$(median <"$work/gemm" | awk '{printf "%.0f", $1}')
  t=$(median <"$work/train_gflops" | awk '{printf "%.0f", $1}')
  echo "GEMM limit (1024^3 fp32, median): $(fact gemm_gflops "$g") GFLOP/s"
  echo "training, recurrent GEMMs (median): $(fact train_gflops "$t") GFLOP/s = $(fact train_share "$(echo "$t $g" | awk '{printf "%.0f", 100*$1/$2}') %") of the limit"
  echo "peak memory, default sizes: $(fact peak_mib "$(cut -d' ' -f2 "$work/default.time" | median | awk '{printf "%.0f", $1/1024}')") MiB"

  echo
  echo "== 4. start-up: a whole process that loads LibTorch and ends at once (median of $runs)"
  for i in $(seq 1 "$runs"); do
    timed "$work/start-cpp" "$main" --help
    if [[ $python -eq 1 ]]; then timed "$work/start-py" /usr/bin/python3 -c 'import torch'; fi
  done
  echo "ch06_main --help: $(fact start_cpp_s "$(cut -d' ' -f1 "$work/start-cpp.time" | median)") s"
  if [[ $python -eq 1 ]]; then
    echo "python3 -c 'import torch': $(fact start_py_s "$(cut -d' ' -f1 "$work/start-py.time" | median)") s"
  fi

  if [[ $build_times -eq 1 ]]; then
    echo
    echo "== 3. build and test times (default preset, -j2, fresh folder)"
    fresh="$work/build"
    cmake --preset default -B "$fresh" >/dev/null
    s=$(date +%s.%N); cmake --build "$fresh" -j2 >/dev/null; e=$(date +%s.%N)
    echo "clean build of all programs and tests: $(echo "$s $e" | awk '{printf "%.0f", $2-$1}') s"
    touch chapters/06_rnn_lstm_seq/main.cpp
    s=$(date +%s.%N); cmake --build "$fresh" -j2 >/dev/null; e=$(date +%s.%N)
    echo "rebuild after touching main.cpp: $(echo "$s $e" | awk '{printf "%.1f", $2-$1}') s"
    touch chapters/06_rnn_lstm_seq/05_shape_checks.cpp
    s=$(date +%s.%N); cmake --build "$fresh" -j2 >/dev/null; e=$(date +%s.%N)
    echo "rebuild after touching 05_shape_checks.cpp: $(echo "$s $e" | awk '{printf "%.1f", $2-$1}') s"
    s=$(date +%s.%N); ctest --test-dir "$fresh" -j2 >/dev/null || echo "(some tests failed)"; e=$(date +%s.%N)
    echo "whole test suite: $(echo "$s $e" | awk '{printf "%.0f", $2-$1}') s"
  fi
  echo
  local cell_runs=$((runs < 3 ? 3 : runs))  # Google Benchmark reports a median from 2 repetitions on
  echo "== 5. one LSTM cell step, batch 1, double, 1 thread: from-scratch Eigen vs LibTorch"
  echo "(bench_cell, CPU time, median of $cell_runs)"
  "$cell" --benchmark_repetitions="$cell_runs" --benchmark_report_aggregates_only=true --benchmark_format=csv 2>/dev/null |
    awk -F, -v facts="$work/facts" '/_median"/ { n = $1; gsub(/"|_median/, "", n); split(n, p, "/"); t[p[2] "/" p[3]] = $4 }
             END { printf "%-6s %12s %12s %15s\n", "H", "eigen_ns", "libtorch_ns", "libtorch/eigen";
                   for (h = 8; h <= 512; h *= 2) {
                     r = sprintf("%.2f", t["libtorch/" h] / t["eigen/" h])
                     printf "%-6d %12.0f %12.0f %14sx\n", h, t["eigen/" h], t["libtorch/" h], r
                     printf "cell_ratio_h%d\t%s\n", h, r >> facts
                   } }'
  echo
  echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

bench_publish "$out" "$work" report
