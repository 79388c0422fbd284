/**
 * An exchange for a fetch-shaped call — what the fetch tap and the SDK layer (for a client with its own fetch)
 * share: the request body captured without consuming anything the agent still needs, and the response body
 * observed where the agent reads it (Node's own Response: body-in-place.ts), or else through a pull-based
 * pass-through stream (high-water mark 0): a chunk is read from the network only
 * when the agent asks for one, so nothing is buffered ahead of the agent and nothing is delayed — never `tee()`
 * or `clone()`, whose unread branch buffers without bound (docs/fetch-tap.md#no-tee-or-clone). Pull-based rather than a
 * TransformStream so that end, error and cancel each reach us on every Node version (docs/fetch-tap.md#transformstream-cancel).
 */
import { flattenHeaders } from '../exchange/headers.js';
import type { EndpointMatch } from '../exchange/endpoints.js';
import type { SdkCall } from '../exchange/types.js';
import { observeInPlace } from './body-in-place.js';
import type { TapContext } from './context.js';
import { LiveExchange, isAbortError } from './live-exchange.js';

/** An exchange for a fetch-shaped call, recorded with the headers it goes out with. */
export function startExchange(
  ctx: TapContext,
  layer: 'fetch' | 'sdk',
  match: EndpointMatch,
  method: string,
  url: URL,
  headers: Record<string, string>,
  sdk: SdkCall | undefined,
  t0?: number,
): LiveExchange {
  return new LiveExchange(ctx, { layer, match, method, url: url.href, headers, ...(sdk ? { sdk } : {}) }, t0);
}

/** Step 1 of the exchange: the request body as it goes out. */
export function captureRequestBody(
  exchange: LiveExchange,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): void {
  const request = input instanceof Request ? input : undefined;
  const body = init?.body ?? undefined;
  if (body !== undefined && body !== null) {
    const text = bodyText(body);
    if (text instanceof Promise) {
      text.then(
        (t) => exchange.requested(t),
        () => exchange.requested(undefined, -1),
      );
    } else exchange.requested(text, text === undefined ? -1 : undefined);
  } else if (request?.body) {
    // Reading a clone of a finite request body is bounded; the agent's Request is left unread for fetch.
    request
      .clone()
      .text()
      .then(
        (t) => exchange.requested(t),
        () => exchange.requested(undefined, -1),
      );
  } else exchange.requested(undefined, 0);
}

/** Steps 2–4: the response handed to the agent, its body observed as the agent reads it. */
export function observe(exchange: LiveExchange, response: Response, signal: AbortSignal | null | undefined): Response {
  exchange.respondedSoon(
    response.status,
    response.headers.get('content-type'),
    () => flattenHeaders(response.headers),
    {
      url: response.url,
      redirected: response.redirected,
    },
  );
  if (response.body === null) {
    // 101/204/205/304 and HEAD: no body to observe, and `new Response(body, {status: 204})` would throw (docs/fetch-tap.md#rebuilt-response).
    exchange.finish('complete');
    return response;
  }
  // Node's own Response: the agent keeps it, its body observed where it is read (body-in-place.ts).
  if (observeInPlace(exchange, response)) {
    endOnAbort(exchange, signal);
    return response;
  }
  // Locked lazily, on the agent's first read: if anything below throws, the agent gets its untouched Response.
  const body = response.body;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const read = () => {
    reader ??= body.getReader();
    return reader.read();
  };
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
        exchange.chunkSoon(result.value);
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
  const ResponseClass = (
    typeof response.constructor === 'function' ? response.constructor : Response
  ) as typeof Response;
  const wrapped = new ResponseClass(observed, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A rebuilt Response loses what only fetch can set (docs/fetch-tap.md#rebuilt-response); give the agent the original values.
  Object.defineProperties(wrapped, {
    url: { value: response.url, enumerable: true },
    redirected: { value: response.redirected, enumerable: true },
    type: { value: response.type, enumerable: true },
  });
  endOnAbort(exchange, signal);
  return wrapped;
}

/** An abort of the call's signal while the agent reads the body ends the exchange. */
function endOnAbort(exchange: LiveExchange, signal: AbortSignal | null | undefined): void {
  if (!signal || signal.aborted) return;
  // Agents pass one signal to many calls (a session-wide cancel): a listener left behind per exchange
  // prints MaxListenersExceededWarning on the agent's stderr after ~1500 calls (issue 16). Plain fetch
  // removes its own; so do we, when the exchange ends.
  const onAbort = () => exchange.finish('aborted', signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  exchange.untilFinished(() => signal.removeEventListener('abort', onAbort));
}

/**
 * The headers a fetch call goes out with (its init's, else its Request's), flattened. A `Headers` is read as it is:
 * a copy (`new Headers`) validates every header again, ~50 µs of the agent's call (the SDKs pass a `Headers`).
 */
export function outgoingHeaders(input: RequestInfo | URL, init: RequestInit | undefined): Record<string, string> {
  const given = init?.headers ?? (input instanceof Request ? input.headers : undefined);
  return flattenHeaders(given instanceof Headers ? given : new Headers(given));
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
