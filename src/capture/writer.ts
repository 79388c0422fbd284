/**
 * The log writer inside an agent: loaded after a model call (writer-loader.ts) and attached to the recorder. Its
 * redaction, de-duplication and writing run in the capture worker (src/log/capture-client.ts), started at the first
 * model call: the agent's thread builds no redactor and loads neither secretlint nor pino (writer-parts.ts) unless
 * the worker cannot be used — `session.start` and warnings cross raw and are redacted there (redact-events.ts).
 * `AGENTTAP_REDACT_WORKER=0` keeps all redaction on the agent's thread (the way it was before). The proxy loads the
 * same writer at once (open.ts).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { withLiveExport } from '../export/live.js';
import { createCaptureClient } from '../log/capture-client.js';
import type { Writer } from '../log/recorder.js';
import { redactingSink } from '../log/redact-events.js';
import type { SessionPlace } from '../log/session.js';
import { loadOrCreateKey } from '../policy/redact/key.js';
import type { Redactor, RedactorOptions } from '../policy/redact/types.js';

export type WriterParts = typeof import('./writer-parts.js');

const requireHere = createRequire(import.meta.url);
let parts: WriterParts | undefined;

/** Hands the heavy parts over where require() of `./writer-parts.js` cannot find or load them. */
export function useParts(given: WriterParts): void {
  parts = given;
}

const loadParts = (): WriterParts => {
  parts ??= requireHere('./writer-parts.js') as WriterParts;
  return parts;
};

export function createWriter(config: Config, session: SessionPlace, notify: (message: string) => void): Writer {
  const key = installKey(config, notify);
  const options = { key, extraPatterns: config.redact.patterns, highEntropy: config.redact.highEntropy };
  const redactor = lazyRedactor(options);
  const openLocalSink = () =>
    redactingSink(
      loadParts().openSink({ sessionDir: session.dir, session: session.id, onFailure: notify }),
      () => redactor,
      notify,
    );
  let writer: Writer;
  if (process.env.AGENTTAP_REDACT_WORKER === '0') writer = { sink: openLocalSink(), redactor, sinkRedacts: true };
  else {
    const data = {
      ...options,
      blobMinBytes: config.capture.blobMinBytes,
      sessionDir: session.dir,
      session: session.id,
    };
    const { sink, offload } = createCaptureClient({ data, openLocalSink, notify });
    writer = { sink, redactor, offload, sinkRedacts: true };
  }
  if (config.debug) notify(`agenttap: session ${session.id} → ${writer.sink.file}`);
  return withLiveExport(writer, config, session, { notify, debug: config.debug });
}

/** The redactor, built at its first use: with a capture worker, never on this thread. */
function lazyRedactor(options: RedactorOptions): Redactor {
  let built: Redactor | undefined;
  const real = () => {
    built ??= loadParts().createRedactor(options);
    return built;
  };
  return {
    headers: (headers) => real().headers(headers),
    url: (url) => real().url(url),
    value: (value) => real().value(value),
    text: (text) => real().text(text),
    get stats() {
      return real().stats;
    },
  };
}

function installKey(config: Config, notify: (message: string) => void): Buffer {
  const file = config.redact.keyFile ?? join(homedir(), '.agenttap', 'key');
  try {
    return loadOrCreateKey(file);
  } catch (err) {
    // Tags stay consistent within this process only; secrets are still redacted.
    notify(`agenttap: cannot use the redaction key ${file} (${(err as Error).message}); using a one-off key`);
    return randomBytes(32);
  }
}
