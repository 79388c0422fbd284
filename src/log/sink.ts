/**
 * The log sink: pino writing NDJSON to `<session dir>/<pid>.ndjson` through a sonic-boom destination.
 * No pino transports — they start worker threads, and our preload runs in workers too (PITFALLS #18).
 *
 * Failure policy: the sink never throws into its caller. A directory that cannot be made, a full disk or
 * EPIPE mutes the sink with one line on stderr; the agent goes on.
 */
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import type { EventBody, EventName } from './events.js';
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

  const failed = (why: string): Sink => (mute(why), { file, muted: true, write() {}, flushSync() {} });
  try {
    mkdirSync(sessionDir, { recursive: true });
  } catch (err) {
    return failed(`cannot create ${sessionDir}: ${(err as Error).message}`);
  }
  let fd: number;
  try {
    // Opened here, synchronously: a destination that opens its file itself is not ready for a while, and a
    // process that exits in that window gets pino's exit flush throwing "sonic boom is not ready yet" — a stack
    // trace on the agent's stderr.
    fd = openSync(file, 'a');
  } catch (err) {
    return failed(`cannot open ${file}: ${(err as Error).message}`);
  }

  // sync:false batches writes off the agent's call stack; `flushSync` on exit makes the tail durable.
  const destination = pino.destination({ fd, sync: false, minLength: 0 });
  destination.on('error', (err: Error) => mute(`${file}: ${err.message}`));
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
