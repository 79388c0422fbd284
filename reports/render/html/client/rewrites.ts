/**
 * The rewrite rules in the report page: the marker a rewritten exchange carries (timeline bar, list row,
 * tooltip), its part of the exchange view, and the Rewrites section (per rule set savings and totals).
 *
 * It runs in the browser, bundled with the other views (scripts/bundle-report.mjs); client/index.ts hands it
 * its kit. Text reaches the page through `h()` (text nodes) only.
 */
import type { ExchangeRow, ReportModel, RewriteState } from '../../../model/types.js';
import type { RewriteText, rewriteText } from '../../rewrite-text.js';

import type { Child } from './dom.js';

/** What client/index.ts lends the view. */
export interface ViewKit {
  model: ReportModel;
  h<K extends keyof HTMLElementTagNameMap>(
    tag: K,
    props: Record<string, string> | null,
    ...children: Child[]
  ): HTMLElementTagNameMap[K];
  link(text: string, i: number): HTMLElement;
  fmtTokens(n: number): string;
  fmtCost(usd: number): string;
  rewriteText: typeof rewriteText;
}

export interface RewritesView {
  /** The marker's colour and words for a rewritten exchange. */
  marker(r: ExchangeRow): { colour: string; label: string; state: RewriteState } | undefined;
  /** A badge for the exchange list. */
  badge(r: ExchangeRow): HTMLElement | null;
  /** A line for the timeline tooltip ('' when not rewritten). */
  tooltip(r: ExchangeRow): string;
  /** The rewrite's part of the exchange view. */
  detail(r: ExchangeRow): HTMLElement | null;
  /** The legend entries for the timeline (none when the log has no rewrites). */
  legend(): HTMLElement[];
  /** The Rewrites section, when the log has rewrite decisions. */
  section(): HTMLElement | null;
}

const STATES: Record<RewriteState, { colour: string; label: string; title: string }> = {
  sent: { colour: '#039855', label: 'rewritten', title: 'the rewritten request was sent' },
  'dry-run': {
    colour: '#6941c6',
    label: 'dry run',
    title: 'dry run: the rules would have rewritten it; the original was sent',
  },
  rejected: { colour: '#dc6803', label: 'rewrite rejected', title: 'the rewrite was refused; the original was sent' },
};

const pair = (v: { before: number; after: number }, f: (n: number) => string) => `${f(v.before)} → ${f(v.after)}`;

function swatch(kit: ViewKit, colour: string): HTMLElement {
  const el = kit.h('span', { class: 'swatch' });
  el.style.background = colour;
  return el;
}

export function rewritesView(kit: ViewKit): RewritesView {
  const { model, h } = kit;
  return {
    marker: (r) => (r.rewrite ? { ...STATES[r.rewrite.state], state: r.rewrite.state } : undefined),
    badge: (r) =>
      r.rewrite
        ? h(
            'span',
            { class: `rw rw-${r.rewrite.state}`, title: STATES[r.rewrite.state].title },
            STATES[r.rewrite.state].label,
          )
        : null,
    tooltip: (r) => (r.rewrite ? `\n${STATES[r.rewrite.state].label}: ${r.rewrite.rules.join(' + ')}` : ''),
    detail: (r) => detail(kit, r),
    legend: () =>
      model.rewrites
        ? [
            h('span', null, '| ▼ '),
            ...(['sent', 'dry-run', 'rejected'] as const).map((s) =>
              h('span', null, swatch(kit, STATES[s].colour), STATES[s].label),
            ),
          ]
        : [],
    section: () => section(kit),
  };
}

function detail(kit: ViewKit, r: ExchangeRow): HTMLElement | null {
  const { h } = kit;
  const rw = r.rewrite;
  if (!rw) return null;
  const st = STATES[rw.state];
  const box = h(
    'div',
    { class: `rewrite rewrite-${rw.state}` },
    h('h3', null, swatch(kit, st.colour), `Rewrite: ${st.label}`),
    h(
      'p',
      { class: 'hint' },
      rw.state === 'sent'
        ? 'The request below is the rewritten one.'
        : `${st.title}; the request below is the original.`,
    ),
    detailFacts(kit, r, rw),
  );
  if (rw.rejected?.length) box.append(h('ul', { class: 'reasons' }, ...rw.rejected.map((x) => h('li', null, x))));
  return box;
}

/** The rules, the change, the estimated tokens and cost before → after. */
function detailFacts(kit: ViewKit, r: ExchangeRow, rw: NonNullable<ExchangeRow['rewrite']>): HTMLElement {
  const { h, fmtTokens, fmtCost } = kit;
  const kv = h('div', { class: 'kv' });
  const add = (k: string, v: Child) => {
    kv.append(h('div', null, k), h('div', null, v));
  };
  add(
    'rules',
    h(
      'span',
      null,
      ...rw.rules.map((rule, k) =>
        h(
          'span',
          { class: 'badge', 'data-rule': rule },
          `${rule}${rw.actions[k]?.length ? ` (${rw.actions[k]!.join(', ')})` : ''}`,
        ),
      ),
    ),
  );
  const change = Object.entries(rw.change).map(([k, v]) => (Array.isArray(v) ? `${k} ${v[0]} → ${v[1]}` : `${k} ${v}`));
  add('change', change.length ? change.join(' · ') : '–');
  if (rw.tokens)
    add(
      'est. input tokens',
      `${pair(rw.tokens, fmtTokens)}${rw.tokens.basis ? ` (from ${rw.tokens.basis === 'usage' ? 'the last usage' : 'the request size'})` : ''}`,
    );
  if (rw.cache)
    add(
      'est. cache read / write',
      `${fmtTokens(rw.cache.before.read)} / ${fmtTokens(rw.cache.before.write)} → ${fmtTokens(rw.cache.after.read)} / ${fmtTokens(rw.cache.after.write)}`,
    );
  if (rw.cost) add('est. input cost', `${pair(rw.cost, fmtCost)} (saves ${fmtCost(rw.cost.before - rw.cost.after)})`);
  if (rw.state === 'sent' && rw.cost && r.cost !== undefined)
    add(
      'actual cost',
      `${fmtCost(r.cost)}; about ${fmtCost(r.cost + rw.cost.before - rw.cost.after)} without the rewrite`,
    );
  return kv;
}

function section(kit: ViewKit): HTMLElement | null {
  const { model, h } = kit;
  const summary = model.rewrites;
  if (!summary) return null;
  const t: RewriteText = kit.rewriteText(summary);
  const sec = h('section', { id: 'rewrites' }, h('h2', null, 'Rewrites'), h('p', null, t.sentence));
  const table = h(
    'table',
    { id: 'rewrites-table' },
    h('thead', null, h('tr', null, ...t.head.map((x) => h('th', null, x)))),
  );
  const body = h('tbody', null);
  for (const row of t.rows)
    body.append(h('tr', { 'data-rules': row.rules }, ...row.cells.map((c) => h('td', null, c))));
  body.append(h('tr', { class: 'total' }, ...t.total.map((c) => h('td', null, c))));
  table.append(body);
  sec.append(table, h('p', { class: 'hint' }, t.perRule));
  const rows = model.exchanges.filter((r) => r.rewrite);
  if (rows.length) sec.append(rewrittenList(kit, rows));
  if (t.rejected.length)
    sec.append(
      h('h3', null, 'Rejected rewrites (the original request was sent)'),
      h('ul', { class: 'reasons' }, ...t.rejected.map((x) => h('li', null, x))),
    );
  for (const n of t.notes) sec.append(h('p', { class: 'hint' }, n));
  return sec;
}

/** The rewritten exchanges, to open them; a long list folded (summary first, detail on demand). */
function rewrittenList(kit: ViewKit, rows: ExchangeRow[]): HTMLElement {
  const { h, link } = kit;
  const list = h('p', { class: 'rewritten' });
  rows.slice(0, 500).forEach((r, k) => {
    list.append(k ? ' · ' : '', link(`#${r.i}`, r.i), ` ${STATES[r.rewrite!.state].label}`);
  });
  if (rows.length > 500) list.append(` … ${rows.length - 500} more (filter the exchange list by "rewrite")`);
  const head = `Rewritten exchanges (${rows.length})`;
  return rows.length > 30
    ? h('details', null, h('summary', null, head), list)
    : h('div', null, h('h3', null, head), list);
}
