/**
 * The replay server: a recorded session answering as the model API on loopback. Each request is read, matched
 * (match.ts) and answered from the recording (render.ts) — JSON or a paced SSE stream, as the request asks — or,
 * on a miss, with the API's own error shape, status 400 and `x-should-retry: false` (the SDKs retry 408, 409,
 * 429 and 5xx, never a 400), after the miss is reported (miss-report.ts).
 *
 *   request ─► route (HEAD / warm-up | /v1/messages[/count_tokens] | /chat/completions | /responses)
 *           ─► Matcher.match ─► hit: planResponse ─► wait headers ─► events at start + Σ gaps (no drift)
 *                           └─► miss: onMiss(report) ─► 400 error JSON
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createEndpointMatcher } from '../exchange/endpoints.js';
import { anthropicErrorBody } from '../mock/anthropic.js';
import { openaiErrorBody } from '../mock/openai-chat.js';
import { sleep } from '../mock/util.js';
import type { Hit, LiveRequest, Matcher, Miss } from './match.js';
import { type Pacing, type Planned, planResponse } from './render.js';

export interface ServeOptions {
  matcher: Matcher;
  pacing: Pacing;
  /** 0: a free port. */
  port?: number;
  /** The live agent's working directory (paths in served bodies are moved to it). */
  cwd?: string;
  onHit?: (hit: Hit, n: number) => void;
  onMiss?: (miss: Miss, n: number, what: string) => void;
}

export interface ReplayHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startReplayServer(options: ServeOptions): Promise<ReplayHttpServer> {
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const endpointOf = createEndpointMatcher([], {});
  let n = 0;
  const server = http.createServer((req, res) => {
    handle(req, res, () => ++n).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, count: () => number): Promise<void> {
    const arrived = performance.now();
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://replay.invalid');
    const method = req.method ?? 'GET';
    const headers = flat(req.headers);
    if (url.pathname === '/' && (method === 'HEAD' || method === 'GET')) {
      if (method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      const warmup: LiveRequest = { method, path: '/', endpoint: 'anthropic.warmup', headers, body: undefined };
      return answer(res, warmup, count(), false, arrived);
    }
    const match = endpointOf(method, url);
    if (!match || match.endpoint === 'custom' || match.endpoint === 'anthropic.warmup') {
      const body = anthropicErrorBody(404, `agenttap replay: no route for ${method} ${url.pathname}`);
      return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, match.endpoint, 'agenttap replay: the request body is not JSON');
    }
    const live: LiveRequest = { method, path: url.pathname, endpoint: match.endpoint, headers, body };
    const stream = typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
    return answer(res, live, count(), stream, arrived);
  }

  async function answer(
    res: ServerResponse,
    live: LiveRequest,
    n: number,
    stream: boolean,
    arrived: number,
  ): Promise<void> {
    const result = options.matcher.match(live);
    if (result.kind === 'miss') {
      options.onMiss?.(result, n, `${live.method} ${live.path}`);
      return sendError(
        res,
        live.endpoint,
        `agenttap replay: request ${n} matches no recorded request (see the replay report)`,
      );
    }
    options.onHit?.(result, n);
    const plan = planResponse(result.recorded, { stream, body: live.body, cwd: options.cwd }, options.pacing);
    // The time spent matching (redaction, normalisation) counts towards the recorded time to headers.
    plan.headersAfterMs = Math.max(0, plan.headersAfterMs - (performance.now() - arrived));
    await send(res, plan, closing.signal);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

async function send(res: ServerResponse, plan: Planned, closing: AbortSignal): Promise<void> {
  const signal = AbortSignal.any([closing, abortOnClose(res)]);
  await sleep(plan.headersAfterMs, signal);
  if (signal.aborted) return;
  if (!plan.events) {
    const text = plan.json === undefined ? '' : JSON.stringify(plan.json);
    const headers = text ? { ...plan.headers, 'content-type': 'application/json' } : plan.headers;
    res.writeHead(plan.status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
    res.end(text);
    return;
  }
  res.writeHead(plan.status, plan.headers);
  res.flushHeaders();
  // Each event at its recorded offset from the first one: a schedule kept (timer overshoot does not add up), set
  // when the first event goes (a late start does not shorten the gaps after it).
  let start = performance.now();
  let due = 0;
  let batch = '';
  let first = true;
  for (const event of plan.events) {
    due += event.afterMs;
    const wait = start + due - performance.now();
    if (wait >= 1 && batch) {
      res.write(batch);
      batch = '';
    }
    if (wait >= 1) await sleep(wait, signal);
    if (signal.aborted) return;
    if (first) start = performance.now() - due;
    first = false;
    batch += event.text;
  }
  res.end(batch);
}

function abortOnClose(res: ServerResponse): AbortSignal {
  const c = new AbortController();
  res.once('close', () => c.abort());
  return c.signal;
}

function sendError(res: ServerResponse, endpoint: string, message: string): void {
  const body = endpoint.startsWith('openai.') ? openaiErrorBody(400, message) : anthropicErrorBody(400, message);
  res.writeHead(400, { 'content-type': 'application/json', 'x-should-retry': 'false' });
  res.end(JSON.stringify(body));
}

function flat(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    const done = () => resolve(Buffer.concat(chunks));
    req.once('end', done);
    req.once('error', done);
    req.once('close', done);
  });
}
