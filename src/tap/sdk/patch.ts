/**
 * Prototype patches of the SDKs' classes. Each wrapper hands back exactly what the SDK returned —
 * the same `APIPromise` (so `.withResponse()`, `.asResponse()` keep working), the same `MessageStream`
 * (with its helpers and `.controller`) — docs/sdk-layer.md#sdk-return-types, docs/sdk-layer.md#sdk-stream-object. It only sets the async context around the call:
 *
 *   1 resource method (messages.create, …): the rules on a platform call's params, open the call scope
 *   2 client.fetchWithTimeout (once per HTTP attempt): number the attempt, open the attempt scope
 *   3 the fetch/http tap below claims the attempt and writes its record (see ../attempt-scope.ts)
 *   4 unclaimed at response time (a client with its own fetch): the SDK layer records the attempt
 *
 * Patches are idempotent across the ESM and CJS copies of an SDK and across copies of agenttap: a wrapper
 * carries its original under a `Symbol.for` key, and a method already wrapped is left alone.
 */
import { performance } from 'node:perf_hooks';
import type { TapContext } from '../context.js';
import { isRecord } from '../../exchange/json.js';
import { applyOutcome } from '../../policy/rewrite/apply.js';
import type { RulesStep } from '../../policy/rewrite/wire.js';
import { type AttemptState, type CallState, scopeStorage } from '../attempt-scope.js';
import { captureRequestBody, observe, outgoingHeaders, startExchange } from '../fetch-exchange.js';
import { safely } from '../safely.js';
import { ATTEMPT_METHOD, type Family, type ResourceTarget, clientKind } from './targets.js';

const ORIGINAL = Symbol.for('agenttap.sdk.original');

type AnyFn = ((...args: unknown[]) => unknown) & { [ORIGINAL]?: AnyFn };

export interface Patch {
  proto: Record<string, unknown>;
  name: string;
  descriptor: PropertyDescriptor;
  wrapped: AnyFn;
}

let calls = 0;
const pid36 = process.pid.toString(36);

/** Wraps `proto[name]` once; returns the patch record, or undefined when there was nothing (new) to patch. */
function patchMethod(
  proto: Record<string, unknown>,
  name: string,
  make: (original: AnyFn) => AnyFn,
): Patch | undefined {
  const descriptor = Object.getOwnPropertyDescriptor(proto, name);
  const current = descriptor?.value as AnyFn | undefined;
  if (typeof current !== 'function' || current[ORIGINAL]) return undefined;
  const wrapped = make(current);
  Object.defineProperty(wrapped, ORIGINAL, { value: current });
  Object.defineProperty(wrapped, 'name', { value: current.name });
  Object.defineProperty(wrapped, 'length', { value: current.length });
  Object.defineProperty(proto, name, { ...descriptor, value: wrapped });
  return { proto, name, descriptor: descriptor!, wrapped };
}

/** Unhook politely: restore only what is still ours. */
export function unpatch(patches: readonly Patch[]): void {
  for (const p of patches) if (p.proto[p.name] === p.wrapped) Object.defineProperty(p.proto, p.name, p.descriptor);
}

export function patchResource(ctx: TapContext, exports: Record<string, unknown>, target: ResourceTarget): Patch[] {
  const cls = exports[target.exportName];
  const proto = typeof cls === 'function' ? (cls.prototype as Record<string, unknown> | undefined) : undefined;
  if (!proto) return [];
  const out: Patch[] = [];
  for (const method of target.methods) {
    const patch = patchMethod(proto, method, (original) =>
      wrapCall(ctx, original, `${target.prefix}.${method}`, target.family),
    );
    if (patch) out.push(patch);
  }
  return out;
}

/** Every exported class that makes HTTP attempts itself (`fetchWithTimeout` on its own prototype). */
export function patchClients(ctx: TapContext, exports: Record<string, unknown>): Patch[] {
  const out: Patch[] = [];
  for (const key of Object.keys(exports)) {
    const value = safely(ctx.warn, 'sdk-patch-failed', () => exports[key], undefined);
    if (typeof value !== 'function') continue;
    const proto = (value as { prototype?: Record<string, unknown> }).prototype;
    if (!proto || !Object.hasOwn(proto, ATTEMPT_METHOD)) continue;
    const patch = patchMethod(proto, ATTEMPT_METHOD, (original) => wrapAttempt(ctx, original));
    if (patch) out.push(patch);
  }
  return out;
}

/** Step 1: a resource method. */
function wrapCall(ctx: TapContext, original: AnyFn, method: string, family: Family): AnyFn {
  return function (this: { _client?: object } | undefined, ...args: unknown[]) {
    const als = scopeStorage();
    const owner: object = this?._client ?? this ?? {};
    const outer = als.getStore();
    // An SDK helper delegating to its own client (`stream()` and `parse()` call `create()`): one call.
    if (outer && !outer.attempt && outer.call.owner === owner && outer.call.attempts === 0 && !outer.call.delegated) {
      outer.call.delegated = true;
      return original.apply(this, args);
    }
    const client = safely(ctx.warn, 'sdk-tap-failed', () => clientKind(owner, family), family);
    const call: CallState = { id: `${pid36}-call-${++calls}`, client, method, owner, attempts: 0, delegated: false };
    if (ctx.rules && PLATFORM_CLIENTS.has(client))
      args = safely(ctx.warn, 'rules-failed', () => applyRulesToParams(ctx.rules!, call, method, args), args);
    return als.run({ call }, () => original.apply(this, args));
  };
}

/**
 * Clients whose requests are signed (Bedrock SigV4) or address the model in the URL (Vertex): the rules run on
 * their params, before the SDK builds and signs the request (docs/sdk-layer.md#signed-bodies, docs/sdk-layer.md#model-in-the-url). First-party clients are left to
 * the fetch tap, which sees the exact bytes.
 */
const PLATFORM_CLIENTS = new Set(['anthropic-bedrock', 'anthropic-vertex']);

/** The rules on a platform call's params: the (possibly rewritten) arguments; the decision is kept on the call. */
function applyRulesToParams(rules: RulesStep, call: CallState, method: string, args: unknown[]): unknown[] {
  call.rules = {};
  const [params, options] = args as [unknown, { headers?: Record<string, string> } | undefined];
  if (!isRecord(params) || !/^(?:beta\.)?messages\.(?:create|stream|countTokens)$/.test(method)) return args;
  const counting = method.endsWith('countTokens');
  const own = lowerCaseKeys(options?.headers);
  const outcome = rules({
    provider: 'anthropic',
    endpoint: counting ? 'anthropic.count_tokens' : 'anthropic.messages',
    method: 'POST',
    path: counting ? '/v1/messages/count_tokens' : '/v1/messages',
    // The SDK adds its own headers (auth, version) later; a rule's header match sees the call's own.
    headers: own,
    body: params,
  });
  call.rules = {
    ...(outcome?.event ? { event: outcome.event } : {}),
    ...(outcome?.settle ? { settle: outcome.settle } : {}),
  };
  const rewritten = applyOutcome(outcome, own);
  if (!rewritten) return args;
  const { headers } = rewritten;
  const nextOptions =
    Object.keys(headers).length > 0 ? { ...options, headers: { ...options?.headers, ...headers } } : options;
  // Params the SDK may still change as it builds the request: a fresh copy, not the rules' shared objects.
  return [JSON.parse(rewritten.body) as unknown, nextOptions, ...args.slice(2)];
}

function lowerCaseKeys(headers: Record<string, string> | undefined): Record<string, string> {
  if (!isRecord(headers)) return {};
  return Object.fromEntries(
    Object.entries(headers)
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => [k.toLowerCase(), v]),
  );
}

/** Step 2: one HTTP attempt of the current call. */
function wrapAttempt(ctx: TapContext, original: AnyFn): AnyFn {
  return function (this: unknown, ...args: unknown[]) {
    const als = scopeStorage();
    const scope = als.getStore();
    if (!scope || scope.attempt) return original.apply(this, args);
    const call = scope.call;
    const attempt: AttemptState = {
      sdk: { call: call.id, client: call.client, method: call.method, attempt: ++call.attempts },
      claimed: false,
    };
    const t0 = performance.now();
    const result = als.run({ call, attempt }, () => original.apply(this, args));
    if (!(result instanceof Promise)) return result;
    return result.then(
      (response: unknown) =>
        attempt.claimed
          ? response
          : safely(ctx.warn, 'sdk-tap-failed', () => recordUnclaimed(ctx, call, attempt, args, t0, response), response),
      (err: unknown) => {
        if (!attempt.claimed)
          safely(
            ctx.warn,
            'sdk-tap-failed',
            () => recordUnclaimed(ctx, call, attempt, args, t0, undefined, err),
            undefined,
          );
        throw err;
      },
    );
  };
}

/**
 * Step 4: nothing below saw this attempt (the client's own `fetch` bypassed global fetch and node:http),
 * so the SDK layer writes its record, from the request the SDK handed to its fetch.
 */
function recordUnclaimed(
  ctx: TapContext,
  call: CallState,
  attempt: AttemptState,
  args: unknown[],
  t0: number,
  response: unknown,
  error?: unknown,
): unknown {
  const [input, init] = args as [string | URL, RequestInit | undefined];
  const url = new URL(String(input));
  const method = (init?.method ?? 'GET').toUpperCase();
  const match = ctx.matchEndpoint(method, url);
  if (!match) return response;
  const exchange = startExchange(ctx, 'sdk', match, method, url, outgoingHeaders(input, init), attempt.sdk, t0);
  exchange.ruled(call.rules);
  captureRequestBody(exchange, input, init);
  if (error !== undefined) {
    exchange.finish('error', error);
    return response;
  }
  if (isWebResponse(response)) return observe(exchange, response, init?.signal);
  // A fetch that is not WHATWG (node-fetch): headers only; its body stream is left alone.
  const r = response as
    | { status?: number; headers?: { forEach?: (fn: (v: string, k: string) => void) => void } }
    | undefined;
  const headers: Record<string, string> = {};
  r?.headers?.forEach?.((v, k) => {
    headers[k] = v;
  });
  exchange.responded(r?.status ?? 0, headers);
  exchange.finish('complete');
  return response;
}

/** A WHATWG Response, from this realm's fetch or another undici copy (`instanceof` fails across copies). */
function isWebResponse(value: unknown): value is Response {
  if (value instanceof Response) return true;
  const r = value as { body?: unknown; headers?: { forEach?: unknown }; status?: unknown } | null | undefined;
  return (
    typeof r?.status === 'number' &&
    typeof r.headers?.forEach === 'function' &&
    (r.body === null || r.body instanceof ReadableStream)
  );
}
