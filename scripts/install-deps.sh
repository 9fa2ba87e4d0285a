#!/usr/bin/env bash
# Installs the Debian packages (12 or 13) this book needs. Safe to run again: it only installs what is
# missing. Works as root, or as a user with sudo.
set -euo pipefail

PACKAGES=(
  # toolchain
  g++ cmake ninja-build pkg-config
  # libraries
  libtorch-dev libeigen3-dev doctest-dev libcli11-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libopenblas0-pthread libopenblas-dev libbenchmark-dev
  zlib1g-dev  # program 10 reads the gzip-compressed CMU dictionary
  # docs and figures
  doxygen graphviz gnuplot-nox libjs-mathjax doxygen-awesome-css
  # exercises: scripts/exercises.sh --watch re-checks on every save
  entr
  # benchmarks (bench/run.sh)
  time
)

say() { printf 'install-deps: %s\n' "$*"; }
die() { printf 'install-deps: error: %s\n' "$*" >&2; exit 1; }

command -v dpkg-query >/dev/null 2>&1 || die "this script needs a Debian system (dpkg-query not found)"

missing=()
for p in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  say "all ${#PACKAGES[@]} packages are already installed"
  exit 0
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  die "not root and sudo is not available; run as root: apt-get install ${missing[*]}"
fi

say "installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq \
  || die "apt-get update failed (no network or a broken source list?)"
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" \
  || die "apt-get install failed for: ${missing[*]}"
say "done"
