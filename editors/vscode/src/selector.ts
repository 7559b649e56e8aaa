// Which documents agentls handles. Pure: no `vscode` import (the filters are plain LSP
// `TextDocumentFilter` literals, which vscode-languageclient converts), so it is unit-tested.
//
// Besides the agent definition files, agentls's own configuration file `.agentls.yaml` (any
// folder's: `agentls check` uses the nearest one), as YAML: the server checks it as it is typed
// and completes and explains its keys, next to whatever YAML extension is installed.
//
// The paths come from `editors/patterns.json`, generated from the server's dialect schemas
// (`src/schema/*.yaml`) and bundled by esbuild. The selector matches by path with any language:
// the files keep whatever language VS Code gives them (`markdown`; `prompt`, `instructions` or
// `chatagent` from GitHub Copilot Chat for `*.prompt.md`…; whatever an installed extension gives
// Cursor's `.mdc`, often none), so Markdown preview, spell checkers and other extensions keep
// working on them, and ordinary Markdown never reaches the server.

import * as path from 'node:path';

import patterns from '../../patterns.json';

/** One dialect of agent definition file, as the server's registry lists it. */
export interface DialectPatterns {
  readonly dialect: string;
  readonly title: string;
  /** globset globs (`*` within a path component, `**` across them). */
  readonly paths: readonly string[];
  /** Files the dialect never claims (`**\/README.md`); the server applies these. */
  readonly exclude_paths: readonly string[];
  /** Globs for a Claude Code plugin's files, valid only in a folder with the manifest. */
  readonly plugin_paths: readonly string[];
}

/** Every dialect, in the server's detection order. */
export const DIALECTS: readonly DialectPatterns[] = patterns.dialects;

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

/** Globs of every dialect's files, anywhere in the workspace or on disk. */
export const AGENT_GLOBS: readonly string[] = unique(DIALECTS.flatMap((d) => d.paths));

/** A Claude Code plugin is a folder holding this manifest. */
export const PLUGIN_MANIFEST_GLOB = '**/.claude-plugin/plugin.json';

/** `**\/agents/**\/*.md` → `agents/**\/*.md`: a plugin glob anchored at the plugin folder. */
export function pluginRelative(glob: string): string {
  return glob.replace(/^\*\*\//, '');
}

/** Plugin files, relative to the plugin folder (`agents/**\/*.md`, `skills/*\/SKILL.md`…). */
export const PLUGIN_GLOBS: readonly string[] = unique(DIALECTS.flatMap((d) => d.plugin_paths.map(pluginRelative)));

/** Folders never searched for plugin manifests. */
export const PLUGIN_SEARCH_EXCLUDE = '**/node_modules/**';

/** agentls's own configuration file, in any folder. */
export const CONFIG_FILE_GLOB = '**/.agentls.yaml';

/** `activationEvents` of package.json: a workspace holding any agent file, a plugin or a
 * configuration file. */
export const ACTIVATION_EVENTS: readonly string[] = [...AGENT_GLOBS, PLUGIN_MANIFEST_GLOB, CONFIG_FILE_GLOB].map(
  (glob) => `workspaceContains:${glob}`,
);

/** LSP 3.17 relative pattern: `pattern` is matched against the path relative to `baseUri`. */
export interface RelativePattern {
  readonly baseUri: string;
  readonly pattern: string;
}

/**
 * A document on disk selected by path. Agent files carry no `language` (any language); the
 * configuration file is selected as `yaml`.
 */
export interface AgentDocumentFilter {
  readonly scheme: 'file';
  readonly language?: 'yaml';
  readonly pattern: string | RelativePattern;
}

/** The configuration file's filter. */
export const CONFIG_FILE_FILTER: AgentDocumentFilter = { scheme: 'file', language: 'yaml', pattern: CONFIG_FILE_GLOB };

/**
 * Plugin folder (as a URI string) of a manifest URI string:
 * `file:///x/plugin/.claude-plugin/plugin.json` → `file:///x/plugin`.
 */
export function pluginRootOf(manifestUri: string): string {
  return path.posix.dirname(path.posix.dirname(manifestUri));
}

/**
 * The document selector: every dialect's files anywhere, the configuration file, plus the plugin
 * folders of each known plugin (given as `file:` URIs, e.g. from
 * `workspace.findFiles(PLUGIN_MANIFEST_GLOB)`). A bare `agents/` folder without a manifest is
 * ordinary Markdown and is not selected.
 */
export function agentDocumentSelector(pluginRootUris: readonly string[]): AgentDocumentFilter[] {
  const selector: AgentDocumentFilter[] = AGENT_GLOBS.map((pattern) => ({ scheme: 'file', pattern }));
  selector.push(CONFIG_FILE_FILTER);
  const seen = new Set<string>();
  for (const baseUri of pluginRootUris) {
    const key = baseUri.replace(/\/+$/, '');
    if (!seen.has(key)) {
      seen.add(key);
      for (const pattern of PLUGIN_GLOBS) {
        selector.push({ scheme: 'file', pattern: { baseUri: key, pattern } });
      }
    }
  }
  return selector;
}
