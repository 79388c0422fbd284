/**
 * When a record wakes the capture worker (src/log/capture-client.ts). Each message to the worker wakes it, and on a
 * busy machine what costs is not the wake-up itself but the worker's work right after one, its code and data cold in
 * the caches. A record that may wait crosses with the next message that wakes the worker, or within LAZY_MS:
 *
 * - a request (its text is in the shared ring already), a response's headers and a rewrite decision wait;
 * - an exchange's end wakes the worker, so that a finished call is on disk before the next one is under way (a SIGKILL
 *   loses only calls in flight), unless it comes within BURST_MS of the previous end: calls in quick succession (a
 *   fast loop, sub-agents at once) cross together. On the bench's 50-turn session (an exchange every ~11 ms), one
 *   message per ~20 exchanges instead of one per exchange took the worker's CPU per exchange from ~1.6 to ~1.0 ms;
 * - nothing waits once the ring is half full or LAZY_MAX_WAITING messages wait, nor does a request of EAGER_CHARS or
 *   more (long work for the worker: better done while the model reads it).
 */
import { performance } from 'node:perf_hooks';
import type { ExchangeRecord } from './recorder.js';

/** A request text of this many characters or more wakes the worker at once. */
export const EAGER_CHARS = 1024 * 1024;
/** How long a record may wait for the next message to the worker. */
export const LAZY_MS = 250;
/** Messages waiting at most (each one's JSON is in memory, an end's up to LARGE_RESPONSE_BYTES). */
export const LAZY_MAX_WAITING = 64;
/** An end within this long of the previous one is part of a burst. */
export const BURST_MS = 50;

export class Pacing {
  private lastEnd = Number.NEGATIVE_INFINITY;

  /** Whether `raw` may wait; asked once per record handed over, in order. `chars`: a request's text length. */
  mayWait(raw: ExchangeRecord, chars = 0): boolean {
    if (raw.kind === 'request') return chars < EAGER_CHARS;
    if (raw.kind !== 'end') return true;
    const now = performance.now();
    const burst = now - this.lastEnd < BURST_MS;
    this.lastEnd = now;
    return burst;
  }

  /** Whether what may wait still can: the ring less than half full, not too many messages waiting. */
  roomToWait(ring: { pending: number; capacity: number }, waiting: number): boolean {
    return ring.pending * 2 < ring.capacity && waiting <= LAZY_MAX_WAITING;
  }
}
