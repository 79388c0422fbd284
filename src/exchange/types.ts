/**
 * The shared vocabulary of agenttap: what an exchange is, independent of the layer that saw it
 * (fetch, http, SDK) and of the provider that served it. Taps produce these; codecs fill the
 * response side; the log sink serialises them; reports read them back through `src/log/events.ts`.
 */

export type Provider = 'anthropic' | 'openai' | 'unknown';

/** Which API an exchange talks to; decides the request parser and the response codec. */
export type Endpoint =
  | 'anthropic.messages'
  | 'anthropic.count_tokens'
  /** `HEAD /` of the Anthropic base URL: a connection warm-up (Claude Code 2.x), no body either way. */
  | 'anthropic.warmup'
  | 'openai.chat'
  | 'openai.responses'
  /** A host/path the user added in config: captured, but reassembled only as generic JSON/SSE. */
  | 'custom';

/** What saw the HTTP attempt: a way out of the agent's process, or `agenttap proxy` in front of it. */
/** `import`: read afterwards from files the agent wrote itself (`agenttap import`), not seen on the way out. */
export type Layer = 'fetch' | 'http' | 'sdk' | 'proxy' | 'import';

/** The SDK call an HTTP attempt belongs to (set when the SDK layer saw the call; retries share `call`). */
export interface SdkCall {
  /** Unique within the session: every attempt of one SDK call carries the same id. */
  call: string;
  /** e.g. `anthropic`, `anthropic-bedrock`, `anthropic-vertex`, `openai`. */
  client: string;
  /** e.g. `messages.create`, `beta.messages.stream`, `chat.completions.create`, `responses.create`. */
  method: string;
  /** 1 for the first HTTP attempt of the call, 2 for its first retry, … */
  attempt: number;
}

/** Token usage normalised across providers (Anthropic names; OpenAI's are mapped onto them). */
export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  /** OpenAI reasoning tokens (a part of output_tokens). */
  reasoning_tokens?: number;
}

/** An error reported by the API: an error status with a JSON body, or an in-stream `error` event. */
export interface ApiError {
  type: string;
  message: string;
}

/**
 * What a codec makes of a response, streamed or not. `body` is the provider-native non-streaming
 * equivalent — an Anthropic `Message`, an OpenAI `ChatCompletion`, a Responses API `Response` —
 * so it can be compared with what the SDK handed to the agent.
 */
export interface ResponseSummary {
  body: unknown;
  usage?: Usage;
  stopReason?: string;
  responseId?: string;
  responseModel?: string;
  error?: ApiError;
  /** SSE events seen (0 for a plain response). */
  events: number;
  /** Event types the codec does not know; they were passed through untouched. */
  unknownEvents?: string[];
  /** Content was cut at the capture limit; the agent still received everything. */
  truncated?: boolean;
  /** Parsing failed; the agent still received everything. */
  parseError?: string;
  /** Each SSE event's arrival, ms after the previous one (the first: after the response headers); capped. */
  chunkMs?: number[];
}

export interface ObserverOptions {
  endpoint: Endpoint;
  /** The response's content-type header ('text/event-stream' → SSE, otherwise JSON or text). */
  contentType: string | null;
  status: number;
  /** Called once, when the first content token (text, thinking, tool input, refusal) arrives. */
  onFirstContent?: () => void;
  /** Called once, at the semantic end of a stream: `message_stop`, `[DONE]`, `response.completed`. */
  onSemanticEnd?: () => void;
  /** Bytes of reassembled content to keep before `truncated` is set. */
  maxCaptureBytes?: number;
  /** When the response's headers came, on the clock of `write`'s `at` (a held body: held.ts); else now. */
  startedAt?: number;
}

/**
 * Sees a response body as it flows to the agent. Fed already-decoded bytes (no gzip), in order;
 * never throws (a parse problem lands in `parseError`); never holds more than the reassembled content.
 */
export interface ResponseObserver {
  /** `at`: when the chunk arrived (`performance.now()`), when it is read later than that; else now. */
  write(chunk: Uint8Array, at?: number): void;
  /** May be called once, after the last write (or instead of it, on cancel/error). */
  finish(): ResponseSummary;
}

/** Request facts every exchange carries (parsed from the body by `describeRequest`). */
export interface RequestFacts {
  model?: string;
  stream: boolean;
  maxTokens?: number;
  messages?: number;
  tools?: number;
}

/** How an exchange ended. Exactly one per exchange. */
export type Outcome =
  /** The body was read to its end (or the response had none). */
  | 'complete'
  /** The consumer cancelled the body (break out of a loop, `controller.abort()` after headers). */
  | 'cancelled'
  /** The request was aborted through its signal before or during the response. */
  | 'aborted'
  /** A network or protocol error. */
  | 'error'
  /** The process exited with the response still open. */
  | 'incomplete'
  /** A signal (SIGINT, SIGTERM) ended the process with the response still open. */
  | 'interrupted';
