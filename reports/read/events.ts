/** The read pass's handlers, one per event type (`exchange.request`'s lives in request.ts). */
import { inputStrings, responseToolCalls, textHash } from '../../src/exchange/body.js';
import { isRecord } from '../../src/exchange/json.js';
import { readRewrite } from '../model/rewrites.js';
import { finite } from './missing.js';
import { own } from './own.js';
import { onRequest } from './request.js';
import type { EventIn, FileState } from './state.js';

export type Handler = (s: FileState, e: EventIn) => void | Promise<void>;

export const HANDLERS: Readonly<Record<string, Handler>> = {
  'session.start': onSessionStart,
  'exchange.request': onRequest,
  'exchange.response': onResponse,
  'exchange.end': onEnd,
  blob: onBlob,
  'tap.warning': (s) => {
    s.out.tapWarnings++;
  },
  'session.end': () => {},
  'rewrite.applied': onRewrite,
  'exchange.label': onLabel,
};

function onBlob(s: FileState, { ev, raw }: EventIn): void {
  const hash = String(ev.hash);
  const content = ev.content;
  s.blobs.add(hash, raw.offset, raw.bytes, content);
  s.chains.addBlob(hash, content);
}

function onSessionStart(s: FileState, { ev, time }: EventIn): void {
  s.anchor(time);
  s.out.sessionId ??= String(ev.session);
  s.out.processes.push({
    pid: Number(ev.pid),
    argv: (ev.argv as string[]) ?? [],
    cwd: ev.cwd as string,
    node: ev.node as string,
    agenttap: ev.agenttap as string,
    time: s.wall(time),
  });
}

function onRewrite(s: FileState, { ev, raw }: EventIn): void {
  // Joined to its exchange in build.ts: the tap writes it just before the request, a reader must not care.
  const r = readRewrite(ev);
  const key = typeof r === 'string' ? '' : `${ev.pid}/${r.exchange}`;
  if (typeof r === 'string') s.warnAt(raw, `rewrite.applied ${r}; skipped`);
  else if (s.out.rewrites.has(key)) s.warnAt(raw, `a second rewrite.applied for exchange ${r.exchange}; skipped`);
  else s.out.rewrites.set(key, r.rewrite);
}

function onLabel(s: FileState, { ev, raw }: EventIn): void {
  if (typeof ev.exchange === 'string' && typeof ev.label === 'string')
    s.out.labels.set(ev.exchange, { source: String(ev.source ?? ''), label: ev.label });
  else s.check.warn(`${s.file}:${raw.line}: exchange.label without an exchange or a label; skipped`);
}

function onResponse(s: FileState, { ev }: EventIn): void {
  const d = s.pending.get(String(ev.exchange));
  if (!d) return;
  d.status = finite(ev['http.response.status_code']);
  d.ttfb = finite(ev.ttfb_ms);
}

function onEnd(s: FileState, { ev }: EventIn): void {
  const d = s.pending.get(String(ev.exchange));
  if (!d) return;
  s.pending.delete(String(ev.exchange));
  d.outcome = String(ev.outcome);
  d.duration = finite(ev.duration_ms);
  if (typeof ev.ttft_ms === 'number') d.ttft = ev.ttft_ms;
  const u = isRecord(ev.usage) ? ev.usage : {};
  const n = (v: unknown) => (typeof v === 'number' ? v : 0);
  const cacheRead = n(u.cache_read_input_tokens);
  const input = n(u.input_tokens);
  d.usage = {
    // OpenAI counts cached tokens inside prompt tokens; Anthropic apart.
    input: d.provider === 'openai' ? Math.max(0, input - cacheRead) : input,
    output: n(u.output_tokens),
    cacheRead,
    cacheWrite: n(u.cache_creation_input_tokens),
  };
  const reasons = ev['gen_ai.response.finish_reasons'];
  if (Array.isArray(reasons) && typeof reasons[0] === 'string') d.stop = reasons[0];
  if (typeof ev['gen_ai.response.model'] === 'string') d.responseModel = ev['gen_ai.response.model'];
  const err = (isRecord(ev.api_error) ? ev.api_error : isRecord(ev.error) ? ev.error : undefined) as
    | { type?: string; message?: string }
    | undefined;
  if (err) d.error = own(`${err.type ?? 'error'}: ${String(err.message ?? '')}`, 300);
  // A later thread whose first user text is one of these calls' input strings was started by it (a sub-agent).
  const calls = responseToolCalls(ev.body);
  d.facts.responseTools = calls.map((c) => c.name);
  for (const c of calls)
    for (const str of inputStrings(c.input))
      if (str.trim().length >= 8) s.spawn.set(textHash(str), { draft: d, toolUseId: c.id, tool: c.name });
  if (d.stream && d.outcome !== 'complete' && d.node !== undefined) s.broken.add(d.node);
  for (const sub of s.subscribers) sub.end?.(d, ev.body);
}
