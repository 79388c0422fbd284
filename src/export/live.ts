/**
 * Live OTLP export, the agent's side. Started with the log writer (src/capture/writer.ts), that is at the first
 * model call — a process that never calls a model starts nothing, and nothing of it loads at the agent's start:
 *
 *   agent's thread                                  export worker (src/export/worker.ts)
 *   sink ──► <pid>.ndjson ─────────────(follows the file)──► spans (reports/otlp's mapping) ──► queue ──► collector
 *   session.end: flush the log ──► `end` ──► wait ≤ exitWait on state[ENDED] ──► session.end + otlp counts
 *
 * The worker reads the log the sink wrote, not the agent's objects: it needs nothing from the agent's thread, the
 * spans are the ones `agenttap export otlp` makes of the same file, and what is exported was redacted first.
 * The worker is unref'd, gets neither our `--import` nor a preload (docs/preload.md#workers-and-children), and
 * its stdout/stderr are not the agent's. A dead, failing or hanging collector costs the agent nothing but, at
 * exit, at most `export.otlp.exitWait` (1 s by default) (none when it is known to be failing); what it did not take is counted in
 * `session.end` as `otlp_dropped`.
 */
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { Config } from '../config/schema.js';
import { withoutPreload } from '../log/capture-client.js';
import type { EventBody } from '../log/events.js';
import type { Writer } from '../log/recorder.js';
import type { SessionPlace } from '../log/session.js';
import type { Sink } from '../log/sink.js';
import { withWrite } from '../log/sink-wrap.js';
import {
  DROPPED,
  ENDED,
  EXPORTED,
  MAPPED_EXCHANGES,
  PENDING,
  STATE_SLOTS,
  type ExportWorkerData,
  type FromExportWorker,
  type ToExportWorker,
} from './protocol.js';
import { resolveOtlpSettings, type OtlpSettings } from './settings.js';

/** Spans held at most; a collector that cannot keep up loses the newest ones (counted). */
export const MAX_QUEUE = 2048;

export interface LiveExportOptions {
  notify: (message: string) => void;
  /** A debug line at the end: how long the exit waited, what went out. */
  debug?: boolean;
  /** Tests: the worker's entry (by default the compiled worker.js beside this module). */
  entry?: URL;
}

/** The writer, with the exporter started beside it when `export.otlp` is configured; else the writer itself. */
export function withLiveExport(
  writer: Writer,
  config: Config,
  session: SessionPlace,
  options: LiveExportOptions,
): Writer {
  const otlp = config.export?.otlp;
  if (!otlp) return writer;
  let live: LiveExport | undefined;
  try {
    live = new LiveExport(resolveOtlpSettings(otlp), writer.sink.file, session.id, options);
  } catch (err) {
    options.notify(`agenttap: live OTLP export did not start (${(err as Error)?.message ?? String(err)})`);
    return writer;
  }
  return { ...writer, sink: endsWithCounts(writer.sink, live) };
}

/** The sink, with `session.end` written after the exporter had its last chance, carrying its counts. */
function endsWithCounts(inner: Sink, live: LiveExport): Sink {
  return withWrite(inner, (event, body) => {
    if (event !== 'session.end') return inner.write(event, body);
    inner.flushSync(); // the worker reads the file: everything before `session.end` must be in it
    const { exchanges } = body as EventBody<'session.end'>;
    inner.write(event, { ...body, ...live.end(exchanges) });
  });
}

class LiveExport {
  private readonly state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private worker: Worker | undefined;
  private readonly notices: MessagePort;
  private told = false;

  constructor(
    private readonly settings: OtlpSettings,
    file: string,
    session: string,
    private readonly options: LiveExportOptions,
  ) {
    const entry = options.entry ?? new URL('./worker.js', import.meta.url);
    if (!existsSync(fileURLToPath(entry)))
      throw new Error(`its worker ${fileURLToPath(entry)} is missing: this build of agenttap has no live export`);
    const channel = new MessageChannel();
    this.notices = channel.port1;
    this.notices.on('message', (m: FromExportWorker) => this.tell(m.message));
    this.notices.unref();
    const data = { settings, file, session, state: this.state.buffer, notices: channel.port2, maxQueue: MAX_QUEUE };
    const worker = new Worker(entry, {
      workerData: data satisfies ExportWorkerData,
      transferList: [channel.port2],
      execArgv: [],
      env: withoutOtlpVariables(withoutPreload(process.env)),
      // Not piped into the agent's stdout/stderr. Left unread: reading them would keep the agent alive.
      stdout: true,
      stderr: true,
    });
    worker.on('error', (err) => this.stopped(err.message));
    worker.on('exit', (code) => this.stopped(`exit ${code}`));
    worker.unref();
    this.worker = worker;
  }

  /** One line on stderr for the whole session, whatever goes wrong with the collector. */
  private tell(message: string): void {
    if (this.told) return;
    this.told = true;
    this.options.notify(message);
  }

  private stopped(why: string): void {
    if (!this.worker) return;
    this.worker = undefined;
    this.tell(
      `agenttap: live OTLP export stopped (${why}); the session's log is complete, export it with \`agenttap export otlp\``,
    );
  }

  /** The end of the session: the worker sends what is left, within the exit wait. Never throws. */
  end(exchanges: number): { otlp_exported: number; otlp_dropped: number } {
    const worker = this.worker;
    const waitMs = this.settings.exitWaitMs;
    const started = performance.now();
    try {
      if (worker) {
        this.notices.postMessage({ t: 'end', waitMs } satisfies ToExportWorker);
        const deadline = started + waitMs;
        for (let left = waitMs; Atomics.load(this.state, ENDED) === 0 && left > 0; left = deadline - performance.now())
          Atomics.wait(this.state, ENDED, 0, left);
        // Its notices would otherwise die with the event loop.
        for (let m = receiveMessageOnPort(this.notices); m; m = receiveMessageOnPort(this.notices))
          this.tell((m.message as FromExportWorker).message);
      }
    } catch {
      // counted below as it stands
    }
    if (this.options.debug)
      this.options.notify(
        `agenttap: OTLP export ${Atomics.load(this.state, ENDED) ? 'finished' : 'cut short'} at exit after ${Math.round(performance.now() - started)} ms`,
      );
    // What is still pending dies with the process, and so do the spans of exchanges it had not mapped yet.
    const unmapped = Math.max(0, exchanges - Atomics.load(this.state, MAPPED_EXCHANGES));
    const counts = {
      otlp_exported: Atomics.load(this.state, EXPORTED),
      otlp_dropped: Atomics.load(this.state, DROPPED) + Atomics.load(this.state, PENDING) + unmapped,
    };
    if (counts.otlp_dropped > 0)
      this.tell(
        `agenttap: ${counts.otlp_dropped} spans were not exported to ${this.settings.url} (the log is complete: \`agenttap export otlp\` sends them again)`,
      );
    return counts;
  }
}

/** The worker gets the resolved settings; the exporter must not apply the variables a second time. */
function withoutOtlpVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of Object.keys(out)) if (name.startsWith('OTEL_EXPORTER_OTLP_')) delete out[name];
  return out;
}
