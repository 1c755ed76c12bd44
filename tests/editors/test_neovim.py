"""Neovim 0.7+ (headless, the real client): the Lua plugin in editors/neovim makes MLproject a
YAML buffer, starts dioptra-lsp rooted at the MLproject folder, and shows its DL201 diagnostic at
the exact position; a Python buffer of the same project attaches to the same client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # editor_support, lspclient

from editor_support import (DL201_END, DL201_LINE, DL201_START, EDITORS, WAIT, make_project,
                            require_binary, require_server, server_command)

INIT_LUA = r"""
local out_path = os.getenv("DIOPTRA_TEST_OUT")
vim.opt.runtimepath:prepend(os.getenv("DIOPTRA_PLUGIN_DIR"))
vim.cmd("filetype on")
local plugin = require("dioptra-lint").setup({
  cmd = vim.fn.json_decode(os.getenv("DIOPTRA_CMD")),
  settings = vim.fn.json_decode(os.getenv("DIOPTRA_SETTINGS")),
})
local notes = {}
local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(notes, { msg = msg, level = level })
  return notify(msg, level, opts)
end

local function finish(result)
  local f = assert(io.open(out_path, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end

local function code_of(d)
  return d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
end

vim.api.nvim_create_autocmd("VimEnter", { nested = true, callback = function()
  local timeout = tonumber(os.getenv("DIOPTRA_WAIT")) * 1000
  local ml_buf = vim.api.nvim_get_current_buf()
  local result = { filetype = vim.bo[ml_buf].filetype, name = vim.api.nvim_buf_get_name(ml_buf) }
  -- Wait for every expected code (DL107, the unused `lr`, is on in every scenario).
  local expect = vim.fn.json_decode(os.getenv("DIOPTRA_EXPECT"))
  result.waited_ok = vim.wait(timeout, function()
    local seen = {}
    for _, d in ipairs(vim.diagnostic.get(ml_buf)) do seen[code_of(d) or ""] = true end
    for _, code in ipairs(expect) do
      if not seen[code] then return false end
    end
    return true
  end, 50)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(ml_buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum,
      end_col = d.end_col, code = code_of(d), message = d.message, severity = d.severity })
  end
  local ids = {}
  for _, c in ipairs(plugin.buffer_clients(ml_buf)) do
    table.insert(ids, c.id)
    result.root_dir = c.config.root_dir
  end
  result.mlproject_clients = ids
  if os.getenv("DIOPTRA_DRY_RUN") == "1" then
    -- The "Dry run" code lens, then :DioptraDryRun with the cursor in the entry point.
    vim.lsp.codelens.refresh()
    vim.wait(timeout, function() return #(vim.lsp.codelens.get(ml_buf) or {}) > 0 end, 50)
    result.lenses = {}
    for _, lens in ipairs(vim.lsp.codelens.get(ml_buf) or {}) do
      table.insert(result.lenses, { line = lens.range.start.line,
        command = lens.command and lens.command.command, title = lens.command and lens.command.title })
    end
    vim.api.nvim_win_set_cursor(0, { 8, 0 })
    local before = #notes
    vim.cmd("DioptraDryRun")
    vim.wait(timeout, function()
      for i = before + 1, #notes do
        if notes[i].msg:find("No such option", 1, true) then return true end
      end
      return false
    end, 50)
    result.notes = {}
    for i = before + 1, #notes do table.insert(result.notes, notes[i]) end
    finish(result)
    return
  end
  result.errors = {}
  for _, n in ipairs(notes) do
    if n.level == vim.log.levels.ERROR then table.insert(result.errors, n.msg) end
  end
  -- The Python script of the same project joins the same server.
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("DIOPTRA_SCRIPT")))
  local py_buf = vim.api.nvim_get_current_buf()
  vim.wait(timeout, function() return #plugin.buffer_clients(py_buf) > 0 end, 50)
  result.py_filetype = vim.bo[py_buf].filetype
  result.python_clients = {}
  for _, c in ipairs(plugin.buffer_clients(py_buf)) do table.insert(result.python_clients, c.id) end
  finish(result)
end })
"""


def run_nvim(project, tmp_path, target, *, settings=None, dry_run=False):
    nvim = require_binary("nvim", "apt-get install -y neovim")
    require_server()
    init = tmp_path / "init.lua"
    init.write_text(INIT_LUA, encoding="utf-8")
    out = tmp_path / "nvim-result.json"
    env = dict(os.environ, DIOPTRA_TEST_OUT=str(out), DIOPTRA_PLUGIN_DIR=str(EDITORS / "neovim"),
               DIOPTRA_CMD=json.dumps(server_command()), DIOPTRA_WAIT=str(WAIT),
               DIOPTRA_SCRIPT=str(project.script), DIOPTRA_SETTINGS=json.dumps(settings or {}),
               DIOPTRA_DRY_RUN="1" if dry_run else "0",
               DIOPTRA_EXPECT=json.dumps(["DL107"] if "DL201" in (settings or {}).get("ignore", [])
                                         else ["DL107", "DL201"]), XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               XDG_DATA_HOME=str(tmp_path / "xdg"), XDG_STATE_HOME=str(tmp_path / "xdg"),
               XDG_CACHE_HOME=str(tmp_path / "xdg"))
    proc = subprocess.run([nvim, "--headless", "-n", "-i", "NONE", "-u", str(init), str(target)],
                          cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=2 * WAIT + 10, stdin=subprocess.DEVNULL)
    assert out.is_file(), f"nvim wrote no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return json.loads(out.read_text(encoding="utf-8"))


def test_neovim_shows_dl201_at_its_position(tmp_path):
    project = make_project(tmp_path / "demo")
    result = run_nvim(project, tmp_path, project.mlproject)
    assert result["filetype"] == "yaml"
    assert result["waited_ok"], f"no DL107 + DL201 diagnostics within {WAIT}s: {result}"
    dl201 = [d for d in result["diagnostics"] if d["code"] == "DL201"]
    assert len(dl201) == 1, result["diagnostics"]
    d = dl201[0]
    assert (d["lnum"], d["col"], d["end_lnum"], d["end_col"]) == \
        (DL201_LINE, DL201_START, DL201_LINE, DL201_END), d
    assert "--epochs" in d["message"]
    assert d["severity"] == 1                            # vim.diagnostic.severity.ERROR
    assert os.path.realpath(result["root_dir"]) == os.path.realpath(project.root)
    assert len(result["mlproject_clients"]) == 1
    assert result["py_filetype"] == "python"
    assert result["python_clients"] == result["mlproject_clients"]
    assert result["errors"] == [], result["errors"]


def test_neovim_lowercase_mlproject_is_yaml(tmp_path):
    project = make_project(tmp_path / "lower", mlproject_name="mlproject")
    result = run_nvim(project, tmp_path, project.mlproject)
    assert result["filetype"] == "yaml"
    assert sorted(d["code"] for d in result["diagnostics"]) == ["DL107", "DL201"], result


def test_neovim_settings_reach_the_server(tmp_path):
    project = make_project(tmp_path / "demo")
    result = run_nvim(project, tmp_path, project.mlproject, settings={"ignore": ["DL201"]})
    assert result["waited_ok"], result
    assert [d["code"] for d in result["diagnostics"]] == ["DL107"], result


def test_neovim_dry_run_command_uses_the_code_lens(tmp_path):
    project = make_project(tmp_path / "demo")
    result = run_nvim(project, tmp_path, project.mlproject, dry_run=True)
    assert result["lenses"] and result["lenses"][0]["command"] == "dioptra-lint.dryRun", result
    assert result["lenses"][0]["line"] == 3                     # `  main:`
    texts = [n["msg"] for n in result["notes"]]
    report = [t for t in texts if "No such option" in t and "python src/train.py --epoch 3" in t]
    assert report, texts


FIND_ROOT_LUA = r"""
vim.opt.runtimepath:prepend(os.getenv("DIOPTRA_PLUGIN_DIR"))
local plugin = require("dioptra-lint")
local out = {}
for _, path in ipairs(vim.fn.json_decode(os.getenv("DIOPTRA_PATHS"))) do
  out[path] = plugin.find_root(path)
end
local f = assert(io.open(os.getenv("DIOPTRA_TEST_OUT"), "w"))
f:write(vim.fn.json_encode(out))
f:close()
vim.cmd("qa!")
"""


def test_neovim_root_is_the_nearest_mlproject_folder_else_cwd(tmp_path):
    nvim = require_binary("nvim", "apt-get install -y neovim")
    project = make_project(tmp_path / "outer")
    inner = make_project(project.root / "nested" / "inner", mlproject_name="mlproject")
    (tmp_path / "loose" / "MLproject").mkdir(parents=True)   # a folder named MLproject is no marker
    loose = tmp_path / "loose" / "job.py"
    loose.write_text("print(1)\n", encoding="utf-8")
    deep = project.root / "src" / "pkg" / "mod.py"
    deep.parent.mkdir(parents=True)
    deep.write_text("", encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    paths = [str(project.mlproject), str(project.script), str(deep), str(inner.script), str(loose)]
    script = tmp_path / "find_root.lua"
    script.write_text(FIND_ROOT_LUA, encoding="utf-8")
    out = tmp_path / "roots.json"
    env = dict(os.environ, DIOPTRA_PLUGIN_DIR=str(EDITORS / "neovim"), DIOPTRA_PATHS=json.dumps(paths),
               DIOPTRA_TEST_OUT=str(out), XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               XDG_DATA_HOME=str(tmp_path / "xdg"), XDG_STATE_HOME=str(tmp_path / "xdg"),
               XDG_CACHE_HOME=str(tmp_path / "xdg"))
    proc = subprocess.run([nvim, "--headless", "-n", "-i", "NONE", "-u", "NONE", "-c", f"luafile {script}"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=WAIT,
                          stdin=subprocess.DEVNULL)
    assert out.is_file(), proc.stderr
    roots = {k: os.path.realpath(v) for k, v in json.loads(out.read_text(encoding="utf-8")).items()}
    real = os.path.realpath
    assert roots[str(project.mlproject)] == real(project.root)
    assert roots[str(project.script)] == real(project.root)
    assert roots[str(deep)] == real(project.root)
    assert roots[str(inner.script)] == real(inner.root)
    assert roots[str(loose)] == real(cwd)
