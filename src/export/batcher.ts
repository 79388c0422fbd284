/**
 * The export worker's queue: spans wait here, bounded, and go to the exporter in batches, one batch in flight
 * at a time (a slow collector then costs one pending request, not a pile of them). Every span ends counted once:
 * `exported` (the collector accepted it) or `dropped` (the queue was full, the collector refused it, or the end
 * came first); until then it is `pending`.
 *
 * Not the SDK's BatchSpanProcessor: that one counts its drops privately (a diag line), and the session log must
 * say how many spans a dead collector cost.
 */

/** The part of an OpenTelemetry SpanExporter used here (`ExportResultCode.SUCCESS` is 0). */
export interface SpanExporterLike<S> {
  export(spans: S[], done: (result: { code: number; error?: Error }) => void): void;
}

export interface BatcherOptions {
  maxQueue: number;
  maxBatch: number;
  /** After each change of the counts (the worker publishes them). */
  onChange: () => void;
  /** A batch failed: why (the exporter's error message). */
  onFailure: (why: string) => void;
}

export class Batcher<S> {
  private queue: S[] = [];
  private inFlight = 0;
  private inFlightSince = 0;
  exported = 0;
  dropped = 0;
  /** The last batch failed (refused, unreachable, timed out). */
  failing = false;
  /** Set at the end: batches follow each other until the queue is empty. */
  private draining = false;
  private onDrained: (() => void) | undefined;

  constructor(
    private readonly exporter: SpanExporterLike<S>,
    private readonly options: BatcherOptions,
  ) {}

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  add(spans: S[]): void {
    if (spans.length === 0) return;
    const room = Math.max(0, this.options.maxQueue - this.pending);
    for (const span of spans.slice(0, room)) this.queue.push(span);
    this.dropped += Math.max(0, spans.length - room);
    this.options.onChange();
  }

  /** Sends the next batch unless one is in flight. */
  send(): void {
    if (this.inFlight > 0) return;
    if (this.queue.length === 0) {
      if (this.draining) this.onDrained?.();
      return;
    }
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight = batch.length;
    this.inFlightSince = performance.now();
    let settled = false;
    const done = (ok: boolean, why?: string) => {
      if (settled) return;
      settled = true;
      this.inFlight = 0;
      if (ok) this.exported += batch.length;
      else this.dropped += batch.length;
      this.failing = !ok;
      if (!ok) this.options.onFailure(why ?? 'export failed');
      this.options.onChange();
      if (this.draining && !ok) this.dropQueued();
      if (this.draining || this.queue.length >= this.options.maxBatch) this.send();
    };
    try {
      this.exporter.export(batch, (result) => done(result.code === 0, result.error?.message));
    } catch (err) {
      done(false, (err as Error)?.message ?? String(err));
    }
  }

  /**
   * Whether the collector is known to be in trouble: the last batch failed, or the one in flight has waited
   * longer than `slowMs` (a hanging collector). At the end such a collector gets nothing more.
   */
  stalled(slowMs: number): boolean {
    return this.failing || (this.inFlight > 0 && performance.now() - this.inFlightSince > slowMs);
  }

  /** The end: sends what is queued, batch after batch; `drained` once nothing is pending. */
  drain(drained: () => void): void {
    this.draining = true;
    this.onDrained = drained;
    this.send();
  }

  /** Gives up what waits in the queue (the batch in flight, if any, still settles). */
  dropQueued(): void {
    this.dropped += this.queue.length;
    this.queue = [];
    this.options.onChange();
  }
}
