/** Prompt anatomy: system prompts by block, tool lists by size, the reminders injected — each exportable as a file. */
import { fmtBytes } from '../../format.js';
import type { App } from './app.js';
import { download, h } from './dom.js';

export function anatomyView(app: App): HTMLElement {
  const { model, label, link, content } = app;
  const an = h('section', { id: 'anatomy' }, h('h2', null, 'Prompt anatomy'));
  model.anatomy.systems.forEach((sys, n) => {
    const det = h(
      'details',
      null,
      h(
        'summary',
        null,
        `System prompt ${n + 1}: ${fmtBytes(sys.bytes)}, ${sys.blocks.length} block(s), ${sys.calls} call(s) — ${sys.mechanisms.map(label).join(', ')}`,
      ),
    );
    sys.blocks.forEach((b, k) => {
      const text = String(content(b.hash) ?? b.preview);
      det.append(
        h(
          'div',
          { class: 'block' },
          h('div', { class: 'kind' }, `block ${k} · ${fmtBytes(b.bytes)} `),
          download(`system-${n + 1}-block-${k}.txt`, text),
          h('pre', null, b.preview + (b.preview.length < text.length ? ' …' : '')),
        ),
      );
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
    an.append(
      h(
        'details',
        null,
        h(
          'summary',
          null,
          `Tool list ${n + 1}: ${ts.tools.length} tools, ${fmtBytes(ts.bytes)}, ${ts.calls} call(s) — ${ts.mechanisms.map(label).join(', ')}`,
        ),
        bars,
      ),
    );
  });
  const rem = model.anatomy.reminders;
  const remTable = h(
    'table',
    null,
    h('thead', null, h('tr', null, ...['call', 'kind', 'size', 'text'].map((x) => h('th', null, x)))),
  );
  const remBody = h('tbody', null);
  for (const x of rem.slice(0, 300))
    remBody.append(
      h(
        'tr',
        null,
        h('td', null, link(`#${x.exchange}`, x.exchange)),
        h('td', null, x.kind),
        h('td', null, fmtBytes(x.bytes)),
        h('td', { class: 'preview' }, x.preview.slice(0, 120)),
      ),
    );
  remTable.append(remBody);
  an.append(
    h(
      'h3',
      null,
      `System reminders injected: ${rem.length}${model.anatomy.remindersOmitted ? ` (+${model.anatomy.remindersOmitted} not listed)` : ''}`,
    ),
    download(
      'reminders.txt',
      rem.map((x) => `--- call #${x.exchange} (${x.kind}) ---\n${String(content(x.hash) ?? x.preview)}`).join('\n\n'),
    ),
    rem.length > 30
      ? h('details', null, h('summary', null, `show ${Math.min(300, rem.length)} reminders`), remTable)
      : remTable,
  );

  return an;
}
