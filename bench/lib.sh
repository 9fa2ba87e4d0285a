# Shared by the bench scripts (sourced, not run): reading a program's facts and keeping a bench's
# result in the repository.

# bench_facts <facts.json>: its "key": "text" pairs as "key text" lines (a program writes one pair
# per line).
bench_facts() { sed -n 's/^ *"\([a-z0-9_.]*\)": "\(.*\)",\{0,1\}$/\1 \2/p' "$1"; }

# bench_publish <out> <work> <report-function>: without <out>, prints the report; with it, also
# keeps it as <out>/<name>.txt (name = <out>'s last component) and <work>/facts (tab-separated
# "key<TAB>text" lines written by the report) as <out>/facts.json, for the book's \run{<name>:<key>}.
bench_publish() {
  local out=$1 work=$2 report=$3
  if [[ -z "$out" ]]; then
    "$report"
    return
  fi
  local name
  name=$(basename "$out")
  mkdir -p "$out"
  "$report" | tee "$work/$name.txt"
  {
    echo "{"
    awk -F'\t' '{ printf "%s  \"%s\": \"%s\"", (NR > 1 ? ",\n" : ""), $1, $2 } END { print "" }' "$work/facts"
    echo "}"
  } >"$work/facts.json"
  mv "$work/$name.txt" "$out/$name.txt"
  mv "$work/facts.json" "$out/facts.json"
}

# bench_header <script> <args...>: the lines every kept result starts with: the command, the date,
# and the machine.
bench_header() {
  local script=$1
  shift
  echo "== command: bash bench/$script $*"
  echo "== date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "== machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)"
}
