/**
 * Builds the running tap for this process: config → session → recorder → taps, synchronously enough that
 * the taps are in place before the agent's first line, and light enough not to delay it: zod loads only
 * when there is a config to validate, and the log writer (pino, secretlint) loads in the background while
 * records queue. A bad config throws AGENTTAP_CONFIG_INVALID so the loader can stop before the agent starts;
 * everything after that fails open.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Recorder, Writer } from '../log/recorder.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import { stderrLine } from '../stderr.js';
import { createCapture } from '../tap/capture.js';
import { installFetchTap } from '../tap/fetch.js';
import { installHttpTap } from '../tap/http.js';
import type { TapContext, Uninstall } from '../tap/context.js';

/** Puts the taps in place for this runtime: Node's by default, the Bun preload's its own (src/bun/taps.ts). */
export type InstallTaps = (ctx: TapContext, config: Config) => Promise<Uninstall[]>;

export interface ActiveTap {
  config: Config;
  session: SessionPlace;
  recorder: Recorder;
  /** Resolves when the log writer is attached (or failed to load). */
  writerReady: Promise<void>;
  uninstall(): void;
}

export async function activate(installTaps: InstallTaps = nodeTaps): Promise<ActiveTap | undefined> {
  const { config } = await loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);

  const { recorder, ctx, close } = createCapture(config, {
    notify: stderrLine,
    start: () => (session.parentPid !== undefined ? { parent_pid: session.parentPid } : {}),
  });

  let writer: Writer | undefined;
  // Started one macrotask later: the agent's entry module is evaluated first.
  const writerReady = new Promise<void>((resolve) => setImmediate(resolve)).then(() => import('./writer.js')).then(
    ({ createWriter }) => recorder.attach((writer = createWriter(config, session, stderrLine))),
    (err: Error) => stderrLine(`agenttap: the log writer failed to load (${err.message}); nothing is recorded`),
  );

  if (config.rules) ctx.rules = await (await import('../policy/rewrite/load-step.js')).loadRulesStep(config);
  const uninstallers = await installTaps(ctx, config);

  // Whatever is still open or queued at exit is finished and written synchronously (the event loop is gone).
  process.on('exit', () => close(writer));

  return { config, session, recorder, writerReady, uninstall: () => uninstallers.forEach((u) => u()) };
}

/** fetch and http, then the SDK layer when the config wants it. */
async function nodeTaps(ctx: TapContext, config: Config): Promise<Uninstall[]> {
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
  return uninstallers;
}
