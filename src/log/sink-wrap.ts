/**
 * A sink that changes what is written and keeps the rest of the one it wraps (its file, whether it is muted, its
 * flush): redaction of events in the capture worker, the live export's counts in `session.end`. No pino here: the
 * wrappers run on the agent's thread too.
 */
import type { Sink } from './sink.js';

export function withWrite(inner: Sink, write: Sink['write']): Sink {
  return {
    get file() {
      return inner.file;
    },
    get muted() {
      return inner.muted;
    },
    write,
    flushSync: () => inner.flushSync(),
  };
}
