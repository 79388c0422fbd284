/**
 * The fetch tap's response record waits for the next turn of the event loop, so the agent's first chunk does not
 * wait for it (issue 13: time to first token) — and yet a response read whole in the same turn, or one without a
 * body, is recorded before its end, with the headers it came with. The request's headers are read from the agent's
 * `Headers` as they are, or through `new Headers` for any other shape (same names, same joins).
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import type { TapContext } from '../../../src/tap/context.js';
import { installFetchTap } from '../../../src/tap/fetch.js';
import { outgoingHeaders } from '../../../src/tap/fetch-exchange.js';
import { type EndRecord, withHeldRead } from '../../../src/log/recorder.js';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume().on('end', () => {
      if (req.url === '/empty/v1/messages') return res.writeHead(204, { 'x-trace': 'e' }).end();
      if (req.url === '/sse/v1/messages') return res.writeHead(200, { 'content-type': 'text/event-stream' }).end(SSE);
      res
        .writeHead(200, { 'content-type': 'application/json', 'x-trace': 't', 'set-cookie': ['a=1', 'b=2'] })
        .end('{"type":"message","content":[],"usage":{"input_tokens":3,"output_tokens":1}}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
/** A whole streamed Message in one write: the agent's first read has all of it. */
const SSE = [
  sse('message_start', {
    type: 'message_start',
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'm', content: [], usage: { input_tokens: 3 } },
  }),
  sse('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
  sse('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hello' } }),
  sse('content_block_stop', { type: 'content_block_stop', index: 0 }),
  sse('message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 1 } }),
  sse('message_stop', { type: 'message_stop' }),
].join('');

let uninstall = () => {};
afterEach(() => uninstall());

function tap() {
  const log: string[] = [];
  const responses: { headers: Record<string, string>; ttfbMs: number }[] = [];
  const ends: EndRecord[] = [];
  const ctx: TapContext = {
    recorder: {
      request: (r) => log.push(`request ${r.id}`),
      response: (r) => {
        log.push(`response ${r.id} ${r.status}`);
        responses.push(r);
      },
      end: (r) => {
        log.push(`end ${r.id} ${r.outcome}`);
        ends.push(r);
      },
      rewrite() {},
    },
    matchEndpoint: createEndpointMatcher(),
    warn: (code) => log.push(`warn ${code}`),
    maxBodyBytes: 1 << 20,
    nextExchangeId: () => `x${log.filter((l) => l.startsWith('request')).length + 1}`,
    open: new Set(),
  };
  uninstall = installFetchTap(ctx);
  return { log, responses, ends };
}

const post = (path = '') =>
  globalThis.fetch(`${base}${path}/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"model":"m","max_tokens":1,"messages":[]}',
  });

describe("the fetch tap's response record", () => {
  it('comes on the next turn, not before the agent has its Response', async () => {
    const { log, responses } = tap();
    const response = await post();
    expect(log).toEqual(['request x1']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['request x1', 'response x1 200']);
    expect(responses[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-trace': 't' });
    expect(responses[0]!.ttfbMs).toBeGreaterThan(0);
    await response.text();
    expect(log).toEqual(['request x1', 'response x1 200', 'end x1 complete']);
  });

  it('comes before the end when the body is read whole in the same turn, or there is none', async () => {
    const { log } = tap();
    const body = await (await post()).json();
    expect(body).toMatchObject({ type: 'message' });
    const empty = await post('/empty');
    expect(empty.status).toBe(204);
    expect(log).toEqual([
      'request x1',
      'response x1 200',
      'end x1 complete',
      'request x2',
      'response x2 204',
      'end x2 complete',
    ]);
  });

  it('leaves the Response the agent gets as fetch made it', async () => {
    tap();
    const response = await post();
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(response.headers.get('x-trace')).toBe('t');
    expect(await response.text()).toContain('"usage"');
  });
});

describe('a streamed body, observed after the agent has each chunk', () => {
  it("times the first token by its chunk's arrival, and records what came even if the agent overwrites its chunks", async () => {
    const { ends } = tap();
    const t0 = performance.now();
    const reader = (await post('/sse')).body!.getReader();
    const seen: string[] = [];
    for (let first = true; ; first = false) {
      const { done, value } = await reader.read();
      if (done) break;
      seen.push(Buffer.from(value).toString('utf8'));
      value.fill(0); // the agent's buffer, reused
      if (first) for (const until = performance.now() + 60; performance.now() < until; ); // a busy agent
    }
    const busyFor = performance.now() - t0;
    expect(seen.join('')).toBe(SSE);
    expect(ends).toHaveLength(1);
    // Held raw on the agent's thread, read where the record is written (src/exchange/held.ts).
    expect(ends[0]!.held?.bytes).toBeDefined();
    const end = withHeldRead(ends[0]!);
    expect(end.outcome).toBe('complete');
    expect(JSON.stringify(end!.summary?.body)).toContain('"hello"');
    expect(end!.summary?.events).toBe(6);
    expect(busyFor).toBeGreaterThan(60);
    expect(end!.ttftMs).toBeLessThan(busyFor - 55);
    // Each event's arrival too (all six came in the first chunk).
    expect(end!.summary?.chunkMs).toHaveLength(6);
    expect(end!.summary!.chunkMs![0]).toBeLessThan(busyFor - 55);
  });
});

describe("a request's outgoing headers", () => {
  it('equal those of a Headers copy, for a Headers, a record, pairs and a Request', () => {
    const shapes: [RequestInfo | URL, RequestInit | undefined][] = [
      ['http://x/', { headers: new Headers({ 'X-A': ' 1 ', 'content-type': 'application/json' }) }],
      ['http://x/', { headers: { 'X-A': '1', 'x-a': '2', 'Content-Type': 'text/plain' } }],
      [
        'http://x/',
        {
          headers: [
            ['x-b', '1'],
            ['X-B', '2'],
          ],
        },
      ],
      [new Request('http://x/', { headers: { 'x-c': 'r' } }), undefined],
      ['http://x/', undefined],
    ];
    for (const [input, init] of shapes) {
      const copy = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      expect(outgoingHeaders(input, init)).toEqual(Object.fromEntries(copy));
    }
    expect(outgoingHeaders('http://x/', shapes[1]![1])).toEqual({ 'x-a': '1, 2', 'content-type': 'text/plain' });
  });
});
