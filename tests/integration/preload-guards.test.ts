/**
 * docs/preload.md#workers-and-children: the preload runs in worker threads and in every Node child that inherits NODE_OPTIONS.
 * Workers never capture (no double records, no pino worker); children join the session with their own
 * file, or stay out with AGENTTAP_CHILDREN=off.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, LOADER, ROOT, runNode, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

async function run(env: Record<string, string> = {}) {
  mock.reset();
  const result = await runNode(join(ROOT, 'tests/fixtures/apps/worker-and-child.mjs'), {
    env: { MOCK_URL: mock.url, LOADER_PATH: LOADER, ...env },
  });
  expect(result.stderr).toBe('');
  expect(result.stdout).toBe('child exit 0\n');
  expect(mock.received.map((r) => (r.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual([
    'from main',
    'from worker',
    'from child',
  ]);
  return result;
}

function whoCalled(events: Awaited<ReturnType<typeof sessionEvents>>) {
  return eventsOf(events, 'exchange.request').map(
    (e) => (e.body as { messages: { content: string }[] }).messages[0]!.content,
  );
}

describe('preload guards', () => {
  it('captures the main thread and the child (own file, same session), never the worker', async () => {
    const { sessionDir } = await run();
    const files = readdirSync(sessionDir).filter((f) => f.endsWith('.ndjson'));
    expect(files.length).toBe(2);
    const events = await sessionEvents(sessionDir);
    expect(whoCalled(events).sort()).toEqual(['from child', 'from main']);
    const starts = eventsOf(events, 'session.start');
    const parent = starts.find((s) => s.parent_pid === undefined)!;
    const child = starts.find((s) => s.parent_pid !== undefined)!;
    expect(child.parent_pid).toBe(parent.pid);
    expect(new Set(starts.map((s) => s.session)).size).toBe(1);
  });

  it('leaves children out with AGENTTAP_CHILDREN=off', async () => {
    const { sessionDir } = await run({ AGENTTAP_CHILDREN: 'off' });
    expect(readdirSync(sessionDir).filter((f) => f.endsWith('.ndjson')).length).toBe(1);
    expect(whoCalled(await sessionEvents(sessionDir))).toEqual(['from main']);
  });
});
