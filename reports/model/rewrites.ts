/**
 * The rewrite rules' decisions in the report:
 *
 *   rewrite.applied ─► readRewrite: field by field (RewriteApplied in src/log/events.ts); a malformed optional
 *                      field is left out, a malformed required one (exchange, dry_run, sent, rules) drops the event
 *                  ─► build.ts joins it to its exchange by `<pid>/<exchange>` once the whole log is read, so the
 *                      event may come before its `exchange.request` (as the tap writes it) or after
 *                  ─► summarizeRewrites: per rule set, per rule, totals, refusal reasons
 *
 * Attribution when several rules rewrite one exchange: the saving is the exchange's, not a rule's (the
 * estimate is of the whole rewrite), so the exchange counts once, in the group of its rule set ("a+b"); the
 * groups add up to the totals. Each rule's own count (`rules`) still counts the exchange under every rule.
 */
import { isRecord as isObj } from '../../src/exchange/json.js';
import type {
  CacheTokens,
  ExchangeRewrite,
  RewriteChangeValue,
  RewriteEstimate,
  RewriteFigures,
  RewriteGroup,
  RewriteRuleCount,
  RewriteSummary,
} from './types.js';

const MAX_TEXT = 500;
const MAX_REASONS = 20;
const MAX_REJECTIONS = 50;

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const str = (v: string, max = MAX_TEXT) => (v.length > max ? `${v.slice(0, max)}…` : v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function beforeAfter(v: unknown): { before: number; after: number } | undefined {
  return isObj(v) && num(v.before) && num(v.after) ? { before: v.before, after: v.after } : undefined;
}

function cacheTokens(v: unknown): CacheTokens | undefined {
  return isObj(v) && num(v.read) && num(v.write) ? { read: v.read, write: v.write } : undefined;
}

/** The change summary, keeping the values of the two shapes the engine writes (a pair, or a word). */
function change(v: unknown): Record<string, RewriteChangeValue> {
  const out: Record<string, RewriteChangeValue> = {};
  if (!isObj(v)) return out;
  const scalar = (x: unknown): x is string | number => typeof x === 'string' || num(x);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === 'string') out[k] = str(x, 200);
    else if (Array.isArray(x) && x.length === 2 && scalar(x[0]) && scalar(x[1]))
      out[k] = x.map((y) => (typeof y === 'string' ? str(y, 200) : y)) as [string | number, string | number];
  }
  return out;
}

/** One `rewrite.applied` event, or why it cannot be read. */
export function readRewrite(ev: Record<string, unknown>): { exchange: string; rewrite: ExchangeRewrite } | string {
  if (typeof ev.exchange !== 'string') return 'without an exchange id';
  if (typeof ev.dry_run !== 'boolean' || typeof ev.sent !== 'boolean') return 'without dry_run/sent';
  const rules = Array.isArray(ev.rules)
    ? ev.rules.filter((r): r is { rule: string; actions?: unknown } => isObj(r) && typeof r.rule === 'string')
    : [];
  if (rules.length === 0) return 'without rules';
  const rejected = strings(ev.rejected)
    .slice(0, MAX_REASONS)
    .map((x) => str(x));
  // A dry run whose rewrite failed the check would not have been sent either: refused wins over dry run.
  const state = ev.sent ? 'sent' : rejected.length ? 'rejected' : ev.dry_run ? 'dry-run' : 'rejected';
  if (state === 'rejected' && rejected.length === 0) rejected.push('not sent (no reason logged)');
  const rewrite: ExchangeRewrite = {
    rules: rules.map((r) => str(r.rule, 200)),
    actions: rules.map((r) => strings(r.actions)),
    state,
    change: change(ev.change),
  };
  const tokens = beforeAfter(ev.tokens);
  if (tokens) {
    const basis = (ev.tokens as { basis?: unknown }).basis;
    rewrite.tokens = basis === 'usage' || basis === 'size' ? { ...tokens, basis } : tokens;
  }
  const cost = beforeAfter(ev.cost);
  if (cost) rewrite.cost = cost;
  const cache = isObj(ev.cache)
    ? { before: cacheTokens(ev.cache.before), after: cacheTokens(ev.cache.after) }
    : undefined;
  if (cache?.before && cache.after) rewrite.cache = { before: cache.before, after: cache.after };
  if (state === 'rejected') rewrite.rejected = rejected;
  return { exchange: ev.exchange, rewrite };
}

export const estimate = (): RewriteEstimate => ({
  calls: 0,
  tokens: { before: 0, after: 0 },
  noTokens: 0,
  cost: { before: 0, after: 0 },
  unpriced: 0,
});
const figures = (): RewriteFigures => ({
  calls: 0,
  sent: 0,
  dryRun: 0,
  rejected: 0,
  saved: estimate(),
  wouldSave: estimate(),
  actual: { calls: 0, cost: 0, original: 0 },
});

/** Adds a rewrite's own estimate (tokens, cost) to a sum (also the rules simulation's: simulation.ts). */
export function addEstimate(e: RewriteEstimate, r: ExchangeRewrite): void {
  e.calls++;
  if (r.tokens) {
    e.tokens.before += r.tokens.before;
    e.tokens.after += r.tokens.after;
  } else e.noTokens++;
  if (r.cost) {
    e.cost.before += r.cost.before;
    e.cost.after += r.cost.after;
  } else e.unpriced++;
}

/** `cost`: the exchange's actual cost (its row's), absent when it has no price or no row (`linked` false). */
function add(f: RewriteFigures, r: ExchangeRewrite, cost: number | undefined): void {
  f.calls++;
  if (r.state === 'sent') {
    f.sent++;
    addEstimate(f.saved, r);
    if (cost !== undefined && r.cost) {
      f.actual.calls++;
      f.actual.cost += cost;
      f.actual.original += cost + (r.cost.before - r.cost.after);
    }
  } else if (r.state === 'dry-run') {
    f.dryRun++;
    addEstimate(f.wouldSave, r);
  } else f.rejected++;
}

export interface RewriteInput {
  rewrite: ExchangeRewrite;
  /** The exchange's actual cost (USD), when it is in the log and priced. */
  cost?: number;
  /** False for a decision whose exchange has no request in the log. */
  linked: boolean;
}

/** The session's rewrites, in time order (linked ones by their exchange, then the unlinked ones). */
export function summarizeRewrites(list: readonly RewriteInput[]): RewriteSummary {
  const groups = new Map<string, RewriteGroup>();
  const rules = new Map<string, RewriteRuleCount>();
  const reasons = new Map<string, number>();
  const totals = figures();
  for (const { rewrite: r, cost } of list) {
    const key = r.rules.join('+');
    let g = groups.get(key);
    if (!g) {
      g = { rules: key, ...figures() };
      groups.set(key, g);
    }
    add(g, r, cost);
    add(totals, r, cost);
    r.rules.forEach((id, k) => {
      let c = rules.get(id);
      if (!c) {
        c = { rule: id, calls: 0, sent: 0, dryRun: 0, rejected: 0, actions: [] };
        rules.set(id, c);
      }
      c.calls++;
      if (r.state === 'sent') c.sent++;
      else if (r.state === 'dry-run') c.dryRun++;
      else c.rejected++;
      for (const a of r.actions[k] ?? []) if (!c.actions.includes(a)) c.actions.push(a);
    });
    for (const reason of r.rejected ?? []) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  }
  const usd = totals.saved.cost.before - totals.saved.cost.after;
  return {
    rules: [...rules.values()],
    groups: [...groups.values()],
    totals: {
      ...totals,
      saving: { usd, pct: totals.saved.cost.before > 0 ? (100 * usd) / totals.saved.cost.before : undefined },
    },
    rejections: [...reasons]
      .sort((a, b) => b[1] - a[1])
      .slice(0, MAX_REJECTIONS)
      .map(([reason, count]) => ({ reason, count })),
    unlinked: list.filter((x) => !x.linked).length,
  };
}
