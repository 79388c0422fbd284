/**
 * `agenttap proxy` as a long-running process between a plain HTTP client and the mock: what it forwards, what it
 * records, and what it refuses. (Claude Code through the proxy: claude-code-native-proxy.test.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { isLoopback } from '../../src/proxy/server.js';
import { AGENTTAP_BIN } from '../helpers/claude-code.js';
import { ROOT, allFileText, eventsOf, runNode, scratch, sessionEvents } from '../helpers/run.js';

const KEY = 'sk-ant-api03-proxy-test-credential-000000000000000000000000';

interface Proxy {
  url: string;
  child: ChildProcess;
  stderr: () => string;
  sessionDir: string;
}

async function startProxy(upstream: string, extra: string[] = []): Promise<Proxy> {
  const dir = scratch('agenttap-proxy-');
  const child = spawn(process.execPath, [AGENTTAP_BIN, 'proxy', '--upstream', upstream, ...extra], {
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      AGENTTAP_DIR: dir,
      AGENTTAP_SESSION: 'p',
      AGENTTAP_KEY_FILE: join(ROOT, 'tests', 'fixtures', 'redaction.key'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`proxy did not start: ${stderr}`)), 10_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.trim());
      }
    });
    child.once('exit', (code) => reject(new Error(`proxy exited ${code}: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr, sessionDir: join(dir, 'p') };
}

function stop(proxy: Proxy): Promise<number | null> {
  return new Promise((resolve) => {
    proxy.child.once('exit', (code) => resolve(code));
    proxy.child.kill('SIGTERM');
  });
}

const messages = (text: string, stream = false) =>
  JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 64, stream, messages: [{ role: 'user', content: text }] });

describe('agenttap proxy', () => {
  let mock: MockServer;
  let proxy: Proxy;
  beforeAll(async () => {
    mock = await startMock({ pacingMs: 100, gzip: true });
    proxy = await startProxy(mock.url);
  });
  afterAll(async () => {
    if (proxy.child.exitCode === null) await stop(proxy);
    await mock.close();
  });

  test('listens on 127.0.0.1 by default', () => {
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('streams each event through as the upstream sends it', async () => {
    mock.reset();
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'accept-encoding': 'identity' },
      body: messages('stream please', true),
    });
    const reader = res.body!.getReader();
    const arrivals: number[] = [];
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const piece = decoder.decode(value, { stream: true });
      text += piece;
      for (const _ of piece.matchAll(/event: content_block_delta/g)) arrivals.push(Date.now());
    }
    const request = mock.received.find((r) => r.path === '/v1/messages')!;
    const sent = request.sentAt.filter((_, i) => request.sentEvents[i] === 'content_block_delta');
    expect(sent.length).toBeGreaterThanOrEqual(2);
    expect(arrivals.length).toBe(sent.length);
    expect(arrivals[0]!).toBeLessThan(sent[1]!);
    expect(text).toContain('event: message_stop');
    expect(String(request.headers['x-api-key'])).toBe(KEY);
  });

  test('passes gzip bytes through untouched and records the decoded answer', async () => {
    mock.reset();
    const raw = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'accept-encoding': 'gzip' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res
          .on('data', (c: Buffer) => chunks.push(c))
          .on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(messages('gzip please'));
    });
    expect(raw.headers['content-encoding']).toBe('gzip');
    const answer = JSON.parse(gunzipSync(raw.body).toString('utf8')) as { content: { text: string }[] };
    expect(answer.content[0]!.text.length).toBeGreaterThan(0);
  });

  test('an agent that hangs up mid-stream: the upstream call is cut too, the proxy goes on', async () => {
    mock.reset();
    const abort = new AbortController();
    const started = Date.now();
    const res = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY, 'accept-encoding': 'identity' },
      body: messages('I will not wait', true),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    await reader.read().catch(() => undefined);
    // Uncut, the mock would finish its ~9 events at 100 ms pacing within ~1 s; give it 1.5 s.
    await new Promise((r) => setTimeout(r, Math.max(0, started + 1500 - Date.now())));
    const request = () => mock.received.find((r) => r.path === '/v1/messages')!;
    expect(request().sentEvents.length).toBeGreaterThan(0);
    expect(request().sentEvents).not.toContain('message_stop');
  });

  test('forwards unknown paths without recording them, and survives an upstream that is gone', async () => {
    const unknown = await fetch(`${proxy.url}/v1/nothing-here`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404); // the mock's answer, forwarded
    expect(await unknown.text()).toContain('no route');
    const head = await fetch(`${proxy.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);

    const dead = await startMock();
    const deadUrl = dead.url;
    await dead.close();
    const orphan = await startProxy(deadUrl);
    try {
      const res = await fetch(`${orphan.url}/v1/messages`, { method: 'POST', body: messages('anyone?') });
      expect(res.status).toBe(502);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/upstream .* failed/);
      const again = await fetch(`${orphan.url}/v1/messages`, { method: 'POST', body: messages('still there?') });
      expect(again.status).toBe(502);
    } finally {
      expect(await stop(orphan)).toBe(0);
    }
    // The main proxy still answers.
    const ok = await fetch(`${proxy.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': KEY },
      body: messages('after all that'),
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('"type":"message"');
  });

  test('the log: proxy-layer records, decoded gzip answers, no credential, a clean end on SIGTERM', async () => {
    expect(await stop(proxy)).toBe(0);
    const events = await sessionEvents(proxy.sessionDir);
    const requests = eventsOf(events, 'exchange.request');
    // stream, gzip, hung up, after-all-that; the unknown path and HEAD are not model calls
    expect(requests.length).toBe(4);
    expect(new Set(requests.map((e) => e.layer))).toEqual(new Set(['proxy']));
    const ends = eventsOf(events, 'exchange.end');
    expect(ends.map((e) => e.outcome)).toEqual(['complete', 'complete', 'cancelled', 'complete']);
    expect(JSON.stringify(ends)).toContain('"text"');
    expect(eventsOf(events, 'session.end')).toHaveLength(1);
    expect(allFileText(proxy.sessionDir)).not.toContain(KEY);
    expect(proxy.stderr()).toMatch(/agenttap: session .*\(4 model calls, 1 process\)/);
  });
});

describe('agenttap proxy and an upstream that breaks mid-stream', () => {
  test('the agent sees the break, the record says so, the proxy goes on', async () => {
    const broken = await startMock({ faults: [{ kind: 'disconnect', afterEvents: 3, on: [1] }] });
    const proxy = await startProxy(broken.url);
    try {
      const res = await fetch(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { 'accept-encoding': 'identity' },
        body: messages('break', true),
      });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      const next = await fetch(`${proxy.url}/v1/messages`, { method: 'POST', body: messages('again', true) });
      expect(await next.text()).toContain('message_stop');
    } finally {
      expect(await stop(proxy)).toBe(0);
      await broken.close();
    }
    const ends = eventsOf(await sessionEvents(proxy.sessionDir), 'exchange.end');
    // As the fetch tap records a broken body: an error (`aborted` is kept for the agent's own aborts).
    expect(ends.map((e) => e.outcome).sort()).toEqual(['complete', 'error']);
  });
});

describe('agenttap proxy with credentials in the upstream URL (issue 16, item 9)', () => {
  const USER = 'gateway-user';
  const PASSWORD = 'p@ss:w0rd-upstream-4d1f9c';
  const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;

  test('sends them as Authorization: Basic unless the agent sends its own, and never prints or logs them', async () => {
    const upstreamMock = await startMock();
    const withUserinfo = upstreamMock.url.replace('://', `://${USER}:${encodeURIComponent(PASSWORD)}@`);
    const proxy = await startProxy(withUserinfo);
    try {
      const plain = await fetch(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': KEY },
        body: messages('no authorization of its own'),
      });
      expect(plain.status).toBe(200);
      const own = await fetch(`${proxy.url}/v1/messages`, {
        method: 'POST',
        headers: { authorization: 'Bearer agent-own-token-1234' },
        body: messages('its own authorization'),
      });
      expect(own.status).toBe(200);
      await plain.text();
      await own.text();
      const seen = upstreamMock.received.filter((r) => r.path === '/v1/messages').map((r) => r.headers.authorization);
      // The agent's own credential wins: it knows which scheme its API wants.
      expect(seen).toEqual([basic, 'Bearer agent-own-token-1234']);
    } finally {
      expect(await stop(proxy)).toBe(0);
      await upstreamMock.close();
    }
    expect(proxy.stderr()).toContain(`→ ${upstreamMock.url.replace('://', '://***@')}/`);
    const start = eventsOf(await sessionEvents(proxy.sessionDir), 'session.start')[0] as {
      proxy?: { upstream: string };
    };
    expect(start.proxy?.upstream).toBe(`${upstreamMock.url.replace('://', '://***@')}/`);
    for (const text of [proxy.stderr(), allFileText(proxy.sessionDir)]) {
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(basic.slice('Basic '.length));
    }
  });

  test('an upstream that does not parse is echoed with its userinfo masked', async () => {
    const result = await runNode(AGENTTAP_BIN, {
      loader: false,
      args: ['proxy', '--upstream', `http://${USER}:${PASSWORD}@exa mple.invalid:99999`],
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--upstream must be a URL');
    expect(result.stderr).toContain('http://***@exa mple.invalid:99999');
    expect(result.stderr).not.toContain('w0rd');
  });
});

describe('agenttap proxy refuses', () => {
  test('a non-loopback address without --allow-remote', async () => {
    const result = await runNode(AGENTTAP_BIN, {
      loader: false,
      args: ['proxy', '--upstream', 'http://127.0.0.1:9', '--host', '0.0.0.0'],
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('refusing to listen on 0.0.0.0');
    expect(result.stderr).toContain('--allow-remote');
    expect(result.stdout).toBe('');
  });

  test('an upstream that is not an http(s) URL', async () => {
    const result = await runNode(AGENTTAP_BIN, {
      loader: false,
      args: ['proxy', '--upstream', 'ftp://example.invalid'],
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--upstream must be http:// or https://');
  });

  test('loopback is what isLoopback says it is', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(isLoopback(host)).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '127.0.0.1.nip.io'])
      expect(isLoopback(host)).toBe(false);
  });
});
