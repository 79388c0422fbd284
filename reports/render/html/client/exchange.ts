/** One exchange: what it is and why (classification, timing, usage, thread, rewrite), its request and response. */
import { fmtBytes, fmtCost, fmtMs } from '../../format.js';
import type { App } from './app.js';
import { h, type Child } from './dom.js';
import { json, messagesOf, messageView, textView } from './messages.js';

export function exchangeView(app: App): { section: HTMLElement; open(i: number): void } {
  const { rows, rw, label, link, content, detailOf } = app;
  const ex = h('section', { id: 'exchange', hidden: '' });
  function openExchange(i: number): void {
    const r = rows[i]!;
    app.selected = r;
    for (const redraw of app.onSelect) redraw();
    ex.hidden = false;
    ex.replaceChildren();
    const d = detailOf(r);
    const kv = h('div', { class: 'kv' });
    const add = (k: string, v: Child) => kv.append(h('div', null, k), h('div', null, v));
    add('mechanism', `${label(r.mechanism)}${r.signature ? ` — ${r.signature}` : ''}`);
    add('agent', `${r.agent}${r.agentVersion ? ` ${r.agentVersion}` : ''}`);
    if (r.agentLabel)
      add(
        "agent's label",
        `${r.agentLabel.label}${r.agentLabel.mechanism ? ` (${label(r.agentLabel.mechanism)})` : ''} — ${r.agentLabel.agrees ? 'agrees' : 'disagrees'} with the signature`,
      );
    add(
      'request',
      `${r.method} ${r.path} · ${r.endpoint} · ${r.layer} layer · ${r.stream ? 'streamed' : 'not streamed'}`,
    );
    add('model', `${r.model ?? '–'}${r.responseModel && r.responseModel !== r.model ? ` → ${r.responseModel}` : ''}`);
    add(
      'status',
      `${r.status ?? '–'} · ${r.outcome ?? '–'}${r.stop ? ` · stop: ${r.stop}` : ''}${r.error ? ` · ${r.error}` : ''}`,
    );
    add(
      'timing',
      `start ${fmtMs(r.start)} · TTFB ${fmtMs(r.ttfb)} · TTFT ${fmtMs(r.ttft)} · total ${fmtMs(r.duration)}`,
    );
    add(
      'tokens',
      `input ${r.usage.input} · output ${r.usage.output} · cache read ${r.usage.cacheRead} · cache write ${r.usage.cacheWrite} · cost ${r.cost === undefined ? 'no price' : fmtCost(r.cost)}`,
    );
    add(
      'context',
      `system ${fmtBytes(r.context.system)} · tools ${fmtBytes(r.context.tools)} · messages ${fmtBytes(r.context.messages)} (${r.context.count})`,
    );
    // Retries: one exchange with attempts, each still its own row (its own status, timing and usage).
    if (r.retryOf !== undefined)
      add(
        'attempt',
        h('span', null, `attempt ${r.attempt} of `, link(`#${r.retryOf}`, r.retryOf), ' (a retry of the same request)'),
      );
    if (r.attempts)
      add(
        'attempts',
        h(
          'span',
          null,
          ...r.attempts.flatMap((a, k) => [
            k ? ' · ' : '',
            link(`#${a}`, a),
            ` ${rows[a]!.status ?? rows[a]!.outcome ?? ''}`,
          ]),
        ),
      );
    if (r.thread)
      add(
        'thread',
        h(
          'span',
          null,
          r.thread,
          r.parent !== undefined ? h('span', null, ' · extends ', link(`#${r.parent}`, r.parent)) : ' · first request',
        ),
      );
    if (r.spawnedBy)
      add(
        'started by',
        h(
          'span',
          null,
          `${r.spawnedBy.tool} tool_use ${r.spawnedBy.toolUseId} in `,
          link(`#${r.spawnedBy.exchange}`, r.spawnedBy.exchange),
        ),
      );
    if (r.features.length) add('features', h('span', null, ...r.features.map((f) => h('span', { class: 'badge' }, f))));
    const reasons = h('ul', { class: 'reasons' }, ...r.reasons.slice(0, 30).map((x) => h('li', null, x)));
    ex.append(
      h('h2', null, `Exchange #${r.i}`),
      kv,
      h(
        'details',
        r.mechanism === 'unclassified' ? { open: '' } : null,
        h('summary', null, r.mechanism === 'unclassified' ? 'why unclassified' : 'evidence'),
        reasons,
      ),
      rw.detail(r) ?? '',
    );
    if (!d) {
      ex.append(
        h(
          'p',
          { class: 'hint' },
          'Content not included in this report (left out by its content budget, or the request had no body).',
        ),
      );
      ex.scrollIntoView({ block: 'start' });
      return;
    }
    const parentDetail = r.parent !== undefined ? detailOf(rows[r.parent]!) : undefined;
    const req = h('div', null, h('h3', null, 'Request'));
    if (d.systemDiff) {
      // Computed with the `diff` package when the log was read (lines of the whole system prompt).
      const pre = h('pre', { class: 'diff' });
      for (const [op, text] of d.systemDiff)
        pre.append(
          op === '='
            ? text.length > 600
              ? `${text.slice(0, 300)}\n…\n${text.slice(-300)}`
              : text
            : h(op === '+' ? 'ins' : 'del', null, text),
        );
      req.append(
        h(
          'details',
          { open: '' },
          h('summary', null, 'system prompt changed since the previous request of this thread'),
          pre,
        ),
      );
    }
    if (d.toolsDiff)
      req.append(
        h(
          'p',
          null,
          `tools changed since the previous request: ${d.toolsDiff.added.length ? `+ ${d.toolsDiff.added.join(', ')}` : ''}${d.toolsDiff.added.length && d.toolsDiff.removed.length ? ' · ' : ''}${d.toolsDiff.removed.length ? `− ${d.toolsDiff.removed.join(', ')}` : ''}${!d.toolsDiff.added.length && !d.toolsDiff.removed.length ? 'same names, new definitions' : ''}`,
        ),
      );
    if (d.system?.length) {
      const changed = parentDetail && parentDetail.system && parentDetail.system.join() !== d.system.join();
      const det = h(
        'details',
        null,
        h(
          'summary',
          null,
          `system prompt: ${d.system.length} block(s)${changed ? ' — changed since the previous request of this thread' : ''}`,
        ),
      );
      d.system.forEach((hash, k) =>
        det.append(
          h(
            'div',
            { class: 'block' },
            h('div', { class: 'kind' }, `block ${k}`),
            textView(String(content(hash) ?? ''), false),
          ),
        ),
      );
      req.append(det);
    }
    if (d.tools?.length) {
      const det = h('details', null, h('summary', null, `tools: ${d.tools.length}`));
      d.tools.forEach((hash) => {
        const tool = content(hash) as Record<string, unknown> | undefined;
        det.append(
          h(
            'details',
            null,
            h('summary', null, String(tool?.name ?? (tool?.function as { name?: string } | undefined)?.name ?? '?')),
            h('pre', null, json(tool)),
          ),
        );
      });
      req.append(det);
    }
    req.append(
      h(
        'details',
        null,
        h('summary', null, 'parameters and headers'),
        h('pre', null, json(d.params)),
        h('pre', null, json(d.headers)),
      ),
    );
    const { hashes, newFrom, complete } = messagesOf(app, r);
    if (!complete)
      req.append(
        h(
          'p',
          { class: 'hint' },
          "Earlier messages of this thread are not in the report; only this request's new messages are shown.",
        ),
      );
    if (newFrom > 0) {
      const older = h(
        'details',
        null,
        h('summary', null, `${newFrom} earlier message(s), unchanged from the previous request of this thread`),
      );
      older.addEventListener(
        'toggle',
        () => {
          if (older.childElementCount > 1) return;
          hashes.slice(0, newFrom).forEach((hh) => older.append(messageView(content(hh), false)));
        },
        { once: true },
      );
      req.append(older);
    }
    hashes.slice(newFrom).forEach((hh) => req.append(messageView(content(hh), true)));
    if (d.partial) req.append(h('p', { class: 'hint' }, 'Some content left out (report content budget).'));
    const res = h('div', null, h('h3', null, 'Response'));
    const body = d.response as Record<string, unknown> | undefined;
    if (!body) res.append(h('p', { class: 'hint' }, 'No response body.'));
    else if (Array.isArray(body.content)) res.append(messageView({ role: 'assistant', content: body.content }, false));
    else if (Array.isArray(body.choices))
      body.choices.forEach((c) => res.append(messageView((c as { message?: unknown }).message, false)));
    else if (Array.isArray(body.output))
      body.output.forEach((o) =>
        res.append(
          messageView((o as { type?: string }).type === 'message' ? o : { role: 'assistant', content: [o] }, false),
        ),
      );
    else res.append(h('pre', null, json(body)));
    ex.append(req, res);
    ex.scrollIntoView({ block: 'start' });
  }

  return { section: ex, open: openExchange };
}
