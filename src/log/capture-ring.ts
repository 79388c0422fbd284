/**
 * The body text's way to the capture worker: a fixed SharedArrayBuffer, written as UTF-8 by the agent's thread
 * (`TextEncoder.encodeInto`: a 200 KB body in ~15 µs) and read back by the worker, which frees what it read.
 * A postMessage of the same text costs 2–3 ms on the agent's thread here (the structured clone writes it into
 * freshly allocated memory, and a first touch of new pages is what costs); the ring's pages are touched once.
 *
 *   agent's thread: put(text) ──► [at, len1) + [0, len2) of the ring, `used += span` ──► a small record message
 *   worker:         view(slot) ──► the bytes where they lie … free(slot): `used -= span` (take = both, as text)
 *
 * Bounded: a text that does not fit in what is free is refused (the caller drops and counts it): the agent's
 * thread never waits for the worker and the memory never grows. One writer, one reader; the used byte count is the
 * only shared state (Atomics), positions travel in the messages, in order.
 */

/** Where a text lies in the ring: `len1` bytes at `at`, then `len2` at 0; `span` bytes to free when read. */
export interface RingSlot {
  at: number;
  len1: number;
  len2: number;
  span: number;
}

/** Int32 slot 0 of `state`: bytes written and not yet freed by the reader. */
const USED = 0;
const PAGE_BYTES = 4096;

export function createRingBuffers(bytes: number): { data: SharedArrayBuffer; state: SharedArrayBuffer } {
  return { data: new SharedArrayBuffer(bytes), state: new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT) };
}

export class RingWriter {
  private readonly bytes: Uint8Array;
  private readonly used: Int32Array;
  private readonly encoder = new TextEncoder();
  private head = 0;

  constructor(data: SharedArrayBuffer, state: SharedArrayBuffer) {
    this.bytes = new Uint8Array(data);
    this.used = new Int32Array(state);
  }

  get capacity(): number {
    return this.bytes.length;
  }

  /** Bytes the reader has not freed yet. */
  get pending(): number {
    return Atomics.load(this.used, USED);
  }

  /**
   * Writes `text`, or returns undefined when it does not fit in what is free now. Encoded straight into the free
   * space, never measured first: `Buffer.byteLength` of a 200 KB body costs more than its `encodeInto` (70-135 µs
   * vs 10-27 µs here), and the tap has already paid one such pass over it.
   */
  put(text: string): RingSlot | undefined {
    const cap = this.bytes.length;
    const used = Atomics.load(this.used, USED);
    // Everything read: start over at the front, so that a text is one run of bytes and the same pages stay in use.
    if (used === 0) this.head = 0;
    const free = cap - used;
    if (text.length > free) return undefined; // UTF-8 takes at least a byte per UTF-16 unit
    const at = this.head;
    // The free space runs from the head on, past the end to the front when it wraps; unread bytes lie beyond it.
    const first = this.encoder.encodeInto(text, this.bytes.subarray(at, Math.min(cap, at + free)));
    if (first.read === text.length) return this.taken(at, first.written, 0, first.written);
    if (at + free <= cap) return undefined;
    const second = this.encoder.encodeInto(text.slice(first.read), this.bytes.subarray(0, free - (cap - at)));
    if (first.read + second.read < text.length) return undefined;
    // Wrapped: the bytes encodeInto left unused at the end (a character that did not fit) belong to this slot too.
    return this.taken(at, first.written, second.written, cap - at + second.written);
  }

  /** Copies `bytes` in, or returns undefined when they do not fit in what is free now. */
  putBytes(bytes: Uint8Array): RingSlot | undefined {
    const cap = this.bytes.length;
    const used = Atomics.load(this.used, USED);
    if (used === 0) this.head = 0;
    if (bytes.length > cap - used) return undefined;
    const at = this.head;
    const len1 = Math.min(bytes.length, cap - at);
    this.bytes.set(len1 === bytes.length ? bytes : bytes.subarray(0, len1), at);
    if (len1 === bytes.length) return this.taken(at, len1, 0, len1);
    this.bytes.set(bytes.subarray(len1), 0);
    return this.taken(at, len1, bytes.length - len1, bytes.length);
  }

  private taken(at: number, len1: number, len2: number, span: number): RingSlot {
    this.head = (at + span) % this.bytes.length;
    Atomics.add(this.used, USED, span);
    return { at, len1, len2, span };
  }
}

export class RingReader {
  private readonly buffer: Buffer;
  private readonly used: Int32Array;
  private scratch = Buffer.alloc(0);

  constructor(data: SharedArrayBuffer, state: SharedArrayBuffer) {
    this.buffer = Buffer.from(data);
    this.used = new Int32Array(state);
  }

  /**
   * Makes every page of the ring resident, from this (the worker's) thread: the agent's thread then never pays for
   * a first touch. An atomic add of 0 writes each page without changing a byte the agent's thread may be writing.
   */
  touchPages(): void {
    const words = new Int32Array(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length >> 2);
    for (let i = 0; i < words.length; i += PAGE_BYTES >> 2) Atomics.add(words, i, 0);
  }

  /** The text in `slot`, and its bytes freed for the writer. */
  take(slot: RingSlot): string {
    const text = this.view(slot).toString('utf8');
    this.free(slot);
    return text;
  }

  /**
   * The slot's bytes where they lie (a wrapped slot copied into one reused buffer), valid until `free(slot)` gives
   * them back to the writer. The worker compares a request's bytes with its conversation's previous request without
   * making a string of them (compact.ts): a string of a 200 KB body cost ~3 ms on the bench machine, a fresh 200 KB
   * buffer ~1–2 ms (fresh pages: their first touch is what costs), a copy into memory already touched ~10 µs.
   */
  view(slot: RingSlot): Buffer {
    if (slot.len2 === 0) return this.buffer.subarray(slot.at, slot.at + slot.len1);
    const size = slot.len1 + slot.len2;
    if (this.scratch.length < size) this.scratch = Buffer.allocUnsafeSlow(size * 2);
    this.buffer.copy(this.scratch, 0, slot.at, slot.at + slot.len1);
    this.buffer.copy(this.scratch, slot.len1, 0, slot.len2);
    return this.scratch.subarray(0, size);
  }

  free(slot: RingSlot): void {
    Atomics.sub(this.used, USED, slot.span);
  }
}
