/**
 * The http tap covers every call signature Node accepts for http.request, http.get, https.request and
 * https.get — url string, URL object, options, url + options, with or without a callback: each model call is
 * recorded once, and what the agent sees is the same with and without the loader. https goes through a real
 * TLS front (a certificate made by openssl for 127.0.0.1, trusted through NODE_EXTRA_CA_CERTS) to the mock.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
let front: Server;
let httpsUrl: string;
let caFile: string;
beforeAll(async () => {
  mock = await startMock();
  const dir = scratch('agenttap-tls-');
  caFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      caFile,
    ],
    { stdio: 'ignore', timeout: 20_000 },
  );
  // TLS in front of the mock: each connection's plaintext goes to the mock as is.
  front = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, (socket) => {
    const upstream = connect(mock.port, '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  httpsUrl = `https://127.0.0.1:${(front.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => front.close(() => r()));
  await mock.close();
});

interface Seen {
  name: string;
  status?: number;
  callbacks?: number;
  responses?: number;
  shape?: string;
  error?: string;
}

async function run(loader: boolean) {
  mock.reset();
  const result = await runNode(join(ROOT, 'tests/fixtures/apps/http-signatures.mjs'), {
    loader,
    env: { HTTP_URL: mock.url, HTTPS_URL: httpsUrl, NODE_EXTRA_CA_CERTS: caFile },
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toBe('');
  return result;
}

describe('http tap call signatures', () => {
  it('each model call is recorded once, whatever the signature, and the agent sees what it sees without the loader', async () => {
    const plain = await run(false);
    const tapped = await run(true);
    expect(tapped.stdout).toBe(plain.stdout);

    const seen = plain.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Seen);
    expect(seen.length).toBe(2 * 2 * 11);
    const posts = seen.filter((s) => !/\.(url|URL)(,callback)?$/.test(s.name));
    // The calls really happened: a POST with a body answers a message, http.get's POST (no body) a 400.
    for (const s of posts) {
      expect(s.error, s.name).toBeUndefined();
      expect(s, s.name).toMatchObject(
        s.name.includes('.get.') ? { status: 400, shape: 'error:invalid_request_error' } : { status: 200 },
      );
      expect(s.shape, s.name).toMatch(s.name.includes('.get.') ? /^error:/ : /^message:end_turn:/);
      expect([s.callbacks, s.responses], s.name).toEqual([1, 1]);
    }
    // Without options a call can only GET: the mock has no such route, and no record is expected.
    for (const s of seen.filter((x) => !posts.includes(x))) expect(s.status, s.name).toBe(404);

    const events = await sessionEvents(tapped.sessionDir);
    const sigOf = (url: string) => new URL(url).searchParams.get('call');
    const recorded = eventsOf(events, 'exchange.request').map((r) => sigOf(r['url.full']));
    expect(recorded.sort()).toEqual(posts.map((s) => s.name).sort()); // each once, none of the GETs
    expect(eventsOf(events, 'exchange.request').every((r) => r.layer === 'http')).toBe(true);
    const ends = eventsOf(events, 'exchange.end');
    expect(ends.length).toBe(posts.length);
    expect(ends.every((e) => e.outcome === 'complete')).toBe(true);
    const statusOf = new Map(
      eventsOf(events, 'exchange.response').map((r) => [r.exchange, r['http.response.status_code']]),
    );
    for (const r of eventsOf(events, 'exchange.request')) {
      expect(statusOf.get(r.exchange), sigOf(r['url.full'])!).toBe(
        seen.find((s) => s.name === sigOf(r['url.full']))!.status,
      );
    }
  });
});
