/** `agenttap rules simulate` on a terminal: the per rule set × mechanism table, the per-rule one, reasons and notes. */
import type { SimulationSummary } from '../../model/simulation.js';
import { simulationText } from '../simulation-text.js';
import { aligned, plain } from './table.js';

const MAX_REASONS = 5;

export function renderSimulationTerminal(s: SimulationSummary): string {
  const t = simulationText(s, plain);
  const out = [`rules simulate: ${plain(s.rulesFile)} on ${plain(s.session)}`, t.sentence, ''];
  if (s.total.changed === 0) out.push('No rule would change a request.');
  else {
    out.push(...aligned(t.head, [...t.rows, t.total]), '');
    out.push('per rule (an exchange rewritten by several rules counts under each):');
    out.push(...aligned(t.head, t.perRule, false));
  }
  if (t.reasons.length) {
    out.push('', 'invalid (the original would have gone out):');
    out.push(...t.reasons.slice(0, MAX_REASONS).map((x) => `  ${x}`));
    if (t.reasons.length > MAX_REASONS) out.push(`  … ${t.reasons.length - MAX_REASONS} more (see --json)`);
  }
  if (t.notes.length) out.push('', ...t.notes);
  return `${out.join('\n')}\n`;
}
