import * as fs from "fs";
import * as path from "path";

/** Where the `ormhint` binary was found, for the output channel and the error message. */
export interface Binary {
  path: string;
  source: "setting" | "environment" | "bundled" | "PATH";
}

/** `ormhint.importStrategy`, as ruff's extension names it. */
export type ImportStrategy = "fromEnvironment" | "useBundled";

/** Why no usable binary was found. */
export class BinaryNotFound extends Error {
  constructor(
    message: string,
    /** True when the `ormhint.path` setting names something that is not an executable. */
    readonly badSetting: boolean,
  ) {
    super(message);
  }
}

const exe = process.platform === "win32" ? "ormhint.exe" : "ormhint";

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter((dir) => dir !== "");
  for (const dir of dirs) {
    const candidate = path.join(dir, exe);
    if (isExecutable(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

/**
 * The directories a Python environment installs its scripts into, for the environments
 * the workspace may use, most specific first: the interpreter the Python extension
 * selected (`interpreter`: its path), an activated virtualenv (`VIRTUAL_ENV`), and the
 * workspace's own `.venv`, `venv` or `env`.
 */
export function environmentScripts(
  interpreter: string | undefined,
  workspaceRoot: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const scripts = process.platform === "win32" ? "Scripts" : "bin";
  const dirs: string[] = [];
  if (interpreter !== undefined && interpreter.trim() !== "") {
    // `.../bin/python` (or `...\Scripts\python.exe`); a bare `python` names no place.
    if (path.isAbsolute(interpreter)) {
      dirs.push(path.dirname(interpreter));
    }
  }
  if (env.VIRTUAL_ENV) {
    dirs.push(path.join(env.VIRTUAL_ENV, scripts));
  }
  if (workspaceRoot !== undefined) {
    for (const venv of [".venv", "venv", "env"]) {
      dirs.push(path.join(workspaceRoot, venv, scripts));
    }
  }
  return [...new Set(dirs)];
}

/**
 * The binary to start: the `ormhint.path` setting when it is set (an explicit choice);
 * else, with `importStrategy` `fromEnvironment`, an `ormhint` installed in the
 * workspace's Python environment (`pip install ormhint`: the version the project pins);
 * else the one bundled in the extension (`bin/ormhint`); else `ormhint` on `PATH`.
 *
 * `setting` is resolved against `workspaceRoot` when relative, and `~` is expanded.
 */
export function findBinary(
  extensionRoot: string,
  setting: string,
  workspaceRoot: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  importStrategy: ImportStrategy = "fromEnvironment",
  scriptDirs: string[] = [],
): Binary {
  const configured = setting.trim();
  if (configured !== "") {
    let file = configured;
    if (file === "~" || file.startsWith("~/")) {
      file = path.join(env.HOME ?? "", file.slice(1));
    }
    if (!path.isAbsolute(file) && workspaceRoot !== undefined) {
      file = path.join(workspaceRoot, file);
    }
    if (isExecutable(file)) {
      return { path: file, source: "setting" };
    }
    throw new BinaryNotFound(
      `The ormhint.path setting points at "${configured}", which is not an executable file. ` +
        "Fix the path, or clear the setting to use the bundled binary or ormhint on PATH.",
      true,
    );
  }
  if (importStrategy === "fromEnvironment") {
    for (const dir of scriptDirs) {
      const candidate = path.join(dir, exe);
      if (isExecutable(candidate)) {
        return { path: candidate, source: "environment" };
      }
    }
  }
  const bundled = path.join(extensionRoot, "bin", exe);
  if (isExecutable(bundled)) {
    return { path: bundled, source: "bundled" };
  }
  const found = onPath(env);
  if (found !== undefined) {
    return { path: found, source: "PATH" };
  }
  throw new BinaryNotFound(
    "No ormhint binary found: this extension has none bundled for this platform, the " +
      "ormhint.path setting is empty and there is no ormhint in the workspace's Python " +
      "environment nor on PATH. Install it (pip install ormhint) or set ormhint.path.",
    false,
  );
}
