-- agentls: Cursor rules (`.cursor/rules/**/*.mdc`) are Markdown with YAML frontmatter, but Neovim
-- knows no `.mdc` filetype. Give exactly these files `markdown` (highlighting, and the FileType
-- event that starts agentls); other `.mdc` files (e.g. Nuxt MDC) are left alone.
-- Opt out with `vim.g.agentls_cursor_rules_filetype = false` before this runs (e.g. in init.lua).
if vim.g.agentls_cursor_rules_filetype == false then
  return
end
local ok_add = vim.filetype ~= nil and vim.filetype.add ~= nil
-- 0.8+ detect with filetype.lua by default; 0.7 only when `g:do_filetype_lua` is set.
local lua_detection = vim.fn.has('nvim-0.8') == 1 or vim.g.do_filetype_lua == 1
if ok_add and lua_detection then
  vim.filetype.add({
    pattern = {
      ['.*/%.cursor/rules/.+%.mdc'] = 'markdown',
    },
  })
else
  vim.cmd([[autocmd BufRead,BufNewFile */.cursor/rules/*.mdc setfiletype markdown]])
end
