/**
 * The one rewrite seam, as every layer meets it (the fetch and http taps, the proxy, the SDK layer):
 *
 *   request leaving ──► decideOnWire (fetch, proxy: the JSON text parsed once here)  ─┐
 *   SDK call params ──► the rules step itself (platform clients, before signing)      ─┴► RulesOutcome
 *   RulesOutcome ──► applyOutcome: the body to send and the headers to set, or undefined (the original goes out);
 *                    each layer puts them in its own shape (fetch init, proxy headers + content-length, SDK params)
 *   RulesOutcome ──► LiveExchange.ruled (src/tap/live-exchange.ts): the decision logged with the attempt's id,
 *                    the response's usage handed back to the rules
 * Light on purpose, like wire.ts: the taps import it on every start; the engine loads only with a rules file.
 */
import type { EndpointMatch } from '../../exchange/endpoints.js';
import { isRecord } from '../../exchange/json.js';
import { changedHeaders, decideRules, type RulesOutcome, type RulesStep } from './wire.js';

/** A model request about to leave with a JSON text body, as the fetch tap or the proxy holds it. */
export interface WireRequest {
  match: EndpointMatch;
  method: string;
  /** The URL's path. */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body as the agent wrote it. */
  text: string;
}

/**
 * The rules' outcome for a request on the wire, its body parsed once. A body that is not a JSON object is no
 * request the rules know: undefined. Throws on text that is not JSON (callers run it inside `safely`).
 */
export function decideOnWire(step: RulesStep, request: WireRequest): RulesOutcome | undefined {
  const body = JSON.parse(request.text) as unknown;
  return isRecord(body) ? decideOnBody(step, request, body, request.text.length) : undefined;
}

/**
 * The same for a body already parsed, `chars` the length of its JSON text: `agenttap rules simulate` on a recorded
 * request (simulate.ts), whose parts the log's reader shares between requests as the agent's own objects are.
 */
export function decideOnBody(
  step: RulesStep,
  request: Omit<WireRequest, 'text'>,
  body: Record<string, unknown>,
  chars: number,
): RulesOutcome | undefined {
  const { match, method, path, headers } = request;
  return decideRules(
    step,
    { provider: match.provider, endpoint: match.endpoint, method, path, headers, body, bodyChars: chars },
    { signed: isSignedRequest(headers), pathModel: match.model },
  );
}

/** What a rewrite changes in the request: its body, and the headers an action set or changed (a beta flag). */
export interface Rewritten {
  body: string;
  /** To set on top of the request's own (lower-case names). */
  headers: Record<string, string>;
}

/** The request to send instead of the original (`headers`: the request's own), or undefined when the original goes out. */
export function applyOutcome(
  outcome: RulesOutcome | undefined,
  headers: Record<string, string>,
): Rewritten | undefined {
  if (!outcome?.send) return undefined;
  return { body: outcome.send.body, headers: changedHeaders(headers, outcome.send.headers) };
}

/**
 * A request whose body is covered by a signature: AWS SigV4 (`Authorization: AWS4-HMAC-SHA256 …`, or the
 * presigned/streaming `x-amz-*` signature headers). Bedrock's bearer API keys do not sign the body.
 * `headers`: lower-case names.
 */
export function isSignedRequest(headers: Record<string, string>): boolean {
  if (/^AWS4-HMAC-SHA256\b/i.test(headers.authorization ?? '')) return true;
  return headers['x-amz-signature'] !== undefined || headers['x-amz-content-sha256'] !== undefined;
}
