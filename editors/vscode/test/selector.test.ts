import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { minimatch } from 'minimatch';

import {
  AGENT_GLOBS,
  type AgentDocumentFilter,
  CONFIG_FILE_FILTER,
  DIALECTS,
  PLUGIN_GLOBS,
  agentDocumentSelector,
  pluginRelative,
  pluginRootOf,
} from '../src/selector.ts';

interface Doc {
  readonly uri: string;
  readonly languageId: string;
}

/**
 * `vscode.languages.match` semantics for our filter shapes: the scheme must be equal, the
 * language too when the filter names one (none: any language), a string pattern is matched
 * against the whole file path, a relative pattern against the path relative to its base (and
 * never outside it).
 * VS Code's globs match dot folders, hence `dot`; `*` stays within a path component as in
 * VS Code and in the server's globset rules.
 */
function matches(filter: AgentDocumentFilter, doc: Doc): boolean {
  const url = new URL(doc.uri);
  if (url.protocol !== `${filter.scheme}:`) {
    return false;
  }
  if (filter.language !== undefined && filter.language !== doc.languageId) {
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

const md = (file: string, languageId = 'markdown'): Doc => ({ uri: pathToFileURL(file).toString(), languageId });

const plugin = '/work/repo/plugins/reviewer';
const selector = agentDocumentSelector([pathToFileURL(plugin).toString()]);

/**
 * Sample files of every dialect (the server detects each as that dialect: tests/editors.rs
 * checks the same kind of list against its registry), with the language VS Code may give them.
 */
const SAMPLES: Record<string, readonly (string | [string, string])[]> = {
  'claude-agent': [
    '/work/repo/.claude/agents/x.md',
    '/work/repo/.claude/agents/sub/y.md',
    '/work/repo/.claude/agents/a/b/c/deep.md',
    '/home/me/.claude/agents/personal.md',
    '/work/repo/packages/app/.claude/agents/nested-project.md',
  ],
  'claude-command': ['/work/repo/.claude/commands/review.md', '/work/repo/.claude/commands/git/commit.md'],
  'claude-skill': ['/work/repo/.claude/skills/deploy/SKILL.md'],
  'claude-output-style': ['/work/repo/.claude/output-styles/teacher.md'],
  'agent-skill': [
    '/work/repo/.agents/skills/pdf/SKILL.md',
    '/work/repo/.github/skills/pdf/skill.md',
    '/home/me/.copilot/skills/pdf/SKILL.md',
    '/work/repo/.opencode/skills/pdf/SKILL.md',
    '/home/me/.config/opencode/skills/pdf/SKILL.md',
    '/work/repo/.cursor/skills/pdf/SKILL.md',
    '/work/repo/.factory/skills/pdf/SKILL.md',
  ],
  'copilot-agent': [
    '/work/repo/.github/agents/reviewer.md',
    ['/work/repo/docs/reviewer.agent.md', 'chatagent'],
    '/home/me/.copilot/agents/mine.md',
  ],
  'copilot-chatmode': ['/work/repo/.github/chatmodes/plan.md', ['/work/repo/plan.chatmode.md', 'chatmode']],
  'copilot-prompt': [['/work/repo/.github/prompts/x.prompt.md', 'prompt'], '/work/repo/x.prompt.md'],
  'copilot-instructions': [
    '/work/repo/.github/copilot-instructions.md',
    ['/work/repo/.github/instructions/py.instructions.md', 'instructions'],
  ],
  'cursor-rule': [
    ['/work/repo/.cursor/rules/x.mdc', 'mdc'],
    ['/work/repo/.cursor/rules/db/y.mdc', 'plaintext'],
    ['/work/repo/.cursor/rules/z.mdc', 'markdown'],
  ],
  'cursor-subagent': ['/work/repo/.cursor/agents/x.md'],
  'opencode-agent': [
    '/work/repo/.opencode/agent/x.md',
    '/work/repo/.opencode/agents/team/x.md',
    '/home/me/.config/opencode/agent/x.md',
    '/home/me/.config/opencode/agents/x.md',
    '/work/repo/.opencode/mode/x.md',
    '/work/repo/.opencode/modes/x.md',
  ],
  'opencode-command': [
    '/work/repo/.opencode/command/test.md',
    '/work/repo/.opencode/commands/git/commit.md',
    '/home/me/.config/opencode/command/x.md',
    '/home/me/.config/opencode/commands/git/commit.md',
  ],
  'gemini-subagent': ['/work/repo/.gemini/agents/x.md', '/home/me/.config/gemini-cli/agents/x.md'],
  'kiro-steering': ['/work/repo/.kiro/steering/x.md'],
  'windsurf-rule': ['/work/repo/.windsurf/rules/x.md', '/work/repo/.devin/rules/x.md'],
  'factory-droid': ['/work/repo/.factory/droids/x.md'],
  'codex-prompt': ['/home/me/.codex/prompts/x.md'],
};

const PLUGIN_SAMPLES = [
  `${plugin}/agents/x.md`,
  `${plugin}/agents/team/y.md`,
  `${plugin}/commands/review.md`,
  `${plugin}/output-styles/terse.md`,
  `${plugin}/skills/deploy/SKILL.md`,
];

const ORDINARY = [
  '/work/repo/README.md',
  '/work/repo/notes.md',
  '/work/repo/docs/x.md',
  '/work/repo/docs/agents/x.md',
  '/work/repo/.claude/README.md',
  '/work/repo/.claude/agents.md',
  '/work/repo/.claude/agents/notes.txt',
  '/work/repo/claude/agents/x.md',
  '/work/repo/.github/README.md',
  '/work/repo/.github/workflows/ci.md',
  '/work/repo/.cursor/rules.md',
  '/work/repo/.cursor/x.mdc',
  '/work/repo/docs/rules/x.mdc',
  '/work/repo/prompt.md',
  '/work/repo/skills/x/SKILL.md',
  `${plugin}/README.md`,
  `${plugin}/docs/x.md`,
  `${plugin}/skills/agents/x.md`,
  '/work/repo/plugins/other/agents/x.md',
  '/work/repo/plugins/other/commands/x.md',
  '/work/repo/config.yaml',
  '/work/repo/agentls.yaml',
  '/work/repo/.agentls.yml',
  '/work/repo/.github/workflows/ci.yaml',
];

describe('agentDocumentSelector', () => {
  it('has samples for every dialect in patterns.json', () => {
    assert.deepEqual(Object.keys(SAMPLES).sort(), DIALECTS.map((d) => d.dialect).sort());
  });

  for (const [dialect, samples] of Object.entries(SAMPLES)) {
    for (const sample of samples) {
      const [file, languageId] = typeof sample === 'string' ? [sample, 'markdown'] : sample;
      it(`selects ${file} (${dialect}, language ${languageId})`, () => {
        assert.equal(selected(selector, md(file, languageId)), true);
      });
    }
  }

  it('exercises every glob of every dialect with a sample', () => {
    for (const dialect of DIALECTS) {
      for (const glob of dialect.paths) {
        const files = (SAMPLES[dialect.dialect] ?? []).map((s) => (typeof s === 'string' ? s : s[0]));
        assert.ok(
          files.some((f) => minimatch(f, glob, { dot: true })),
          `${dialect.dialect}: no sample for ${glob}`,
        );
      }
    }
  });

  for (const file of PLUGIN_SAMPLES) {
    it(`selects plugin file ${file}`, () => {
      assert.equal(selected(selector, md(file)), true);
      assert.equal(selected(agentDocumentSelector([]), md(file)), false, 'not without the plugin');
    });
  }

  for (const file of ORDINARY) {
    it(`leaves ${file} alone`, () => {
      assert.equal(selected(selector, md(file)), false);
    });
  }

  it('selects the configuration file as YAML, in any folder', () => {
    for (const file of ['/work/repo/.agentls.yaml', '/work/repo/packages/app/.agentls.yaml']) {
      assert.equal(selected(selector, md(file, 'yaml')), true, file);
    }
    assert.equal(selected(selector, md('/work/repo/.agentls.yaml', 'plaintext')), false, 'not as another language');
    assert.equal(selected(selector, { uri: 'untitled:/work/repo/.agentls.yaml', languageId: 'yaml' }), false);
  });

  it('gives agent files no language and the configuration file yaml', () => {
    for (const filter of selector) {
      const expected = filter === CONFIG_FILE_FILTER ? 'yaml' : undefined;
      assert.equal(filter.language, expected, JSON.stringify(filter));
    }
  });

  it('only takes documents on disk', () => {
    const file = '/work/repo/.claude/agents/x.md';
    assert.equal(selected(selector, { uri: `untitled:${file}`, languageId: 'markdown' }), false);
    assert.equal(selected(selector, { uri: `git:${file}`, languageId: 'markdown' }), false);
  });

  it('has one filter per dialect glob and the plugin globs once per distinct plugin', () => {
    const roots = ['file:///a/p1', 'file:///a/p2', 'file:///a/p1/'];
    const anywhere = [...AGENT_GLOBS.map((pattern) => ({ scheme: 'file', pattern })), CONFIG_FILE_FILTER];
    const inPlugin = (baseUri: string) => PLUGIN_GLOBS.map((pattern) => ({ scheme: 'file', pattern: { baseUri, pattern } }));
    assert.deepEqual(agentDocumentSelector(roots), [...anywhere, ...inPlugin('file:///a/p1'), ...inPlugin('file:///a/p2')]);
    assert.deepEqual(agentDocumentSelector([]), anywhere);
    assert.equal(new Set(AGENT_GLOBS).size, AGENT_GLOBS.length, 'no duplicates');
    assert.ok(AGENT_GLOBS.includes('**/.claude/agents/**/*.md'));
    assert.ok(AGENT_GLOBS.includes('**/.cursor/rules/**/*.mdc'));
    assert.deepEqual([...PLUGIN_GLOBS].sort(), ['agents/**/*.md', 'commands/**/*.md', 'output-styles/*.md', 'skills/*/SKILL.md']);
  });

  it('anchors plugin globs at the plugin folder', () => {
    assert.equal(pluginRelative('**/agents/**/*.md'), 'agents/**/*.md');
    assert.equal(pluginRelative('skills/*/SKILL.md'), 'skills/*/SKILL.md');
  });

  it('derives the plugin folder from its manifest', () => {
    assert.equal(pluginRootOf('file:///work/repo/plugins/reviewer/.claude-plugin/plugin.json'), 'file:///work/repo/plugins/reviewer');
  });
});
