/**
 * The agent's side of the capture worker (src/log/capture-worker.ts): a Sink and an Offload for the
 * recorder, so redaction of an exchange's records (a 4 MB prompt: ~200 ms of secretlint and our patterns)
 * runs off the agent's thread. The hand-off is the body text the tap already had (never a parsed object: a
 * structured clone of one costs more than the text), in 64 KB slices, one per turn of the agent's loop.
 *
 *   idle ──(first exchange record: the first model call)──► worker ──(it failed)──► local
 *     └──(exit with no model call: the buffered writes)──────────────────────────► local
 *
 *   idle    writes (`session.start`, warnings) wait in memory; a process that never calls a model never
 *           starts a thread.
 *   worker  writes and raw records go down one port, in the order they came (an outbox keeps that order
 *           while a large body crosses in slices); `flushSync` (process exit,
 *           where no promise settles) posts `flush` and waits on a SharedArrayBuffer with `Atomics.wait`
 *           until the worker has written everything before it — at most EXIT_WAIT_MS (the way pino's
 *           thread-stream flushes synchronously).
 *   local   the main-thread sink; exchange records are declined and the recorder redacts them here.
 *
 * The worker is unref'd (it never keeps the agent alive), gets neither our `--import` nor a preload in
 * NODE_OPTIONS (docs/preload.md#workers-and-children, STYLE #15), and its stdout/stderr are not the agent's.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { DONE, FAILED, FLUSHED, STATE_SLOTS, type CaptureWorkerData, type FromWorker, type ToWorker } from './capture-protocol.js';
import type { EventBody, EventName } from './events.js';
import type { ExchangeRecord, Offload } from './recorder.js';
import type { Sink } from './sink.js';

/** How long exit may wait for the worker to write what it holds (a backlog of several 4 MB prompts). */
export const EXIT_WAIT_MS = 5000;
/**
 * Body text sent per turn of the agent's event loop. Copying a string into a message costs like any copy:
 * 4 MB at once measured 70-150 ms on a loaded 2-core machine, a stall as bad as redacting it.
 */
export const SLICE_CHARS = 64 * 1024;

export interface CaptureClientOptions {
  data: Omit<CaptureWorkerData, 'state' | 'notices'>;
  /** The sink on the agent's thread, opened only when the worker is not used. */
  openLocalSink: () => Sink;
  notify: (message: string) => void;
  exitWaitMs?: number;
  /** The worker's entry (tests); by default the compiled capture-worker.js beside this module. */
  entry?: URL;
}

export interface CaptureClient {
  sink: Sink;
  offload: Offload;
  /** 'idle' | 'worker' | 'local', for tests and debug lines. */
  readonly mode: string;
}

export function createCaptureClient(options: CaptureClientOptions): CaptureClient {
  const entry = options.entry ?? new URL('./capture-worker.js', import.meta.url);
  const state = new Int32Array(new SharedArrayBuffer(STATE_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  let mode: 'idle' | 'worker' | 'local' = 'idle';
  /** In order: what the worker has not been sent yet (idle: everything; worker: what waits for the pump). */
  let outbox: ToWorker[] = [];
  let pumping = false;
  let worker: Worker | undefined;
  let notices: MessagePort | undefined;
  let local: Sink | undefined;
  let posted = 0;
  let lost = 0;
  let flushes = 0;
  let warnedSlow = false;

  const goLocal = (): Sink => {
    mode = 'local';
    local ??= options.openLocalSink();
    // Only an idle client gets here with writes waiting; raw records never wait for a local sink.
    for (const message of outbox) if (message.t === 'write') local.write(message.event as EventName, message.body as EventBody<EventName>);
    outbox = [];
    return local;
  };

  /** The worker stopped: what it had not finished is lost (never written raw); the rest goes on here. */
  const failed = (why: string) => {
    if (mode !== 'worker') return;
    const missing = posted - Atomics.load(state, DONE) + outbox.filter((m) => m.t === 'record').length;
    lost += missing;
    worker = undefined;
    outbox = [];
    options.notify(`agenttap: the capture worker stopped (${why}); ${missing} records lost, recording goes on in the agent's thread`);
    goLocal();
  };

  const start = () => {
    if (!existsSync(fileURLToPath(entry))) return goLocal(); // running from TypeScript sources (tests)
    try {
      const channel = new MessageChannel();
      notices = channel.port1;
      notices.on('message', (m: FromWorker) => options.notify(m.message));
      notices.unref();
      worker = new Worker(entry, {
        workerData: { ...options.data, state: state.buffer, notices: channel.port2 } satisfies CaptureWorkerData,
        transferList: [channel.port2],
        execArgv: [],
        env: withoutPreload(process.env),
        // Not piped into the agent's stdout/stderr. Left unread: reading them would keep the agent alive.
        stdout: true,
        stderr: true,
      });
      worker.on('error', (err) => failed(err.message));
      worker.on('exit', (code) => failed(`exit ${code}`));
      worker.unref();
      mode = 'worker';
      pump();
    } catch (err) {
      options.notify(`agenttap: the capture worker did not start (${(err as Error).message}); redacting in the agent's thread`);
      goLocal();
    }
  };

  /**
   * Sends what waits, in order, at most SLICE_CHARS of body text per turn of the agent's event loop; the rest
   * on the next turn (an unref'd setImmediate: it never keeps the agent alive; exit sends the rest at once).
   */
  const pump = (budget = SLICE_CHARS) => {
    pumping = false;
    while (worker && outbox.length > 0) {
      const message = outbox[0]!;
      if (message.t === 'text') {
        if (budget <= 0) break;
        budget -= message.part.length;
      }
      outbox.shift();
      posted++;
      worker.postMessage(message);
    }
    if (worker && outbox.length > 0 && Number.isFinite(budget)) {
      pumping = true;
      setImmediate(pump).unref();
    }
  };

  const send = (message: ToWorker) => {
    outbox.push(message);
    if (mode === 'worker' && !pumping) pump();
  };

  const mono = () => Math.round(performance.now() * 1000) / 1000;

  const sink: Sink = {
    file: join(options.data.sessionDir, `${process.pid}.ndjson`),
    get muted() {
      return local?.muted ?? false;
    },
    write(event, body) {
      if (mode === 'local') return local!.write(event, body);
      send({ t: 'write', mono: mono(), event, body: body as Record<string, unknown> });
    },
    flushSync() {
      if (mode === 'idle') {
        if (outbox.length > 0) goLocal().flushSync();
        return;
      }
      if (mode === 'local') return local!.flushSync();
      waitForWorker();
    },
  };

  /** Exit: everything sent so far written by the worker, or EXIT_WAIT_MS passed. */
  const waitForWorker = () => {
    const seq = ++flushes;
    outbox.push({ t: 'flush', seq });
    pump(Infinity);
    const deadline = performance.now() + (options.exitWaitMs ?? EXIT_WAIT_MS);
    for (;;) {
      const flushed = Atomics.load(state, FLUSHED);
      if (flushed >= seq) break;
      // Its 'error' event would only come on a later turn, and at exit there is none: say it now.
      if (Atomics.load(state, FAILED) === 1) return failed('its redactor did not load');
      const left = deadline - performance.now();
      if (left <= 0) {
        if (!warnedSlow) options.notify(`agenttap: the capture worker did not finish writing the log within ${options.exitWaitMs ?? EXIT_WAIT_MS} ms; its last records are missing`);
        warnedSlow = true;
        break;
      }
      Atomics.wait(state, FLUSHED, flushed, left);
    }
    // Its notices (a failed redaction, a muted sink) would otherwise die with the event loop.
    for (let m = notices && receiveMessageOnPort(notices); m; m = receiveMessageOnPort(notices!)) options.notify((m.message as FromWorker).message);
  };

  const offload: Offload = {
    record(raw: ExchangeRecord) {
      if (mode === 'idle') start();
      if (mode !== 'worker') return false;
      const text = raw.kind === 'request' ? raw.record.text : undefined;
      if (raw.kind !== 'request' || text === undefined || text.length <= SLICE_CHARS) {
        send({ t: 'record', mono: mono(), raw });
        return true;
      }
      // The text in slices, then a copy of the record without it (the tap's object stays as it was).
      const parts = Math.ceil(text.length / SLICE_CHARS);
      for (let i = 0; i < parts; i++) send({ t: 'text', part: text.slice(i * SLICE_CHARS, (i + 1) * SLICE_CHARS) });
      send({ t: 'record', mono: mono(), raw: { kind: 'request', record: { ...raw.record, text: undefined } }, textParts: parts });
      return true;
    },
    get lost() {
      return lost;
    },
  };

  return {
    sink,
    offload,
    get mode() {
      return mode;
    },
  };
}

const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** NODE_OPTIONS without preloads: a worker applies the process's NODE_OPTIONS again (pino's sanitizeNodeOptions). */
export function withoutPreload(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.NODE_OPTIONS) return { ...env };
  const tokens = env.NODE_OPTIONS.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const kept: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = token.split('=')[0]!;
    if (!PRELOAD_FLAGS.has(flag)) kept.push(token);
    else if (!token.includes('=')) i++; // the value is the next token
  }
  const out = { ...env };
  if (kept.length > 0) out.NODE_OPTIONS = kept.join(' ');
  else delete out.NODE_OPTIONS;
  return out;
}
