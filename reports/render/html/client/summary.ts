/** The page header and the per-mechanism summary table (the summary comes first; detail on demand). */
import { fmtCost, fmtMs, fmtTokens } from '../../format.js';
import type { App } from './app.js';
import { h } from './dom.js';

export function headerView(app: App): HTMLElement {
  const { model } = app;
  const s = model.session;
  return h(
    'header',
    null,
    h('h1', null, 'agenttap report'),
    h(
      'div',
      { class: 'meta' },
      `session ${s.id} · ${model.totals.calls} model calls · ${fmtMs(s.duration)} · ${model.agents.map((a) => `${a.agent}${a.version ? ` ${a.version}` : ''}`).join(', ')} · total ${fmtCost(model.totals.cost, model.totals.unpriced)}`,
    ),
    s.warnings.length ? h('div', { class: 'meta' }, `reader warnings: ${s.warnings.length} — ${s.warnings[0]}`) : null,
  );
}

export function summaryView(app: App): HTMLElement {
  const { model } = app;
  const summary = h('section', { id: 'summary' }, h('h2', null, 'Mechanisms'));
  const table = h('table', { id: 'summary-table' });
  table.append(
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...[
          'mechanism',
          'calls',
          'input',
          'output',
          'cache read',
          'cache write',
          'cost',
          'latency p50',
          'p95',
          'TTFT p50',
          'p95',
        ].map((t) => h('th', null, t)),
      ),
    ),
  );
  const tbody = h('tbody', null);
  for (const m of model.mechanisms) {
    tbody.append(
      h(
        'tr',
        { 'data-mechanism': m.id },
        h('td', null, m.label, m.errors ? h('span', { class: 'badge warn' }, `${m.errors} failed`) : null),
        h('td', null, m.retries ? `${m.calls} +${m.retries} retr.` : String(m.calls)),
        h('td', null, fmtTokens(m.usage.input)),
        h('td', null, fmtTokens(m.usage.output)),
        h('td', null, fmtTokens(m.usage.cacheRead)),
        h('td', null, fmtTokens(m.usage.cacheWrite)),
        h('td', null, fmtCost(m.cost, m.unpriced)),
        h('td', null, fmtMs(m.latency.p50)),
        h('td', null, fmtMs(m.latency.p95)),
        h('td', null, fmtMs(m.ttft.p50)),
        h('td', null, fmtMs(m.ttft.p95)),
      ),
    );
  }
  const t = model.totals;
  tbody.append(
    h(
      'tr',
      { class: 'total' },
      h('td', null, 'total'),
      h('td', null, t.retries ? `${t.calls} +${t.retries} retr.` : String(t.calls)),
      h('td', null, fmtTokens(t.usage.input)),
      h('td', null, fmtTokens(t.usage.output)),
      h('td', null, fmtTokens(t.usage.cacheRead)),
      h('td', null, fmtTokens(t.usage.cacheWrite)),
      h('td', null, fmtCost(t.cost, t.unpriced)),
      h('td', null, ''),
      h('td', null, ''),
      h('td', null, ''),
      h('td', null, ''),
    ),
  );
  table.append(tbody);
  summary.append(
    table,
    h(
      'div',
      { class: 'hint' },
      `Prices as of ${model.prices.asOf ?? '?'}${model.prices.unpricedModels.length ? `; no price for ${model.prices.unpricedModels.join(', ')}` : ''}.`,
    ),
  );
  return summary;
}
