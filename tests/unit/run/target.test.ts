import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { inspectTarget } from '../../../src/run/target.js';
import { withBunPreload, withLoader } from '../../../src/run/environment.js';
import { nativeClaudeCode } from '../../helpers/claude-code.js';
import { scratch } from '../../helpers/run.js';

describe('inspectTarget', () => {
  const dir = scratch('agenttap-target-');
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text, 'latin1');
    chmodSync(path, 0o755);
    return path;
  };
  const env = { PATH: dir };

  test.each([
    ['#!/usr/bin/env node\n', 'node'],
    ['#!/usr/bin/env -S node --no-warnings\n', 'node'],
    ['#!/usr/bin/env NODE_ENV=production node\n', 'node'],
    ['#!/usr/local/bin/node\n', 'node'],
    ['#!/usr/bin/env python3\n', 'script'],
    ['#!/bin/bash\nexec node x.js\n', 'script'],
    ['\x7fELF\x02\x01\x01', 'native'],
  ] as const)('%j → %s', (text, kind) => {
    const path = file(`t${Math.random().toString(36).slice(2)}`, text);
    expect(inspectTarget([path], env).kind).toBe(kind);
  });

  test('found on PATH by name, like a shell', () => {
    file('my-agent', '#!/usr/bin/env node\n');
    expect(inspectTarget(['my-agent', '--flag'], env)).toMatchObject({
      kind: 'node',
      file: join(dir, 'my-agent'),
      argv: ['my-agent', '--flag'],
    });
  });

  test('node itself, under any name it is installed as', () => {
    expect(inspectTarget(['node', 'x.js']).kind).toBe('node');
    const copy = join(dir, 'node-copy');
    copyFileSync(process.execPath, copy);
    chmodSync(copy, 0o755);
    expect(inspectTarget([copy]).kind).toBe('native'); // a renamed node binary is not recognised: --force
  });

  test('a .mjs without a shebang runs through this node', () => {
    const path = file('agent.mjs', 'console.log(1)\n');
    expect(inspectTarget([path, 'a']).argv).toEqual([process.execPath, path, 'a']);
  });

  test('`bun build --compile` output: a "Bun" ELF note (namesz 4, descsz, type 1) near the start', () => {
    const elf = (tail: string) => `\x7fELF\x02\x01\x01${'\0'.repeat(900)}${tail}`;
    expect(inspectTarget([file('bun-note', elf('\x04\0\0\0\xf8\x0f\0\0\x01\0\0\0Bun\0'))], env).kind).toBe('bun');
    expect(inspectTarget([file('bun-word', elf('a Bun\0 string'))], env).kind).toBe('native');
  });

  test.runIf(nativeClaudeCode())('the native Claude Code binary is Bun-compiled', () => {
    expect(inspectTarget([nativeClaudeCode()!])).toMatchObject({
      kind: 'bun',
      what: 'a Bun-compiled executable (ELF)',
    });
  });

  test('missing', () => {
    expect(inspectTarget(['nope-not-here'], env).kind).toBe('missing');
    expect(inspectTarget([]).kind).toBe('missing');
  });
});

describe('withLoader', () => {
  test('appends once, keeps what is there', () => {
    expect(withLoader(undefined, '/a b/loader')).toBe('--import file:///a%20b/loader');
    expect(withLoader('--max-old-space-size=300', '/x/loader')).toBe(
      '--max-old-space-size=300 --import file:///x/loader',
    );
    expect(withLoader('--import file:///x/loader', '/x/loader')).toBe('--import file:///x/loader');
  });
});

describe('withBunPreload', () => {
  test('added to what the user set, once; a path with spaces quoted', () => {
    expect(withBunPreload(undefined, '/x/bun')).toBe('--preload=/x/bun');
    expect(withBunPreload('--smol --preload=/u/mine.ts', '/x/bun')).toBe(
      '--smol --preload=/u/mine.ts --preload=/x/bun',
    );
    expect(withBunPreload('--preload=/x/bun', '/x/bun')).toBe('--preload=/x/bun');
    expect(withBunPreload('', '/a b/bun')).toBe('--preload="/a b/bun"');
  });
});
