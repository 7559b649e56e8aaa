import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { minimatch } from 'minimatch';

import {
  type AgentDocumentFilter,
  PLUGIN_AGENTS_GLOB,
  SUBAGENT_GLOB,
  agentDocumentSelector,
  pluginRootOf,
} from '../src/selector.ts';

interface Doc {
  readonly uri: string;
  readonly languageId: string;
}

/**
 * `vscode.languages.match` semantics for our filter shapes: scheme and language must be equal,
 * a string pattern is matched against the whole file path, a relative pattern against the path
 * relative to its base (and never outside it). VS Code's globs match dot folders, hence `dot`.
 */
function matches(filter: AgentDocumentFilter, doc: Doc): boolean {
  const url = new URL(doc.uri);
  if (url.protocol !== `${filter.scheme}:` || doc.languageId !== filter.language) {
    return false;
  }
  const file = fileURLToPath(url);
  if (typeof filter.pattern === 'string') {
    return minimatch(file, filter.pattern, { dot: true });
  }
  const relative = path.relative(fileURLToPath(filter.pattern.baseUri), file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    return false;
  }
  return minimatch(relative, filter.pattern.pattern, { dot: true });
}

const selected = (selector: AgentDocumentFilter[], doc: Doc): boolean => selector.some((f) => matches(f, doc));

const md = (file: string): Doc => ({ uri: pathToFileURL(file).toString(), languageId: 'markdown' });

const plugin = '/work/repo/plugins/reviewer';
const selector = agentDocumentSelector([pathToFileURL(plugin).toString()]);

describe('agentDocumentSelector', () => {
  for (const file of [
    '/work/repo/.claude/agents/x.md',
    '/work/repo/.claude/agents/sub/y.md',
    '/work/repo/.claude/agents/a/b/c/deep.md',
    '/home/me/.claude/agents/personal.md',
    '/work/repo/packages/app/.claude/agents/nested-project.md',
    `${plugin}/agents/x.md`,
    `${plugin}/agents/team/y.md`,
  ]) {
    it(`selects ${file}`, () => {
      assert.equal(selected(selector, md(file)), true);
    });
  }

  for (const file of [
    '/work/repo/README.md',
    '/work/repo/docs/x.md',
    '/work/repo/docs/agents/x.md',
    '/work/repo/.claude/README.md',
    '/work/repo/.claude/commands/review.md',
    '/work/repo/.claude/agents.md',
    '/work/repo/.claude/agents/notes.txt',
    '/work/repo/claude/agents/x.md',
    `${plugin}/README.md`,
    `${plugin}/skills/agents/x.md`,
    '/work/repo/plugins/other/agents/x.md',
  ]) {
    it(`leaves ${file} alone`, () => {
      assert.equal(selected(selector, md(file)), false);
    });
  }

  it('only takes Markdown documents on disk', () => {
    const file = '/work/repo/.claude/agents/x.md';
    assert.equal(selected(selector, { uri: pathToFileURL(file).toString(), languageId: 'plaintext' }), false);
    assert.equal(selected(selector, { uri: `untitled:${file}`, languageId: 'markdown' }), false);
    assert.equal(selected(selector, { uri: `git:${file}`, languageId: 'markdown' }), false);
  });

  it('has one filter for subagents and one per distinct plugin', () => {
    const roots = ['file:///a/p1', 'file:///a/p2', 'file:///a/p1/'];
    assert.deepEqual(agentDocumentSelector(roots), [
      { scheme: 'file', language: 'markdown', pattern: SUBAGENT_GLOB },
      { scheme: 'file', language: 'markdown', pattern: { baseUri: 'file:///a/p1', pattern: PLUGIN_AGENTS_GLOB } },
      { scheme: 'file', language: 'markdown', pattern: { baseUri: 'file:///a/p2', pattern: PLUGIN_AGENTS_GLOB } },
    ]);
    assert.equal(agentDocumentSelector([]).length, 1);
  });

  it('derives the plugin folder from its manifest', () => {
    assert.equal(pluginRootOf('file:///work/repo/plugins/reviewer/.claude-plugin/plugin.json'), 'file:///work/repo/plugins/reviewer');
  });
});
