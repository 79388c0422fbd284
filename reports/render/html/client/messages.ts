/** Messages and their blocks (text, thinking, tool calls and results), reminders highlighted by structure. */
import type { ExchangeRow } from '../../../model/types.js';
import { reminderParts } from '../../../../src/exchange/reminders.js';
import type { App } from './app.js';
import { h } from './dom.js';

// Reminders by structure (src/exchange/reminders.ts); a system prompt holds none, whatever its prose says.
export function textView(text: string, reminders = true): HTMLElement {
  const pre = h('pre', null);
  if (!reminders) {
    pre.append(text);
    return pre;
  }
  for (const part of reminderParts(text)) {
    if (part.reminder)
      pre.append(h('mark', { class: 'reminder', title: 'system reminder (injected by the agent)' }, part.text));
    else pre.append(part.text);
  }
  return pre;
}
export const json = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v, null, 2) ?? ''));
export function blockView(b: unknown): HTMLElement {
  if (typeof b === 'string') return h('div', { class: 'block' }, textView(b));
  const o = (b ?? {}) as Record<string, unknown>;
  const type = String(o.type ?? 'part');
  const box = h('div', { class: `block ${type}` }, h('div', { class: 'kind' }, type));
  if (type === 'text' || type === 'input_text' || type === 'output_text') box.append(textView(String(o.text ?? '')));
  else if (type === 'thinking' || type === 'redacted_thinking')
    box.append(h('details', null, h('summary', null, 'thinking'), h('pre', null, String(o.thinking ?? o.data ?? ''))));
  else if (type === 'tool_use' || type === 'server_tool_use' || type === 'function_call')
    box.append(
      h('div', null, h('b', null, String(o.name ?? '')), ` ${String(o.id ?? o.call_id ?? '')}`),
      h('pre', null, json(o.input ?? o.arguments)),
    );
  else if (type === 'tool_result' || type === 'function_call_output') {
    box.append(h('div', null, `for ${String(o.tool_use_id ?? o.call_id ?? '')}${o.is_error ? ' (error)' : ''}`));
    const c = o.content ?? o.output;
    if (Array.isArray(c)) for (const x of c) box.append(blockView(x));
    else box.append(textView(json(c)));
  } else if (type === 'image' || type === 'document') box.append(h('pre', null, `[${type}]`));
  else box.append(h('pre', null, json(o)));
  return box;
}
export function messageView(m: unknown, isNew: boolean): HTMLElement {
  const o = (m ?? {}) as Record<string, unknown>;
  const box = h(
    'div',
    { class: `msg${isNew ? ' new' : ''}` },
    h('div', { class: 'role' }, `${String(o.role ?? o.type ?? 'message')}${isNew ? ' · new in this request' : ''}`),
  );
  const c = o.content;
  if (typeof c === 'string') box.append(h('div', { class: 'block' }, textView(c)));
  else if (Array.isArray(c)) for (const b of c) box.append(blockView(b));
  else if (o.tool_calls || o.type) box.append(blockView(o));
  if (Array.isArray(o.tool_calls)) for (const tc of o.tool_calls) box.append(h('pre', null, json(tc)));
  return box;
}
/** The full request messages: the thread's earlier requests' added messages, then this one's. */
export function messagesOf(app: App, r: ExchangeRow): { hashes: string[]; newFrom: number; complete: boolean } {
  const chain: ExchangeRow[] = [];
  for (let x: ExchangeRow | undefined = r; x; x = x.parent !== undefined ? app.rows[x.parent] : undefined)
    chain.unshift(x);
  let hashes: string[] = [];
  let complete = true;
  for (const x of chain) {
    const d = app.detailOf(x);
    if (!d) {
      complete = false;
      hashes = [];
      continue;
    }
    hashes = [...hashes.slice(0, x.parentMessages ?? 0), ...d.added];
  }
  return { hashes, newFrom: Math.max(0, hashes.length - (app.detailOf(r)?.added.length ?? 0)), complete };
}
