/** Markdown (for a PR or an issue) and the terminal summary: the same tables from the same model. */
import type { MechanismSummary, ReportModel } from './model.js';

export const fmtTokens = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n));
export const fmtMs = (n: number | undefined) => (n === undefined ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
export const fmtCost = (usd: number, unpriced: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}${unpriced ? ` (+${unpriced} unpriced)` : ''}`;

const HEAD = ['mechanism', 'calls', 'input', 'output', 'cache read', 'cache write', 'cost', 'p50 / p95', 'TTFT p50 / p95'];

function cells(m: MechanismSummary | (Omit<MechanismSummary, 'latency' | 'ttft' | 'models' | 'errors' | 'id'> & { latency?: undefined; ttft?: undefined })): string[] {
  return [
    m.label,
    String(m.calls),
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
  return [...model.mechanisms.map(cells), cells({ label: 'total', calls: model.totals.calls, usage: model.totals.usage, cost: model.totals.cost, unpriced: model.totals.unpriced })];
}

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
  const unclassified = model.exchanges.filter((r) => r.mechanism === 'unclassified');
  if (unclassified.length) {
    lines.push(`### Unclassified (${unclassified.length})`, '');
    for (const r of unclassified.slice(0, 20)) lines.push(`- #${r.i} ${md(r.method)} ${md(r.path)}: ${md(r.reasons.slice(0, 3).join('; ').slice(0, 400))}`);
    lines.push('');
  }
  if (model.prices.unpricedModels.length) lines.push(`Models without a price (cost not counted): ${model.prices.unpricedModels.map(md).join(', ')}.`, '');
  if (s.warnings.length) lines.push(`Reader warnings: ${s.warnings.length}.`, '');
  lines.push(`Prices as of ${model.prices.asOf ?? '?'} (USD per million tokens; override with \`--prices\`).`);
  return `${lines.join('\n')}\n`;
}

/** Printable: control characters from captured text never reach the terminal. */
const plain = (s: string) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');

export function renderTerminal(model: ReportModel): string {
  const rows = [HEAD, ...tableRows(model)].map((r) => r.map(plain));
  const widths = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [`agenttap report: ${plain(model.session.id)} — ${model.totals.calls} calls, ${fmtMs(model.session.duration)}, ${model.agents.map((a) => plain(`${a.agent}${a.version ? ` ${a.version}` : ''}`)).join(', ')}`, ''];
  out.push(line(rows[0]!), widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows.slice(1, -1)) out.push(line(r));
  out.push(widths.map((w) => '─'.repeat(w)).join('  '), line(rows[rows.length - 1]!));
  const spawned = model.threads.filter((t) => t.spawnedBy).length;
  const compacted = model.threads.filter((t) => t.compactedFrom).length;
  out.push('', `threads: ${model.threads.length} (${spawned} started by a tool_use, ${compacted} after a compaction)`);
  if (model.session.warnings.length) out.push(`reader warnings: ${model.session.warnings.length} (first: ${plain(model.session.warnings[0]!)})`);
  return `${out.join('\n')}\n`;
}
