/**
 * The response observer: fed the body bytes as they flow to the agent, it decodes them (UTF-8,
 * streaming), splits SSE with eventsource-parser and hands each event to the endpoint's codec;
 * a plain body is kept (up to the capture limit) and parsed at the end. It never throws: a
 * problem becomes `parseError` and the rest of the input is ignored.
 */
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';
import { AnthropicStreamCodec, summarizeAnthropicJson } from './anthropic.js';
import { type CodecResult, type StreamCodec, CodecContext, DEFAULT_MAX_CAPTURE_BYTES, str } from './codec.js';
import { isRecord } from './json.js';
import { createEventStreamObserver, isEventStream } from './eventstream.js';
import { summarizeOpenAIJson } from './openai.js';
import { ChatStreamCodec } from './openai-chat.js';
import { ResponsesStreamCodec } from './openai-responses.js';
import type { Endpoint, ObserverOptions, ResponseObserver, ResponseSummary } from './types.js';

export type Mode = 'sniff' | 'sse' | 'json' | 'text';

const STREAM: TextDecodeOptions = { stream: true };
/** Text kept from an SSE body before its first event, to make sense of a body that is not SSE. */
const MAX_PREFACE = 64 * 1024;
/** How much of an unlabelled body is looked at to tell SSE from JSON from text. */
const SNIFF_CHARS = 16;
/**
 * SSE events whose arrival time is kept (`exchange.end` `chunk_ms`, for `agenttap replay`'s pacing); past it the
 * list stops and `sse_events` says how many came in all.
 */
export const MAX_CHUNK_TIMES = 4096;

export function createResponseObserver(options: ObserverOptions): ResponseObserver {
  // Bedrock streams: AWS event-stream frames around Anthropic events (eventstream.ts).
  if (isEventStream(options.contentType))
    return createEventStreamObserver(new Observer({ ...options, contentType: 'text/event-stream' }));
  return new Observer(options);
}

/** How a body of this content type is read: 'json' and SSE are what a held body may be (held.ts). */
export function modeFor(contentType: string | null): Mode {
  const ct = String(contentType ?? '').toLowerCase();
  if (ct.includes('text/event-stream')) return 'sse';
  if (ct.includes('ndjson') || ct.includes('jsonl')) return 'text';
  if (ct.includes('json')) return 'json';
  if (ct === '' || ct.startsWith('text/plain') || ct.startsWith('application/octet-stream')) return 'sniff';
  return 'text';
}

/**
 * Arrival times as whole-ms gaps (the first from `start`). Each time is rounded before the gaps are taken, so
 * rounding errors do not add up along a long stream.
 */
function gaps(start: number, times: readonly number[]): number[] {
  const out: number[] = [];
  let prev = 0;
  for (const t of times) {
    const at = Math.max(prev, Math.round(t - start));
    out.push(at - prev);
    prev = at;
  }
  return out;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

class Observer implements ResponseObserver {
  private readonly endpoint: Endpoint;
  private readonly status: number;
  private readonly ctx: CodecContext;
  private readonly decoder = new TextDecoder('utf-8');
  private mode: Mode;
  private sniffed = '';
  // SSE
  private parser: EventSourceParser | undefined;
  private codec: StreamCodec | undefined;
  private events = 0;
  private preface = '';
  /** When the observer started (the response's headers) and when each SSE event arrived, `performance.now()`. */
  private readonly startedAt: number;
  /** When the chunk being parsed arrived (its first event's stamp), -1 until it has one. */
  private chunkAt = -1;
  /** When the chunk being written arrived, if the writer said (it reads chunks later than they come). */
  private writeAt: number | undefined;
  private arrivals: number[] = [];
  /** The last character fed ended in CR: the parser holds it back, waiting for a possible LF. */
  private pendingCR = false;
  /** The parser dropped an oversized event: the next one may be its tail, so a bad one is skipped. */
  private afterOverflow = false;
  // Plain bodies
  private parts: string[] = [];
  // End states
  private failed: string | undefined;
  private summary: ResponseSummary | undefined;
  /** Inside `write()`: a callback may call `finish()` from there. */
  private writing = false;

  constructor(options: ObserverOptions) {
    this.endpoint = options.endpoint;
    this.status = options.status;
    const max = options.maxCaptureBytes;
    this.ctx = new CodecContext(
      typeof max === 'number' && max >= 0 ? max : DEFAULT_MAX_CAPTURE_BYTES,
      options.onFirstContent,
      options.onSemanticEnd,
    );
    this.mode = modeFor(options.contentType);
    this.startedAt = options.startedAt ?? performance.now();
  }

  write(chunk: Uint8Array, at?: number): void {
    if (this.failed !== undefined || this.summary) return;
    this.writing = true;
    this.writeAt = at;
    try {
      if (chunk.byteLength === 0) return;
      const text = this.decoder.decode(chunk, STREAM);
      if (text) this.accept(text);
    } catch (e) {
      this.fail(e);
    } finally {
      this.writing = false;
    }
  }

  finish(): ResponseSummary {
    if (this.summary) return this.summary;
    // Called from a callback in the middle of a write (`onSemanticEnd`): the input is not over,
    // so there is nothing to flush — and the parser must not be fed from inside itself.
    if (this.failed === undefined && !this.writing) {
      try {
        const tail = this.decoder.decode();
        if (tail) this.accept(tail);
        if (this.mode === 'sniff') this.decide(true);
        // A stream ending in a bare CR: end that line (an LF after it cannot make a new one).
        if (this.pendingCR && this.mode === 'sse') this.feed('\n');
      } catch (e) {
        this.fail(e);
      }
    }
    let result: CodecResult;
    try {
      result = this.build();
    } catch (e) {
      this.fail(e);
      result = { body: undefined };
    }
    const summary: ResponseSummary = { body: result.body, events: this.events };
    if (result.usage) summary.usage = result.usage;
    if (result.stopReason !== undefined) summary.stopReason = result.stopReason;
    if (result.responseId !== undefined) summary.responseId = result.responseId;
    if (result.responseModel !== undefined) summary.responseModel = result.responseModel;
    if (result.error) summary.error = result.error;
    if (this.ctx.unknownEvents) summary.unknownEvents = this.ctx.unknownEvents.slice();
    if (this.ctx.budget.truncated) summary.truncated = true;
    if (this.arrivals.length > 0) summary.chunkMs = gaps(this.startedAt, this.arrivals);
    if (this.failed !== undefined) summary.parseError = this.failed;
    // Let go of the parser and buffers; the summary is all that is left.
    this.parser = undefined;
    this.codec = undefined;
    this.parts = [];
    this.arrivals = [];
    this.summary = summary;
    return summary;
  }

  private fail(e: unknown): void {
    this.failed ??= errorText(e);
    this.parser = undefined;
  }

  private accept(text: string): void {
    switch (this.mode) {
      case 'sse':
        this.feed(text);
        return;
      case 'sniff':
        this.sniffed += text;
        this.decide(false);
        return;
      default:
        this.keep(text);
    }
  }

  /** Tells an unlabelled body's kind from its first characters, then replays them. */
  private decide(final: boolean): void {
    const head = this.sniffed.trimStart();
    if (!final && head.length < SNIFF_CHARS && this.sniffed.length < 1024) return;
    if (/^(?:event|data|id|retry):|^:/.test(head)) this.mode = 'sse';
    else if (head.startsWith('{') || head.startsWith('[')) this.mode = 'json';
    else this.mode = 'text';
    const buffered = this.sniffed;
    this.sniffed = '';
    if (buffered) this.accept(buffered);
  }

  // ----- plain bodies ------------------------------------------------------------------------

  private keep(text: string): void {
    const kept = this.ctx.budget.take(text);
    if (kept) this.parts.push(kept);
  }

  // ----- SSE ---------------------------------------------------------------------------------

  private feed(text: string): void {
    if (this.events === 0 && this.preface.length < MAX_PREFACE) {
      this.preface +=
        text.length <= MAX_PREFACE - this.preface.length ? text : text.slice(0, MAX_PREFACE - this.preface.length);
    }
    let parser = this.parser;
    if (!parser) {
      parser = this.parser = createParser({
        onEvent: (event) => this.onEvent(event),
        onError: (error) => this.onParserError(error),
        // One event may be as large as the content it carries (`response.completed`), no larger.
        maxBufferSize: this.ctx.budget.max * 2 + 1024 * 1024,
      });
    }
    this.chunkAt = -1; // stamped at this chunk's first event: every event in it arrived then
    parser.feed(text);
    this.pendingCR = text.charCodeAt(text.length - 1) === 13;
  }

  private onParserError(error: ParseError): void {
    if (error.type !== 'max-buffer-size-exceeded') return; // unknown fields, bad `retry:` lines
    this.ctx.budget.truncated = true;
    this.afterOverflow = true;
    this.parser?.reset();
  }

  private onEvent(event: EventSourceMessage): void {
    if (this.failed !== undefined || this.summary) return;
    if (this.events++ === 0) this.preface = '';
    if (this.arrivals.length < MAX_CHUNK_TIMES) {
      if (this.chunkAt < 0) this.chunkAt = this.writeAt ?? performance.now();
      this.arrivals.push(this.chunkAt);
    }
    // As the SDKs: an event without data carries nothing.
    if (event.data === '') return;
    this.codec ??= this.codecFor(event);
    const codec = this.codec;
    if (!this.afterOverflow) {
      codec.onEvent(event.event, event.data);
      return;
    }
    this.afterOverflow = false;
    try {
      codec.onEvent(event.event, event.data);
    } catch {
      // The tail of the dropped event.
    }
  }

  private codecFor(first: EventSourceMessage): StreamCodec {
    switch (this.endpoint) {
      case 'anthropic.messages':
      case 'anthropic.count_tokens':
        return new AnthropicStreamCodec(this.ctx);
      case 'openai.chat':
        return new ChatStreamCodec(this.ctx);
      case 'openai.responses':
        return new ResponsesStreamCodec(this.ctx);
      default:
        return this.guessCodec(first);
    }
  }

  /** A custom endpoint: the first event tells which protocol it speaks. */
  private guessCodec(first: EventSourceMessage): StreamCodec {
    let data: unknown;
    try {
      data = JSON.parse(first.data);
    } catch {
      data = undefined;
    }
    const type = (isRecord(data) ? str(data.type) : undefined) ?? first.event ?? '';
    if (
      type === 'message_start' ||
      type === 'ping' ||
      type.startsWith('content_block_') ||
      type.startsWith('message_')
    ) {
      return new AnthropicStreamCodec(this.ctx);
    }
    if (type.startsWith('response.')) return new ResponsesStreamCodec(this.ctx);
    if (isRecord(data) && (data.object === 'chat.completion.chunk' || Array.isArray(data.choices))) {
      return new ChatStreamCodec(this.ctx);
    }
    return new GenericStreamCodec(this.ctx);
  }

  // ----- the summary -------------------------------------------------------------------------

  private build(): CodecResult {
    let result: CodecResult;
    if (this.mode === 'sse') {
      if (this.codec) result = this.codec.result();
      else result = this.notStreamed(this.preface);
    } else if (this.mode === 'json' || this.mode === 'text') {
      result = this.plain(this.parts.join(''));
    } else {
      result = { body: undefined };
    }
    if (this.status >= 400 && !result.error) {
      const body = result.body;
      const message = typeof body === 'string' ? body.slice(0, 1000) : `HTTP ${this.status}`;
      result.error = { type: `http_${this.status}`, message };
    }
    return result;
  }

  /** An SSE-labelled body without a single event: maybe a JSON error; otherwise a parse error. */
  private notStreamed(text: string): CodecResult {
    if (text.trim() === '') return { body: undefined };
    const result = this.plain(text);
    if (typeof result.body === 'string') this.failed ??= 'no server-sent events in a text/event-stream body';
    return result;
  }

  private plain(text: string): CodecResult {
    if (text.trim() === '') return { body: undefined };
    const looksJson = this.mode === 'json' || /^\s*[[{]/.test(text);
    if (!looksJson) return { body: text };
    if (this.ctx.budget.truncated) return { body: undefined }; // cut JSON: nothing to parse
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (e) {
      if (this.mode === 'json') this.failed ??= `invalid JSON body: ${errorText(e)}`;
      return { body: text };
    }
    return this.summarizeJson(body);
  }

  private summarizeJson(body: unknown): CodecResult {
    switch (this.endpoint) {
      case 'anthropic.messages':
      case 'anthropic.count_tokens':
        return summarizeAnthropicJson(body);
      case 'openai.chat':
      case 'openai.responses':
        return summarizeOpenAIJson(body);
      default: {
        const type = isRecord(body) ? body.type : undefined;
        return type === 'message' || type === 'error' ? summarizeAnthropicJson(body) : summarizeOpenAIJson(body);
      }
    }
  }
}

/** A custom endpoint's stream in no known protocol: the events' data, parsed when it is JSON. */
class GenericStreamCodec implements StreamCodec {
  private readonly events: { event?: string; data: unknown }[] = [];

  constructor(private readonly ctx: CodecContext) {}

  onEvent(eventName: string | undefined, data: string): void {
    if (data === '[DONE]') {
      this.ctx.semanticEnd();
      return;
    }
    if (!this.ctx.budget.reserve(data.length)) return;
    let parsed: unknown = data;
    try {
      parsed = JSON.parse(data);
    } catch {
      // Kept as text.
    }
    this.events.push(eventName === undefined ? { data: parsed } : { event: eventName, data: parsed });
  }

  result(): CodecResult {
    return { body: this.events };
  }
}
