/**
 * docs/sdk-layer.md#one-record-per-attempt: one SDK loaded twice in one process — its ESM build through `import` and its CJS build
 * through `require` — must still give one record per HTTP attempt: not one per copy, not one per layer.
 * The app loads @anthropic-ai/sdk and openai (fetch based) and @anthropic-ai/sdk 0.41 (node-fetch over
 * http) both ways and calls through each copy. An SDK retry is two HTTP attempts, so two records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf } from '../helpers/run.js';
import { withoutSdkConveniences } from '../helpers/sdk-fields.js';
import { runSdkApp, FAKE_KEYS } from '../helpers/sdk-app.js';
import { expectLoggedAsWire } from '../helpers/wire-oracle.js';
import type { LogEvent } from '../../src/log/events.js';

/** The app's calls in order: which copy, and the layer that must see it. */
const CALLS = [
  { scenario: 'anthropic-esm', layer: 'fetch' },
  { scenario: 'anthropic-cjs', layer: 'fetch' },
  { scenario: 'anthropic-041-esm', layer: 'http' },
  { scenario: 'anthropic-041-cjs', layer: 'http' },
  { scenario: 'openai-esm', layer: 'fetch' },
  { scenario: 'openai-cjs', layer: 'fetch' },
] as const;
const STDOUT =
  'distinct copies: true true true\n' +
  'anthropic-esm: end_turn text\n' +
  'anthropic-cjs: end_turn text\n' +
  'anthropic-041-esm: end_turn text\n' +
  'anthropic-041-cjs: end_turn text\n' +
  'openai-esm: stop\n' +
  'openai-cjs: stop\n';

/** The credentials the apps ran with: never in the log. */
const SECRETS = Object.values(FAKE_KEYS);

let mock: MockServer;
let retryMock: MockServer;
beforeAll(async () => {
  [mock, retryMock] = await Promise.all([
    startMock(),
    // 429 on the first attempt of the first fetch-layer call (1) and of the first http-layer call (4: after
    // the retry of 1 and the second copy's call); each SDK retries it once.
    startMock({ faults: [{ kind: 'status', status: 429, retryAfter: 0, on: [1, 4] }] }),
  ]);
});
afterAll(async () => {
  await Promise.all([mock?.close(), retryMock?.close()]);
});

const runDual = (server: MockServer) => runSdkApp('dual-module.mjs', server);

/** One record per attempt: same count as the mock received, in order, bodies equal, ids unique, one end each. */
function expectOneRecordPerAttempt(events: LogEvent[], received: MockServer['received']) {
  const requests = eventsOf(events, 'exchange.request');
  expect(requests.length).toBe(received.length);
  const ids = requests.map((r) => r.exchange);
  expect(new Set(ids).size).toBe(ids.length);
  requests.forEach((request, i) => {
    const got = received[i]!;
    expect(new URL(request['url.full']).pathname).toBe(got.path);
    expectLoggedAsWire(request.body, got.body, { secrets: SECRETS, label: `request ${i}` });
    for (const key of SECRETS) expect(JSON.stringify(request), `request ${i}`).not.toContain(key);
    expect(request.body_bytes).toBe(got.rawBody.byteLength);
    expect(request.headers['x-stainless-retry-count']).toBe(got.headers['x-stainless-retry-count']);
  });
  const ends = eventsOf(events, 'exchange.end');
  expect(ends.map((e) => e.exchange).sort()).toEqual([...ids].sort());
  const responses = eventsOf(events, 'exchange.response');
  expect(responses.map((e) => e.exchange).sort()).toEqual([...ids].sort());
  expect(responses.map((r) => r['http.response.status_code'])).toEqual(received.map((r) => r.status));
}

describe('one SDK imported and required in the same process', () => {
  it("each copy's call is one record, on the layer its copy sends through", async () => {
    const { events, results, received, run } = await runDual(mock);
    expect(run.stdout).toBe(STDOUT);
    expect(received.length).toBe(CALLS.length);
    expectOneRecordPerAttempt(events, received);
    const requests = eventsOf(events, 'exchange.request');
    expect(requests.map((r) => r.layer)).toEqual(CALLS.map((c) => c.layer));
    // Each request is the one its copy made (the prompt names the copy).
    expect(received.map((r) => JSON.stringify(r.body).match(/hello from ([\w-]+)/)?.[1])).toEqual(
      CALLS.map((c) => c.scenario),
    );
    const ends = eventsOf(events, 'exchange.end');
    expect(ends.map((e) => e.outcome)).toEqual(CALLS.map(() => 'complete'));
    // What each copy got back is what the log reassembled.
    expect(results.map((r) => r.scenario)).toEqual(CALLS.map((c) => c.scenario));
    results.forEach(({ scenario, result }, i) => {
      expectLoggedAsWire(ends[i]!.body, withoutSdkConveniences(result), { secrets: SECRETS, label: scenario });
    });
  });

  it('an SDK retry after a 429 is two HTTP attempts and two records, on both layers', async () => {
    const { events, results, received, run } = await runDual(retryMock);
    expect(run.stdout).toBe(STDOUT);
    // Six calls, two of them retried once: eight attempts reached the mock, eight records.
    expect(received.map((r) => r.status)).toEqual([429, 200, 200, 429, 200, 200, 200, 200]);
    expectOneRecordPerAttempt(events, received);
    const requests = eventsOf(events, 'exchange.request');
    expect(requests.map((r) => r.layer)).toEqual(['fetch', 'fetch', 'fetch', 'http', 'http', 'http', 'fetch', 'fetch']);
    expect(requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '0', '0', '1', '0', '0', '0']);

    const responses = eventsOf(events, 'exchange.response');
    const ends = eventsOf(events, 'exchange.end');
    const endOf = (id: string) => ends.find((e) => e.exchange === id)!;
    for (const [failed, retry] of [
      [0, 1],
      [3, 4],
    ] as const) {
      // The failed attempt and its retry are separate exchanges carrying the same request body.
      expect(requests[retry]!.exchange).not.toBe(requests[failed]!.exchange);
      expect(requests[retry]!.body).toEqual(requests[failed]!.body);
      expect(responses[failed]!['http.response.status_code']).toBe(429);
      expect(responses[failed]!.headers['retry-after']).toBe('0');
      expect(responses[retry]!['http.response.status_code']).toBe(200);
      const retryEnd = endOf(requests[retry]!.exchange);
      expect(retryEnd.outcome).toBe('complete');
      expect(retryEnd.api_error).toBeUndefined();
    }
    // @anthropic-ai/sdk 1.x cancels the body of a response it is about to retry without reading it: the fetch
    // record ends 'cancelled', its api_error known only from the status.
    const fetch429 = endOf(requests[0]!.exchange);
    expect(fetch429.outcome).toBe('cancelled');
    expect(fetch429.api_error).toEqual({ type: 'http_429', message: 'HTTP 429' });
    expect(fetch429.body).toBeUndefined();
    expect(fetch429.bytes).toBe(0);
    // node-fetch pipes every response into its own PassThrough whether or not the SDK reads it, so the http
    // layer sees the whole error body: the mock's provider-shaped error.
    const http429 = endOf(requests[3]!.exchange);
    expect(http429.outcome).toBe('complete');
    expect(http429.api_error).toEqual({ type: 'rate_limit_error', message: 'agenttap mock: injected HTTP 429' });
    expect(http429.body).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(http429.bytes).toBe(Number(responses[3]!.headers['content-length']));
    // The SDK handed back the retry's answer, and that is what the retry's record reassembled.
    const byScenario = new Map(results.map((r) => [r.scenario, r.result]));
    expectLoggedAsWire(endOf(requests[1]!.exchange).body, withoutSdkConveniences(byScenario.get('anthropic-esm')!), {
      secrets: SECRETS,
      label: 'anthropic-esm',
    });
    expectLoggedAsWire(
      endOf(requests[4]!.exchange).body,
      withoutSdkConveniences(byScenario.get('anthropic-041-esm')!),
      { secrets: SECRETS, label: 'anthropic-041-esm' },
    );
  });
});
