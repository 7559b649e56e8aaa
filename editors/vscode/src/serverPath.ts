// Locating the agentls executable. Pure: no `vscode` import, every environment input is a
// parameter, so the whole resolution order is unit-tested under node's test runner.
//
// Order: the `agentls.server.path` setting → the binary bundled in a platform-specific build of
// the extension (`<extension>/server/agentls[.exe]`) → `agentls` on PATH.

import * as fs from 'node:fs';
import * as path from 'node:path';

export const SERVER_NAME = 'agentls';

/** What `cargo install` needs to put `agentls` on PATH; shown when nothing is found. */
export const INSTALL_COMMAND = 'cargo install --path .';

export type ServerSource = 'setting' | 'bundled' | 'path';

export type ServerResolution =
  | { readonly kind: 'found'; readonly path: string; readonly source: ServerSource }
  /** The setting names a file that does not exist or is not executable: never silently ignored. */
  | { readonly kind: 'invalid-setting'; readonly configured: string; readonly resolved: string }
  | { readonly kind: 'not-found'; readonly tried: readonly string[] };

export interface ResolveOptions {
  /** Raw value of `agentls.server.path` (empty or undefined when unset). */
  readonly configuredPath?: string | undefined;
  /** Root of the installed extension (`ExtensionContext.extensionPath`). */
  readonly extensionPath: string;
  /** First workspace folder, for relative settings and `${workspaceFolder}`. */
  readonly workspaceFolder?: string | undefined;
  readonly platform: NodeJS.Platform;
  /** Process environment: PATH (or Path), PATHEXT on Windows. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  /** True for an existing regular file the current user may execute. */
  readonly isExecutableFile: (file: string) => boolean;
}

function pathApi(platform: NodeJS.Platform): path.PlatformPath {
  return platform === 'win32' ? path.win32 : path.posix;
}

/** File name of the server binary on `platform`. */
export function binaryName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${SERVER_NAME}.exe` : SERVER_NAME;
}

/** Where a platform-specific `.vsix` carries the server. */
export function bundledServerPath(extensionPath: string, platform: NodeJS.Platform): string {
  return pathApi(platform).join(extensionPath, 'server', binaryName(platform));
}

/**
 * Expands `~` and `${workspaceFolder}` / `${userHome}` in a configured path and makes it absolute
 * (relative to the first workspace folder, else the home directory).
 */
export function expandConfiguredPath(
  configured: string,
  opts: Pick<ResolveOptions, 'workspaceFolder' | 'platform' | 'homedir'>,
): string {
  const p = pathApi(opts.platform);
  let value = configured.trim();
  value = value.replace(/\$\{userHome\}/g, opts.homedir);
  if (opts.workspaceFolder !== undefined) {
    value = value.replace(/\$\{workspaceFolder\}/g, opts.workspaceFolder);
  }
  if (value === '~') {
    value = opts.homedir;
  } else if (value.startsWith('~/') || (opts.platform === 'win32' && value.startsWith('~\\'))) {
    value = p.join(opts.homedir, value.slice(2));
  }
  if (!p.isAbsolute(value)) {
    value = p.resolve(opts.workspaceFolder ?? opts.homedir, value);
  }
  return p.normalize(value);
}

/** Searches PATH like a shell would (PATHEXT on Windows). */
export function findOnPath(
  name: string,
  opts: Pick<ResolveOptions, 'env' | 'platform' | 'isExecutableFile'>,
): { found?: string; tried: string[] } {
  const p = pathApi(opts.platform);
  const win = opts.platform === 'win32';
  // Windows environments spell it `Path`; lookups there are case-insensitive.
  const pathVar = win
    ? Object.entries(opts.env).find(([k]) => k.toUpperCase() === 'PATH')?.[1]
    : opts.env.PATH;
  const dirs = (pathVar ?? '').split(win ? ';' : ':').filter((d) => d.length > 0);
  const extensions = win
    ? (opts.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter((e) => e.length > 0)
    : [''];
  const hasExtension = win && extensions.some((e) => name.toUpperCase().endsWith(e.toUpperCase()));
  const candidates = hasExtension ? [''] : extensions;
  const tried: string[] = [];
  for (const dir of dirs) {
    for (const ext of candidates) {
      const file = p.join(dir.replace(/^"(.*)"$/, '$1'), name + ext.toLowerCase());
      tried.push(file);
      if (opts.isExecutableFile(file)) {
        return { found: file, tried };
      }
    }
  }
  return { tried };
}

/** Resolves the server executable; see the module comment for the order. */
export function resolveServer(opts: ResolveOptions): ServerResolution {
  const configured = opts.configuredPath?.trim() ?? '';
  if (configured.length > 0) {
    const resolved = expandConfiguredPath(configured, opts);
    return opts.isExecutableFile(resolved)
      ? { kind: 'found', path: resolved, source: 'setting' }
      : { kind: 'invalid-setting', configured, resolved };
  }
  const bundled = bundledServerPath(opts.extensionPath, opts.platform);
  if (opts.isExecutableFile(bundled)) {
    return { kind: 'found', path: bundled, source: 'bundled' };
  }
  const onPath = findOnPath(SERVER_NAME, opts);
  if (onPath.found !== undefined) {
    return { kind: 'found', path: onPath.found, source: 'path' };
  }
  return { kind: 'not-found', tried: [bundled, ...onPath.tried] };
}

/** The user-facing explanation for a failed resolution. */
export function describeFailure(
  resolution: Exclude<ServerResolution, { kind: 'found' }>,
): string {
  if (resolution.kind === 'invalid-setting') {
    return (
      `agentls: the server path from the "agentls.server.path" setting does not exist or is not ` +
      `executable: ${resolution.resolved}. Fix the setting or clear it to use agentls from PATH.`
    );
  }
  return (
    `agentls: the agentls language server was not found (not bundled with this extension and ` +
    `not on PATH). Install it with \`${INSTALL_COMMAND}\` in an agentls checkout, or set ` +
    `"agentls.server.path".`
  );
}

/** Real-filesystem check used by the extension: a regular file, executable where that applies. */
export function isExecutableFileSync(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}
