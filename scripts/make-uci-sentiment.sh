#!/usr/bin/env bash
# Builds assets/data/uci-sentiment/sentences.tsv.gz, the real sentences of program 07's
# `--corpus uci` mode, from a copy of the UCI "Sentiment Labelled Sentences" set laid out as three
# JSON files (amazon.json, imdb.json, yelp.json; each an array of {"text": ..., "class": 0|1}, as
# shipped by the npm package `sentiment` 5.0.2 in test/fixtures/).
#
#   bash scripts/make-uci-sentiment.sh <folder with the three .json files> [output.tsv.gz]
#
# It drops the entries whose class is null (a trailing empty line of the original files), folds
# every run of white space (tabs included) into one space, trims both ends, and writes a header and
# then `source<TAB>label<TAB>sentence` lines (source amazon|imdb|yelp, label 0 = negative,
# 1 = positive) in the files' order, gzip-compressed without a timestamp so that the same input
# always gives the same bytes. Needs jq.
set -euo pipefail

src=${1:?usage: make-uci-sentiment.sh <folder with amazon.json imdb.json yelp.json> [output.tsv.gz]}
out=${2:-"$(dirname "$0")/../assets/data/uci-sentiment/sentences.tsv.gz"}
command -v jq >/dev/null || { echo "make-uci-sentiment: error: needs jq (apt-get install jq)" >&2; exit 1; }
for name in amazon imdb yelp; do
  [[ -r "$src/$name.json" ]] || { echo "make-uci-sentiment: error: cannot read '$src/$name.json'" >&2; exit 1; }
done

{
  printf 'source\tlabel\tsentence\n'
  for name in amazon imdb yelp; do
    jq -r --arg source "$name" '.[] | select(.class != null)
      | [$source, (.class | tostring), (.text | gsub("\\s+"; " ") | ltrimstr(" ") | rtrimstr(" "))]
      | join("\t")' "$src/$name.json"
  done
} | gzip -9 -n > "$out.tmp"
mv "$out.tmp" "$out"
echo "make-uci-sentiment: wrote $out ($(gzip -dc "$out" | tail -n +2 | wc -l) sentences)"
