/**
 * Fault injection decisions (pure): which faults apply to a request, the HTTP answer of an
 * up-front fault (status, 204, redirect), and how in-stream faults reshape the event list.
 */
import type { Responder, SseEvent } from './sse.js';
import type { Fault, ParsedRequest } from './types.js';

export function matchingFaults(faults: readonly Fault[] | undefined, req: ParsedRequest): Fault[] {
  if (!faults) return [];
  return faults.filter((f) => {
    if (f.on !== undefined && !f.on.includes(req.n)) return false;
    if (f.when !== undefined && !f.when(req)) return false;
    return true;
  });
}

/** An answer replacing the model reply entirely. */
export interface UpfrontAnswer {
  status: number;
  headers: Record<string, string>;
  /** undefined: no body. */
  body?: unknown;
}

/** The first status / no-content / redirect fault, rendered; undefined when none applies. */
export function upfrontAnswer(faults: Fault[], responder: Responder, baseUrl: string): UpfrontAnswer | undefined {
  for (const f of faults) {
    if (f.kind === 'status') {
      const headers: Record<string, string> = { ...responder.headers() };
      if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
      return {
        status: f.status,
        headers,
        body: f.body !== undefined ? f.body : responder.errorBody(f.status, `agenttap mock: injected HTTP ${f.status}`),
      };
    }
    if (f.kind === 'no-content') return { status: f.status ?? 204, headers: {} };
    if (f.kind === 'redirect') {
      const location = /^https?:\/\//.test(f.to) ? f.to : `${baseUrl}${f.to.startsWith('/') ? '' : '/'}${f.to}`;
      return { status: f.status ?? 307, headers: { location } };
    }
  }
  return undefined;
}

export interface StreamPlan {
  events: SseEvent[];
  /** Destroy the socket after writing this many events. */
  disconnectAfter?: number;
  /** Extra delay before the first content event. */
  firstTokenDelayMs: number;
}

/** Applies unknown-event, stream-error, disconnect and slow-first-token faults to `events`. */
export function planStream(
  events: SseEvent[],
  faults: Fault[],
  responder: Responder,
  firstTokenDelayMs: number,
): StreamPlan {
  let out = [...events];
  let disconnectAfter: number | undefined;
  let delay = firstTokenDelayMs;
  for (const f of faults) {
    if (f.kind === 'unknown-event') out.splice(Math.min(1, out.length), 0, responder.unknownEvent());
  }
  for (const f of faults) {
    if (f.kind === 'stream-error') {
      out = [
        ...out.slice(0, Math.max(0, f.afterEvents)),
        responder.streamError(f.message ?? 'agenttap mock: injected overloaded error'),
      ];
    } else if (f.kind === 'disconnect') {
      disconnectAfter = Math.max(0, f.afterEvents);
    } else if (f.kind === 'slow-first-token') {
      delay = Math.max(delay, f.ms);
    }
  }
  responder.finalize?.(out);
  const plan: StreamPlan = { events: out, firstTokenDelayMs: delay };
  if (disconnectAfter !== undefined) plan.disconnectAfter = disconnectAfter;
  return plan;
}

/** For a non-streaming reply: the delay before the body and whether to cut the connection. */
export function planJson(faults: Fault[], firstTokenDelayMs: number): { delayMs: number; disconnectAfter?: number } {
  let delayMs = firstTokenDelayMs;
  let disconnectAfter: number | undefined;
  for (const f of faults) {
    if (f.kind === 'slow-first-token') delayMs = Math.max(delayMs, f.ms);
    if (f.kind === 'disconnect') disconnectAfter = Math.max(0, f.afterEvents);
  }
  return disconnectAfter === undefined ? { delayMs } : { delayMs, disconnectAfter };
}
