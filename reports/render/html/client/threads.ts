/** Threads: each conversation, its mechanism, the tool_use that started it, the compaction it continues after. */
import type { App } from './app.js';
import { h } from './dom.js';

export function threadsView(app: App): HTMLElement {
  const { model, label, link } = app;
  const thr = h('section', { id: 'threads' }, h('h2', null, `Threads (${model.threads.length})`));
  const tt = h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...['thread', 'mechanism', 'calls', 'started by', 'continues after compaction'].map((x) => h('th', null, x)),
      ),
    ),
  );
  const tb = h('tbody', null);
  for (const th of model.threads.slice(0, 500)) {
    tb.append(
      h(
        'tr',
        null,
        h('td', null, link(th.id, th.exchanges[0]!)),
        h('td', null, label(th.mechanism)),
        h('td', null, String(th.exchanges.length)),
        h(
          'td',
          null,
          th.spawnedBy
            ? h('span', null, `${th.spawnedBy.tool} `, link(`#${th.spawnedBy.exchange}`, th.spawnedBy.exchange))
            : '–',
        ),
        h(
          'td',
          null,
          th.compactedFrom
            ? h(
                'span',
                null,
                `${th.compactedFrom.thread} via `,
                link(`#${th.compactedFrom.exchange}`, th.compactedFrom.exchange),
              )
            : '–',
        ),
      ),
    );
  }
  tt.append(tb);
  // Long lists stay folded: the summary comes first, detail on demand.
  thr.append(
    model.threads.length > 30
      ? h(
          'details',
          null,
          h(
            'summary',
            null,
            `show ${Math.min(500, model.threads.length)} threads${model.threads.length > 500 ? ' (first 500)' : ''}`,
          ),
          tt,
        )
      : tt,
  );

  return thr;
}
