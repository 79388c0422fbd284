/**
 * The Rules simulation section of the report page (`agenttap report --simulate RULES`): the same table as
 * `agenttap rules simulate` (simulation-text.ts), per rule set × mechanism and per rule, the reasons a
 * rewrite would be invalid, and the exchanges the rules would change, each a link to open it.
 * Text reaches the page through `h()` (text nodes) only.
 */
import type { SimulationSummary } from '../../../model/simulation.js';
import { simulationText } from '../../simulation-text.js';
import type { App } from './app.js';
import { h } from './dom.js';

const MAX_LINKS = 500;

export function simulationView(app: App): HTMLElement | null {
  const s = app.model.simulation;
  if (!s) return null;
  const t = simulationText(s);
  const sec = h(
    'section',
    { id: 'simulation' },
    h('h2', null, 'Rules simulation'),
    h('p', { class: 'hint' }, `${s.rulesFile}, tried on this session as a live dry run would have.`),
    h('p', null, t.sentence),
  );
  if (s.total.changed > 0)
    sec.append(
      table('simulation-table', t.head, t.rows, t.total),
      h('p', { class: 'hint' }, 'Per rule (an exchange rewritten by several rules counts under each):'),
      table('simulation-rules', t.head, t.perRule),
      changedList(app, s),
    );
  const invalid = t.reasons.map((x) => h('li', null, x));
  if (invalid.length) sec.append(h('h3', null, 'Invalid rewrites (the original would have gone out)'));
  sec.append(h('ul', { class: 'reasons' }, ...invalid), ...t.notes.map((n) => h('p', { class: 'hint' }, n)));
  return sec;
}

function table(id: string, head: string[], rows: string[][], total?: string[]): HTMLElement {
  const tr = (r: string[], props: Record<string, string> | null = null) =>
    h('tr', props, ...r.map((c) => h('td', null, c)));
  return h(
    'table',
    { id },
    h('thead', null, h('tr', null, ...head.map((x) => h('th', null, x)))),
    h('tbody', null, ...rows.map((r) => tr(r)), total && tr(total, { class: 'total' })),
  );
}

/** The exchanges a rule would change (valid or not), by `<pid>/<exchange>`: the file of a decision is `<pid>.ndjson`. */
function changedList(app: App, s: SimulationSummary): HTMLElement {
  const index = new Map(app.rows.map((r) => [`${r.pid}/${r.id}`, r.i]));
  const list = h('p', { class: 'simulated' });
  const found = s.decisions.flatMap((d) => {
    const i = index.get(`${/(\d+)\.ndjson$/.exec(d.file)?.[1]}/${d.exchange}`);
    return i === undefined ? [] : [{ i, state: d.rewrite.state === 'rejected' ? 'invalid' : 'would change' }];
  });
  found.slice(0, MAX_LINKS).forEach((x, k) => {
    list.append(k ? ' · ' : '', app.link(`#${x.i}`, x.i), ` ${x.state}`);
  });
  if (found.length > MAX_LINKS) list.append(` … ${found.length - MAX_LINKS} more (see agenttap rules simulate --json)`);
  return h('details', null, h('summary', null, `Exchanges the rules would change (${found.length})`), list);
}
