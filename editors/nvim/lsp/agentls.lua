-- agentls: language server for AI agent definition files (Claude Code subagents, plugin agents).
--
-- Neovim 0.11+ `vim.lsp.config` format. Enable it with `vim.lsp.enable('agentls')` (or
-- `require('agentls').setup()`, which does the same). The `root_dir` function hands a root only
-- to agent definition files (`.claude/agents/**/*.md`, `<plugin>/agents/**/*.md` next to a
-- `.claude-plugin/plugin.json`), so ordinary Markdown buffers never start or attach the server.
-- `root_markers` documents the root search; `root_dir` takes precedence over it in 0.11.
---@type vim.lsp.Config
return {
  cmd = { 'agentls' },
  filetypes = { 'markdown' },
  root_markers = { '.claude', '.git' },
  root_dir = function(bufnr, on_dir)
    require('agentls').root_dir(bufnr, on_dir)
  end,
}
