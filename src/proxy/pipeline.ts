/**
 * The capture pipeline of a proxy process — the same capture the loader builds (src/capture/open.ts), minus the
 * taps, with its writer loaded at once: config → session → Recorder → writer (redactor + pino sink) → rules → exit
 * flush. The proxy hands its exchanges to
 * `LiveExchange` exactly as the fetch and http taps do, with layer `'proxy'`, so the log, the redaction and the
 * report cannot tell how an exchange was captured except by that field.
 */
import { loadConfig, type FlagNames } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { openCapture } from '../capture/open.js';
import type { Recorder } from '../log/recorder.js';
import { ENV_PARENT_PID, ENV_SESSION_DIR, ENV_SESSION_ID, resolveSession, type SessionPlace } from '../log/session.js';
import { stderrLine } from '../stderr.js';
import type { TapContext } from '../tap/context.js';

export interface CapturePipeline {
  config: Config;
  session: SessionPlace;
  recorder: Recorder;
  ctx: TapContext;
  /** Finishes what is still open (`incomplete`), writes everything queued and `session.end`, synchronously. */
  close(): void;
}

export interface PipelineOptions {
  /** Recorded in `session.start.proxy`. */
  upstream: string;
  listen: string;
  env?: NodeJS.ProcessEnv;
  /** The flag each `AGENTTAP_*` variable came from (`--config`), so a config error names it. */
  flags?: FlagNames;
  notify?: (message: string) => void;
}

/** Throws AGENTTAP_CONFIG_INVALID before anything listens. */
export async function openPipeline(options: PipelineOptions): Promise<CapturePipeline> {
  const notify = options.notify ?? stderrLine;
  // The proxy always owns its session: it is not a Node child of a captured agent, whatever it inherited.
  const env = { ...(options.env ?? process.env) };
  delete env[ENV_SESSION_DIR];
  delete env[ENV_SESSION_ID];
  delete env[ENV_PARENT_PID];
  const { config } = await loadConfig(env, undefined, options.flags);
  const session = resolveSession(config, env)!;

  const { recorder, ctx, close } = await openCapture(config, session, {
    notify,
    start: (redactor) => ({ proxy: { upstream: redactor.text(options.upstream), listen: options.listen } }),
    writer: 'now',
  });
  return { config, session, recorder, ctx, close };
}
