--- agentls for Neovim: starts the agentls language server for AI agent definition files.
---
--- Agent definition files are those of every dialect agentls knows (Claude Code subagents,
--- commands, skills and output styles; GitHub Copilot agents, prompts, instructions and chat
--- modes; Cursor rules and subagents; Agent Skills; OpenCode, Gemini CLI, Kiro, Windsurf,
--- Factory and Codex files), matched by path with the globs in `agentls/patterns.lua`
--- (generated from the server's `src/schema/*.yaml`). Inside a Claude Code plugin (a folder
--- holding `.claude-plugin/plugin.json`) its `agents/`, `commands/`, `skills/` and
--- `output-styles/` files count as well.
---
--- agentls's own configuration file, `.agentls.yaml` (filetype `yaml`), is served too: the server
--- checks it as you type and completes and explains its keys.
---
--- Every other buffer is left alone.
---
--- Neovim 0.11+ uses the `vim.lsp.config` file `lsp/agentls.lua` shipped next to this module and
--- `vim.lsp.enable('agentls')`. Neovim 0.7–0.10 get a `FileType` autocommand (`markdown`, `mdc`,
--- `yaml`) that starts (or reuses) one client per root directory.
local M = {}

local uv = vim.uv or vim.loop
local glob = require('agentls.glob')

M.name = 'agentls'

--- Markers that identify the workspace root, nearest first (the server reads `.agentls.yaml`
--- from the root).
M.root_markers = { '.agentls.yaml', '.claude', '.git' }

--- Filetypes the client is started for (the path decides; see `ftdetect/agentls.lua` for `.mdc`;
--- `yaml` for `.agentls.yaml`).
M.filetypes = { 'markdown', 'mdc', 'yaml' }

--- The configuration file's name.
M.config_file = '.agentls.yaml'

--- The dialects, in detection order (generated; see the file).
M.dialects = require('agentls.patterns')

local function normalize(path)
  if path == nil or path == '' then
    return nil
  end
  path = path:gsub('\\', '/')
  -- Collapse duplicated separators, but keep a leading `//` (UNC) intact.
  local lead, rest = path:match('^(/*)(.*)$')
  rest = rest:gsub('/+', '/')
  return lead:sub(1, 2) .. rest
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  local parent = path:match('^(.*)/[^/]*$')
  if parent == nil or parent == '' then
    return '/'
  end
  return parent
end

--- A plugin glob relative to the plugin folder: `**/agents/**/*.md` -> `agents/**/*.md`.
local function plugin_relative(g)
  return (g:gsub('^%*%*/', ''))
end

--- The folder holding the last `/<folder>/` in `path`, or nil.
local function above_last(path, folder)
  local base
  local from = 1
  while true do
    local s, e = path:find('/' .. folder .. '/', from, true)
    if not s then
      break
    end
    base = path:sub(1, s - 1)
    from = e
  end
  if base then
    return base == '' and '/' or base
  end
  return nil
end

--- The folder a `paths` glob is anchored at in `path`: for `**/.claude/agents/**/*.md` the
--- folder holding the last `.claude/` in the path. Globs such as `**/*.prompt.md` have no
--- folder of their own: the folder holding `.github/` when the file is in one, else the
--- file's folder.
local function anchor(g, path)
  local first = g:match('^%*%*/([^/*?%[{]+)/')
  return (first and above_last(path, first)) or above_last(path, '.github') or dirname(path)
end

local function first_match(globs, path)
  for _, g in ipairs(globs) do
    if glob.match(g, path) then
      return g
    end
  end
  return nil
end

--- What kind of agent definition `path` is, like the server's own detection: `{ dialect = id,
--- title = …, plugin = bool, base = folder }` (`base` is the folder that makes it one: the
--- project holding `.claude/`, `.github/`… or the plugin folder), or nil for any other file.
---@param path string absolute file path
---@return table|nil
function M.detect(path)
  path = normalize(path)
  if not path then
    return nil
  end
  local eligible = {}
  for _, d in ipairs(M.dialects) do
    if not glob.match_any(d.exclude_paths, path) then
      table.insert(eligible, d)
      local g = first_match(d.paths, path)
      if g then
        return { dialect = d.dialect, title = d.title, plugin = false, base = anchor(g, path) }
      end
    end
  end
  -- Plugin files: `<plugin>/<glob without its leading **/>` where
  -- `<plugin>/.claude-plugin/plugin.json` exists, innermost folder first.
  local dir = dirname(path)
  while true do
    local relative = path:sub(#dir + 2)
    if dir == '/' then
      relative = path:sub(2)
    end
    for _, d in ipairs(eligible) do
      for _, g in ipairs(d.plugin_paths) do
        if glob.match(plugin_relative(g), relative) and exists(dir .. '/.claude-plugin/plugin.json') then
          return { dialect = d.dialect, title = d.title, plugin = true, base = dir }
        end
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

--- The folder that makes `path` an agent definition file (see `detect`), or nil if it is none.
---@param path string absolute file path
---@return string|nil
function M.agent_base(path)
  local detected = M.detect(path)
  return detected and detected.base
end

--- Whether `path` is an agent definition file agentls should handle.
---@param path string
---@return boolean
function M.is_agent_file(path)
  return M.agent_base(path) ~= nil
end

--- Whether `path` is agentls's configuration file (`.agentls.yaml`, in any folder).
---@param path string
---@return boolean
function M.is_config_file(path)
  path = normalize(path)
  return path ~= nil and path:match('[^/]*$') == M.config_file
end

--- Workspace root for an agent file or a configuration file: the nearest ancestor of the file
--- holding one of `M.root_markers`, or the agent base directory (a configuration file's own
--- folder) when there is none. Nil for other files.
---@param path string absolute file path
---@return string|nil
function M.root_for(path)
  local base = M.agent_base(path)
  if not base and M.is_config_file(path) then
    base = dirname(normalize(path))
  end
  if not base then
    return nil
  end
  local dir = dirname(normalize(path))
  while dir and dir ~= '' do
    for _, marker in ipairs(M.root_markers) do
      if exists(dir .. '/' .. marker) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == dir then
      break
    end
    dir = parent
  end
  return base
end

--- `root_dir` for `vim.lsp.config` (Neovim 0.11+): only agent files and configuration files get
--- a root, so the client never attaches to other Markdown or YAML buffers.
---@param bufnr integer
---@param on_dir fun(root: string)
function M.root_dir(bufnr, on_dir)
  local root = M.root_for(vim.api.nvim_buf_get_name(bufnr))
  if root then
    on_dir(root)
  end
end

--- The server configuration shared by every Neovim version.
---@return table
function M.default_config()
  return {
    cmd = { 'agentls' },
    filetypes = vim.deepcopy(M.filetypes),
    root_markers = vim.deepcopy(M.root_markers),
    root_dir = M.root_dir,
  }
end

-- Legacy (0.7–0.10) state: options given to setup() and one client id per root directory.
local legacy = { config = nil, clients = {} }

local function client_alive(id)
  local client = id and vim.lsp.get_client_by_id(id)
  if not client then
    return false
  end
  if type(client.is_stopped) == 'function' then
    return not client.is_stopped()
  end
  return true
end

--- Start (or reuse) the client for `bufnr` on Neovim < 0.11. Returns the client id, or nil when
--- the buffer is not an agent file.
---@param bufnr integer
---@return integer|nil
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local root = M.root_for(vim.api.nvim_buf_get_name(bufnr))
  if not root then
    return nil
  end
  local config = vim.tbl_extend('force', legacy.config or M.default_config(), {
    name = M.name,
    root_dir = root,
  })
  config.filetypes, config.root_markers = nil, nil
  if vim.lsp.start then
    -- 0.8–0.10: reuses a running client with the same name and root_dir.
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  -- 0.7: start_client + buf_attach_client, one client per root.
  local id = legacy.clients[root]
  if not client_alive(id) then
    id = vim.lsp.start_client(config)
    legacy.clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Set agentls up. `opts` is merged over the defaults (`cmd`, `filetypes`, `root_markers`,
--- `root_dir`) and may carry any other client option (`on_attach`, `capabilities`, `settings`, …).
---
---   require('agentls').setup()
---   require('agentls').setup({ cmd = { '/path/to/agentls' } })
---@param opts table|nil
function M.setup(opts)
  opts = opts or {}
  if vim.lsp.config and vim.lsp.enable then
    -- 0.11+: `lsp/agentls.lua` on 'runtimepath' provides the defaults; opts override them.
    if next(opts) ~= nil then
      vim.lsp.config(M.name, opts)
    end
    vim.lsp.enable(M.name)
    return
  end

  legacy.config = vim.tbl_extend('force', M.default_config(), opts)
  local filetypes = legacy.config.filetypes or M.filetypes
  local group = vim.api.nvim_create_augroup('agentls', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
    desc = 'agentls: start the language server for agent definition files',
  })
  -- Buffers that were already open before setup() (lazy loading).
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(filetypes, vim.bo[bufnr].filetype) then
      M.attach(bufnr)
    end
  end
end

return M
