/**
 * `agenttap run -- <command…>` on small Node agents: children join the session, stdio / exit code / signals pass
 * through untouched, and targets the loader cannot enter are refused before anything runs.
 */
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { ROOT, eventsOf, runNode, scratch, sessionEvents } from '../helpers/run.js';

const AGENTS = join(ROOT, 'tests', 'fixtures', 'agents');
const PARENT_CHILD = join(AGENTS, 'parent-child.mjs');

const agenttap = (args: string[], env: Record<string, string | undefined> = {}, cwd?: string) =>
  runNode(AGENTTAP_BIN, { loader: false, args, env, cwd });

describe('agenttap run', () => {
  let mock: MockServer;
  beforeAll(async () => {
    mock = await startMock();
  });
  afterAll(() => mock.close());

  test('a Node agent and the Node child it spawns land in one session, each with its own file', async () => {
    const plain = await runNode(PARENT_CHILD, { loader: false, args: ['3'], env: { MOCK_URL: mock.url } });
    const run = await agenttap(['run', '--', 'node', PARENT_CHILD, '3'], { MOCK_URL: mock.url });
    expect(run.code).toBe(3);
    expect(plain.code).toBe(3);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stdout).toContain('child: ');

    expect(readdirSync(run.sessionDir).filter((f) => f.endsWith('.ndjson'))).toHaveLength(2);
    const events = await sessionEvents(run.sessionDir);
    const starts = eventsOf(events, 'session.start');
    expect(starts).toHaveLength(2);
    expect(new Set(starts.map((e) => e.session))).toEqual(new Set(['session']));
    const [parent, child] = [
      starts.find((e) => e.parent_pid === undefined)!,
      starts.find((e) => e.parent_pid !== undefined)!,
    ];
    expect(child.parent_pid).toBe(parent.pid);
    const requests = eventsOf(events, 'exchange.request');
    expect(requests.map((e) => e.pid).sort()).toEqual([parent.pid, child.pid].sort());
    expect(run.stderr).toMatch(
      /^agenttap: session .*session \(2 model calls, 2 processes\) — read it with: agenttap cat /m,
    );
  });

  test('--no-children keeps the child out and the agent in', async () => {
    const run = await agenttap(['run', '--no-children', '--', 'node', PARENT_CHILD], { MOCK_URL: mock.url });
    expect(run.code).toBe(0);
    const starts = eventsOf(await sessionEvents(run.sessionDir), 'session.start');
    expect(starts).toHaveLength(1);
    expect(starts[0]!.parent_pid).toBeUndefined();
  });

  test('the loader is appended to NODE_OPTIONS, never replacing it, and an inherited session is not joined', async () => {
    // One model call: a process that makes none writes no log (issue 16), and the log is what shows which session it joined.
    const call = `fetch(process.env.MOCK_URL + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }) })`;
    const run = await agenttap(
      [
        'run',
        '--',
        'node',
        '-e',
        `${call}.then((r) => r.text()).then(() => process.stdout.write(process.env.NODE_OPTIONS))`,
      ],
      {
        MOCK_URL: mock.url,
        NODE_OPTIONS: '--max-old-space-size=300',
        AGENTTAP_SESSION_DIR: '/nonexistent/outer',
        AGENTTAP_SESSION_ID: 'outer',
        AGENTTAP_PARENT_PID: '1',
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^--max-old-space-size=300 --import file:\/\/\/.*\/loader$/);
    expect(readdirSync(run.sessionDir).filter((f) => f.endsWith('.ndjson'))).toHaveLength(1);
    expect(existsSync('/nonexistent/outer')).toBe(false);
  });

  test('signals reach the agent, and agenttap ends the way the agent ended', async () => {
    const home = scratch();
    const child = spawn(process.execPath, [AGENTTAP_BIN, 'run', '--', 'node', join(AGENTS, 'signals.mjs')], {
      env: { PATH: process.env.PATH, HOME: home, AGENTTAP_DIR: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('agent never got ready')), 10_000);
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        if (stdout.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stdout).toContain('got SIGTERM');
    expect(code).toBe(42);

    const self = await agenttap(['run', '--', 'node', join(AGENTS, 'signals.mjs'), 'self']);
    expect(self.signal).toBe('SIGTERM');
  });

  test('a bad config stops before the agent starts (exit 78)', async () => {
    const marker = join(scratch(), 'started');
    const run = await agenttap(
      ['run', '--', 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`],
      { AGENTTAP_CHILDREN: 'sometimes' },
    );
    expect(run.code).toBe(78);
    expect(run.stderr).toContain('AGENTTAP_CHILDREN');
    expect(existsSync(marker)).toBe(false);
  });
});

describe('agenttap run on a target the loader cannot enter', () => {
  const dir = scratch('agenttap-targets-');
  const marker = join(dir, 'ran');
  const shell = join(dir, 'agent.sh');
  writeFileSync(shell, `#!/bin/sh\ntouch ${marker}\n`);
  const python = join(dir, 'agent.py');
  writeFileSync(python, `#!/usr/bin/env python3\nopen(${JSON.stringify(marker)}, "w")\n`);
  chmodSync(shell, 0o755);
  chmodSync(python, 0o755);

  const cases: [string, string[], RegExp][] = [
    ['a shell script', [shell], /is a sh script/],
    ['a Python script', [python, '--flag'], /is a python3 script/],
    ['a native executable', ['/bin/true'], /is a native executable \(ELF\)/],
  ];
  test.each(cases)(
    '%s: the proxy command is printed, nothing runs, no session is made',
    async (_name, command, what) => {
      const run = await agenttap(['run', '--', ...command]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(what);
      expect(run.stderr).toContain(`agenttap proxy --upstream`);
      expect(run.stderr).toContain(`--exec -- ${command.join(' ')}`);
      expect(run.stdout).toBe('');
      expect(existsSync(marker)).toBe(false);
      expect(existsSync(run.sessionDir)).toBe(false);
    },
  );

  // The native Claude Code itself is Bun-compiled and runs in-process (tests/e2e/claude-code-native-run.test.ts).
  test('a native `claude` that is not Bun-compiled: the exact command for Anthropic', async () => {
    const claude = join(dir, 'claude');
    copyFileSync('/bin/true', claude);
    chmodSync(claude, 0o755);
    const run = await agenttap(['run', '--', claude, '-p', 'fix the bug']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `agenttap proxy --upstream https://api.anthropic.com --exec -- ${claude} -p 'fix the bug'`,
    );
  });

  test('--force runs it anyway', async () => {
    const run = await agenttap(['run', '--force', '--', shell]);
    expect(run.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    expect(run.stderr).toContain('nothing was captured');
  });

  test('a command that does not exist', async () => {
    const run = await agenttap(['run', '--', 'agenttap-no-such-command']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('agenttap-no-such-command: command not found');
  });
});
