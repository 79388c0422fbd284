/**
 * One capture, assembled the same way for the Node loader, the Bun preload (src/loader/activate.ts) and the proxy
 * (src/proxy/pipeline.ts), from the config and session place the caller resolved:
 *
 *   recorder + the taps' context (capture.ts) ──► writer: redactor + sink (writer.ts) ──► rules (a rules file)
 *   ──► exit flush: open exchanges finished, the queue and `session.end` written, synchronously
 *
 * The Node loader opens it at the agent's first model call (src/loader/gate.ts), synchronously (openAgentCapture),
 * with the rules it validated before the agent started; the Bun preload at start. The writer's timing is the one
 * difference between the two kinds of driver:
 *   - `agent` (inside the agent's process): loaded only once the process has made a model call, in a pause of its
 *     model traffic (writer-loader.ts), while records queue; SIGINT/SIGTERM that would kill the agent flush first
 *     (signals.ts); `exit` loads it right there if it had not loaded yet.
 *   - `now` (the proxy, a process of its own): loaded before anything listens.
 * A bad rules file throws AGENTTAP_RULES_INVALID before the exit flush is armed; everything after fails open.
 */
import type { Config } from '../config/schema.js';
import type { Recorder, Writer } from '../log/recorder.js';
import type { SessionPlace } from '../log/session.js';
import type { RulesStep } from '../policy/rewrite/wire.js';
import type { TapContext } from '../tap/context.js';
import { createCapture, type Capture, type CaptureOptions } from './capture.js';
import { flushOnSignals } from './signals.js';
import { writerLoader, type WriterLoader, type WriterModule } from './writer-loader.js';

/** Records held in memory (raw, a request body each) while exchanges overlap, before the writer loads anyway. */
const QUEUE_BEFORE_LOAD = 64;
const IDLE_BEFORE_LOAD_MS = 100;

export interface OpenCapture {
  recorder: Recorder;
  ctx: TapContext;
  /** Finishes what is still open (`incomplete`), writes everything queued and `session.end`, synchronously. Idempotent. */
  close(): void;
}

export interface OpenOptions {
  notify: (message: string) => void;
  /** Extra `session.start` fields. */
  start?: CaptureOptions['start'];
  /**
   * `now`: the writer loads before this returns (the proxy). `agent`: after the first model call (the loader, the
   * Bun preload); `module` hands the writer module synchronously where `./writer.js` is not beside this file (the Bun
   * bundle).
   */
  writer: 'now' | { agent: true; module?: () => WriterModule };
}

export async function openCapture(config: Config, session: SessionPlace, options: OpenOptions): Promise<OpenCapture> {
  const { notify, start, writer: timing } = options;
  if (timing !== 'now') {
    const rules = config.rules ? await loadRules(config) : undefined;
    return openAgentCapture(config, session, { notify, start, writer: timing }, rules);
  }
  // Imported here, never at the top: the agent's start-up path must not load pino and secretlint.
  const { createWriter } = await import('./writer.js');
  const writer = createWriter(config, session, notify);
  const capture = createCapture(config, { notify, start });
  capture.recorder.attach(writer);
  if (config.rules) capture.ctx.rules = await loadRules(config);
  return armExit(capture, () => writer);
}

/** The rules file's step (validated: a bad file throws AGENTTAP_RULES_INVALID). */
export async function loadRules(config: Config): Promise<RulesStep> {
  return (await import('../policy/rewrite/load-step.js')).loadRulesStep(config);
}

/**
 * The agent's capture, synchronously (the loader builds it at the first model call, inside the agent's request):
 * the writer loads after the first model call; `rules` were loaded (and validated) before the agent started.
 */
export function openAgentCapture(
  config: Config,
  session: SessionPlace,
  options: OpenOptions & { writer: { agent: true; module?: () => WriterModule } },
  rules?: RulesStep,
): OpenCapture {
  const { notify, start } = options;
  // The closures below run only once `capture` is assigned (at a record, a signal or the exit).
  let capture: Capture;
  const loader = writerLoader(
    ({ createWriter }) => {
      const writer = createWriter(config, session, notify);
      capture.recorder.attach(writer);
      return writer;
    },
    notify,
    options.writer.module,
  );
  const onRecord = afterModelCall(() => capture, loader);
  capture = createCapture(config, { notify, start, onRecord });
  if (rules) capture.ctx.rules = rules;
  // Without a record of its own the process leaves no log: the writer is not even loaded for it.
  return armExit(capture, () => (capture.recorder.hasRecords ? loader.now() : undefined));
}

/** Whatever is still open or queued at exit is finished and written synchronously (the event loop is gone). */
function armExit(capture: Capture, writerAtExit: () => Writer | undefined): OpenCapture {
  const close = () => capture.close(writerAtExit());
  process.once('exit', close);
  return { recorder: capture.recorder, ctx: capture.ctx, close };
}

/**
 * Told of each record: arms the signal flush at the first, and starts loading the writer in a pause of the model
 * traffic. Loading it blocks this thread for 150–400 ms: done when no exchange has been open for
 * IDLE_BEFORE_LOAD_MS, never under a streaming response — unless exchanges keep overlapping and the raw queue grows.
 * A process that ends first loads it in its exit.
 */
function afterModelCall(capture: () => Capture, loader: WriterLoader): () => void {
  let signals = false;
  let idle: NodeJS.Timeout | undefined;
  return () => {
    // Once both are done, nothing is left to do at a record (three per exchange, on the agent's thread).
    if (signals && loader.started) return;
    const { recorder, ctx, close } = capture();
    if (!signals) flushOnSignals(() => close(loader.now(), 'interrupted'));
    signals = true;
    if (recorder.pending >= QUEUE_BEFORE_LOAD) loader.start();
    else if (ctx.open.size === 0 && !idle) {
      idle = setTimeout(() => {
        idle = undefined;
        if (ctx.open.size === 0) loader.start();
      }, IDLE_BEFORE_LOAD_MS).unref();
    }
  };
}
