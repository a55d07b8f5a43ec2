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
  filetypes = { "python" },
  -- The nearest directory holding one of these is the workspace ormhint indexes (the
  -- config is read from its pyproject.toml / ormhint.toml). Without any, the file's
  -- own directory is used.
  root_markers = { "pyproject.toml", "ormhint.toml", "manage.py", ".git" },

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
      inlayHints = { queryCost = true },
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
