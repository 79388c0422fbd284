/** Context growth of the main line: bytes of system, tools and messages per request (canvas), ▼ at a compaction. */
import { fmtBytes } from '../../format.js';
import type { App } from './app.js';
import { h } from './dom.js';

export function contextView(app: App): { section: HTMLElement; draw(): void } {
  const { model, rows } = app;
  const ctxSection = h('section', { id: 'context' }, h('h2', null, 'Main thread context per turn'));
  const ctxCanvas = h('canvas', { id: 'context-canvas' });
  ctxSection.append(
    h(
      'div',
      { class: 'legend' },
      'bytes of JSON per request: ',
      h('span', null, h('span', { class: 'swatch sw-sys' }), 'system'),
      h('span', null, h('span', { class: 'swatch sw-tools' }), 'tools'),
      h('span', null, h('span', { class: 'swatch sw-msg' }), 'messages'),
      h('span', null, '| ▼ compaction'),
    ),
    ctxCanvas,
  );
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

  window.addEventListener('resize', drawContext);
  return { section: ctxSection, draw: drawContext };
}
