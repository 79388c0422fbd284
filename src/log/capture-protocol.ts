/**
 * What crosses between the agent's thread and the capture worker (src/log/capture-client.ts ↔
 * src/log/capture-worker.ts). One ordered channel carries both kinds of message, so the log keeps the order
 * in which the agent's thread produced them:
 *   write  — an event already redacted on the agent's thread (`session.start`, `tap.warning`, `session.end`)
 *   text   — a slice of the next record's request body text, for a body larger than the shared ring
 *            (one slice per turn of the agent's event loop: copying 4 MB at once is a stall of its own)
 *   record — an exchange's raw record (request, headers, response body): redacted in the worker; its request
 *            text is in the shared ring at `slot` (capture-ring.ts), or, with `textParts`, the `text` slices
 *            just before it, joined; an end record's held body (exchange/held.ts) is in the ring at `slot`
 *   flush  — write everything before it to disk, then publish `seq` in `state[FLUSHED]`
 *   skip   — nothing: in place of a message that could not be serialised (counted as lost on the agent's side)
 * A `text` crosses as itself; the others cross as JSON text, those waiting together as one array (one wake-up).
 * Raw content crosses in memory only (structured clone of strings: the body text the tap already had).
 */
import type { MessagePort } from 'node:worker_threads';
import type { RingSlot } from './capture-ring.js';
import type { ExchangeRecord } from './recorder.js';

export type ToWorker =
  | { t: 'write'; mono: number; event: string; body: Record<string, unknown> }
  | { t: 'text'; part: string }
  | { t: 'record'; mono: number; raw: ExchangeRecord; slot?: RingSlot; textParts?: number }
  | { t: 'flush'; seq: number }
  | { t: 'skip' };

/** The worker's notices for the agent's stderr (one line per warning code), on their own port. */
export type FromWorker = { t: 'notify'; message: string };

export interface CaptureWorkerData {
  /** The redaction key (in memory only, never written by the worker). */
  key: Uint8Array;
  extraPatterns?: { name: string; pattern: string; flags?: string }[];
  highEntropy?: boolean;
  blobMinBytes: number;
  sessionDir: string;
  session: string;
  /** Int32 slots, below. */
  state: SharedArrayBuffer;
  notices: MessagePort;
  /** The shared ring the request texts cross in (capture-ring.ts). */
  ring: { data: SharedArrayBuffer; state: SharedArrayBuffer };
}

/** `state` slots: the last flush done, how many messages the worker has finished, 1 once it cannot go on. */
export const FLUSHED = 0;
export const DONE = 1;
export const FAILED = 2;
export const STATE_SLOTS = 3;
