/**
 * Public vocabulary of the mock model API: options, the server handle, what it records, scripts
 * and faults. Everything the other mock files exchange is declared here.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Which model API a request spoke. */
export type MockApi = 'anthropic' | 'anthropic-count-tokens' | 'openai-chat' | 'openai-responses';

/** Token usage in Anthropic's names; mapped onto OpenAI's names on OpenAI paths. */
export interface MockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
  /** OpenAI reasoning tokens (reported inside output tokens' details on OpenAI paths). */
  reasoning_tokens: number;
}

/** One tool call the scripted model makes. */
export interface ToolUse {
  name: string;
  input: unknown;
  /** Fixed id (`toolu_…` / `call_…`); generated when absent. */
  id?: string;
}

/**
 * One scripted assistant turn. Usually exactly one of `text`, `toolUse`, `toolUses`; `text` may
 * accompany tool uses (it is sent first). `thinking` is used only when the request enables
 * thinking (Anthropic); a default thought is used when thinking is enabled and this is absent.
 */
export interface Turn {
  text?: string;
  toolUse?: ToolUse;
  toolUses?: ToolUse[];
  thinking?: string;
}

export type Script = Turn[];

/** A tool offered by the request, normalised across the three APIs. */
export interface ToolSpec {
  name: string;
  description?: string;
  /** JSON schema of the input (Anthropic `input_schema`, OpenAI `parameters`). */
  inputSchema?: unknown;
}

/** What script functions, usage overrides and fault predicates see of a model request. */
export interface ParsedRequest {
  api: MockApi;
  /** 1-based number of this request among requests to model endpoints (reset by `reset()`). */
  n: number;
  /** Sequence number in `received` (1-based, counts every request). */
  seq: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body (undefined when it did not parse). */
  body: Record<string, unknown> | undefined;
  bodyBytes: number;
  model: string;
  stream: boolean;
  /** System prompt text (Anthropic `system`, Chat system/developer messages, Responses `instructions`). */
  system: string;
  tools: ToolSpec[];
  /** Number of assistant turns already in the conversation: which script turn answers this request. */
  turnIndex: number;
  /** Text of the last user message (tool results excluded), '' if none. */
  lastUserText: string;
  /** The request asks for extended thinking (Anthropic `thinking.type` other than 'disabled'). */
  thinking: boolean;
}

export interface ReceivedRequest {
  seq: number;
  method: string;
  /** Path without the query string. */
  path: string;
  /** The query string including '?', or ''. */
  search: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  /** JSON-parsed body, when it parses. */
  body?: unknown;
  /** Date.now() when the request arrived. */
  at: number;
  /** Date.now() at each SSE event write. */
  sentAt: number[];
  /** The label of each SSE event written, parallel to `sentAt` (event type, 'chunk' or '[DONE]'). */
  sentEvents: string[];
  /** HTTP status answered (0 until the response starts, or when the socket was destroyed first). */
  status: number;
}

interface FaultTarget {
  /** 1-based numbers of model-endpoint requests this fault applies to. */
  on?: number[];
  /** Or/and a predicate; when both are given both must match. With neither, the fault always applies. */
  when?: (req: ParsedRequest) => boolean;
}

export type StatusFault = FaultTarget & {
  kind: 'status';
  status: number;
  /** Seconds, sent as `retry-after` (fractions allowed, e.g. 0.2). */
  retryAfter?: number;
  /** Replaces the provider-shaped error JSON. A string is sent as is. */
  body?: unknown;
};
export type DisconnectFault = FaultTarget & { kind: 'disconnect'; afterEvents: number };
export type StreamErrorFault = FaultTarget & { kind: 'stream-error'; afterEvents: number; message?: string };
export type SlowFirstTokenFault = FaultTarget & { kind: 'slow-first-token'; ms: number };
export type UnknownEventFault = FaultTarget & { kind: 'unknown-event' };
export type NoContentFault = FaultTarget & { kind: 'no-content'; status?: 204 };
export type RedirectFault = FaultTarget & { kind: 'redirect'; to: string; status?: 307 | 308 };

export type Fault =
  | StatusFault
  | DisconnectFault
  | StreamErrorFault
  | SlowFirstTokenFault
  | UnknownEventFault
  | NoContentFault
  | RedirectFault;

export type ScriptFunction = (req: ParsedRequest) => Turn | undefined;

export interface MockOptions {
  /** '127.0.0.1' (default), '::1' or 'localhost'; anything else is refused. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /**
   * The scripted turns, indexed by `ParsedRequest.turnIndex`; past the end, `finalText`.
   * A function may script by request content; `undefined` from it means "the default script's turn".
   * Default: `defaultScript(request tools)`.
   */
  script?: Script | ScriptFunction;
  /** Text of the reply past the end of the script. */
  finalText?: string;
  /** Number of text deltas a text reply is split into (default 3). */
  textChunks?: number;
  /** Overrides of the reported usage (e.g. `{ input_tokens: 190000 }`). */
  usage?: Partial<MockUsage> | ((req: ParsedRequest) => Partial<MockUsage> | undefined);
  /** Delay between SSE events (default 0). */
  pacingMs?: number;
  /** Delay before the first content event (or before a non-streaming body). */
  firstTokenDelayMs?: number;
  /**
   * Gzip responses: `true` when the request's accept-encoding allows gzip, `'always'` regardless.
   */
  gzip?: boolean | 'always';
  faults?: Fault[];
  /** Reject invalid Anthropic requests with 400 (see `validateAnthropicRequest`). */
  strict?: boolean;
  /** Keep only the latest N entries in `received` (default: all; the CLI keeps 100). */
  maxReceived?: number;
  /** Request bodies above this size are answered 413 (default 64 MiB). */
  maxBodyBytes?: number;
}

export interface MockServer {
  /** http://127.0.0.1:PORT (no trailing slash). For OpenAI SDKs use `${url}/v1` as baseURL. */
  url: string;
  port: number;
  received: ReceivedRequest[];
  close(): Promise<void>;
  /** Clears `received`, the model-request counter and remembered response ids. */
  reset(): void;
}
