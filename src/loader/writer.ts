/**
 * The log writer: redactor (secretlint's rules) and sink (pino). The slowest imports of agenttap, so the
 * loader imports this module in the background and attaches it to the recorder when it is ready.
 */
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/schema.js';
import type { Writer } from '../log/recorder.js';
import type { SessionPlace } from '../log/session.js';
import { openSink } from '../log/sink.js';
import { createRedactor, loadOrCreateKey } from '../policy/redact/index.js';

export function createWriter(config: Config, session: SessionPlace, notify: (message: string) => void): Writer {
  const redactor = createRedactor({
    key: installKey(config, notify),
    extraPatterns: config.redact.patterns,
    highEntropy: config.redact.highEntropy,
  });
  const sink = openSink({ sessionDir: session.dir, session: session.id, onFailure: notify });
  if (config.debug) notify(`agenttap: session ${session.id} → ${sink.file}`);
  return { sink, redactor };
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
