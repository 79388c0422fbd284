/**
 * The fetch tap: wraps `globalThis.fetch` itself, not the undici dispatcher — a per-request `dispatcher`
 * or a later `setGlobalDispatcher` would bypass a dispatcher hook (PITFALLS #10). Agents that look fetch up
 * at each request (Claude Code does) see the wrapper as long as it is installed before their first call.
 *
 * Calls to non-model URLs go straight to the original fetch. For model calls the response body is observed
 * through a pull-based pass-through stream (high-water mark 0): a chunk is read from the network only when
 * the agent asks for one, so nothing is buffered ahead of the agent and nothing is delayed — never `tee()`
 * or `clone()`, whose unread branch buffers without bound (PITFALLS #3). Pull-based rather than a
 * TransformStream so that end, error and cancel each reach us on every Node version (PITFALLS #5).
 */
import type { TapContext, Uninstall } from './context.js';
import { LiveExchange, isAbortError } from './live-exchange.js';
import { safely } from './safely.js';

const STATE = Symbol.for('agenttap.fetch');

interface FetchState {
  original: typeof fetch;
  wrapped: typeof fetch;
}

type GlobalWithState = typeof globalThis & { [STATE]?: FetchState };

export function canInstallFetchTap(): boolean {
  return typeof globalThis.fetch === 'function' && typeof globalThis.Response === 'function';
}

export function installFetchTap(ctx: TapContext): Uninstall {
  const g = globalThis as GlobalWithState;
  if (g[STATE] || !canInstallFetchTap()) return () => {};
  const original = globalThis.fetch;

  const wrapped = async function fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const exchange = safely(ctx.warn, 'fetch-tap-failed', () => begin(ctx, input, init), undefined);
    if (!exchange) return original(input, init);
    let response: Response;
    try {
      response = await original(input, init);
    } catch (err) {
      exchange.finish(isAbortError(err) ? 'aborted' : 'error', err);
      throw err;
    }
    return safely(ctx.warn, 'fetch-tap-failed', () => observe(exchange, response, init?.signal ?? requestSignal(input)), response);
  } as typeof fetch;

  g[STATE] = { original, wrapped };
  globalThis.fetch = wrapped;
  return () => {
    // Unhook politely: if someone wrapped fetch after us, leave theirs in place (we then pass through).
    if (globalThis.fetch === wrapped) globalThis.fetch = original;
    delete g[STATE];
  };
}

/** The model call this fetch is, or undefined to pass it through untouched. */
function begin(ctx: TapContext, input: RequestInfo | URL, init: RequestInit | undefined): LiveExchange | undefined {
  const request = input instanceof Request ? input : undefined;
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  const url = new URL(request ? request.url : String(input));
  const match = ctx.matchEndpoint(method, url);
  if (!match) return undefined;

  const headers = headersRecord(new Headers(init?.headers ?? request?.headers));
  const exchange = new LiveExchange(ctx, { layer: 'fetch', match, method, url: url.href, headers });
  const body = init?.body ?? undefined;
  if (body !== undefined && body !== null) {
    const text = bodyText(body);
    if (text instanceof Promise) {
      text.then((t) => exchange.requested(t, byteLength(t)), () => exchange.requested(undefined, -1));
    } else exchange.requested(text, text === undefined ? -1 : byteLength(text));
  } else if (request?.body) {
    // Reading a clone of a finite request body is bounded; the agent's Request is left unread for fetch.
    request.clone().text().then((t) => exchange.requested(t, byteLength(t)), () => exchange.requested(undefined, -1));
  } else exchange.requested(undefined, 0);
  return exchange;
}

function observe(exchange: LiveExchange, response: Response, signal: AbortSignal | null | undefined): Response {
  exchange.responded(response.status, headersRecord(response.headers), { url: response.url, redirected: response.redirected });
  if (response.body === null) {
    // 101/204/205/304 and HEAD: no body to observe, and `new Response(body, {status: 204})` would throw (PITFALLS #6).
    exchange.finish('complete');
    return response;
  }
  // Locked lazily, on the agent's first read: if anything below throws, the agent gets its untouched Response.
  const body = response.body;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const read = () => (reader ??= body.getReader()).read();
  const observed = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await read();
        } catch (err) {
          exchange.finish(isAbortError(err) ? 'aborted' : 'error', err);
          controller.error(err);
          return;
        }
        if (result.done) {
          exchange.finish('complete');
          controller.close();
          return;
        }
        exchange.chunk(result.value);
        controller.enqueue(result.value);
      },
      cancel(reason) {
        exchange.finish('cancelled');
        return reader ? reader.cancel(reason) : body.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );

  const wrapped = new Response(observed, { status: response.status, statusText: response.statusText, headers: response.headers });
  // A rebuilt Response loses what only fetch can set (PITFALLS #6); give the agent the original values.
  Object.defineProperties(wrapped, {
    url: { value: response.url, enumerable: true },
    redirected: { value: response.redirected, enumerable: true },
    type: { value: response.type, enumerable: true },
  });
  signal?.addEventListener('abort', () => exchange.finish('aborted', signal.reason), { once: true });
  return wrapped;
}

function requestSignal(input: RequestInfo | URL): AbortSignal | undefined {
  return input instanceof Request ? input.signal : undefined;
}

/** The body as text when it can be had without consuming anything the agent still needs. */
function bodyText(body: BodyInit): string | undefined | Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof URLSearchParams) return body.toString();
  if (body instanceof ArrayBuffer) return new TextDecoder().decode(body);
  if (ArrayBuffer.isView(body)) return new TextDecoder().decode(body);
  if (body instanceof Blob) return body.text(); // reading a Blob does not consume it
  return undefined; // ReadableStream / FormData / async iterables: not captured (would consume the agent's body)
}

function byteLength(text: string): number {
  return Buffer.byteLength(text);
}

export function headersRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    out[key] = value;
  });
  return out;
}
