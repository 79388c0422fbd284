/** The exchange list, virtualised (only the visible rows exist), with a filter. */
import { fmtMs, fmtTokens } from '../../format.js';
import type { App } from './app.js';
import { h, on } from './dom.js';

export function listView(app: App): { section: HTMLElement; render(): void } {
  const { rows, rw, label } = app;
  const ROW_H = 24;
  const listSection = h('section', { id: 'exchanges' }, h('h2', null, `Exchanges (${rows.length})`));
  const filter = h('input', {
    type: 'search',
    placeholder: 'filter: mechanism, model, thread…',
    'aria-label': 'filter exchanges',
  });
  const list = h('div', { class: 'list', role: 'list' });
  const spacer = h('div', null);
  list.append(spacer);
  listSection.append(filter, list);
  let shown = rows;
  function renderList(): void {
    spacer.style.height = `${shown.length * ROW_H}px`;
    for (const el of [...list.querySelectorAll('.row')]) el.remove();
    const first = Math.floor(list.scrollTop / ROW_H);
    const count = Math.ceil((list.clientHeight || 320) / ROW_H) + 2;
    for (const r of shown.slice(first, first + count)) {
      const idx = shown.indexOf(r, first);
      const el = h(
        'div',
        {
          class: `row${r === app.selected ? ' sel' : ''}`,
          role: 'listitem',
          'data-exchange': String(r.i),
          ...(r.rewrite ? { 'data-rewrite': r.rewrite.state } : {}),
        },
        h('span', null, `#${r.i}`),
        h('span', null, fmtMs(r.start)),
        h('span', null, label(r.mechanism)),
        h(
          'span',
          null,
          rw.badge(r),
          `${r.responseModel ?? r.model ?? `${r.method} ${r.path}`}${r.thread ? ` · thread ${r.thread}` : ''}${r.retryOf !== undefined ? ` · attempt ${r.attempt} of #${r.retryOf}` : ''}`,
        ),
        h('span', null, fmtMs(r.duration)),
        h('span', null, `in ${fmtTokens(r.usage.input + r.usage.cacheRead + r.usage.cacheWrite)}`),
        h('span', null, `out ${fmtTokens(r.usage.output)}`),
      );
      el.style.top = `${idx * ROW_H}px`;
      on(el, 'click', () => app.open(r.i));
      list.append(el);
    }
  }
  on(list, 'scroll', renderList);
  on(filter, 'input', () => {
    const q = filter.value.toLowerCase();
    shown = q
      ? rows.filter((r) =>
          `${r.mechanism} ${label(r.mechanism)} ${r.model ?? ''} ${r.thread ?? ''} ${r.signature ?? ''} ${r.rewrite ? `rewrite ${r.rewrite.state} ${r.rewrite.rules.join(' ')}` : ''}`
            .toLowerCase()
            .includes(q),
        )
      : rows;
    list.scrollTop = 0;
    renderList();
  });

  return { section: listSection, render: renderList };
}
