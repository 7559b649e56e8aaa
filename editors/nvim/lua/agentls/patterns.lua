-- Generated from src/schema/*.yaml by tests/editors.rs (`AGENTLS_BLESS=1 cargo test --test editors`); do not edit.
--
-- The agent definition file dialects agentls knows, in detection order: the first dialect
-- whose `paths` match the file (and whose `exclude_paths` do not) wins; `plugin_paths` apply
-- only inside a Claude Code plugin (a folder holding `.claude-plugin/plugin.json`).
-- Globs use globset syntax: `*` stays within a path component, `**` crosses them.
return {
  {
    dialect = 'claude-agent',
    title = 'Claude Code subagent',
    paths = { '**/.claude/agents/**/*.md' },
    exclude_paths = {},
    plugin_paths = { '**/agents/**/*.md' },
  },
  {
    dialect = 'claude-command',
    title = 'Claude Code slash command',
    paths = { '**/.claude/commands/**/*.md' },
    exclude_paths = {},
    plugin_paths = { '**/commands/**/*.md' },
  },
  {
    dialect = 'copilot-chatmode',
    title = 'GitHub Copilot chat mode (legacy)',
    paths = { '**/*.chatmode.md', '**/.github/chatmodes/*.md' },
    exclude_paths = { '**/README.md' },
    plugin_paths = {},
  },
  {
    dialect = 'copilot-prompt',
    title = 'GitHub Copilot prompt file',
    paths = { '**/*.prompt.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'copilot-instructions',
    title = 'GitHub Copilot instructions file',
    paths = { '**/*.instructions.md', '**/.github/copilot-instructions.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'cursor-rule',
    title = 'Cursor rule',
    paths = { '**/.cursor/rules/**/*.mdc' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'cursor-subagent',
    title = 'Cursor subagent',
    paths = { '**/.cursor/agents/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'opencode-agent',
    title = 'OpenCode agent',
    paths = { '**/.opencode/agent/**/*.md', '**/.opencode/agents/**/*.md', '**/.config/opencode/agent/**/*.md', '**/.config/opencode/agents/**/*.md', '**/.opencode/mode/*.md', '**/.opencode/modes/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'opencode-command',
    title = 'OpenCode command',
    paths = { '**/.opencode/command/**/*.md', '**/.opencode/commands/**/*.md', '**/.config/opencode/command/**/*.md', '**/.config/opencode/commands/**/*.md' },
    exclude_paths = { '**/README.md' },
    plugin_paths = {},
  },
  {
    dialect = 'gemini-subagent',
    title = 'Gemini CLI subagent',
    paths = { '**/.gemini/agents/*.md', '**/.config/gemini-cli/agents/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'kiro-steering',
    title = 'Kiro steering file',
    paths = { '**/.kiro/steering/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'windsurf-rule',
    title = 'Windsurf rule',
    paths = { '**/.windsurf/rules/*.md', '**/.devin/rules/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'factory-droid',
    title = 'Factory droid',
    paths = { '**/.factory/droids/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'codex-prompt',
    title = 'Codex custom prompt',
    paths = { '**/.codex/prompts/*.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'claude-skill',
    title = 'Claude Code skill',
    paths = { '**/.claude/skills/*/SKILL.md' },
    exclude_paths = {},
    plugin_paths = { '**/skills/*/SKILL.md' },
  },
  {
    dialect = 'agent-skill',
    title = 'Agent Skill',
    paths = { '**/.agents/skills/*/{SKILL,skill}.md', '**/.github/skills/*/{SKILL,skill}.md', '**/.copilot/skills/*/{SKILL,skill}.md', '**/.opencode/skills/*/{SKILL,skill}.md', '**/.config/opencode/skills/*/{SKILL,skill}.md', '**/.cursor/skills/*/{SKILL,skill}.md', '**/.factory/skills/*/{SKILL,skill}.md' },
    exclude_paths = {},
    plugin_paths = {},
  },
  {
    dialect = 'claude-output-style',
    title = 'Claude Code output style',
    paths = { '**/.claude/output-styles/*.md' },
    exclude_paths = {},
    plugin_paths = { '**/output-styles/*.md' },
  },
  {
    dialect = 'copilot-agent',
    title = 'GitHub Copilot custom agent',
    paths = { '**/*.agent.md', '**/.github/agents/*.md', '**/.copilot/agents/*.md' },
    exclude_paths = { '**/README.md' },
    plugin_paths = {},
  },
}
