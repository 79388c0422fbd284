/**
 * The log writer: redactor (secretlint's rules) and sink (pino). The slowest imports of agenttap, so inside an agent
 * this module is loaded only after a model call (writer-loader.ts) and attached to the recorder when it is ready; the
 * proxy loads it at once (open.ts).
 * An exchange's records are redacted in the capture worker (src/log/capture-client.ts), started at the first
 * model call; `AGENTTAP_REDACT_WORKER=0` keeps all redaction on the agent's thread (the way it was before).
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import { withLiveExport } from '../export/live.js';
import { createCaptureClient } from '../log/capture-client.js';
import type { Writer } from '../log/recorder.js';
import type { SessionPlace } from '../log/session.js';
import { openSink } from '../log/sink.js';
import { createRedactor, loadOrCreateKey } from '../policy/redact/index.js';

export function createWriter(config: Config, session: SessionPlace, notify: (message: string) => void): Writer {
  const key = installKey(config, notify);
  const options = { key, extraPatterns: config.redact.patterns, highEntropy: config.redact.highEntropy };
  const redactor = createRedactor(options);
  const openLocalSink = () => openSink({ sessionDir: session.dir, session: session.id, onFailure: notify });
  let writer: Writer;
  if (process.env.AGENTTAP_REDACT_WORKER === '0') writer = { sink: openLocalSink(), redactor };
  else {
    const data = {
      ...options,
      blobMinBytes: config.capture.blobMinBytes,
      sessionDir: session.dir,
      session: session.id,
    };
    const { sink, offload } = createCaptureClient({ data, openLocalSink, notify });
    writer = { sink, redactor, offload };
  }
  if (config.debug) notify(`agenttap: session ${session.id} → ${writer.sink.file}`);
  return withLiveExport(writer, config, session, { notify, debug: config.debug });
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
