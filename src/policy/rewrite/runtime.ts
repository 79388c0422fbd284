/**
 * The rules at run time: one step the taps call for each model request before it leaves, with its parsed body.
 * It asks the engine, prices the change against what it remembers of the conversation (ledger.ts), and says
 * what to send — the rewritten body and headers, or nothing (the original goes out: no rule matched, a dry
 * run, a refusal, or a result that failed the validity check) — and how to learn from the response's usage.
 * Never throws: the taps run it inside `safely`, and a failure leaves the request untouched.
 */
import type { Usage } from '../../exchange/types.js';
import type { PriceTable } from '../../pricing/index.js';
import { compileRules, type RewriteDecision } from './engine.js';
import { cacheSplit, ConversationLedger, shapeOf, type CacheSplit, type PrefixShape } from './ledger.js';
import type { RequestView } from './match.js';
import type { AnthropicBody } from './types.js';
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
  const ledger = new ConversationLedger();
  return (request, refusal) => {
    const mechanism = options.mechanismOf?.(request);
    const messages = request.endpoint === 'anthropic.messages' && isAnthropicBody(request.body);
    if (!messages) return withoutLedger(engine({ ...request, mechanism }), request, options, refusal);

    const body = request.body as AnthropicBody;
    const key = ledger.keyOf(body);
    const known = key === undefined ? {} : ledger.get(key);
    const original = shapeOf(body);
    const ratio = known.ratio;
    const view: RequestView = { ...request, mechanism, knownInputTokens: Math.round(total(original) * (ratio ?? 1)) };
    const decision = engine(view);
    const rewritten = decision.rewritten ? shapeOf(decision.rewritten.body) : original;
    const sent = !options.dryRun && !refusal && decision.rewritten !== undefined;
    const sentShape = sent ? rewritten : original;
    if (key !== undefined) ledger.remember(key, original, rewritten);
    const settle = key === undefined ? undefined : (usage: Usage) => ledger.settle(key, sentShape, usage);
    if (decision.applied.length === 0) return { settle };

    const outcome = eventOnly(decision, options.dryRun, refusal);
    if (decision.rewritten) {
      const scale = ratio ?? 1;
      const before = scaled(cacheSplit(original, known.original), scale);
      const after = scaled(cacheSplit(rewritten, known.rewritten), scale);
      const cost = costOf(options.prices, body.model, before, decision.rewritten.body.model, after);
      outcome.event = {
        ...outcome.event!,
        tokens: { before: sum(before), after: sum(after), basis: ratio ? 'usage' : 'size' },
        cache: { before: { read: before.read, write: before.write }, after: { read: after.read, write: after.write } },
        ...(cost ? { cost } : {}),
      };
    }
    return {
      ...outcome,
      settle,
      ...(sent ? { send: { body: decision.json!, headers: decision.rewritten!.headers } } : {}),
    };
  };
}

/**
 * An OpenAI request (or another endpoint the rules refuse): priced on its size alone. OpenAI's prompt cache is
 * automatic and its discount is not a write the rewrite could cause, so there is no split to estimate.
 */
function withoutLedger(
  decision: RewriteDecision,
  request: OutgoingRequest,
  options: RulesStepOptions,
  refusal: string | undefined,
): RulesOutcome {
  const outcome = eventOnly(decision, options.dryRun, refusal);
  if (!decision.rewritten || !decision.tokens || !outcome.event) return outcome;
  const [before, after] = decision.tokens;
  const plain = (input: number): CacheSplit => ({ read: 0, write: 0, input });
  const cost = costOf(
    options.prices,
    String(request.body.model),
    plain(before),
    decision.rewritten.body.model,
    plain(after),
  );
  outcome.event = { ...outcome.event, tokens: { before, after, basis: 'size' }, ...(cost ? { cost } : {}) };
  return outcome.event.sent
    ? { ...outcome, send: { body: decision.json!, headers: decision.rewritten.headers } }
    : outcome;
}

/** The decision as the log records it. */
function eventOnly(decision: RewriteDecision, dryRun: boolean, refusal: string | undefined): RulesOutcome {
  // Rules that matched but had nothing to change (no tool result long enough to cut) leave no record.
  if (decision.applied.length === 0 || (!decision.rewritten && !decision.rejected)) return {};
  const rejected = [...(decision.rejected ?? []), ...(decision.rewritten && refusal ? [refusal] : [])];
  return {
    event: {
      dry_run: dryRun,
      sent: !dryRun && !refusal && decision.rewritten !== undefined,
      rules: decision.applied,
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(decision.change ? { change: { ...decision.change } } : {}),
    },
  };
}

const total = (shape: PrefixShape) => shape.upTo.at(-1) ?? 0;
const sum = (split: CacheSplit) => split.read + split.write + split.input;
const scaled = (split: CacheSplit, by: number): CacheSplit => ({
  read: Math.round(split.read * by),
  write: Math.round(split.write * by),
  input: Math.round(split.input * by),
});

function isAnthropicBody(body: Record<string, unknown>): body is AnthropicBody {
  return typeof body.model === 'string' && Array.isArray(body.messages);
}

/**
 * Estimated input cost before and after, each at its model's price and with its prompt-cache split: a rewrite
 * that breaks the cached prefix pays the cache write it causes.
 */
function costOf(
  prices: PriceTable,
  modelBefore: string,
  before: CacheSplit,
  modelAfter: string,
  after: CacheSplit,
): { before: number; after: number } | undefined {
  const tokens = (s: CacheSplit) => ({ input: s.input, output: 0, cacheRead: s.read, cacheWrite: s.write });
  const b = prices.cost(modelBefore, tokens(before));
  const a = prices.cost(modelAfter, tokens(after));
  return b === undefined || a === undefined ? undefined : { before: b, after: a };
}
