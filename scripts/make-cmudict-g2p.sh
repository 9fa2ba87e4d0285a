#!/usr/bin/env bash
# Builds assets/data/cmudict/cmudict-g2p.tsv.gz, the grapheme-to-phoneme data of program 10, from a
# copy of the CMU Pronouncing Dictionary (the `cmudict.dict` file: `WORD  PH1 PH2 ...`, two spaces
# after the word, alternate pronunciations written `WORD(1)`, `WORD(2)`, ...).
#
#   bash scripts/make-cmudict-g2p.sh <path/to/cmudict.dict> [output.tsv.gz]
#
# It keeps
#   - the first pronunciation of each word (the lines without a "(N)" suffix),
#   - words made only of the letters A-Z (no apostrophes, dots, digits or hyphens),
# lower-cases the word, removes the stress digits 0/1/2 from the phonemes (39 ARPAbet phonemes
# remain), and writes `word<TAB>PH1 PH2 ...` lines in the dictionary's order, gzip-compressed
# without a timestamp so that the same input always gives the same bytes.
set -euo pipefail

src=${1:?usage: make-cmudict-g2p.sh <cmudict.dict> [output.tsv.gz]}
out=${2:-"$(dirname "$0")/../assets/data/cmudict/cmudict-g2p.tsv.gz"}
[[ -r "$src" ]] || { echo "make-cmudict-g2p: error: cannot read '$src'" >&2; exit 1; }

LC_ALL=C awk -F'  ' '
  $1 ~ /^[A-Z]+$/ && NF == 2 {
    phonemes = $2
    gsub(/[0-9]/, "", phonemes)
    print tolower($1) "\t" phonemes
  }' "$src" | gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
echo "make-cmudict-g2p: wrote $out ($(gzip -dc "$out" | wc -l) words)"
