/** The terminal summary: the mechanism table, rewrites, the agent's own labels, threads; printable text only. */
import type { ReportModel } from '../../model/types.js';
import { fmtMs } from '../format.js';
import { HEAD, tableRows } from '../mechanism-table.js';
import { rewriteText } from '../rewrite-text.js';
import { renderSimulationTerminal } from './simulation.js';
import { aligned, plain } from './table.js';

const TERMINAL_RULES = 8;
/** The terminal's Rewrites columns (of `rewriteText`'s): counts and dollars, no before → after pairs. */
const TERMINAL_COLUMNS = [0, 1, 2, 3, 4, 7, 8, 9, 10];
const TERMINAL_HEAD = ['rewrite rules', 'calls', 'sent', 'dry', 'rej.', 'saved', 'actual', 'without', 'dry would save'];
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function renderTerminal(model: ReportModel): string {
  const out = [
    `agenttap report: ${plain(model.session.id)} — ${model.totals.calls} calls, ${fmtMs(model.session.duration)}, ${model.agents.map((a) => plain(`${a.agent}${a.version ? ` ${a.version}` : ''}`)).join(', ')}`,
    '',
  ];
  out.push(...aligned(HEAD, tableRows(model)));
  if (model.rewrites) {
    // Compact: the rule sets with the most calls, one line of refusal reasons; the rest is in --md and --html.
    const rw = model.rewrites;
    const r = rewriteText(rw, (x) => clip(plain(x), 50), 3);
    const rows = r.rows
      .map((x, k) => ({ calls: rw.groups[k]!.calls, cells: [clip(x.rules, 32), ...x.cells.slice(1)] }))
      .sort((a, b) => b.calls - a.calls);
    const pick = (cells: string[]) => TERMINAL_COLUMNS.map((i) => cells[i]!);
    out.push(
      '',
      `rewrites: ${r.short}`,
      ...aligned(TERMINAL_HEAD, [...rows.slice(0, TERMINAL_RULES).map((x) => pick(x.cells)), pick(r.total)]),
    );
    if (rows.length > TERMINAL_RULES)
      out.push(`… ${rows.length - TERMINAL_RULES} more rule set(s) (see --md or --html)`);
    if (r.rejected.length)
      out.push(`rejected (original sent): ${r.rejected.join(' · ')}${rw.rejections.length > 3 ? ' · …' : ''}`);
    if (rw.unlinked) out.push(r.notes[r.notes.length - 1]!);
  }
  if (model.simulation) out.push('', renderSimulationTerminal(model.simulation).trimEnd());
  const al = model.agentLabels;
  if (al) {
    const pairs = al.disagreements.slice(0, 6).map((d) => plain(`${d.signature} → ${d.agent} ×${d.count}`));
    out.push(
      '',
      `agent's own labels: ${al.agree} of ${al.labelled} agree with the signatures${pairs.length ? `; disagree: ${pairs.join(' · ')}${al.disagreements.length > 6 ? ' · …' : ''}` : ''}`,
    );
  }
  if (model.unclassifiedShapes.length) {
    out.push('', `unclassified shapes: ${model.unclassifiedShapes.length} (model | system | tools | first user text)`);
    for (const x of model.unclassifiedShapes.slice(0, 5))
      out.push(`  ${x.calls} × #${x.first}: ${clip(plain(x.key), 160)}`);
    if (model.unclassifiedShapes.length > 5) out.push('  … (see --md or --html)');
  }
  const spawned = model.threads.filter((t) => t.spawnedBy).length;
  const compacted = model.threads.filter((t) => t.compactedFrom).length;
  out.push('', `threads: ${model.threads.length} (${spawned} started by a tool_use, ${compacted} after a compaction)`);
  if (model.session.warnings.length)
    out.push(`reader warnings: ${model.session.warnings.length} (first: ${plain(model.session.warnings[0]!)})`);
  return `${out.join('\n')}\n`;
}
