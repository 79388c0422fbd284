/**
 * What the replay server answers for a matched recorded exchange: its status, the body the live request asks
 * for (a JSON body, or an SSE stream rendered from the recorded reassembled body), and when to send each part —
 * headers after the recorded time to headers, each event after its recorded gap (`exchange.end` `chunk_ms`),
 * divided by `speed` (0 gaps with `timing: false`). A stream gets as many events as the recorded one had, so
 * event i waits gap i.
 */
import { isRecord } from '../exchange/json.js';
import { formatSse, type SseEvent } from '../mock/sse.js';
import { anthropicEvents, anthropicSplittable } from './render-anthropic.js';
import { chatEvents, chatSplittable, responsesEvents, responsesSplittable } from './render-openai.js';
import { dashed } from './normalise.js';
import type { RecordedExchange } from './recording.js';

export interface Pacing {
  /** Recorded gaps divided by this (default 1). */
  speed: number;
  /** false: no waits at all. */
  timing: boolean;
}

export interface Planned {
  status: number;
  headers: Record<string, string>;
  /** Wait before the headers, ms. */
  headersAfterMs: number;
  json?: unknown;
  /** The stream: each event's wire text and the wait before it, ms. */
  events?: { text: string; afterMs: number }[];
}

/** Response headers worth giving back (request ids the agent may print or log). */
const KEPT_HEADERS = ['request-id', 'x-request-id', 'anthropic-organization-id', 'openai-processing-ms'];

export function planResponse(
  recorded: RecordedExchange,
  live: { stream: boolean; body: unknown; cwd?: string },
  pacing: Pacing,
): Planned {
  const scale = (ms: number | undefined) => (pacing.timing && ms ? ms / pacing.speed : 0);
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = recorded.responseHeaders?.[name];
    if (value !== undefined) headers[name] = value;
  }
  const status = recorded.status ?? 200;
  const base = { status, headers, headersAfterMs: scale(recorded.ttfbMs) };
  if (recorded.endpoint === 'anthropic.warmup') return base;
  const body = relocate(recorded.end?.body, recorded.cwd, live.cwd);
  const streamable = status < 400 && isRecord(body) && recorded.endpoint !== 'anthropic.count_tokens';
  if (!live.stream || !streamable) return { ...base, json: body };
  const events = streamEvents(recorded, body, live.body);
  const gaps = recorded.stream ? (recorded.end?.chunkMs ?? []) : [];
  return {
    ...base,
    headers: { ...headers, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
    events: events.map((e, i) => ({ text: formatSse(e), afterMs: scale(gaps[i]) })),
  };
}

function streamEvents(recorded: RecordedExchange, body: Record<string, unknown>, request: unknown): SseEvent[] {
  const target = recorded.stream ? (recorded.end?.sseEvents ?? 0) : 0;
  switch (recorded.endpoint) {
    case 'openai.chat': {
      const opts = isRecord(request) ? request.stream_options : undefined;
      const usage = isRecord(opts) && opts.include_usage === true;
      return fitEvents(chatSplittable(body), target, (p) => chatEvents(body, p, usage));
    }
    case 'openai.responses':
      return fitEvents(responsesSplittable(body), target, (p) => responsesEvents(body, p));
    default:
      return fitEvents(anthropicSplittable(body), target, (p) => anthropicEvents(body, p));
  }
}

/**
 * Renders with one piece per splittable part, then again with the parts cut so that the stream has `target`
 * events (the recorded count), the extra pieces shared out evenly; with no target, three pieces a part (the
 * mock's habit).
 */
function fitEvents(splittable: number[], target: number, render: (pieces: number[]) => SseEvent[]): SseEvent[] {
  const parts = splittable.filter((s) => s > 0).length;
  if (parts === 0) return render(splittable);
  if (target <= 0) return render(splittable.map((s) => s * 3));
  const base = render(splittable);
  const extra = Math.max(0, target - base.length);
  if (extra === 0) return base;
  const pieces = splittable.slice();
  const each = Math.floor(extra / parts);
  let rest = extra - each * parts;
  for (let i = 0; i < pieces.length; i++) {
    if (pieces[i] === 0) continue;
    pieces[i]! += each + (rest > 0 ? 1 : 0);
    if (rest > 0) rest--;
  }
  return render(pieces);
}

/**
 * The recorded run's working directory in a served body (a tool call's absolute path) becomes the live one's,
 * so the replayed agent acts on its own files. Also in Claude Code's project-folder form (normalise.ts).
 */
export function relocate(body: unknown, from: string | undefined, to: string | undefined): unknown {
  if (body === undefined || !from || !to || from === to) return body;
  const json = JSON.stringify(body);
  const text = (s: string) => JSON.stringify(s).slice(1, -1);
  const moved = json
    .split(text(from))
    .join(text(to))
    .split(text(dashed(from)))
    .join(text(dashed(to)));
  return moved === json ? body : JSON.parse(moved);
}
