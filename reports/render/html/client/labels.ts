/** The agent's own labels beside the signatures' (agreement, disagreeing pairs) and the unclassified shapes. */
import type { App } from './app.js';
import { h } from './dom.js';

export function labelsView(app: App): HTMLElement[] {
  const { model, label, link } = app;
  const sections: HTMLElement[] = [];
  const al = model.agentLabels;
  if (al) {
    const sec = h(
      'section',
      { id: 'agent-labels' },
      h('h2', null, `Agent's own labels: ${al.agree} of ${al.labelled} agree with the signatures`),
    );
    if (al.disagreements.length) {
      const tb = h(
        'tbody',
        null,
        ...al.disagreements.map((d) =>
          h('tr', null, h('td', null, label(d.signature)), h('td', null, d.agent), h('td', null, String(d.count))),
        ),
      );
      sec.append(
        h(
          'table',
          null,
          h(
            'thead',
            null,
            h('tr', null, h('th', null, 'signature'), h('th', null, "agent's label"), h('th', null, 'calls')),
          ),
          tb,
        ),
      );
    }
    sections.push(sec);
  }
  if (model.unclassifiedShapes?.length) {
    const sec = h(
      'section',
      { id: 'unclassified-shapes' },
      h('h2', null, `Unclassified shapes (${model.unclassifiedShapes.length})`),
    );
    const tb = h(
      'tbody',
      null,
      ...model.unclassifiedShapes.map((x) =>
        h(
          'tr',
          null,
          h('td', null, link(`#${x.first}`, x.first)),
          h('td', null, String(x.calls)),
          h('td', { class: 'preview' }, x.key),
        ),
      ),
    );
    sec.append(
      h(
        'table',
        null,
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'first'),
            h('th', null, 'calls'),
            h('th', null, 'model | system | tools | first user text'),
          ),
        ),
        tb,
      ),
    );
    sections.push(sec);
  }
  return sections;
}
