#!/usr/bin/env bash
# Builds agentls and the harness, then runs the protocol benchmark (benches/README.md, section
# "Protocol benchmark") and prints Markdown tables on stdout. Arguments go to lspbench, e.g.
#   bash tools/lspbench/run.sh                 # full run: release builds, 3 rounds (a few minutes)
#   bash tools/lspbench/run.sh --rounds 5
#   bash tools/lspbench/run.sh --quick         # CI check of the exchange, under 30 s
# `--quick` uses the debug builds (those `cargo test` needs anyway): it times nothing that matters.
set -euo pipefail
cd "$(dirname "$0")/../.."

profile=release
for arg in "$@"; do
    if [ "$arg" = --quick ]; then profile=debug; fi
done
build=(cargo build --quiet)
if [ "$profile" = release ]; then build+=(--release); fi

"${build[@]}" --bin agentls
"${build[@]}" -p lspbench
exec "target/$profile/lspbench" --server "target/$profile/agentls" "$@"
