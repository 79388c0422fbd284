/**
 * The export worker: follows this process's log file and sends its spans to the collector, off the agent's
 * thread. Started by src/export/live.ts with the log writer, without our preload.
 *
 *   every tick: follow (new bytes only) ──(an exchange ended?)──► map the file (reports/otlp: the offline
 *   export's mapping) ──► spans of the exchanges that ended, of answered tool calls and of the sub-agents they
 *   ran, each once ──► bounded queue ──► exporter
 *   `end`: follow the rest ──► map once more ──► every span not sent, or changed since ──► drain in the exit wait
 *          (a collector already failing or hanging: nothing more, the agent's exit does not wait)
 *
 * Why map the file again rather than keep an incremental mapping of our own: one mapping means live and offline
 * spans are the same, ids included. Following the file (follow.ts) costs what the log grows by; the mapping
 * reads the file streaming (memory: a row per exchange, content read back by position) and runs only after an
 * exchange ended, at most once per tick, the next tick pushed back to COST_SHARE times its duration — so the
 * worker takes at most 1/COST_SHARE of a core however long the session grows (a longer session gets later,
 * larger batches, never more CPU). The main agent spans grow until the session ends: they go out at `end`,
 * with any span a later mapping changed (same id: a backend keeps the last).
 * Memory besides the mapping: a digest per span sent and a span id per exchange ended.
 */
import { performance } from 'node:perf_hooks';
import { isMainThread, workerData } from 'node:worker_threads';
import { Batcher } from './batcher.js';
import { createExporter } from '../../reports/otlp/index.js';
import { LogFollower } from './follow.js';
import { digestOf, exchangeSpan, mapLogFile, type ReadableSpan, type SpanRecord } from './mapping.js';
import {
  DROPPED,
  ENDED,
  EXPORTED,
  MAPPED_EXCHANGES,
  PENDING,
  type ExportWorkerData,
  type FromExportWorker,
  type ToExportWorker,
} from './protocol.js';

/** Spans per export request (the SDK's BatchSpanProcessor default). */
const MAX_BATCH = 512;
/** The worker's CPU share is at most 1/COST_SHARE: the next tick waits that many times the last mapping's cost. */
const COST_SHARE = 10;
/** The first look at the log: soon, so a short session's spans (and a dead collector) are known before its exit. */
const FIRST_TICK_MS = 200;

async function run(data: ExportWorkerData): Promise<void> {
  const state = new Int32Array(data.state);
  const notify = (message: string) => data.notices.postMessage({ t: 'notify', message } satisfies FromExportWorker);
  const settle = () => {
    Atomics.store(state, ENDED, 1);
    Atomics.notify(state, ENDED);
  };
  let batcher: Batcher<ReadableSpan>;
  try {
    const { url, headers, protocol, timeoutMs } = data.settings;
    const exporter = await createExporter({ url, headers, protocol, timeoutMillis: timeoutMs });
    batcher = new Batcher(exporter, {
      maxQueue: data.maxQueue,
      maxBatch: MAX_BATCH,
      onChange: () => {
        Atomics.store(state, EXPORTED, batcher.exported);
        Atomics.store(state, DROPPED, batcher.dropped);
        Atomics.store(state, PENDING, batcher.pending);
      },
      onFailure: (why) =>
        notify(`agenttap: the OTLP collector at ${data.settings.url} did not take spans (${why}); the agent goes on`),
    });
  } catch (err) {
    notify(`agenttap: live OTLP export did not start (${(err as Error)?.message ?? String(err)})`);
    settle();
    return;
  }
  const follow = new Follow(data, batcher, notify, (n) => Atomics.add(state, MAPPED_EXCHANGES, n));
  let timer = setTimeout(function tick() {
    void follow.step(false).then((costMs) => {
      timer = setTimeout(tick, Math.max(data.settings.intervalMs, costMs * COST_SHARE));
    });
  }, FIRST_TICK_MS);
  data.notices.on('message', (message: ToExportWorker) => {
    if (message.t !== 'end') return;
    clearTimeout(timer);
    // A collector already failing or hanging gets nothing more, not even a last look at the log: the agent's exit
    // must not wait on it. What it did not take is counted by the agent's thread (pending, exchanges not mapped).
    if (batcher.stalled(message.waitMs)) {
      batcher.dropQueued();
      settle();
      return;
    }
    void follow.step(true).then(() => batcher.drain(settle));
  });
}

/** The log as followed so far: which exchanges ended, what went out (a digest per span id). */
class Follow {
  private readonly follower: LogFollower;
  /** Span ids of this process's exchanges that ended: their spans can go before the end. */
  private readonly ended = new Set<string>();
  private readonly sent = new Map<string, string>();
  private dirty = false;
  private busy: Promise<number> | undefined;

  constructor(
    private readonly data: ExportWorkerData,
    private readonly batcher: Batcher<ReadableSpan>,
    private readonly notify: (message: string) => void,
    private readonly mapped: (exchanges: number) => void,
  ) {
    this.follower = new LogFollower(data.file);
  }

  /** One look at the log; resolves to how long the mapping took (ms). Never rejects. */
  step(final: boolean): Promise<number> {
    const previous = this.busy ?? Promise.resolve(0);
    this.busy = previous.then(() => this.look(final));
    return this.busy;
  }

  private async look(final: boolean): Promise<number> {
    try {
      for (const line of this.follower.read())
        if (line.event === 'exchange.end' && line.exchange) {
          this.ended.add(exchangeSpan(this.data.session, line.exchange));
          this.dirty = true;
        }
      if (!this.dirty && !final) return 0;
      this.dirty = false;
      const t0 = performance.now();
      const log = await mapLogFile(this.data.file, this.data.settings.content);
      const byId = new Map(log.records.map((r) => [r.spanId, r]));
      const out: SpanRecord[] = [];
      let exchanges = 0;
      for (const record of log.records) {
        const isExchange = this.ended.has(record.spanId);
        if (!final && !isExchange && !isDone(record, byId)) continue;
        const digest = digestOf(record);
        const before = this.sent.get(record.spanId);
        if (before === digest) continue;
        // A span sent again (its thread grew, a retry joined it) has the same id: the backend keeps the last.
        if (before === undefined && isExchange) exchanges++;
        this.sent.set(record.spanId, digest);
        out.push(record);
      }
      this.mapped(exchanges);
      this.batcher.add(await log.readable(out));
      this.batcher.send();
      return performance.now() - t0;
    } catch (err) {
      this.notify(`agenttap: live OTLP export could not read the log (${(err as Error)?.message ?? String(err)})`);
      return 0;
    }
  }
}

/**
 * A tool call whose result came back, or the sub-agent that call started: neither changes any more, so neither
 * waits for the end (where a long session's last mapping may not fit in the exit wait).
 */
function isDone(record: SpanRecord, byId: ReadonlyMap<string, SpanRecord>): boolean {
  const answered = (r: SpanRecord | undefined) =>
    r?.attributes['gen_ai.operation.name'] === 'execute_tool' && r.attributes['agenttap.tool.answered'] === true;
  if (answered(record)) return true;
  return record.attributes['gen_ai.operation.name'] === 'invoke_agent' && answered(byId.get(record.parentSpanId ?? ''));
}

// Last: the classes above must be initialised before the worker runs.
if (!isMainThread) await run(workerData as ExportWorkerData);
