/**
 * Server-sent events and the responder contract: what each API module produces (a JSON body or
 * a list of SSE events) and how an event is serialised on the wire.
 */
import type { PlannedReply } from './script.js';
import type { ParsedRequest } from './types.js';

export interface SseEvent {
  /** The `event:` field (omitted for Chat Completions). */
  event?: string;
  /** JSON-serialised unless already a string (e.g. '[DONE]'). */
  data: unknown;
  /** Name recorded in `ReceivedRequest.sentEvents`. */
  label: string;
  /** Carries model output (text, thinking, tool input): the first one is the "first token". */
  content?: boolean;
}

/** One model API's renderer. */
export interface Responder {
  /** A fresh id for the reply (`msg_…`, `chatcmpl-…`, `resp_…`). */
  newId(): string;
  /** Extra response headers (request ids). */
  headers(): Record<string, string>;
  json(reply: PlannedReply, id: string, req: ParsedRequest): unknown;
  events(reply: PlannedReply, id: string, req: ParsedRequest): SseEvent[];
  /** An event of a type no client knows. */
  unknownEvent(): SseEvent;
  /** An error delivered inside a 200 stream. */
  streamError(message: string): SseEvent;
  /** The API's error JSON for an HTTP error status. */
  errorBody(status: number, message: string): unknown;
  /** Last pass over the final event list (after faults spliced events in), e.g. sequence numbers. */
  finalize?(events: SseEvent[]): void;
}

export function formatSse(e: SseEvent): string {
  const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
  return `${e.event !== undefined ? `event: ${e.event}\n` : ''}data: ${data}\n\n`;
}
