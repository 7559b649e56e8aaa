-- agentls: language server for AI agent definition files (Claude Code, GitHub Copilot, Cursor,
-- Agent Skills, OpenCode, Gemini CLI, Kiro, Windsurf, Factory, Codex).
--
-- Neovim 0.11+ `vim.lsp.config` format. Enable it with `vim.lsp.enable('agentls')` (or
-- `require('agentls').setup()`, which does the same). The `root_dir` function hands a root only
-- to agent definition files (the dialect paths in `lua/agentls/patterns.lua`, e.g.
-- `.claude/agents/**/*.md`, `**/*.prompt.md`, `.cursor/rules/**/*.mdc`, plus a Claude Code
-- plugin's `agents/`, `commands/`, `skills/` and `output-styles/`) and to `.agentls.yaml`, so
-- ordinary Markdown and YAML buffers never start or attach the server. Cursor's `.mdc` rules get the `markdown` filetype from
-- `ftdetect/agentls.lua` (they have none in Neovim itself); `mdc` is listed for setups that give
-- them a filetype of that name. `yaml` is for agentls's configuration file `.agentls.yaml`, the
-- only YAML buffer that gets a root. `root_markers` documents the root search; `root_dir` takes
-- precedence over it in 0.11.
---@type vim.lsp.Config
return {
  cmd = { 'agentls' },
  filetypes = { 'markdown', 'mdc', 'yaml' },
  root_markers = { '.agentls.yaml', '.claude', '.git' },
  root_dir = function(bufnr, on_dir)
    require('agentls').root_dir(bufnr, on_dir)
  end,
}
