// Which documents agentls handles. Pure: no `vscode` import (the filters are plain LSP
// `TextDocumentFilter` literals, which vscode-languageclient converts), so it is unit-tested.
//
// Agent definitions stay in the `markdown` language: the selector narrows by path instead of
// contributing a language, so Markdown preview, folding, spell checkers and other Markdown
// extensions keep working on these files and ordinary Markdown never reaches the server.

import * as path from 'node:path';

/** Claude Code subagents, project or user level, any depth below `agents/`. */
export const SUBAGENT_GLOB = '**/.claude/agents/**/*.md';

/** A Claude Code plugin is a folder holding this manifest. */
export const PLUGIN_MANIFEST_GLOB = '**/.claude-plugin/plugin.json';

/** Plugin agents, relative to the plugin folder. */
export const PLUGIN_AGENTS_GLOB = 'agents/**/*.md';

/** Folders never searched for plugin manifests. */
export const PLUGIN_SEARCH_EXCLUDE = '**/node_modules/**';

/** LSP 3.17 relative pattern: `pattern` is matched against the path relative to `baseUri`. */
export interface RelativePattern {
  readonly baseUri: string;
  readonly pattern: string;
}

export interface AgentDocumentFilter {
  readonly scheme: 'file';
  readonly language: 'markdown';
  readonly pattern: string | RelativePattern;
}

/**
 * Plugin folder (as a URI string) of a manifest URI string:
 * `file:///x/plugin/.claude-plugin/plugin.json` → `file:///x/plugin`.
 */
export function pluginRootOf(manifestUri: string): string {
  return path.posix.dirname(path.posix.dirname(manifestUri));
}

/**
 * The document selector: subagents anywhere, plus `agents/**` of each known plugin folder
 * (given as `file:` URIs, e.g. from `workspace.findFiles(PLUGIN_MANIFEST_GLOB)`).
 * A bare `agents/` folder without a manifest is ordinary Markdown and is not selected.
 */
export function agentDocumentSelector(pluginRootUris: readonly string[]): AgentDocumentFilter[] {
  const selector: AgentDocumentFilter[] = [
    { scheme: 'file', language: 'markdown', pattern: SUBAGENT_GLOB },
  ];
  const seen = new Set<string>();
  for (const baseUri of pluginRootUris) {
    const key = baseUri.replace(/\/+$/, '');
    if (!seen.has(key)) {
      seen.add(key);
      selector.push({
        scheme: 'file',
        language: 'markdown',
        pattern: { baseUri: key, pattern: PLUGIN_AGENTS_GLOB },
      });
    }
  }
  return selector;
}
