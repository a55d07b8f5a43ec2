import * as fs from "fs";
import * as path from "path";

/** Where the `ormhint` binary was found, for the output channel and the error message. */
export interface Binary {
  path: string;
  source: "setting" | "bundled" | "PATH";
}

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
 * The binary to start: the `ormhint.path` setting when it is set (an explicit choice),
 * else the one bundled in the extension (`bin/ormhint`), else `ormhint` on `PATH`.
 *
 * `setting` is resolved against `workspaceRoot` when relative, and `~` is expanded.
 */
export function findBinary(
  extensionRoot: string,
  setting: string,
  workspaceRoot: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
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
      "ormhint.path setting is empty and there is no ormhint on PATH. Install it " +
      "(cargo install --path server in the ormhint repository) or set ormhint.path.",
    false,
  );
}
