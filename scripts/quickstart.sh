#!/usr/bin/env bash
# The README's first command: install what is missing, build the main job, run it once.
# Extra arguments are passed to ch06_main (e.g. --model_type gru).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/install-deps.sh
cmake --preset default
cmake --build --preset default --target ch06_main
exec ./build/default/bin/ch06_main --model_type lstm --epochs 1 --data_size 2000 "$@"
