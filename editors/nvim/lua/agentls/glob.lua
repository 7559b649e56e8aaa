--- Glob matching with the semantics agentls uses for its dialect paths (Rust `globset` with
--- `literal_separator`): `*` and `?` stay within one path component, `**` as a whole component
--- crosses any number of them (including none), `{a,b}` picks an alternative and `[abc]`,
--- `[a-z]`, `[!abc]` match one character. Paths use `/`. Works on Neovim 0.7+ (plain Lua 5.1).
local M = {}

--- `{a,b}` alternatives expanded into plain globs (nesting allowed).
---@param glob string
---@return string[]
local function expand_braces(glob)
  local open = glob:find('{', 1, true)
  if not open then
    return { glob }
  end
  local depth, close = 0, nil
  local parts, from = {}, open + 1
  for i = open, #glob do
    local c = glob:sub(i, i)
    if c == '{' then
      depth = depth + 1
    elseif c == '}' then
      depth = depth - 1
      if depth == 0 then
        close = i
        table.insert(parts, glob:sub(from, i - 1))
        break
      end
    elseif c == ',' and depth == 1 then
      table.insert(parts, glob:sub(from, i - 1))
      from = i + 1
    end
  end
  if not close then
    error('agentls: unclosed `{` in glob ' .. glob)
  end
  local head, tail = glob:sub(1, open - 1), glob:sub(close + 1)
  local out = {}
  for _, part in ipairs(parts) do
    for _, expanded in ipairs(expand_braces(head .. part .. tail)) do
      table.insert(out, expanded)
    end
  end
  return out
end

--- Tokens of a brace-free glob: `{ kind = 'lit', text = … }`, `'star'`, `'any'` (`?`),
--- `'class'` (a Lua character class), `'dirs'` (`**/`: nothing, or anything ending in `/`),
--- `'rest'` (a final `/**`: `/` and anything) and `'all'` (a lone `**`).
local function tokenize(glob)
  local tokens, i, lit = {}, 1, {}
  local function flush()
    if #lit > 0 then
      table.insert(tokens, { kind = 'lit', text = table.concat(lit) })
      lit = {}
    end
  end
  while i <= #glob do
    local c = glob:sub(i, i)
    local at_component_start = i == 1 or glob:sub(i - 1, i - 1) == '/'
    if c == '*' and glob:sub(i + 1, i + 1) == '*' and at_component_start then
      local after = glob:sub(i + 2, i + 2)
      if after == '/' then
        flush()
        table.insert(tokens, { kind = 'dirs' })
        i = i + 3
      elseif after == '' then
        -- A final `/**`: everything below the folder (not the folder itself).
        if #lit > 0 and lit[#lit] == '/' then
          table.remove(lit)
          flush()
          table.insert(tokens, { kind = 'rest' })
        else
          flush()
          table.insert(tokens, { kind = 'all' })
        end
        i = i + 2
      else
        -- `**x` is two stars in globset.
        flush()
        table.insert(tokens, { kind = 'star' })
        i = i + 2
      end
    elseif c == '*' then
      flush()
      table.insert(tokens, { kind = 'star' })
      i = i + 1
    elseif c == '?' then
      flush()
      table.insert(tokens, { kind = 'any' })
      i = i + 1
    elseif c == '[' then
      local close = glob:find(']', i + 2, true)
      if not close then
        error('agentls: unclosed `[` in glob ' .. glob)
      end
      local body = glob:sub(i + 1, close - 1)
      local negate = body:sub(1, 1) == '!' or body:sub(1, 1) == '^'
      if negate then
        body = body:sub(2)
      end
      -- Escape Lua pattern magic characters, keeping `-` as the range operator.
      body = body:gsub('[%%%]%^]', '%%%0')
      flush()
      table.insert(tokens, { kind = 'class', pattern = '^[' .. (negate and '^/' or '') .. body .. ']$' })
      i = close + 1
    else
      if c == '\\' and i < #glob then
        i = i + 1
        c = glob:sub(i, i)
      end
      table.insert(lit, c)
      i = i + 1
    end
  end
  flush()
  return tokens
end

local function match_tokens(tokens, t, s, j)
  local token = tokens[t]
  if not token then
    return j == #s + 1
  end
  local kind = token.kind
  if kind == 'lit' then
    local n = #token.text
    return s:sub(j, j + n - 1) == token.text and match_tokens(tokens, t + 1, s, j + n)
  elseif kind == 'star' then
    -- Longest run without `/` first, then shorter ones.
    local stop = s:find('/', j, true) or (#s + 1)
    for k = stop, j, -1 do
      if match_tokens(tokens, t + 1, s, k) then
        return true
      end
    end
    return false
  elseif kind == 'any' then
    local c = s:sub(j, j)
    return c ~= '' and c ~= '/' and match_tokens(tokens, t + 1, s, j + 1)
  elseif kind == 'class' then
    local c = s:sub(j, j)
    return c ~= '' and c ~= '/' and c:find(token.pattern) ~= nil and match_tokens(tokens, t + 1, s, j + 1)
  elseif kind == 'dirs' then
    if match_tokens(tokens, t + 1, s, j) then
      return true
    end
    local k = j
    while true do
      local slash = s:find('/', k, true)
      if not slash then
        return false
      end
      if match_tokens(tokens, t + 1, s, slash + 1) then
        return true
      end
      k = slash + 1
    end
  elseif kind == 'rest' then
    return s:sub(j, j) == '/'
  elseif kind == 'all' then
    return true
  end
  error('agentls: bad glob token ' .. tostring(kind))
end

local cache = {}

--- Compiles `glob` (cached): a list of token lists, one per brace alternative.
local function compile(glob)
  local compiled = cache[glob]
  if not compiled then
    compiled = {}
    for _, alternative in ipairs(expand_braces(glob)) do
      table.insert(compiled, tokenize(alternative))
    end
    cache[glob] = compiled
  end
  return compiled
end

--- Whether `path` (with `/` separators) matches `glob` as a whole.
---@param glob string
---@param path string
---@return boolean
function M.match(glob, path)
  for _, tokens in ipairs(compile(glob)) do
    if match_tokens(tokens, 1, path, 1) then
      return true
    end
  end
  return false
end

--- Whether `path` matches any of `globs`.
---@param globs string[]
---@param path string
---@return boolean
function M.match_any(globs, path)
  for _, glob in ipairs(globs) do
    if M.match(glob, path) then
      return true
    end
  end
  return false
end

return M
