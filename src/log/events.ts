/**
 * The session log's event types: one zod schema per event, versioned (`v`), exported as JSON Schema by
 * `agenttap schema` and committed under `schemas/`. Readers (reports, `agenttap cat`) depend on this file
 * only — never on the tap — so a log can be read without loading anything that patches.
 *
 * Every line of `<session>/<pid>.ndjson` is one event. Objects are open (`z.looseObject`): a newer agenttap
 * may add fields, and an older reader keeps going.
 */
import { z } from 'zod';
import * as sc from './semconv.js';

import { LOG_VERSION } from './log-version.js';

export { LOG_VERSION };

/**
 * A reference to a content-addressed blob written earlier in the same file (`blob` event). A message's blob
 * is stored without its `cache_control` markers; `$cache` puts them back (content block index → marker), so
 * an agent moving its marker every turn (Claude Code does) re-references a message instead of re-storing it.
 */
export const BlobRef = z.object({ $blob: z.string(), $cache: z.record(z.string(), z.unknown()).optional() }).strict();
export type BlobRef = z.infer<typeof BlobRef>;

/**
 * A reference to an array written as a chain of `blob`s, each `{ prefix: <hash> | null, keep?: n, items }`:
 * the array is the first `keep` elements (default: all) of the prefix's array, then `items` (src/log/blobs.ts).
 */
export const ListRef = z.object({ $list: z.string() }).strict();
export type ListRef = z.infer<typeof ListRef>;

const Headers = z.record(z.string(), z.string());

const base = {
  v: z.literal(LOG_VERSION),
  /** Wall clock, ms since epoch (pino's `time`). */
  time: z.number(),
  session: z.string(),
  pid: z.number().int(),
  ppid: z.number().int(),
  /** Monotonic clock of the writing process, ms (`performance.now()`); orders events within a process. */
  mono: z.number(),
};

export const SessionStart = z.looseObject({
  ...base,
  event: z.literal('session.start'),
  agenttap: z.string(),
  node: z.string(),
  argv: z.array(z.string()),
  cwd: z.string(),
  /** Set when this process joined a session its parent started (through NODE_OPTIONS). */
  parent_pid: z.number().int().optional(),
});

export const ExchangeRequest = z.looseObject({
  ...base,
  event: z.literal('exchange.request'),
  exchange: z.string(),
  layer: z.enum(['fetch', 'http', 'sdk', 'proxy', 'import']),
  endpoint: z.enum([
    'anthropic.messages',
    'anthropic.count_tokens',
    'anthropic.warmup',
    'openai.chat',
    'openai.responses',
    'custom',
  ]),
  [sc.GEN_AI_PROVIDER_NAME]: z.string(),
  [sc.GEN_AI_OPERATION_NAME]: z.string(),
  [sc.GEN_AI_REQUEST_MODEL]: z.string().optional(),
  [sc.GEN_AI_REQUEST_MAX_TOKENS]: z.number().optional(),
  [sc.HTTP_REQUEST_METHOD]: z.string(),
  [sc.URL_FULL]: z.string(),
  [sc.SERVER_ADDRESS]: z.string(),
  [sc.SERVER_PORT]: z.number().int().optional(),
  stream: z.boolean(),
  headers: Headers,
  /** Redacted body; `system`/`tools` may be `BlobRef`s, `messages`/`input` a `ListRef`. Absent when unreadable. */
  body: z.unknown().optional(),
  body_bytes: z.number().int(),
  /** The SDK call this HTTP attempt belongs to, when the SDK layer saw it. */
  sdk: z
    .object({ call: z.string(), client: z.string(), method: z.string(), attempt: z.number().int().positive() })
    .optional(),
});

export const ExchangeResponse = z.looseObject({
  ...base,
  event: z.literal('exchange.response'),
  exchange: z.string(),
  [sc.HTTP_RESPONSE_STATUS_CODE]: z.number().int(),
  headers: Headers,
  /** Final URL after redirects (redacted). */
  url: z.string().optional(),
  redirected: z.boolean().optional(),
  /** Time to response headers, from the request start. */
  ttfb_ms: z.number(),
});

export const Usage = z.looseObject({
  input_tokens: z.number().optional(),
  output_tokens: z.number().optional(),
  cache_read_input_tokens: z.number().optional(),
  cache_creation_input_tokens: z.number().optional(),
  reasoning_tokens: z.number().optional(),
});

export const ExchangeEnd = z.looseObject({
  ...base,
  event: z.literal('exchange.end'),
  exchange: z.string(),
  outcome: z.enum(['complete', 'cancelled', 'aborted', 'error', 'incomplete', 'interrupted']),
  duration_ms: z.number(),
  /** Time to the first content token (text, thinking, tool input), from the request start. */
  ttft_ms: z.number().optional(),
  /** The reassembled response, provider-native (Message, ChatCompletion, Response), redacted. */
  body: z.unknown().optional(),
  usage: Usage.optional(),
  [sc.GEN_AI_USAGE_INPUT_TOKENS]: z.number().optional(),
  [sc.GEN_AI_USAGE_OUTPUT_TOKENS]: z.number().optional(),
  [sc.GEN_AI_RESPONSE_ID]: z.string().optional(),
  [sc.GEN_AI_RESPONSE_MODEL]: z.string().optional(),
  [sc.GEN_AI_RESPONSE_FINISH_REASONS]: z.array(z.string()).optional(),
  /** An error the API reported (error status body, or an in-stream `error` event). */
  api_error: z.object({ type: z.string(), message: z.string() }).optional(),
  /** A network/protocol error or abort seen by the tap. */
  error: z.object({ type: z.string(), message: z.string() }).optional(),
  [sc.ERROR_TYPE]: z.string().optional(),
  sse_events: z.number().int(),
  /**
   * When each SSE event arrived: ms after the previous event, the first after the response headers (whole ms).
   * At most 4096 entries: fewer than `sse_events` means the list was cut there. Replay paces its streams by it.
   */
  chunk_ms: z.array(z.number().int().nonnegative()).optional(),
  unknown_events: z.array(z.string()).optional(),
  truncated: z.boolean().optional(),
  parse_error: z.string().optional(),
  /** Response body bytes the agent received (decoded). */
  bytes: z.number().int(),
});

export const Blob = z.looseObject({
  ...base,
  event: z.literal('blob'),
  hash: z.string(),
  content: z.unknown(),
});

/**
 * What the rewrite rules decided for one exchange: the rules that matched, the change (a compact summary),
 * estimated input tokens and input cost before and after, and whether the rewritten request was sent — not in
 * a dry run, and not when the result failed the validity check (`rejected` says why).
 */
export const RewriteApplied = z.looseObject({
  ...base,
  event: z.literal('rewrite.applied'),
  exchange: z.string(),
  dry_run: z.boolean(),
  sent: z.boolean(),
  rules: z.array(z.object({ rule: z.string(), actions: z.array(z.string()) })),
  rejected: z.array(z.string()).optional(),
  change: z.record(z.string(), z.unknown()).optional(),
  /**
   * Estimated input tokens (cached included) before and after; `basis`: scaled by what the API counted for this
   * conversation's last request (`usage`), or from the request's size alone (`size`). The actual figures are
   * the exchange's own usage, in its `exchange.end`.
   */
  tokens: z.object({ before: z.number(), after: z.number(), basis: z.enum(['usage', 'size']).optional() }).optional(),
  /** Of those, estimated prompt-cache reads and writes: a rewrite that breaks the cached prefix writes it again. */
  cache: z
    .object({
      before: z.object({ read: z.number(), write: z.number() }),
      after: z.object({ read: z.number(), write: z.number() }),
    })
    .optional(),
  /** Estimated input cost, USD, from the price table, cache reads and writes at their prices (absent for unpriced models). */
  cost: z.object({ before: z.number(), after: z.number() }).optional(),
});

export const TapWarning = z.looseObject({
  ...base,
  event: z.literal('tap.warning'),
  code: z.string(),
  message: z.string(),
  exchange: z.string().optional(),
});

/**
 * The agent's own name for an exchange, joined after the run by the API's request id: native Claude Code's
 * `query_source` from its raw-body index (`OTEL_LOG_RAW_API_BODIES=file:`), e.g. `sdk`, `compact`, `agent:…`.
 */
export const ExchangeLabel = z.looseObject({
  ...base,
  event: z.literal('exchange.label'),
  exchange: z.string(),
  /** Who gave the label: `claude-code` (its raw-body index). */
  source: z.string(),
  label: z.string(),
  request_id: z.string(),
  /** The agent's own session id, when it gives one. */
  agent_session: z.string().optional(),
});

export const SessionEnd = z.looseObject({
  ...base,
  event: z.literal('session.end'),
  exchanges: z.number().int(),
  /** Records dropped because redaction failed (never written raw). */
  dropped: z.number().int(),
  warnings: z.number().int(),
  /** Live OTLP export (`export.otlp`): spans the collector took, and spans it did not (dead, failing, too slow). */
  otlp_exported: z.number().int().optional(),
  otlp_dropped: z.number().int().optional(),
});

export const LogEvent = z.discriminatedUnion('event', [
  SessionStart,
  ExchangeRequest,
  ExchangeResponse,
  ExchangeEnd,
  Blob,
  RewriteApplied,
  TapWarning,
  ExchangeLabel,
  SessionEnd,
]);
export type LogEvent = z.infer<typeof LogEvent>;
export type EventName = LogEvent['event'];
export type EventOf<N extends EventName> = Extract<LogEvent, { event: N }>;
/**
 * What a writer supplies; the sink adds the common fields. Built key by key rather than with `Omit`: on these
 * loose objects `Omit` would fold every named field into the index signature and type it `unknown`.
 */
export type EventBody<N extends EventName, Without extends string = never> = {
  [K in keyof EventOf<N> as string extends K
    ? never
    : K extends keyof typeof base | 'event' | Without
      ? never
      : K]: EventOf<N>[K];
} & { [extra: string]: unknown };

export { isBlobRef, isListRef, resolveBlobRef } from './refs.js';
