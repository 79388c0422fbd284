/**
 * A recorded session, read back for replay: each model exchange's request (blobs expanded), its response
 * status, headers and time to headers, and its end (the reassembled body, SSE event count, chunk timing), in the
 * order the requests were made. The process's working directory (its `session.start`) goes with each exchange,
 * so normalisation can tell the recorded run's paths from the live one's.
 */
import { readExpanded } from '../log/read.js';
import { isRecord } from '../exchange/json.js';
import type { Endpoint } from '../exchange/types.js';

export interface RecordedExchange {
  /** The exchange id in the log. */
  id: string;
  /** 1-based position among the session's exchanges (request order). */
  n: number;
  pid: number;
  /** Wall clock of the request, ms. */
  time: number;
  endpoint: Endpoint;
  method: string;
  /** The URL path the agent called (`/v1/messages`). */
  path: string;
  stream: boolean;
  /** The request's headers as logged (credentials redacted). */
  requestHeaders: Record<string, string>;
  /** The request body as logged (redacted), blobs expanded. */
  body: unknown;
  /** The recording process's working directory (redacted like the log). */
  cwd?: string;
  status?: number;
  responseHeaders?: Record<string, string>;
  ttfbMs?: number;
  end?: {
    outcome: string;
    body: unknown;
    sseEvents: number;
    chunkMs?: number[];
    durationMs: number;
  };
}

/** Reads a session directory (or one `<pid>.ndjson`); warnings (a torn last line) go to `onWarning`. */
export async function loadRecording(
  path: string,
  onWarning: (message: string) => void = () => {},
): Promise<RecordedExchange[]> {
  const byId = new Map<string, RecordedExchange>();
  const cwdOf = new Map<number, string>();
  for await (const { event } of readExpanded(path, { onWarning })) {
    const e = event as Record<string, unknown> & { event: string };
    if (e.event === 'session.start' && typeof e.cwd === 'string') cwdOf.set(Number(e.pid), e.cwd);
    else if (e.event === 'exchange.request') addRequest(byId, e);
    else if (e.event === 'exchange.response') addResponse(byId.get(String(e.exchange)), e);
    else if (e.event === 'exchange.end') addEnd(byId.get(String(e.exchange)), e);
  }
  const list = [...byId.values()].sort((a, b) => a.time - b.time);
  list.forEach((x, i) => {
    x.n = i + 1;
    const cwd = cwdOf.get(x.pid);
    if (cwd !== undefined) x.cwd = cwd;
  });
  return list;
}

function addRequest(byId: Map<string, RecordedExchange>, e: Record<string, unknown>): void {
  let path = '/';
  try {
    path = new URL(String(e['url.full'])).pathname;
  } catch {
    // a redacted or odd URL: the endpoint still says what it was
  }
  byId.set(String(e.exchange), {
    id: String(e.exchange),
    n: 0,
    pid: Number(e.pid),
    time: Number(e.time),
    endpoint: e.endpoint as Endpoint,
    method: String(e['http.request.method'] ?? 'POST'),
    path,
    stream: e.stream === true,
    requestHeaders: isRecord(e.headers) ? (e.headers as Record<string, string>) : {},
    body: e.body,
  });
}

function addResponse(x: RecordedExchange | undefined, e: Record<string, unknown>): void {
  if (!x) return;
  x.status = Number(e['http.response.status_code']);
  if (isRecord(e.headers)) x.responseHeaders = e.headers as Record<string, string>;
  if (typeof e.ttfb_ms === 'number') x.ttfbMs = e.ttfb_ms;
}

function addEnd(x: RecordedExchange | undefined, e: Record<string, unknown>): void {
  if (!x) return;
  x.end = {
    outcome: String(e.outcome),
    body: e.body,
    sseEvents: typeof e.sse_events === 'number' ? e.sse_events : 0,
    ...(Array.isArray(e.chunk_ms) ? { chunkMs: e.chunk_ms as number[] } : {}),
    durationMs: typeof e.duration_ms === 'number' ? e.duration_ms : 0,
  };
}
