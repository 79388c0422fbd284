/**
 * The log sink: pino writing NDJSON to `<session dir>/<pid>.ndjson` through a sonic-boom destination.
 * No pino transports — they start worker threads, and our preload runs in workers too (PITFALLS #18).
 *
 * Failure policy: the sink never throws into its caller. A directory that cannot be made, a full disk or
 * EPIPE mutes the sink with one line on stderr; the agent goes on.
 */
import { mkdirSync } from 'node:fs';
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

  try {
    mkdirSync(sessionDir, { recursive: true });
  } catch (err) {
    mute(`cannot create ${sessionDir}: ${(err as Error).message}`);
    return { file, muted: true, write() {}, flushSync() {} };
  }

  // sync:false batches writes off the agent's call stack; `flushSync` on exit makes the tail durable.
  const destination = pino.destination({ dest: file, sync: false, append: true, minLength: 0 });
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
