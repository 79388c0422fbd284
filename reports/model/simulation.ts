/**
 * `agenttap rules simulate`'s figures: the decisions the rules would have logged on a recording (each one a
 * `rewrite.applied` event, read as the report reads a live one: readRewrite), summed
 *
 *   per rule set × mechanism ─ each exchange in one row: rows add up to the total, a saving counted once
 *   per rule              ─ an exchange rewritten by several rules counts under each (the estimate is the
 *                            whole rewrite's: these rows do not add up)
 *
 * A simulation is a dry run: every decision either would change its request and stay valid, or was refused
 * (the validity check, a hook that threw) with its reasons.
 */
import { addEstimate, estimate, readRewrite } from './rewrites.js';
import type { CacheTokens, ExchangeRewrite, RewriteEstimate } from './types.js';

/** One decision as `simulateRules` (src/policy/rewrite/simulate.ts) gives it. */
export interface SimulatedInput {
  file: string;
  exchange: string;
  time?: number;
  mechanism?: string;
  event: Record<string, unknown>;
}

export interface SimulationFigures {
  /** Requests the rules matched with something to change. */
  changed: number;
  /** Refused: the original would have gone out (`reasons` says why). */
  invalid: number;
  /** The valid rewrites (`calls`: how many) and their estimates, summed as the report sums a dry run's. */
  estimate: RewriteEstimate;
  /** Of the valid rewrites' estimated tokens, prompt-cache reads and writes. */
  cache: { before: CacheTokens; after: CacheTokens };
}

export interface SimulationRow extends SimulationFigures {
  /** Rule ids joined with "+" (per rule set) or one rule id (per rule). */
  rules: string;
  /** `<agent>.<mechanism>`, or "unclassified"; "all" in the per-rule rows and the total. */
  mechanism: string;
}

export interface SimulationSummary {
  session: string;
  rulesFile: string;
  /** Model requests in the log, and of those the ones the rules were asked about. */
  requests: number;
  decided: number;
  skipped: { reason: string; count: number }[];
  /** Requests the recording already sent rewritten (its own rules were live): simulated as recorded. */
  alreadyRewritten: number;
  /** Requests with a redacted secret in their body: sized by its tag, not the secret. */
  redacted: number;
  rows: SimulationRow[];
  perRule: SimulationRow[];
  total: SimulationRow;
  /** Why rewrites were refused, most frequent first. */
  reasons: { reason: string; count: number }[];
  /**
   * Each decision, in the order the requests were made (by time across processes, as the report's rows): where
   * its request is, when it was made (ms since the epoch), the mechanism, and the rewrite as the report reads it.
   */
  decisions: { file: string; exchange: string; time?: number; mechanism: string; rewrite: ExchangeRewrite }[];
}

const UNCLASSIFIED = 'unclassified';
const MAX_REASONS = 50;

function row(rules: string, mechanism: string): SimulationRow {
  const zero = () => ({ read: 0, write: 0 });
  return { rules, mechanism, changed: 0, invalid: 0, estimate: estimate(), cache: { before: zero(), after: zero() } };
}

function add(f: SimulationFigures, r: ExchangeRewrite): void {
  f.changed++;
  if (r.state === 'rejected') {
    f.invalid++;
    return;
  }
  addEstimate(f.estimate, r);
  for (const side of ['before', 'after'] as const) {
    f.cache[side].read += r.cache?.[side].read ?? 0;
    f.cache[side].write += r.cache?.[side].write ?? 0;
  }
}

export interface SimulationRun {
  requests: number;
  decided: number;
  skipped: Record<string, number>;
  alreadyRewritten: number;
  redacted?: number;
  decisions: readonly SimulatedInput[];
}

export function summarizeSimulation(run: SimulationRun, session: string, rulesFile: string): SimulationSummary {
  const rows = new Map<string, SimulationRow>();
  const perRule = new Map<string, SimulationRow>();
  const reasons = new Map<string, number>();
  const total = row('total', 'all');
  const decisions: SimulationSummary['decisions'] = [];
  for (const d of run.decisions) {
    const read = readRewrite({ ...d.event, exchange: d.exchange });
    if (typeof read === 'string') continue;
    const r = read.rewrite;
    const mechanism = d.mechanism ?? UNCLASSIFIED;
    decisions.push({
      file: d.file,
      exchange: d.exchange,
      ...(d.time === undefined ? {} : { time: d.time }),
      mechanism,
      rewrite: r,
    });
    const key = `${r.rules.join('+')}\u0000${mechanism}`;
    if (!rows.has(key)) rows.set(key, row(r.rules.join('+'), mechanism));
    add(rows.get(key)!, r);
    add(total, r);
    for (const id of new Set(r.rules)) {
      if (!perRule.has(id)) perRule.set(id, row(id, 'all'));
      add(perRule.get(id)!, r);
    }
    for (const reason of r.rejected ?? []) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  return {
    session,
    rulesFile,
    requests: run.requests,
    decided: run.decided,
    skipped: Object.entries(run.skipped).map(([reason, count]) => ({ reason, count })),
    alreadyRewritten: run.alreadyRewritten,
    redacted: run.redacted ?? 0,
    rows: [...rows.values()].sort((a, b) => a.rules.localeCompare(b.rules) || a.mechanism.localeCompare(b.mechanism)),
    perRule: [...perRule.values()],
    total,
    reasons: [...reasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_REASONS)
      .map(([reason, count]) => ({ reason, count })),
    decisions,
  };
}
