/**
 * The report page's script, bundled by scripts/bundle-report.mjs (rolldown) into one IIFE that page.ts
 * inlines under the page's CSP by hash. Everything captured is data: it arrives in
 * `<script type="application/json">` blocks and reaches the page through text nodes (and canvas
 * `fillText`), never `innerHTML`.
 *
 * One view per file: header and summary · agent labels · rewrites · rules simulation · timeline · exchange list · exchange
 * · context growth · threads · prompt anatomy. Views that link to an exchange get `app.link`, bound late to
 * the exchange view's `open`.
 */
import { fmtCost, fmtTokens } from '../../format.js';
import { rewriteText } from '../../rewrite-text.js';
import { anatomyView } from './anatomy.js';
import { makeApp, type App } from './app.js';
import { contextView } from './context.js';
import { readPageData } from './data.js';
import { h } from './dom.js';
import { exchangeView } from './exchange.js';
import { labelsView } from './labels.js';
import { listView } from './list.js';
import { rewritesView } from './rewrites.js';
import { simulationView } from './simulation.js';
import { headerView, summaryView } from './summary.js';
import { threadsView } from './threads.js';
import { timelineView } from './timeline.js';

const root = document.getElementById('app')!;
const main = h('main', null);
const base = makeApp(readPageData(), main);
const app: App = Object.assign(base, {
  rw: rewritesView({
    model: base.model,
    h,
    link: (text: string, i: number) => base.link(text, i),
    fmtTokens,
    fmtCost: (usd: number) => fmtCost(usd),
    rewriteText,
  }),
});
document.title = `agenttap report — ${app.model.session.id}`;

const summary = summaryView(app);
const timeline = timelineView(app);
const list = listView(app);
const exchange = exchangeView(app);
const context = contextView(app);
app.open = exchange.open;
app.onSelect.push(timeline.draw, list.render);
main.append(
  summary,
  timeline.section,
  list.section,
  exchange.section,
  context.section,
  threadsView(app),
  anatomyView(app),
);
// Under the summary: the Rewrites section, the rules simulation, then the agent's own labels and the unclassified shapes.
const rewrites = app.rw.section();
const simulation = simulationView(app);
summary.after(...(rewrites ? [rewrites] : []), ...(simulation ? [simulation] : []), ...labelsView(app));
root.append(headerView(app), main);

timeline.draw();
list.render();
context.draw();
// For tests and automation: where a bar (and a rewrite marker) is; how long the page took to become interactive.
(window as unknown as Record<string, unknown>).agenttapReport = {
  barCentre: timeline.barCentre,
  markerAt: timeline.markerAt,
  openExchange: exchange.open,
  ready: performance.now(),
};
