/**
 * The agent's side of the capture worker (src/log/capture-worker.ts): a Sink and an Offload for the
 * recorder, so parsing, hashing, de-duplication, redaction (a 4 MB prompt: ~200 ms of secretlint and our
 * patterns) and writing of an exchange's records run off the agent's thread. The hand-off is the body text
 * the tap already had (never a parsed object: a structured clone of one costs more than the text), copied into
 * a shared ring (capture-ring.ts: ~15 µs for 200 KB, where a postMessage of it costs 2–3 ms); only a text
 * larger than the whole ring crosses by postMessage, in 64 KB slices, one per turn of the agent's loop.
 *
 * Backpressure: when the worker is so far behind that the ring has no room for a body, the exchange's records
 * are dropped and counted (`session.end.dropped`, one `tap.warning` in the log): the agent's thread never
 * waits and memory never grows.
 *
 *   idle ──(first exchange record: the first model call)──► worker ──(it failed)──► local
 *     └──(exit with no model call: the buffered writes)──────────────────────────► local
 *
 *   idle    writes (`session.start`, warnings) wait in memory; a process that never calls a model never
 *           starts a thread.
 *   worker  writes and raw records go down one port, in the order they came (an outbox keeps that order
 *           while a large body crosses in slices); `flushSync` (process exit,
 *           where no promise settles) posts `flush` and waits on a SharedArrayBuffer with `Atomics.wait`
 *           until the worker has written everything before it — at most EXIT_WAIT_MS (the way pino's
 *           thread-stream flushes synchronously).
 *   local   the main-thread sink; exchange records are declined and the recorder redacts them here.
 *
 * The worker is unref'd (it never keeps the agent alive), gets neither our `--import` nor a preload in
 * NODE_OPTIONS (docs/preload.md#workers-and-children, STYLE #15), and its stdout/stderr are not the agent's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { LAZY_MS, Pacing } from './capture-pacing.js';
import { createRingBuffers, RingWriter } from './capture-ring.js';
import {
  DONE,
  FAILED,
  FLUSHED,
  STATE_SLOTS,
  type CaptureWorkerData,
  type FromWorker,
  type ToWorker,
} from './capture-protocol.js';
import type { EventBody, EventName } from './events.js';
import { type EndRecord, type ExchangeRecord, type Offload, withHeldRead } from './recorder.js';
import type { Sink } from './sink.js';
import { withoutPreload } from './without-preload.js';

export { withoutPreload };

/** How long exit may wait for the worker to write what it holds (a backlog of several 4 MB prompts). */
export const EXIT_WAIT_MS = 5000;
/**
 * Body text sent per turn of the agent's event loop. Copying a string into a message costs like any copy:
 * 4 MB at once measured 70-150 ms on a loaded 2-core machine, a stall as bad as redacting it.
 */
export const SLICE_CHARS = 64 * 1024;
/**
 * The shared ring's size: two 4 MB prompts waiting for the worker, or forty of 200 KB. The worker touches its
 * pages once at its start (a first touch of a page is what makes a copy slow); a body that does not fit in what
 * is free crosses in slices.
 */
export const RING_BYTES = 8 * 1024 * 1024;
/** Body text sent in slices and not yet read by the worker, at most: beyond it, an exchange is dropped and counted. */
export const MAX_SLICED_CHARS = 64 * 1024 * 1024;
/**
 * The worker's young generation, at most: V8's default lets it grow to tens of MB, so that each exchange's short-lived
 * objects land on memory not touched for a while (cold in the caches, or not yet mapped: a page fault). Bounded, the
 * same few MB are reused: the worker's CPU per exchange fell ~20% on Node 20 and ~25% on 24 on the bench's 50-turn
 * session, with 4 MB prompts no slower and peak RSS ~20 MB lower (large strings live outside the young generation).
 */
export const WORKER_YOUNG_GENERATION_MB = 6;
/**
 * A response of more bytes than this has its end record cross as itself (one structured clone), not as JSON text in
 * the batch: the JSON, the batch around it, the clone of that text and the worker's parse were four copies of what
 * the capture kept (a 4 MiB-capped 50 MB stream: ~13 MB more peak RSS, tests/faults/upstream.test.ts).
 */
export const LARGE_RESPONSE_BYTES = 64 * 1024;

/** A record to post as itself: an exchange's end whose response was large (and read here: not held in the ring). */
const isLarge = (m: ToWorker) =>
  m.t === 'record' && m.raw.kind === 'end' && !m.raw.record.held && m.raw.record.bytes > LARGE_RESPONSE_BYTES;

export interface CaptureClientOptions {
  data: Omit<CaptureWorkerData, 'state' | 'notices' | 'ring'>;
  /** The sink on the agent's thread, opened only when the worker is not used. */
  openLocalSink: () => Sink;
  notify: (message: string) => void;
  exitWaitMs?: number;
  /** The shared ring's size and the most text in slices not yet read by the worker (tests). */
  ringBytes?: number;
  maxSlicedChars?: number;
  /** The worker's entry (tests); by default the compiled capture-worker.js beside this module. */
  entry?: URL;
}

export interface CaptureClient {
  sink: Sink;
  offload: Offload;
  /** 'idle' | 'worker' | 'local', for tests and debug lines. */
  readonly mode: string;
}

export function createCaptureClient(options: CaptureClientOptions): CaptureClient {
  return new WorkerClient(options);
}

/** What waits to be sent: a message, or a record already serialised. */
type Queued = ToWorker | { t: 'json'; kind: ToWorker['t']; json: string };

const mono = () => Math.round(performance.now() * 1000) / 1000;

/** The client's states and steps; `sink` and `offload` are its faces for the recorder. */
class WorkerClient implements CaptureClient {
  private readonly entry: URL;
  private readonly state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  mode: 'idle' | 'worker' | 'local' = 'idle';
  /** In order: what the worker has not been sent yet (idle: everything; worker: what waits for the pump). */
  private outbox: Queued[] = [];
  private pumping = false;
  private worker: Worker | undefined;
  private notices: MessagePort | undefined;
  private local: Sink | undefined;
  private posted = 0;
  private lost = 0;
  private flushes = 0;
  private warnedSlow = false;
  private ring: RingWriter | undefined;
  /** Records dropped because the worker was too far behind (backpressure), and the exchanges they were of. */
  private overflowed = 0;
  private readonly droppedExchanges = new Set<string>();
  /** Messages ever queued for the worker (the worker counts those it finished in `state[DONE]`). */
  private enqueued = 0;
  /** Texts sent in slices that the worker has not finished: by the message count that finishes each. */
  private sliced: { upTo: number; chars: number }[] = [];
  private slicedChars = 0;
  private lazyTimer: NodeJS.Timeout | undefined;
  private readonly pacing = new Pacing();
  readonly sink: Sink;
  readonly offload: Offload;

  constructor(private readonly options: CaptureClientOptions) {
    this.entry = options.entry ?? new URL('./capture-worker.js', import.meta.url);
    this.sink = this.makeSink();
    this.offload = this.makeOffload();
  }

  private goLocal(): Sink {
    this.mode = 'local';
    this.local ??= this.options.openLocalSink();
    const local = this.local;
    // Only an idle client gets here with writes waiting; raw records never wait for a local sink.
    for (const message of this.outbox)
      if (message.t === 'write') local.write(message.event as EventName, message.body as EventBody<EventName>);
    this.outbox = [];
    return local;
  }

  /** The worker stopped: what it had not finished is lost (never written raw); the rest goes on here. */
  private failed(why: string): void {
    if (this.mode !== 'worker') return;
    const records = this.outbox.filter((m) => (m.t === 'json' ? m.kind : m.t) === 'record').length;
    const missing = this.posted - Atomics.load(this.state, DONE) + records;
    this.lost += missing;
    this.worker = undefined;
    this.outbox = [];
    this.options.notify(
      `agenttap: the capture worker stopped (${why}); ${missing} records lost, recording goes on in the agent's thread`,
    );
    this.goLocal();
  }

  private start(): void {
    if (!existsSync(fileURLToPath(this.entry))) {
      this.goLocal(); // running from TypeScript sources (tests)
      return;
    }
    try {
      const channel = new MessageChannel();
      const notices = channel.port1;
      this.notices = notices;
      notices.on('message', (m: FromWorker) => this.options.notify(m.message));
      notices.unref();
      const ring = createRingBuffers(this.options.ringBytes ?? RING_BYTES);
      const worker = new Worker(this.entry, {
        workerData: {
          ...this.options.data,
          state: this.state.buffer,
          notices: channel.port2,
          ring,
        } satisfies CaptureWorkerData,
        transferList: [channel.port2],
        execArgv: [],
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
        env: withoutPreload(process.env),
        // Not piped into the agent's stdout/stderr. Left unread: reading them would keep the agent alive.
        stdout: true,
        stderr: true,
      });
      this.worker = worker;
      this.ring = new RingWriter(ring.data, ring.state);
      worker.on('error', (err) => this.failed(err.message));
      worker.on('exit', (code) => this.failed(`exit ${code}`));
      worker.unref();
      this.mode = 'worker';
      this.pumping = true;
      queueMicrotask(this.pump); // what waited, with what this turn adds
    } catch (err) {
      this.options.notify(
        `agenttap: the capture worker did not start (${(err as Error).message}); redacting in the agent's thread`,
      );
      this.goLocal();
    }
  }

  /**
   * Sends what waits, in order, at most SLICE_CHARS of body text per turn of the agent's event loop; the rest
   * on the next turn (an unref'd setImmediate: it never keeps the agent alive; exit sends the rest at once).
   * Records in a row cross as one message: each message wakes the worker, and a wake-up is what costs the agent's
   * thread here, not the copy.
   */
  private readonly pump = (budget = SLICE_CHARS): void => {
    this.pumping = false;
    // What waited goes now: no timer left to wake the agent's thread for nothing.
    clearTimeout(this.lazyTimer);
    this.lazyTimer = undefined;
    const batch: string[] = [];
    while (this.worker && this.outbox.length > 0) {
      const message = this.outbox[0]!;
      if (message.t === 'text') {
        if (budget <= 0) break;
        budget -= message.part.length;
        this.post(batch);
        this.worker.postMessage(message);
        this.posted++;
      } else if (message.t !== 'json' && isLarge(message)) {
        this.post(batch);
        this.postAlone(message);
      } else batch.push(message.t === 'json' ? message.json : this.serialised(message));
      this.outbox.shift();
    }
    this.post(batch);
    if (this.worker && this.outbox.length > 0 && Number.isFinite(budget)) {
      this.pumping = true;
      setImmediate(this.pump).unref();
    }
  };

  /** Records as one JSON array (cloning a string costs a fraction of cloning the objects); empties `batch`. */
  private post(batch: string[]): void {
    if (batch.length === 0 || !this.worker) return;
    this.worker.postMessage(`[${batch.join(',')}]`);
    this.posted += batch.length;
    batch.length = 0;
  }

  /** A message as itself; one that cannot be cloned is lost and counted, a no-op in its place (as `serialised`). */
  private postAlone(message: ToWorker): void {
    try {
      this.worker!.postMessage(message);
    } catch {
      this.lost++;
      this.worker!.postMessage('[{"t":"skip"}]');
    }
    this.posted++;
  }

  /**
   * A record's JSON. One that has none (a BigInt, a cycle) is lost and counted; the worker gets a no-op in its
   * place (its count of finished messages stays the count of posted ones).
   */
  private serialised(message: ToWorker): string {
    try {
      return JSON.stringify(message);
    } catch {
      this.lost++;
      return '{"t":"skip"}';
    }
  }

  /**
   * Queues a message for the worker, sent at the end of this turn's work. `lazy` (capture-pacing.ts): no wake-up of
   * its own; it goes with the next message that has one, or within LAZY_MS.
   */
  private send(message: ToWorker, lazy = false): void {
    this.enqueued++;
    // Serialised now, as it is (the tap's objects may change later), and so that one that cannot be is counted now.
    const large = isLarge(message);
    this.outbox.push(
      this.mode === 'worker' && message.t !== 'text' && !large
        ? { t: 'json', kind: message.t, json: this.serialised(message) }
        : message,
    );
    if (this.mode !== 'worker') return;
    // Cloned now, behind what waits (unless body text is still crossing in slices), for the same two reasons.
    if (large && !this.outbox.some((m) => m.t === 'text')) {
      this.pump();
      return;
    }
    if (this.pumping) return;
    if (!lazy || !this.pacing.roomToWait(this.ring!, this.outbox.length)) {
      // After the recorder's drain: what it sends in one turn crosses as one message.
      this.pumping = true;
      queueMicrotask(this.pump);
    } else if (!this.lazyTimer) {
      this.lazyTimer = setTimeout(() => {
        this.lazyTimer = undefined;
        if (!this.pumping) this.pump();
      }, LAZY_MS).unref();
    }
  }

  private makeSink(): Sink {
    const client = this;
    return {
      file: join(this.options.data.sessionDir, `${process.pid}.ndjson`),
      get muted() {
        return client.local?.muted ?? false;
      },
      write(event, body) {
        if (client.mode === 'local') return client.local!.write(event, body);
        client.send({ t: 'write', mono: mono(), event, body: body as Record<string, unknown> });
      },
      flushSync() {
        if (client.mode === 'idle') {
          if (client.outbox.length > 0) client.goLocal().flushSync();
          return;
        }
        if (client.mode === 'local') return client.local!.flushSync();
        client.waitForWorker();
      },
    };
  }

  /** Exit: everything sent so far written by the worker, or EXIT_WAIT_MS passed. */
  private waitForWorker(): void {
    const seq = ++this.flushes;
    this.enqueued++;
    this.outbox.push({ t: 'flush', seq });
    this.pump(Infinity);
    const waitMs = this.options.exitWaitMs ?? EXIT_WAIT_MS;
    const deadline = performance.now() + waitMs;
    for (;;) {
      const flushed = Atomics.load(this.state, FLUSHED);
      if (flushed >= seq) break;
      // Its 'error' event would only come on a later turn, and at exit there is none: say it now.
      if (Atomics.load(this.state, FAILED) === 1) {
        this.failed('its redactor did not load');
        return;
      }
      const left = deadline - performance.now();
      if (left <= 0) {
        if (!this.warnedSlow)
          this.options.notify(
            `agenttap: the capture worker did not finish writing the log within ${waitMs} ms; its last records are missing`,
          );
        this.warnedSlow = true;
        break;
      }
      Atomics.wait(this.state, FLUSHED, flushed, left);
    }
    // Its notices (a failed redaction, a muted sink) would otherwise die with the event loop.
    const notices = this.notices;
    for (let m = notices && receiveMessageOnPort(notices); m; m = receiveMessageOnPort(notices!))
      this.options.notify((m.message as FromWorker).message);
  }

  private makeOffload(): Offload {
    const client = this;
    return {
      record(raw: ExchangeRecord) {
        if (client.mode === 'idle') client.start();
        if (client.mode !== 'worker') return false;
        client.hand(raw);
        return true;
      },
      get lost() {
        return client.lost + client.overflowed;
      },
    };
  }

  /** One record to the worker: its body text through the ring, or in slices when the ring has no room for it. */
  private hand(raw: ExchangeRecord): void {
    const id = raw.kind === 'rewrite' ? String(raw.record.exchange) : raw.record.id;
    if (this.droppedExchanges.has(id)) {
      if (raw.kind === 'end') this.droppedExchanges.delete(id);
      this.overflowed++;
      return;
    }
    const text = raw.kind === 'request' ? raw.record.text : undefined;
    const lazy = this.pacing.mayWait(raw, text?.length);
    if (raw.kind === 'end' && raw.record.held?.bytes) {
      this.handEnd(raw.record, lazy);
      return;
    }
    if (raw.kind !== 'request' || text === undefined || text.length === 0) {
      this.send({ t: 'record', mono: mono(), raw }, lazy);
      return;
    }
    // A copy of the record without its text (the tap's object stays as it was).
    const bare: ExchangeRecord = { kind: 'request', record: { ...raw.record, text: undefined } };
    const ring = this.ring!;
    const slot = ring.put(text);
    if (slot) {
      bare.record.bodyBytes ??= slot.len1 + slot.len2; // counted by the copy, not by a pass of its own (fetch tap)
      this.send({ t: 'record', mono: mono(), raw: bare, slot }, lazy);
      return;
    }
    bare.record.bodyBytes ??= Buffer.byteLength(text);
    // A body larger than the ring, or the ring full: slices, as long as those the worker has not read stay bounded.
    const done = Atomics.load(this.state, DONE);
    while (this.sliced.length > 0 && this.sliced[0]!.upTo <= done) this.slicedChars -= this.sliced.shift()!.chars;
    if (this.slicedChars + text.length > (this.options.maxSlicedChars ?? MAX_SLICED_CHARS)) {
      this.overflow(id, this.ring!.pending + this.slicedChars);
      return;
    }
    const parts = Math.ceil(text.length / SLICE_CHARS);
    for (let i = 0; i < parts; i++) this.send({ t: 'text', part: text.slice(i * SLICE_CHARS, (i + 1) * SLICE_CHARS) });
    this.send({ t: 'record', mono: mono(), raw: bare, textParts: parts });
    this.sliced.push({ upTo: this.enqueued, chars: text.length });
    this.slicedChars += text.length;
  }

  /**
   * An end record with its held body: the bytes through the ring, read by the worker. When the ring has no room for
   * them, read here instead (bounded: a hold is at most HOLD_MAX_BYTES), as before bodies were held.
   */
  private handEnd(record: EndRecord, lazy: boolean): void {
    const { bytes, ...held } = record.held!;
    const slot = this.ring!.putBytes(bytes!);
    if (slot) this.send({ t: 'record', mono: mono(), raw: { kind: 'end', record: { ...record, held } }, slot }, lazy);
    else this.send({ t: 'record', mono: mono(), raw: { kind: 'end', record: withHeldRead(record) } }, lazy);
  }

  /** Backpressure: the worker holds too much already; this exchange is dropped, counted, and said once in the log. */
  private overflow(id: string, pending: number): void {
    this.overflowed++;
    this.droppedExchanges.add(id);
    if (this.overflowed > 1) return;
    const behind = (pending / 1024 / 1024).toFixed(1);
    this.send({
      t: 'write',
      mono: mono(),
      event: 'tap.warning',
      body: {
        code: 'capture-backlog',
        message: `the capture worker was ${behind} MB behind; exchange ${id} was dropped (further drops are only counted in session.end)`,
        exchange: id,
      },
    });
  }
}
