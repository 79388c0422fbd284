/**
 * Bedrock's streamed responses (`invoke-with-response-stream`, content-type
 * `application/vnd.amazon.eventstream`): AWS event-stream frames, each a `chunk` event whose JSON payload
 * `{"bytes": "<base64>"}` wraps one Anthropic stream event. This observer unwraps them and hands the inner
 * observer the same Anthropic SSE events the Messages API would have sent, so the Anthropic codec reassembles
 * the message as for any other stream.
 *
 *   bytes ──► split on each frame's total-length prelude ──► @smithy/eventstream-codec decode (CRCs checked)
 *         ──► chunk: base64 → event JSON ──► `event: <type>\ndata: <json>\n\n` ──► SSE observer
 *         ──► exception: an Anthropic `error` event carrying the exception type and message
 *
 * The frame decoder is the one the AWS SDKs use, loaded on the first Bedrock stream only (require, so it
 * costs nothing at startup and the observer stays synchronous).
 */
import { createRequire } from 'node:module';
import type { ResponseObserver, ResponseSummary } from './types.js';

interface Header {
  type: string;
  value: unknown;
}
interface FrameCodec {
  decode(frame: ArrayBufferView): { headers: Record<string, Header>; body: Uint8Array };
}

/** A frame larger than this is not a Bedrock chunk: stop decoding rather than buffer without bound. */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;
const PRELUDE_BYTES = 12;

let codec: FrameCodec | undefined;
function frameCodec(): FrameCodec {
  if (!codec) {
    // One expression, so the Bun bundle can inline it (scripts/bundle-bun.mjs).
    const { EventStreamCodec } = createRequire(import.meta.url)('@smithy/eventstream-codec') as {
      EventStreamCodec: new (toUtf8: (b: Uint8Array) => string, fromUtf8: (s: string) => Uint8Array) => FrameCodec;
    };
    codec = new EventStreamCodec(
      (b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8'),
      (s) => Buffer.from(s, 'utf8'),
    );
  }
  return codec;
}

export function isEventStream(contentType: string | null): boolean {
  return String(contentType ?? '')
    .toLowerCase()
    .includes('application/vnd.amazon.eventstream');
}

export function createEventStreamObserver(sse: ResponseObserver): ResponseObserver {
  return new EventStreamObserver(sse);
}

class EventStreamObserver implements ResponseObserver {
  private pending: Buffer = Buffer.alloc(0);
  private failed: string | undefined;
  private readonly encoder = new TextEncoder();
  /** When the chunk being written arrived (see ResponseObserver.write). */
  private writeAt: number | undefined;

  constructor(private readonly sse: ResponseObserver) {}

  write(chunk: Uint8Array, at?: number): void {
    if (this.failed !== undefined) return;
    this.writeAt = at;
    try {
      this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
      while (this.pending.length >= PRELUDE_BYTES) {
        const total = this.pending.readUInt32BE(0);
        if (total < 16 || total > MAX_FRAME_BYTES) throw new Error(`event-stream frame of ${total} bytes`);
        if (this.pending.length < total) break;
        const frame = this.pending.subarray(0, total);
        this.pending = this.pending.subarray(total);
        this.frame(frame);
      }
    } catch (e) {
      this.failed = `event-stream: ${(e as Error)?.message ?? String(e)}`;
      this.pending = Buffer.alloc(0);
    }
  }

  finish(): ResponseSummary {
    const summary = this.sse.finish();
    if (this.failed !== undefined && summary.parseError === undefined) summary.parseError = this.failed;
    else if (this.pending.length > 0 && summary.parseError === undefined)
      summary.parseError = `event-stream: ${this.pending.length} bytes of an unfinished frame`;
    return summary;
  }

  private frame(bytes: Uint8Array): void {
    const { headers, body } = frameCodec().decode(bytes);
    const messageType = String(headers[':message-type']?.value ?? 'event');
    const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
    if (messageType === 'event') {
      if (String(headers[':event-type']?.value ?? 'chunk') !== 'chunk') return;
      const payload = JSON.parse(text) as { bytes?: unknown };
      if (typeof payload.bytes !== 'string') return;
      const json = Buffer.from(payload.bytes, 'base64').toString('utf8');
      const type = (JSON.parse(json) as { type?: unknown }).type;
      this.emit(typeof type === 'string' ? type : 'message', json);
      return;
    }
    // `exception` / `error` frames: Bedrock's in-stream errors (throttling, validation, model errors).
    const errorType = String(headers[':exception-type']?.value ?? headers[':error-code']?.value ?? 'error');
    let message = String(headers[':error-message']?.value ?? '');
    try {
      message = String((JSON.parse(text) as { message?: unknown }).message ?? message);
    } catch {
      message ||= text;
    }
    this.emit('error', JSON.stringify({ type: 'error', error: { type: errorType, message } }));
  }

  private emit(event: string, json: string): void {
    this.sse.write(this.encoder.encode(`event: ${event}\ndata: ${json}\n\n`), this.writeAt);
  }
}
