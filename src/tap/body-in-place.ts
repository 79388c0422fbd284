/**
 * A fetch response's body observed in place: the agent keeps its own `Response` and its own body stream, and every
 * way of reading that stream tells the exchange the chunks it hands out. Node's fetch reads a body only through the
 * stream's public methods (`text()`, `json()`, `arrayBuffer()`, `blob()`, `bytes()`, `Readable.fromWeb` and
 * `new Response(body)` call `getReader()`; `clone()` calls `tee()` up to Node 24), so overriding those methods is
 * enough there (Node 20–26: tests/compliance/fetch-compliance.test.ts reads a body every one of these ways):
 *
 *   getReader()      ─► the reader's `read` tells each chunk, end and error; its `cancel` the cancel
 *   values(), for await ─► over such a reader (as Node's own iterator: queued `next`, `return` cancels)
 *   tee(), clone()   ─► both branches watched; a chunk is told once, by whichever branch hands it out first
 *   pipeTo/Through   ─► through a pull-based pass-through over such a reader (Node pipes with an internal reader)
 *   Readable.fromWeb, Duplex.fromWeb ─► the same (from Node 24 they read with an internal reader; `Duplex.from`
 *                       and `compose` go through them)
 *   cancel()         ─► told, then done
 *
 * The methods are overridden by swapping the object's prototype for one that inherits the original's (the stream,
 * the reader, the response keep no own property they did not have), with per-object state in WeakMaps.
 * Why: a rebuilt Response over a pass-through stream (fetch-exchange.ts, still used where this does not apply) costs
 * the agent's thread a `new ReadableStream`, a `new Response` and a pull per chunk: ~0.1 ms per streamed exchange
 * (docs/fetch-tap.md#in-place). A stream moved out of reach of these methods (transferred to a worker) is not
 * observed: its exchange ends at exit as unfinished.
 */
import { createRequire } from 'node:module';
import type { LiveExchange } from './live-exchange.js';
import { isAbortError } from './live-exchange.js';

type Reader = ReadableStreamDefaultReader<Uint8Array> | ReadableStreamBYOBReader;

/** One response body and the tee branches the agent made of it: what the exchange has been told. */
class WatchedBody {
  /** Chunks told to the exchange; a branch's n-th chunk is new only when no other branch handed it out before. */
  private told = 0;
  /** Branches the agent may still read: when it has cancelled them all, the exchange is cancelled. */
  private live = 0;

  constructor(private readonly exchange: LiveExchange) {}

  watch(stream: ReadableStream<Uint8Array>): void {
    if (branches.has(stream)) return;
    branches.set(stream, new Branch(this));
    this.live++;
    Object.setPrototypeOf(stream, watchedPrototype(Object.getPrototypeOf(stream), STREAM_METHODS));
  }

  /** A branch teed (or cloned): it can no longer be read, its two branches can. */
  split(from: Branch, into: readonly ReadableStream<Uint8Array>[]): void {
    for (const s of into) this.watch(s);
    this.gone(from);
  }

  delivered(branch: Branch, chunk: Uint8Array): void {
    if (branch.count++ === this.told) {
      this.told++;
      this.exchange.chunkSoon(chunk);
    }
  }

  ended(): void {
    this.exchange.finish('complete');
  }

  failed(err: unknown): void {
    this.exchange.finish(isAbortError(err) ? 'aborted' : 'error', err);
  }

  /** A branch the agent can no longer read: teed, or cancelled (then `cancel` holds the reason). */
  gone(branch: Branch, cancel?: { reason: unknown }): void {
    if (branch.gone) return;
    branch.gone = true;
    if (--this.live > 0 || !cancel) return;
    // Fetch cancels an unread body with the abort's reason.
    if (isAbortError(cancel.reason)) this.exchange.finish('aborted', cancel.reason);
    else this.exchange.finish('cancelled');
  }
}

class Branch {
  count = 0;
  gone = false;
  constructor(readonly body: WatchedBody) {}
}

const branches = new WeakMap<object, Branch>();
const readers = new WeakMap<object, Branch>();
const released = new WeakSet<object>();

/**
 * Observes `response`'s body in place for `exchange`, when the response is Node's own (its fetch's consumers are the
 * ones listed above); false when it cannot (Bun reads its bodies natively; another fetch's Response may too).
 */
export function observeInPlace(exchange: LiveExchange, response: Response): boolean {
  const body = response.body;
  if (
    body === null ||
    process.versions.bun !== undefined ||
    Object.getPrototypeOf(response) !== Response.prototype ||
    Object.getPrototypeOf(body) !== ReadableStream.prototype
  )
    return false;
  patchAdapters();
  new WatchedBody(exchange).watch(body as ReadableStream<Uint8Array>);
  Object.setPrototypeOf(response, watchedPrototype(Response.prototype, RESPONSE_METHODS));
  return true;
}

const ADAPTERS = Symbol.for('agenttap.fromWeb');
let adaptersPatched = false;

/**
 * `Readable.fromWeb` and `Duplex.fromWeb` hand a watched stream's pass-through to Node (from Node 24 they read with
 * an internal reader, which the stream's methods never see). Patched once per process, at the first body watched (by
 * then fetch has loaded node:stream).
 */
function patchAdapters(): void {
  if (adaptersPatched) return;
  adaptersPatched = true;
  // Once per process, whichever copy of this module comes first.
  const g = globalThis as Record<symbol, unknown>;
  if (g[ADAPTERS]) return;
  g[ADAPTERS] = true;
  // Loosely typed: node:stream's web stream types are not the global ones.
  type FromWeb = (this: unknown, source: unknown, options?: unknown) => unknown;
  const { Readable, Duplex } = createRequire(import.meta.url)('node:stream') as Record<string, { fromWeb: FromWeb }>;
  const readableFromWeb = Readable!.fromWeb;
  Readable!.fromWeb = function fromWeb(stream, options) {
    return readableFromWeb.call(this, branches.has(stream as object) ? passThrough(stream as Stream) : stream, options);
  };
  const duplexFromWeb = Duplex!.fromWeb;
  Duplex!.fromWeb = function fromWeb(pair, options) {
    const readable = (pair as { readable?: Stream } | undefined)?.readable;
    const watched = readable !== undefined && branches.has(readable);
    return duplexFromWeb.call(this, watched ? { ...(pair as object), readable: passThrough(readable) } : pair, options);
  };
}

const prototypes = new WeakMap<object, Map<object, object>>();

/** `base` with `methods` over it, made once per (base, methods). */
function watchedPrototype(base: object, methods: PropertyDescriptorMap): object {
  let byBase = prototypes.get(methods);
  if (!byBase) {
    byBase = new Map();
    prototypes.set(methods, byBase);
  }
  let proto = byBase.get(base);
  if (!proto) {
    proto = Object.create(base, methods) as object;
    byBase.set(base, proto);
  }
  return proto;
}

const method = (value: (...args: never[]) => unknown): PropertyDescriptor => ({
  value,
  writable: true,
  configurable: true,
});
type Stream = ReadableStream<Uint8Array>;
const base = (self: object) => Object.getPrototypeOf(Object.getPrototypeOf(self));

const STREAM_METHODS: PropertyDescriptorMap = {
  getReader: method(function getReader(this: Stream, ...args: never[]) {
    const reader = base(this).getReader.apply(this, args) as Reader;
    const branch = branches.get(this);
    if (branch) {
      readers.set(reader, branch);
      Object.setPrototypeOf(reader, watchedPrototype(Object.getPrototypeOf(reader), READER_METHODS));
    }
    return reader;
  }),
  values: method(function values(this: Stream, options?: { preventCancel?: boolean }) {
    return iterate(this, !!options?.preventCancel);
  }),
  [Symbol.asyncIterator]: method(function values(this: Stream, options?: { preventCancel?: boolean }) {
    return iterate(this, !!options?.preventCancel);
  }),
  tee: method(function tee(this: Stream) {
    const teed = base(this).tee.call(this) as [Stream, Stream];
    const branch = branches.get(this);
    branch?.body.split(branch, teed);
    return teed;
  }),
  pipeTo: method(function pipeTo(this: Stream, ...args: Parameters<Stream['pipeTo']>) {
    let source: Stream;
    try {
      source = passThrough(this);
    } catch (err) {
      return Promise.reject(err);
    }
    return source.pipeTo(...args);
  }),
  pipeThrough: method(function pipeThrough(this: Stream, ...args: Parameters<Stream['pipeThrough']>) {
    return passThrough(this).pipeThrough(...args);
  }),
  cancel: method(function cancel(this: Stream, reason?: unknown) {
    const branch = branches.get(this);
    // A locked stream refuses (the promise rejects): nothing is cancelled.
    if (branch && !this.locked) branch.body.gone(branch, { reason });
    return base(this).cancel.call(this, reason);
  }),
};

const READER_METHODS: PropertyDescriptorMap = {
  read: method(function read(this: Reader, ...args: never[]) {
    const branch = readers.get(this);
    const reading = base(this).read.apply(this, args) as Promise<ReadableStreamReadResult<Uint8Array>>;
    if (!branch) return reading;
    return reading.then(
      (result) => {
        tellRead(branch, result);
        return result;
      },
      (err: unknown) => {
        tellReadFailed(this, branch, err);
        throw err;
      },
    );
  }),
  cancel: method(function cancel(this: Reader, reason?: unknown) {
    const branch = readers.get(this);
    if (branch && !released.has(this)) branch.body.gone(branch, { reason });
    return base(this).cancel.call(this, reason);
  }),
  releaseLock: method(function releaseLock(this: Reader) {
    base(this).releaseLock.call(this);
    released.add(this);
  }),
};

/** What a read of a watched reader hands out, told to its body: a chunk, or the end. */
function tellRead(branch: Branch, result: ReadableStreamReadResult<Uint8Array>): void {
  if (result.done) branch.body.ended();
  else if (result.value) branch.body.delivered(branch, result.value);
}

/** A read of a watched reader failed: the body did, unless the reader was released (then only the read fails). */
function tellReadFailed(reader: Reader, branch: Branch, err: unknown): void {
  if (!released.has(reader)) branch.body.failed(err);
}

const RESPONSE_METHODS: PropertyDescriptorMap = {
  clone: method(function clone(this: Response) {
    const before = this.body;
    const copy = base(this).clone.call(this) as Response;
    // Up to Node 24 the clone tees through the stream's `tee` (watched above); from Node 26 it tees internally.
    const branch = before && branches.get(before);
    if (branch && copy.body && this.body) {
      branch.body.split(branch, [this.body, copy.body]);
      Object.setPrototypeOf(copy, Object.getPrototypeOf(this));
    }
    return copy;
  }),
};

const AsyncIteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype);

/** `stream.values()` over a watched reader, as Node's own: calls queued in order, `return` cancels unless told not to. */
function iterate(stream: Stream, preventCancel: boolean): AsyncIterableIterator<Uint8Array> {
  const reader = stream.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const branch = readers.get(reader);
  // Node's own read, told here: one promise reaction per chunk, not the watched read's and then this one's.
  const read: () => Promise<ReadableStreamReadResult<Uint8Array>> = branch
    ? base(reader).read.bind(reader)
    : () => reader.read();
  let done = false;
  let current: Promise<IteratorResult<Uint8Array>> | undefined;
  const next = (): Promise<IteratorResult<Uint8Array>> => {
    if (done) return Promise.resolve({ done: true, value: undefined });
    return read().then(
      (result) => {
        if (branch) tellRead(branch, result);
        if (result.done) {
          done = true;
          reader.releaseLock();
          return { done: true, value: undefined };
        }
        return result;
      },
      (err: unknown) => {
        if (branch) tellReadFailed(reader, branch, err);
        done = true;
        reader.releaseLock();
        throw err;
      },
    );
  };
  const finish = async (value: unknown): Promise<IteratorResult<Uint8Array>> => {
    if (done) return { done: true, value };
    done = true;
    if (preventCancel) {
      reader.releaseLock();
      return { done: true, value };
    }
    const cancelled = reader.cancel(value);
    reader.releaseLock();
    await cancelled;
    return { done: true, value };
  };
  return Object.setPrototypeOf(
    {
      next() {
        current = current ? current.then(next, next) : next();
        return current;
      },
      return(value?: unknown) {
        const run = () => finish(value);
        current = current ? current.then(run, run) : run();
        return current;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    },
    AsyncIteratorPrototype,
  );
}

/**
 * A pull-based stream over a watched reader of `stream`, for Node's pipes (they read with an internal reader): a chunk is
 * read only when the pipe asks for one (high-water mark 0), so nothing is buffered ahead of the agent.
 */
function passThrough(stream: Stream): Stream {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const result = await reader.read();
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}
