/**
 * A response body held raw and read later: the agent's thread copies each chunk as it passes (a memcpy) with its
 * arrival time, and the observer (observer.ts, the one reader of provider bodies) reads them all at the exchange's
 * end where the records are written, in the capture worker (src/log/capture-client.ts). Decoding and parsing every
 * SSE event was the largest part of agenttap's work on the agent's thread per streamed exchange.
 *
 *   agent's thread: chunk ─► copy into the hold (+ arrival) ─► stream-end.ts: semantic end? ─► end record + bytes
 *   writer:         readHeld(end record, bytes) ─► the same summary and first-content time a live observer gives
 *
 * Held only where nothing on the agent's thread needs what the codec reads as it goes (the rules learn from a
 * response's usage: those exchanges are observed live), and where the end is known without the codec: a JSON body
 * ends with its bytes; an SSE stream of a known protocol at its semantic end (stream-end.ts). A hold that grows past
 * HOLD_MAX_BYTES is handed to a live observer and read from then on as the bytes come.
 */
import { isEventStream } from './eventstream.js';
import { createResponseObserver, modeFor } from './observer.js';
import { StreamEndScanner } from './stream-end.js';
import type { Endpoint, ResponseSummary } from './types.js';

/** Raw bytes held per exchange at most; past it the body is read live (a long stream, a large JSON body). */
export const HOLD_MAX_BYTES = 1024 * 1024;

/** What the reader needs besides the bytes; times are ms after the exchange's start. */
export interface HeldBody {
  endpoint: Endpoint;
  contentType: string | null;
  status: number;
  maxCaptureBytes: number;
  /** When the response's headers came. */
  startMs: number;
  /** Each chunk's end in the bytes, and when it came. */
  ends: number[];
  at: number[];
  /** The bytes, as one run; carried apart from the record where it crosses to the worker (the shared ring). */
  bytes?: Uint8Array;
}

export type HeldOptions = Omit<HeldBody, 'ends' | 'at' | 'bytes'>;

/** One exchange's body as it is held on the agent's thread. */
export class BodyHold {
  /** Grown by doubling; its first size is a slice of Node's buffer pool (below half the pool's 8 KB). */
  private bytes: Buffer = Buffer.allocUnsafe(2 * 1024);
  private length = 0;
  /** What was held before the last chunk (scanned already). */
  private seen = 0;
  private readonly ends: number[] = [];
  private readonly at: number[] = [];

  /** `scanner`: where an SSE stream ends; none for a body that ends with its bytes. */
  private constructor(
    readonly options: HeldOptions,
    private readonly scanner: StreamEndScanner | undefined,
  ) {}

  /** A hold for a body of this kind, or undefined when it cannot be held: its end is not known without reading it. */
  static for(options: HeldOptions): BodyHold | undefined {
    if (isEventStream(options.contentType)) return undefined; // Bedrock: frames around base64 events
    const mode = modeFor(options.contentType);
    if (mode === 'json') return new BodyHold(options, undefined);
    const scanner = mode === 'sse' ? StreamEndScanner.for(options.endpoint) : undefined;
    return scanner && new BodyHold(options, scanner);
  }

  /** Holds a copy of `chunk`, which came at `atMs`; false (nothing held) when the hold would grow past its limit. */
  add(chunk: Uint8Array, atMs: number): boolean {
    const end = this.length + chunk.byteLength;
    if (end > HOLD_MAX_BYTES) return false;
    if (end > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.min(HOLD_MAX_BYTES, Math.max(end, this.bytes.length * 2)));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.seen = this.length;
    this.length = end;
    this.ends.push(end);
    this.at.push(atMs);
    return true;
  }

  /** Whether the stream's semantic end is in what is held (complete with the last chunk added). */
  ended(): boolean {
    return this.scanner?.ended(this.bytes, this.seen, this.length) ?? false;
  }

  /** The held body for the end record (its bytes a copy of exactly what came: the hold's buffer is larger). */
  body(): HeldBody {
    const { endpoint, contentType, status, maxCaptureBytes, startMs } = this.options;
    const bytes = new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.length);
    return { endpoint, contentType, status, maxCaptureBytes, startMs, ends: this.ends, at: this.at, bytes };
  }

  /** Hands what is held to `write`, chunk by chunk with its arrival (ms after the exchange's start). */
  replay(write: (chunk: Uint8Array, atMs: number) => void): void {
    let from = 0;
    for (let i = 0; i < this.ends.length; i++) {
      write(this.bytes.subarray(from, this.ends[i]), this.at[i]!);
      from = this.ends[i]!;
    }
  }
}

/** What a live observer would have given for the held body: its summary and when its first content came. */
export function readHeld(held: HeldBody, bytes: Uint8Array): { summary: ResponseSummary; firstContentMs?: number } {
  let current = held.startMs;
  let firstContentMs: number | undefined;
  const observer = createResponseObserver({
    endpoint: held.endpoint,
    contentType: held.contentType,
    status: held.status,
    maxCaptureBytes: held.maxCaptureBytes,
    startedAt: held.startMs,
    onFirstContent: () => {
      firstContentMs ??= current;
    },
  });
  let from = 0;
  for (let i = 0; i < held.ends.length; i++) {
    const end = Math.min(held.ends[i]!, bytes.length);
    current = held.at[i]!;
    observer.write(bytes.subarray(from, end), current);
    from = end;
  }
  return { summary: observer.finish(), ...(firstContentMs !== undefined ? { firstContentMs } : {}) };
}
