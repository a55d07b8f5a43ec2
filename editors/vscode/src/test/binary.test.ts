// Which `ormhint` the extension starts (`node --test`, run by package.sh).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";

import { BinaryNotFound, environmentScripts, findBinary } from "../binary";

function executable(file: string): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, "#!/bin/sh\n");
  fs.chmodSync(file, 0o755);
  return file;
}

function layout(): { ext: string; workspace: string; onPath: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ormhint-binary-"));
  const ext = path.join(dir, "extension");
  const workspace = path.join(dir, "workspace");
  const onPath = path.join(dir, "path");
  executable(path.join(ext, "bin", "ormhint"));
  executable(path.join(onPath, "ormhint"));
  fs.mkdirSync(workspace, { recursive: true });
  return { ext, workspace, onPath };
}

test("the workspace's environment wins over the bundled binary, then PATH", () => {
  const { ext, workspace, onPath } = layout();
  const env = { PATH: onPath };
  const scripts = () => environmentScripts(undefined, workspace, env);
  assert.deepEqual(findBinary(ext, "", workspace, env, "fromEnvironment", scripts()), {
    path: path.join(ext, "bin", "ormhint"),
    source: "bundled",
  });
  const venv = executable(path.join(workspace, ".venv", "bin", "ormhint"));
  assert.deepEqual(findBinary(ext, "", workspace, env, "fromEnvironment", scripts()), {
    path: venv,
    source: "environment",
  });
  // useBundled ignores the environment; an explicit path wins over both.
  assert.equal(findBinary(ext, "", workspace, env, "useBundled", scripts()).source, "bundled");
  const own = executable(path.join(workspace, "tools", "ormhint"));
  assert.deepEqual(findBinary(ext, "tools/ormhint", workspace, env, "fromEnvironment", scripts()), {
    path: own,
    source: "setting",
  });
  fs.rmSync(path.join(ext, "bin"), { recursive: true });
  assert.deepEqual(findBinary(ext, "", workspace, env, "useBundled", scripts()), {
    path: path.join(onPath, "ormhint"),
    source: "PATH",
  });
  assert.throws(() => findBinary(ext, "", workspace, { PATH: "" }, "useBundled", []), BinaryNotFound);
});

test("the selected interpreter's directory comes first, then VIRTUAL_ENV, then the workspace's", () => {
  const scripts = environmentScripts("/envs/shop/bin/python", "/w", { VIRTUAL_ENV: "/venvs/a" });
  assert.deepEqual(scripts, ["/envs/shop/bin", "/venvs/a/bin", "/w/.venv/bin", "/w/venv/bin", "/w/env/bin"]);
  // A bare `python` names no environment.
  assert.deepEqual(environmentScripts("python", undefined, {}), []);
});
