import * as vscode from "vscode";
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";
import { BinaryNotFound, ImportStrategy, environmentScripts, findBinary } from "./binary";

/** The code action kind the server offers for "fix everything in this file". */
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append("ormhint");

/** What the server reads from `initializationOptions` and `workspace/didChangeConfiguration`. */
export interface ServerSettings {
  select: string[];
  ignore: string[];
  severity: Record<string, string>;
  inlayHints: { queryCost: boolean };
}

export function serverSettings(config: vscode.WorkspaceConfiguration): ServerSettings {
  return {
    select: config.get<string[]>("select", []),
    ignore: config.get<string[]>("ignore", []),
    severity: config.get<Record<string, string>>("severity", {}),
    inlayHints: { queryCost: config.get<boolean>("inlayHints.queryCost", false) },
  };
}

class Extension {
  private client: LanguageClient | undefined;
  /** Serialises start/stop/restart so two restarts never race. */
  private pending: Promise<void> = Promise.resolve();
  private readonly output: vscode.OutputChannel;
  private readonly trace: vscode.OutputChannel;
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel("ormhint");
    this.trace = vscode.window.createOutputChannel("ormhint Language Server Trace");
    this.status = vscode.window.createStatusBarItem("ormhint.status", vscode.StatusBarAlignment.Left, 0);
    this.status.name = "ormhint";
    this.status.command = "ormhint.showOutput";
    context.subscriptions.push(this.output, this.trace, this.status);
  }

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration("ormhint");
  }

  private setStatus(state: "starting" | "ready" | "stopped" | "error", detail?: string): void {
    switch (state) {
      case "starting":
        this.status.text = "$(sync~spin) ormhint";
        this.status.tooltip = "ormhint: starting the server and indexing the workspace's models";
        break;
      case "ready":
        this.status.text = "$(check) ormhint";
        this.status.tooltip = `ormhint: ready${detail ? ` (${detail})` : ""}. Click for the output.`;
        break;
      case "stopped":
        this.status.text = "$(circle-slash) ormhint";
        this.status.tooltip = "ormhint: the server is not running. Click for the output.";
        break;
      case "error":
        this.status.text = "$(error) ormhint";
        this.status.tooltip = `ormhint: ${detail ?? "the server failed"}. Click for the output.`;
        break;
    }
    this.status.show();
  }

  /** Runs `task` after every earlier start/stop/restart has finished. */
  private queue(task: () => Promise<void>): Promise<void> {
    this.pending = this.pending.then(task, task);
    return this.pending;
  }

  start(): Promise<void> {
    return this.queue(() => this.doStart());
  }

  restart(): Promise<void> {
    return this.queue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  stop(): Promise<void> {
    return this.queue(() => this.doStop());
  }

  private async doStart(): Promise<void> {
    if (this.client) {
      return;
    }
    const config = this.config();
    const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    let binary;
    try {
      const strategy = config.get<ImportStrategy>("importStrategy", "fromEnvironment");
      const interpreter = strategy === "fromEnvironment" ? await pythonInterpreter(root) : undefined;
      binary = findBinary(
        this.context.extensionPath,
        config.get<string>("path", ""),
        root,
        process.env,
        strategy,
        environmentScripts(interpreter, root),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`[error] ${message}`);
      this.setStatus("error", "no ormhint binary");
      const badSetting = error instanceof BinaryNotFound && error.badSetting;
      // Not awaited: the message stays until dismissed, and restarts must not wait for it.
      vscode.window.showErrorMessage(`ormhint: ${message}`, "Open Settings", "Show Output").then((choice) => {
        if (choice === "Open Settings") {
          vscode.commands.executeCommand("workbench.action.openSettings", badSetting ? "ormhint.path" : "ormhint");
        } else if (choice === "Show Output") {
          this.output.show();
        }
      });
      return;
    }
    this.output.appendLine(`[info] starting ${binary.path} server (${binary.source})`);

    const run = { command: binary.path, args: ["server"], transport: TransportKind.stdio };
    const serverOptions: ServerOptions = { run, debug: run };
    const clientOptions: LanguageClientOptions = {
      // Django and Jinja2 templates show the findings of the views that render them.
      documentSelector: [
        { scheme: "file", language: "python" },
        { scheme: "untitled", language: "python" },
        { scheme: "file", language: "django-html" },
        { scheme: "file", language: "html" },
        { scheme: "file", language: "jinja-html" },
        { scheme: "file", language: "jinja" },
      ],
      initializationOptions: serverSettings(config),
      outputChannel: this.output,
      traceOutputChannel: this.trace,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
    };
    // The id "ormhint" makes the client read `ormhint.trace.server` itself.
    const client = new LanguageClient("ormhint", "ormhint", serverOptions, clientOptions);
    client.onDidChangeState((event) => {
      if (event.newState === State.Starting) {
        this.setStatus("starting");
      } else if (event.newState === State.Running) {
        this.setStatus("ready", binary.source === "bundled" ? "bundled binary" : binary.path);
      } else if (event.newState === State.Stopped && this.client === client) {
        this.setStatus("stopped");
      }
    });
    this.client = client;
    this.setStatus("starting");
    try {
      await client.start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`[error] the server did not start: ${message}`);
      this.setStatus("error", "the server did not start");
      this.client = undefined;
      vscode.window.showErrorMessage(`ormhint: the server did not start (${message}).`, "Show Output").then((choice) => {
        if (choice) {
          this.output.show();
        }
      });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.stop(2000);
      } catch (error) {
        this.output.appendLine(`[warn] stopping the server: ${String(error)}`);
      }
    }
    this.setStatus("stopped");
  }

  /** Sends the settings the server reads; a change of binary needs a restart instead. */
  onConfigurationChanged(event: vscode.ConfigurationChangeEvent): void {
    if (!event.affectsConfiguration("ormhint")) {
      return;
    }
    if (event.affectsConfiguration("ormhint.path") || event.affectsConfiguration("ormhint.importStrategy")) {
      this.output.appendLine("[info] the binary to run may have changed: restarting the server");
      this.restart();
      return;
    }
    const client = this.client;
    if (client?.isRunning()) {
      client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { ormhint: serverSettings(this.config()) },
      });
    } else if (!client) {
      // A previous start failed (e.g. no binary); try again with the new settings.
      this.start();
    }
  }

  showOutput(): void {
    this.output.show(true);
  }

  /** Applies the server's `source.fixAll.ormhint` action for the active Python file. */
  async fixAll(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document.languageId !== "python") {
      vscode.window.showInformationMessage("ormhint: open a Python file to fix.");
      return;
    }
    const document = editor.document;
    const whole = new vscode.Range(0, 0, document.lineCount, 0);
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        "vscode.executeCodeActionProvider",
        document.uri,
        whole,
        FIX_ALL_KIND.value,
      )) ?? [];
    const fixAll = actions.find((action): action is vscode.CodeAction => isFixAll(action));
    if (!fixAll) {
      vscode.window.showInformationMessage(
        "ormhint: no fix-all offered for this file (nothing to fix, or a server without fix-all: use the quick fixes).",
      );
      return;
    }
    if (fixAll.edit && !(await vscode.workspace.applyEdit(fixAll.edit))) {
      vscode.window.showErrorMessage("ormhint: the fix-all edit could not be applied.");
      return;
    }
    if (fixAll.command) {
      await vscode.commands.executeCommand(fixAll.command.command, ...(fixAll.command.arguments ?? []));
    }
  }
}

function isFixAll(action: vscode.CodeAction | vscode.Command): boolean {
  const kind = "kind" in action ? action.kind?.value : undefined;
  return kind !== undefined && (kind === FIX_ALL_KIND.value || kind.startsWith(`${FIX_ALL_KIND.value}.`));
}

let extension: Extension | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const ext = new Extension(context);
  extension = ext;
  context.subscriptions.push(
    vscode.commands.registerCommand("ormhint.restartServer", () => ext.restart()),
    vscode.commands.registerCommand("ormhint.showOutput", () => ext.showOutput()),
    vscode.commands.registerCommand("ormhint.fixAll", () => ext.fixAll()),
    vscode.workspace.onDidChangeConfiguration((event) => ext.onConfigurationChanged(event)),
  );
  await ext.start();
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
  extension = undefined;
}

/**
 * The interpreter the Python extension selected for `root`, when it is installed (its
 * API is read from its exports, so this extension does not depend on it), else the
 * `python.defaultInterpreterPath` setting.
 */
async function pythonInterpreter(root: string | undefined): Promise<string | undefined> {
  const python = vscode.extensions.getExtension("ms-python.python");
  if (python !== undefined) {
    try {
      const api = (python.isActive ? python.exports : await python.activate()) as {
        environments?: {
          getActiveEnvironmentPath(resource?: vscode.Uri): { path: string };
        };
      };
      const active = api.environments?.getActiveEnvironmentPath(root === undefined ? undefined : vscode.Uri.file(root));
      if (active?.path) {
        return active.path;
      }
    } catch {
      // An API that changed shape or failed: the fallbacks below still apply.
    }
  }
  const configured = vscode.workspace.getConfiguration("python").get<string>("defaultInterpreterPath", "");
  return configured === "" ? undefined : configured;
}
