-- Prints what the plugin detects for each path in $AGENTLS_PATHS (one absolute path a line):
-- `path<TAB>dialect`, `path<TAB>dialect (plugin)` or `path<TAB>-`. tests/editors.rs compares it
-- with the server's own detection.
--
--   AGENTLS_PATHS=paths.txt nvim --headless -u NONE -i NONE -c 'luafile editors/nvim/test/detect.lua'
local script = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p')
vim.opt.runtimepath:prepend(vim.fn.fnamemodify(script, ':h:h'))
local ok, err = pcall(function()
  local agentls = require('agentls')
  for _, path in ipairs(vim.fn.readfile(os.getenv('AGENTLS_PATHS'))) do
    local d = agentls.detect(path)
    local what = d and (d.dialect .. (d.plugin and ' (plugin)' or '')) or '-'
    io.stdout:write(path, '\t', what, '\t', d and d.base or '', '\n')
  end
end)
if not ok then
  io.stderr:write('detect.lua: ', tostring(err), '\n')
  vim.cmd('cquit 1')
end
vim.cmd('qa!')
