/**
 * Old, node-fetch based SDKs (docs/sdk-layer.md#old-sdks-use-http, docs/fetch-tap.md#compressed-bodies): `@anthropic-ai/sdk` 0.41 and `openai` 4.x send through
 * node-fetch 2 → `http.request(options)` with a keep-alive agent (agentkeepalive) and `accept-encoding:
 * gzip,deflate`, so globalThis.fetch never sees them and only the http tap can record them.
 *
 * The same promise as `sdk-capture.test.ts`, on the http layer: every request the mock received is logged
 * once, its body equals the received body after redaction, it ends exactly once, credentials are redacted,
 * and the reassembled response equals what the SDK handed back — also when the mock gzips every answer.
 * The agent's stdout is byte-identical with and without the loader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf } from '../helpers/run.js';
import { withoutSdkConveniences } from '../helpers/sdk-fields.js';
import { runSdkApp, FAKE_KEYS, type SdkResult } from '../helpers/sdk-app.js';
import { expectLoggedAsWire } from '../helpers/wire-oracle.js';
import type { LogEvent } from '../../src/log/events.js';

/** The credentials the apps ran with: never in the log. */
const SECRETS = Object.values(FAKE_KEYS);

let plainMock: MockServer;
let gzipMock: MockServer;
beforeAll(async () => {
  [plainMock, gzipMock] = await Promise.all([startMock(), startMock({ gzip: 'always' })]);
});
afterAll(async () => {
  await Promise.all([plainMock?.close(), gzipMock?.close()]);
});

const runApp = (app: string, mock: MockServer, loader = true) => runSdkApp(app, mock, { loader });

/** Each logged request matches the mock's record of it, in order, once, on the http layer. */
function expectRequestsMatch(events: LogEvent[], received: MockServer['received']) {
  const requests = eventsOf(events, 'exchange.request');
  expect(received.length).toBeGreaterThan(0);
  expect(requests.length).toBe(received.length);
  requests.forEach((request, i) => {
    const got = received[i]!;
    expect(request.layer).toBe('http');
    expect(request['http.request.method']).toBe(got.method);
    expect(new URL(request['url.full']).pathname).toBe(got.path);
    expectLoggedAsWire(request.body, got.body, { secrets: SECRETS, label: `request ${i}` });
    for (const key of SECRETS) expect(JSON.stringify(request), `request ${i}`).not.toContain(key);
    expect(request.body_bytes).toBe(got.rawBody.byteLength);
  });
  // Every exchange ends exactly once, and completely.
  const ends = eventsOf(events, 'exchange.end');
  expect(ends.map((e) => e.exchange).sort()).toEqual(requests.map((r) => r.exchange).sort());
  expect(ends.map((e) => e.outcome)).toEqual(requests.map(() => 'complete'));
  expect(ends.filter((e) => e.parse_error !== undefined)).toEqual([]);
  // Credentials never reach the log, whatever header carried them.
  for (const r of requests) {
    const credential = r.headers.authorization ?? r.headers['x-api-key'];
    expect(credential).toMatch(/\[REDACTED:/);
    expect(JSON.stringify(r)).not.toMatch(/xxxxxxxxxx|yyyyyyyyyy/);
  }
}

/**
 * The reassembled body of the exchange that answered with `result` equals `result` (redacted).
 * The old SDKs add nothing to the wire object on these paths except what `withoutSdkConveniences` already
 * drops (openai 4.x's ChatCompletionStream puts `message.parsed: null` on the final completion); neither
 * drops a field the API sent, so no other field needs leaving out.
 */
function expectReassembled(events: LogEvent[], results: SdkResult[]) {
  const ends = eventsOf(events, 'exchange.end');
  expect(results.length).toBe(ends.length);
  for (const { scenario, result } of results) {
    const end = ends.find((e) => (e.body as { id?: unknown } | undefined)?.id === result.id);
    expect(end, `exchange for ${scenario}`).toBeDefined();
    expectLoggedAsWire(end!.body, withoutSdkConveniences(result), { secrets: SECRETS, label: scenario });
  }
}

/** Streamed exchanges carry a time to first token within their duration; plain ones carry no SSE events. */
function expectStreamTiming(events: LogEvent[], streamedCount: number) {
  const requests = eventsOf(events, 'exchange.request');
  const ends = eventsOf(events, 'exchange.end');
  const streamedIds = requests.filter((r) => r.stream).map((r) => r.exchange);
  expect(streamedIds.length).toBe(streamedCount);
  for (const end of ends) {
    if (streamedIds.includes(end.exchange)) {
      expect(end.sse_events).toBeGreaterThan(2);
      expect(end.ttft_ms).toBeGreaterThan(0);
      expect(end.ttft_ms!).toBeLessThanOrEqual(end.duration_ms);
      expect(end.usage?.output_tokens).toBeGreaterThan(0);
    } else {
      expect(end.sse_events).toBe(0);
    }
  }
}

/** Ids and timestamps differ run to run; everything else an SDK returned must not. */
function stable(results: SdkResult[]): unknown {
  return JSON.parse(JSON.stringify(results), (key, value: unknown) =>
    key === 'id' || key === 'created' ? `<${key}>` : value,
  );
}

describe('@anthropic-ai/sdk 0.41 (node-fetch over http)', () => {
  it('create and messages.stream().finalMessage() are captured on the http layer', async () => {
    const { events, results, received } = await runApp('old-anthropic.mjs', plainMock);
    expect(received.length).toBe(2);
    // It really is the old SDK, on node-fetch: its user agent and node-fetch's default accept-encoding.
    expect(received[0]!.headers['user-agent']).toBe('Anthropic/JS 0.41.0');
    expect(received[0]!.headers['accept-encoding']).toBe('gzip,deflate');
    expectRequestsMatch(events, received);
    expectReassembled(events, results);
    expectStreamTiming(events, 1);
    const ends = eventsOf(events, 'exchange.end');
    expect(ends.map((e) => e['gen_ai.response.finish_reasons'])).toEqual([['end_turn'], ['tool_use']]);
    expect((ends[1]!.body as { content: { type: string; input: unknown }[] }).content).toMatchObject([
      { type: 'tool_use', input: { city: 'example' } },
    ]);
  });

  it('stdout is byte-identical with and without the loader', async () => {
    const [withLoader, without] = [
      await runApp('old-anthropic.mjs', plainMock),
      await runApp('old-anthropic.mjs', plainMock, false),
    ];
    expect(without.received.length).toBe(2);
    // The tap was at work in the loader run: both calls recorded, on the http layer.
    expect(
      eventsOf(withLoader.events, 'exchange.end').map((e) => [e.outcome, e['gen_ai.response.finish_reasons']]),
    ).toEqual([
      ['complete', ['end_turn']],
      ['complete', ['tool_use']],
    ]);
    expect(withLoader.run.stdout).toBe(without.run.stdout);
    expect(withLoader.run.stdout).toBe(
      'create: end_turn text Hello from the agenttap mock model. There are no tools to call, so here is a plain answer.\n' +
        'stream(): tool_use tool_use {"city":"example"}\n' +
        'usage: true true\n',
    );
    expect(stable(withLoader.results)).toEqual(stable(without.results));
  });

  it('gzip on every answer: the log holds the decoded message, the agent gets what it gets without gzip', async () => {
    const zipped = await runApp('old-anthropic.mjs', gzipMock);
    const plain = await runApp('old-anthropic.mjs', plainMock);
    expect(zipped.received.length).toBe(2);
    // The answers really were gzipped on the wire, streamed one too.
    const responses = eventsOf(zipped.events, 'exchange.response');
    expect(responses.map((r) => r.headers['content-encoding'])).toEqual(['gzip', 'gzip']);
    expect(responses[1]!.headers['content-type']).toMatch(/^text\/event-stream/);
    expectRequestsMatch(zipped.events, zipped.received);
    expectReassembled(zipped.events, zipped.results);
    expectStreamTiming(zipped.events, 1);
    // Decoded byte counts: the same as without gzip, and the plain JSON's content-length (not the gzipped one).
    const zippedEnds = eventsOf(zipped.events, 'exchange.end');
    const plainEnds = eventsOf(plain.events, 'exchange.end');
    expect(zippedEnds.map((e) => e.bytes)).toEqual(plainEnds.map((e) => e.bytes));
    expect(zippedEnds[0]!.bytes).toBe(
      Number(eventsOf(plain.events, 'exchange.response')[0]!.headers['content-length']),
    );
    expect(zippedEnds[0]!.bytes).toBeGreaterThan(Number(responses[0]!.headers['content-length']));
    // The agent is none the wiser.
    expect(zipped.run.stdout).toBe(plain.run.stdout);
    expect(stable(zipped.results)).toEqual(stable(plain.results));
  });
});

describe('openai 4.x (node-fetch over http)', () => {
  it('chat create and a streamed chat with a tool call and include_usage are captured on the http layer', async () => {
    const { events, results, received } = await runApp('old-openai.mjs', plainMock);
    expect(received.length).toBe(2);
    expect(received[0]!.headers['user-agent']).toBe('OpenAI/JS 4.95.0');
    expect(received[1]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expectRequestsMatch(events, received);
    expectReassembled(events, results);
    expectStreamTiming(events, 1);
    const streamed = eventsOf(events, 'exchange.end')[1]!;
    const choice = (
      streamed.body as {
        choices: {
          finish_reason: string;
          message: { tool_calls: { function: { name: string; arguments: string } }[] };
        }[];
      }
    ).choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls.map((c) => c.function)).toEqual([
      { name: 'get_time', arguments: '{"city":"example"}' },
    ]);
    // include_usage: the usage chunk after the finish chunk is in the reassembly and the summary.
    expect(streamed.usage?.input_tokens).toBeGreaterThan(0);
    expect(streamed.usage?.input_tokens).toBe((results[1]!.result.usage as { prompt_tokens: number }).prompt_tokens);
  });

  it('stdout is byte-identical with and without the loader, and with gzip', async () => {
    const withLoader = await runApp('old-openai.mjs', plainMock);
    const without = await runApp('old-openai.mjs', plainMock, false);
    const zipped = await runApp('old-openai.mjs', gzipMock);
    expect(withLoader.run.stdout).toBe(
      'chat create: stop Hello from the agenttap mock model. There are no tools to call, so here is a plain answer.\n' +
        'chat stream: tool_calls 1 tool calls get_time {"city":"example"}\n' +
        'usage: true true\n',
    );
    expect(without.run.stdout).toBe(withLoader.run.stdout);
    expect(zipped.run.stdout).toBe(withLoader.run.stdout);
    expectRequestsMatch(zipped.events, zipped.received);
    expectReassembled(zipped.events, zipped.results);
    expect(eventsOf(zipped.events, 'exchange.response').map((r) => r.headers['content-encoding'])).toEqual([
      'gzip',
      'gzip',
    ]);
  });
});
