/**
 * Builds the running tap for this process: config → session → capture (src/capture/open.ts) → taps, synchronously
 * enough that the taps are in place before the agent's first line, and light enough not to delay it: zod loads only
 * when there is a config to validate, and the log writer (pino, secretlint) loads only once the process has made a
 * model call, in a pause of its model traffic, while records queue. A bad config throws AGENTTAP_CONFIG_INVALID so
 * the loader can stop before the agent starts; everything after that fails open.
 *
 * The end of the process: `exit` (and SIGINT/SIGTERM that would kill it) finishes open exchanges and writes the
 * queue and `session.end`, loading the writer right there if the process ends before it had loaded (src/capture/).
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openCapture } from '../capture/open.js';
import type { WriterModule } from '../capture/writer-loader.js';
import type { Recorder } from '../log/recorder.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import { stderrLine } from '../stderr.js';
import { installFetchTap } from '../tap/fetch.js';
import { installHttpTap } from '../tap/http.js';
import type { TapContext, Uninstall } from '../tap/context.js';

/** Puts the taps in place for this runtime: Node's by default, the Bun preload's its own (src/bun/taps.ts). */
export type InstallTaps = (ctx: TapContext, config: Config) => Promise<Uninstall[]>;

export interface ActiveTap {
  config: Config;
  session: SessionPlace;
  recorder: Recorder;
  uninstall(): void;
}

/** What differs between runtimes: Node's taps and writer by default; the Bun preload brings its own (src/bun/). */
export interface Runtime {
  installTaps: InstallTaps;
  /** The log writer's module, synchronously (default: require() of the compiled ESM where Node can). */
  writerModule?: () => WriterModule;
}

export async function activate(
  { installTaps, writerModule }: Runtime = { installTaps: nodeTaps },
): Promise<ActiveTap | undefined> {
  const { config } = await loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);

  const { recorder, ctx } = await openCapture(config, session, {
    notify: stderrLine,
    start: () => (session.parentPid !== undefined ? { parent_pid: session.parentPid } : {}),
    writer: { agent: true, module: writerModule },
  });
  const uninstallers = await installTaps(ctx, config);

  return {
    config,
    session,
    recorder,
    uninstall: () => {
      for (const u of uninstallers) u();
    },
  };
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
