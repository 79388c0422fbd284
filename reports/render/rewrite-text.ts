/**
 * The Rewrites section's words and table cells, one source for Markdown, the terminal and the HTML page.
 * The page inlines `rewriteText.toString()` into its script (html/page.ts), so this function must stay
 * self-contained: no imports at run time, no outer variables.
 */
import type { RewriteFigures, RewriteSummary } from '../model/types.js';

export interface RewriteText {
  head: string[];
  /** One row per rule set (each exchange in one), then the total row. */
  rows: { rules: string; cells: string[] }[];
  total: string[];
  /** The totals in a sentence, and in a line for the terminal. */
  sentence: string;
  short: string;
  /** Counts per rule id (an exchange counts under each of its rules). */
  perRule: string;
  /** "2× reason", most frequent first, at most `maxReasons`. */
  rejected: string[];
  notes: string[];
}

/** `text` escapes captured strings (rule ids, refusal reasons) for the output at hand. */
export function rewriteText(r: RewriteSummary, text: (s: string) => string = (s) => s, maxReasons = 20): RewriteText {
  const tokens = (n: number) =>
    n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
  // Signed: a rewrite that breaks the prompt cache can cost more than it saves.
  const usd = (x: number) => `${x < 0 ? '−' : ''}$${Math.abs(x).toFixed(Math.abs(x) < 1 ? 4 : 2)}`;
  const cells = (label: string, f: RewriteFigures): string[] => {
    const s = f.saved;
    const priced = s.calls - s.unpriced;
    return [
      label,
      String(f.calls),
      String(f.sent),
      String(f.dryRun),
      String(f.rejected),
      s.calls - s.noTokens ? `${tokens(s.tokens.before)} → ${tokens(s.tokens.after)}` : '–',
      priced ? `${usd(s.cost.before)} → ${usd(s.cost.after)}` : '–',
      priced ? usd(s.cost.before - s.cost.after) : '–',
      f.actual.calls ? usd(f.actual.cost) : '–',
      f.actual.calls ? usd(f.actual.original) : '–',
      f.wouldSave.calls - f.wouldSave.unpriced ? usd(f.wouldSave.cost.before - f.wouldSave.cost.after) : '–',
    ];
  };
  const t = r.totals;
  const state = (x: { sent: number; dryRun: number; rejected: number }) =>
    [x.sent && `${x.sent} sent`, x.dryRun && `${x.dryRun} dry run`, x.rejected && `${x.rejected} rejected`]
      .filter(Boolean)
      .join(', ');
  const saving = `${usd(t.saving.usd)}${t.saving.pct === undefined ? '' : ` (${t.saving.pct.toFixed(1)}%)`}`;
  const notes: string[] = [];
  if (r.rejections.length > maxReasons) notes.push(`… ${r.rejections.length - maxReasons} more refusal reason(s).`);
  if (t.wouldSave.calls)
    notes.push(
      `Dry runs would have saved ${usd(t.wouldSave.cost.before - t.wouldSave.cost.after)} of estimated input; their original requests were sent.`,
    );
  if (r.unlinked)
    notes.push(
      `${r.unlinked} decision(s) name an exchange with no request in the log: counted above, not in the actual cost.`,
    );
  return {
    head: [
      'rules',
      'calls',
      'sent',
      'dry run',
      'rejected',
      'est. input tokens',
      'est. input cost',
      'saved',
      'actual cost',
      'est. without rewrite',
      'dry run would save',
    ],
    rows: r.groups.map((g) => ({ rules: g.rules, cells: cells(g.rules, g) })),
    total: cells('total', t),
    sentence:
      `${t.calls} rewrite decision(s): ${state(t)}. Estimated input saving of the sent rewrites: ${saving}` +
      (t.actual.calls
        ? `; the ${t.actual.calls} priced rewritten call(s) cost ${usd(t.actual.cost)}, about ${usd(t.actual.original)} without the rewrite.`
        : '.'),
    short: `${state(t)} · est. input saving ${saving}${t.actual.calls ? ` · rewritten calls ${usd(t.actual.cost)} (≈ ${usd(t.actual.original)} without)` : ''}`,
    perRule: `Per rule (an exchange counts under each of its rules): ${r.rules.map((x) => `${text(x.rule)} ${x.calls} (${state(x)})`).join(' · ')}.`,
    rejected: r.rejections.slice(0, maxReasons).map((x) => `${x.count}× ${text(x.reason)}`),
    notes,
  };
}
