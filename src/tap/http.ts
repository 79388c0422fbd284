/**
 * The http/https tap, for clients that never touch fetch: node-fetch and axios based ones
 * (`@anthropic-ai/sdk` ≤ 0.41, `openai` 4.x, Claude Code's side calls) — docs/sdk-layer.md#old-sdks-use-http.
 *
 * It wraps `request` and `get` of both modules (http-patch.ts) and inspects the ClientRequest they return, so every call
 * signature (url string, URL, options, url + options, callback) is covered by Node's own parsing. It only
 * ever observes, never consumes:
 *   - the request body through the instance's `write`/`end`,
 *   - the response body through the instance's `push` (what the HTTP parser calls for each chunk), so the
 *     stream's flowing mode, backpressure and listeners stay exactly as the agent set them,
 *   - errors through `emit`, never through an added 'error' listener (which would swallow a crash the
 *     agent expects).
 * Compressed bodies are inflated on a side copy for the codec (docs/fetch-tap.md#compressed-bodies); the agent gets the raw bytes.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { TapContext, Uninstall } from './context.js';
import { patchHttp, requestUrl } from './http-patch.js';
import { LiveExchange, isAbortError } from './live-exchange.js';
import { safely } from './safely.js';
import { claimAttempt } from './attempt-scope.js';
import { flattenHeaders } from '../exchange/headers.js';
import { inflaterFor } from '../exchange/inflate.js';

/** The http tap with its context at hand (tests): every request is shown to `observeRequest`. */
export function installHttpTap(ctx: TapContext): Uninstall {
  return patchHttp((req) => safely(ctx.warn, 'http-tap-failed', () => observeRequest(ctx, req), undefined));
}

const seen = new WeakSet<ClientRequest>();

/** Records the request if it is a model call (throws on a tap bug: callers wrap it in `safely`). */
export function observeRequest(ctx: TapContext, req: ClientRequest): void {
  if (seen.has(req)) return; // one record per ClientRequest, however many wrappers it passed
  seen.add(req);
  const url = requestUrl(req);
  const match = ctx.matchEndpoint(req.method, url);
  if (!match) return;
  const claim = claimAttempt();
  if (claim.skip) return; // a layer above already records this HTTP attempt
  const headers = flattenHeaders(req.getHeaders());
  if (!claim.sdk && ctx.outsideSdkCall) ctx.outsideSdkCall(headers);

  const exchange = new LiveExchange(ctx, {
    layer: 'http',
    match,
    method: req.method,
    url: url.href,
    headers,
    ...(claim.sdk ? { sdk: claim.sdk } : {}),
  });
  // Never rewritten here (the body streams through write/end); the SDK layer's decision, if any, is logged.
  exchange.ruled(claim.rules);
  captureBody(ctx, req, (text, bytes) => exchange.requested(text, bytes));

  let gotResponse = false;
  const emit = req.emit;
  req.emit = function (this: ClientRequest, event: string | symbol, ...args: unknown[]): boolean {
    safely(
      ctx.warn,
      'http-tap-failed',
      () => {
        if (event === 'response') {
          gotResponse = true;
          observeResponse(exchange, args[0] as IncomingMessage);
        } else if (event === 'error' && !gotResponse) {
          exchange.finish(isAbortError(args[0]) ? 'aborted' : 'error', args[0]);
        } else if (event === 'close' && !gotResponse) {
          exchange.finish('aborted');
        }
      },
      undefined,
    );
    return emit.call(this, event, ...args);
  } as typeof req.emit;
}

/**
 * Collects what the agent writes, up to the capture limit, and reports it when the request ends. What the agent
 * wrote is kept as it was, not copied (a copy of a 200 KB body is a fresh allocation: 2–3 ms on a loaded machine);
 * like the socket's own write queue, it relies on the agent not changing a chunk it has handed to write().
 */
function captureBody(
  ctx: TapContext,
  req: ClientRequest,
  done: (text: string | undefined, bytes: number) => void,
): void {
  const chunks: (string | Buffer)[] = [];
  let bytes = 0;
  let reported = false;
  const take = (chunk: unknown, encoding: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    let kept: string | Buffer;
    if (typeof chunk === 'string')
      kept =
        typeof encoding === 'string' && !UTF8.has(encoding) ? Buffer.from(chunk, encoding as BufferEncoding) : chunk;
    else {
      const view = chunk as Uint8Array;
      kept = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
    }
    bytes += typeof kept === 'string' ? Buffer.byteLength(kept) : kept.byteLength;
    if (bytes <= ctx.maxBodyBytes) chunks.push(kept);
  };
  const write = req.write;
  const end = req.end;
  req.write = function (this: ClientRequest, chunk: unknown, encoding?: unknown, cb?: unknown) {
    safely(ctx.warn, 'http-tap-failed', () => take(chunk, encoding), undefined);
    return (write as (...a: unknown[]) => boolean).call(this, chunk, encoding, cb);
  } as typeof req.write;
  req.end = function (this: ClientRequest, chunk?: unknown, encoding?: unknown, cb?: unknown) {
    safely(
      ctx.warn,
      'http-tap-failed',
      () => {
        take(chunk, encoding);
        if (!reported) {
          reported = true;
          done(bytes > ctx.maxBodyBytes ? undefined : joinText(chunks), bytes);
        }
      },
      undefined,
    );
    return (end as (...a: unknown[]) => ClientRequest).call(this, chunk, encoding, cb);
  } as typeof req.end;
}

const UTF8 = new Set(['utf8', 'utf-8', 'UTF8', 'UTF-8']);

/** The body as text: written strings joined as they are (one string: itself), bytes decoded once. */
function joinText(chunks: (string | Buffer)[]): string {
  if (chunks.every((c) => typeof c === 'string')) return chunks.join('');
  if (chunks.length === 1) return chunks[0]!.toString('utf8');
  return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))).toString('utf8');
}

function observeResponse(exchange: LiveExchange, res: IncomingMessage): void {
  exchange.responded(res.statusCode ?? 0, flattenHeaders(res.headers));
  const decoder = inflaterFor(res.headers['content-encoding']);
  let ended = false;
  const complete = () => {
    if (!decoder) return exchange.finish('complete');
    decoder.once('end', () => exchange.finish('complete'));
    decoder.end();
  };
  if (decoder) {
    decoder.on('data', (chunk: Buffer) => exchange.chunk(chunk));
    decoder.on('error', (err) => exchange.finish('error', err));
  }

  const push = res.push;
  res.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (!ended) {
      if (chunk === null) {
        ended = true;
        complete();
      } else if (chunk !== undefined) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : (chunk as Buffer);
        // Copy for the inflater: the parser may reuse its buffer once push returns.
        if (decoder) decoder.write(Buffer.from(buf));
        else exchange.chunk(buf);
      }
    }
    return push.call(this, chunk, encoding);
  };

  const emit = res.emit;
  res.emit = function (this: IncomingMessage, event: string | symbol, ...args: unknown[]): boolean {
    if (!ended) {
      if (event === 'error') {
        ended = true;
        exchange.finish(isAbortError(args[0]) ? 'aborted' : 'error', args[0]);
      } else if (event === 'aborted') {
        ended = true;
        exchange.finish('aborted');
      } else if (event === 'close') {
        ended = true;
        exchange.finish(res.complete ? 'complete' : 'cancelled');
      }
    }
    return emit.call(this, event, ...args);
  } as typeof res.emit;
}
