/**
 * The rules at run time: one step the taps call for each model request before it leaves. It parses the
 * body, asks the engine, prices the change, and says what to send — the rewritten body and headers, or
 * nothing (the original goes out: no rule matched, a dry run, or the result failed the validity check).
 * Never throws: the taps run it inside `safely`, and a failure leaves the request untouched.
 */
import type { Endpoint, Provider } from '../../exchange/types.js';
import type { EventBody } from '../../log/events.js';
import type { PriceTable } from '../../pricing/index.js';
import { compileRules, type RewriteDecision } from './engine.js';
import type { RequestView } from './match.js';
import type { RulesFile } from './rules-schema.js';

export interface OutgoingRequest {
  provider: Provider;
  endpoint: Endpoint;
  method: string;
  url: URL;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface RulesOutcome {
  /** What the log records (the exchange id is added by the tap). */
  event: Omit<EventBody<'rewrite.applied'>, 'exchange'>;
  /** Present when the rewrite is to be sent. */
  send?: { body: string; headers: Record<string, string> };
}

export interface RulesStepOptions {
  dryRun: boolean;
  prices: PriceTable;
  /** The mechanism of a request (the report's classifier, on the live request). */
  mechanismOf?: (request: OutgoingRequest) => string | undefined;
}

export type RulesStep = (request: OutgoingRequest) => RulesOutcome | undefined;

export function createRulesStep(file: RulesFile, options: RulesStepOptions): RulesStep {
  const engine = compileRules(file);
  return (request) => {
    const view: RequestView = { ...request, mechanism: options.mechanismOf?.(request) };
    const decision = engine(view);
    if (decision.applied.length === 0) return undefined;
    const sent = !options.dryRun && decision.rewritten !== undefined;
    return {
      event: {
        dry_run: options.dryRun,
        sent,
        rules: decision.applied,
        ...(decision.rejected ? { rejected: decision.rejected } : {}),
        ...(decision.change ? { change: { ...decision.change } } : {}),
        ...(decision.tokens ? { tokens: { before: decision.tokens[0], after: decision.tokens[1] } } : {}),
        ...costOf(decision, request, options.prices),
      },
      ...(sent ? { send: { body: JSON.stringify(decision.rewritten!.body), headers: decision.rewritten!.headers } } : {}),
    };
  };
}

const SIGNED = 'a signed request: only the SDK layer can rewrite it before signing (AGENTTAP_SDK=on)';

/**
 * The step's outcome for a request about to leave. A signed request (Bedrock SigV4) is never changed here —
 * its signature covers the body (PITFALLS #7) — so its decision is logged as not sent, with the reason.
 */
export function decideRules(step: RulesStep, request: OutgoingRequest, signed: boolean): RulesOutcome | undefined {
  const outcome = step(request);
  if (!outcome?.send || !signed) return outcome;
  const rejected = [...((outcome.event.rejected as string[] | undefined) ?? []), SIGNED];
  return { event: { ...outcome.event, sent: false, rejected } };
}

/** The headers an action set or changed (a beta flag), to apply on top of the request's own. */
export function changedHeaders(before: Record<string, string>, after: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(after).filter(([name, value]) => before[name] !== value));
}

/** Estimated input cost before and after: same input tokens scaled by the rewrite, each at its model's price. */
function costOf(decision: RewriteDecision, request: OutgoingRequest, prices: PriceTable): { cost?: { before: number; after: number } } {
  if (!decision.tokens || !decision.rewritten) return {};
  const tokens = (input: number) => ({ input, output: 0, cacheRead: 0, cacheWrite: 0 });
  const before = prices.cost(request.body.model as string | undefined, tokens(decision.tokens[0]));
  const after = prices.cost(decision.rewritten.body.model, tokens(decision.tokens[1]));
  return before === undefined || after === undefined ? {} : { cost: { before, after } };
}
