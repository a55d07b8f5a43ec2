-- ormhint language server for Neovim 0.11+ (`:help lsp-config`).
--
-- With the directory holding this `lsp/` folder on 'runtimepath' (or this file copied
-- to ~/.config/nvim/lsp/ormhint.lua), one line in init.lua starts it for Python files:
--
--   vim.lsp.enable("ormhint")
--
-- Anything below can be overridden before that line, for example:
--
--   vim.lsp.config("ormhint", {
--     cmd = { vim.fn.expand("~/src/ormhint/target/release/ormhint"), "server" },
--     settings = { ormhint = { ignore = { "ORM301" } } },
--   })

---@type vim.lsp.Config
return {
  cmd = { "ormhint", "server" },
  -- Django and Jinja2 templates show the findings of the views that render them.
  filetypes = { "python", "htmldjango", "jinja" },
  -- The workspace ormhint indexes, found as `ormhint check` finds a project: the nearest
  -- directory with an ormhint config (`ormhint.toml`, or a `pyproject.toml` with
  -- `[tool.ormhint]`), else the nearest holding `manage.py`, `pyproject.toml`,
  -- `setup.cfg` or `.git`, else the file's own directory.
  root_dir = function(bufnr, on_dir)
    local name = vim.api.nvim_buf_get_name(bufnr)
    local dir = name ~= "" and vim.fs.dirname(name) or vim.fn.getcwd()
    local config = vim.fs.find(function(file, path)
      if file == "ormhint.toml" then
        return true
      end
      if file ~= "pyproject.toml" then
        return false
      end
      local handle = io.open(vim.fs.joinpath(path, file), "r")
      if not handle then
        return false
      end
      local text = handle:read("*a") or ""
      handle:close()
      return ("\n" .. text):find("\n%s*%[tool%.ormhint") ~= nil
    end, { path = dir, upward = true, limit = 1 })[1]
    if config then
      on_dir(vim.fs.dirname(config))
      return
    end
    on_dir(vim.fs.root(dir, { "manage.py", "pyproject.toml", "setup.cfg", ".git" }) or dir)
  end,

  -- Sent with `workspace/didChangeConfiguration` and answered to `workspace/configuration`.
  -- Settings given here win over `[tool.ormhint]` in the project; empty ones leave the
  -- project's values alone.
  settings = {
    ormhint = {
      -- Rule codes or prefixes to enable ("ORM1", "ORM201", "ALL"); empty: the project's.
      select = {},
      -- Rule codes or prefixes to disable, on top of the project's.
      ignore = {},
      -- Severity per rule code: { ORM301 = "hint" } ("error", "warning", "information", "hint").
      severity = vim.empty_dict(),
      -- What each loop costs in queries, as an inlay hint at the end of its header (shown
      -- once inlay hints are enabled in the buffer: `:help vim.lsp.inlay_hint.enable()`).
      -- Off by default, as everywhere else.
      inlayHints = { queryCost = false },
    },
  },

  -- The same settings as `initializationOptions`. `before_init` below sends
  -- `settings.ormhint` merged over these, so overriding `settings` is enough.
  init_options = {},

  before_init = function(params, config)
    local settings = config.settings and config.settings.ormhint or {}
    params.initializationOptions =
      vim.tbl_deep_extend("force", {}, config.init_options or {}, settings)
  end,
}
