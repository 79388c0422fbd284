/**
 * The fetch tap installs once and uninstalls symmetrically (STYLE #5, #9, #20): the original `fetch` comes back by
 * identity, a second install is a no-op, and a wrapper someone installed after ours is left in place — ours, still
 * inside it, then passes every call through without recording.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import type { TapContext } from '../../../src/tap/context.js';
import { installFetchTap } from '../../../src/tap/fetch.js';

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req
      .resume()
      .on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"message","content":[]}'),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/messages`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const pristine = globalThis.fetch;
afterEach(() => {
  globalThis.fetch = pristine;
});

function context() {
  const requests: string[] = [];
  const ctx: TapContext = {
    recorder: { request: (r) => requests.push(r.url), response() {}, end() {}, rewrite() {} },
    matchEndpoint: createEndpointMatcher(),
    warn: () => {},
    maxBodyBytes: 1 << 20,
    nextExchangeId: () => `x-${requests.length}`,
    open: new Set(),
  };
  return { ctx, requests };
}

const call = async () => (await globalThis.fetch(url, { method: 'POST', body: '{"model":"m","messages":[]}' })).text();

describe('fetch tap install', () => {
  it('wraps fetch once, records through the wrapper, and restores the original on uninstall', async () => {
    const { ctx, requests } = context();
    const uninstall = installFetchTap(ctx);
    const wrapped = globalThis.fetch;
    try {
      expect(wrapped).not.toBe(pristine);
      installFetchTap(ctx)(); // a second install is a no-op, and so is its uninstall
      expect(globalThis.fetch).toBe(wrapped);
      await call();
      expect(requests).toEqual([url]);
    } finally {
      uninstall();
    }
    expect(globalThis.fetch).toBe(pristine);
    await call();
    expect(requests).toEqual([url]);
  });

  it('a wrapper installed after ours stays in place on uninstall, and ours passes through unrecorded', async () => {
    const { ctx, requests } = context();
    const uninstall = installFetchTap(ctx);
    const below = globalThis.fetch;
    let seenByTheirs = 0;
    const theirs = function fetch(input: RequestInfo | URL, init?: RequestInit) {
      seenByTheirs++;
      return below(input, init);
    } as typeof fetch;
    globalThis.fetch = theirs;
    uninstall();
    expect(globalThis.fetch).toBe(theirs);
    expect(await call()).toBe('{"type":"message","content":[]}');
    expect(seenByTheirs).toBe(1);
    expect(requests).toEqual([]);
    // A new install goes on top of theirs, and records once.
    const again = installFetchTap(ctx);
    try {
      await call();
      expect(requests).toEqual([url]);
      expect(seenByTheirs).toBe(2);
    } finally {
      again();
    }
    expect(globalThis.fetch).toBe(theirs);
  });
});
