/**
 * The foundation's promise, on the real SDKs in child processes under the real loader:
 * every request the mock received is in the log exactly once, its logged body equals the received body
 * after redaction, and the reassembled response equals what the SDK handed to the agent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf } from '../helpers/run.js';
import { runSdkApp, FAKE_KEYS } from '../helpers/sdk-app.js';
import { expectLoggedAsWire } from '../helpers/wire-oracle.js';
import { withoutSdkConveniences } from '../helpers/sdk-fields.js';
import type { LogEvent } from '../../src/log/events.js';

/** The credentials the apps ran with: never in the log. */
const SECRETS = Object.values(FAKE_KEYS);

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

const runApp = (app: string) => runSdkApp(app, mock);

/** Each logged request matches the mock's record of it, in order, once. */
function expectRequestsMatch(events: LogEvent[], received: MockServer['received']) {
  const requests = eventsOf(events, 'exchange.request');
  expect(requests.length).toBe(received.length);
  expect(received.length).toBeGreaterThan(0);
  requests.forEach((request, i) => {
    const got = received[i]!;
    expect(new URL(request['url.full']).pathname).toBe(got.path);
    expectLoggedAsWire(request.body, got.body, { secrets: SECRETS, label: `request ${i}` });
    for (const key of SECRETS) expect(JSON.stringify(request), `request ${i}`).not.toContain(key);
    expect(request.body_bytes).toBe(got.rawBody.byteLength);
  });
  const ends = eventsOf(events, 'exchange.end');
  expect(ends.map((e) => e.exchange).sort()).toEqual(requests.map((r) => r.exchange).sort());
  expect(ends.every((e) => e.outcome === 'complete')).toBe(true);
  // Credentials never reach the log, whatever header carried them.
  for (const r of requests) {
    const credential = r.headers.authorization ?? r.headers['x-api-key'];
    expect(credential).toMatch(/\[REDACTED:/);
  }
}

/** The reassembled body of the exchange that answered with `result` equals `result` (redacted). */
function expectReassembled(
  events: LogEvent[],
  results: { scenario: string; result: Record<string, unknown> }[],
  idOf: (r: Record<string, unknown>) => unknown = (r) => r.id,
) {
  const ends = eventsOf(events, 'exchange.end');
  for (const { scenario, result } of results) {
    const id = idOf(result);
    const end = id === undefined ? undefined : ends.find((e) => (e.body as { id?: unknown } | undefined)?.id === id);
    expect(end, `exchange for ${scenario}`).toBeDefined();
    expectLoggedAsWire(end!.body, withoutSdkConveniences(result), { secrets: SECRETS, label: scenario });
  }
}

describe('Anthropic SDK under the loader', () => {
  it('ESM: create, stream, thinking + tools, withResponse, asResponse, tool loop, count_tokens', async () => {
    const { events, results, received, run } = await runApp('anthropic-scenarios.mjs');
    expect(received.length).toBe(8);
    expectRequestsMatch(events, received);
    expectReassembled(
      events,
      results.filter((r) => r.scenario !== 'count_tokens'),
    );
    const counted = eventsOf(events, 'exchange.end').find(
      (e) => (e.body as { input_tokens?: number }).input_tokens !== undefined && !(e.body as { id?: string }).id,
    );
    expect(counted?.body).toEqual(results.find((r) => r.scenario === 'count_tokens')!.result);
    expect(run.stdout).toContain('controller.abort=function');

    const thinking = eventsOf(events, 'exchange.end').find((e) => JSON.stringify(e.body).includes('"thinking"'));
    expect((thinking!.body as { content: { type: string }[] }).content.map((b) => b.type)).toEqual([
      'thinking',
      'tool_use',
    ]);
    const streamed = eventsOf(events, 'exchange.end').filter((e) => e.sse_events > 0);
    expect(streamed.length).toBe(2);
    for (const end of streamed) {
      expect(end.ttft_ms).toBeGreaterThan(0);
      expect(end.ttft_ms!).toBeLessThanOrEqual(end.duration_ms);
      expect(end.usage?.output_tokens).toBeGreaterThan(0);
    }
  });

  it('CJS: the same SDK through require()', async () => {
    const { events, results, received } = await runApp('anthropic-scenarios.cjs');
    expect(received.length).toBe(4);
    expectRequestsMatch(events, received);
    expectReassembled(
      events,
      results.filter((r) => r.scenario !== 'count_tokens'),
    );
  });
});

describe('openai SDK under the loader', () => {
  it('chat streaming with tool calls, chat create, Responses API plain and streamed', async () => {
    const { events, results, received } = await runApp('openai-scenarios.mjs');
    expect(received.length).toBe(4);
    expectRequestsMatch(events, received);
    expectReassembled(events, results);
    const chat = eventsOf(events, 'exchange.end')[0]!;
    expect(
      (chat.body as { choices: { message: { tool_calls: unknown[] } }[] }).choices[0]!.message.tool_calls.length,
    ).toBeGreaterThan(0);
    expect(chat.usage?.input_tokens).toBeGreaterThan(0);
  });
});
