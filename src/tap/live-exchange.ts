/**
 * One HTTP attempt in flight, whichever tap saw it. Owns the lifecycle the log promises:
 *
 *   0 rules    — the rewrite rules' decision on this attempt, logged with its id (before its request)
 *   1 request  — recorded when the attempt starts
 *   2 response — the body is held or observed from when headers arrive; the record is made then, or (fetch) on
 *                the next turn of the event loop, always before step 4
 *   3 chunks   — as the agent reads them: copied into the hold, which the codec reads where the end record is
 *                written (src/exchange/held.ts: off the agent's thread); or, where the hold cannot serve (the rules
 *                learn from the usage, Bedrock's frames, a custom stream, a body past the hold's limit), fed to the
 *                codec here
 *   4 end      — exactly once: body end, semantic end (`message_stop`, `[DONE]`), cancel, abort, error,
 *                or process exit (`incomplete`); later calls are ignored; the response's usage goes back to the
 *                rules that decided step 0
 */
import { performance } from 'node:perf_hooks';
import type { EndpointMatch } from '../exchange/endpoints.js';
import { BodyHold } from '../exchange/held.js';
import { createResponseObserver } from '../exchange/observer.js';
import type { Layer, Outcome, ResponseObserver, ResponseSummary, SdkCall, Usage } from '../exchange/types.js';
import type { RulesOutcome } from '../policy/rewrite/wire.js';
import type { TapContext } from './context.js';
import { safely, warnSafely } from './safely.js';

export interface AttemptStart {
  layer: Layer;
  match: EndpointMatch;
  method: string;
  url: string;
  headers: Record<string, string>;
  /** The SDK call this attempt belongs to, when the SDK layer saw the call. */
  sdk?: SdkCall;
}

/** What a response's record carries besides its status and headers. */
type ResponseExtra = { url?: string; redirected?: boolean };

export class LiveExchange {
  readonly id: string;
  private readonly t0: number;
  private observer: ResponseObserver | undefined;
  /** The body held for the codec to read later, or undefined when it is observed here (`observer`). */
  private hold: BodyHold | undefined;
  private firstTokenMs: number | undefined;
  private semanticEnd = false;
  private bytes = 0;
  private finished = false;
  /** Undone at step 4: what the exchange hooked onto the agent's objects (e.g. an abort listener). */
  private readonly cleanups: (() => void)[] = [];
  /** Told the response's usage when it ends (the rewrite rules learn from it). */
  private onUsage: ((usage: Usage) => void) | undefined;
  /** The response's record, not made yet (respondedSoon). */
  private pendingResponse: (() => void) | undefined;
  /** Chunks the agent has that the codec has not seen yet (chunkSoon), with when each came. */
  private readonly unobserved: { bytes: Uint8Array; at: number }[] = [];
  /** When the chunk the codec is reading came. */
  private chunkAt = 0;

  constructor(
    private readonly ctx: TapContext,
    private readonly start: AttemptStart,
    /** When the attempt began (`performance.now()`), if before this object was made. */
    t0: number = performance.now(),
  ) {
    this.t0 = t0;
    this.id = ctx.nextExchangeId();
    ctx.open.add(this);
  }

  /**
   * Step 0: the rules' outcome for this attempt, whichever layer decided it (the SDK layer on a platform call's
   * params, or the tap itself on the wire). What it changes in the request is the caller's to send (applyOutcome).
   */
  ruled(outcome: Omit<RulesOutcome, 'send'> | undefined): void {
    if (!outcome) return;
    if (outcome.event)
      safely(
        this.ctx.warn,
        'rules-failed',
        () => this.ctx.recorder.rewrite({ exchange: this.id, ...outcome.event! }),
        undefined,
      );
    this.onUsage = outcome.settle;
  }

  /**
   * Step 1. `text` is the request body as sent (undefined when it could not be read); `bodyBytes` its size, left out
   * when the text is what was sent: then counted when it is copied for the worker (capture-client.ts), not by a
   * pass of its own over the text on the agent's thread.
   */
  requested(text: string | undefined, bodyBytes?: number): void {
    // The text goes as it is: the recorder parses it off the agent's thread (model, max tokens, stream too).
    safely(
      this.ctx.warn,
      'request-capture-failed',
      () => {
        const kept = text === undefined || text.length <= this.ctx.maxBodyBytes;
        this.ctx.recorder.request({
          id: this.id,
          ...this.start,
          ...(kept
            ? { text }
            : { body: `[agenttap: body of ${text.length} characters not kept (capture.maxBodyBytes)]` }),
          bodyBytes: bodyBytes ?? (kept ? undefined : Buffer.byteLength(text)),
        });
      },
      undefined,
    );
  }

  /** Step 2. */
  responded(status: number, headers: Record<string, string>, extra: ResponseExtra = {}): void {
    const ttfbMs = performance.now() - this.t0;
    this.observeBody(status, headers['content-type'] ?? null);
    this.recordResponse(status, () => headers, extra, ttfbMs);
  }

  /**
   * Step 2 for a response the agent is about to read (fetch): the body's observer now, the response's record (its
   * headers read and flattened, ~50 µs here) on the next turn of the event loop, or at the exchange's end if that
   * comes first — the agent's first chunk, often already in the socket's buffer, does not wait for it.
   */
  respondedSoon(
    status: number,
    contentType: string | null,
    headers: () => Record<string, string>,
    extra: ResponseExtra = {},
  ): void {
    const ttfbMs = performance.now() - this.t0;
    this.observeBody(status, contentType);
    this.pendingResponse = () => this.recordResponse(status, headers, extra, ttfbMs);
    setImmediate(() => this.recordPendingResponse()).unref();
  }

  private recordPendingResponse(): void {
    const record = this.pendingResponse;
    this.pendingResponse = undefined;
    record?.();
  }

  private recordResponse(
    status: number,
    headers: () => Record<string, string>,
    extra: ResponseExtra,
    ttfbMs: number,
  ): void {
    safely(
      this.ctx.warn,
      'response-capture-failed',
      () => this.ctx.recorder.response({ id: this.id, status, headers: headers(), ...extra, ttfbMs }),
      undefined,
    );
  }

  private observeBody(status: number, contentType: string | null): void {
    safely(
      this.ctx.warn,
      'response-capture-failed',
      () => {
        const { endpoint } = this.start.match;
        const startMs = performance.now() - this.t0;
        const maxCaptureBytes = this.ctx.maxBodyBytes;
        this.hold = this.onUsage
          ? undefined
          : BodyHold.for({ endpoint, contentType, status, maxCaptureBytes, startMs });
        if (!this.hold) this.observeLive(status, contentType);
      },
      undefined,
    );
  }

  private observeLive(status: number, contentType: string | null, startedAt?: number): void {
    safely(
      this.ctx.warn,
      'response-capture-failed',
      () => {
        this.observer = createResponseObserver({
          startedAt,
          endpoint: this.start.match.endpoint,
          contentType,
          status,
          maxCaptureBytes: this.ctx.maxBodyBytes,
          onFirstContent: () => {
            this.firstTokenMs ??= this.chunkAt - this.t0;
          },
          onSemanticEnd: () => {
            this.semanticEnd = true;
          },
        });
      },
      undefined,
    );
  }

  /** Step 3: a decoded body chunk, on its way to the agent. */
  chunk(bytes: Uint8Array): void {
    if (this.finished) return;
    this.bytes += bytes.byteLength;
    if (this.held(bytes, false)) return;
    this.observeChunk(bytes, performance.now());
  }

  /**
   * Holds a copy of the chunk when the body is held (true): at its semantic end, the exchange ends — now, or (`soon`:
   * the agent gets this chunk after we return) on the next turn of the event loop, an end before that complete too.
   * A hold that would grow past its limit is handed to a live observer first (false: the caller observes this chunk).
   */
  private held(bytes: Uint8Array, soon: boolean): boolean {
    const hold = this.hold;
    if (!hold) return false;
    // Per chunk: one guard around both steps (as `safely`, without its two closures per chunk on the agent's thread).
    let kept = false;
    let ended = false;
    try {
      kept = hold.add(bytes, performance.now() - this.t0);
      ended = kept && !this.semanticEnd && hold.ended();
    } catch (err) {
      warnSafely(this.ctx.warn, 'codec-failed', err);
    }
    if (kept) {
      if (ended) {
        this.semanticEnd = true;
        if (soon) setImmediate(() => this.finish('complete')).unref();
        else this.finish('complete');
      }
      return true;
    }
    this.hold = undefined;
    const { contentType, status, startMs } = hold.options;
    this.observeLive(status, contentType, this.t0 + startMs);
    // Through observeChunk: the first token's time is its chunk's arrival (a semantic end in there ends it).
    hold.replay((chunk, atMs) => this.observeChunk(chunk, this.t0 + atMs));
    return this.finished;
  }

  /**
   * Step 3 for a chunk the agent gets at once (fetch): observed on the next turn of the event loop, or at the
   * exchange's end if that comes first, so the agent's first token does not wait for the codec. A copy: the agent
   * may reuse or transfer its buffer. Its arrival time goes with it (the first token's time is when it came).
   */
  chunkSoon(bytes: Uint8Array): void {
    if (this.finished) return;
    this.bytes += bytes.byteLength;
    if (this.held(bytes, true)) return;
    const copy = Uint8Array.prototype.slice.call(bytes);
    if (this.unobserved.push({ bytes: copy, at: performance.now() }) === 1)
      setImmediate(() => this.observePending()).unref();
  }

  private observePending(): void {
    if (this.unobserved.length === 0) return;
    for (const { bytes, at } of this.unobserved.splice(0)) this.observeChunk(bytes, at);
  }

  private observeChunk(bytes: Uint8Array, at: number): void {
    if (this.finished) return;
    this.chunkAt = at;
    safely(this.ctx.warn, 'codec-failed', () => this.observer?.write(bytes, at), undefined);
    // Consumers may stop reading right at the semantic end and never cancel (openai stops at [DONE]).
    if (this.semanticEnd) this.finish('complete');
  }

  /** Runs `undo` when the exchange finishes (now, if it already has). */
  untilFinished(undo: () => void): void {
    if (this.finished) safely(this.ctx.warn, 'finish-failed', undo, undefined);
    else this.cleanups.push(undo);
  }

  /** Step 4, exactly once. */
  finish(outcome: Outcome, error?: unknown): void {
    if (this.finished) return;
    // What the agent already has comes first: its semantic end, if in there, is the exchange's real end.
    this.observePending();
    if (this.finished) return;
    if (this.hold && this.semanticEnd) [outcome, error] = ['complete', undefined];
    this.finished = true;
    this.ctx.open.delete(this);
    this.recordPendingResponse();
    if (this.cleanups.length > 0)
      for (const undo of this.cleanups.splice(0)) safely(this.ctx.warn, 'finish-failed', undo, undefined);
    safely(
      this.ctx.warn,
      'finish-failed',
      () => {
        const summary: ResponseSummary | undefined = this.observer?.finish();
        const held = this.hold?.body();
        this.hold = undefined;
        this.ctx.recorder.end({
          id: this.id,
          outcome,
          durationMs: performance.now() - this.t0,
          ttftMs: this.firstTokenMs,
          summary,
          ...(held ? { held } : {}),
          error: error === undefined ? undefined : describeError(error),
          bytes: this.bytes,
        });
        if (summary?.usage && this.onUsage) this.onUsage(summary.usage);
      },
      undefined,
    );
  }
}

export function describeError(error: unknown): { type: string; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const cause = (error as { cause?: { message?: unknown } }).cause;
    const causeText = typeof cause?.message === 'string' ? ` (${cause.message})` : '';
    return { type: typeof code === 'string' ? code : error.name, message: `${error.message}${causeText}` };
  }
  return { type: 'unknown', message: String(error) };
}

export function isAbortError(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  const code = (error as { code?: unknown })?.code;
  return name === 'AbortError' || code === 'ABORT_ERR' || code === 'UND_ERR_ABORTED';
}
