/**
 * The spans of a session as plain data (no OpenTelemetry object): what `sessionSpans` returns, what the live
 * exporter builds one exchange at a time, and what `toReadableSpans` hands to the official OTLP exporters.
 */

/** OpenTelemetry's SpanKind numbering (@opentelemetry/api): kept as numbers so this module loads no OTel package. */
export const SPAN_KIND = { INTERNAL: 0, CLIENT: 2 } as const;
/** OpenTelemetry's SpanStatusCode numbering. */
export const STATUS = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export type AttributeValue = string | number | boolean | string[] | number[];
export type Attributes = Record<string, AttributeValue>;

export interface SpanRecord {
  /** 32 lowercase hex characters: the session's (ids.ts). */
  traceId: string;
  /** 16 lowercase hex characters, derived from what the span stands for (ids.ts). */
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: (typeof SPAN_KIND)[keyof typeof SPAN_KIND];
  /** Epoch milliseconds (fractions kept). */
  startMs: number;
  endMs: number;
  attributes: Attributes;
  events: { name: string; timeMs: number; attributes?: Attributes }[];
  links: { traceId: string; spanId: string; attributes?: Attributes }[];
  status: { code: (typeof STATUS)[keyof typeof STATUS]; message?: string };
}

/** What the read pass adds to an exchange's row for its span (facts.ts): request parameters, tool calls, content. */
export interface ExchangeExtras {
  provider: string;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  responseId?: string;
  /** Tool calls in the response, in order. */
  toolCalls: { id: string; name: string; arguments?: string }[];
  /** Tool call ids whose results this request added, with the result (content on) as capped JSON. */
  toolResults: Map<string, string | undefined>;
  /** Capped JSON strings in the conventions' shapes; only with content on. */
  content?: { input?: string; output?: string; system?: string; tools?: string };
}

export interface MappingOptions {
  /** Record prompts, replies, tool arguments and results (from the log: already redacted). */
  content?: boolean;
  /** Longest JSON string per content attribute, in characters; longer content is cut and says how much. */
  maxContent?: number;
}
