/**
 * Between the taps and the disk. Taps hand over raw facts on the agent's call stack and return at once;
 * the recorder redacts, de-duplicates and writes them a moment later (setImmediate), in order.
 *
 *   tap ──► queue (raw, in memory only) ──► redact ──► blobs ──► sink (pino)
 *                      └── on process exit: drained synchronously, then flushed
 *
 * With an `offload` on the writer (the capture worker, src/log/capture-client.ts), an exchange's records
 * leave the queue raw and are parsed, redacted and de-duplicated off the agent's thread — by another
 * Recorder running in the worker; the writer's sink sends everything else down the same ordered channel.
 *
 * The writer (sink + redactor: pino and secretlint, the slow imports) is attached when it has loaded; until then
 * records only queue, so the agent's first line never waits for it. Its loader is told of every record of the
 * process's own (`onRecord`) — a model call or a warning — never of `session.start` alone: a process that calls no
 * model loads no writer and leaves no file.
 * Fail closed for secrets: a record whose redaction throws is dropped and counted, never written raw.
 */
import type { Layer, Outcome, ResponseSummary, SdkCall } from '../exchange/types.js';
import type { EndpointMatch } from '../exchange/endpoints.js';
import { type HeldBody, readHeld } from '../exchange/held.js';
import { describeRequest } from '../exchange/request.js';
import type { Redactor } from '../policy/redact/types.js';
import { BodyCompactor } from './compact.js';
import type { EventBody, EventName } from './events.js';
import { TELL, warningLine } from './redact-events.js';
import { RedactMemo } from './redact-memo.js';
import * as sc from './semconv.js';
import type { Sink } from './sink.js';

export interface RequestRecord {
  id: string;
  layer: Layer;
  sdk?: SdkCall;
  match: EndpointMatch;
  method: string;
  url: string;
  headers: Record<string, string>;
  /**
   * The body as sent, parsed where it is written: parsing a 4 MB prompt takes ~25 ms, and a string crosses
   * to the capture worker in well under a millisecond where a parsed object takes tens.
   */
  text?: string;
  /**
   * Instead of `text`: the body's UTF-8 bytes (the capture worker copies them out of the shared ring; making a
   * string of them would cost more than reading what changed: compact.ts).
   */
  utf8?: Buffer;
  /** Instead of `text`: the body as a value (parsed JSON, the text when not JSON, a note when not kept). */
  body?: unknown;
  /** Left out by a tap that has the text: counted where the text is copied or written (not a pass of its own). */
  bodyBytes?: number;
  /** Read from the body when left out (and the URL's model for Bedrock/Vertex, docs/sdk-layer.md#model-in-the-url). */
  model?: string;
  maxTokens?: number;
  stream?: boolean;
}

export interface ResponseRecord {
  id: string;
  status: number;
  headers: Record<string, string>;
  url?: string;
  redirected?: boolean;
  ttfbMs: number;
}

export interface EndRecord {
  id: string;
  outcome: Outcome;
  durationMs: number;
  ttftMs?: number;
  summary?: ResponseSummary;
  /** Instead of `summary` and `ttftMs`: the body held raw, read where the record is written (exchange/held.ts). */
  held?: HeldBody;
  error?: { type: string; message: string };
  bytes: number;
}

export interface Writer {
  sink: Sink;
  redactor: Redactor;
  /**
   * The sink redacts `session.start` and `tap.warning` itself (redact-events.ts: in the capture worker), so they are
   * handed to it raw and the agent's thread never touches `redactor` for them.
   */
  sinkRedacts?: boolean;
  /** Takes an exchange's raw records to redact them elsewhere (the capture worker), ordered with `sink`'s writes. */
  offload?: Offload;
}

export type ExchangeRecord =
  | { kind: 'request'; record: RequestRecord }
  | { kind: 'response'; record: ResponseRecord }
  | { kind: 'end'; record: EndRecord }
  | { kind: 'rewrite'; record: EventBody<'rewrite.applied'> };

export interface Offload {
  /** Takes the record (true), or declines and the recorder writes it here (false). */
  record(raw: ExchangeRecord): boolean;
  /** Records it took but could not write (it failed); counted as dropped in `session.end`. */
  readonly lost: number;
}

export interface RecorderOptions {
  blobMinBytes: number;
  /** One line on stderr per warning code. */
  notify?: (message: string) => void;
  /** Called after each record other than a `later()` job is queued (the loader decides when to load the writer). */
  onRecord?: () => void;
}

/** Per code, how many `tap.warning` events reach the log; the rest are only counted. */
const WARNINGS_LOGGED_PER_CODE = 20;
/**
 * Warnings about what agenttap could not see, not about anything going wrong: the log only. An agent with a
 * bundled SDK (Claude Code) would otherwise print one on every run, into a terminal UI that is not ours.
 */
const LOG_ONLY = new Set(['sdk-unpatched']);

export class Recorder {
  private queue: ((writer: Writer) => void)[] = [];
  private scheduled = false;
  private writer: Writer | undefined;
  private compactor!: BodyCompactor;
  private readonly memo = new RedactMemo();
  private readonly warningCounts = new Map<string, number>();
  private recorded = false;
  exchanges = 0;
  dropped = 0;
  warnings = 0;

  constructor(private readonly options: RecorderOptions) {}

  /** Connects the writer; whatever queued meanwhile is written on the next turn of the event loop. */
  attach(writer: Writer): void {
    this.writer = writer;
    this.compactor = new BodyCompactor(this.options.blobMinBytes, (hash, content) =>
      writer.sink.write('blob', { hash, content }),
    );
    this.schedule();
  }

  get attached(): boolean {
    return this.writer !== undefined;
  }

  /** Records still waiting (for the writer, or for the next drain). */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether anything but `later()` jobs was ever queued: whether this process has a log to write. */
  get hasRecords(): boolean {
    return this.recorded;
  }

  request(record: RequestRecord): void {
    this.exchanges++;
    this.enqueue((writer) => writer.offload?.record({ kind: 'request', record }) || this.writeRequest(record, writer));
  }

  response(record: ResponseRecord): void {
    this.enqueue(
      (writer) => writer.offload?.record({ kind: 'response', record }) || this.writeResponse(record, writer),
    );
  }

  end(record: EndRecord): void {
    this.enqueue((writer) => writer.offload?.record({ kind: 'end', record }) || this.writeEnd(record, writer));
  }

  /** A rewrite decision for an exchange (its messages name rules and ids, never content; redacted anyway). */
  rewrite(record: EventBody<'rewrite.applied'>): void {
    this.enqueue((writer) => writer.offload?.record({ kind: 'rewrite', record }) || this.writeRewrite(record, writer));
  }

  /** One raw record of an exchange, as `request`/`response`/`end`/`rewrite` would take it (the worker's entry). */
  record(raw: ExchangeRecord): void {
    switch (raw.kind) {
      case 'request':
        this.request(raw.record);
        return;
      case 'response':
        this.response(raw.record);
        return;
      case 'end':
        this.end(raw.record);
        return;
      case 'rewrite':
        this.rewrite(raw.record);
        return;
    }
  }

  /**
   * A tap problem: the agent goes on; stderr hears of it once per code, the log each time (bounded). The message may
   * quote what the agent sent (an error's message names the header value it refused), so both hear it redacted, on
   * one line: the stderr line waits with the log's for the writer's redactor.
   */
  warn(code: string, message: string, exchange?: string): void {
    this.warnings++;
    const seen = (this.warningCounts.get(code) ?? 0) + 1;
    this.warningCounts.set(code, seen);
    if (seen > WARNINGS_LOGGED_PER_CODE) return;
    const tell = seen === 1 && !LOG_ONLY.has(code);
    this.enqueue(({ sink, redactor, sinkRedacts }) => {
      const at = exchange ? { exchange } : {};
      if (sinkRedacts) return sink.write('tap.warning', { code, message, ...at, ...(tell ? { [TELL]: code } : {}) });
      const redacted = redactor.text(message);
      if (tell) this.options.notify?.(warningLine(code, redacted));
      sink.write('tap.warning', { code, message: redacted, ...at });
    });
  }

  /** Queues any write (e.g. `session.start`) behind what is already queued; it alone asks for no writer. */
  later(job: (writer: Writer) => void): void {
    this.queue.push(job);
    this.schedule();
  }

  /**
   * Everything queued, now, in order. Safe to call from `process.on('exit')`: all work is synchronous. A job that
   * throws loses its own record (counted), never the ones behind it, and never reaches the agent (this runs in a
   * setImmediate of the agent's process, or in its exit).
   */
  drainSync(): void {
    const writer = this.writer;
    if (!writer) return;
    // Bounded: a job may queue a warning, which may queue nothing further (warnings are capped per code).
    for (let rounds = 0; this.queue.length > 0 && rounds < 100; rounds++) {
      const batch = this.queue;
      this.queue = [];
      for (const job of batch) {
        try {
          job(writer);
        } catch (err) {
          this.dropped++;
          // The error's name only: its message may quote the record's content, which is not redacted yet.
          this.warn(
            'record-failed',
            `a record could not be written (${(err as Error)?.name ?? 'error'}); it was dropped`,
          );
        }
      }
    }
  }

  writeSessionEnd(): void {
    const dropped = this.dropped + (this.writer?.offload?.lost ?? 0);
    this.writer?.sink.write('session.end', { exchanges: this.exchanges, dropped, warnings: this.warnings });
  }

  private enqueue(job: (writer: Writer) => void): void {
    this.recorded = true;
    this.queue.push(job);
    this.schedule();
    this.options.onRecord?.();
  }

  private schedule(): void {
    if (this.scheduled || !this.writer || this.queue.length === 0) return;
    this.scheduled = true;
    // unref'd so a pending write never keeps the agent alive; `exit` drains whatever is left.
    const immediate = setImmediate(() => {
      this.scheduled = false;
      this.drainSync();
    });
    immediate.unref();
  }

  /** Runs one record's redaction; on failure drops it (never written raw) and says so. */
  private redacted<T>(exchange: string, what: string, build: () => T): T | undefined {
    try {
      return build();
    } catch (err) {
      this.dropped++;
      this.warn(
        'redaction-failed',
        `redaction failed for the ${what} of exchange ${exchange} (${(err as Error).name}); the record was dropped`,
        exchange,
      );
      return undefined;
    }
  }

  private writeRewrite(record: EventBody<'rewrite.applied'>, { sink, redactor }: Writer): void {
    const redacted = this.redacted(String(record.exchange), 'rewrite decision', () => redactor.value(record));
    if (redacted) sink.write('rewrite.applied', redacted);
  }

  private writeRequest(r: RequestRecord, { redactor }: Writer): void {
    const { endpoint } = r.match;
    const body = this.redacted(r.id, 'request', () => {
      // From the text, only what differs from a recent request of the same conversation is parsed (compact.ts).
      const text = r.utf8 ?? r.text;
      const read =
        text === undefined
          ? { parsed: r.body, body: r.body === undefined ? undefined : this.compactor.body(endpoint, r.body, redactor) }
          : this.compactor.text(endpoint, text, redactor);
      return {
        facts: describeRequest(endpoint, read.parsed),
        headers: this.memo.headers(redactor, r.headers),
        url: this.memo.url(redactor, r.url),
        body: read.body,
      };
    });
    if (!body) return;
    const { facts } = body;
    // Bedrock and Vertex carry the model in the URL path, not the body (docs/sdk-layer.md#model-in-the-url).
    const model = r.model ?? facts.model ?? r.match.model;
    const maxTokens = r.maxTokens ?? facts.maxTokens;
    const url = this.memo.address(r.url);
    const event: EventBody<'exchange.request'> = {
      exchange: r.id,
      layer: r.layer,
      endpoint: r.match.endpoint,
      [sc.GEN_AI_PROVIDER_NAME]: r.match.provider,
      [sc.GEN_AI_OPERATION_NAME]: r.match.operation,
      ...(model !== undefined ? { [sc.GEN_AI_REQUEST_MODEL]: model } : {}),
      ...(maxTokens !== undefined ? { [sc.GEN_AI_REQUEST_MAX_TOKENS]: maxTokens } : {}),
      [sc.HTTP_REQUEST_METHOD]: r.method,
      [sc.URL_FULL]: body.url,
      [sc.SERVER_ADDRESS]: url.hostname,
      ...(url.port ? { [sc.SERVER_PORT]: Number(url.port) } : {}),
      stream: r.stream ?? facts.stream,
      headers: body.headers,
      ...(body.body !== undefined ? { body: body.body } : {}),
      body_bytes: r.bodyBytes ?? r.utf8?.length ?? Buffer.byteLength(r.text ?? ''),
      ...(r.sdk ? { sdk: r.sdk } : {}),
    };
    this.write('exchange.request', event);
  }

  private writeResponse(r: ResponseRecord, { redactor }: Writer): void {
    const redacted = this.redacted(r.id, 'response headers', () => ({
      headers: this.memo.headers(redactor, r.headers),
      url: r.url === undefined ? undefined : this.memo.url(redactor, r.url),
    }));
    if (!redacted) return;
    this.write('exchange.response', {
      exchange: r.id,
      [sc.HTTP_RESPONSE_STATUS_CODE]: r.status,
      headers: redacted.headers,
      ...(redacted.url !== undefined ? { url: redacted.url } : {}),
      ...(r.redirected ? { redirected: true } : {}),
      ttfb_ms: round(r.ttfbMs),
    });
  }

  private writeEnd(record: EndRecord, { redactor }: Writer): void {
    const r = withHeldRead(record);
    const s = r.summary;
    const { ttftMs } = r;
    const redacted = this.redacted(r.id, 'response', () => ({
      body: s?.body === undefined ? undefined : redactor.value(s.body),
      apiError: s?.error ? redactor.value(s.error) : undefined,
      error: r.error ? redactor.value(r.error) : undefined,
      // A parser's message quotes the input it stopped at (JSON.parse: up to ~10 characters; ours: a line).
      parseError: s?.parseError ? redactor.text(s.parseError) : undefined,
    }));
    if (!redacted) return;
    this.write('exchange.end', {
      exchange: r.id,
      outcome: r.outcome,
      duration_ms: round(r.durationMs),
      ...(ttftMs !== undefined ? { ttft_ms: round(ttftMs) } : {}),
      ...(redacted.body !== undefined ? { body: redacted.body } : {}),
      ...(s?.usage ? { usage: { ...s.usage } } : {}),
      ...(s?.usage?.input_tokens !== undefined ? { [sc.GEN_AI_USAGE_INPUT_TOKENS]: s.usage.input_tokens } : {}),
      ...(s?.usage?.output_tokens !== undefined ? { [sc.GEN_AI_USAGE_OUTPUT_TOKENS]: s.usage.output_tokens } : {}),
      ...(s?.responseId ? { [sc.GEN_AI_RESPONSE_ID]: s.responseId } : {}),
      ...(s?.responseModel ? { [sc.GEN_AI_RESPONSE_MODEL]: s.responseModel } : {}),
      ...(s?.stopReason ? { [sc.GEN_AI_RESPONSE_FINISH_REASONS]: [s.stopReason] } : {}),
      ...(redacted.apiError ? { api_error: redacted.apiError } : {}),
      ...(redacted.error ? { error: redacted.error, [sc.ERROR_TYPE]: redacted.error.type } : {}),
      sse_events: s?.events ?? 0,
      ...(s?.chunkMs ? { chunk_ms: s.chunkMs } : {}),
      ...(s?.unknownEvents?.length ? { unknown_events: s.unknownEvents } : {}),
      ...(s?.truncated ? { truncated: true } : {}),
      ...(redacted.parseError ? { parse_error: redacted.parseError } : {}),
      bytes: r.bytes,
    });
  }

  private write<N extends EventName>(event: N, body: EventBody<N>): void {
    this.writer?.sink.write(event, body);
  }
}

/** The end record with its held body read (its summary and first-content time, as a live observer gives them). */
export function withHeldRead(r: EndRecord): EndRecord {
  if (!r.held) return r;
  const { held, ...rest } = r;
  const read = readHeld(held, held.bytes ?? new Uint8Array(0));
  return { ...rest, summary: read.summary, ttftMs: r.ttftMs ?? read.firstContentMs };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
