-- Neovim end to end: the shipped editors/neovim/lsp/ormhint.lua starts `ormhint server`
-- for a view of the example project, the ORM101 diagnostic arrives where expected, its
-- preferred quick fix (select_related) is requested and applied the way
-- `vim.lsp.buf.code_action()` applies it, and the diagnostic goes away.
--
-- Run by tests/editors/neovim/run.sh as
--   nvim --headless --clean -S quickfix.lua
-- with ORMHINT_NVIM_RTP (the editors/neovim directory), ORMHINT_BIN (the binary) and
-- ORMHINT_PROJECT (a copy of tests/fixtures/shop) in the environment. Prints one
-- PASS/FAIL line and exits with 0 / 1.

local TIMEOUT_MS = tonumber(os.getenv("ORMHINT_NVIM_WAIT_MS") or "") or 30000
local FILE = "catalog/services.py"
-- ORM101 on `render_row(product)` (line 16, column 33 in 1-based terms).
local LNUM, COL = 15, 32
local FIXED_LNUM = 14
local BEFORE = "    for product in Product.objects.filter(stock__lt=5):"
local AFTER = '    for product in Product.objects.select_related("category").filter(stock__lt=5):'

local started = vim.uv.hrtime()

local function say(line)
  io.stdout:write(line .. "\n")
  io.stdout:flush()
end

local function finish(ok, message)
  local seconds = (vim.uv.hrtime() - started) / 1e9
  if ok then
    say(string.format("PASS neovim %s: %s (%.1f s)", tostring(vim.version()), message, seconds))
    vim.cmd("qall!")
  else
    say(string.format("FAIL neovim %s: %s (%.1f s)", tostring(vim.version()), message, seconds))
    vim.cmd("cquit 1")
  end
end

local function check(cond, message)
  if not cond then
    error({ ormhint = message }, 0)
  end
end

--- Waits until `fn` returns a truthy value (returned), or fails with `what`.
local function wait_for(what, fn)
  local value
  local ok = vim.wait(TIMEOUT_MS, function()
    value = fn()
    return value ~= nil and value ~= false
  end, 20)
  check(ok, string.format("no %s within %d ms", what, TIMEOUT_MS))
  return value
end

local function env(name)
  local value = os.getenv(name)
  check(value and value ~= "", name .. " is not set")
  return value
end

local function describe(diagnostics)
  local lines = {}
  for _, d in ipairs(diagnostics) do
    table.insert(lines, string.format("%d:%d %s", d.lnum + 1, d.col + 1, tostring(d.code)))
  end
  return "[" .. table.concat(lines, ", ") .. "]"
end

local function run()
  local rtp = env("ORMHINT_NVIM_RTP")
  local bin = env("ORMHINT_BIN")
  local project = env("ORMHINT_PROJECT")

  -- The shipped config, found on the runtimepath; only the binary is overridden.
  vim.opt.runtimepath:prepend(rtp)
  local shipped = vim.api.nvim_get_runtime_file("lsp/ormhint.lua", true)
  check(
    #shipped >= 1 and vim.fs.normalize(shipped[1]) == vim.fs.normalize(rtp .. "/lsp/ormhint.lua"),
    "lsp/ormhint.lua not found under " .. rtp .. ": " .. vim.inspect(shipped)
  )
  vim.lsp.config("ormhint", { cmd = { bin, "server" } })
  vim.lsp.enable("ormhint")
  local config = vim.lsp.config.ormhint
  check(vim.deep_equal(config.filetypes, { "python", "htmldjango", "jinja" }), "filetypes: " .. vim.inspect(config.filetypes))
  check(config.cmd[1] == bin and config.cmd[2] == "server", "cmd: " .. vim.inspect(config.cmd))

  vim.cmd.edit(vim.fn.fnameescape(project .. "/" .. FILE))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == "python", "filetype is " .. vim.bo[buf].filetype)
  check(vim.api.nvim_buf_get_lines(buf, FIXED_LNUM, FIXED_LNUM + 1, true)[1] == BEFORE, "unexpected fixture text")

  local client = wait_for("ormhint client attached (initialized)", function()
    return vim.lsp.get_clients({ bufnr = buf, name = "ormhint" })[1]
  end)
  wait_for("initialized client", function()
    return client.initialized
  end)
  check(
    vim.fs.normalize(client.config.root_dir) == vim.fs.normalize(vim.uv.fs_realpath(project)),
    "root_dir " .. tostring(client.config.root_dir) .. ", expected " .. project
  )
  local namespace = vim.lsp.diagnostic.get_namespace(client.id)

  local function ormhint_diagnostics()
    return vim.diagnostic.get(buf, { namespace = namespace })
  end
  local function orm101_at_fix()
    for _, d in ipairs(ormhint_diagnostics()) do
      if d.code == "ORM101" and d.lnum == LNUM then
        return d
      end
    end
  end

  local diagnostic = wait_for("ORM101 diagnostic on line " .. (LNUM + 1), orm101_at_fix)
  local before = ormhint_diagnostics()
  check(diagnostic.col == COL, string.format("ORM101 at column %d, expected %d", diagnostic.col + 1, COL + 1))
  check(diagnostic.source == "ormhint", "source " .. tostring(diagnostic.source))
  local lsp_diagnostic = diagnostic.user_data and diagnostic.user_data.lsp
  check(lsp_diagnostic ~= nil, "the LSP diagnostic is not kept in user_data")
  check(
    lsp_diagnostic.range.start.line == LNUM and lsp_diagnostic.range.start.character == COL,
    "LSP range " .. vim.inspect(lsp_diagnostic.range)
  )

  -- Code actions at the diagnostic, with it in the context, as the lightbulb asks.
  local params = {
    textDocument = vim.lsp.util.make_text_document_params(buf),
    range = lsp_diagnostic.range,
    context = { diagnostics = { lsp_diagnostic }, triggerKind = 1 },
  }
  local responses, err = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, TIMEOUT_MS)
  check(responses, "codeAction: " .. tostring(err))
  local response = responses[client.id]
  check(response and not response.err, "codeAction error: " .. vim.inspect(response))
  local actions = response.result or {}
  local fix
  local titles = {}
  for _, action in ipairs(actions) do
    table.insert(titles, action.title)
    if action.isPreferred and action.kind == "quickfix" then
      fix = fix or action
    end
  end
  check(fix, "no preferred quick fix among " .. vim.inspect(titles))
  check(fix.title:find("select_related", 1, true), "preferred fix is " .. fix.title)
  check(vim.tbl_contains(titles, "Disable ORM101 for this line"), "no noqa action: " .. vim.inspect(titles))
  check(fix.edit, "the quick fix has no edit")

  vim.lsp.util.apply_workspace_edit(fix.edit, client.offset_encoding)

  local line = vim.api.nvim_buf_get_lines(buf, FIXED_LNUM, FIXED_LNUM + 1, true)[1]
  check(line == AFTER, string.format("line %d after the fix:\n  %s\nexpected:\n  %s", FIXED_LNUM + 1, line, AFTER))
  check(vim.bo[buf].modified, "buffer not modified by the fix")

  -- The server sees the change (incremental didChange) and drops the finding; the
  -- others stay where they were.
  wait_for("diagnostics without the fixed ORM101", function()
    local now = ormhint_diagnostics()
    return not orm101_at_fix() and #now == #before - 1
  end)
  local remaining = ormhint_diagnostics()
  local other101 = vim.tbl_filter(function(d)
    return d.code == "ORM101"
  end, remaining)
  check(#other101 == 1 and other101[1].lnum == 35, "other ORM101s: " .. describe(remaining))

  return string.format(
    "%s: ORM101 at %d:%d fixed with %q (%s, %s), %d diagnostics left",
    FILE,
    LNUM + 1,
    COL + 1,
    fix.title,
    client.offset_encoding,
    fix.edit.documentChanges and "documentChanges" or "changes",
    #remaining
  )
end

local ok, result = xpcall(run, function(e)
  if type(e) == "table" and e.ormhint then
    return e.ormhint
  end
  return debug.traceback(tostring(e), 2)
end)
if not ok then
  local log = vim.lsp.get_log_path()
  finish(false, result .. "\n(LSP log: " .. log .. ")")
else
  finish(true, result)
end
