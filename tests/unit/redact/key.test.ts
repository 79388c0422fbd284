import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateKey } from '../../../src/policy/redact/index.js';

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'agenttap-key-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('loadOrCreateKey', () => {
  it('creates a 32-byte key with mode 0600, parent directories included', () => {
    const file = join(tempDir(), 'nested', 'dir', 'redact.key');
    const key = loadOrCreateKey(file);
    expect(key).toHaveLength(32);
    expect(readFileSync(file).equals(key)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    // No temp file left behind.
    expect(readdirSync(join(file, '..'))).toEqual(['redact.key']);
  });

  it('reads the same key back', () => {
    const file = join(tempDir(), 'redact.key');
    const first = loadOrCreateKey(file);
    expect(loadOrCreateKey(file).equals(first)).toBe(true);
  });

  it("uses a key someone else wrote (the loser of a race reads the winner's key)", () => {
    const file = join(tempDir(), 'redact.key');
    const theirs = Buffer.alloc(32, 0xab);
    writeFileSync(file, theirs, { mode: 0o600 });
    expect(loadOrCreateKey(file).equals(theirs)).toBe(true);
  });

  it('different installs get different keys', () => {
    expect(loadOrCreateKey(join(tempDir(), 'k')).equals(loadOrCreateKey(join(tempDir(), 'k')))).toBe(false);
  });

  it('refuses a key file of the wrong length', () => {
    const file = join(tempDir(), 'redact.key');
    writeFileSync(file, 'short');
    expect(() => loadOrCreateKey(file)).toThrow(/32/);
  });
});
