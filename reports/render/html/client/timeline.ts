/**
 * The timeline: one lane per mechanism, a bar per exchange (coloured by model, the first-token tick, a red
 * edge when it failed, a rewrite marker). A canvas: 5 000 bars as DOM or SVG nodes make the page sluggish.
 */
import type { ExchangeRow } from '../../../model/types.js';
import { fmtMs, fmtTokens } from '../../format.js';
import { PALETTE, type App } from './app.js';
import { h, on } from './dom.js';

export interface TimelineView {
  section: HTMLElement;
  draw(): void;
  /** Where a row's bar is, in page coordinates relative to the canvas (for tests and keyboard users). */
  barCentre(i: number): { x: number; y: number };
  /** Inside a row's rewrite marker, where there is one (for tests). */
  markerAt(i: number): { x: number; y: number };
}

const LANE = 26;
const LABEL_W = 230;

/** The timeline's state: its lanes and bars, the canvas, and the visible time window (zoom and pan move it). */
interface Timeline {
  app: App;
  lanes: string[];
  laneOf: Map<string, number>;
  byLane: ExchangeRow[][];
  wrap: HTMLElement;
  canvas: HTMLCanvasElement;
  tooltip: HTMLElement;
  height: number;
  span: number;
  view: { from: number; to: number };
}

export function timelineView(app: App): TimelineView {
  const { model, rows } = app;
  const lanes = model.mechanisms.map((m) => m.id);
  const laneOf = new Map(lanes.map((id, i) => [id, i]));
  const span = Math.max(1, model.session.duration);
  const tl = h('section', { id: 'timeline' }, h('h2', null, 'Timeline'));
  const wrap = h('div', { class: 'timeline' });
  const canvas = h('canvas', { id: 'timeline-canvas', 'aria-label': 'timeline, one lane per mechanism' });
  wrap.append(canvas);
  tl.append(
    legendOf(app),
    wrap,
    h('div', { class: 'hint' }, 'Wheel to zoom, drag to pan, double-click to reset, click a bar to open the exchange.'),
  );
  const tooltip = h('div', { class: 'tooltip' });
  document.body.append(tooltip);
  const byLane: ExchangeRow[][] = lanes.map(() => []);
  for (const r of rows) byLane[laneOf.get(r.mechanism)!]!.push(r);
  const height = lanes.length * LANE + 24;
  const t: Timeline = {
    app,
    lanes,
    laneOf,
    byLane,
    wrap,
    canvas,
    tooltip,
    height,
    span,
    view: { from: 0, to: span * 1.02 },
  };
  const draw = () => drawTimeline(t);
  listen(t, draw);
  return {
    section: tl,
    draw,
    barCentre: (i) => barCentre(t, rows[i]!),
    markerAt: (i) => markerAt(t, rows[i]!),
  };
}

function legendOf(app: App): HTMLElement {
  const legend = h('div', { class: 'legend' });
  app.models.forEach((m, i) => {
    legend.append(h('span', null, h('span', { class: 'swatch', 'data-colour': PALETTE[i % PALETTE.length]! }), m));
  });
  legend.append(h('span', null, '| tick = first token · red edge = failed'), ...app.rw.legend());
  for (const sw of legend.querySelectorAll<HTMLElement>('.swatch')) sw.style.background = sw.dataset.colour!;
  return legend;
}

/** Time (ms) to canvas x, for the current window and width. */
function xOf(t: Timeline, width: number): (ms: number) => number {
  const { view } = t;
  return (ms) => LABEL_W + ((ms - view.from) / (view.to - view.from)) * (width - LABEL_W - 8);
}

function drawTimeline(t: Timeline): void {
  const { canvas, height, lanes, byLane, app } = t;
  const dpr = window.devicePixelRatio || 1;
  const width = t.wrap.clientWidth || 800;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.height = `${height}px`;
  const g = canvas.getContext('2d')!;
  g.scale(dpr, dpr);
  g.clearRect(0, 0, width, height);
  g.font = '12px system-ui, sans-serif';
  const x = xOf(t, width);
  lanes.forEach((id, li) => {
    const y = li * LANE;
    g.fillStyle = li % 2 ? '#fafbfc' : '#fff';
    g.fillRect(0, y, width, LANE);
    g.fillStyle = '#1d2330';
    const name = `${app.label(id)} (${byLane[li]!.length})`;
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
      drawBar(g, app, r, { a, b, y, tick: x(r.start + (r.ttft ?? 0)) });
    }
  });
  g.restore();
  drawAxis(g, t, x);
}

function drawBar(
  g: CanvasRenderingContext2D,
  app: App,
  r: ExchangeRow,
  { a, b, y, tick }: { a: number; b: number; y: number; tick: number },
): void {
  g.fillStyle = app.colour(r);
  g.globalAlpha = r === app.selected ? 1 : 0.8;
  g.fillRect(a, y, b - a, LANE - 10);
  g.globalAlpha = 1;
  // The first-token tick only where the bar is wide enough to show it (else ticks hide the bars).
  if (r.ttft !== undefined && b - a >= 6) {
    g.fillStyle = '#111';
    g.fillRect(tick, y - 2, 1.5, LANE - 6);
  }
  if (r.error || (r.outcome && r.outcome !== 'complete')) {
    g.fillStyle = '#d92d20';
    g.fillRect(b - 2, y, 2, LANE - 10);
  }
  // A rewritten exchange: a ▼ above the start of its bar, coloured by what happened to the rewrite.
  const mark = app.rw.marker(r);
  if (mark) {
    g.fillStyle = mark.colour;
    g.beginPath();
    g.moveTo(a, y - 5);
    g.lineTo(a + 8, y - 5);
    g.lineTo(a + 4, y);
    g.closePath();
    g.fill();
  }
  if (r === app.selected) {
    g.strokeStyle = '#000';
    g.lineWidth = 2;
    g.strokeRect(a - 1, y - 1, b - a + 2, LANE - 8);
    g.lineWidth = 1;
  }
}

function drawAxis(g: CanvasRenderingContext2D, t: Timeline, x: (ms: number) => number): void {
  const { view } = t;
  const y0 = t.lanes.length * LANE;
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

function rowAt(t: Timeline, px: number, py: number): ExchangeRow | undefined {
  const { view } = t;
  const width = t.wrap.clientWidth || 800;
  const li = Math.floor(py / LANE);
  const lane = t.byLane[li];
  if (!lane || px < LABEL_W) return undefined;
  const ms = view.from + ((px - LABEL_W) / (width - LABEL_W - 8)) * (view.to - view.from);
  const slack = (3 / (width - LABEL_W)) * (view.to - view.from);
  let best: ExchangeRow | undefined;
  for (const r of lane) if (r.start - slack <= ms && ms <= r.start + (r.duration ?? 0) + slack) best = r;
  return best;
}

/** Where a row's bar is, in page coordinates relative to the canvas (for tests and keyboard users). */
function barCentre(t: Timeline, r: ExchangeRow): { x: number; y: number } {
  const x = xOf(t, t.wrap.clientWidth || 800);
  const a = x(r.start);
  const b = Math.max(a + 2, x(r.start + (r.duration ?? 0)));
  return { x: (a + b) / 2, y: t.laneOf.get(r.mechanism)! * LANE + LANE / 2 };
}

/** Inside a row's rewrite marker, where there is one (for tests). */
function markerAt(t: Timeline, r: ExchangeRow): { x: number; y: number } {
  return { x: xOf(t, t.wrap.clientWidth || 800)(r.start) + 4, y: t.laneOf.get(r.mechanism)! * LANE + 1.5 };
}

function showTooltip(t: Timeline, m: MouseEvent): void {
  const { tooltip } = t;
  const { label, rw } = t.app;
  const r = rowAt(t, m.offsetX, m.offsetY);
  if (!r) {
    tooltip.style.display = 'none';
    return;
  }
  tooltip.textContent = `#${r.i} ${label(r.mechanism)}\n${r.responseModel ?? r.model ?? ''}\nstart ${fmtMs(r.start)} · ${fmtMs(r.duration)} · TTFT ${fmtMs(r.ttft)}\nin ${fmtTokens(r.usage.input)} out ${fmtTokens(r.usage.output)} cache r/w ${fmtTokens(r.usage.cacheRead)}/${fmtTokens(r.usage.cacheWrite)}${rw.tooltip(r)}`;
  tooltip.style.display = 'block';
  tooltip.style.left = `${m.clientX + 12}px`;
  tooltip.style.top = `${m.clientY + 12}px`;
}

/** Drag to pan, wheel to zoom, double-click to reset, hover for a tooltip, click to open. */
function listen(t: Timeline, draw: () => void): void {
  const { canvas } = t;
  let drag: { x: number; from: number; to: number; moved: boolean } | undefined;
  on(canvas, 'mousedown', (e) => {
    const m = e as MouseEvent;
    drag = { x: m.offsetX, from: t.view.from, to: t.view.to, moved: false };
  });
  on(canvas, 'mousemove', (e) => {
    const m = e as MouseEvent;
    if (!drag) {
      showTooltip(t, m);
      return;
    }
    const width = t.wrap.clientWidth - LABEL_W - 8;
    const d = ((m.offsetX - drag.x) / width) * (drag.to - drag.from);
    if (Math.abs(m.offsetX - drag.x) > 3) drag.moved = true;
    if (drag.moved) {
      t.view = { from: drag.from - d, to: drag.to - d };
      draw();
    }
  });
  on(canvas, 'mouseleave', () => {
    t.tooltip.style.display = 'none';
  });
  on(window as unknown as HTMLElement, 'mouseup', (e) => {
    const m = e as MouseEvent;
    const wasDrag = drag?.moved;
    drag = undefined;
    if (wasDrag || m.target !== canvas) return;
    const r = rowAt(t, m.offsetX, m.offsetY);
    if (r) t.app.open(r.i);
  });
  on(canvas, 'dblclick', () => {
    t.view = { from: 0, to: t.span * 1.02 };
    draw();
  });
  canvas.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const { view } = t;
      const width = t.wrap.clientWidth - LABEL_W - 8;
      const at = view.from + ((e.offsetX - LABEL_W) / width) * (view.to - view.from);
      const k = e.deltaY > 0 ? 1.25 : 0.8;
      t.view = { from: at - (at - view.from) * k, to: at + (view.to - at) * k };
      draw();
    },
    { passive: false },
  );
  window.addEventListener('resize', draw);
}
