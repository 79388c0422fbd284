/** `agenttap rules simulate --markdown`, and the Simulation section of the Markdown report. */
import type { SimulationSummary } from '../../model/simulation.js';
import { simulationText } from '../simulation-text.js';

/** Markdown cells: pipes and newlines escaped, HTML-looking text neutralised (GitHub renders some tags). */
const md = (s: string) => s.replace(/[\\|`*_<>[\]]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

/** `level`: the heading's level (2 on its own, 3 inside the report). */
export function renderSimulationMarkdown(s: SimulationSummary, level = 2): string {
  const t = simulationText(s, md);
  const table = (rows: string[][]) => [
    `| ${t.head.join(' | ')} |`,
    `|${t.head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
  const lines = [`${'#'.repeat(level)} Rules simulation — ${md(s.rulesFile)} on ${md(s.session)}`, '', t.sentence, ''];
  if (s.total.changed > 0) {
    lines.push(...table([...t.rows, t.total.map((c, i) => (i === 0 ? `**${c}**` : c))]), '');
    lines.push('Per rule (an exchange rewritten by several rules counts under each):', '', ...table(t.perRule), '');
  } else lines.push('No rule would change a request.', '');
  if (t.reasons.length)
    lines.push('Invalid rewrites (the original would have gone out):', '', ...t.reasons.map((x) => `- ${x}`), '');
  if (t.notes.length) lines.push(...t.notes, '');
  lines.push(
    'Estimates as a live dry run logs them (`rewrite.applied`): input tokens from the request size, scaled by the last usage of the conversation; cost at the price table, prompt-cache reads and writes included.',
  );
  return `${lines.join('\n')}\n`;
}
