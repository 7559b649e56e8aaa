// VS Code client for agentls. Everything that can be decided without VS Code lives in
// `serverPath.ts` and `selector.ts`; this file wires them to the editor.

import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  type Executable,
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

import {
  PLUGIN_GLOBS,
  PLUGIN_MANIFEST_GLOB,
  PLUGIN_SEARCH_EXCLUDE,
  agentDocumentSelector,
  pluginRootOf,
} from './selector';
import { INSTALL_COMMAND, describeFailure, isExecutableFileSync, resolveServer } from './serverPath';

const HOW_TO_INSTALL = 'How to install';
const OPEN_SETTINGS = 'Open Settings';
const SHOW_OUTPUT = 'Show Output';

class AgentlsExtension implements vscode.Disposable {
  private readonly output: vscode.LogOutputChannel;
  private readonly trace: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  /** Serialises start/stop so rapid restarts (settings, new plugins) cannot interleave. */
  private lifecycle: Promise<void> = Promise.resolve();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('agentls', { log: true });
    this.trace = vscode.window.createOutputChannel('agentls Trace', { log: true });
  }

  register(): void {
    const restart = (): Promise<void> => this.restart();
    // The document selector lists every plugin folder; a plugin appearing or disappearing
    // changes it, and a LanguageClient's selector is fixed once created.
    const manifests = vscode.workspace.createFileSystemWatcher(PLUGIN_MANIFEST_GLOB, false, true, false);
    const pluginsChanged = debounce(() => void restart(), 500);
    this.context.subscriptions.push(
      this,
      this.output,
      this.trace,
      vscode.commands.registerCommand('agentls.restartServer', restart),
      vscode.commands.registerCommand('agentls.showOutput', () => {
        this.output.show(true);
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        // `agentls.trace.server` is applied by vscode-languageclient itself.
        if (event.affectsConfiguration('agentls.server')) {
          void restart();
        } else if (
          event.affectsConfiguration('agentls.dialect') ||
          event.affectsConfiguration('agentls.workspaceDiagnostics')
        ) {
          void this.client?.sendNotification('workspace/didChangeConfiguration', {
            settings: { agentls: serverSettings() },
          });
        }
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(restart),
      manifests,
      manifests.onDidCreate(pluginsChanged),
      manifests.onDidDelete(pluginsChanged),
    );
  }

  restart(): Promise<void> {
    this.lifecycle = this.lifecycle.then(async () => {
      await this.stop();
      await this.start();
    });
    return this.lifecycle;
  }

  async stop(): Promise<void> {
    const running = this.client;
    this.client = undefined;
    if (running === undefined) {
      return;
    }
    try {
      await running.dispose(2000);
    } catch (error) {
      this.output.warn(`error while stopping the server: ${String(error)}`);
    }
  }

  dispose(): void {
    void this.stop();
  }

  private async start(): Promise<void> {
    const config = vscode.workspace.getConfiguration('agentls');
    const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const resolution = resolveServer({
      configuredPath: config.get<string>('server.path'),
      extensionPath: this.context.extensionPath,
      workspaceFolder,
      platform: process.platform,
      env: process.env,
      homedir: os.homedir(),
      isExecutableFile: isExecutableFileSync,
    });

    if (resolution.kind !== 'found') {
      const message = describeFailure(resolution);
      this.output.error(message);
      if (resolution.kind === 'not-found') {
        this.output.info(`Looked in:\n  ${resolution.tried.join('\n  ')}`);
      }
      void this.offerHelp(message);
      return;
    }
    this.output.info(`Using ${resolution.path} (${resolution.source})`);

    const manifests = await vscode.workspace.findFiles(PLUGIN_MANIFEST_GLOB, PLUGIN_SEARCH_EXCLUDE);
    const pluginRoots = manifests.map((uri) => pluginRootOf(uri.toString()));
    for (const root of pluginRoots) {
      this.output.info(`Claude Code plugin: ${root} (${PLUGIN_GLOBS.join(', ')})`);
    }

    const executable: Executable = {
      command: resolution.path,
      args: [...(config.get<string[]>('server.extraArgs') ?? [])],
      transport: TransportKind.stdio,
      ...(workspaceFolder !== undefined ? { options: { cwd: workspaceFolder } } : {}),
    };
    const serverOptions: ServerOptions = { run: executable, debug: executable };
    const clientOptions: LanguageClientOptions = {
      documentSelector: agentDocumentSelector(pluginRoots),
      // Dialect choices for paths that do not say what a file is (glob → dialect id).
      initializationOptions: serverSettings(),
      outputChannel: this.output,
      traceOutputChannel: this.trace,
    };

    const client = new LanguageClient('agentls', 'agentls', serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } catch (error) {
      this.output.error(`failed to start ${resolution.path}: ${String(error)}`);
      const choice = await vscode.window.showErrorMessage(
        `agentls: failed to start the language server (${resolution.path}).`,
        SHOW_OUTPUT,
      );
      if (choice === SHOW_OUTPUT) {
        this.output.show(true);
      }
    }
  }

  private async offerHelp(message: string): Promise<void> {
    const choice = await vscode.window.showErrorMessage(message, HOW_TO_INSTALL, OPEN_SETTINGS);
    if (choice === HOW_TO_INSTALL) {
      const readme = vscode.Uri.joinPath(this.context.extensionUri, 'README.md');
      try {
        await vscode.commands.executeCommand('markdown.showPreview', readme);
      } catch {
        void vscode.window.showInformationMessage(
          `Install the agentls server with \`${INSTALL_COMMAND}\` in an agentls checkout, ` +
            'then run "agentls: Restart Server".',
        );
      }
    } else if (choice === OPEN_SETTINGS) {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'agentls.server');
    }
  }
}

/**
 * The settings the server reads, at start-up (`initializationOptions`) and on change
 * (`workspace/didChangeConfiguration`, always whole: the server replaces what it had).
 */
function serverSettings(): { dialect: Record<string, string>; workspaceDiagnostics: boolean } {
  const config = vscode.workspace.getConfiguration('agentls');
  return {
    // Dialect choices for paths that do not say what a file is (glob → dialect id).
    dialect: config.get<Record<string, string>>('dialect') ?? {},
    // Problems of agent files that are not open.
    workspaceDiagnostics: config.get<boolean>('workspaceDiagnostics') ?? true,
  };
}

let extension: AgentlsExtension | undefined;

export function activate(context: vscode.ExtensionContext): void {
  extension = new AgentlsExtension(context);
  extension.register();
  void extension.restart();
}

export function deactivate(): Promise<void> | undefined {
  const current = extension;
  extension = undefined;
  return current?.stop();
}

function debounce(fn: () => void, ms: number): () => void {
  let timer: NodeJS.Timeout | undefined;
  return () => {
    if (timer !== undefined) {
      clearTimeout(timer);
    }
    timer = setTimeout(fn, ms);
  };
}
