// End-to-end test of the ormhint VS Code extension in real VS Code (code-server), driven by
// Playwright in headless Chromium. Started by run.sh, which installs everything, starts
// code-server with the extension installed and passes:
//   E2E_URL        code-server's URL (workspace folder already in it)
//   E2E_WORKSPACE  the temp copy of tests/fixtures/shop that code-server has open
//   E2E_CHROMIUM   the Chromium binary
//   E2E_ORMHINT    an ormhint binary to install into the workspace's .venv
//   E2E_PROFILE    a fresh directory for Chromium's --user-data-dir
//   E2E_SHOT       where to save the screenshot (the hint and its quick fix)
//   E2E_NODE_MODULES  where playwright-core is installed
//   E2E_USER_DATA  code-server's --user-data-dir (User/settings.json, logs/ with the LSP trace)
// Prints a "N passed, N failed" line and exits non-zero on failure.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`e2e.mjs: ${name} is not set (run tests/editors/vscode/run.sh)`);
  }
  return value;
};
const url = env("E2E_URL");
const workspace = env("E2E_WORKSPACE");
const shot = env("E2E_SHOT");
const userData = env("E2E_USER_DATA");
// User settings, and the Remote ones: code-server is a remote window, where machine-scoped
// settings such as ormhint.path are read from the Remote settings only.
const userSettings = { file: path.join(userData, "User", "settings.json"), command: "Preferences: Open User Settings (JSON)" };
const remoteSettings = { file: path.join(userData, "Machine", "settings.json"), command: "Remote Settings (JSON)" };
const require = createRequire(path.join(env("E2E_NODE_MODULES"), "noop.js"));
const { chromium } = require("playwright-core");

const FILE = "catalog/services.py";
// The N+1 in stock_report(): render_row() reads product.category for each row.
const LINE = 16;
const TEST_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS ?? 240_000);

const started = Date.now();
const log = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

const results = [];
async function step(name, body) {
  log(`- ${name}`);
  try {
    await body();
    results.push([name, true]);
    log(`  ok: ${name}`);
  } catch (error) {
    results.push([name, false]);
    log(`  FAILED: ${name}: ${error instanceof Error ? error.message : error}`);
    throw error;
  }
}

const watchdog = setTimeout(() => {
  console.error(`e2e.mjs: gave up after ${TEST_TIMEOUT_MS / 1000}s`);
  process.exit(3);
}, TEST_TIMEOUT_MS);

const original = fs.readFileSync(path.join(workspace, FILE), "utf8");
const context = await chromium.launchPersistentContext(env("E2E_PROFILE"), {
  executablePath: env("E2E_CHROMIUM"),
  headless: true,
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
  viewport: { width: 1400, height: 860 },
});
const page = context.pages()[0] ?? (await context.newPage());
page.setDefaultTimeout(30_000);

const problems = () => page.locator(".markers-panel .monaco-list-row");
// The Problems row of our diagnostic: "... ormhint(ORM101) [Ln 16, Col ...]".
const ourProblem = () => problems().filter({ hasText: "ORM101" }).filter({ hasText: `Ln ${LINE},` });
const editor = () => page.locator(".editor-instance .monaco-editor").first();

/** The text of the "ormhint Language Server Trace" output channel, as logged to disk. */
function lspTrace() {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full);
      } else if (entry.name.endsWith("ormhint Language Server Trace.log")) {
        files.push(full);
      }
    }
  };
  walk(path.join(userData, "logs"));
  return files.map((file) => fs.readFileSync(file, "utf8")).join("\n");
}

/** The header line of each traced message ("[Trace - …] Sending request 'textDocument/…'"). */
function traceHeaders() {
  return lspTrace()
    .split("\n")
    .filter((line) => line.startsWith("[Trace"));
}

/** The trace's `Params: {...}` JSON of each message whose header line matches `header`. */
function tracedParams(header) {
  const found = [];
  const lines = lspTrace().split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("[Trace") || !header.test(lines[i]) || lines[i + 1] !== "Params: {") {
      continue;
    }
    let end = i + 1;
    while (end < lines.length && lines[end] !== "}") {
      end++;
    }
    found.push(JSON.parse(["{", ...lines.slice(i + 2, end + 1)].join("\n")));
  }
  return found;
}

async function until(what, probe, timeout = 30_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Changes user settings the way a person does, in "Preferences: Open User Settings (JSON)"
 * (code-server does not notice a settings.json written behind its back).
 */
async function writeSettings({ file: settingsFile, command }, extra) {
  const settings = JSON.parse(fs.readFileSync(settingsFile, "utf8"));
  // One line, typed into an editor with no auto-closing or auto-indent (run.sh's settings).
  const text = JSON.stringify({ ...settings, ...extra });
  await runCommand(command);
  // Opens as a tab, or in recent VS Code as a modal editor over the workbench.
  await page.locator(".monaco-editor.focused .view-lines", { hasText: "ormhint.trace.server" }).waitFor();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  await page.keyboard.press("Control+S");
  await until("settings.json saved", () => {
    try {
      return JSON.stringify(JSON.parse(fs.readFileSync(settingsFile, "utf8"))) === JSON.stringify(JSON.parse(text));
    } catch {
      return false;
    }
  });
  // The editor can still count as dirty for a moment after the file is written.
  await page.waitForTimeout(1_000);
  await page.keyboard.press("Control+W");
  const saveDialog = page.locator(".monaco-dialog-box", { hasText: "Do you want to save" });
  const closed = page.locator(".monaco-editor .view-lines", { hasText: "ormhint.trace.server" });
  await Promise.race([saveDialog.waitFor(), closed.waitFor({ state: "detached" })]);
  if (await saveDialog.isVisible()) {
    await saveDialog.getByRole("button", { name: "Save", exact: true }).click();
    await closed.waitFor({ state: "detached" });
  }
}

async function runCommand(title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first().waitFor();
  await page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first().click();
}

const toast = (text) => page.locator(".notifications-toasts .notification-toast", { hasText: text }).first();

let failure;
try {
  await step("code-server loads the workbench", async () => {
    await page.goto(url, { waitUntil: "domcontentloaded" });
    await page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    await page.locator(".explorer-folders-view, .explorer-viewlet").first().waitFor({ timeout: 60_000 });
  });

  await step(`opens ${FILE}`, async () => {
    await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } }).catch(() => {});
    await page.keyboard.press("Control+P");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor();
    await input.fill(FILE);
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "services.py" }).first().waitFor();
    await page.keyboard.press("Enter");
    await page.locator(".tab.active", { hasText: "services.py" }).waitFor();
    await editor().waitFor();
  });

  await step("the ORM101 diagnostic shows in the Problems panel", async () => {
    await page.keyboard.press("Control+Shift+M");
    await page.locator(".markers-panel").waitFor();
    await ourProblem().first().waitFor({ timeout: 90_000 });
    const text = await ourProblem().first().innerText();
    log(`  problem: ${text.replace(/\s+/g, " ")}`);
    if (!/select_related/.test(text)) {
      throw new Error(`the diagnostic does not mention select_related: ${text}`);
    }
    if (!/ormhint/.test(text)) {
      throw new Error(`the diagnostic is not from ormhint: ${text}`);
    }
  });

  await step("Ctrl+. on the diagnostic offers the select_related quick fix", async () => {
    // Enter on the Problems row puts the cursor on the diagnostic, focus in the editor.
    await ourProblem().first().click();
    await page.keyboard.press("Enter");
    await page.locator(".editor-instance .monaco-editor.focused").waitFor();
    await page.waitForTimeout(500);
    const fix = page.locator(".action-widget .monaco-list-row", { hasText: "select_related" }).first();
    // VS Code re-requests code actions automatically 250 ms after the file's markers change, and
    // that request replaces (cancels) the one Ctrl+. made, so the menu never opens. Markers
    // change when the client re-pulls diagnostics, as it does on the server's refresh at the end
    // of indexing, which a slow machine can put just after Ctrl+. A person would press Ctrl+.
    // again; so does the test, and logs it.
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press("Control+.");
      try {
        await fix.waitFor({ timeout: 8_000 });
        break;
      } catch (error) {
        const widget = await page.locator(".action-widget").allInnerTexts();
        log(`  attempt ${attempt}: no select_related action; action widget: ${JSON.stringify(widget)}`);
        log(`  last LSP messages: ${JSON.stringify(traceHeaders().slice(-12))}`);
        if (attempt === 3) {
          throw error;
        }
        await page.keyboard.press("Escape");
        await page.waitForTimeout(500);
      }
    }
    await fix.hover();
    await page.waitForTimeout(500);
    fs.mkdirSync(path.dirname(shot), { recursive: true });
    await page.screenshot({ path: shot });
    // The editor and the Problems panel alone, small enough for the README.
    const boxes = [await page.locator(".part.editor").boundingBox(), await page.locator(".part.panel").boundingBox()];
    if (boxes.every((box) => box !== null)) {
      const [top, bottom] = boxes;
      const clip = { x: top.x, y: top.y, width: top.width, height: bottom.y + bottom.height - top.y };
      await page.screenshot({ path: shot.replace(/\.png$/, "-editor.png"), clip });
    }
    log(`  screenshot: ${shot}`);
    await fix.click();
  });

  await step("after save the file on disk has the select_related edit", async () => {
    await page.keyboard.press("Control+S");
    const file = path.join(workspace, FILE);
    const deadline = Date.now() + 20_000;
    let text = original;
    while (text === original && Date.now() < deadline) {
      await page.waitForTimeout(250);
      text = fs.readFileSync(file, "utf8");
    }
    if (text === original) {
      throw new Error("the file on disk did not change");
    }
    const before = original.split("\n");
    const after = text.split("\n");
    const changed = after.filter((line, i) => line !== before[i]);
    log(`  changed lines: ${JSON.stringify(changed)}`);
    if (after.length !== before.length || changed.length !== 1) {
      throw new Error(`expected one changed line, got ${changed.length}`);
    }
    const fixed = /^\s*for product in Product\.objects\.(.*\.)?select_related\("category"\)/;
    if (!before.some((line) => line.includes("for product in Product.objects.filter(stock__lt=5):")) || !fixed.test(changed[0])) {
      throw new Error(`the changed line is not the select_related fix: ${changed[0]}`);
    }
  });

  await step("the diagnostic is gone", async () => {
    await page.keyboard.press("Control+Shift+M");
    await ourProblem().first().waitFor({ state: "detached", timeout: 30_000 });
    // The file's other findings are still there (the server answered for the new version):
    // of the two ORM101, only category_paths()' on line 36 is left.
    const orm101 = problems().filter({ hasText: "ORM101" });
    const deadline = Date.now() + 30_000;
    while ((await orm101.count()) !== 1 && Date.now() < deadline) {
      await page.waitForTimeout(250);
    }
    const left = await orm101.allInnerTexts();
    if (left.length !== 1 || !left[0].includes("Ln 36,")) {
      throw new Error(`expected one ORM101 left, on line 36: ${JSON.stringify(left)}`);
    }
    await problems().filter({ hasText: "ORM102" }).first().waitFor();
    await page.waitForTimeout(1_000);
    if ((await ourProblem().count()) !== 0) {
      throw new Error("the fixed diagnostic came back");
    }
    await page.screenshot({ path: shot.replace(/\.png$/, "-fixed.png") });
  });

  await step("the settings went to the server as initializationOptions", async () => {
    const init = await until("the traced initialize request", () => tracedParams(/Sending request 'initialize/)[0]);
    const expected = { select: [], ignore: [], severity: {}, inlayHints: { queryCost: false } };
    if (JSON.stringify(init.initializationOptions) !== JSON.stringify(expected)) {
      throw new Error(`initializationOptions: ${JSON.stringify(init.initializationOptions)}`);
    }
  });

  await step("a settings change is sent as workspace/didChangeConfiguration", async () => {
    await writeSettings(userSettings, {
      "ormhint.select": ["ORM1", "ORM2"],
      "ormhint.ignore": ["ORM301"],
      "ormhint.severity": { ORM101: "error" },
      "ormhint.inlayHints.queryCost": true,
    });
    const expected = {
      settings: {
        ormhint: {
          select: ["ORM1", "ORM2"],
          ignore: ["ORM301"],
          severity: { ORM101: "error" },
          inlayHints: { queryCost: true },
        },
      },
    };
    await until("a didChangeConfiguration with the new settings", () =>
      tracedParams(/Sending notification 'workspace\/didChangeConfiguration'/).some(
        (params) => JSON.stringify(params) === JSON.stringify(expected),
      ),
    );
  });

  await step('"ormhint: Fix all in file" runs', async () => {
    await page.locator(".editor-instance .monaco-editor").first().click({ position: { x: 300, y: 100 } });
    await runCommand("ormhint: Fix all in file");
    // The server offers source.fixAll.ormhint: every safe fix is applied to the buffer,
    // the ORM102 of this file among them.
    await until("the fix-all edit", async () => (await page.locator(".tab.active.dirty").count()) > 0);
    await until("the ORM102 fixed in the buffer", async () =>
      (await problems().filter({ hasText: "ORM102" }).count()) === 0,
    );
    // Back to the file on disk for the steps that follow.
    await runCommand("File: Revert File");
    await problems().filter({ hasText: "ORM102" }).first().waitFor({ timeout: 60_000 });
  });

  await step("a wrong ormhint.path restarts the server and shows a clear error", async () => {
    await writeSettings(remoteSettings, { "ormhint.path": "/nonexistent/ormhint" });
    await toast("ormhint.path setting points at").waitFor();
    await page.locator(".statusbar-item", { hasText: "ormhint" }).first().waitFor();
    await page.screenshot({ path: shot.replace(/\.png$/, "-error.png") });
  });

  await step('clearing ormhint.path brings the server back; "Restart Server" and "Show Output" work', async () => {
    await writeSettings(remoteSettings, { "ormhint.path": "" });
    await problems().filter({ hasText: "ORM102" }).first().waitFor({ timeout: 60_000 });
    await runCommand("ormhint: Restart Server");
    await runCommand("ormhint: Show Output");
    // Three starts of the bundled binary: at activation, after the path was cleared, and now.
    const output = page.locator(".part.panel .monaco-editor .view-lines");
    await until("three server starts in the ormhint output", async () => {
      const text = (await output.first().innerText().catch(() => "")).replace(/\u00a0/g, " ");
      return (text.match(/server \(bundled\)/g) ?? []).length === 3;
    });
    await page.keyboard.press("Control+Shift+M");
    await problems().filter({ hasText: "ORM102" }).first().waitFor({ timeout: 60_000 });
  });

  await step("an ormhint in the workspace's .venv runs instead of the bundled one", async () => {
    const venvBin = path.join(workspace, ".venv", "bin");
    fs.mkdirSync(venvBin, { recursive: true });
    fs.copyFileSync(env("E2E_ORMHINT"), path.join(venvBin, "ormhint"));
    fs.chmodSync(path.join(venvBin, "ormhint"), 0o755);
    await runCommand("ormhint: Restart Server");
    await runCommand("ormhint: Show Output");
    const output = page.locator(".part.panel .monaco-editor .view-lines");
    const started = `${path.join(venvBin, "ormhint")} server (environment)`;
    await until("a start of the workspace's ormhint in the output", async () => {
      const text = (await output.first().innerText().catch(() => "")).replace(/\u00a0/g, " ");
      return text.includes(started);
    });
    await page.keyboard.press("Control+Shift+M");
    await problems().filter({ hasText: "ORM102" }).first().waitFor({ timeout: 60_000 });
  });
} catch (error) {
  failure = error;
  await page.screenshot({ path: shot.replace(/\.png$/, "-failure.png") }).catch(() => {});
} finally {
  await context.close().catch(() => {});
  clearTimeout(watchdog);
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`vscode-e2e: ${passed} passed, ${failed} failed`);
if (failure) {
  console.error(failure);
  process.exit(1);
}
