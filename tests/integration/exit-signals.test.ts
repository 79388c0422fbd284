/**
 * Issue 16, item 4: SIGINT/SIGTERM with a stream open. Without a handler of the agent's own, the process still ends
 * by that signal (as without agenttap), and the log keeps the open exchange as `interrupted` and `session.end`. An
 * agent that handles the signal itself (a TUI's Ctrl-C) sees no change: same listeners, same output, same exit.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { LOADER, ROOT, scratch } from '../helpers/run.js';

const APP = join(ROOT, 'tests/fixtures/apps/exit-paths.mjs');
let mock: MockServer;
// Slow enough that the stream is open when the signal comes (a default reply is a handful of events).
beforeAll(async () => (mock = await startMock({ pacingMs: 400 })));
afterAll(() => mock.close());

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  sessionDir: string;
}

/** Runs the fixture in `mode`, sends `signal` once it prints "streaming", waits for the end (bounded). */
function interrupt(mode: 'wait' | 'handler' | 'cleanup', signal: NodeJS.Signals, loader: boolean): Promise<Ended> {
  const home = scratch('agenttap-home-');
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    MOCK_URL: mock.url,
    AGENTTAP_DIR: home,
    AGENTTAP_SESSION: 'session',
    AGENTTAP_KEY_FILE: join(ROOT, 'tests/fixtures/redaction.key'),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(loader ? ['--import', LOADER] : []), APP, mode, '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!sent && stdout.includes('streaming\n')) {
        child.kill(signal);
        sent = true;
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; stdout: ${stdout}; stderr: ${stderr}`));
    }, 30_000);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr, sessionDir: join(home, 'session') });
    });
  });
}

function logLines(dir: string): { event: string; outcome?: string }[] {
  return readdirSync(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; outcome?: string }),
  );
}

describe('a signal with a stream open', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} and no handler: ends by ${signal}, the exchange logged as interrupted, then session.end`, async () => {
      const plain = await interrupt('wait', signal, false);
      const run = await interrupt('wait', signal, true);
      expect({ code: run.code, signal: run.signal, stdout: run.stdout }).toEqual({
        code: plain.code,
        signal: plain.signal,
        stdout: plain.stdout,
      });
      expect(run.signal).toBe(signal);
      expect(run.stderr).toBe('');
      const lines = logLines(run.sessionDir).filter((l) => l.event !== 'blob');
      expect(
        lines.map((l) => l.event),
        run.stderr,
      ).toEqual(['session.start', 'exchange.request', 'exchange.response', 'exchange.end', 'session.end']);
      expect(lines[3]!.outcome).toBe('interrupted');
    });
  }

  it('an agent that handles SIGINT itself sees the same listeners, output and exit; the stream completes', async () => {
    const plain = await interrupt('handler', 'SIGINT', false);
    const run = await interrupt('handler', 'SIGINT', true);
    expect(plain.stdout).toBe('streaming\nhandled SIGINT (1 listener)\ndone\n');
    expect({ code: run.code, signal: run.signal, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      signal: null,
      stdout: plain.stdout,
      stderr: '',
    });
    const lines = logLines(run.sessionDir).filter((l) => l.event !== 'blob');
    expect(lines.map((l) => l.event)).toEqual([
      'session.start',
      'exchange.request',
      'exchange.response',
      'exchange.end',
      'session.end',
    ]);
    expect(lines[3]!.outcome).toBe('complete');
  });

  it('a handler that re-raises when it is the only listener (signal-exit) still ends the process by the signal', async () => {
    const plain = await interrupt('cleanup', 'SIGTERM', false);
    const run = await interrupt('cleanup', 'SIGTERM', true);
    expect(plain).toMatchObject({ signal: 'SIGTERM', stdout: 'streaming\ncleanup\n' });
    expect({ code: run.code, signal: run.signal, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: plain.code,
      signal: plain.signal,
      stdout: plain.stdout,
      stderr: '',
    });
  });
});
