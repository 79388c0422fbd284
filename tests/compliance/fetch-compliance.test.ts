/**
 * The agent cannot notice the fetch tap: every fact of a Response it can observe is the same with and
 * without the loader (docs/fetch-tap.md#cancelled-streams-end-the-record, docs/fetch-tap.md#rebuilt-response, docs/fetch-tap.md#wrap-fetch-not-the-dispatcher, docs/fetch-tap.md#compressed-bodies, docs/fetch-tap.md#unknown-sse-events), and the log still records each case correctly.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
let gzipMock: MockServer;
let pacedMock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    textChunks: 6,
    faults: [
      { kind: 'no-content', status: 204, on: [1] },
      { kind: 'redirect', to: '/v1/messages?after=redirect', status: 307, on: [2] },
      { kind: 'unknown-event', on: [5] },
      { kind: 'stream-error', afterEvents: 3, on: [6] },
    ],
  });
  gzipMock = await startMock({ gzip: 'always' });
  pacedMock = await startMock({ pacingMs: 50 });
});
afterAll(async () => {
  await mock.close();
  await gzipMock.close();
  await pacedMock.close();
});

const app = join(ROOT, 'tests/fixtures/apps/fetch-compliance.mjs');
async function run(loader: boolean) {
  mock.reset();
  gzipMock.reset();
  const result = await runNode(app, {
    loader,
    env: { MOCK_URL: mock.url, GZIP_URL: gzipMock.url, PACED_URL: pacedMock.url },
  });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result;
}

describe('fetch compliance', () => {
  it('a Response looks the same to the agent with and without the loader, and the log records each case', async () => {
    const plain = await run(false);
    const tapped = await run(true);
    expect(tapped.stdout).toBe(plain.stdout);

    const seen = Object.fromEntries(
      plain.stdout
        .trim()
        .split('\n')
        .map((l) => [JSON.parse(l).name, JSON.parse(l)]),
    );
    // The cases really happened (else identical output would prove nothing).
    expect(seen['204']).toMatchObject({ status: 204, bodyNull: true });
    expect(seen.redirect).toMatchObject({ status: 200, redirected: true });
    expect(seen.redirect.url).toMatch(/after=redirect$/);
    expect(seen['unknown-event'].events).toContain('event: future_event_type');
    expect(seen['stream-error'].events).toContain('event: error');
    expect(seen.abort.afterAbort).toBe('AbortError');
    expect(seen.gzip.encoding).toBe('gzip');

    const events = await sessionEvents(tapped.sessionDir);
    const requests = eventsOf(events, 'exchange.request');
    const ends = new Map(eventsOf(events, 'exchange.end').map((e) => [e.exchange, e]));
    const responses = new Map(eventsOf(events, 'exchange.response').map((e) => [e.exchange, e]));
    // One record per fetch call (the followed redirect is one call), each finished exactly once.
    expect(requests.length).toBe(8);
    expect(eventsOf(events, 'exchange.end').length).toBe(8);
    const [noContent, redirect, dispatcher, unknown, streamError, abort, cancel, gzip] = requests.map((r) => ({
      end: ends.get(r.exchange)!,
      response: responses.get(r.exchange)!,
    }));
    expect(noContent!.response['http.response.status_code']).toBe(204);
    expect(noContent!.end.outcome).toBe('complete');
    expect(redirect!.response).toMatchObject({ redirected: true });
    expect(redirect!.response.url).toMatch(/after=redirect$/);
    expect(dispatcher!.end.outcome).toBe('complete');
    expect((dispatcher!.end.body as { type: string }).type).toBe('message');
    expect(unknown!.end.unknown_events).toEqual(['future_event_type']);
    expect(unknown!.end.outcome).toBe('complete');
    expect(streamError!.end.api_error?.type).toBe('overloaded_error');
    expect(abort!.end.outcome).toBe('aborted');
    expect(cancel!.end.outcome).toBe('cancelled');
    expect((gzip!.end.body as { type: string }).type).toBe('message');
    expect(gzip!.end.parse_error).toBeUndefined();
  });
});
