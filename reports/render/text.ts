/** Markdown (for a PR or an issue) and the terminal summary: the same tables from the same model. */
import type { MechanismSummary, ReportModel } from '../model/types.js';
import { rewriteText } from './rewrite-text.js';

export const fmtTokens = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n));
export const fmtMs = (n: number | undefined) => (n === undefined ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
export const fmtCost = (usd: number, unpriced: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}${unpriced ? ` (+${unpriced} unpriced)` : ''}`;

const HEAD = ['mechanism', 'calls', 'input', 'output', 'cache read', 'cache write', 'cost', 'p50 / p95', 'TTFT p50 / p95'];

function cells(m: MechanismSummary | (Omit<MechanismSummary, 'latency' | 'ttft' | 'models' | 'errors' | 'id'> & { latency?: undefined; ttft?: undefined })): string[] {
  return [
    m.label,
    m.retries ? `${m.calls} +${m.retries} retr.` : String(m.calls),
    fmtTokens(m.usage.input),
    fmtTokens(m.usage.output),
    fmtTokens(m.usage.cacheRead),
    fmtTokens(m.usage.cacheWrite),
    fmtCost(m.cost, m.unpriced),
    m.latency ? `${fmtMs(m.latency.p50)} / ${fmtMs(m.latency.p95)}` : '',
    m.ttft ? `${fmtMs(m.ttft.p50)} / ${fmtMs(m.ttft.p95)}` : '',
  ];
}

function tableRows(model: ReportModel): string[][] {
  return [...model.mechanisms.map(cells), cells({ label: 'total', calls: model.totals.calls, retries: model.totals.retries, usage: model.totals.usage, cost: model.totals.cost, unpriced: model.totals.unpriced })];
}

const mechanismName = (model: ReportModel, id: string) => model.mechanisms.find((m) => m.id === id)?.label ?? id;

/** Markdown cells: pipes and newlines escaped, HTML-looking text neutralised (GitHub renders some tags). */
const md = (s: string) => s.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

export function renderMarkdown(model: ReportModel): string {
  const s = model.session;
  const lines: string[] = [];
  lines.push(`## agenttap report — ${md(s.id)}`, '');
  lines.push(`${model.totals.calls} model calls over ${fmtMs(s.duration)} in ${s.processes.length || s.files} process(es); agents: ${model.agents.map((a) => md(`${a.agent}${a.version ? ` ${a.version}` : ''}`)).join(', ') || '–'}.`, '');
  lines.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of tableRows(model)) lines.push(`| ${r.map(md).join(' | ')} |`);
  lines.push('');
  const spawned = model.threads.filter((t) => t.spawnedBy);
  if (spawned.length) {
    lines.push('### Sub-conversations', '');
    for (const t of spawned) lines.push(`- thread ${md(t.id)} (${t.exchanges.length} calls, ${md(t.mechanism)}) started by \`${md(t.spawnedBy!.tool)}\` tool_use ${md(t.spawnedBy!.toolUseId)} in call #${t.spawnedBy!.exchange}`);
    lines.push('');
  }
  const compactions = model.threads.filter((t) => t.compactedFrom);
  if (compactions.length) {
    lines.push('### Compactions', '');
    for (const t of compactions) lines.push(`- call #${t.compactedFrom!.exchange} summarised thread ${md(t.compactedFrom!.thread)}; thread ${md(t.id)} continues from it`);
    lines.push('');
  }
  const al = model.agentLabels;
  if (al) {
    lines.push("### The agent's own labels", '', `${al.agree} of ${al.labelled} labelled calls agree with the signatures.`, '');
    if (al.disagreements.length) {
      lines.push("| signature | agent's label | calls |", '|---|---|---:|');
      for (const d of al.disagreements) lines.push(`| ${md(mechanismName(model, d.signature))} | ${md(d.agent)} | ${d.count} |`);
      lines.push('');
    }
  }
  const unclassified = model.exchanges.filter((r) => r.mechanism === 'unclassified');
  if (unclassified.length) {
    lines.push(`### Unclassified (${unclassified.length})`, '');
    for (const r of unclassified.slice(0, 20)) lines.push(`- #${r.i} ${md(r.method)} ${md(r.path)}${r.agentLabel ? ` (agent: ${md(r.agentLabel.label)})` : ''}: ${md(r.reasons.slice(0, 3).join('; ').slice(0, 400))}`);
    lines.push('', `Shapes (model | system | tools | first user text): ${model.unclassifiedShapes.length}`, '');
    for (const x of model.unclassifiedShapes) lines.push(`- ${x.calls} × from #${x.first}: ${md(x.key)}`);
    lines.push('');
  }
  if (model.rewrites) {
    const r = rewriteText(model.rewrites, md);
    lines.push('### Rewrites', '', r.sentence, '');
    lines.push(`| ${r.head.join(' | ')} |`, `|${r.head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const row of [...r.rows.map((x) => x.cells), r.total]) lines.push(`| ${row.map(md).join(' | ')} |`);
    lines.push('', r.perRule, '');
    if (r.rejected.length) lines.push('Rejected rewrites (the original request was sent):', '', ...r.rejected.map((x) => `- ${x}`), '');
    if (r.notes.length) lines.push(...r.notes, '');
  }
  if (model.prices.unpricedModels.length) lines.push(`Models without a price (cost not counted): ${model.prices.unpricedModels.map(md).join(', ')}.`, '');
  if (s.warnings.length) lines.push(`Reader warnings: ${s.warnings.length}.`, '');
  lines.push(`Prices as of ${model.prices.asOf ?? '?'} (USD per million tokens; override with \`--prices\`).`);
  return `${lines.join('\n')}\n`;
}

/** Printable: control characters from captured text never reach the terminal. */
const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

/** A table with aligned columns (first left, others right), rules under the head and above the last (total) row. */
function aligned(head: string[], body: string[][]): string[] {
  const rows = [head, ...body].map((r) => r.map(plain));
  const widths = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(rows[0]!), rule, ...rows.slice(1, -1).map(line), rule, line(rows[rows.length - 1]!)];
}

const TERMINAL_RULES = 8;
/** The terminal's Rewrites columns (of `rewriteText`'s): counts and dollars, no before → after pairs. */
const TERMINAL_COLUMNS = [0, 1, 2, 3, 4, 7, 8, 9, 10];
const TERMINAL_HEAD = ['rewrite rules', 'calls', 'sent', 'dry', 'rej.', 'saved', 'actual', 'without', 'dry would save'];
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderTerminal(model: ReportModel): string {
  const out = [`agenttap report: ${plain(model.session.id)} — ${model.totals.calls} calls, ${fmtMs(model.session.duration)}, ${model.agents.map((a) => plain(`${a.agent}${a.version ? ` ${a.version}` : ''}`)).join(', ')}`, ''];
  out.push(...aligned(HEAD, tableRows(model)));
  if (model.rewrites) {
    // Compact: the rule sets with the most calls, one line of refusal reasons; the rest is in --md and --html.
    const rw = model.rewrites;
    const r = rewriteText(rw, (x) => clip(plain(x), 50), 3);
    const rows = r.rows.map((x, k) => ({ calls: rw.groups[k]!.calls, cells: [clip(x.rules, 32), ...x.cells.slice(1)] })).sort((a, b) => b.calls - a.calls);
    const pick = (cells: string[]) => TERMINAL_COLUMNS.map((i) => cells[i]!);
    out.push('', `rewrites: ${r.short}`, ...aligned(TERMINAL_HEAD, [...rows.slice(0, TERMINAL_RULES).map((x) => pick(x.cells)), pick(r.total)]));
    if (rows.length > TERMINAL_RULES) out.push(`… ${rows.length - TERMINAL_RULES} more rule set(s) (see --md or --html)`);
    if (r.rejected.length) out.push(`rejected (original sent): ${r.rejected.join(' · ')}${rw.rejections.length > 3 ? ' · …' : ''}`);
    if (rw.unlinked) out.push(r.notes[r.notes.length - 1]!);
  }
  const al = model.agentLabels;
  if (al) {
    const pairs = al.disagreements.slice(0, 6).map((d) => plain(`${d.signature} → ${d.agent} ×${d.count}`));
    out.push('', `agent's own labels: ${al.agree} of ${al.labelled} agree with the signatures${pairs.length ? `; disagree: ${pairs.join(' · ')}${al.disagreements.length > 6 ? ' · …' : ''}` : ''}`);
  }
  if (model.unclassifiedShapes.length) {
    out.push('', `unclassified shapes: ${model.unclassifiedShapes.length} (model | system | tools | first user text)`);
    for (const x of model.unclassifiedShapes.slice(0, 5)) out.push(`  ${x.calls} × #${x.first}: ${clip(plain(x.key), 160)}`);
    if (model.unclassifiedShapes.length > 5) out.push('  … (see --md or --html)');
  }
  const spawned = model.threads.filter((t) => t.spawnedBy).length;
  const compacted = model.threads.filter((t) => t.compactedFrom).length;
  out.push('', `threads: ${model.threads.length} (${spawned} started by a tool_use, ${compacted} after a compaction)`);
  if (model.session.warnings.length) out.push(`reader warnings: ${model.session.warnings.length} (first: ${plain(model.session.warnings[0]!)})`);
  return `${out.join('\n')}\n`;
}
