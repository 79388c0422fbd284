/** One exchange: what it is and why (classification, timing, usage, thread, rewrite), its request and response. */
import type { ExchangeRow } from '../../../model/types.js';
import type { ExchangeDetail } from '../detail.js';
import { fmtBytes, fmtCost, fmtMs } from '../../format.js';
import type { App } from './app.js';
import { h, type Child } from './dom.js';
import { json, messagesOf, messageView, textView } from './messages.js';

type Add = (k: string, v: Child) => void;

export function exchangeView(app: App): { section: HTMLElement; open(i: number): void } {
  const ex = h('section', { id: 'exchange', hidden: '' });
  function openExchange(i: number): void {
    const r = app.rows[i]!;
    app.selected = r;
    for (const redraw of app.onSelect) redraw();
    ex.hidden = false;
    ex.replaceChildren();
    const d = app.detailOf(r);
    const kv = h('div', { class: 'kv' });
    const add: Add = (k, v) => {
      kv.append(h('div', null, k), h('div', null, v));
    };
    addFacts(app, r, add);
    addLinks(app, r, add);
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
      app.rw.detail(r) ?? '',
    );
    if (!d) {
      ex.append(
        h(
          'p',
          { class: 'hint' },
          'Content not included in this report (left out by its content budget, or the request had no body).',
        ),
      );
    } else ex.append(requestView(app, r, d), responseView(d));
    ex.scrollIntoView({ block: 'start' });
  }

  return { section: ex, open: openExchange };
}

/** What the exchange is: mechanism, agent, request line, model, status, timing, tokens, context sizes. */
function addFacts(app: App, r: ExchangeRow, add: Add): void {
  const { label } = app;
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
  add('timing', `start ${fmtMs(r.start)} · TTFB ${fmtMs(r.ttfb)} · TTFT ${fmtMs(r.ttft)} · total ${fmtMs(r.duration)}`);
  add(
    'tokens',
    `input ${r.usage.input} · output ${r.usage.output} · cache read ${r.usage.cacheRead} · cache write ${r.usage.cacheWrite} · cost ${r.cost === undefined ? 'no price' : fmtCost(r.cost)}`,
  );
  add(
    'context',
    `system ${fmtBytes(r.context.system)} · tools ${fmtBytes(r.context.tools)} · messages ${fmtBytes(r.context.messages)} (${r.context.count})`,
  );
}

/** How it relates to others: attempts of one exchange, its thread, the tool call that started it; its features. */
function addLinks(app: App, r: ExchangeRow, add: Add): void {
  const { rows, link } = app;
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
}

function requestView(app: App, r: ExchangeRow, d: ExchangeDetail): HTMLElement {
  const req = h('div', null, h('h3', null, 'Request'));
  if (d.systemDiff) req.append(systemDiffView(d.systemDiff));
  if (d.toolsDiff)
    req.append(
      h(
        'p',
        null,
        `tools changed since the previous request: ${d.toolsDiff.added.length ? `+ ${d.toolsDiff.added.join(', ')}` : ''}${d.toolsDiff.added.length && d.toolsDiff.removed.length ? ' · ' : ''}${d.toolsDiff.removed.length ? `− ${d.toolsDiff.removed.join(', ')}` : ''}${!d.toolsDiff.added.length && !d.toolsDiff.removed.length ? 'same names, new definitions' : ''}`,
      ),
    );
  if (d.system?.length) req.append(systemView(app, r, d.system));
  if (d.tools?.length) req.append(toolsView(app, d.tools));
  req.append(
    h(
      'details',
      null,
      h('summary', null, 'parameters and headers'),
      h('pre', null, json(d.params)),
      h('pre', null, json(d.headers)),
    ),
    ...messagesPart(app, r),
  );
  if (d.partial) req.append(h('p', { class: 'hint' }, 'Some content left out (report content budget).'));
  return req;
}

/** Computed with the `diff` package when the log was read (lines of the whole system prompt). */
function systemDiffView(diff: NonNullable<ExchangeDetail['systemDiff']>): HTMLElement {
  const pre = h('pre', { class: 'diff' });
  for (const [op, text] of diff)
    pre.append(
      op === '='
        ? text.length > 600
          ? `${text.slice(0, 300)}\n…\n${text.slice(-300)}`
          : text
        : h(op === '+' ? 'ins' : 'del', null, text),
    );
  return h(
    'details',
    { open: '' },
    h('summary', null, 'system prompt changed since the previous request of this thread'),
    pre,
  );
}

function systemView(app: App, r: ExchangeRow, system: string[]): HTMLElement {
  const parentDetail = r.parent !== undefined ? app.detailOf(app.rows[r.parent]!) : undefined;
  const changed = parentDetail?.system && parentDetail.system.join() !== system.join();
  const det = h(
    'details',
    null,
    h(
      'summary',
      null,
      `system prompt: ${system.length} block(s)${changed ? ' — changed since the previous request of this thread' : ''}`,
    ),
  );
  system.forEach((hash, k) => {
    det.append(
      h(
        'div',
        { class: 'block' },
        h('div', { class: 'kind' }, `block ${k}`),
        textView(String(app.content(hash) ?? ''), false),
      ),
    );
  });
  return det;
}

function toolsView(app: App, tools: string[]): HTMLElement {
  const det = h('details', null, h('summary', null, `tools: ${tools.length}`));
  for (const hash of tools) {
    const tool = app.content(hash) as Record<string, unknown> | undefined;
    det.append(
      h(
        'details',
        null,
        h('summary', null, String(tool?.name ?? (tool?.function as { name?: string } | undefined)?.name ?? '?')),
        h('pre', null, json(tool)),
      ),
    );
  }
  return det;
}

/** The messages: earlier ones (unchanged from the parent) folded and rendered on first open, then the new ones. */
function messagesPart(app: App, r: ExchangeRow): HTMLElement[] {
  const { content } = app;
  const out: HTMLElement[] = [];
  const { hashes, newFrom, complete } = messagesOf(app, r);
  if (!complete)
    out.push(
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
        for (const hh of hashes.slice(0, newFrom)) older.append(messageView(content(hh), false));
      },
      { once: true },
    );
    out.push(older);
  }
  for (const hh of hashes.slice(newFrom)) out.push(messageView(content(hh), true));
  return out;
}

function responseView(d: ExchangeDetail): HTMLElement {
  const res = h('div', null, h('h3', null, 'Response'));
  const body = d.response as Record<string, unknown> | undefined;
  if (!body) res.append(h('p', { class: 'hint' }, 'No response body.'));
  else if (Array.isArray(body.content)) res.append(messageView({ role: 'assistant', content: body.content }, false));
  else if (Array.isArray(body.choices))
    for (const c of body.choices) res.append(messageView((c as { message?: unknown }).message, false));
  else if (Array.isArray(body.output))
    for (const o of body.output)
      res.append(
        messageView((o as { type?: string }).type === 'message' ? o : { role: 'assistant', content: [o] }, false),
      );
  else res.append(h('pre', null, json(body)));
  return res;
}
