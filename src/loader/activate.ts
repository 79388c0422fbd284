/**
 * Builds the running tap for this process: config → session → recorder → taps, synchronously enough that
 * the taps are in place before the agent's first line, and light enough not to delay it: zod loads only
 * when there is a config to validate, and the log writer (pino, secretlint) loads in the background while
 * records queue. A bad config throws AGENTTAP_CONFIG_INVALID so the loader can stop before the agent starts;
 * everything after that fails open.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createEndpointMatcher } from '../exchange/endpoints.js';
import { Recorder, type Writer } from '../log/recorder.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import type { TapContext } from '../tap/context.js';
import { installFetchTap } from '../tap/fetch.js';
import { installHttpTap } from '../tap/http.js';
import { VERSION } from '../version.js';

export interface ActiveTap {
  config: Config;
  session: SessionPlace;
  recorder: Recorder;
  /** Resolves when the log writer is attached (or failed to load). */
  writerReady: Promise<void>;
  uninstall(): void;
}

export async function activate(): Promise<ActiveTap | undefined> {
  const { config } = await loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);

  const recorder = new Recorder({ blobMinBytes: config.capture.blobMinBytes, notify: stderrLine });
  recorder.later(({ sink, redactor }) =>
    sink.write('session.start', {
      agenttap: VERSION,
      node: process.version,
      argv: process.argv.map((arg) => redactor.text(arg)),
      cwd: process.cwd(),
      ...(session.parentPid !== undefined ? { parent_pid: session.parentPid } : {}),
    }),
  );

  let writer: Writer | undefined;
  // Started one macrotask later: the agent's entry module is evaluated first.
  const writerReady = new Promise<void>((resolve) => setImmediate(resolve)).then(() => import('./writer.js')).then(
    ({ createWriter }) => recorder.attach((writer = createWriter(config, session, stderrLine))),
    (err: Error) => stderrLine(`agenttap: the log writer failed to load (${err.message}); nothing is recorded`),
  );

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
  const uninstallers = [installFetchTap(ctx), installHttpTap(ctx)];

  // Whatever is still open or queued at exit is finished and written synchronously (the event loop is gone).
  process.on('exit', () => {
    for (const exchange of [...ctx.open]) exchange.finish('incomplete');
    if (!writer && recorder.pending > 0) {
      stderrLine(`agenttap: ${recorder.pending} records not written: the process exited before the log writer had loaded`);
    }
    recorder.drainSync();
    recorder.writeSessionEnd();
    writer?.sink.flushSync();
  });

  return { config, session, recorder, writerReady, uninstall: () => uninstallers.forEach((u) => u()) };
}

function stderrLine(message: string): void {
  try {
    process.stderr.write(`${message}\n`);
  } catch {
    // nowhere left to tell
  }
}
