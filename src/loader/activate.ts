/**
 * Builds the running tap for this process: config → session → recorder → taps, synchronously enough that
 * the taps are in place before the agent's first line, and light enough not to delay it: zod loads only
 * when there is a config to validate, and the log writer (pino, secretlint) loads only once the process has made a
 * model call, in a pause of its model traffic (writer-loader.ts), while records queue. A bad config throws
 * AGENTTAP_CONFIG_INVALID so the loader can stop before the agent starts; everything after that fails open.
 *
 * The end of the process: `exit` (and SIGINT/SIGTERM that would kill it, signals.ts) finishes open exchanges and
 * writes the queue and `session.end`, loading the writer right there if the process ends before it had loaded.
 */
import { loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { Recorder } from '../log/recorder.js';
import { publishSession, resolveSession, type SessionPlace } from '../log/session.js';
import { stderrLine } from '../stderr.js';
import { createCapture } from '../tap/capture.js';
import { installFetchTap } from '../tap/fetch.js';
import { installHttpTap } from '../tap/http.js';
import type { TapContext, Uninstall } from '../tap/context.js';
import { flushOnSignals } from './signals.js';
import { writerLoader, type WriterModule } from './writer-loader.js';

/** Records held in memory (raw, a request body each) while exchanges overlap, before the writer loads anyway. */
const QUEUE_BEFORE_LOAD = 64;
const IDLE_BEFORE_LOAD_MS = 100;

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

export async function activate({ installTaps, writerModule }: Runtime = { installTaps: nodeTaps }): Promise<ActiveTap | undefined> {
  const { config } = await loadConfig();
  if (!config.enabled) return undefined;
  const session = resolveSession(config);
  if (!session) return undefined; // a child process, and children are off
  publishSession(session);

  const loader = writerLoader(({ createWriter }) => {
    const writer = createWriter(config, session, stderrLine);
    recorder.attach(writer);
    return writer;
  }, stderrLine, writerModule);
  let signals = false;
  let idle: NodeJS.Timeout | undefined;
  const { recorder, ctx, close } = createCapture(config, {
    notify: stderrLine,
    start: () => (session.parentPid !== undefined ? { parent_pid: session.parentPid } : {}),
    onRecord: () => {
      if (!signals) flushOnSignals(() => close(loader.now(), 'interrupted'));
      signals = true;
      // Loading the writer blocks this thread for 150–400 ms: done in a pause of the model traffic (no exchange open
      // for IDLE_BEFORE_LOAD_MS), never under a streaming response — unless exchanges keep overlapping and the raw
      // queue grows. A process that ends first loads it in its exit.
      if (recorder.pending >= QUEUE_BEFORE_LOAD) loader.start();
      else if (ctx.open.size === 0 && !idle) {
        idle = setTimeout(() => {
          idle = undefined;
          if (ctx.open.size === 0) loader.start();
        }, IDLE_BEFORE_LOAD_MS).unref();
      }
    },
  });

  if (config.rules) ctx.rules = await (await import('../policy/rewrite/load-step.js')).loadRulesStep(config);
  const uninstallers = await installTaps(ctx, config);

  // Whatever is still open or queued at exit is finished and written synchronously (the event loop is gone).
  process.on('exit', () => close(recorder.hasRecords ? loader.now() : undefined));

  return { config, session, recorder, uninstall: () => uninstallers.forEach((u) => u()) };
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
