/**
 * The rules at run time: one step the taps call for each model request before it leaves. It parses the
 * body, asks the engine, prices the change, and says what to send — the rewritten body and headers, or
 * nothing (the original goes out: no rule matched, a dry run, or the result failed the validity check).
 * Never throws: the taps run it inside `safely`, and a failure leaves the request untouched.
 */
import type { PriceTable } from '../../pricing/index.js';
import { compileRules, type RewriteDecision } from './engine.js';
import type { RequestView } from './match.js';
import type { RulesFile } from './rules-schema.js';
import type { OutgoingRequest, RulesOutcome, RulesStep } from './wire.js';

export type { OutgoingRequest, RulesOutcome, RulesStep } from './wire.js';

export interface RulesStepOptions {
  dryRun: boolean;
  prices: PriceTable;
  /** The mechanism of a request (the report's classifier, on the live request). */
  mechanismOf?: (request: OutgoingRequest) => string | undefined;
}

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

/** Estimated input cost before and after: same input tokens scaled by the rewrite, each at its model's price. */
function costOf(decision: RewriteDecision, request: OutgoingRequest, prices: PriceTable): { cost?: { before: number; after: number } } {
  if (!decision.tokens || !decision.rewritten) return {};
  const tokens = (input: number) => ({ input, output: 0, cacheRead: 0, cacheWrite: 0 });
  const before = prices.cost(request.body.model as string | undefined, tokens(decision.tokens[0]));
  const after = prices.cost(decision.rewritten.body.model, tokens(decision.tokens[1]));
  return before === undefined || after === undefined ? {} : { cost: { before, after } };
}
