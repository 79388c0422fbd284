/**
 * Builds the running tap for this process: config → session → recorder → taps, synchronously enough that
 * the taps are in place before the agent's first line, and light enough not to delay it: zod loads only
 * when there is a config to validate, and the log writer (pino, secretlint) loads only at the first model call
 * (writer-loader.ts), while records queue. A bad config throws AGENTTAP_CONFIG_INVALID so the loader can stop
 * before the agent starts; everything after that fails open.
 *
 * The end of the process: `exit` (and SIGINT/SIGTERM that would kill it, signals.ts) finishes open exchanges and
 * writes the queue and `session.end`, loading the writer right there if the process ends before it had loaded.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Recorder, Writer } from '../log/recorder.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import { stderrLine } from '../stderr.js';
import { createCapture } from '../tap/capture.js';
import { installFetchTap } from '../tap/fetch.js';
import { installHttpTap } from '../tap/http.js';
import { flushOnSignals } from './signals.js';
import { writerLoader } from './writer-loader.js';

export interface ActiveTap {
  config: Config;
  session: SessionPlace;
  recorder: Recorder;
  uninstall(): void;
}

export async function activate(): Promise<ActiveTap | undefined> {
  const { config } = await loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);

  const loader = writerLoader(({ createWriter }) => {
    const writer = createWriter(config, session, stderrLine);
    recorder.attach(writer);
    return writer;
  }, stderrLine);
  const { recorder, ctx, close } = createCapture(config, {
    notify: stderrLine,
    start: () => (session.parentPid !== undefined ? { parent_pid: session.parentPid } : {}),
    onFirstRecord: () => {
      loader.start();
      flushOnSignals(() => close(loader.now(), 'interrupted'));
    },
  });

  if (config.rules) ctx.rules = await (await import('../policy/rewrite/load-step.js')).loadRulesStep(config);
  const uninstallers = [installFetchTap(ctx), installHttpTap(ctx)];

  // The SDK layer: loaded only when it runs (its module hooks are the one part with a startup cost).
  if (config.sdk !== 'off') {
    try {
      const { planSdkLayer } = await import('../tap/sdk/plan.js');
      const plan = await planSdkLayer(config.sdk);
      if (config.debug) stderrLine(`agenttap: SDK layer ${plan.on ? 'on' : 'off'}: ${plan.reason}`);
      if (plan.on) {
        const { installSdkTap } = await import('../tap/sdk/index.js');
        uninstallers.push(await installSdkTap(ctx, config, plan.mode));
      }
    } catch (err) {
      ctx.warn('sdk-layer-failed', `sdk-layer-failed: ${(err as Error)?.message ?? String(err)}`);
    }
  }

  // Whatever is still open or queued at exit is finished and written synchronously (the event loop is gone).
  process.on('exit', () => close(recorder.hasRecords ? loader.now() : undefined));

  return { config, session, recorder, uninstall: () => uninstallers.forEach((u) => u()) };
}
