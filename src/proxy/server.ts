/**
 * agenttap's reverse proxy: for agents no Node loader can enter (native Claude Code ≥ 2.1.113, Python agents).
 * The agent's base URL points here; every request is forwarded to the upstream as is, and model calls are
 * captured on the way through the same `LiveExchange` the taps use (layer `'proxy'`).
 *
 *   agent ──req──► proxy ──req (same method, path, headers, body bytes)──► upstream
 *     ▲              │ side copy of the body ──► LiveExchange.requested
 *     └──chunk◄──────┴──chunk◄── upstream response, written through one chunk at a time (no buffering,
 *                    │           backpressure from the agent's socket); side copy, inflated when
 *                    │           compressed (docs/fetch-tap.md#compressed-bodies), ──► LiveExchange.chunk ──► codec
 *                    └─ end / agent hangs up / upstream error ──► LiveExchange.finish (exactly once)
 *
 * Credentials (`x-api-key`, `authorization`) go to the upstream untouched; the log gets them redacted by the
 * recorder like any other header. Userinfo in the upstream URL (`https://user:pass@gateway`) becomes
 * `Authorization: Basic` on requests that carry no `authorization` of their own — the agent's own credential wins,
 * since it knows which scheme its API wants — and is never printed: `upstreamForDisplay` masks it. Paths that are not model calls (Claude Code's `HEAD /` warm-up, unknown paths)
 * are forwarded and not recorded. Listening is loopback-only unless the caller opts out explicitly.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TapContext } from '../tap/context.js';
import { LiveExchange, isAbortError } from '../tap/live-exchange.js';
import { safely } from '../tap/safely.js';
import { flattenHeaders } from '../exchange/headers.js';
import { inflaterFor } from '../exchange/inflate.js';
import { applyOutcome, decideOnWire, type WireRequest } from '../policy/rewrite/apply.js';
import type { RulesOutcome, RulesStep } from '../policy/rewrite/wire.js';

export interface ProxyServerOptions {
  /** Where requests go: origin plus an optional path prefix (`https://api.anthropic.com`). */
  upstream: URL;
  /** Given at once, or opened at the first request that needs it (the witness: src/run/witness.ts). */
  ctx: TapContext | (() => Promise<TapContext>);
  /**
   * A request already recorded by someone else (the in-process tap of the agent, which marked it): forwarded
   * without that header and without a record. The rest is captured as usual.
   */
  recordedElsewhere?: { header: string; is(value: string | string[] | undefined): boolean };
  host?: string;
  port?: number;
  /** Required to listen on anything but loopback. */
  allowRemote?: boolean;
}

export interface ProxyServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  port: number;
  /**
   * Stops accepting connections, lets the exchanges in flight end by themselves for up to `graceMs` (default 2 s),
   * then cuts what is left (those are recorded as `incomplete` by the pipeline's close).
   */
  close(graceMs?: number): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and what only concerns the proxy itself: never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export async function startProxyServer(options: ProxyServerOptions): Promise<ProxyServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.allowRemote) {
    throw new Error(
      `refusing to listen on ${host}: the proxy forwards your API credentials, so it listens on loopback only (127.0.0.1, ::1). Add --allow-remote to listen on ${host} anyway.`,
    );
  }
  const { upstream, recordedElsewhere } = options;
  let ctx = typeof options.ctx === 'function' ? undefined : options.ctx;
  const openCtx = typeof options.ctx === 'function' ? options.ctx : undefined;
  let opening: Promise<TapContext> | undefined;
  if (upstream.protocol !== 'http:' && upstream.protocol !== 'https:')
    throw new Error(`upstream must be an http(s) URL, got ${upstreamForDisplay(upstream)}`);
  const basic = basicAuthorization(upstream);
  const prefix = upstream.pathname.replace(/\/+$/, '');
  const transport = upstream.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true });
  const route: Route = { upstream, prefix, basic, transport, agent, recordedElsewhere };
  const sockets = new Set<Socket>();

  const server = http.createServer({ noDelay: true }, (req, res) => {
    const handle = (capture: TapContext | undefined) => {
      try {
        forward(route, req, res, capture);
      } catch (err) {
        fail(res, 502, `agenttap proxy: ${(err as Error).message}`);
      }
    };
    if (recordedElsewhere?.is(req.headers[recordedElsewhere.header])) return handle(undefined);
    if (ctx) return handle(ctx);
    // The request body waits in the socket (paused) until the capture is open.
    opening ??= openCtx!();
    opening.then(
      (opened) => {
        ctx = opened;
        handle(opened);
      },
      (err: Error) => fail(res, 502, `agenttap proxy: cannot capture: ${err.message}`),
    );
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: (graceMs = 2000) =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const deadline = Date.now() + graceMs;
        while ((ctx?.open.size ?? 0) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        await closed;
      })()),
  };
}

/** Where and how the proxy forwards, fixed at start. */
interface Route {
  upstream: URL;
  /** The upstream URL's path, without trailing slashes: put before each request's path. */
  prefix: string;
  basic: string | undefined;
  transport: typeof http | typeof https;
  agent: http.Agent;
  recordedElsewhere: ProxyServerOptions['recordedElsewhere'];
}

/** Without `ctx`: forwarded only (recorded elsewhere). */
function forward(route: Route, req: IncomingMessage, res: ServerResponse, ctx: TapContext | undefined): void {
  const { upstream, prefix, basic, transport, agent, recordedElsewhere } = route;
  const method = req.method ?? 'GET';
  const target = new URL(`${upstream.origin}${prefix}${req.url ?? '/'}`);
  const headers = forwardedHeaders(req.headers, target.host, basic, recordedElsewhere?.header);
  const match = ctx ? safely(ctx.warn, 'proxy-capture-failed', () => ctx.matchEndpoint(method, target), null) : null;
  const exchange =
    ctx && match
      ? safely(
          ctx.warn,
          'proxy-capture-failed',
          () =>
            new LiveExchange(ctx, {
              layer: 'proxy',
              match,
              method,
              url: target.href,
              headers: flattenHeaders(headers),
            }),
          undefined,
        )
      : undefined;

  // With rules, a model request's body (finite) is held, decided on, then sent; otherwise piped as it arrives.
  const hold = exchange !== undefined && ctx?.rules !== undefined;
  let upstreamReq: http.ClientRequest | undefined;
  let responded = false;

  // Request body: a bounded side copy for the record (and, when held, for the rules).
  const body: Buffer[] = [];
  let bodyBytes = 0;
  req.on('data', (chunk: Buffer) => {
    bodyBytes += chunk.byteLength;
    if ((exchange && bodyBytes <= ctx!.maxBodyBytes) || hold) body.push(chunk);
  });
  req.on('end', () => {
    const whole = Buffer.concat(body);
    body.length = 0;
    if (hold) {
      const ruled = applyRules(
        ctx!,
        ctx!.rules!,
        {
          match: match!,
          method,
          path: target.pathname,
          headers: flattenHeaders(headers),
          text: whole.toString('utf8'),
        },
        headers,
        whole,
      );
      exchange!.ruled(ruled.outcome);
      exchange!.requested(
        ruled.body.byteLength > ctx!.maxBodyBytes ? undefined : ruled.body.toString('utf8'),
        ruled.body.byteLength,
      );
      send(ruled.headers).end(ruled.body);
    } else {
      exchange?.requested(bodyBytes > ctx!.maxBodyBytes ? undefined : whole.toString('utf8'), bodyBytes);
    }
  });
  if (!hold) req.pipe(send(headers));

  function send(outgoing: http.OutgoingHttpHeaders): http.ClientRequest {
    upstreamReq = transport.request(target, { method, headers: outgoing, agent });
    wire(upstreamReq);
    return upstreamReq;
  }

  function wire(upstreamReq: http.ClientRequest): void {
    upstreamReq.on('response', (up) => {
      responded = true;
      const status = up.statusCode ?? 502;
      exchange?.responded(status, flattenHeaders(up.headers));
      res.writeHead(status, up.statusMessage, responseHeaders(up));
      res.flushHeaders();
      relay(up, res, exchange);
    });
    upstreamReq.on('error', (err) => {
      exchange?.finish(isAbortError(err) ? 'aborted' : 'error', err);
      if (!responded) fail(res, 502, `agenttap proxy: upstream ${upstream.origin} failed: ${(err as Error).message}`);
      else res.destroy();
    });
  }
  // The agent hung up before the answer was complete: stop the upstream call too.
  res.on('close', () => {
    if (!res.writableFinished) {
      exchange?.finish('cancelled');
      upstreamReq?.destroy();
    }
  });
}

/** Upstream body → agent, one chunk at a time, with the agent's backpressure; a side copy to the exchange. */
function relay(up: IncomingMessage, res: ServerResponse, exchange: LiveExchange | undefined): void {
  const decoder = exchange ? inflaterFor(up.headers['content-encoding']) : undefined;
  if (exchange && decoder) {
    decoder.on('data', (chunk: Buffer) => exchange.chunk(chunk));
    decoder.on('error', (err) => exchange.finish('error', err));
  }
  up.on('data', (chunk: Buffer) => {
    if (exchange) {
      if (decoder) decoder.write(chunk);
      else exchange.chunk(chunk);
    }
    if (!res.write(chunk)) {
      up.pause();
      res.once('drain', () => up.resume());
    }
  });
  up.on('end', () => {
    res.end();
    if (!exchange) return;
    if (!decoder) return exchange.finish('complete');
    decoder.once('end', () => exchange.finish('complete'));
    decoder.end();
  });
  up.on('error', (err) => {
    exchange?.finish(isAbortError(err) ? 'aborted' : 'error', err);
    res.destroy();
  });
  // The upstream went away mid-body (`aborted` is deprecated; an incomplete close is the same fact).
  up.on('close', () => {
    if (up.complete) return;
    exchange?.finish('aborted');
    res.destroy();
  });
}

/**
 * The rules on a held proxy request (JSON bodies only), through the same seam as the fetch tap
 * (src/policy/rewrite/apply.ts); the new body gets its own content-length.
 */
function applyRules(
  ctx: TapContext,
  rules: RulesStep,
  request: WireRequest,
  headers: http.OutgoingHttpHeaders,
  body: Buffer,
): { body: Buffer; headers: http.OutgoingHttpHeaders; outcome?: RulesOutcome } {
  const unchanged = { body, headers };
  return safely(
    ctx.warn,
    'rules-failed',
    () => {
      const outcome = decideOnWire(rules, request);
      const rewritten = applyOutcome(outcome, request.headers);
      if (!rewritten) return { ...unchanged, outcome };
      const next = Buffer.from(rewritten.body);
      const out: http.OutgoingHttpHeaders = {
        ...headers,
        ...rewritten.headers,
        'content-length': String(next.byteLength),
      };
      delete out['transfer-encoding'];
      return { body: next, headers: out, outcome };
    },
    unchanged,
  );
}

/** The upstream as it may be printed or logged: userinfo (a password, or a token as user name) masked. */
export function upstreamForDisplay(upstream: URL): string {
  if (!upstream.username && !upstream.password) return upstream.href;
  const shown = new URL(upstream.href);
  shown.username = '***';
  shown.password = '';
  return shown.href;
}

/** `Authorization: Basic` from the upstream's userinfo (percent-decoded, as a browser does), if it has one. */
function basicAuthorization(upstream: URL): string | undefined {
  if (!upstream.username && !upstream.password) return undefined;
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  return `Basic ${Buffer.from(`${decode(upstream.username)}:${decode(upstream.password)}`).toString('base64')}`;
}

function forwardedHeaders(
  incoming: IncomingHttpHeaders,
  host: string,
  basic: string | undefined,
  drop?: string,
): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  const connectionListed = new Set(
    String(incoming.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.has(name) || name === drop) continue;
    out[name] = value;
  }
  out.host = host;
  if (basic !== undefined && out.authorization === undefined) out.authorization = basic;
  return out;
}

function responseHeaders(up: IncomingMessage): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(up.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function fail(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message } }));
}
