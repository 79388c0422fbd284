/**
 * The two seams the rules engine (issue 5) plugs into. Both run inside `safely`: a rewriter that throws
 * leaves the request untouched and becomes a `tap.warning`.
 *
 *   SDK layer:   params rewriter  (params, {client, method}) => params | undefined
 *                applied before the SDK serialises and signs: the only place a Bedrock (SigV4) or a Vertex
 *                (model in the URL path) request can be changed — docs/sdk-layer.md#signed-bodies, docs/sdk-layer.md#model-in-the-url.
 *   fetch layer: body rewriter    (body, {endpoint, url, layer}) => body | undefined
 *                applied to the parsed JSON body just before fetch; refused, with a warning, for a signed
 *                request (the signature covers the body: a changed body gets a 403).
 *
 * `undefined` (or the same object) means "no change". The registry lives under a `Symbol.for` key, so a
 * preload module that imports this file from any path registers into the one the taps read.
 */
import type { Endpoint } from '../exchange/types.js';

export interface ParamsRewriteContext {
  /** `anthropic`, `anthropic-bedrock`, `anthropic-vertex`, `openai`, … */
  client: string;
  /** `messages.create`, `beta.messages.stream`, `chat.completions.create`, … */
  method: string;
}
export type ParamsRewriter = (params: Record<string, unknown>, ctx: ParamsRewriteContext) => Record<string, unknown> | undefined;

export interface BodyRewriteContext {
  endpoint: Endpoint;
  url: string;
  layer: 'fetch';
}
export type BodyRewriter = (body: unknown, ctx: BodyRewriteContext) => unknown;

interface Registry {
  params: ParamsRewriter[];
  body: BodyRewriter[];
}

const KEY = Symbol.for('agenttap.rewriters');
type GlobalWithRegistry = typeof globalThis & { [KEY]?: Registry };

function registry(): Registry {
  const g = globalThis as GlobalWithRegistry;
  return (g[KEY] ??= { params: [], body: [] });
}

/** Registers an SDK-level rewriter; returns its removal. Rewriters run in registration order. */
export function addParamsRewriter(fn: ParamsRewriter): () => void {
  registry().params.push(fn);
  return () => remove(registry().params, fn);
}

/** Registers a fetch-level body rewriter; returns its removal. */
export function addBodyRewriter(fn: BodyRewriter): () => void {
  registry().body.push(fn);
  return () => remove(registry().body, fn);
}

export function paramsRewriters(): readonly ParamsRewriter[] {
  return (globalThis as GlobalWithRegistry)[KEY]?.params ?? [];
}

export function bodyRewriters(): readonly BodyRewriter[] {
  return (globalThis as GlobalWithRegistry)[KEY]?.body ?? [];
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/**
 * A request whose body is covered by a signature: AWS SigV4 (`Authorization: AWS4-HMAC-SHA256 …`, or the
 * presigned/streaming `x-amz-*` signature headers). Bedrock's bearer API keys do not sign the body.
 */
export function isSignedRequest(headers: Headers): boolean {
  if (/^AWS4-HMAC-SHA256\b/i.test(headers.get('authorization') ?? '')) return true;
  return headers.has('x-amz-signature') || headers.has('x-amz-content-sha256');
}
