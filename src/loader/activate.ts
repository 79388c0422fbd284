/**
 * The capture with its taps installed at once (the Bun preload: one bundled file, so loading is not the cost;
 * its fetch tap needs the context when it installs). The Node loader builds the same capture lazily (start.ts).
 *
 * The end of the process: `exit` (and SIGINT/SIGTERM that would kill it) finishes open exchanges and writes the
 * queue and `session.end`, loading the writer right there if the process ends before it had loaded (src/capture/).
 */
import type { Config } from '../config/schema.js';
import { openAgentCapture } from '../capture/open.js';
import type { WriterModule } from '../capture/writer-loader.js';
import type { Recorder } from '../log/recorder.js';
import type { SessionPlace } from '../log/session.js';
import { stderrLine } from '../stderr.js';
import type { TapContext, Uninstall } from '../tap/context.js';
import { prepare, startFields } from './prepare.js';

/** Puts the taps in place for this runtime (the Bun preload's: src/bun/taps.ts). */
export type InstallTaps = (ctx: TapContext, config: Config) => Promise<Uninstall[]>;

export interface ActiveTap {
  config: Config;
  session: SessionPlace;
  recorder: Recorder;
  uninstall(): void;
}

/** What differs between runtimes: the taps, and how the writer module is had synchronously. */
export interface Runtime {
  installTaps: InstallTaps;
  /** The log writer's module, synchronously (default: require() of the compiled ESM where Node can). */
  writerModule?: () => WriterModule;
}

export async function activate({ installTaps, writerModule }: Runtime): Promise<ActiveTap | undefined> {
  const prepared = await prepare();
  if (!prepared) return undefined;
  const { config, session, rules } = prepared;
  const { recorder, ctx } = openAgentCapture(
    config,
    session,
    { notify: stderrLine, start: () => startFields(session), writer: { agent: true, module: writerModule } },
    rules,
  );
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
