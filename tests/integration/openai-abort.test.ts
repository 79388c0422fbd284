/** docs/fetch-tap.md#cancelled-streams-end-the-record: an aborted or abandoned openai stream still ends its record — exactly once. */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
// A 4 s stream: a record that ended at the stop is far shorter, even on a loaded machine (CI saw 1.2 s at load 12).
const PACING_MS = 40;
const CHUNKS = 100;
beforeAll(async () => (mock = await startMock({ pacingMs: PACING_MS, textChunks: CHUNKS })));
afterAll(() => mock.close());

describe('openai stream lifecycle', () => {
  it('abort and break each finish their exchange once, with the right outcome', async () => {
    const env = { OPENAI_BASE_URL: `${mock.url}/v1`, OPENAI_API_KEY: 'sk-test' };
    const plain = await runNode(join(ROOT, 'tests/fixtures/apps/openai-abort.mjs'), { loader: false, env });
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/openai-abort.mjs'), { env });
    expect(run.code, run.stderr).toBe(0);
    // openai 7 ends an aborted iteration quietly; whatever it does, it does the same under the loader.
    expect(run.stdout).toMatch(/^abort: \w+; break after 1 chunk\n$/);
    expect(run.stdout).toBe(plain.stdout);
    const events = await sessionEvents(run.sessionDir);
    const ends = eventsOf(events, 'exchange.end');
    expect(eventsOf(events, 'exchange.request').length).toBe(2);
    // openai's iterator aborts its own request signal on `break`, so both are aborts on the wire.
    expect(ends.map((e) => e.outcome)).toEqual(['aborted', 'aborted']);
    for (const end of ends) expect(end.duration_ms).toBeLessThan((PACING_MS * CHUNKS) / 2); // at the stop, not the end
    // What had arrived before the stop is kept.
    for (const end of ends) expect(end.sse_events).toBeGreaterThan(0);
  });
});
