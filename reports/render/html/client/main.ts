/**
 * The report page's script. It runs in the browser: `page.ts` inlines `client.toString()` under a CSP
 * hash, so this function must stay self-contained (no imports at run time, no outer variables).
 *
 * Everything captured is data: it arrives in `<script type="application/json">` blocks and reaches the
 * page only through `textContent` (and canvas `fillText`), never `innerHTML`.
 *
 * Views: summary table · timeline (canvas: one lane per mechanism; canvas because 5 000 bars as DOM or
 * SVG nodes make the page sluggish) · exchange list (virtualised: only the visible rows exist) · exchange
 * view · context growth (canvas, same reason) · threads · prompt anatomy (with file export). The rewrite
 * rules' part (markers, the exchange's rewrite, the Rewrites section) is its own view, handed in as `parts`
 * by page.ts (functions inlined by source, like this one).
 */
import type { ExchangeRow, ReportModel } from '../../../model/types.js';
import type { reminderParts } from '../../../../src/reports/reminders.js';
import type { rewriteText } from '../../rewrite-text.js';
import type { Child, rewritesView } from './rewrites.js';

export function client(parts: { rewritesView: typeof rewritesView; rewriteText: typeof rewriteText; reminderParts: typeof reminderParts }): void {
  const model = JSON.parse(document.getElementById('report-model')!.textContent!) as ReportModel;
  const contentText = document.getElementById('report-content')?.textContent ?? '';
  const contentIndex = new Map<string, number>();
  const exchangeIndex = new Map<string, number>();
  // Content lines are "<kind>\t<key as a JSON string>\t<json>"; the values are parsed on demand only.
  const lines = contentText.split('\n');
  lines.forEach((line, n) => {
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    if (a < 0 || b < 0) return;
    const kind = line.slice(0, a);
    let key: unknown;
    try {
      key = JSON.parse(line.slice(a + 1, b));
    } catch {
      return;
    }
    if (typeof key === 'string') (kind === 'c' ? contentIndex : exchangeIndex).set(key, n);
  });
  const parsed = (n: number | undefined): unknown => {
    if (n === undefined) return undefined;
    const line = lines[n]!;
    return JSON.parse(line.slice(line.indexOf('\t', line.indexOf('\t') + 1) + 1));
  };
  const content = (hash: string) => parsed(contentIndex.get(hash));
  interface Detail { system?: string[]; tools?: string[]; systemDiff?: [string, string][]; toolsDiff?: { added: string[]; removed: string[] }; added: string[]; params: Record<string, unknown>; headers: Record<string, string>; response?: unknown; partial?: boolean }
  const detailOf = (r: ExchangeRow) => parsed(exchangeIndex.get(`${r.pid}/${r.id}`)) as Detail | undefined;

  // ---- DOM helpers: text only.
  function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> | null, ...children: Child[]): HTMLElementTagNameMap[K] {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props ?? {})) {
      if (k === 'class') el.className = v;
      else el.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return el;
  }
  const on = <T extends HTMLElement>(el: T, ev: string, fn: (e: Event) => void): T => (el.addEventListener(ev, fn), el);
  const fmtTokens = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n));
  const fmtMs = (n: number | undefined) => (n === undefined ? '–' : n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
  const fmtCost = (usd: number, unpriced = 0) => `$${usd.toFixed(usd < 1 ? 4 : 2)}${unpriced ? ` (+${unpriced} unpriced)` : ''}`;
  const fmtBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);
  const rows = model.exchanges;
  const label = (id: string) => model.mechanisms.find((m) => m.id === id)?.label ?? id;

  // ---- Colours: one per model.
  const PALETTE = ['#3356d6', '#e07a10', '#12a150', '#c2255c', '#7048e8', '#0c8599', '#a61e4d', '#5c940d', '#862e9c', '#495057'];
  const models = [...new Set(rows.map((r) => r.responseModel ?? r.model ?? '(none)'))];
  const colour = (r: ExchangeRow) => PALETTE[models.indexOf(r.responseModel ?? r.model ?? '(none)') % PALETTE.length]!;

  // `link` is defined with the exchange view; the rewrites view calls it only after.
  const rw = parts.rewritesView({ model, h, link: (text, i) => link(text, i), fmtTokens, fmtCost: (usd) => fmtCost(usd), rewriteText: parts.rewriteText });

  const app = document.getElementById('app')!;
  document.title = `agenttap report — ${model.session.id}`;
  const s = model.session;
  app.append(
    h('header', null,
      h('h1', null, 'agenttap report'),
      h('div', { class: 'meta' }, `session ${s.id} · ${model.totals.calls} model calls · ${fmtMs(s.duration)} · ${model.agents.map((a) => `${a.agent}${a.version ? ` ${a.version}` : ''}`).join(', ')} · total ${fmtCost(model.totals.cost, model.totals.unpriced)}`),
      s.warnings.length ? h('div', { class: 'meta' }, `reader warnings: ${s.warnings.length} — ${s.warnings[0]}`) : null),
  );
  const main = h('main', null);
  app.append(main);

  // ---- Summary table.
  const summary = h('section', { id: 'summary' }, h('h2', null, 'Mechanisms'));
  const table = h('table', { id: 'summary-table' });
  table.append(h('thead', null, h('tr', null, ...['mechanism', 'calls', 'input', 'output', 'cache read', 'cache write', 'cost', 'latency p50', 'p95', 'TTFT p50', 'p95'].map((t) => h('th', null, t)))));
  const tbody = h('tbody', null);
  for (const m of model.mechanisms) {
    tbody.append(h('tr', { 'data-mechanism': m.id },
      h('td', null, m.label, m.errors ? h('span', { class: 'badge warn' }, `${m.errors} failed`) : null),
      h('td', null, m.retries ? `${m.calls} +${m.retries} retr.` : String(m.calls)), h('td', null, fmtTokens(m.usage.input)), h('td', null, fmtTokens(m.usage.output)),
      h('td', null, fmtTokens(m.usage.cacheRead)), h('td', null, fmtTokens(m.usage.cacheWrite)), h('td', null, fmtCost(m.cost, m.unpriced)),
      h('td', null, fmtMs(m.latency.p50)), h('td', null, fmtMs(m.latency.p95)), h('td', null, fmtMs(m.ttft.p50)), h('td', null, fmtMs(m.ttft.p95))));
  }
  const t = model.totals;
  tbody.append(h('tr', { class: 'total' }, h('td', null, 'total'), h('td', null, t.retries ? `${t.calls} +${t.retries} retr.` : String(t.calls)), h('td', null, fmtTokens(t.usage.input)), h('td', null, fmtTokens(t.usage.output)), h('td', null, fmtTokens(t.usage.cacheRead)), h('td', null, fmtTokens(t.usage.cacheWrite)), h('td', null, fmtCost(t.cost, t.unpriced)), h('td', null, ''), h('td', null, ''), h('td', null, ''), h('td', null, '')));
  table.append(tbody);
  summary.append(table, h('div', { class: 'hint' }, `Prices as of ${model.prices.asOf ?? '?'}${model.prices.unpricedModels.length ? `; no price for ${model.prices.unpricedModels.join(', ')}` : ''}.`));
  main.append(summary);

  // ---- Timeline.
  const LANE = 26;
  const LABEL_W = 230;
  const lanes = model.mechanisms.map((m) => m.id);
  const laneOf = new Map(lanes.map((id, i) => [id, i]));
  const span = Math.max(1, s.duration);
  let view = { from: 0, to: span * 1.02 };
  const tl = h('section', { id: 'timeline' }, h('h2', null, 'Timeline'));
  const legend = h('div', { class: 'legend' });
  models.forEach((m, i) => legend.append(h('span', null, h('span', { class: 'swatch', 'data-colour': PALETTE[i % PALETTE.length]! }), m)));
  legend.append(h('span', null, '| tick = first token · red edge = failed'), ...rw.legend());
  for (const sw of legend.querySelectorAll<HTMLElement>('.swatch')) sw.style.background = sw.dataset.colour!;
  const wrap = h('div', { class: 'timeline' });
  const canvas = h('canvas', { id: 'timeline-canvas', 'aria-label': 'timeline, one lane per mechanism' });
  wrap.append(canvas);
  tl.append(legend, wrap, h('div', { class: 'hint' }, 'Wheel to zoom, drag to pan, double-click to reset, click a bar to open the exchange.'));
  main.append(tl);
  const tooltip = h('div', { class: 'tooltip' });
  document.body.append(tooltip);
  const byLane: ExchangeRow[][] = lanes.map(() => []);
  for (const r of rows) byLane[laneOf.get(r.mechanism)!]!.push(r);
  const height = lanes.length * LANE + 24;
  let selected: ExchangeRow | undefined;

  function draw(): void {
    const dpr = window.devicePixelRatio || 1;
    const width = wrap.clientWidth || 800;
    canvas.width = width * dpr;
    canvas.height = height * dpr;
    canvas.style.height = `${height}px`;
    const g = canvas.getContext('2d')!;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, width, height);
    g.font = '12px system-ui, sans-serif';
    const x = (ms: number) => LABEL_W + ((ms - view.from) / (view.to - view.from)) * (width - LABEL_W - 8);
    lanes.forEach((id, li) => {
      const y = li * LANE;
      g.fillStyle = li % 2 ? '#fafbfc' : '#fff';
      g.fillRect(0, y, width, LANE);
      g.fillStyle = '#1d2330';
      const name = `${label(id)} (${byLane[li]!.length})`;
      g.fillText(name.length > 36 ? `${name.slice(0, 35)}…` : name, 8, y + 17);
    });
    g.save();
    g.beginPath();
    g.rect(LABEL_W, 0, width - LABEL_W, height);
    g.clip();
    lanes.forEach((_, li) => {
      const y = li * LANE + 5;
      for (const r of byLane[li]!) {
        const a = x(r.start);
        const b = Math.max(a + 2, x(r.start + (r.duration ?? 0)));
        if (b < LABEL_W || a > width) continue;
        g.fillStyle = colour(r);
        g.globalAlpha = r === selected ? 1 : 0.8;
        g.fillRect(a, y, b - a, LANE - 10);
        g.globalAlpha = 1;
        // The first-token tick only where the bar is wide enough to show it (else ticks hide the bars).
        if (r.ttft !== undefined && b - a >= 6) {
          g.fillStyle = '#111';
          g.fillRect(x(r.start + r.ttft), y - 2, 1.5, LANE - 6);
        }
        if (r.error || (r.outcome && r.outcome !== 'complete')) {
          g.fillStyle = '#d92d20';
          g.fillRect(b - 2, y, 2, LANE - 10);
        }
        // A rewritten exchange: a ▼ above the start of its bar, coloured by what happened to the rewrite.
        const mark = rw.marker(r);
        if (mark) {
          g.fillStyle = mark.colour;
          g.beginPath();
          g.moveTo(a, y - 5);
          g.lineTo(a + 8, y - 5);
          g.lineTo(a + 4, y);
          g.closePath();
          g.fill();
        }
        if (r === selected) {
          g.strokeStyle = '#000';
          g.lineWidth = 2;
          g.strokeRect(a - 1, y - 1, b - a + 2, LANE - 8);
          g.lineWidth = 1;
        }
      }
    });
    g.restore();
    // Axis.
    const y0 = lanes.length * LANE;
    g.fillStyle = '#667085';
    const step = niceStep((view.to - view.from) / 8);
    for (let v = Math.ceil(view.from / step) * step; v <= view.to; v += step) {
      const px = x(v);
      g.fillRect(px, y0, 1, 4);
      g.fillText(fmtMs(v), px + 2, y0 + 16);
    }
  }
  function niceStep(raw: number): number {
    const p = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-3)));
    return [1, 2, 5, 10].map((k) => k * p).find((k) => k >= raw) ?? raw;
  }
  function rowAt(px: number, py: number): ExchangeRow | undefined {
    const width = wrap.clientWidth || 800;
    const li = Math.floor(py / LANE);
    const lane = byLane[li];
    if (!lane || px < LABEL_W) return undefined;
    const ms = view.from + ((px - LABEL_W) / (width - LABEL_W - 8)) * (view.to - view.from);
    const slack = (3 / (width - LABEL_W)) * (view.to - view.from);
    let best: ExchangeRow | undefined;
    for (const r of lane) if (r.start - slack <= ms && ms <= r.start + (r.duration ?? 0) + slack) best = r;
    return best;
  }
  /** Where a row's bar is, in page coordinates relative to the canvas (for tests and keyboard users). */
  function barCentre(i: number): { x: number; y: number } {
    const r = rows[i]!;
    const width = wrap.clientWidth || 800;
    const x = (ms: number) => LABEL_W + ((ms - view.from) / (view.to - view.from)) * (width - LABEL_W - 8);
    const a = x(r.start);
    const b = Math.max(a + 2, x(r.start + (r.duration ?? 0)));
    return { x: (a + b) / 2, y: laneOf.get(r.mechanism)! * LANE + LANE / 2 };
  }
  /** Inside a row's rewrite marker, where there is one (for tests). */
  function markerAt(i: number): { x: number; y: number } {
    const r = rows[i]!;
    const width = wrap.clientWidth || 800;
    return { x: LABEL_W + ((r.start - view.from) / (view.to - view.from)) * (width - LABEL_W - 8) + 4, y: laneOf.get(r.mechanism)! * LANE + 1.5 };
  }
  let drag: { x: number; from: number; to: number; moved: boolean } | undefined;
  on(canvas, 'mousedown', (e) => {
    const m = e as MouseEvent;
    drag = { x: m.offsetX, from: view.from, to: view.to, moved: false };
  });
  on(canvas, 'mousemove', (e) => {
    const m = e as MouseEvent;
    if (drag) {
      const width = wrap.clientWidth - LABEL_W - 8;
      const d = ((m.offsetX - drag.x) / width) * (drag.to - drag.from);
      if (Math.abs(m.offsetX - drag.x) > 3) drag.moved = true;
      if (drag.moved) {
        view = { from: drag.from - d, to: drag.to - d };
        draw();
      }
      return;
    }
    const r = rowAt(m.offsetX, m.offsetY);
    if (!r) {
      tooltip.style.display = 'none';
      return;
    }
    tooltip.textContent = `#${r.i} ${label(r.mechanism)}\n${r.responseModel ?? r.model ?? ''}\nstart ${fmtMs(r.start)} · ${fmtMs(r.duration)} · TTFT ${fmtMs(r.ttft)}\nin ${fmtTokens(r.usage.input)} out ${fmtTokens(r.usage.output)} cache r/w ${fmtTokens(r.usage.cacheRead)}/${fmtTokens(r.usage.cacheWrite)}${rw.tooltip(r)}`;
    tooltip.style.display = 'block';
    tooltip.style.left = `${m.clientX + 12}px`;
    tooltip.style.top = `${m.clientY + 12}px`;
  });
  on(canvas, 'mouseleave', () => (tooltip.style.display = 'none'));
  on(window as unknown as HTMLElement, 'mouseup', (e) => {
    const m = e as MouseEvent;
    const wasDrag = drag?.moved;
    drag = undefined;
    if (wasDrag || m.target !== canvas) return;
    const r = rowAt(m.offsetX, m.offsetY);
    if (r) openExchange(r.i);
  });
  on(canvas, 'dblclick', () => {
    view = { from: 0, to: span * 1.02 };
    draw();
  });
  canvas.addEventListener('wheel', (e) => {
    e.preventDefault();
    const width = wrap.clientWidth - LABEL_W - 8;
    const at = view.from + ((e.offsetX - LABEL_W) / width) * (view.to - view.from);
    const k = e.deltaY > 0 ? 1.25 : 0.8;
    view = { from: at - (at - view.from) * k, to: at + (view.to - at) * k };
    draw();
  }, { passive: false });
  window.addEventListener('resize', () => {
    draw();
    drawContext();
  });

  // ---- Exchange list (virtualised).
  const ROW_H = 24;
  const listSection = h('section', { id: 'exchanges' }, h('h2', null, `Exchanges (${rows.length})`));
  const filter = h('input', { type: 'search', placeholder: 'filter: mechanism, model, thread…', 'aria-label': 'filter exchanges' });
  const list = h('div', { class: 'list', role: 'list' });
  const spacer = h('div', null);
  list.append(spacer);
  listSection.append(filter, list);
  main.append(listSection);
  let shown = rows;
  function renderList(): void {
    spacer.style.height = `${shown.length * ROW_H}px`;
    for (const el of [...list.querySelectorAll('.row')]) el.remove();
    const first = Math.floor(list.scrollTop / ROW_H);
    const count = Math.ceil((list.clientHeight || 320) / ROW_H) + 2;
    for (const r of shown.slice(first, first + count)) {
      const idx = shown.indexOf(r, first);
      const el = h('div', { class: `row${r === selected ? ' sel' : ''}`, role: 'listitem', 'data-exchange': String(r.i), ...(r.rewrite ? { 'data-rewrite': r.rewrite.state } : {}) },
        h('span', null, `#${r.i}`), h('span', null, fmtMs(r.start)), h('span', null, label(r.mechanism)), h('span', null, rw.badge(r), `${r.responseModel ?? r.model ?? r.method + ' ' + r.path}${r.thread ? ` · thread ${r.thread}` : ''}${r.retryOf !== undefined ? ` · attempt ${r.attempt} of #${r.retryOf}` : ''}`),
        h('span', null, fmtMs(r.duration)), h('span', null, `in ${fmtTokens(r.usage.input + r.usage.cacheRead + r.usage.cacheWrite)}`), h('span', null, `out ${fmtTokens(r.usage.output)}`));
      el.style.top = `${idx * ROW_H}px`;
      on(el, 'click', () => openExchange(r.i));
      list.append(el);
    }
  }
  on(list, 'scroll', renderList);
  on(filter, 'input', () => {
    const q = filter.value.toLowerCase();
    shown = q ? rows.filter((r) => `${r.mechanism} ${label(r.mechanism)} ${r.model ?? ''} ${r.thread ?? ''} ${r.signature ?? ''} ${r.rewrite ? `rewrite ${r.rewrite.state} ${r.rewrite.rules.join(' ')}` : ''}`.toLowerCase().includes(q)) : rows;
    list.scrollTop = 0;
    renderList();
  });

  // ---- Exchange view.
  const ex = h('section', { id: 'exchange', hidden: '' });
  main.append(ex);
  // Reminders by structure (src/reports/reminders.ts); a system prompt holds none, whatever its prose says.
  function textView(text: string, reminders = true): HTMLElement {
    const pre = h('pre', null);
    if (!reminders) return (pre.append(text), pre);
    for (const part of parts.reminderParts(text)) {
      if (part.reminder) pre.append(h('mark', { class: 'reminder', title: 'system reminder (injected by the agent)' }, part.text));
      else pre.append(part.text);
    }
    return pre;
  }
  const json = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2) ?? '');
  function blockView(b: unknown): HTMLElement {
    if (typeof b === 'string') return h('div', { class: 'block' }, textView(b));
    const o = (b ?? {}) as Record<string, unknown>;
    const type = String(o.type ?? 'part');
    const box = h('div', { class: `block ${type}` }, h('div', { class: 'kind' }, type));
    if (type === 'text' || type === 'input_text' || type === 'output_text') box.append(textView(String(o.text ?? '')));
    else if (type === 'thinking' || type === 'redacted_thinking') box.append(h('details', null, h('summary', null, 'thinking'), h('pre', null, String(o.thinking ?? o.data ?? ''))));
    else if (type === 'tool_use' || type === 'server_tool_use' || type === 'function_call') box.append(h('div', null, h('b', null, String(o.name ?? '')), ` ${String(o.id ?? o.call_id ?? '')}`), h('pre', null, json(o.input ?? o.arguments)));
    else if (type === 'tool_result' || type === 'function_call_output') {
      box.append(h('div', null, `for ${String(o.tool_use_id ?? o.call_id ?? '')}${o.is_error ? ' (error)' : ''}`));
      const c = o.content ?? o.output;
      if (Array.isArray(c)) c.forEach((x) => box.append(blockView(x)));
      else box.append(textView(json(c)));
    } else if (type === 'image' || type === 'document') box.append(h('pre', null, `[${type}]`));
    else box.append(h('pre', null, json(o)));
    return box;
  }
  function messageView(m: unknown, isNew: boolean): HTMLElement {
    const o = (m ?? {}) as Record<string, unknown>;
    const box = h('div', { class: `msg${isNew ? ' new' : ''}` }, h('div', { class: 'role' }, `${String(o.role ?? o.type ?? 'message')}${isNew ? ' · new in this request' : ''}`));
    const c = o.content;
    if (typeof c === 'string') box.append(h('div', { class: 'block' }, textView(c)));
    else if (Array.isArray(c)) c.forEach((b) => box.append(blockView(b)));
    else if (o.tool_calls || o.type) box.append(blockView(o));
    if (Array.isArray(o.tool_calls)) o.tool_calls.forEach((tc) => box.append(h('pre', null, json(tc))));
    return box;
  }
  /** The full request messages: the thread's earlier requests' added messages, then this one's. */
  function messagesOf(r: ExchangeRow): { hashes: string[]; newFrom: number; complete: boolean } {
    const chain: ExchangeRow[] = [];
    for (let x: ExchangeRow | undefined = r; x; x = x.parent !== undefined ? rows[x.parent] : undefined) chain.unshift(x);
    let hashes: string[] = [];
    let complete = true;
    for (const x of chain) {
      const d = detailOf(x);
      if (!d) {
        complete = false;
        hashes = [];
        continue;
      }
      hashes = [...hashes.slice(0, x.parentMessages ?? 0), ...d.added];
    }
    return { hashes, newFrom: Math.max(0, hashes.length - (detailOf(r)?.added.length ?? 0)), complete };
  }
  function download(name: string, text: string): HTMLElement {
    return on(h('button', { class: 'small' }, `export ${name}`), 'click', () => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 1000);
    });
  }
  const link = (text: string, i: number) => on(h('button', { class: 'link' }, text), 'click', () => openExchange(i));

  function openExchange(i: number): void {
    const r = rows[i]!;
    selected = r;
    draw();
    renderList();
    ex.hidden = false;
    ex.replaceChildren();
    const d = detailOf(r);
    const kv = h('div', { class: 'kv' });
    const add = (k: string, v: Child) => kv.append(h('div', null, k), h('div', null, v));
    add('mechanism', `${label(r.mechanism)}${r.signature ? ` — ${r.signature}` : ''}`);
    add('agent', `${r.agent}${r.agentVersion ? ` ${r.agentVersion}` : ''}`);
    if (r.agentLabel) add("agent's label", `${r.agentLabel.label}${r.agentLabel.mechanism ? ` (${label(r.agentLabel.mechanism)})` : ''} — ${r.agentLabel.agrees ? 'agrees' : 'disagrees'} with the signature`);
    add('request', `${r.method} ${r.path} · ${r.endpoint} · ${r.layer} layer · ${r.stream ? 'streamed' : 'not streamed'}`);
    add('model', `${r.model ?? '–'}${r.responseModel && r.responseModel !== r.model ? ` → ${r.responseModel}` : ''}`);
    add('status', `${r.status ?? '–'} · ${r.outcome ?? '–'}${r.stop ? ` · stop: ${r.stop}` : ''}${r.error ? ` · ${r.error}` : ''}`);
    add('timing', `start ${fmtMs(r.start)} · TTFB ${fmtMs(r.ttfb)} · TTFT ${fmtMs(r.ttft)} · total ${fmtMs(r.duration)}`);
    add('tokens', `input ${r.usage.input} · output ${r.usage.output} · cache read ${r.usage.cacheRead} · cache write ${r.usage.cacheWrite} · cost ${r.cost === undefined ? 'no price' : fmtCost(r.cost)}`);
    add('context', `system ${fmtBytes(r.context.system)} · tools ${fmtBytes(r.context.tools)} · messages ${fmtBytes(r.context.messages)} (${r.context.count})`);
    // Retries: one exchange with attempts, each still its own row (its own status, timing and usage).
    if (r.retryOf !== undefined) add('attempt', h('span', null, `attempt ${r.attempt} of `, link(`#${r.retryOf}`, r.retryOf), ' (a retry of the same request)'));
    if (r.attempts) add('attempts', h('span', null, ...r.attempts.flatMap((a, k) => [k ? ' · ' : '', link(`#${a}`, a), ` ${rows[a]!.status ?? rows[a]!.outcome ?? ''}`])));
    if (r.thread) add('thread', h('span', null, r.thread, r.parent !== undefined ? h('span', null, ' · extends ', link(`#${r.parent}`, r.parent)) : ' · first request'));
    if (r.spawnedBy) add('started by', h('span', null, `${r.spawnedBy.tool} tool_use ${r.spawnedBy.toolUseId} in `, link(`#${r.spawnedBy.exchange}`, r.spawnedBy.exchange)));
    if (r.features.length) add('features', h('span', null, ...r.features.map((f) => h('span', { class: 'badge' }, f))));
    const reasons = h('ul', { class: 'reasons' }, ...r.reasons.slice(0, 30).map((x) => h('li', null, x)));
    ex.append(h('h2', null, `Exchange #${r.i}`), kv, h('details', r.mechanism === 'unclassified' ? { open: '' } : null, h('summary', null, r.mechanism === 'unclassified' ? 'why unclassified' : 'evidence'), reasons), rw.detail(r) ?? '');
    if (!d) {
      ex.append(h('p', { class: 'hint' }, 'Content not included in this report (left out by its content budget, or the request had no body).'));
      ex.scrollIntoView({ block: 'start' });
      return;
    }
    const parentDetail = r.parent !== undefined ? detailOf(rows[r.parent]!) : undefined;
    const req = h('div', null, h('h3', null, 'Request'));
    if (d.systemDiff) {
      // Computed with the `diff` package when the log was read (lines of the whole system prompt).
      const pre = h('pre', { class: 'diff' });
      for (const [op, text] of d.systemDiff) pre.append(op === '=' ? (text.length > 600 ? `${text.slice(0, 300)}\n…\n${text.slice(-300)}` : text) : h(op === '+' ? 'ins' : 'del', null, text));
      req.append(h('details', { open: '' }, h('summary', null, 'system prompt changed since the previous request of this thread'), pre));
    }
    if (d.toolsDiff) req.append(h('p', null, `tools changed since the previous request: ${d.toolsDiff.added.length ? `+ ${d.toolsDiff.added.join(', ')}` : ''}${d.toolsDiff.added.length && d.toolsDiff.removed.length ? ' · ' : ''}${d.toolsDiff.removed.length ? `− ${d.toolsDiff.removed.join(', ')}` : ''}${!d.toolsDiff.added.length && !d.toolsDiff.removed.length ? 'same names, new definitions' : ''}`));
    if (d.system?.length) {
      const changed = parentDetail && parentDetail.system && parentDetail.system.join() !== d.system.join();
      const det = h('details', null, h('summary', null, `system prompt: ${d.system.length} block(s)${changed ? ' — changed since the previous request of this thread' : ''}`));
      d.system.forEach((hash, k) => det.append(h('div', { class: 'block' }, h('div', { class: 'kind' }, `block ${k}`), textView(String(content(hash) ?? ''), false))));
      req.append(det);
    }
    if (d.tools?.length) {
      const det = h('details', null, h('summary', null, `tools: ${d.tools.length}`));
      d.tools.forEach((hash) => {
        const tool = content(hash) as Record<string, unknown> | undefined;
        det.append(h('details', null, h('summary', null, String(tool?.name ?? (tool?.function as { name?: string } | undefined)?.name ?? '?')), h('pre', null, json(tool))));
      });
      req.append(det);
    }
    req.append(h('details', null, h('summary', null, 'parameters and headers'), h('pre', null, json(d.params)), h('pre', null, json(d.headers))));
    const { hashes, newFrom, complete } = messagesOf(r);
    if (!complete) req.append(h('p', { class: 'hint' }, 'Earlier messages of this thread are not in the report; only this request\'s new messages are shown.'));
    if (newFrom > 0) {
      const older = h('details', null, h('summary', null, `${newFrom} earlier message(s), unchanged from the previous request of this thread`));
      older.addEventListener('toggle', () => {
        if (older.childElementCount > 1) return;
        hashes.slice(0, newFrom).forEach((hh) => older.append(messageView(content(hh), false)));
      }, { once: true });
      req.append(older);
    }
    hashes.slice(newFrom).forEach((hh) => req.append(messageView(content(hh), true)));
    if (d.partial) req.append(h('p', { class: 'hint' }, 'Some content left out (report content budget).'));
    const res = h('div', null, h('h3', null, 'Response'));
    const body = d.response as Record<string, unknown> | undefined;
    if (!body) res.append(h('p', { class: 'hint' }, 'No response body.'));
    else if (Array.isArray(body.content)) res.append(messageView({ role: 'assistant', content: body.content }, false));
    else if (Array.isArray(body.choices)) body.choices.forEach((c) => res.append(messageView((c as { message?: unknown }).message, false)));
    else if (Array.isArray(body.output)) body.output.forEach((o) => res.append(messageView((o as { type?: string }).type === 'message' ? o : { role: 'assistant', content: [o] }, false)));
    else res.append(h('pre', null, json(body)));
    ex.append(req, res);
    ex.scrollIntoView({ block: 'start' });
  }

  // ---- Context growth of the main line.
  const ctxSection = h('section', { id: 'context' }, h('h2', null, 'Main thread context per turn'));
  const ctxCanvas = h('canvas', { id: 'context-canvas' });
  ctxSection.append(h('div', { class: 'legend' }, 'bytes of JSON per request: ', h('span', null, h('span', { class: 'swatch sw-sys' }), 'system'), h('span', null, h('span', { class: 'swatch sw-tools' }), 'tools'), h('span', null, h('span', { class: 'swatch sw-msg' }), 'messages'), h('span', null, '| ▼ compaction')), ctxCanvas);
  main.append(ctxSection);
  const CTX = ['#7048e8', '#e07a10', '#3356d6'];
  (ctxSection.querySelector('.sw-sys') as HTMLElement).style.background = CTX[0]!;
  (ctxSection.querySelector('.sw-tools') as HTMLElement).style.background = CTX[1]!;
  (ctxSection.querySelector('.sw-msg') as HTMLElement).style.background = CTX[2]!;
  function drawContext(): void {
    const pts = model.mainLine.map((i) => rows[i]!);
    const w = ctxSection.clientWidth || 800;
    const H = 180;
    const dpr = window.devicePixelRatio || 1;
    ctxCanvas.width = w * dpr;
    ctxCanvas.height = H * dpr;
    ctxCanvas.style.width = `${w}px`;
    ctxCanvas.style.height = `${H}px`;
    const g = ctxCanvas.getContext('2d')!;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, w, H);
    if (!pts.length) {
      g.fillStyle = '#667085';
      g.fillText('no main-thread requests', 8, 20);
      return;
    }
    const max = Math.max(...pts.map((r) => r.context.system + r.context.tools + r.context.messages), 1);
    const bw = (w - 60) / pts.length;
    g.font = '11px system-ui, sans-serif';
    g.fillStyle = '#667085';
    g.fillText(fmtBytes(max), 0, 12);
    pts.forEach((r, k) => {
      const x = 60 + k * bw;
      let y = H - 16;
      [r.context.system, r.context.tools, r.context.messages].forEach((v, j) => {
        const hgt = (v / max) * (H - 32);
        g.fillStyle = CTX[j]!;
        g.fillRect(x, y - hgt, Math.max(1, bw - 1), hgt);
        y -= hgt;
      });
      if (r.mechanism === 'compaction') {
        g.fillStyle = '#d92d20';
        g.fillText('▼', x, 12);
      }
    });
  }

  // ---- Threads.
  const thr = h('section', { id: 'threads' }, h('h2', null, `Threads (${model.threads.length})`));
  const tt = h('table', null, h('thead', null, h('tr', null, ...['thread', 'mechanism', 'calls', 'started by', 'continues after compaction'].map((x) => h('th', null, x)))));
  const tb = h('tbody', null);
  for (const th of model.threads.slice(0, 500)) {
    tb.append(h('tr', null,
      h('td', null, link(th.id, th.exchanges[0]!)), h('td', null, label(th.mechanism)), h('td', null, String(th.exchanges.length)),
      h('td', null, th.spawnedBy ? h('span', null, `${th.spawnedBy.tool} `, link(`#${th.spawnedBy.exchange}`, th.spawnedBy.exchange)) : '–'),
      h('td', null, th.compactedFrom ? h('span', null, `${th.compactedFrom.thread} via `, link(`#${th.compactedFrom.exchange}`, th.compactedFrom.exchange)) : '–')));
  }
  tt.append(tb);
  // Long lists stay folded: the summary comes first, detail on demand.
  thr.append(model.threads.length > 30 ? h('details', null, h('summary', null, `show ${Math.min(500, model.threads.length)} threads${model.threads.length > 500 ? ' (first 500)' : ''}`), tt) : tt);
  main.append(thr);

  // ---- Prompt anatomy.
  const an = h('section', { id: 'anatomy' }, h('h2', null, 'Prompt anatomy'));
  model.anatomy.systems.forEach((sys, n) => {
    const det = h('details', null, h('summary', null, `System prompt ${n + 1}: ${fmtBytes(sys.bytes)}, ${sys.blocks.length} block(s), ${sys.calls} call(s) — ${sys.mechanisms.map(label).join(', ')}`));
    sys.blocks.forEach((b, k) => {
      const text = String(content(b.hash) ?? b.preview);
      det.append(h('div', { class: 'block' }, h('div', { class: 'kind' }, `block ${k} · ${fmtBytes(b.bytes)} `), download(`system-${n + 1}-block-${k}.txt`, text), h('pre', null, b.preview + (b.preview.length < text.length ? ' …' : ''))));
    });
    an.append(det);
  });
  model.anatomy.toolsets.forEach((ts, n) => {
    const max = Math.max(...ts.tools.map((x) => x.bytes), 1);
    const bars = h('div', { class: 'bars' });
    for (const tool of [...ts.tools].sort((a, b) => b.bytes - a.bytes)) {
      const bar = h('div', { class: 'bar' });
      bar.style.width = `${(tool.bytes / max) * 100}%`;
      bars.append(h('div', null, tool.name), h('div', null, bar), h('div', null, fmtBytes(tool.bytes)));
    }
    an.append(h('details', null, h('summary', null, `Tool list ${n + 1}: ${ts.tools.length} tools, ${fmtBytes(ts.bytes)}, ${ts.calls} call(s) — ${ts.mechanisms.map(label).join(', ')}`), bars));
  });
  const rem = model.anatomy.reminders;
  const remTable = h('table', null, h('thead', null, h('tr', null, ...['call', 'kind', 'size', 'text'].map((x) => h('th', null, x)))));
  const remBody = h('tbody', null);
  for (const x of rem.slice(0, 300)) remBody.append(h('tr', null, h('td', null, link(`#${x.exchange}`, x.exchange)), h('td', null, x.kind), h('td', null, fmtBytes(x.bytes)), h('td', { class: 'preview' }, x.preview.slice(0, 120))));
  remTable.append(remBody);
  an.append(h('h3', null, `System reminders injected: ${rem.length}${model.anatomy.remindersOmitted ? ` (+${model.anatomy.remindersOmitted} not listed)` : ''}`),
    download('reminders.txt', rem.map((x) => `--- call #${x.exchange} (${x.kind}) ---\n${String(content(x.hash) ?? x.preview)}`).join('\n\n')),
    rem.length > 30 ? h('details', null, h('summary', null, `show ${Math.min(300, rem.length)} reminders`), remTable) : remTable);
  main.append(an);

  // ---- The agent's own labels beside the signatures', and the shapes no signature matched (built last:
  // their exchange links need the exchange view).
  function labelsView(): HTMLElement[] {
    const labelSections: HTMLElement[] = [];
    const al = model.agentLabels;
    if (al) {
      const sec = h('section', { id: 'agent-labels' }, h('h2', null, `Agent's own labels: ${al.agree} of ${al.labelled} agree with the signatures`));
      if (al.disagreements.length) {
        const tb = h('tbody', null, ...al.disagreements.map((d) => h('tr', null, h('td', null, label(d.signature)), h('td', null, d.agent), h('td', null, String(d.count)))));
        sec.append(h('table', null, h('thead', null, h('tr', null, h('th', null, 'signature'), h('th', null, "agent's label"), h('th', null, 'calls'))), tb));
      }
      labelSections.push(sec);
    }
    if (model.unclassifiedShapes?.length) {
      const sec = h('section', { id: 'unclassified-shapes' }, h('h2', null, `Unclassified shapes (${model.unclassifiedShapes.length})`));
      const tb = h('tbody', null, ...model.unclassifiedShapes.map((x) => h('tr', null, h('td', null, link(`#${x.first}`, x.first)), h('td', null, String(x.calls)), h('td', { class: 'preview' }, x.key))));
      sec.append(h('table', null, h('thead', null, h('tr', null, h('th', null, 'first'), h('th', null, 'calls'), h('th', null, 'model | system | tools | first user text'))), tb));
      labelSections.push(sec);
    }
    return labelSections;
  }

  // The Rewrites section goes under the summary; built last, as its exchange links need the exchange view.
  const rewrites = rw.section();
  if (rewrites) summary.after(rewrites);
  (rewrites ?? summary).after(...labelsView());

  draw();
  renderList();
  drawContext();
  // For tests and automation: where a bar (and a rewrite marker) is; how long the page took to become interactive.
  (window as unknown as Record<string, unknown>).agenttapReport = { barCentre, markerAt, openExchange, ready: performance.now() };
}
