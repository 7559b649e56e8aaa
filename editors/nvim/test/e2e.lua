-- End-to-end test of the agentls Neovim integration against the real server, headless.
--
--   AGENTLS_BIN=/path/to/agentls nvim --headless -u NONE -i NONE -c 'luafile editors/nvim/test/e2e.lua'
--
-- Works unchanged on Neovim 0.7 (start_client + buf_attach_client) and 0.11 (vim.lsp.config +
-- vim.lsp.enable): the server is started by this repository's plugin (`require('agentls').setup`),
-- which is what is under test. Environment:
--   AGENTLS_BIN              server binary (required)
--   AGENTLS_TEST_DIR         scratch directory (default: a fresh tempname())
--   AGENTLS_EXPECT_ENCODING  position encoding the client must end up with (default: utf-8 when
--                            this Neovim offers it, else utf-16)
--   AGENTLS_TIMEOUT_MS       per-wait timeout (default 10000)
--   AGENTLS_E2E_MODE         `legacy` hides vim.lsp.config/vim.lsp.enable before setup(), so a
--                            0.11 Neovim exercises the 0.8–0.10 path (vim.lsp.start from FileType)
-- Prints a TAP-style transcript; exits non-zero (cquit) when any check fails.

local script = vim.fn.fnamemodify(debug.getinfo(1, 'S').source:sub(2), ':p')
local plugin_dir = vim.fn.fnamemodify(script, ':h:h')
local timeout = tonumber(os.getenv('AGENTLS_TIMEOUT_MS') or '') or 10000

local function out(...)
  io.stdout:write(table.concat({ ... }, ''), '\n')
  io.stdout:flush()
end

local function fail_now(msg)
  io.stderr:write('e2e.lua: ', msg, '\n')
  vim.cmd('cquit 1')
end

local server = os.getenv('AGENTLS_BIN')
if not server or server == '' then
  fail_now('AGENTLS_BIN is not set')
  return
end
if vim.fn.executable(server) ~= 1 then
  fail_now('AGENTLS_BIN is not executable: ' .. server)
  return
end

vim.opt.runtimepath:prepend(plugin_dir)
vim.cmd('filetype on')
vim.o.hidden = true
vim.o.swapfile = false

-- Version-neutral helpers -------------------------------------------------------------------

local function version_string()
  local v = vim.version()
  return string.format('%d.%d.%d', v.major, v.minor, v.patch)
end

local function clients_for(bufnr)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients({ bufnr = bufnr, name = 'agentls' })
  end
  local list = {}
  for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
    if client.name == 'agentls' then
      table.insert(list, client)
    end
  end
  return list
end

local function all_clients()
  return vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
end

local function wait_for(what, cond)
  if not vim.wait(timeout, cond, 20) then
    error('timed out after ' .. timeout .. ' ms waiting for ' .. what, 2)
  end
end

local function write_file(path, lines)
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  vim.fn.writefile(lines, path)
end

local function open(path)
  vim.cmd('edit ' .. vim.fn.fnameescape(path))
  return vim.api.nvim_get_current_buf()
end

local severity_names = { 'error', 'warning', 'info', 'hint' }

local function format_diag(d)
  return string.format(
    '%d:%d-%d:%d %s [%s] %s: %s',
    d.lnum + 1,
    d.col + 1,
    (d.end_lnum or d.lnum) + 1,
    (d.end_col or d.col) + 1,
    severity_names[d.severity] or tostring(d.severity),
    tostring(d.code),
    tostring(d.source),
    d.message
  )
end

local function show_diags(bufnr)
  local diags = vim.diagnostic.get(bufnr)
  table.sort(diags, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  for _, d in ipairs(diags) do
    out('#   ', format_diag(d))
  end
end

local function find_diag(bufnr, pred)
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if pred(d) then
      return d
    end
  end
  return nil
end

local function by_code_and_text(code, text)
  return function(d)
    return d.code == code and d.message:find(text, 1, true) ~= nil
  end
end

local function eq(actual, expected, what)
  if actual ~= expected then
    error(string.format('%s: expected %s, got %s', what, vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

local function truthy(value, what)
  if not value then
    error(what, 2)
  end
  return value
end

-- Byte column (0-based) of `needle` in line `lnum` of `bufnr`.
local function byte_col(bufnr, lnum, needle)
  local line = vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, true)[1]
  local s = truthy(line:find(needle, 1, true), 'no "' .. needle .. '" on line ' .. (lnum + 1))
  return s - 1
end

local checks, failures = 0, 0
local function check(name, fn)
  checks = checks + 1
  local ok, err = pcall(fn)
  if ok then
    out('ok ', checks, ' - ', name)
  else
    failures = failures + 1
    out('not ok ', checks, ' - ', name)
    out('#   ', tostring(err))
  end
  return ok
end

-- Fixture -------------------------------------------------------------------------------------

local root = os.getenv('AGENTLS_TEST_DIR')
if not root or root == '' then
  root = vim.fn.tempname()
end
root = vim.fn.fnamemodify(root, ':p'):gsub('/$', '')
vim.fn.mkdir(root, 'p')

local broken = root .. '/.claude/agents/broken.md'
write_file(broken, {
  '---',
  'name: broken',
  'description: Broken agent 😀 for tests',
  'modle: sonnet',
  'tools: Read, 😀, Bassh',
  '---',
  'Body.',
})
-- Files the server must NOT be attached to, and a plugin agent it must be attached to.
local readme = root .. '/README.md'
write_file(readme, { '# Not an agent', '', 'modle: sonnet' })
local docs_agent = root .. '/docs/agents/notes.md'
write_file(docs_agent, { '---', 'modle: sonnet', '---' })
local plugin_agent = root .. '/my-plugin/agents/helper.md'
write_file(root .. '/my-plugin/.claude-plugin/plugin.json', { '{ "name": "my-plugin" }' })
write_file(plugin_agent, { '---', 'name: helper', 'description: Plugin agent', '---', 'Body.' })
-- Other dialects: a GitHub Copilot prompt file and a Cursor rule (`.mdc`, no Neovim filetype of
-- its own), each with a misspelt key; and a plain `notes.md` next to them.
local prompt = root .. '/.github/prompts/review.prompt.md'
write_file(prompt, { '---', 'descriptin: Review the staged changes', 'agent: agent', '---', 'Review.' })
local cursor_rule = root .. '/.cursor/rules/style.mdc'
write_file(cursor_rule, { '---', 'description: House style', 'alwaysAply: true', '---', 'Use tabs.' })
local notes = root .. '/notes.md'
write_file(notes, { '---', 'descriptin: not an agent', '---' })

local mode = os.getenv('AGENTLS_E2E_MODE') or ''
if mode == 'legacy' then
  vim.lsp.config, vim.lsp.enable = nil, nil
end
local path_under_test = (vim.lsp.config and vim.lsp.enable) and 'vim.lsp.config + vim.lsp.enable'
  or (vim.lsp.start and 'vim.lsp.start')
  or 'vim.lsp.start_client + vim.lsp.buf_attach_client'

out('# Neovim ', version_string(), ', server ', server)
out('# plugin path: ', path_under_test)
out('# project ', root)

require('agentls').setup({ cmd = { server } })

-- Checks --------------------------------------------------------------------------------------

local bufnr = open(broken)
local client

check('client attaches to .claude/agents/broken.md and initializes', function()
  wait_for('agentls to attach', function()
    local list = clients_for(bufnr)
    return #list > 0 and list[1].initialized == true
  end)
  client = clients_for(bufnr)[1]
  out('#   client id ', client.id, ', root ', tostring(client.config.root_dir))
  eq(client.config.root_dir, root, 'root_dir')
end)

check('position encoding negotiated', function()
  truthy(client, 'no client')
  local offered = vim.lsp.protocol.make_client_capabilities().general
  offered = offered and offered.positionEncodings or {}
  local expected = vim.tbl_contains(offered, 'utf-8') and 'utf-8' or 'utf-16'
  local forced = os.getenv('AGENTLS_EXPECT_ENCODING')
  if forced and forced ~= '' then
    eq(expected, forced, 'encoding this Neovim should negotiate')
  end
  out('#   offered ', vim.inspect(offered), ', negotiated ', tostring(client.offset_encoding))
  eq(client.offset_encoding, expected, 'client.offset_encoding')
end)

check('unknown-field warning on `modle` with did-you-mean `model`', function()
  truthy(client, 'no client (attach failed)')
  wait_for('an unknown-field diagnostic', function()
    return find_diag(bufnr, by_code_and_text('unknown-field', 'modle')) ~= nil
  end)
  show_diags(bufnr)
  local d = find_diag(bufnr, by_code_and_text('unknown-field', 'modle'))
  truthy(d.message:find('model', 1, true), 'message lacks the suggestion `model`: ' .. d.message)
  eq(d.severity, vim.diagnostic.severity.WARN, 'severity')
  eq(d.source, 'agentls', 'source')
  eq(d.lnum, 3, 'start line')
  eq(d.col, 0, 'start column')
  eq(d.end_lnum, 3, 'end line')
  eq(d.end_col, 5, 'end column')
end)

check('unknown-tool warning on `Bassh` after an emoji lands on its byte column', function()
  truthy(client, 'no client (attach failed)')
  wait_for('an unknown-tool diagnostic for Bassh', function()
    return find_diag(bufnr, by_code_and_text('unknown-tool', 'Bassh')) ~= nil
  end)
  local d = find_diag(bufnr, by_code_and_text('unknown-tool', 'Bassh'))
  local col = byte_col(bufnr, 4, 'Bassh')
  out('#   Bassh at byte column ', col, '; diagnostic ', format_diag(d))
  eq(d.lnum, 4, 'line')
  eq(d.col, col, 'start column (bytes)')
  eq(d.end_col, col + #'Bassh', 'end column (bytes)')
end)

check('completion in the frontmatter offers `model`', function()
  truthy(client, 'no client')
  -- A fresh, empty key line inside the frontmatter (before the closing `---`).
  vim.api.nvim_buf_set_lines(bufnr, 5, 5, true, { '' })
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = 5, character = 0 },
    context = { triggerKind = 1 },
  }
  local responses, err = vim.lsp.buf_request_sync(bufnr, 'textDocument/completion', params, timeout)
  truthy(responses, 'completion request failed: ' .. tostring(err))
  local response = truthy(responses[client.id], 'no completion response from agentls')
  truthy(not response.err, 'completion error: ' .. vim.inspect(response.err))
  local result = response.result or {}
  local items = result.items or result
  local labels = {}
  for _, item in ipairs(items) do
    table.insert(labels, item.label)
  end
  out('#   ', #labels, ' items: ', table.concat(labels, ', '))
  truthy(vim.tbl_contains(labels, 'model'), '`model` not among completion labels')
end)

check('fixing `modle` -> `model` clears the unknown-field warning', function()
  truthy(client, 'no client (attach failed)')
  vim.api.nvim_buf_set_text(bufnr, 3, 0, 3, 5, { 'model' })
  wait_for('the unknown-field diagnostic to go away', function()
    return find_diag(bufnr, function(d)
      return d.code == 'unknown-field'
    end) == nil and find_diag(bufnr, by_code_and_text('unknown-tool', 'Bassh')) ~= nil
  end)
  show_diags(bufnr)
end)

check('incremental edits around an emoji keep columns right', function()
  truthy(client, 'no client (attach failed)')
  -- Rename Bassh -> Grepp, then widen the text before it (😀 -> ñ€𝄞: 4 -> 9 bytes, 2 -> 4 UTF-16 units).
  local col = byte_col(bufnr, 4, 'Bassh')
  vim.api.nvim_buf_set_text(bufnr, 4, col, 4, col + #'Bassh', { 'Grepp' })
  local emoji = byte_col(bufnr, 4, '😀')
  vim.api.nvim_buf_set_text(bufnr, 4, emoji, 4, emoji + #'😀', { 'ñ€𝄞' })
  local want = byte_col(bufnr, 4, 'Grepp')
  wait_for('an unknown-tool diagnostic for Grepp', function()
    local d = find_diag(bufnr, by_code_and_text('unknown-tool', 'Grepp'))
    return d ~= nil and d.col == want
  end)
  show_diags(bufnr)
  truthy(not find_diag(bufnr, by_code_and_text('unknown-tool', 'Bassh')), 'stale Bassh diagnostic')
  local d = find_diag(bufnr, by_code_and_text('unknown-tool', 'Grepp'))
  eq(d.end_col, want + #'Grepp', 'end column (bytes)')
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 4, 5, true), '')
  out('#   line 5 is now: ', text)
end)

check('ordinary Markdown is left alone (README.md, docs/agents/notes.md)', function()
  for _, path in ipairs({ readme, docs_agent }) do
    local b = open(path)
    -- Give an (unwanted) attach the same chance it would have had above.
    vim.wait(300, function()
      return #clients_for(b) > 0
    end, 20)
    eq(#clients_for(b), 0, 'agentls clients on ' .. path)
  end
end)

check('plugin agent (my-plugin/agents/helper.md) attaches to the same client', function()
  truthy(client, 'no client (attach failed)')
  local b = open(plugin_agent)
  wait_for('agentls to attach to the plugin agent', function()
    return #clients_for(b) > 0
  end)
  eq(clients_for(b)[1].id, client.id, 'client id (one server per root)')
end)

check('Copilot prompt (.github/prompts/review.prompt.md): unknown-field on `descriptin`', function()
  truthy(client, 'no client (attach failed)')
  local b = open(prompt)
  wait_for('agentls to attach to the prompt file', function()
    return #clients_for(b) > 0
  end)
  eq(clients_for(b)[1].id, client.id, 'client id (one server per root)')
  wait_for('an unknown-field diagnostic for descriptin', function()
    return find_diag(b, by_code_and_text('unknown-field', 'descriptin')) ~= nil
  end)
  show_diags(b)
  local d = find_diag(b, by_code_and_text('unknown-field', 'descriptin'))
  truthy(d.message:find('GitHub Copilot prompt', 1, true), 'not checked as a Copilot prompt: ' .. d.message)
  truthy(d.message:find('`description`', 1, true), 'message lacks the suggestion `description`: ' .. d.message)
  eq(d.lnum, 1, 'start line')
  eq(d.col, 0, 'start column')
  eq(d.end_col, #'descriptin', 'end column')
end)

check('Cursor rule (.cursor/rules/style.mdc) is markdown and attaches', function()
  truthy(client, 'no client (attach failed)')
  local b = open(cursor_rule)
  eq(vim.bo[b].filetype, 'markdown', 'filetype of a Cursor rule (ftdetect/agentls.lua)')
  wait_for('agentls to attach to the Cursor rule', function()
    return #clients_for(b) > 0
  end)
  eq(clients_for(b)[1].id, client.id, 'client id (one server per root)')
  wait_for('an unknown-field diagnostic for alwaysAply', function()
    return find_diag(b, by_code_and_text('unknown-field', 'alwaysAply')) ~= nil
  end)
  show_diags(b)
  local d = find_diag(b, by_code_and_text('unknown-field', 'alwaysAply'))
  truthy(d.message:find('alwaysApply', 1, true), 'message lacks the suggestion `alwaysApply`: ' .. d.message)
end)

check('a plain notes.md next to them is left alone', function()
  local b = open(notes)
  vim.wait(300, function()
    return #clients_for(b) > 0
  end, 20)
  eq(#clients_for(b), 0, 'agentls clients on ' .. notes)
end)

-- agentls's own configuration file: YAML, served by the same client (written now, so that the
-- checks above ran without it).
local config_file = root .. '/.agentls.yaml'
local plain_yaml = root .. '/compose.yaml'
write_file(plain_yaml, { 'services: {}' })

local function completion_labels(b, line, character)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(b) },
    position = { line = line, character = character },
    context = { triggerKind = 1 },
  }
  local responses, err = vim.lsp.buf_request_sync(b, 'textDocument/completion', params, timeout)
  truthy(responses, 'completion request failed: ' .. tostring(err))
  local response = truthy(responses[client.id], 'no completion response from agentls')
  truthy(not response.err, 'completion error: ' .. vim.inspect(response.err))
  local result = response.result or {}
  local labels = {}
  for _, item in ipairs(result.items or result) do
    table.insert(labels, item.label)
  end
  return labels
end

check('.agentls.yaml is yaml, attaches, and a misspelt rule code gets an invalid-config error', function()
  truthy(client, 'no client (attach failed)')
  write_file(config_file, { 'rules:', '  unknown-modle: off' })
  local b = open(config_file)
  eq(vim.bo[b].filetype, 'yaml', 'filetype of .agentls.yaml')
  wait_for('agentls to attach to .agentls.yaml', function()
    return #clients_for(b) > 0
  end)
  eq(clients_for(b)[1].id, client.id, 'client id (one server per root)')
  wait_for('an invalid-config diagnostic for unknown-modle', function()
    return find_diag(b, by_code_and_text('invalid-config', 'unknown-modle')) ~= nil
  end)
  show_diags(b)
  local d = find_diag(b, by_code_and_text('invalid-config', 'unknown-modle'))
  truthy(d.message:find('did you mean `unknown-model`', 1, true), 'message lacks the suggestion: ' .. d.message)
  eq(d.severity, vim.diagnostic.severity.ERROR, 'severity')
  eq(d.lnum, 1, 'start line')
  eq(d.col, 2, 'start column')
  eq(d.end_lnum, 1, 'end line')
  eq(d.end_col, 15, 'end column')
end)

check('.agentls.yaml: typing the fix clears the error; completion offers rule codes', function()
  truthy(client, 'no client (attach failed)')
  local b = vim.fn.bufnr(config_file)
  vim.api.nvim_buf_set_text(b, 1, 2, 1, 15, { 'unknown-model' })
  wait_for('the invalid-config diagnostic to go away', function()
    return find_diag(b, function(d)
      return d.code == 'invalid-config'
    end) == nil
  end)
  vim.api.nvim_buf_set_lines(b, 2, 2, true, { '  ' })
  local labels = completion_labels(b, 2, 2)
  out('#   ', #labels, ' rule codes, e.g. ', table.concat({ unpack(labels, 1, 3) }, ', '))
  truthy(vim.tbl_contains(labels, 'empty-body'), '`empty-body` not among completion labels')
  truthy(not vim.tbl_contains(labels, 'unknown-model'), '`unknown-model` is already set')
end)

check('another YAML file (compose.yaml) is left alone', function()
  local b = open(plain_yaml)
  vim.wait(300, function()
    return #clients_for(b) > 0
  end, 20)
  eq(#clients_for(b), 0, 'agentls clients on ' .. plain_yaml)
end)

check('shutdown stops the server', function()
  local ids = {}
  for _, c in ipairs(all_clients()) do
    table.insert(ids, c.id)
  end
  truthy(#ids > 0, 'no clients to stop')
  vim.lsp.stop_client(ids)
  wait_for('clients to exit', function()
    for _, id in ipairs(ids) do
      if vim.lsp.get_client_by_id(id) ~= nil then
        return false
      end
    end
    return true
  end)
end)

out(string.format('# Neovim %s: %d passed, %d failed', version_string(), checks - failures, failures))
if failures > 0 then
  vim.cmd('cquit 1')
else
  vim.cmd('qa!')
end
