/**
 * The http tap installs once and uninstalls symmetrically: request and get of both modules, ESM facade too; a
 * wrapper someone installed after ours is left in place, and ours, still inside it, passes through unrecorded.
 * The request body it records is what went out, whatever shape the agent wrote it in.
 */
import http, { createServer, type Server } from 'node:http';
import https from 'node:https';
import * as httpEsm from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import { installHttpTap } from '../../../src/tap/http.js';
import type { TapContext } from '../../../src/tap/context.js';

const ctx: TapContext = {
  recorder: { request() {}, response() {}, end() {}, rewrite() {} },
  matchEndpoint: () => null,
  warn: () => {},
  maxBodyBytes: 1024,
  nextExchangeId: () => 'x',
  open: new Set(),
};

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

/** A POST through `http.request` as it is now (whoever wrapped it), its answer read to the end. */
function post(): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res
        .setEncoding('utf8')
        .on('data', (d: string) => (text += d))
        .on('end', () => resolve(text))
        .on('error', reject);
    });
    req.on('error', reject);
    req.end('{"model":"m","messages":[]}');
  });
}

describe('http tap install', () => {
  it('wraps request and get of http and https once, and restores each on uninstall', () => {
    const before = [http.request, http.get, https.request, https.get];
    const uninstall = installHttpTap(ctx);
    try {
      const during = [http.request, http.get, https.request, https.get];
      during.forEach((fn, i) => {
        expect(fn).not.toBe(before[i]);
      });
      expect(httpEsm.get).toBe(http.get); // the ESM facade sees the wrapper
      installHttpTap(ctx)(); // a second install is a no-op, and so is its uninstall
      expect([http.request, http.get, https.request, https.get]).toEqual(during);
    } finally {
      uninstall();
    }
    expect([http.request, http.get, https.request, https.get]).toEqual(before);
    expect(httpEsm.get).toBe(before[1]);
  });

  it('a wrapper installed after ours stays in place on uninstall, and ours passes through unrecorded', async () => {
    const requests: string[] = [];
    const recording: TapContext = {
      ...ctx,
      matchEndpoint: createEndpointMatcher(),
      recorder: { ...ctx.recorder, request: (r) => requests.push(r.url) },
      open: new Set(),
    };
    const pristine = http.request;
    const uninstall = installHttpTap(recording);
    const below = http.request;
    let seenByTheirs = 0;
    const theirs = function (this: unknown, ...args: unknown[]) {
      seenByTheirs++;
      return (below as (...a: unknown[]) => http.ClientRequest).apply(this, args);
    } as typeof http.request;
    http.request = theirs;
    try {
      expect(await post()).toBe('{"type":"message","content":[]}');
      expect(requests).toEqual([url]);
      uninstall();
      expect(http.request).toBe(theirs);
      expect(await post()).toBe('{"type":"message","content":[]}');
      expect(seenByTheirs).toBe(2);
      expect(requests).toEqual([url]);
    } finally {
      http.request = pristine;
    }
  });

  it('records the body as written: strings, byte chunks splitting a character, other encodings, mixed', async () => {
    const bodies: { text?: string; bodyBytes: number }[] = [];
    const recording: TapContext = {
      ...ctx,
      maxBodyBytes: 1 << 20,
      matchEndpoint: createEndpointMatcher(),
      recorder: { ...ctx.recorder, request: (r) => bodies.push({ text: r.text, bodyBytes: r.bodyBytes }) },
      open: new Set(),
    };
    const text = '{"model":"m","messages":[{"role":"user","content":"héllo € 😀"}]}';
    const bytes = Buffer.from(text);
    const split = bytes.indexOf(Buffer.from('€')) + 1; // inside the three bytes of €
    const ways: ((req: http.ClientRequest) => void)[] = [
      (req) => req.end(text),
      (req) => {
        req.write(bytes.subarray(0, split));
        req.end(new Uint8Array(bytes.subarray(split)));
      },
      (req) => {
        req.write(text.slice(0, 10), 'latin1');
        req.write(Buffer.from(text.slice(10, 20)).toString('base64'), 'base64');
        req.end(text.slice(20), 'utf-8');
      },
    ];
    const uninstall = installHttpTap(recording);
    try {
      for (const write of ways)
        await new Promise<void>((resolve, reject) => {
          const req = http.request(url, { method: 'POST' }, (res) => res.resume().on('end', resolve));
          req.on('error', reject);
          write(req);
        });
    } finally {
      uninstall();
    }
    expect(bodies).toEqual(ways.map(() => ({ text, bodyBytes: bytes.byteLength })));
  });
});
