/**
 * The fetch tap: wraps `globalThis.fetch` itself (fetch-patch.ts), not the undici dispatcher — a per-request `dispatcher`
 * or a later `setGlobalDispatcher` would bypass a dispatcher hook (docs/fetch-tap.md#wrap-fetch-not-the-dispatcher). Agents that look fetch up
 * at each request (Claude Code does) see the wrapper as long as it is installed before their first call.
 *
 * Calls to non-model URLs go straight to the original fetch. A model call goes through the rules (the one
 * rewrite seam: src/policy/rewrite/apply.ts) and becomes an exchange whose response body is observed as the
 * agent reads it (fetch-exchange.ts).
 */
import type { EndpointMatch } from '../exchange/endpoints.js';
import { applyOutcome, decideOnWire } from '../policy/rewrite/apply.js';
import type { RulesOutcome } from '../policy/rewrite/wire.js';
import { claimAttempt } from './attempt-scope.js';
import { type FetchTarget, fetchTarget, patchFetch } from './fetch-patch.js';
import type { TapContext, Uninstall } from './context.js';
import { captureRequestBody, observe, outgoingHeaders, startExchange } from './fetch-exchange.js';
import { type LiveExchange, isAbortError } from './live-exchange.js';
import { withBody } from './replace-body.js';
import { safely } from './safely.js';

/** The fetch tap with its context at hand (the Bun preload, tests): every call goes through the handler. */
export function installFetchTap(ctx: TapContext): Uninstall {
  return patchFetch({ wants: () => true, handler: (original) => fetchHandler(ctx, original) });
}

/** What the patched fetch does with a call: records and rewrites a model call; anything else goes straight through. */
export function fetchHandler(ctx: TapContext, original: typeof fetch) {
  return async (input: RequestInfo | URL, init?: RequestInit, target?: FetchTarget): Promise<Response> => {
    const started = safely(ctx.warn, 'fetch-tap-failed', () => begin(ctx, input, init, target), undefined);
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
    return safely(
      ctx.warn,
      'fetch-tap-failed',
      () => observe(exchange, response, init?.signal ?? requestSignal(input)),
      response,
    );
  };
}

interface Begun {
  exchange: LiveExchange;
  /** What to call fetch with: the agent's arguments, or a rewritten request. */
  input: RequestInfo | URL;
  init: RequestInit | undefined;
}

/** The model call this fetch is, or undefined to pass it through untouched. */
function begin(
  ctx: TapContext,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  target = fetchTarget(input, init),
): Begun | undefined {
  const { method, url } = target;
  const match = ctx.matchEndpoint(method, url);
  if (!match) return undefined;
  const claim = claimAttempt();
  if (claim.skip) return undefined; // a layer above already records this HTTP attempt
  const headers = outgoingHeaders(input, init);
  if (!claim.sdk && ctx.outsideSdkCall) ctx.outsideSdkCall(headers);

  // Rules decided at the SDK layer (a platform client, before signing) are not decided again on the wire.
  const outcome = claim.rules ?? decide(ctx, match, method, url, headers, init);
  const sent = safely(ctx.warn, 'rules-failed', () => rewrite(outcome, headers, input, init), undefined);
  if (sent) [input, init] = sent;
  // Recorded as it goes out: a rewritten body has its own headers (no stale content-length).
  const exchange = startExchange(
    ctx,
    'fetch',
    match,
    method,
    url,
    sent ? outgoingHeaders(input, init) : headers,
    claim.sdk,
  );
  exchange.ruled(outcome);
  captureRequestBody(exchange, input, init);
  return { exchange, input, init };
}

/** The fetch arguments that send the rewritten request, or undefined when the original goes out. */
function rewrite(
  outcome: RulesOutcome | undefined,
  headers: Record<string, string>,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
): [RequestInfo | URL, RequestInit] | undefined {
  const rewritten = applyOutcome(outcome, headers);
  return rewritten && withBody(input, init, rewritten.body, rewritten.headers);
}

/**
 * The rewrite rules (issue 5) on a JSON string body. A signed or path-addressed request is decided and logged but
 * never changed here: only the SDK layer may (docs/sdk-layer.md#signed-bodies, docs/sdk-layer.md#model-in-the-url), and the decision says why.
 */
function decide(
  ctx: TapContext,
  match: EndpointMatch,
  method: string,
  url: URL,
  headers: Record<string, string>,
  init: RequestInit | undefined,
): RulesOutcome | undefined {
  const rules = ctx.rules;
  const text = init?.body;
  if (!rules || typeof text !== 'string') return undefined;
  return safely(
    ctx.warn,
    'rules-failed',
    () => decideOnWire(rules, { match, method, path: url.pathname, headers, text }),
    undefined,
  );
}

function requestSignal(input: RequestInfo | URL): AbortSignal | undefined {
  return input instanceof Request ? input.signal : undefined;
}
