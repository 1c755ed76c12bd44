-- dioptra-lint for Neovim 0.7+: starts `dioptra-lsp` for YAML (MLproject) and Python buffers.
--
--   require("dioptra-lint").setup({
--     cmd = { "dioptra-lsp" },            -- or { "python3", "-m", "dioptra_lsp.server" }
--     filetypes = { "yaml", "python" },
--     settings = { select = nil, ignore = {}, pluginDirs = {} },
--     codelens = true,                    -- refresh the "Dry run" lenses
--   })
--
-- Only APIs that exist in Neovim 0.7 are used (vim.lsp.start_client / buf_attach_client,
-- nvim_create_autocmd); no vim.fs, vim.lsp.start or vim.lsp.config.

local M = {}

M.name = "dioptra-lint"
M.command = "dioptra-lint.dryRun"

local defaults = {
  cmd = { "dioptra-lsp" },
  filetypes = { "yaml", "python" },
  settings = {},
  init_options = nil,
  codelens = true,
  on_attach = nil,
  capabilities = nil,
}

M.config = vim.deepcopy(defaults)
M.clients = {} -- root_dir -> client id

local MLPROJECT = "mlproject"
local uv = vim.loop

local function is_mlproject(path)
  return path ~= nil and vim.fn.fnamemodify(path, ":t"):lower() == MLPROJECT
end
M.is_mlproject = is_mlproject

local function has_mlproject(dir)
  local handle = uv.fs_scandir(dir)
  if not handle then
    return false
  end
  while true do
    local name, kind = uv.fs_scandir_next(handle)
    if not name then
      return false
    end
    if name:lower() == MLPROJECT and kind ~= "directory" then
      return true
    end
  end
end

--- Folder holding the nearest MLproject at or above `path`, else the current directory.
function M.find_root(path)
  local cwd = uv.cwd()
  if path == nil or path == "" then
    return cwd
  end
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir and dir ~= "" do
    if has_mlproject(dir) then
      return dir
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      break
    end
    dir = parent
  end
  return cwd
end

-- The "dioptra-lint" settings section.  Empty lists are left out: depending on the Neovim
-- version an empty Lua table goes over the wire as `[]` or `{}`, and both mean "nothing added".
local function section()
  local s = M.config.settings or {}
  local out = {}
  for key, value in pairs({ select = s.select, ignore = s.ignore, pluginDirs = s.pluginDirs or s.plugin_dirs }) do
    if type(value) == "string" then
      value = { value }
    end
    if type(value) == "table" and (key == "select" or #value > 0) then
      out[key] = value
    end
  end
  if next(out) == nil then
    return vim.empty_dict() -- `{}`, not `[]`: the server wants an object
  end
  return out
end

local function live(id)
  local client = id and vim.lsp.get_client_by_id(id)
  -- `client.is_stopped(client)` works for 0.7 closures and 0.11 methods alike.
  if client and not client.is_stopped(client) then
    return client
  end
  return nil
end

--- Our clients attached to `bufnr` (vim.lsp.get_clients is 0.10+, buf_get_clients older).
local function buffer_clients(bufnr)
  local out = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.buf_get_clients(bufnr)
  for _, client in pairs(all) do
    if client.name == M.name then
      table.insert(out, client)
    end
  end
  return out
end
M.buffer_clients = buffer_clients

local function request(client, method, params, handler, bufnr)
  if vim.fn.has("nvim-0.11") == 1 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

--- Start (or reuse) the client for the buffer's root and attach the buffer.  Returns the id.
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.api.nvim_buf_get_option(bufnr, "buftype") ~= "" then
    return nil
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(path)
  local id = M.clients[root]
  if not live(id) then
    local cfg = M.config
    local sect = section()
    if vim.fn.executable(cfg.cmd[1]) ~= 1 then
      vim.notify(("dioptra-lint: `%s` is not executable; install dioptra-lint or set cmd"):format(cfg.cmd[1]),
        vim.log.levels.ERROR)
      return nil
    end
    id = vim.lsp.start_client({
      name = M.name,
      cmd = cfg.cmd,
      root_dir = root,
      workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      init_options = cfg.init_options or { [M.name] = sect },
      settings = { [M.name] = sect },
      capabilities = cfg.capabilities,
      on_attach = function(client, b)
        if cfg.codelens and client.server_capabilities and client.server_capabilities.codeLensProvider then
          pcall(vim.lsp.codelens.refresh)
        end
        if cfg.on_attach then
          cfg.on_attach(client, b)
        end
      end,
      on_exit = function()
        if M.clients[root] == id then
          M.clients[root] = nil
        end
      end,
    })
    if not id then
      return nil
    end
    M.clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

--- Run the server's dry run for the entry point under the cursor (same as the code lens).
function M.dry_run()
  local lenses = vim.lsp.codelens.get(0) or {}
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  local best
  for _, lens in ipairs(lenses) do
    if lens.command and lens.command.command == M.command and lens.range.start.line <= line then
      if not best or lens.range.start.line > best.range.start.line then
        best = lens
      end
    end
  end
  best = best or lenses[1]
  if not best or not best.command then
    vim.notify("dioptra-lint: no dry-run lens in this buffer", vim.log.levels.WARN)
    return
  end
  local params = { command = best.command.command, arguments = best.command.arguments }
  for _, client in ipairs(buffer_clients(0)) do
    do
      request(client, "workspace/executeCommand", params, function(err, result)
        if err then
          vim.notify("dioptra-lint dry run: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
        elseif type(result) == "table" and type(result.text) == "string" then
          -- {entryPoint, ok, verdict, report, text}: the server also shows a one-line summary.
          vim.notify(result.text, result.ok == false and vim.log.levels.WARN or vim.log.levels.INFO)
        elseif result ~= nil and result ~= vim.NIL then
          vim.notify(type(result) == "string" and result or vim.inspect(result))
        end
      end, 0)
      return
    end
  end
end

function M.setup(opts)
  M.config = vim.tbl_deep_extend("force", vim.deepcopy(defaults), opts or {})
  if type(M.config.cmd) == "string" then
    M.config.cmd = { M.config.cmd }
  end
  local group = vim.api.nvim_create_augroup("dioptra-lint", { clear = true })
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    group = group,
    pattern = "[Mm][Ll][Pp][Rr][Oo][Jj][Ee][Cc][Tt]",
    command = "setfiletype yaml",
  })
  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = M.config.filetypes,
    callback = function(args)
      M.attach(args.buf)
    end,
  })
  if M.config.codelens then
    vim.api.nvim_create_autocmd({ "BufEnter", "InsertLeave", "BufWritePost" }, {
      group = group,
      pattern = { "*.py", "[Mm][Ll][Pp][Rr][Oo][Jj][Ee][Cc][Tt]" },
      callback = function(args)
        for _, client in ipairs(buffer_clients(args.buf)) do
          if client.server_capabilities and client.server_capabilities.codeLensProvider then
            pcall(vim.lsp.codelens.refresh)
            return
          end
        end
      end,
    })
  end
  vim.api.nvim_create_user_command("DioptraDryRun", M.dry_run, { desc = "dioptra-lint: dry run this entry point" })
  -- Buffers that were already open before setup() ran.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) then
      if is_mlproject(vim.api.nvim_buf_get_name(buf)) and vim.api.nvim_buf_get_option(buf, "filetype") == "" then
        vim.api.nvim_buf_set_option(buf, "filetype", "yaml")
      elseif vim.tbl_contains(M.config.filetypes, vim.api.nvim_buf_get_option(buf, "filetype")) then
        M.attach(buf)
      end
    end
  end
  return M
end

return M
