/**
 * The sink's destination: pino's lines appended to a file, written with `writeSync` in batches — one batch per turn of
 * the recorder's drain (a microtask after it), and whatever is left when `flushSync()` is called at exit.
 *
 * Why not `pino.destination()` (sonic-boom), issue 16:
 *   - its `flushSync`, which pino's own exit hook calls, retries forever on any error but EAGAIN/EBUSY: a full disk
 *     (ENOSPC) hung the agent at exit, after its output, on Node 20, 22 and 24;
 *   - with `sync: false` a write is handed to libuv's thread pool; one handed over just before exit lands after the
 *     lines `flushSync` writes, or never when the pool is busy (records reordered, `session.end` lost).
 * Here nothing is ever in flight: a line is either in `pending` or written. The first error that is not a short
 * EAGAIN closes the file and stops this output for good (`onError`, once); nothing waits longer than RETRY_MS.
 * A write into a hung network file system still blocks in the kernel: no user-space code can bound that.
 */
import { closeSync, writeSync } from 'node:fs';

/** Lines held before a write happens regardless of the batch (a huge request body in one drain). */
const MAX_PENDING_BYTES = 1 << 20;
/** A batch up to this many bytes is encoded into one buffer kept from write to write; a larger one into its own. */
const SCRATCH_MAX_BYTES = 4 << 20;
/** EAGAIN (a FIFO or non-blocking fd) is retried this long in total, then given up. */
const RETRY_MS = 100;
const RETRY_STEP_MS = 5;

export class FileOut {
  private pending: string[] = [];
  private pendingChars = 0;
  private scheduled = false;
  private fd: number | undefined;
  /**
   * Where a batch is encoded for its write. Kept: a fresh buffer (and the joined string before it) for every batch
   * was memory touched for the first time on each write — four 4 MB prompts cost the capture worker ~3 500 page
   * faults more (~200 per MB logged), each ~12 µs on the bench machine (bench/lib/page-fault-cost.mjs).
   */
  private scratch = Buffer.alloc(0);

  constructor(
    fd: number,
    private readonly onError: (err: Error) => void,
  ) {
    this.fd = fd;
  }

  get closed(): boolean {
    return this.fd === undefined;
  }

  /** pino's destination API: one serialised line. */
  write(line: string): boolean {
    if (this.fd === undefined) return true;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= MAX_PENDING_BYTES) this.flushSync();
    else if (!this.scheduled) {
      this.scheduled = true;
      // A promise's reaction, not queueMicrotask: that makes an AsyncResource and enters its scope every time.
      void Promise.resolve().then(() => {
        this.scheduled = false;
        this.flushSync();
      });
    }
    return true;
  }

  /** Writes everything pending, now. Never throws; bounded unless the kernel itself blocks. */
  flushSync(): void {
    if (this.fd === undefined || this.pending.length === 0) return;
    const lines = this.pending;
    this.pending = [];
    this.pendingChars = 0;
    const { data, end } = this.encode(lines);
    let written = 0;
    let waited = 0;
    while (written < end) {
      let n = 0;
      try {
        n = writeSync(this.fd, data, written, end - written);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') {
          this.fail(err as Error);
          return;
        }
      }
      written += n;
      if (n > 0) continue;
      // EAGAIN, or a write of nothing: wait a little, a bounded number of times.
      if (waited >= RETRY_MS) {
        this.fail(new Error(`no progress writing the log for ${RETRY_MS} ms`));
        return;
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, RETRY_STEP_MS);
      waited += RETRY_STEP_MS;
    }
  }

  /** The lines' UTF-8, in `data[0, end)`. */
  private encode(lines: string[]): { data: Buffer; end: number } {
    let bytes = 0;
    for (const line of lines) bytes += Buffer.byteLength(line);
    let data = this.scratch;
    if (bytes > SCRATCH_MAX_BYTES) data = Buffer.allocUnsafe(bytes);
    else if (bytes > data.length) {
      const grown = Math.min(SCRATCH_MAX_BYTES, Math.max(bytes, 2 * data.length, 64 << 10));
      data = this.scratch = Buffer.allocUnsafeSlow(grown);
    }
    let end = 0;
    for (const line of lines) end += data.write(line, end);
    return { data, end };
  }

  private fail(err: Error): void {
    const fd = this.fd;
    this.fd = undefined;
    this.pending = [];
    try {
      if (fd !== undefined) closeSync(fd);
    } catch {
      // already unusable
    }
    this.onError(err);
  }
}
