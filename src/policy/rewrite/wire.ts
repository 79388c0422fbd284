/**
 * The rules where they meet the wire: the shapes the taps and the proxy hand the rules step, and how they
 * apply its outcome. Light on purpose — the taps import it on every start, while the engine (runtime.ts and
 * what it pulls in) loads only when there is a rules file.
 */
import type { Endpoint, Provider, Usage } from '../../exchange/types.js';
import type { EventBody } from '../../log/events.js';

export interface OutgoingRequest {
  provider: Provider;
  endpoint: Endpoint;
  method: string;
  /** The URL's path (the classifier looks at it). */
  path: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  /** The length of the body's JSON text as the agent wrote it, when the caller has it. */
  bodyChars?: number;
}

export interface RulesOutcome {
  /** What the log records (the exchange id is added by the tap); absent when no rule matched. */
  event?: EventBody<'rewrite.applied', 'exchange'>;
  /** Present when the rewrite is to be sent. */
  send?: { body: string; headers: Record<string, string> };
  /** To be called with the response's usage: the rules learn what the API counted for this conversation. */
  settle?: (usage: Usage) => void;
}

/** `refusal`: why the request cannot be changed where it is (signed, path-addressed); the rules still decide and log. */
export type RulesStep = (request: OutgoingRequest, refusal?: string) => RulesOutcome | undefined;

/** What makes a request on the wire unfit for a rewrite there; only the SDK layer, before the SDK builds it, may. */
export interface WireFacts {
  /** Covered by a signature (Bedrock SigV4): a changed body gets a 403 (docs/sdk-layer.md#signed-bodies). */
  signed: boolean;
  /** The model named in the URL path (Vertex, Bedrock): the body has none to swap (docs/sdk-layer.md#model-in-the-url). */
  pathModel?: string;
}

const ONLY_SDK = 'only the SDK layer can rewrite it, before the SDK builds the request (AGENTTAP_SDK=on)';

/**
 * The step's outcome for a request about to leave at the fetch layer or the proxy. Rules see a path-addressed
 * request's model as if it were in the body, so they match as they would at the SDK layer; but a signed or
 * path-addressed request is never changed here: its decision is logged as not sent, with the reason.
 */
export function decideRules(step: RulesStep, request: OutgoingRequest, wire: WireFacts): RulesOutcome | undefined {
  const pathAddressed = wire.pathModel !== undefined;
  const view =
    pathAddressed && request.body.model === undefined
      ? { ...request, body: { ...request.body, model: wire.pathModel } }
      : request;
  const refusal = wire.signed
    ? `a signed request: ${ONLY_SDK}`
    : pathAddressed
      ? `the model is in the URL path: ${ONLY_SDK}`
      : undefined;
  return step(view, refusal);
}

/** The headers an action set or changed (a beta flag), to apply on top of the request's own. */
export function changedHeaders(before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(after).filter(([name, value]) => before[name] !== value));
}
