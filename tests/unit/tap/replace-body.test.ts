import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withBody } from '../../../src/tap/replace-body.js';

// docs/fetch-tap.md#content-length: a rewrite that changes the body length must not keep the caller's content-length.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req
      .on('data', (d) => (body += d))
      .on('end', () => res.end(JSON.stringify({ got: body, length: req.headers['content-length'] })));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/messages`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

const original = '{"model":"a"}';
const longer = '{"model":"a-much-longer-model-name"}';
const init = {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'content-length': String(original.length) },
  body: original,
};

describe('withBody', () => {
  it('sending a longer body under the caller content-length fails (the pitfall is real)', async () => {
    // Node 20's undici either rejects with UND_ERR_REQ_CONTENT_LENGTH_MISMATCH or stalls; both are failures.
    await expect(fetch(url, { ...init, body: longer, signal: AbortSignal.timeout(1500) })).rejects.toThrow();
  });

  it('replaces the body of an init and lets fetch compute the length', async () => {
    const res = await fetch(...withBody(url, init, longer));
    expect(await res.json()).toEqual({ got: longer, length: String(Buffer.byteLength(longer)) });
  });

  it('replaces the body of a Request, keeping its method and headers', async () => {
    const request = new Request(url, init);
    const [input, next] = withBody(request, undefined, longer);
    const res = await fetch(input, next);
    expect(await res.json()).toEqual({ got: longer, length: String(Buffer.byteLength(longer)) });
    expect(new Headers(next.headers).get('content-type')).toBe('application/json');
  });
});
