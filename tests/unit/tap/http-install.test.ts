/**
 * The http tap installs once and uninstalls symmetrically, without replacing anything the agent can compare:
 * `request` and `get` of http and https keep their identity (ESM facade too). On Node 20 it sees requests at
 * `http.Agent.prototype.addRequest`; a wrapper someone installed over that after ours is left in place, and ours,
 * still inside it, passes through unrecorded. (Node ≥ 22.14 uses a diagnostics channel: src/tap/http-patch.ts.)
 * The request body it records is what went out, whatever shape the agent wrote it in.
 */
import http, { createServer, type Server } from 'node:http';
import https from 'node:https';
import * as httpEsm from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import { hasCreatedChannel } from '../../../src/tap/http-patch.js';
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
  const recording = () => {
    const requests: string[] = [];
    const tap: TapContext = {
      ...ctx,
      matchEndpoint: createEndpointMatcher(),
      recorder: { ...ctx.recorder, request: (r) => requests.push(r.url) },
      open: new Set(),
    };
    return { tap, requests };
  };

  it('records through http without replacing request or get of http and https, once, until uninstalled', async () => {
    const before = [http.request, http.get, https.request, https.get, httpEsm.request, httpEsm.get];
    const { tap, requests } = recording();
    const uninstall = installHttpTap(tap);
    try {
      expect([http.request, http.get, https.request, https.get, httpEsm.request, httpEsm.get]).toEqual(before);
      installHttpTap(tap)(); // a second install is a no-op, and so is its uninstall
      expect(await post()).toBe('{"type":"message","content":[]}');
      expect(requests).toEqual([url]); // one record, though the request is shown at addRequest and onSocket
    } finally {
      uninstall();
    }
    expect(await post()).toBe('{"type":"message","content":[]}');
    expect(requests).toEqual([url]);
    expect([http.request, http.get, https.request, https.get, httpEsm.request, httpEsm.get]).toEqual(before);
  });

  it('records the body as written: strings, byte chunks splitting a character, other encodings, mixed', async () => {
    const bodies: { text?: string; bodyBytes?: number }[] = [];
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

  it.skipIf(hasCreatedChannel())(
    'a wrapper installed after ours stays in place on uninstall, and ours passes through unrecorded',
    async () => {
      const { tap, requests } = recording();
      const agent = http.Agent.prototype as unknown as { addRequest: (...a: unknown[]) => void };
      const pristine = agent.addRequest;
      const uninstall = installHttpTap(tap);
      const below = agent.addRequest;
      expect(below).not.toBe(pristine);
      let seenByTheirs = 0;
      const theirs = function (this: unknown, ...args: unknown[]) {
        seenByTheirs++;
        return below.apply(this, args);
      };
      agent.addRequest = theirs;
      try {
        expect(await post()).toBe('{"type":"message","content":[]}');
        expect(requests).toEqual([url]);
        uninstall();
        expect(agent.addRequest).toBe(theirs);
        expect(await post()).toBe('{"type":"message","content":[]}');
        expect(seenByTheirs).toBe(2);
        expect(requests).toEqual([url]);
      } finally {
        agent.addRequest = pristine;
      }
    },
  );
});
