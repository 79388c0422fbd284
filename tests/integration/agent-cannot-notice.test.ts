/**
 * Invariant 1, end to end: with no rewrite the wire carries exactly the agent's bytes; the agent's stdout
 * is the same with and without the loader; and streaming is not delayed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

const env = () => ({
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: 'sk-ant-test',
  OPENAI_BASE_URL: `${mock.url}/v1`,
  OPENAI_API_KEY: 'sk-test',
});

describe('the agent cannot notice', () => {
  it('request bodies reach the API byte-identical to what the SDK produced', async () => {
    mock.reset();
    const out = join(scratch(), 'sent.ndjson');
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/wire-recorder.mjs'), { env: { ...env(), AGENT_OUT: out } });
    expect(run.code, run.stderr).toBe(0);
    const sent = readFileSync(out, 'utf8').trim().split('\n').map((l) => Buffer.from(JSON.parse(l) as string, 'base64'));
    expect(sent.length).toBe(2); // a tool call, then the answer
    expect(mock.received.map((r) => r.rawBody)).toEqual(sent);
    // …and they were captured (the test would be empty if the tap had not run).
    expect(eventsOf(await sessionEvents(run.sessionDir), 'exchange.request').length).toBe(2);
  });

  it.each(['examples/anthropic-agent.mjs', 'examples/anthropic-agent.cjs', 'examples/openai-agent.mjs'])(
    '%s prints the same bytes with and without the loader',
    async (script) => {
      const plain = await runNode(join(ROOT, script), { loader: false, env: env(), args: ['What is in the examples folder?'] });
      const tapped = await runNode(join(ROOT, script), { env: env(), args: ['What is in the examples folder?'] });
      expect(plain.code, plain.stderr).toBe(0);
      expect(tapped.code, tapped.stderr).toBe(0);
      expect(plain.stdout).toMatch(/\[tool\] list_files|\[status\] 200/); // it did real work
      expect(tapped.stdout).toBe(plain.stdout);
      expect(tapped.stderr).toBe(plain.stderr);
      expect(eventsOf(await sessionEvents(tapped.sessionDir), 'exchange.end').length).toBeGreaterThanOrEqual(2);
    },
  );
});

describe('streaming is not delayed', () => {
  let paced: MockServer;
  beforeAll(async () => (paced = await startMock({ pacingMs: 200, textChunks: 4 })));
  afterAll(() => paced.close());

  it.each([false, true])('with the mock pacing deltas 200 ms apart, the first delta arrives before the second is sent (loader: %s)', async (loader) => {
    paced.reset();
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/first-delta.mjs'), { loader, env: { ANTHROPIC_BASE_URL: paced.url, ANTHROPIC_API_KEY: 'sk-ant-test' } });
    expect(run.code, run.stderr).toBe(0);
    const { firstDeltaAt } = JSON.parse(run.stdout) as { firstDeltaAt: number };
    const [request] = paced.received;
    const deltas = request!.sentEvents.flatMap((label, i) => (label === 'content_block_delta' ? [request!.sentAt[i]!] : []));
    expect(deltas.length).toBe(4);
    // The mock stamps an event after write() returns, so the client may see it a few ms "before" that stamp.
    expect(firstDeltaAt).toBeGreaterThanOrEqual(deltas[0]! - 20);
    // The claim: the first delta reached the agent before the mock even sent the second (200 ms later).
    expect(firstDeltaAt).toBeLessThan(deltas[1]!);
  });
});
