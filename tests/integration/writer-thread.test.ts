/**
 * Issue 13: the log writer's load (pino, secretlint's rules, the redactor: 0.3–0.5 s of CPU) ran on the agent's
 * thread in the first pause after its first model call — a stall the agent saw. With the capture worker, the agent's
 * thread loads a writer that only starts the worker and hands bytes over; `session.start` and warnings are
 * redacted in the worker. Without the worker (AGENTTAP_REDACT_WORKER=0) the heavy parts load here, as before.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

const APP = join(ROOT, 'tests/fixtures/apps/writer-thread.mjs');
const SECRET = `sk-ant-api03-${'x7Kq2mZp9RtLw4Vn8YbJc3Hd6Fg1Sa5Ue0Io'.repeat(2)}AA`;

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

async function run(env: Record<string, string> = {}) {
  const result = await runNode(APP, { args: ['--key', SECRET], env: { ANTHROPIC_BASE_URL: mock.url, ...env } });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  const events = await sessionEvents(result.sessionDir);
  return { loaded: JSON.parse(result.stdout) as { pino: boolean; writerParts: boolean; maxStallMs: number }, events };
}

describe("the log writer on the agent's thread", () => {
  it('loads neither pino nor the redactor there; the worker writes session.start redacted and the exchange', async () => {
    const { loaded, events } = await run();
    expect(loaded).toMatchObject({ pino: false, writerParts: false });
    const [start] = eventsOf(events, 'session.start');
    expect(start!.argv.at(-2)).toBe('--key');
    expect(start!.argv.at(-1)).toMatch(/^\[REDACTED:/);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(eventsOf(events, 'exchange.end')).toHaveLength(1);
  });

  it('without the worker, loads them there and redacts the same', async () => {
    const { loaded, events } = await run({ AGENTTAP_REDACT_WORKER: '0' });
    expect(loaded).toMatchObject({ pino: true, writerParts: true });
    expect(eventsOf(events, 'session.start')[0]!.argv.at(-1)).toMatch(/^\[REDACTED:/);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    expect(eventsOf(events, 'exchange.end')).toHaveLength(1);
  });
});
