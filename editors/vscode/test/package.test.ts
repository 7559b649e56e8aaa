// Builds the real .vsix with `npm run package` and checks what VS Code will read from it.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';

import { ACTIVATION_EVENTS, AGENT_GLOBS, CONFIG_FILE_GLOB, PLUGIN_MANIFEST_GLOB } from '../src/selector.ts';
import { type ZipEntry, readZip } from './zip.ts';

interface Manifest {
  name: string;
  publisher: string;
  version: string;
  main: string;
  engines: { vscode: string };
  activationEvents: string[];
  capabilities?: {
    untrustedWorkspaces?: { supported: boolean | 'limited'; restrictedConfigurations?: string[] };
    virtualWorkspaces?: boolean | { supported: boolean };
  };
  contributes: {
    languages?: unknown;
    commands: { command: string; title: string; category: string }[];
    configuration: {
      properties: Record<string, { type: string; default: unknown; markdownDescription: string; enum?: string[] }>;
    };
  };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const root = path.resolve(__dirname, '..');
const source = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;

function checkManifest(manifest: Manifest): void {
  assert.equal(manifest.main, './dist/extension.js');
  // package.json cannot import patterns.json: its list must equal the generated one.
  assert.deepEqual(
    manifest.activationEvents,
    ACTIVATION_EVENTS,
    'activationEvents differ from editors/patterns.json: paste the ACTIVATION_EVENTS of src/selector.ts',
  );
  assert.deepEqual(manifest.activationEvents, [
    ...AGENT_GLOBS.map((glob) => `workspaceContains:${glob}`),
    `workspaceContains:${PLUGIN_MANIFEST_GLOB}`,
    `workspaceContains:${CONFIG_FILE_GLOB}`,
  ]);
  assert.ok(manifest.activationEvents.includes('workspaceContains:**/.agentls.yaml'));
  assert.ok(!manifest.activationEvents.includes('onLanguage:yaml'), 'YAML files in general must not activate it');
  assert.ok(!manifest.activationEvents.some((e) => ['*', 'onStartupFinished', 'onLanguage:markdown', 'onLanguage:yaml'].includes(e)));
  assert.equal(manifest.contributes.languages, undefined, 'must not claim Markdown files for a language of its own');
  assert.deepEqual(
    manifest.contributes.commands.map((c) => `${c.category}: ${c.title} = ${c.command}`),
    ['agentls: Restart Server = agentls.restartServer', 'agentls: Show Output = agentls.showOutput'],
  );
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(Object.keys(properties).sort(), [
    'agentls.dialect',
    'agentls.server.extraArgs',
    'agentls.server.path',
    'agentls.trace.server',
    'agentls.workspaceDiagnostics',
  ]);
  const workspaceDiagnostics = properties['agentls.workspaceDiagnostics'];
  assert.ok(workspaceDiagnostics);
  assert.equal(workspaceDiagnostics.type, 'boolean');
  assert.equal(workspaceDiagnostics.default, true);
  assert.equal(properties['agentls.dialect']?.type, 'object');
  for (const [key, property] of Object.entries(properties)) {
    assert.ok(property.markdownDescription.length > 30, `${key} needs a description`);
  }
  assert.deepEqual(properties['agentls.trace.server']?.enum, ['off', 'messages', 'verbose']);
  // In untrusted workspaces, a repository's settings must not choose which program runs.
  assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, [
    'agentls.server.path',
    'agentls.server.extraArgs',
  ]);
}

describe('package.json', () => {
  it('declares activation, commands, settings and workspace trust', () => {
    checkManifest(source);
  });

  it('pins the VS Code API types to the engine minimum', () => {
    assert.equal(source.engines.vscode, '^1.91.0');
    assert.equal(source.devDependencies['@types/vscode'], '~1.91.0');
    assert.match(source.devDependencies['@vscode/vsce'] ?? '', /^\^3\./);
    assert.match(source.dependencies['vscode-languageclient'] ?? '', /^\^11\./);
  });
});

describe('npm run package', () => {
  let entries: ZipEntry[] = [];

  before(() => {
    const vsix = path.join(root, 'agentls.vsix');
    fs.rmSync(vsix, { force: true });
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
    entries = readZip(fs.readFileSync(vsix));
  });

  it('writes a .vsix with the bundle and nothing from node_modules or src', () => {
    const names = entries.map((e) => e.name);
    for (const required of ['extension.vsixmanifest', '[Content_Types].xml', 'extension/package.json', 'extension/dist/extension.js', 'extension/readme.md']) {
      assert.ok(names.includes(required), `${required} missing from ${names.join(', ')}`);
    }
    const leaked = names.filter((n) => /^extension\/(node_modules|src|test|scripts)\//.test(n) || n.endsWith('.ts'));
    assert.deepEqual(leaked, []);
  });

  it('ships a manifest VS Code will activate the bundle from', () => {
    const packaged = JSON.parse(entries.find((e) => e.name === 'extension/package.json')?.data().toString('utf8') ?? '{}') as Manifest;
    checkManifest(packaged);
    assert.equal(packaged.version, source.version);
    const vsixManifest = entries.find((e) => e.name === 'extension.vsixmanifest')?.data().toString('utf8') ?? '';
    assert.match(vsixManifest, new RegExp(`Id="${source.name}"[^>]*Publisher="${source.publisher}"`));
    assert.match(vsixManifest, /Microsoft\.VisualStudio\.Code\.Engine" Value="\^1\.91\.0"/);
  });

  it('bundles vscode-languageclient but not vscode', () => {
    const bundle = entries.find((e) => e.name === 'extension/dist/extension.js')?.data().toString('utf8') ?? '';
    assert.ok(bundle.length > 10_000, 'bundle is suspiciously small');
    assert.match(bundle, /require\("vscode"\)/);
    assert.doesNotMatch(bundle, /require\("vscode-languageclient/);
    assert.match(bundle, /agentls\.restartServer/);
    // The document selector it builds takes the configuration file, as YAML.
    assert.match(bundle, /\*\*\/\.agentls\.yaml/);
  });
});
