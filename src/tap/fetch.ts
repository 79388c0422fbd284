/**
 * The fetch tap: wraps `globalThis.fetch` itself, not the undici dispatcher — a per-request `dispatcher`
 * or a later `setGlobalDispatcher` would bypass a dispatcher hook (docs/fetch-tap.md#wrap-fetch-not-the-dispatcher). Agents that look fetch up
 * at each request (Claude Code does) see the wrapper as long as it is installed before their first call.
 *
 * Calls to non-model URLs go straight to the original fetch. For model calls the response body is observed
 * through a pull-based pass-through stream (high-water mark 0): a chunk is read from the network only when
 * the agent asks for one, so nothing is buffered ahead of the agent and nothing is delayed — never `tee()`
 * or `clone()`, whose unread branch buffers without bound (docs/fetch-tap.md#no-tee-or-clone). Pull-based rather than a
 * TransformStream so that end, error and cancel each reach us on every Node version (docs/fetch-tap.md#transformstream-cancel).
 */
import type { SdkCall } from '../exchange/types.js';
import type { EndpointMatch } from '../exchange/endpoints.js';
import type { TapContext, Uninstall } from './context.js';
import { LiveExchange, isAbortError } from './live-exchange.js';
import { withBody } from './replace-body.js';
import { isRecord } from '../exchange/json.js';
import { changedHeaders, decideRules, type RulesOutcome } from '../policy/rewrite/wire.js';
import { bodyRewriters, isSignedRequest } from './rewrite.js';
import { safely } from './safely.js';
import { claimAttempt } from './sdk/scope.js';

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
    const started = safely(ctx.warn, 'fetch-tap-failed', () => begin(ctx, input, init), undefined);
    if (!started) return original(input, init);
    const { exchange } = started;
    [input, init] = [started.input, started.init];
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

interface Begun {
  exchange: LiveExchange;
  /** What to call fetch with: the agent's arguments, or a rewritten body. */
  input: RequestInfo | URL;
  init: RequestInit | undefined;
}

/** The model call this fetch is, or undefined to pass it through untouched. */
function begin(ctx: TapContext, input: RequestInfo | URL, init: RequestInit | undefined): Begun | undefined {
  const request = input instanceof Request ? input : undefined;
  const method = (init?.method ?? request?.method ?? 'GET').toUpperCase();
  const url = new URL(request ? request.url : String(input));
  const match = ctx.matchEndpoint(method, url);
  if (!match) return undefined;
  const claim = claimAttempt();
  if (claim.skip) return undefined; // a layer above already records this HTTP attempt
  if (!claim.sdk && ctx.outsideSdkCall) ctx.outsideSdkCall(headersRecord(new Headers(init?.headers ?? request?.headers)));

  const rewrite = rewriteBody(ctx, match, url, input, init);
  [input, init] = [rewrite.input, rewrite.init];
  // Rules decided at the SDK layer (a platform client, before signing) are not decided again on the wire.
  const ruled = claim.rules ? { input, init, outcome: claim.rules } : applyRules(ctx, match, method, url, input, init);
  [input, init] = [ruled.input, ruled.init];
  // Recorded as it goes out: a rewritten body has its own headers (no stale content-length).
  const exchange = startExchange(ctx, 'fetch', match, method, url, input, init, claim.sdk);
  noteRules(ctx, exchange, ruled.outcome);
  if (rewrite.skippedSigned) {
    ctx.warn(
      'rewrite-skipped-signed',
      `a rewrite of a signed request to ${url.host}${url.pathname} was skipped at the fetch layer: its signature covers the body (it would get a 403); enable the SDK layer (AGENTTAP_SDK=on) to rewrite it before signing`,
      exchange.id,
    );
  }
  captureRequestBody(exchange, input, init);
  return { exchange, input, init };
}

/** An exchange for a fetch-shaped call (also used by the SDK layer for clients with their own fetch). */
export function startExchange(
  ctx: TapContext,
  layer: 'fetch' | 'sdk',
  match: EndpointMatch,
  method: string,
  url: URL,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  sdk: SdkCall | undefined,
  t0?: number,
): LiveExchange {
  const request = input instanceof Request ? input : undefined;
  const headers = headersRecord(new Headers(init?.headers ?? request?.headers));
  return new LiveExchange(ctx, { layer, match, method, url: url.href, headers, ...(sdk ? { sdk } : {}) }, t0);
}

/**
 * The fetch-level body rewriters, on a JSON string body. A signed request is never changed (its signature
 * covers the body — docs/sdk-layer.md#signed-bodies): the rewrite is skipped and the log says so.
 */
function rewriteBody(
  ctx: TapContext,
  match: EndpointMatch,
  url: URL,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): { input: RequestInfo | URL; init: RequestInit | undefined; skippedSigned?: true } {
  const unchanged = { input, init };
  const rewriters = bodyRewriters();
  if (rewriters.length === 0 || typeof init?.body !== 'string') return unchanged;
  const text = init.body;
  return safely(ctx.warn, 'fetch-rewrite-failed', () => {
    const original = JSON.parse(text) as unknown;
    let body = original;
    for (const rewrite of rewriters) {
      const next = rewrite(body, { endpoint: match.endpoint, url: url.href, layer: 'fetch' });
      if (next !== undefined) body = next;
    }
    if (body === original) return unchanged;
    const next = JSON.stringify(body);
    if (next === text) return unchanged;
    const request = input instanceof Request ? input : undefined;
    if (isSignedRequest(new Headers(init.headers ?? request?.headers))) return { ...unchanged, skippedSigned: true as const };
    const [newInput, newInit] = withBody(input, init, next);
    return { input: newInput, init: newInit };
  }, unchanged);
}

/**
 * The rewrite rules (issue 5), on a JSON string body: the step decides; here it is applied — body and any
 * header the actions set (e.g. a beta flag) — unless the request is signed, which only the SDK layer may
 * change (docs/sdk-layer.md#signed-bodies): then the original goes out and the decision says why.
 */
function applyRules(
  ctx: TapContext,
  match: EndpointMatch,
  method: string,
  url: URL,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): { input: RequestInfo | URL; init: RequestInit | undefined; outcome?: RulesOutcome } {
  const unchanged = { input, init };
  if (!ctx.rules || typeof init?.body !== 'string') return unchanged;
  const text = init.body;
  return safely(ctx.warn, 'rules-failed', () => {
    const body = JSON.parse(text) as unknown;
    if (!isRecord(body)) return unchanged;
    const request = input instanceof Request ? input : undefined;
    const headers = new Headers(init.headers ?? request?.headers);
    const outcome = decideRules(ctx.rules!, { provider: match.provider, endpoint: match.endpoint, method, path: url.pathname, headers: headersRecord(headers), body, bodyChars: text.length }, { signed: isSignedRequest(headers), pathModel: match.model });
    if (!outcome?.send) return { ...unchanged, outcome };
    const [newInput, newInit] = withBody(input, init, outcome.send.body);
    const sent = new Headers(newInit.headers);
    for (const [name, value] of Object.entries(changedHeaders(headersRecord(headers), outcome.send.headers))) sent.set(name, value);
    return { input: newInput, init: { ...newInit, headers: sent }, outcome };
  }, unchanged);
}

/** The rules' decision for an exchange: logged with its id; the response's usage goes back to the rules. */
export function noteRules(ctx: TapContext, exchange: LiveExchange, outcome: RulesOutcome | undefined): void {
  if (!outcome) return;
  if (outcome.event) ctx.recorder.rewrite({ exchange: exchange.id, ...outcome.event });
  exchange.onUsage = outcome.settle;
}

/** Step 1 of the exchange: the request body as it goes out. */
export function captureRequestBody(exchange: LiveExchange, input: RequestInfo | URL, init: RequestInit | undefined): void {
  const request = input instanceof Request ? input : undefined;
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
}

export function observe(exchange: LiveExchange, response: Response, signal: AbortSignal | null | undefined): Response {
  exchange.responded(response.status, headersRecord(response.headers), { url: response.url, redirected: response.redirected });
  if (response.body === null) {
    // 101/204/205/304 and HEAD: no body to observe, and `new Response(body, {status: 204})` would throw (docs/fetch-tap.md#rebuilt-response).
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

  // The same class as the agent's: a client's own fetch (e.g. the `undici` package's) has its own Response.
  const ResponseClass = (typeof response.constructor === 'function' ? response.constructor : Response) as typeof Response;
  const wrapped = new ResponseClass(observed, { status: response.status, statusText: response.statusText, headers: response.headers });
  // A rebuilt Response loses what only fetch can set (docs/fetch-tap.md#rebuilt-response); give the agent the original values.
  Object.defineProperties(wrapped, {
    url: { value: response.url, enumerable: true },
    redirected: { value: response.redirected, enumerable: true },
    type: { value: response.type, enumerable: true },
  });
  if (signal && !signal.aborted) {
    // Agents pass one signal to many calls (a session-wide cancel): a listener left behind per exchange
    // prints MaxListenersExceededWarning on the agent's stderr after ~1500 calls (issue 16). Plain fetch
    // removes its own; so do we, when the exchange ends.
    const onAbort = () => exchange.finish('aborted', signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    exchange.untilFinished(() => signal.removeEventListener('abort', onAbort));
  }
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
