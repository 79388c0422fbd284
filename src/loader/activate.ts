/**
 * Builds the running tap for this process: config → session → redactor → sink → recorder → taps.
 * Called once by the loader; every step that can fail at runtime fails open, except a bad config,
 * which throws AGENTTAP_CONFIG_INVALID so the loader can stop before the agent starts.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createEndpointMatcher } from '../exchange/endpoints.js';
import { Recorder } from '../log/recorder.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import { openSink } from '../log/sink.js';
import { createRedactor, loadOrCreateKey } from '../policy/redact/index.js';
import type { TapContext } from '../tap/context.js';
import { installFetchTap } from '../tap/fetch.js';
import { installHttpTap } from '../tap/http.js';
import { VERSION } from '../version.js';
import { randomBytes } from 'node:crypto';

export interface ActiveTap {
  config: Config;
  session: SessionPlace;
  logFile: string;
  recorder: Recorder;
  uninstall(): void;
}

export async function activate(): Promise<ActiveTap | undefined> {
  const { config } = loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);

  const notify = (message: string) => stderrLine(message);
  const redactor = createRedactor({
    key: installKey(config, notify),
    extraPatterns: config.redact.patterns,
    highEntropy: config.redact.highEntropy,
  });
  const sink = openSink({ sessionDir: session.dir, session: session.id, onFailure: notify });
  const recorder = new Recorder({ sink, redactor, blobMinBytes: config.capture.blobMinBytes, notify });

  let counter = 0;
  const pid36 = process.pid.toString(36);
  const ctx: TapContext = {
    recorder,
    matchEndpoint: createEndpointMatcher(config.endpoints),
    warn: (code, message, exchange) => recorder.warn(code, message, exchange),
    maxBodyBytes: config.capture.maxBodyBytes,
    nextExchangeId: () => `${pid36}-${++counter}`,
    open: new Set(),
  };

  sink.write('session.start', {
    agenttap: VERSION,
    node: process.version,
    argv: process.argv.map((arg) => redactor.text(arg)),
    cwd: process.cwd(),
    ...(session.parentPid !== undefined ? { parent_pid: session.parentPid } : {}),
  });
  if (config.debug) notify(`agenttap: session ${session.id} → ${sink.file}`);

  const uninstallers = [installFetchTap(ctx), installHttpTap(ctx)];

  // Whatever is still open or queued at exit is finished and written synchronously (the event loop is gone).
  process.on('exit', () => {
    for (const exchange of [...ctx.open]) exchange.finish('incomplete');
    recorder.drainSync();
    recorder.writeSessionEnd();
    sink.flushSync();
  });

  return {
    config,
    session,
    logFile: sink.file,
    recorder,
    uninstall: () => uninstallers.forEach((u) => u()),
  };
}

function installKey(config: Config, notify: (m: string) => void): Buffer {
  const file = config.redact.keyFile ?? join(homedir(), '.agenttap', 'key');
  try {
    return loadOrCreateKey(file);
  } catch (err) {
    // Tags stay consistent within this process only; secrets are still redacted.
    notify(`agenttap: cannot use the redaction key ${file} (${(err as Error).message}); using a one-off key`);
    return randomBytes(32);
  }
}

function stderrLine(message: string): void {
  try {
    process.stderr.write(`${message}\n`);
  } catch {
    // nowhere left to tell
  }
}
