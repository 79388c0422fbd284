/**
 * The live export's one door to the span mapping of `agenttap export otlp` (reports/otlp/): the spans of this
 * process's log file, the same records with the same ids as the offline export makes of it, and which of them
 * stand for an exchange (those can go out as soon as the exchange ended; thread and tool spans grow until the end).
 */
import { createHash } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  exchangeSpanId,
  type SpanRecord,
  sessionResource,
  spansOfSession,
  toReadableSpans,
} from '../../reports/otlp/index.js';
import { VERSION } from '../version.js';

export type { ReadableSpan, SpanRecord };

export interface MappedLog {
  records: SpanRecord[];
  /** The records chosen, as the SDK spans the exporter takes (under the session's resource). */
  readable(records: readonly SpanRecord[]): Promise<ReadableSpan[]>;
}

export async function mapLogFile(file: string, content: boolean): Promise<MappedLog> {
  const { model, spans } = await spansOfSession(file, { content });
  const resource = sessionResource(model, VERSION);
  return { records: spans, readable: (records) => toReadableSpans(records, resource, VERSION) };
}

/** The span id of an exchange of this process (ids.ts): its inference (or plain HTTP) span. */
export const exchangeSpan = (session: string, exchange: string) => exchangeSpanId(session, process.pid, exchange);

/** What a record says, to send it again only when a later mapping changed it (a thread that grew, a retry). */
export const digestOf = (record: SpanRecord): string =>
  createHash('sha256').update(JSON.stringify(record)).digest('base64').slice(0, 22);
