/**
 * The words and table cells of a rules simulation, one source for the terminal, Markdown and the HTML page's
 * view (bundled with it: formats from ./format.ts only).
 */
import type { SimulationRow, SimulationSummary } from '../model/simulation.js';
import { fmtTokens } from './format.js';

export interface SimulationText {
  head: string[];
  /** Per rule set and mechanism (each exchange in one row), then `total`. */
  rows: string[][];
  total: string[];
  /** Per rule (an exchange with several rules under each). */
  perRule: string[][];
  sentence: string;
  /** "3× reason", most frequent first. */
  reasons: string[];
  notes: string[];
}

/** Signed: a rewrite that breaks the prompt cache costs more than it saves. */
const usd = (x: number) => `${x < 0 ? '−' : ''}$${Math.abs(x).toFixed(Math.abs(x) < 1 ? 4 : 2)}`;

function cells(r: SimulationRow, text: (s: string) => string): string[] {
  const e = r.estimate;
  const priced = e.calls - e.unpriced;
  const estimated = e.calls - e.noTokens;
  return [
    text(r.rules),
    text(r.mechanism),
    String(r.changed),
    String(e.calls),
    String(r.invalid),
    estimated ? `${fmtTokens(e.tokens.before)} → ${fmtTokens(e.tokens.after)}` : '–',
    estimated ? `${fmtTokens(r.cache.before.write)} → ${fmtTokens(r.cache.after.write)}` : '–',
    priced ? `${usd(e.cost.before)} → ${usd(e.cost.after)}` : '–',
    priced ? usd(e.cost.before - e.cost.after) : '–',
  ];
}

/** `text` escapes captured strings (rule ids, mechanisms, reasons) for the output at hand. */
export function simulationText(s: SimulationSummary, text: (s: string) => string = (x) => x): SimulationText {
  const t = s.total;
  const cost = t.estimate.cost;
  const saving = cost.before - cost.after;
  const pct = cost.before > 0 ? ` (${((100 * saving) / cost.before).toFixed(1)}%)` : '';
  const notes: string[] = [];
  for (const k of s.skipped) notes.push(`${k.count} request(s) not simulated: ${text(k.reason)}.`);
  if (s.alreadyRewritten)
    notes.push(
      `${s.alreadyRewritten} request(s) of this recording were sent rewritten by its own rules: simulated as recorded (the rewrite included).`,
    );
  if (s.redacted)
    notes.push(
      `${s.redacted} request(s) carry a redacted secret: those parts are sized by the tag the log holds, so their estimates may differ from a live run's by a few tokens.`,
    );
  if (t.estimate.unpriced)
    notes.push(`${t.estimate.unpriced} valid rewrite(s) of a model without a price: not in the cost.`);
  return {
    head: [
      'rules',
      'mechanism',
      'would change',
      'valid',
      'invalid',
      'est. input tokens',
      'cache writes',
      'est. input cost',
      'saving',
    ],
    rows: s.rows.map((r) => cells(r, text)),
    total: cells(t, text),
    perRule: s.perRule.map((r) => cells(r, text)),
    sentence:
      `${s.requests} recorded request(s), ${s.decided} given to the rules: ${t.changed} would change, ${t.estimate.calls} valid, ${t.invalid} invalid. ` +
      `Estimated input cost of the valid ones, prompt cache included: ${usd(cost.before)} → ${usd(cost.after)}, saving ${usd(saving)}${pct}.`,
    reasons: s.reasons.map((x) => `${x.count}× ${text(x.reason)}`),
    notes,
  };
}
