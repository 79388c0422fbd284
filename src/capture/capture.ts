/**
 * One capture, whoever drives it — the loader inside an agent or `agenttap proxy` in front of one: the
 * recorder, the `session.start` record, the context every tap hands its exchanges to, and the synchronous
 * close that finishes what is open and writes what is queued (on `exit`, where no promise settles), in this order:
 *   open exchanges finished → queue drained (their `exchange.end` behind their earlier records) → `session.end` →
 *   the file flushed. Nothing of it throws: it runs inside the agent's exit.
 */
import type { Config } from '../config/schema.js';
import { createEndpointMatcher } from '../exchange/endpoints.js';
import { Recorder, type Writer } from '../log/recorder.js';
import { redactProcessFacts } from '../log/redact-session.js';
import type { Redactor } from '../policy/redact/types.js';
import { VERSION } from '../version.js';
import type { TapContext } from '../tap/context.js';

export interface Capture {
  recorder: Recorder;
  ctx: TapContext;
  /**
   * Finishes open exchanges as `outcome` (`incomplete` by default), writes everything queued and `session.end`.
   * Idempotent. Without a writer nothing is written: one line on stderr says so if there were records to write.
   */
  close(writer: Writer | undefined, outcome?: 'incomplete' | 'interrupted'): void;
}

export interface CaptureOptions {
  notify: (message: string) => void;
  /** Extra `session.start` fields (e.g. `parent_pid`, the proxy's upstream), built with the redactor. */
  start?: (redactor: Redactor) => Record<string, unknown>;
  /** Told of each record this process queues (a model call's, a warning): when to load the writer is its call. */
  onRecord?: () => void;
}

export function createCapture(config: Config, { notify, start, onRecord }: CaptureOptions): Capture {
  const recorder = new Recorder({ blobMinBytes: config.capture.blobMinBytes, notify, onRecord });
  recorder.later(({ sink, redactor, sinkRedacts }) => {
    const facts = { argv: process.argv, cwd: process.cwd() };
    sink.write('session.start', {
      agenttap: VERSION,
      node: process.version,
      // Raw to a sink that redacts them (in the capture worker: redact-events.ts).
      ...(sinkRedacts ? facts : redactProcessFacts(redactor, facts.argv, facts.cwd)),
      ...start?.(redactor),
    });
  });

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

  let closed = false;
  return {
    recorder,
    ctx,
    close(writer, outcome = 'incomplete') {
      if (closed) return;
      closed = true;
      try {
        for (const exchange of [...ctx.open]) exchange.finish(outcome);
        if (!writer) {
          // Nothing to say when the process made no model call: `session.start` alone is not a log.
          if (recorder.hasRecords)
            notify(
              `agenttap: ${recorder.pending} records not written: the process exited before the log writer had loaded`,
            );
          return;
        }
        recorder.drainSync();
        recorder.writeSessionEnd();
        writer.sink.flushSync();
      } catch (err) {
        notify(`agenttap: the log's last records were not written (${(err as Error)?.message ?? String(err)})`);
      }
    },
  };
}
