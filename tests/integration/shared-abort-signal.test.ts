/**
 * Issue 16 item 5: one AbortSignal shared by 2 000 sequential fetches. The tap once added an abort listener
 * per exchange and never removed it: 981 MaxListenersExceededWarning lines on the agent's stderr. The agent's
 * stderr and what it can see of its signal must be the same with and without the loader.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

const COUNT = 2000;
let mock: MockServer;
beforeAll(async () => (mock = await startMock({ maxReceived: 10 })));
afterAll(() => mock.close());

const run = (loader: boolean) =>
  runNode(join(ROOT, 'tests/fixtures/apps/shared-signal.mjs'), {
    loader,
    nodeArgs: ['--expose-gc'],
    env: { MOCK_URL: mock.url, COUNT: String(COUNT) },
    timeoutMs: 90_000,
  });

describe('a shared AbortSignal', () => {
  it(`${COUNT} fetches with one signal leave the agent's stderr and the signal's listeners as plain Node does`, async () => {
    const plain = await run(false);
    const tapped = await run(true);
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual({ ok: COUNT, listeners: 0 }); // the calls really ran
    expect(tapped.code).toBe(0);
    expect(tapped.stderr).toBe(plain.stderr);
    expect(tapped.stdout).toBe(plain.stdout);
    // …and the tap saw each call through to its end.
    const ends = eventsOf(await sessionEvents(tapped.sessionDir), 'exchange.end');
    expect(ends.length).toBe(COUNT);
    expect(ends.every((e) => e.outcome === 'complete')).toBe(true);
  }, 200_000);
});
