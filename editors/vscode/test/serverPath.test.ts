import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import {
  INSTALL_COMMAND,
  type ResolveOptions,
  binaryName,
  bundledServerPath,
  describeFailure,
  expandConfiguredPath,
  findOnPath,
  isExecutableFileSync,
  resolveServer,
} from '../src/serverPath.ts';

/** Options over a fake file system holding exactly `executables`. */
function linux(executables: string[], overrides: Partial<ResolveOptions> = {}): ResolveOptions {
  const files = new Set(executables);
  return {
    extensionPath: '/ext/agentls-0.1.0',
    workspaceFolder: '/work/project',
    platform: 'linux',
    env: { PATH: '/usr/local/bin:/usr/bin:/home/me/.cargo/bin' },
    homedir: '/home/me',
    isExecutableFile: (file) => files.has(file),
    ...overrides,
  };
}

describe('resolveServer', () => {
  it('prefers the setting over the bundled binary and PATH', () => {
    const opts = linux(['/opt/agentls/bin/agentls', '/ext/agentls-0.1.0/server/agentls', '/usr/bin/agentls'], {
      configuredPath: '/opt/agentls/bin/agentls',
    });
    assert.deepEqual(resolveServer(opts), {
      kind: 'found',
      path: '/opt/agentls/bin/agentls',
      source: 'setting',
    });
  });

  it('reports a setting that points nowhere instead of falling back', () => {
    const opts = linux(['/usr/bin/agentls'], { configuredPath: '~/bin/agentls' });
    assert.deepEqual(resolveServer(opts), {
      kind: 'invalid-setting',
      configured: '~/bin/agentls',
      resolved: '/home/me/bin/agentls',
    });
  });

  it('treats a blank setting as unset', () => {
    const opts = linux(['/usr/bin/agentls'], { configuredPath: '   ' });
    assert.deepEqual(resolveServer(opts), { kind: 'found', path: '/usr/bin/agentls', source: 'path' });
  });

  it('uses the bundled binary before PATH', () => {
    const opts = linux(['/ext/agentls-0.1.0/server/agentls', '/usr/bin/agentls']);
    assert.deepEqual(resolveServer(opts), {
      kind: 'found',
      path: '/ext/agentls-0.1.0/server/agentls',
      source: 'bundled',
    });
  });

  it('takes the first PATH entry that has agentls', () => {
    const opts = linux(['/usr/bin/agentls', '/home/me/.cargo/bin/agentls']);
    assert.deepEqual(resolveServer(opts), { kind: 'found', path: '/usr/bin/agentls', source: 'path' });
  });

  it('lists every place it looked when nothing is found', () => {
    const result = resolveServer(linux([]));
    assert.deepEqual(result, {
      kind: 'not-found',
      tried: [
        '/ext/agentls-0.1.0/server/agentls',
        '/usr/local/bin/agentls',
        '/usr/bin/agentls',
        '/home/me/.cargo/bin/agentls',
      ],
    });
  });

  it('finds agentls.exe through Path and PATHEXT on Windows', () => {
    const opts = linux(['C:\\Users\\me\\.cargo\\bin\\agentls.exe'], {
      platform: 'win32',
      extensionPath: 'C:\\ext\\agentls',
      workspaceFolder: 'C:\\work',
      homedir: 'C:\\Users\\me',
      env: { Path: 'C:\\Windows;"C:\\Users\\me\\.cargo\\bin"', PATHEXT: '.COM;.EXE' },
    });
    assert.deepEqual(resolveServer(opts), {
      kind: 'found',
      path: 'C:\\Users\\me\\.cargo\\bin\\agentls.exe',
      source: 'path',
    });
  });

  it('uses the bundled agentls.exe on Windows', () => {
    const opts = linux(['C:\\ext\\agentls\\server\\agentls.exe'], {
      platform: 'win32',
      extensionPath: 'C:\\ext\\agentls',
      env: {},
    });
    assert.deepEqual(resolveServer(opts), {
      kind: 'found',
      path: 'C:\\ext\\agentls\\server\\agentls.exe',
      source: 'bundled',
    });
  });
});

describe('expandConfiguredPath', () => {
  const base = { platform: 'linux' as const, homedir: '/home/me', workspaceFolder: '/work/project' };

  it('expands ~ and ${userHome}', () => {
    assert.equal(expandConfiguredPath('~/.cargo/bin/agentls', base), '/home/me/.cargo/bin/agentls');
    assert.equal(expandConfiguredPath('${userHome}/agentls', base), '/home/me/agentls');
    assert.equal(expandConfiguredPath('~', base), '/home/me');
  });

  it('expands ${workspaceFolder} and resolves relative paths against it', () => {
    assert.equal(
      expandConfiguredPath('${workspaceFolder}/target/debug/agentls', base),
      '/work/project/target/debug/agentls',
    );
    assert.equal(expandConfiguredPath('target/release/agentls', base), '/work/project/target/release/agentls');
    assert.equal(expandConfiguredPath('../agentls/target/agentls', base), '/work/agentls/target/agentls');
  });

  it('resolves relative paths against the home directory without a workspace', () => {
    assert.equal(
      expandConfiguredPath('bin/agentls', { platform: 'linux', homedir: '/home/me' }),
      '/home/me/bin/agentls',
    );
  });

  it('keeps absolute Windows paths', () => {
    assert.equal(
      expandConfiguredPath('D:\\tools\\agentls.exe', { platform: 'win32', homedir: 'C:\\Users\\me' }),
      'D:\\tools\\agentls.exe',
    );
    assert.equal(
      expandConfiguredPath('~\\bin\\agentls.exe', { platform: 'win32', homedir: 'C:\\Users\\me' }),
      'C:\\Users\\me\\bin\\agentls.exe',
    );
  });
});

describe('helpers', () => {
  it('names the binary per platform', () => {
    assert.equal(binaryName('linux'), 'agentls');
    assert.equal(binaryName('darwin'), 'agentls');
    assert.equal(binaryName('win32'), 'agentls.exe');
    assert.equal(bundledServerPath('/ext', 'darwin'), '/ext/server/agentls');
  });

  it('does not search an empty PATH', () => {
    assert.deepEqual(findOnPath('agentls', { env: {}, platform: 'linux', isExecutableFile: () => true }), {
      tried: [],
    });
  });

  it('explains both failures with a way out', () => {
    const notFound = describeFailure({ kind: 'not-found', tried: [] });
    assert.match(notFound, /not found/);
    assert.ok(notFound.includes(INSTALL_COMMAND));
    assert.ok(notFound.includes('agentls.server.path'));
    const invalid = describeFailure({ kind: 'invalid-setting', configured: 'x', resolved: '/w/x' });
    assert.ok(invalid.includes('/w/x'));
    assert.ok(invalid.includes('agentls.server.path'));
  });
});

describe('isExecutableFileSync', () => {
  it('accepts executable files and rejects directories, plain files and missing paths', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentls-vscode-'));
    try {
      const exe = path.join(dir, 'agentls');
      const plain = path.join(dir, 'notes.txt');
      fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
      fs.writeFileSync(plain, 'x', { mode: 0o644 });
      assert.equal(isExecutableFileSync(exe), true);
      assert.equal(isExecutableFileSync(dir), false);
      assert.equal(isExecutableFileSync(path.join(dir, 'missing')), false);
      // Even for root, access(X_OK) requires an execute bit on a regular file.
      if (process.platform !== 'win32') {
        assert.equal(isExecutableFileSync(plain), false);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
