/** The Markdown report (for a PR or an issue). */
import type { ReportModel } from '../../model/types.js';
import { fmtMs } from '../format.js';
import { HEAD, tableRows } from '../mechanism-table.js';
import { rewriteText } from '../rewrite-text.js';
import { renderSimulationMarkdown } from './simulation.js';

const mechanismName = (model: ReportModel, id: string) => model.mechanisms.find((m) => m.id === id)?.label ?? id;

/** Markdown cells: pipes and newlines escaped, HTML-looking text neutralised (GitHub renders some tags). */
const md = (s: string) => s.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

export function renderMarkdown(model: ReportModel): string {
  const s = model.session;
  const lines: string[] = [];
  lines.push(`## agenttap report — ${md(s.id)}`, '');
  lines.push(
    `${model.totals.calls} model calls over ${fmtMs(s.duration)} in ${s.processes.length || s.files} process(es); agents: ${model.agents.map((a) => md(`${a.agent}${a.version ? ` ${a.version}` : ''}`)).join(', ') || '–'}.`,
    '',
  );
  lines.push(`| ${HEAD.join(' | ')} |`, `|${HEAD.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of tableRows(model)) lines.push(`| ${r.map(md).join(' | ')} |`);
  lines.push('');
  const spawned = model.threads.filter((t) => t.spawnedBy);
  if (spawned.length) {
    lines.push('### Sub-conversations', '');
    for (const t of spawned)
      lines.push(
        `- thread ${md(t.id)} (${t.exchanges.length} calls, ${md(t.mechanism)}) started by \`${md(t.spawnedBy!.tool)}\` tool_use ${md(t.spawnedBy!.toolUseId)} in call #${t.spawnedBy!.exchange}`,
      );
    lines.push('');
  }
  const compactions = model.threads.filter((t) => t.compactedFrom);
  if (compactions.length) {
    lines.push('### Compactions', '');
    for (const t of compactions)
      lines.push(
        `- call #${t.compactedFrom!.exchange} summarised thread ${md(t.compactedFrom!.thread)}; thread ${md(t.id)} continues from it`,
      );
    lines.push('');
  }
  const al = model.agentLabels;
  if (al) {
    lines.push(
      "### The agent's own labels",
      '',
      `${al.agree} of ${al.labelled} labelled calls agree with the signatures.`,
      '',
    );
    if (al.disagreements.length) {
      lines.push("| signature | agent's label | calls |", '|---|---|---:|');
      for (const d of al.disagreements)
        lines.push(`| ${md(mechanismName(model, d.signature))} | ${md(d.agent)} | ${d.count} |`);
      lines.push('');
    }
  }
  const unclassified = model.exchanges.filter((r) => r.mechanism === 'unclassified');
  if (unclassified.length) {
    lines.push(`### Unclassified (${unclassified.length})`, '');
    for (const r of unclassified.slice(0, 20))
      lines.push(
        `- #${r.i} ${md(r.method)} ${md(r.path)}${r.agentLabel ? ` (agent: ${md(r.agentLabel.label)})` : ''}: ${md(r.reasons.slice(0, 3).join('; ').slice(0, 400))}`,
      );
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
    if (r.rejected.length)
      lines.push('Rejected rewrites (the original request was sent):', '', ...r.rejected.map((x) => `- ${x}`), '');
    if (r.notes.length) lines.push(...r.notes, '');
  }
  if (model.simulation) lines.push(renderSimulationMarkdown(model.simulation, 3));
  if (model.prices.unpricedModels.length)
    lines.push(`Models without a price (cost not counted): ${model.prices.unpricedModels.map(md).join(', ')}.`, '');
  if (s.warnings.length) lines.push(`Reader warnings: ${s.warnings.length}.`, '');
  lines.push(`Prices as of ${model.prices.asOf ?? '?'} (USD per million tokens; override with \`--prices\`).`);
  return `${lines.join('\n')}\n`;
}
