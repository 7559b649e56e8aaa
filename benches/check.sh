#!/usr/bin/env bash
# Benchmarks `agentls check` (see benches/README.md, section "agentls check"):
#   * wall time on the shared corpus (hyperfine, median of warm runs), and files/second;
#   * peak memory (GNU time's maximum resident set size);
#   * scaling with 100, 1 000 and 10 000 agent files, made by replicating the corpus's agent
#     files into a temporary folder.
#
# Needs: cargo, hyperfine and GNU time (Debian: `apt-get install -y hyperfine time`).
# Environment: CORPUS (default ../shared/corpus), AGENTLS_BIN (default: the release build),
# RUNS (hyperfine runs per measurement, default 20).
set -euo pipefail

cd "$(dirname "$0")/.."
corpus=${CORPUS:-../shared/corpus}
runs=${RUNS:-20}

for tool in hyperfine /usr/bin/time; do
    command -v "$tool" >/dev/null || {
        echo "check.sh: $tool is missing (apt-get install -y hyperfine time)" >&2
        exit 2
    }
done
[ -f "$corpus/MANIFEST.tsv" ] || {
    echo "check.sh: no corpus at $corpus (set CORPUS)" >&2
    exit 2
}

if [ -z "${AGENTLS_BIN:-}" ]; then
    cargo build --release --quiet
    bin=$PWD/target/release/agentls
else
    bin=$AGENTLS_BIN
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# (agentls exits 1 when it finds errors, as on the corpus: that is not a failure here.)

# The number of agent files a run checks, from the summary line of the human format.
count_files() {
    { "$bin" check --color never "$1" || true; } | tail -n 1 | sed -n 's/.* in \([0-9]*\) files\{0,1\}$/\1/p'
}

# Median wall time in seconds of `agentls check <path> --format json > /dev/null`.
median() {
    hyperfine --style none --warmup 3 --runs "$runs" -N --ignore-failure \
        --export-json "$work/hyperfine.json" \
        "$bin check $1 --format json" >/dev/null 2>&1
    sed -n 's/^ *"median": \([0-9.e-]*\),\{0,1\}$/\1/p' "$work/hyperfine.json" | head -n 1
}

# Peak resident memory in MB.
peak_mb() {
    { /usr/bin/time -v "$bin" check "$1" --format json 2>&1 >/dev/null || true; } |
        sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): \([0-9]*\)$/\1/p' |
        awk '{ printf "%.1f", $1 / 1024 }'
}

report() { # label path
    local files seconds
    files=$(count_files "$2")
    seconds=$(median "$2")
    awk -v label="$1" -v files="$files" -v s="$seconds" -v mb="$(peak_mb "$2")" 'BEGIN {
        printf "| %-12s | %6d | %8.1f ms | %9.0f files/s | %6s MB |\n", label, files, s * 1000, files / s, mb
    }'
}

# Sets of exactly N agent files: the corpus's `claude-agent` files, copied round-robin into
# copy-<i>/ folders (their original layout kept, so discovery sees the same kinds of paths).
mapfile -t agents < <(awk -F'\t' 'NR > 1 && $1 == "claude-agent" { sub(/^shared\/corpus\//, "", $2); print $2 }' "$corpus/MANIFEST.tsv")
make_set() { # size
    local size=$1 dest=$work/set-$1 copy=0 left=$1
    while [ "$left" -gt 0 ]; do
        local take=$((left < ${#agents[@]} ? left : ${#agents[@]}))
        mkdir -p "$dest/copy-$copy"
        (cd "$corpus" && printf '%s\n' "${agents[@]:0:take}" | xargs cp --parents -t "$dest/copy-$copy")
        left=$((left - take))
        copy=$((copy + 1))
    done
    echo "$dest"
}

echo "agentls check benchmark: $("$bin" --version 2>/dev/null || echo agentls), $(nproc) cores, $(uname -sr)"
echo
echo "| set          |  files |    median |       throughput |    peak |"
echo "|--------------|--------|-----------|------------------|---------|"
report "corpus" "$corpus"
for size in 100 1000 10000; do
    report "$size files" "$(make_set "$size")"
done
