/**
 * The log sink: pino formatting NDJSON records into `<session dir>/<pid>.ndjson`, a file the sink owns — made (0700
 * folder, bounded: src/fs/make-dir.ts), opened (0600), written and given up on by `FileOut`, never by sonic-boom,
 * whose exit flush can spin forever on a full disk (see file-out.ts).
 * No pino transports — they start worker threads, and our preload runs in workers too (docs/preload.md#workers-and-children).
 *
 * Failure policy: the sink never throws into its caller and never blocks exit beyond a bounded time. A folder that
 * cannot be made, a file that cannot be opened, a full disk or any write error mutes the sink with one line on
 * stderr; the agent goes on.
 */
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { makeDir, PRIVATE_FILE_MODE } from '../fs/make-dir.js';
import type { EventBody, EventName } from './events.js';
import { FileOut } from './file-out.js';
import { stderrLine } from '../stderr.js';
import { LOG_VERSION } from './log-version.js';

export interface Sink {
  readonly file: string;
  write<N extends EventName>(event: N, body: EventBody<N>): void;
  /** Synchronous flush, for `process.on('exit')`. */
  flushSync(): void;
  readonly muted: boolean;
}

export interface SinkOptions {
  sessionDir: string;
  session: string;
  /** Where the one-line failure notice goes (stderr by default). */
  onFailure?: (message: string) => void;
}

export function openSink({ sessionDir, session, onFailure = stderrLine }: SinkOptions): Sink {
  const file = join(sessionDir, `${process.pid}.ndjson`);
  let muted = false;
  const mute = (why: string) => {
    if (muted) return;
    muted = true;
    onFailure(`agenttap: logging stopped (${why}); the agent continues without capture.`);
  };

  const failed = (why: string): Sink => {
    mute(why);
    return { file, muted: true, write() {}, flushSync() {} };
  };
  try {
    makeDir(sessionDir);
  } catch (err) {
    return failed(`cannot create ${sessionDir}: ${(err as Error).message}`);
  }
  let fd: number;
  try {
    // Opened here, synchronously: a record written just before exit finds the file ready (a destination that opened
    // its file itself once threw "sonic boom is not ready yet" from pino's exit flush, onto the agent's stderr).
    // O_NONBLOCK: a FIFO put where the log goes, with nobody reading it, would block open() — and a thread blocked in a
    // syscall cannot be stopped, so the agent would never exit. Non-blocking, it fails with ENXIO; for a regular file
    // or a device (/dev/null) the flag changes nothing. A FIFO that has a reader is refused too: a slow reader would
    // make writes fail (EAGAIN) or, blocking, stall the agent.
    fd = openSync(
      file,
      constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK,
      PRIVATE_FILE_MODE,
    );
  } catch (err) {
    return failed(`cannot open ${file}: ${(err as Error).message}`);
  }
  if (fstatSync(fd).isFIFO()) {
    closeSync(fd);
    return failed(`${file} is a FIFO, not a file`);
  }

  const destination = new FileOut(fd, (err) => mute(`${file}: ${err.message}`));
  // What a record written just before `process.exit()` left pending (the capture's own close flushes first).
  process.once('exit', () => destination.flushSync());
  const logger = pino(
    {
      base: { v: LOG_VERSION, session, pid: process.pid, ppid: process.ppid },
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination,
  );

  return {
    file,
    get muted() {
      return muted;
    },
    write(event, body) {
      if (muted) return;
      try {
        logger.info({ event, mono: round(performance.now()), ...body });
      } catch (err) {
        mute((err as Error).message);
      }
    },
    flushSync() {
      if (muted) return;
      try {
        destination.flushSync();
      } catch (err) {
        mute((err as Error).message);
      }
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
